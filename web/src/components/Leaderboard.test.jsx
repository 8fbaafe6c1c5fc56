import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import Leaderboard from './Leaderboard.jsx';
import { raceReducer, initialRaceState } from '../lib/raceReducer.js';
import { positionsData, makeCar } from '../test/fixtures.js';

function rows() {
  return screen.getAllByTestId('board-row');
}

function rowOf(number) {
  return rows().find((r) => r.dataset.number === String(number));
}

describe('Leaderboard in qualifying and practice', () => {
  it('marks the cut-off line and the drop zone, and greys a knocked-out car with its part', () => {
    const cars = [
      makeCar('16', 1, { best_lap_ms: 100203 }),
      makeCar('1', 2, { best_lap_ms: 100391, gap_ms: 188 }),
      makeCar('81', 3, { best_lap_ms: 100495, gap_ms: 292 }),
      makeCar('63', 4, { best_lap_ms: 100600, gap_ms: 397, knocked_out_part: 2 }),
      makeCar('44', 5, { best_lap_ms: 101100, gap_ms: 897, knocked_out_part: 1 }),
    ];
    render(<Leaderboard cars={cars} session={{ kind: 'qualifying', part: 2, cutoff_position: 2, clock_ms: 1000 }} />);
    expect(rowOf('1').className).toContain('has-cutoff');
    expect(rowOf('81').dataset.dropzone).toBe('true');
    expect(rowOf('16').dataset.dropzone).toBeUndefined();
    // knocked out: greyed, its part shown, and out of the drop zone
    expect(rowOf('63').className).toContain('is-knocked-out');
    expect(rowOf('63').dataset.dropzone).toBeUndefined();
    expect(within(rowOf('63')).getByTestId('knocked-out').textContent).toBe('OUT Q2');
    expect(within(rowOf('44')).getByTestId('knocked-out').textContent).toBe('OUT Q1');
    expect(within(rowOf('16')).queryByTestId('knocked-out')).toBeNull();
    expect(within(rowOf('16')).getByTestId('gap').textContent).toBe('Fastest');
  });

  it('shows laps done instead of pit stops in practice, and no gap without a time', () => {
    const cars = [makeCar('44', 1, { best_lap_ms: 83246, laps: 24 }), makeCar('3', 2, { best_lap_ms: 0, gap_ms: 0, laps: 3 })];
    render(<Leaderboard cars={cars} session={{ kind: 'practice', part: 0, cutoff_position: 0 }} />);
    expect(within(rowOf('44')).getByTestId('laps').textContent).toBe('24');
    expect(within(rowOf('3')).getByTestId('gap').textContent).toBe('—');
    expect(screen.getByText('Laps')).toBeTruthy();
    expect(rows().some((r) => r.dataset.dropzone)).toBe(false);
  });
});

describe('Leaderboard', () => {
  it('shows the running order with gaps, intervals, laps, tyres and pit stops', () => {
    const data = positionsData(['1', '81', '16'], {}, {
      81: { gap_ms: 1234, interval_ms: 1234, tyre: 'SOFT', tyre_age: 3, pit_stops: 1 },
      16: { gap_ms: 0, gap_laps: 1, interval_ms: 0, interval_laps: 1, tyre: 'HARD', tyre_age: 22 },
    });
    render(<Leaderboard cars={data.positions} fastestLap={data.fastest_lap} />);
    expect(rows().map((r) => r.dataset.number)).toEqual(['1', '81', '16']);
    expect(within(rowOf('1')).getByTestId('gap').textContent).toBe('Leader');
    expect(within(rowOf('81')).getByTestId('gap').textContent).toBe('+1.234');
    expect(within(rowOf('16')).getByTestId('gap').textContent).toBe('+1 LAP');
    expect(within(rowOf('81')).getByRole('img', { name: /Soft tyre, 3 laps old/ })).toBeTruthy();
    expect(within(rowOf('16')).getByRole('img', { name: /Hard tyre, 22 laps old/ })).toBeTruthy();
    expect(rowOf('81').querySelector('.c-pits').textContent).toBe('1');
    // Lap times as m:ss.mmm.
    expect(rowOf('81').querySelector('.c-last').textContent).toBe('1:21.700');
  });

  it('shows intermediate and wet tyres as I and W', () => {
    const data = positionsData(['1', '81'], {}, {
      1: { tyre: 'INTERMEDIATE', tyre_age: 2 },
      81: { tyre: 'WET', tyre_age: 5 },
    });
    render(<Leaderboard cars={data.positions} fastestLap={data.fastest_lap} />);
    const inter = within(rowOf('1')).getByRole('img', { name: /Intermediate tyre, 2 laps old/ });
    expect(inter.querySelector('.tyre-letter').textContent).toBe('I');
    const wet = within(rowOf('81')).getByRole('img', { name: /Wet tyre, 5 laps old/ });
    expect(wet.querySelector('.tyre-letter').textContent).toBe('W');
  });

  it('paints the race fastest lap purple and a fresh personal best green', () => {
    const cars = [
      makeCar('1', 1, { last_lap_ms: 81500, best_lap_ms: 81100 }),
      makeCar('81', 2, { last_lap_ms: 81300, best_lap_ms: 81300 }),
      makeCar('16', 3, { last_lap_ms: 82000, best_lap_ms: 81800 }),
    ];
    render(<Leaderboard cars={cars} fastestLap={{ number: '1', lap_ms: 81100 }} />);
    expect(rowOf('1').querySelector('.c-best').className).toContain('lap-purple');
    expect(rowOf('1').querySelector('.c-last').className).not.toContain('lap-');
    expect(rowOf('81').querySelector('.c-last').className).toContain('lap-green');
    expect(rowOf('81').querySelector('.c-best').className).toContain('lap-green');
    expect(rowOf('16').querySelector('.c-last').className).not.toMatch(/lap-(green|purple)/);
    expect(rowOf('16').querySelector('.c-best').className).not.toMatch(/lap-(green|purple)/);
  });

  it('marks cars in the pit lane and retired cars', () => {
    const cars = [makeCar('1', 1), makeCar('81', 2, { in_pit: true }), makeCar('16', 3, { retired: true })];
    render(<Leaderboard cars={cars} />);
    expect(rowOf('81').className).toContain('is-pit');
    expect(within(rowOf('81')).getByText('PIT')).toBeTruthy();
    expect(rowOf('16').className).toContain('is-retired');
    expect(within(rowOf('16')).getByText('RET')).toBeTruthy();
    expect(within(rowOf('16')).getByTestId('gap').textContent).toBe('OUT');
  });

  it('shows up and down markers after a position change, then hides them', () => {
    let s = raceReducer(initialRaceState, { type: 'positions', data: positionsData(['1', '81', '16'], { server_ms: 1000 }) });
    s = raceReducer(s, { type: 'positions', data: positionsData(['16', '1', '81'], { server_ms: 2000 }) });
    const { rerender } = render(<Leaderboard cars={s.cars} changes={s.changes} now={2500} />);
    expect(rowOf('16').querySelector('.chg').className).toContain('chg-up');
    expect(rowOf('16').querySelector('.chg').textContent).toContain('2');
    expect(rowOf('1').querySelector('.chg').className).toContain('chg-down');
    expect(rowOf('81').querySelector('.chg').className).toContain('chg-down');
    rerender(<Leaderboard cars={s.cars} changes={s.changes} now={2000 + 60000} />);
    expect(rowOf('16').querySelector('.chg').className).not.toContain('chg-up');
  });

  it('highlights the picked driver and lets any row be followed from the keyboard', () => {
    const onFollow = vi.fn();
    const cars = positionsData(['1', '81', '44']).positions;
    render(<Leaderboard cars={cars} pickedKey="44" onFollow={onFollow} />);
    expect(rowOf('44').getAttribute('aria-current')).toBe('true');
    expect(rowOf('44').className).toContain('is-picked');
    expect(rowOf('1').getAttribute('aria-current')).toBeNull();
    const btn = within(rowOf('81')).getByRole('button', { name: /Oscar Piastri/ });
    btn.focus();
    fireEvent.click(btn);
    expect(onFollow).toHaveBeenCalledWith('81');
  });

  it('moves the same row elements to their new place and slides them there (FLIP)', () => {
    // jsdom does no layout: give each row the offsetTop a 40px row at its index would have.
    const spy = vi.spyOn(HTMLElement.prototype, 'offsetTop', 'get').mockImplementation(function offsetTop() {
      return this.parentElement ? Array.prototype.indexOf.call(this.parentElement.children, this) * 40 : 0;
    });
    const first = positionsData(['1', '81', '16']).positions;
    const { rerender } = render(<Leaderboard cars={first} />);
    const before = rowOf('16');
    rerender(<Leaderboard cars={positionsData(['16', '1', '81']).positions} />);
    const after = rowOf('16');
    expect(after).toBe(before); // the node moved, it was not re-created
    expect(rows().map((r) => r.dataset.number)).toEqual(['16', '1', '81']);
    // Now at index 0, it was at index 2: starts 80px lower and slides up.
    expect(after.style.transform).toBe('translateY(80px)');
    expect(rowOf('1').style.transform).toBe('translateY(-40px)');
    spy.mockRestore();
  });

  it("marks a car's penalty owed, drive-through and black-and-white flag from the stream's fields", () => {
    const data = positionsData(['1', '81', '16', '44'], {}, {
      1: { penalty_s: 0, drive_through: false, black_white: false },
      81: { penalty_s: 10, drive_through: false, black_white: true },
      16: { penalty_s: 0, drive_through: true, black_white: false },
      44: { penalty_s: 5, drive_through: false, black_white: false, retired: true },
    });
    const s = raceReducer(initialRaceState, { type: 'positions', data });
    render(<Leaderboard cars={s.cars} />);
    expect(within(rowOf('81')).getByTestId('penalty-time').textContent).toBe('+10s');
    expect(within(rowOf('81')).getByRole('img', { name: /Black-and-white flag/ })).toBeTruthy();
    expect(within(rowOf('81')).queryByTestId('penalty-dt')).toBeNull();
    expect(within(rowOf('16')).getByTestId('penalty-dt').textContent).toBe('DT');
    expect(within(rowOf('16')).queryByTestId('penalty-time')).toBeNull();
    expect(within(rowOf('1')).queryByTestId('penalty-time')).toBeNull();
    expect(within(rowOf('1')).queryByTestId('penalty-bw')).toBeNull();
    // a retired car serves nothing: no marker
    expect(within(rowOf('44')).queryByTestId('penalty-time')).toBeNull();
  });

  it("marks a car's damage, and none on a retired or finished car", () => {
    const cars = [
      makeCar('1', 1, { damage: 'puncture' }),
      makeCar('81', 2, { damage: 'front_wing' }),
      makeCar('16', 3, { damage: 'floor' }),
      makeCar('44', 4, { damage: null }),
      makeCar('63', 5, { damage: 'floor', finished: true }),
      makeCar('12', 6, { damage: 'puncture', retired: true }),
    ];
    render(<Leaderboard cars={cars} />);
    const mark = (n) => within(rowOf(n)).queryByTestId('damage');
    expect(mark('1').dataset.damage).toBe('puncture');
    expect(mark('1').textContent).toBe('PUNC');
    expect(mark('1').getAttribute('aria-label')).toMatch(/puncture/i);
    expect(mark('81').textContent).toBe('WING');
    expect(mark('16').textContent).toBe('FLOOR');
    expect(mark('44')).toBeNull();
    expect(mark('63')).toBeNull();
    expect(mark('12')).toBeNull();
  });

  it('says it is waiting when there is no timing yet', () => {
    render(<Leaderboard cars={[]} />);
    expect(screen.getByText(/Waiting for the first timing data/)).toBeTruthy();
  });
});
