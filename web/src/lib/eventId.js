// SSE event ids are "R-C": the race-event and commentary counters after that event. Both only
// grow, so comparing (R, C) in order tells whether a frame is newer than the last one applied.

export function parseEventId(id) {
  if (typeof id !== 'string') return null;
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(id.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2])];
}

export function isAfter(id, lastId) {
  const a = parseEventId(id);
  if (!a) return true; // frames without a usable id cannot be deduplicated by id
  const b = parseEventId(lastId);
  if (!b) return true;
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}
