// One race's combined SSE stream (/api/race/{id}/stream) with resume and deduplication.
//
// EventSource reconnects by itself and sends Last-Event-ID, so the server replays exactly what
// was missed. Frames are still checked against the last applied id, because a reconnect that
// races with buffered frames must never apply an event twice. When the browser gives up on the
// stream (HTTP error, wrong content type) or it goes silent past the server's ping interval, a
// new EventSource is opened with ?last_event_id= so a server that honours it resumes there too;
// a server that does not sends a fresh snapshot, which replaces the state whole.
//
// Positions ticks after the first arrive as deltas against the previous tick (`base`). A delta
// whose base is not the tick the client holds (a frame lost or reordered between servers) is
// never applied: the stream starts over without Last-Event-ID and gets a fresh snapshot.

import { isAfter } from './eventId.js';

export const STREAM_EVENTS = ['snapshot', 'positions', 'delta', 'commentary', 'race', 'status', 'end'];
const SEQUENCED = new Set(['positions', 'delta', 'commentary', 'race']);
const DEFAULT_BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

export class RaceStream {
  constructor({
    url,
    onFrame,
    onState,
    onClosed,
    EventSourceImpl = globalThis.EventSource,
    watchdogMs = 35000,
    offlineAfterMs = 12000,
    backoffMs = DEFAULT_BACKOFF_MS,
    win = typeof window !== 'undefined' ? window : null,
  }) {
    this.url = url;
    this.onFrame = onFrame;
    this.onState = onState;
    this.onClosed = onClosed;
    this.ES = EventSourceImpl;
    this.watchdogMs = watchdogMs;
    this.offlineAfterMs = offlineAfterMs;
    this.backoffMs = backoffMs;
    this.win = win;
    this.es = null;
    this.lastId = null;
    this.state = 'idle';
    this.attempts = 0;
    this.downSince = 0;
    this.stopped = false;
    this.ended = false;
    this.stats = { frames: 0, duplicates: 0, malformed: 0, reconnects: 0, snapshots: 0, sequenced: 0, events: 0, resyncs: 0 };
    this.positionsSeq = null; // seq of the positions tick the client holds
    this.firstSnapshotId = null;
    this.timers = { watchdog: null, retry: null, offline: null };
    this.onOnline = () => this.handleOnline();
    this.onOffline = () => this.handleOffline();
  }

  start() {
    if (!this.ES) {
      this.setState('offline');
      return;
    }
    this.win?.addEventListener?.('online', this.onOnline);
    this.win?.addEventListener?.('offline', this.onOffline);
    this.setState('connecting');
    this.open(false);
  }

  close() {
    this.stopped = true;
    this.clearTimers();
    this.detach();
    this.win?.removeEventListener?.('online', this.onOnline);
    this.win?.removeEventListener?.('offline', this.onOffline);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.onState?.(state);
  }

  browserOffline() {
    return this.win?.navigator?.onLine === false;
  }

  open(manual) {
    this.detach();
    let url = this.url;
    if (manual && this.lastId) url += `${url.includes('?') ? '&' : '?'}last_event_id=${encodeURIComponent(this.lastId)}`;
    const es = new this.ES(url);
    this.es = es;
    es.onopen = () => {
      if (es !== this.es) return;
      this.attempts = 0;
      this.downSince = 0;
      clearTimeout(this.timers.offline);
      this.setState('live');
      this.armWatchdog();
    };
    es.onerror = () => this.handleError(es);
    es.onmessage = (e) => this.handleMessage(es, e);
    for (const name of STREAM_EVENTS) es.addEventListener(name, (e) => this.handleFrame(es, name, e));
  }

  detach() {
    if (!this.es) return;
    const es = this.es;
    this.es = null;
    es.onopen = es.onerror = es.onmessage = null;
    es.close();
  }

  clearTimers() {
    clearTimeout(this.timers.watchdog);
    clearTimeout(this.timers.retry);
    clearTimeout(this.timers.offline);
  }

  armWatchdog() {
    clearTimeout(this.timers.watchdog);
    if (this.stopped || this.ended) return;
    this.timers.watchdog = setTimeout(() => {
      // No frame and no ping for longer than the server's ping interval: the connection is dead
      // even if the socket has not noticed.
      this.markDown();
      this.reopen();
    }, this.watchdogMs);
  }

  markDown() {
    if (!this.downSince) this.downSince = Date.now();
    this.setState(this.browserOffline() ? 'offline' : 'reconnecting');
    clearTimeout(this.timers.offline);
    this.timers.offline = setTimeout(() => {
      if (!this.stopped && !this.ended && this.state !== 'live') this.setState('offline');
    }, this.offlineAfterMs);
  }

  reopen() {
    if (this.stopped || this.ended) return;
    this.stats.reconnects += 1;
    this.open(true);
  }

  scheduleRetry() {
    clearTimeout(this.timers.retry);
    const delay = this.backoffMs[Math.min(this.attempts, this.backoffMs.length - 1)];
    this.attempts += 1;
    this.timers.retry = setTimeout(() => this.reopen(), delay);
  }

  handleError(es) {
    if (es !== this.es || this.stopped || this.ended) return;
    clearTimeout(this.timers.watchdog);
    this.markDown();
    if (es.readyState === 2) {
      // The browser will not retry this one (HTTP error, 204 after the end, bad content type).
      this.detach();
      this.onClosed?.();
      if (!this.stopped && !this.ended) this.scheduleRetry();
    }
    // readyState 0: EventSource is retrying itself and will send Last-Event-ID.
  }

  handleOnline() {
    if (this.stopped || this.ended || this.state === 'live') return;
    this.setState('reconnecting');
    clearTimeout(this.timers.retry);
    this.reopen();
  }

  handleOffline() {
    if (this.stopped || this.ended) return;
    this.setState('offline');
  }

  handleMessage(es, e) {
    // Unnamed frames: pings, or a server that sends everything as plain messages with a type.
    if (es !== this.es) return;
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      this.stats.malformed += 1;
      this.armWatchdog();
      return;
    }
    if (data && STREAM_EVENTS.includes(data.type) && data.type !== 'snapshot') {
      this.apply(data.type, e.lastEventId, data.type === 'race' ? data : data.data ?? data);
    } else {
      this.armWatchdog();
    }
  }

  handleFrame(es, name, e) {
    if (es !== this.es) return;
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      this.stats.malformed += 1;
      this.armWatchdog();
      return;
    }
    // positions and commentary frames wrap their payload like the legacy streams do.
    if ((name === 'positions' || name === 'commentary') && data && data.type === name && data.data) data = data.data;
    this.apply(name, e.lastEventId, data);
  }

  apply(name, id, data) {
    this.armWatchdog();
    if (this.state !== 'live') {
      // A frame proves the connection works even if onopen was missed.
      this.attempts = 0;
      this.downSince = 0;
      clearTimeout(this.timers.offline);
      this.setState('live');
    }
    // status and end are derived by the server and carry no id of their own (the browser
    // reports the previous one): they are idempotent, so they are always applied.
    const ordered = SEQUENCED.has(name);
    if (ordered && id && !isAfter(id, this.lastId)) {
      this.stats.duplicates += 1;
      return;
    }
    if (name === 'delta' && (!data || data.base !== this.positionsSeq)) {
      // Not built on what this client holds: start over from a snapshot.
      this.stats.resyncs += 1;
      this.lastId = null;
      this.positionsSeq = null;
      this.stats.reconnects += 1;
      this.open(false);
      return;
    }
    if (name === 'snapshot') this.positionsSeq = Number.isFinite(data?.positions?.seq) ? data.positions.seq : null;
    if ((name === 'positions' || name === 'delta') && Number.isFinite(data?.seq)) this.positionsSeq = data.seq;
    if (ordered && id) this.lastId = id;
    if (ordered) this.stats.sequenced += 1;
    if (name === 'commentary' || name === 'race') this.stats.events += 1;
    if (name === 'snapshot' && id && (!this.lastId || isAfter(id, this.lastId))) this.lastId = id;
    this.stats.frames += 1;
    if (name === 'snapshot') {
      this.stats.snapshots += 1;
      if (this.firstSnapshotId === null) this.firstSnapshotId = id || '';
    }
    this.onFrame?.({ type: name, id: id || null, data });
    if (name === 'end') {
      this.ended = true;
      this.clearTimers();
      this.detach();
      this.setState('ended');
    }
  }

  // The race is over and its stream will not come back (e.g. 204 after the end).
  finish() {
    this.ended = true;
    this.clearTimers();
    this.detach();
    this.setState('ended');
  }
}
