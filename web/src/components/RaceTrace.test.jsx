import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import RaceTrace, { niceStep, segments } from './RaceTrace.jsx';
import { initialRaceState, raceReducer } from '../lib/raceReducer.js';
import { positionsData } from '../test/fixtures.js';

const ORDER = ['1', '81', '16', '44', '3', '22', '63', '12'];

// Three laps of timing, one frame per lap, with the gaps growing for cars further back.
function raceAfterLaps(n, carExtra = () => ({})) {
  let s = initialRaceState;
  for (let lap = 1; lap <= n; lap++) {
    const extra = {};
    ORDER.forEach((num, i) => {
      extra[num] = { laps: lap, gap_ms: i * 1000 * lap, ...carExtra(num, lap) };
    });
    s = raceReducer(s, { type: 'positions', data: positionsData(ORDER, { lap, total_laps: 10 }, extra) });
  }
  return s;
}

function lineFor(car) {
  return [...document.querySelectorAll('polyline')].filter((p) => p.dataset.car === car);
}

describe('RaceTrace', () => {
  it('draws one line per top car plus the picked driver, and no others', () => {
    const s = raceAfterLaps(3);
    render(<RaceTrace trace={s.trace} cars={s.cars} pickedKey="12" totalLaps={10} top={5} />);
    const cars = [...new Set([...document.querySelectorAll('polyline')].map((p) => p.dataset.car))];
    expect(cars.sort()).toEqual(['1', '12', '16', '3', '44', '81'].sort());
    expect(lineFor('12')[0].getAttribute('class')).toContain('is-picked');
    expect(lineFor('22')).toHaveLength(0);
    expect(screen.getByTestId('race-trace').getAttribute('role')).toBe('img');
    expect(screen.getByText(/Gap to leader by lap:/).textContent).toContain('ANT +21.000 on lap 3');
  });

  it('puts the leader on the top line and later laps further right', () => {
    const s = raceAfterLaps(3);
    render(<RaceTrace trace={s.trace} cars={s.cars} pickedKey="" totalLaps={10} top={3} />);
    const pts = (car) =>
      lineFor(car)[0]
        .getAttribute('points')
        .split(' ')
        .map((p) => p.split(',').map(Number));
    const leader = pts('1');
    const third = pts('16');
    expect(leader).toHaveLength(3);
    expect(new Set(leader.map((p) => p[1])).size).toBe(1); // gap 0 every lap: a flat line
    expect(leader[0][0]).toBeLessThan(leader[1][0]);
    expect(third[2][1]).toBeGreaterThan(third[0][1]); // a growing gap goes down the chart
    expect(third[0][0]).toBe(leader[0][0]);
  });

  it('dashes the second car of a team so teammates can be told apart', () => {
    const s = raceAfterLaps(2);
    render(<RaceTrace trace={s.trace} cars={s.cars} totalLaps={10} top={2} />);
    expect(lineFor('1')[0].getAttribute('stroke-dasharray')).toBeNull();
    expect(lineFor('81')[0].getAttribute('stroke-dasharray')).toBe('6 4');
    expect(lineFor('1')[0].getAttribute('stroke')).toBe(lineFor('81')[0].getAttribute('stroke'));
  });

  it('breaks the line while a car is a lap down', () => {
    const s = raceAfterLaps(4, (num, lap) => (num === '44' && lap === 3 ? { gap_laps: 1 } : {}));
    render(<RaceTrace trace={s.trace} cars={s.cars} pickedKey="44" totalLaps={10} top={2} />);
    expect(lineFor('44')).toHaveLength(2);
    expect(segments(s.trace['44']).map((seg) => seg.map((p) => p.lap))).toEqual([[1, 2], [4]]);
  });

  it('waits for the first completed lap', () => {
    render(<RaceTrace trace={{}} cars={positionsData(ORDER).positions} totalLaps={10} />);
    expect(screen.getByText(/trace starts when the leaders complete their first lap/)).toBeTruthy();
    expect(document.querySelector('svg')).toBeNull();
  });

  it('picks round axis steps', () => {
    expect(niceStep(57, 6)).toBe(10);
    expect(niceStep(18, 6)).toBe(5);
    expect(niceStep(3.2, 4)).toBe(1);
  });
});
