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

  it("follows each car's penalties through snapshot and deltas, and marks none without them", () => {
    const first = positionsData(['1', '81', '16'], { seq: 1 }, {
      1: { penalty_s: 0, drive_through: false, black_white: false, deleted_laps: 0 },
      81: { penalty_s: 5, drive_through: false, black_white: true, deleted_laps: 4 },
      16: { penalty_s: 0, drive_through: true, black_white: false, deleted_laps: 0 },
    });
    let s = run([{ type: 'snapshot', data: { status: statusObject(), positions: first, commentary: [] } }]);
    const pen = (n) => s.cars.find((c) => c.number === n).penalty;
    expect(pen('1')).toBeNull();
    expect(pen('81')).toEqual({ seconds: 5, driveThrough: false, blackWhite: true });
    expect(pen('16')).toEqual({ seconds: 0, driveThrough: true, blackWhite: false });
    // 81 serves its 5 s at a stop, 16 its drive-through, 1 gets 10 s: only the changes travel.
    s = run(
      [
        {
          type: 'delta',
          data: {
            type: 'delta', base: 1, seq: 2, timestamp: first.timestamp + 1000, server_ms: first.server_ms + 1000,
            cars: { 81: { penalty_s: 0 }, 16: { drive_through: false }, 1: { penalty_s: 10 } },
          },
        },
      ],
      s,
    );
    expect(pen('1')).toEqual({ seconds: 10, driveThrough: false, blackWhite: false });
    expect(pen('81')).toEqual({ seconds: 0, driveThrough: false, blackWhite: true });
    expect(pen('16')).toBeNull();
    expect(s.positionsData.positions.find((c) => c.number === '81')).not.toHaveProperty('penalty');
    // A race without the stewards: no field, no marker.
    s = run([{ type: 'positions', data: positionsData(['1', '81']) }]);
    expect(s.cars.every((c) => c.penalty === null)).toBe(true);
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

  it("follows each car's damage through snapshot and deltas, and marks none for a replay's cars", () => {
    const first = positionsData(['1', '81', '16'], { seq: 1 }, {
      1: { damage: 'none' },
      81: { damage: 'puncture' },
      16: { damage: 'floor' },
    });
    let s = run([{ type: 'snapshot', data: { status: statusObject(), positions: first, commentary: [] } }]);
    const dmg = (n) => s.cars.find((c) => c.number === n).damage;
    expect(dmg('1')).toBeNull();
    expect(dmg('81')).toBe('puncture');
    expect(dmg('16')).toBe('floor');
    // 81 pits for new tyres, 1 breaks its front wing: only the changes travel.
    s = run(
      [
        {
          type: 'delta',
          data: {
            type: 'delta', base: 1, seq: 2, timestamp: first.timestamp + 1000, server_ms: first.server_ms + 1000,
            cars: { 81: { damage: 'none' }, 1: { damage: 'front_wing' } },
          },
        },
      ],
      s,
    );
    expect(dmg('1')).toBe('front_wing');
    expect(dmg('81')).toBeNull();
    expect(dmg('16')).toBe('floor');
    // the server's object keeps its own value
    expect(s.positionsData.positions.find((c) => c.number === '81').damage).toBe('none');
    // A replay's cars carry no damage field; an unknown value marks nothing.
    s = run([{ type: 'positions', data: positionsData(['1', '81'], {}, { 81: { damage: 'engine' } }) }]);
    expect(s.cars.every((c) => c.damage === null)).toBe(true);
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
