// Positions deltas of the combined stream (docs/API.md, "Delta frames"): after the snapshot
// or a full positions frame, each tick carries only what changed. This rebuilds the full
// positions object the server encoded for that tick from the previous one.

const OWN_FIELDS = new Set(['type', 'base', 'order', 'cars']);

// The full positions object after `delta`, or null when it does not apply to `prev` (its
// base is not prev's seq, or it names a car it does not describe): the caller must then get
// a fresh snapshot instead of guessing.
export function applyDelta(prev, delta) {
  if (!prev || !Array.isArray(prev.positions) || !delta || typeof delta !== 'object') return null;
  if (!Number.isFinite(delta.base) || delta.base !== prev.seq) return null;
  const full = { ...prev };
  for (const [key, value] of Object.entries(delta)) if (!OWN_FIELDS.has(key)) full[key] = value;
  const byNumber = new Map(prev.positions.map((car) => [String(car?.number), car]));
  const order = Array.isArray(delta.order) ? delta.order.map(String) : prev.positions.map((car) => String(car?.number));
  const changes = delta.cars && typeof delta.cars === 'object' ? delta.cars : {};
  const cars = [];
  for (const number of order) {
    const was = byNumber.get(number);
    const diff = Object.prototype.hasOwnProperty.call(changes, number) ? changes[number] : undefined;
    if (!was && !diff) return null;
    // Each car's timestamp is the frame's: the server never sends it per car.
    cars.push({ ...(was || {}), ...(diff || {}), timestamp: full.timestamp });
  }
  full.positions = cars;
  return full;
}
