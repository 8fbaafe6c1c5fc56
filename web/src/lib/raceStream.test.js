import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RaceStream } from './raceStream.js';
import { isAfter, parseEventId } from './eventId.js';
import { FakeEventSource } from '../test/fakeEventSource.js';

function makeStream(opts = {}) {
  const frames = [];
  const states = [];
  const win = new EventTarget();
  win.navigator = { onLine: true };
  const stream = new RaceStream({
    url: '/api/race/R1/stream',
    EventSourceImpl: FakeEventSource,
    onFrame: (f) => frames.push(f),
    onState: (s) => states.push(s),
    win,
    watchdogMs: 30000,
    offlineAfterMs: 10000,
    backoffMs: [1000, 2000],
    ...opts,
  });
  return { stream, frames, states, win };
}

describe('event ids', () => {
  it('orders "R-C" ids by race counter, then commentary counter', () => {
    expect(parseEventId('42-7')).toEqual([42, 7]);
    expect(parseEventId('x')).toBeNull();
    expect(isAfter('42-8', '42-7')).toBe(true);
    expect(isAfter('43-0', '42-7')).toBe(true);
    expect(isAfter('42-7', '42-7')).toBe(false);
    expect(isAfter('41-9', '42-7')).toBe(false);
    expect(isAfter('1-1', null)).toBe(true);
  });
});

describe('RaceStream connection state', () => {
  beforeEach(() => {
    FakeEventSource.reset();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('goes connecting -> live -> reconnecting -> live and resumes without duplicates', () => {
    const { stream, frames, states } = makeStream();
    stream.start();
    const es = FakeEventSource.last();
    expect(es.url).toBe('/api/race/R1/stream');
    es.open();
    es.emit('snapshot', { type: 'snapshot', status: {}, positions: { positions: [] }, commentary: [] }, '10-2');
    es.emit('positions', { type: 'positions', data: { positions: [], seq: 11 } }, '11-2');
    es.emit('commentary', { type: 'commentary', data: { id: 'c-3', message: 'x' } }, '11-3');
    es.drop(); // the browser retries by itself, sending Last-Event-ID: 11-3
    expect(stream.state).toBe('reconnecting');
    es.open();
    // A server (or a proxy) replaying frames already seen must not apply them again.
    es.emit('commentary', { type: 'commentary', data: { id: 'c-3', message: 'x' } }, '11-3');
    es.emit('positions', { type: 'positions', data: { positions: [], seq: 12 } }, '12-3');
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(frames.map((f) => f.id)).toEqual(['10-2', '11-2', '11-3', '12-3']);
    expect(frames[2].data).toEqual({ id: 'c-3', message: 'x' }); // unwrapped like the legacy frames
    expect(stream.stats.duplicates).toBe(1);
    expect(stream.lastId).toBe('12-3');
    stream.close();
  });

  it('shows offline when the drop lasts, and when the browser says it is offline', () => {
    const { stream, win } = makeStream();
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    es.drop();
    expect(stream.state).toBe('reconnecting');
    vi.advanceTimersByTime(10001);
    expect(stream.state).toBe('offline');
    es.open();
    expect(stream.state).toBe('live');
    win.navigator.onLine = false;
    win.dispatchEvent(new Event('offline'));
    expect(stream.state).toBe('offline');
    stream.close();
  });

  it('reopens a stream the browser gave up on, asking to resume after the last id', () => {
    const onClosed = vi.fn();
    const { stream, states } = makeStream({ onClosed });
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    es.emit('positions', { type: 'positions', data: { positions: [] } }, '5-1');
    es.fail();
    expect(onClosed).toHaveBeenCalledTimes(1);
    expect(es.closed).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.last().url).toBe('/api/race/R1/stream?last_event_id=5-1');
    FakeEventSource.last().open();
    expect(states.at(-1)).toBe('live');
    stream.close();
  });

  it('treats a silent stream as dead and reconnects; pings keep it alive', () => {
    const { stream } = makeStream();
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    vi.advanceTimersByTime(20000);
    es.emit('message', { type: 'ping' });
    vi.advanceTimersByTime(20000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(stream.state).toBe('live');
    vi.advanceTimersByTime(10001);
    expect(stream.state).toBe('reconnecting');
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(es.closed).toBe(true);
    stream.close();
  });

  it('stops for good at the end frame', () => {
    const { stream, frames } = makeStream();
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    es.emit('positions', { type: 'positions', data: { positions: [] } }, '99-9');
    // status and end carry no id: the browser hands over the previous one with them.
    es.emit('status', { status: 'finished' });
    es.emit('end', { type: 'end', status: 'finished' });
    expect(frames.map((f) => f.type)).toEqual(['positions', 'status', 'end']);
    expect(stream.stats.duplicates).toBe(0);
    expect(stream.state).toBe('ended');
    expect(es.closed).toBe(true);
    expect(frames.at(-1)).toMatchObject({ type: 'end', data: { status: 'finished' } });
    vi.advanceTimersByTime(120000);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('counts frames that are not JSON instead of failing', () => {
    const { stream, frames } = makeStream();
    stream.start();
    const es = FakeEventSource.last();
    es.open();
    es.emit('positions', '{broken', '1-0');
    expect(frames).toHaveLength(0);
    expect(stream.stats.malformed).toBe(1);
    stream.close();
  });
});
