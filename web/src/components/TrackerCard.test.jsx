import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import TrackerCard from './TrackerCard.jsx';
import { positionsData } from '../test/fixtures.js';

function gapBox(label) {
  return screen.getByText(label).closest('.tracker-gap');
}

describe('TrackerCard', () => {
  it('pins the picked car with its position and the gaps to the cars around it', () => {
    const cars = positionsData(['1', '81', '44', '16'], {}, {
      44: { interval_ms: 2345, tyre: 'HARD', tyre_age: 7, pit_stops: 1, last_lap_ms: 82123, best_lap_ms: 81999 },
      16: { interval_ms: 678 },
    }).positions;
    render(<TrackerCard cars={cars} pickedKey="44" />);
    expect(screen.getByTestId('tracker-position').textContent).toBe('3');
    expect(screen.getByText('Lewis Hamilton')).toBeTruthy();
    const ahead = gapBox('Ahead');
    expect(within(ahead).getByText('+2.345')).toBeTruthy();
    expect(ahead.textContent).toContain('PIA');
    const behind = gapBox('Behind');
    expect(within(behind).getByText('+0.678')).toBeTruthy();
    expect(behind.textContent).toContain('LEC');
    expect(within(gapBox('Tyre')).getByRole('img', { name: /Hard tyre, 7 laps old/ })).toBeTruthy();
    expect(gapBox('Tyre').textContent).toContain('1 stop');
    expect(gapBox('Last lap').textContent).toContain('1:22.123');
    expect(gapBox('Last lap').textContent).toContain('Best 1:21.999');
    const sectors = screen.getByRole('list', { name: 'Sector times' });
    expect(sectors.textContent).toBe('S1 27.000S2 28.000S3 26.000');
  });

  it('has no car ahead for the leader and none behind for the last car', () => {
    const cars = positionsData(['44', '1']).positions;
    const { rerender } = render(<TrackerCard cars={cars} pickedKey="44" />);
    expect(within(gapBox('Ahead')).getByText('—')).toBeTruthy();
    expect(gapBox('Behind').textContent).toContain('NOR');
    rerender(<TrackerCard cars={positionsData(['1', '44']).positions} pickedKey="44" />);
    expect(within(gapBox('Behind')).getByText('—')).toBeTruthy();
    expect(screen.getByTestId('tracker-position').textContent).toBe('2');
  });

  it('follows the car as it moves and shows pit and retirement states', () => {
    const { rerender } = render(<TrackerCard cars={positionsData(['1', '44', '81']).positions} pickedKey="44" />);
    expect(screen.getByTestId('tracker-position').textContent).toBe('2');
    rerender(<TrackerCard cars={positionsData(['1', '81', '44'], {}, { 44: { in_pit: true } }).positions} pickedKey="44" />);
    expect(screen.getByTestId('tracker-position').textContent).toBe('3');
    expect(screen.getByText('In pit lane')).toBeTruthy();
    rerender(<TrackerCard cars={positionsData(['1', '81', '44'], {}, { 44: { retired: true } }).positions} pickedKey="44" />);
    expect(screen.getByText('Retired')).toBeTruthy();
  });

  it('shows a lapped gap in laps', () => {
    const cars = positionsData(['1', '44'], {}, { 44: { interval_ms: 0, interval_laps: 2 } }).positions;
    render(<TrackerCard cars={cars} pickedKey="44" />);
    expect(within(gapBox('Ahead')).getByText('+2 LAPS')).toBeTruthy();
  });

  it('says what it waits for when the picked car is not on the timing screen yet', () => {
    render(<TrackerCard cars={[]} pickedKey="44" driverName="Lewis Hamilton" />);
    expect(screen.getByText(/Waiting for Lewis Hamilton/)).toBeTruthy();
  });
});
