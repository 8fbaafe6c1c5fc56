import { describe, expect, it } from 'vitest';
import { initialRaceState, isRaceOver, raceReducer } from './raceReducer.js';
import { commentaryData, positionsData, statusObject } from '../test/fixtures.js';

function run(actions, s = initialRaceState) {
  return actions.reduce(raceReducer, s);
}

describe('raceReducer', () => {
  it('sorts cars by position whatever order they arrive in', () => {
    const data = positionsData(['1', '81', '16']);
    data.positions.reverse();
    const s = run([{ type: 'positions', data }]);
    expect(s.cars.map((c) => c.number)).toEqual(['1', '81', '16']);
    expect(s.meta).toMatchObject({ lap: 11, total_laps: 50, track_status: 'green' });
  });

  it('keeps the session part of a practice or qualifying frame, and a race frame has none', () => {
    const session = { kind: 'qualifying', part: 1, clock_ms: 900000, clock_running: false, cutoff_position: 15 };
    let s = run([{ type: 'positions', data: { ...positionsData(['1']), session } }]);
    expect(s.meta.session).toEqual(session);
    s = run([{ type: 'positions', data: positionsData(['1']) }]);
    expect(s.meta.session).toBeNull();
  });

  it('keeps the weather of a simulation with a chance of rain', () => {
    const weather = { rain_chance: 70, raining: true, wetness: 42 };
    let s = run([{ type: 'positions', data: { ...positionsData(['1']), weather } }]);
    expect(s.meta.weather).toEqual(weather);
    s = run([{ type: 'positions', data: positionsData(['1']) }]);
    expect(s.meta.weather).toBeNull();
  });

  it('records one trace point per car per completed lap', () => {
    const lap = (n, gap) => ({ type: 'positions', data: positionsData(['1', '81'], {}, { 1: { laps: n, gap_ms: 0 }, 81: { laps: n, gap_ms: gap } }) });
    const s = run([lap(1, 500), lap(1, 900), lap(2, 1200), lap(3, 800)]);
    expect(s.trace['81']).toEqual([
      { lap: 1, gap_ms: 500, gap_laps: 0 },
      { lap: 2, gap_ms: 1200, gap_laps: 0 },
      { lap: 3, gap_ms: 800, gap_laps: 0 },
    ]);
  });

  it('keeps the snapshot commentary oldest-first input as newest-first and merges later lines', () => {
    const s = run([
      { type: 'snapshot', data: { status: statusObject(), positions: positionsData(['1']), commentary: [commentaryData(1, 'a'), commentaryData(2, 'b')] } },
      { type: 'commentary', data: commentaryData(3, 'c') },
      // A fresh snapshot after a reconnect repeats lines already shown.
      { type: 'snapshot', data: { status: statusObject(), positions: positionsData(['1']), commentary: [commentaryData(2, 'b'), commentaryData(3, 'c'), commentaryData(4, 'd')] } },
    ]);
    expect(s.commentary.map((c) => c.message)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('tracks track status and the fastest lap from race events', () => {
    const s = run([
      { type: 'positions', data: positionsData(['1']) },
      { type: 'race', data: { type: 'track_status', track: 'vsc' } },
      { type: 'race', data: { type: 'fastest_lap', car: '81', lap_ms: 80000 } },
    ]);
    expect(s.meta.track_status).toBe('vsc');
    expect(s.meta.fastest_lap).toEqual({ number: '81', lap_ms: 80000 });
  });

  it('stays finished once the stream ended, whatever a late status says', () => {
    const s = run([
      { type: 'status', data: statusObject() },
      { type: 'end', data: { type: 'end', status: 'finished' } },
      { type: 'status', data: statusObject({ status: 'in_progress' }) },
    ]);
    expect(isRaceOver(s)).toBe(true);
    expect(s.status.status).toBe('finished');
  });

  it('takes a race that could not start as over, with its reason', () => {
    const s = run([
      { type: 'snapshot', data: { type: 'snapshot', status: statusObject({ status: 'failed', reason: 'no race runner took the start request within 30 s' }), positions: null, commentary: [] } },
      { type: 'end', data: { type: 'end', status: 'failed' } },
    ]);
    expect(isRaceOver(s)).toBe(true);
    expect(s.status.status).toBe('failed');
    expect(s.status.reason).toMatch(/no race runner/);
  });

  it('ignores malformed positions and commentary', () => {
    const s = run([
      { type: 'positions', data: { positions: 'nope' } },
      { type: 'commentary', data: { id: 'x' } },
      { type: 'commentary', data: null },
    ]);
    expect(s.cars).toEqual([]);
    expect(s.commentary).toEqual([]);
  });
});
