import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { applyDelta } from './delta.js';
import { initialRaceState, raceReducer } from './raceReducer.js';
import { RaceStream } from './raceStream.js';
import { FakeEventSource } from '../test/fakeEventSource.js';
import { positionsData } from '../test/fixtures.js';

const T2 = 1732790000100;

describe('applyDelta', () => {
  it('changes only the fields named, keeps the rest and stamps every car with the frame time', () => {
    const prev = positionsData(['1', '81', '16'], { seq: 5 });
    const full = applyDelta(prev, {
      type: 'delta',
      base: 5,
      seq: 6,
      timestamp: T2,
      server_ms: T2,
      race_ms: 900100,
      cars: { 81: { gap_ms: 1234 } },
    });
    expect(full.seq).toBe(6);
    expect(full.race_ms).toBe(900100);
    expect(full.lap).toBe(prev.lap);
    expect(full.positions.map((c) => c.number)).toEqual(['1', '81', '16']);
    expect(full.positions[1]).toEqual({ ...prev.positions[1], gap_ms: 1234, timestamp: T2 });
    expect(full.positions[0]).toEqual({ ...prev.positions[0], timestamp: T2 });
    expect(full).not.toHaveProperty('type');
    expect(full).not.toHaveProperty('base');
  });

  it('reorders, drops and adds cars by "order"', () => {
    const prev = positionsData(['1', '81', '16'], { seq: 5 });
    const newcomer = { ...prev.positions[2], number: '44', driver_name: 'Lewis Hamilton', position: 3 };
    const full = applyDelta(prev, {
      base: 5,
      seq: 7,
      timestamp: T2,
      order: ['81', '1', '44'],
      cars: { 81: { position: 1 }, 1: { position: 2 }, 44: newcomer },
    });
    expect(full.positions.map((c) => [c.number, c.position])).toEqual([
      ['81', 1],
      ['1', 2],
      ['44', 3],
    ]);
    expect(full.positions[2].driver_name).toBe('Lewis Hamilton');
  });

  it('refuses a delta on another base or naming a car it does not describe', () => {
    const prev = positionsData(['1', '81'], { seq: 5 });
    expect(applyDelta(prev, { base: 4, seq: 6, timestamp: T2 })).toBeNull();
    expect(applyDelta(prev, { base: 5, seq: 6, timestamp: T2, order: ['1', '99'] })).toBeNull();
    expect(applyDelta(null, { base: 5, seq: 6, timestamp: T2 })).toBeNull();
  });
});

describe('raceReducer with deltas', () => {
  it('rebuilds the board from a snapshot and deltas', () => {
    let s = raceReducer(initialRaceState, { type: 'snapshot', data: { positions: positionsData(['1', '81'], { seq: 5 }), commentary: [] } });
    s = raceReducer(s, { type: 'delta', data: { base: 5, seq: 6, timestamp: T2, order: ['81', '1'], cars: { 81: { position: 1 }, 1: { position: 2 } } } });
    expect(s.cars.map((c) => c.number)).toEqual(['81', '1']);
    expect(s.positionsData.seq).toBe(6);
    expect(s.changes['81'].delta).toBe(1);
    // A delta that does not fit leaves the state alone.
    const same = raceReducer(s, { type: 'delta', data: { base: 99, seq: 100, timestamp: T2 } });
    expect(same).toBe(s);
  });
});

describe('RaceStream delta chain', () => {
  beforeEach(() => {
    FakeEventSource.reset();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('passes on deltas in a row and starts over from a snapshot when one does not follow', () => {
    const frames = [];
    const stream = new RaceStream({ url: '/api/race/R1/stream', EventSourceImpl: FakeEventSource, onFrame: (f) => frames.push(f), win: null });
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    es.emit('snapshot', { type: 'snapshot', positions: positionsData(['1'], { seq: 5 }), commentary: [] }, '5-0');
    es.emit('delta', { type: 'delta', base: 5, seq: 6, timestamp: T2 }, '6-0');
    expect(frames.map((f) => f.type)).toEqual(['snapshot', 'delta']);
    // seq 7 was never seen: the delta of 8 on 7 must not be applied.
    es.emit('delta', { type: 'delta', base: 7, seq: 8, timestamp: T2 }, '8-0');
    expect(frames.length).toBe(2);
    expect(stream.stats.resyncs).toBe(1);
    const again = FakeEventSource.last();
    expect(again).not.toBe(es);
    expect(again.url).toBe('/api/race/R1/stream');
    again.open();
    again.emit('snapshot', { type: 'snapshot', positions: positionsData(['1'], { seq: 8 }), commentary: [] }, '8-0');
    again.emit('delta', { type: 'delta', base: 8, seq: 9, timestamp: T2 }, '9-0');
    expect(frames.map((f) => f.type)).toEqual(['snapshot', 'delta', 'snapshot', 'delta']);
    stream.close();
  });
});
