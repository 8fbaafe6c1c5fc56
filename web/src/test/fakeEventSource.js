// A FAKE EventSource for component tests: jsdom has none, and these tests drive the stream
// frame by frame. The real browser EventSource against the real server is covered by e2e/.
export class FakeEventSource {
  static instances = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.listeners = new Map();
    this.onopen = null;
    this.onerror = null;
    this.onmessage = null;
    this.closed = false;
    FakeEventSource.instances.push(this);
  }

  static reset() {
    FakeEventSource.instances = [];
  }

  static last() {
    return FakeEventSource.instances[FakeEventSource.instances.length - 1];
  }

  addEventListener(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, []);
    this.listeners.get(name).push(fn);
  }

  close() {
    this.readyState = 2;
    this.closed = true;
  }

  open() {
    this.readyState = 1;
    this.onopen?.({ type: 'open' });
  }

  // Sends one SSE frame the way the browser would dispatch it.
  emit(name, data, id = '') {
    if (id) this.lastEventId = id;
    const ev = { type: name, data: typeof data === 'string' ? data : JSON.stringify(data), lastEventId: this.lastEventId || '' };
    if (name === 'message') this.onmessage?.(ev);
    else for (const fn of this.listeners.get(name) || []) fn(ev);
  }

  // A dropped connection that the browser retries itself (readyState CONNECTING).
  drop() {
    this.readyState = 0;
    this.onerror?.({ type: 'error' });
  }

  // A connection the browser gave up on (readyState CLOSED).
  fail() {
    this.readyState = 2;
    this.onerror?.({ type: 'error' });
  }
}
