// The state of one race as the browser sees it, built only from stream frames and REST answers.
// Pure: (state, action) -> new state, so components and tests share one source of truth.

import { applyDelta } from './delta.js';

export const COMMENTARY_LIMIT = 500;
export const EVENT_LIMIT = 100;

export const initialRaceState = {
  loaded: false,
  status: null,
  meta: {
    lap: 0,
    total_laps: 0,
    track_status: 'green',
    race_ms: 0,
    server_ms: 0,
    fastest_lap: null,
    status: null,
    session: null,
    weather: null,
  },
  cars: [],
  // The server's full positions object of the newest tick, rebuilt from deltas.
  positionsData: null,
  changes: {},
  trace: {},
  commentary: [],
  events: [],
  ended: null,
  classification: null,
};

// `failed`: the race could not start (the status says why); nothing more will come.
const TERMINAL = new Set(['finished', 'stopped', 'failed']);

function num(v, fallback = 0) {
  return Number.isFinite(v) ? v : fallback;
}

function carKey(car) {
  return String(car?.number ?? car?.driver_name ?? '');
}

// The stewards' standing of a car in a race started with penalties (the frame's penalty_s,
// drive_through, black_white): null when the race has none or the car owes nothing and has no
// warning, so the board only marks what is there.
function penaltyOf(car) {
  const seconds = num(car?.penalty_s, 0) > 0 ? car.penalty_s : 0;
  const driveThrough = car?.drive_through === true;
  const blackWhite = car?.black_white === true;
  return seconds || driveThrough || blackWhite ? { seconds, driveThrough, blackWhite } : null;
}

// A simulated car's damage as the frame names it; null for none, a replay's car or anything
// unknown, so the board marks only what is there.
const DAMAGE_KINDS = new Set(['puncture', 'front_wing', 'floor']);

function damageOf(car) {
  return DAMAGE_KINDS.has(car?.damage) ? car.damage : null;
}

function normaliseCar(car) {
  return {
    ...car,
    number: car?.number != null ? String(car.number) : '',
    position: num(car?.position, 99),
    penalty: penaltyOf(car),
    damage: damageOf(car),
  };
}

function applyPositions(state, data) {
  if (!data || !Array.isArray(data.positions)) return state;
  const cars = data.positions.filter((c) => c && typeof c === 'object').map(normaliseCar);
  cars.sort((a, b) => a.position - b.position);
  const at = num(data.server_ms, num(data.timestamp, Date.now()));

  const before = new Map(state.cars.map((c) => [carKey(c), c.position]));
  let changes = state.changes;
  for (const car of cars) {
    const prev = before.get(carKey(car));
    if (prev !== undefined && prev !== car.position) {
      if (changes === state.changes) changes = { ...state.changes };
      changes[carKey(car)] = { delta: prev - car.position, at };
    }
  }

  // The race trace takes one point per car per completed lap: the gap as the car crosses the line.
  let trace = state.trace;
  for (const car of cars) {
    const laps = num(car.laps, 0);
    if (laps <= 0 || car.retired) continue;
    const key = carKey(car);
    const series = trace[key] || [];
    const last = series[series.length - 1];
    if (last && last.lap >= laps) continue;
    if (trace === state.trace) trace = { ...state.trace };
    trace[key] = [...series, { lap: laps, gap_ms: num(car.gap_ms, 0), gap_laps: num(car.gap_laps, 0) }];
  }

  const meta = {
    ...state.meta,
    lap: num(data.lap, state.meta.lap),
    total_laps: num(data.total_laps, state.meta.total_laps),
    track_status: typeof data.track_status === 'string' ? data.track_status : state.meta.track_status,
    race_ms: num(data.race_ms, state.meta.race_ms),
    server_ms: at,
    fastest_lap: data.fastest_lap === undefined ? state.meta.fastest_lap : data.fastest_lap,
    status: typeof data.status === 'string' ? data.status : state.meta.status,
    // Practice and qualifying: kind, clock, qualifying part and cut-off (absent in races).
    session: data.session && typeof data.session === 'object' ? data.session : state.meta.session,
    // A simulation with a chance of rain: forecast, rain and the track's wetness.
    weather: data.weather && typeof data.weather === 'object' ? data.weather : state.meta.weather,
  };
  return { ...state, loaded: true, positionsData: data, cars, changes, trace, meta };
}

function addCommentary(list, items) {
  const seen = new Set(list.map((c) => c.id));
  const fresh = [];
  for (const item of items) {
    if (!item || typeof item !== 'object' || typeof item.message !== 'string') continue;
    const id = item.id != null ? String(item.id) : `${item.timestamp}-${item.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    fresh.push({ ...item, id });
  }
  if (!fresh.length) return list;
  // Newest first: the newest arrival goes on top.
  fresh.reverse();
  return [...fresh, ...list].slice(0, COMMENTARY_LIMIT);
}

function mergeStatus(state, status) {
  if (!status || typeof status !== 'object') return state;
  const merged = { ...(state.status || {}), ...status };
  // A race never leaves finished/stopped: a stale REST answer must not revive it.
  const was = state.status?.status;
  if (TERMINAL.has(was) && !TERMINAL.has(merged.status)) merged.status = was;
  if (TERMINAL.has(state.ended)) merged.status = state.ended;
  const meta = { ...state.meta };
  if (Number.isFinite(status.lap)) meta.lap = status.lap;
  if (Number.isFinite(status.total_laps)) meta.total_laps = status.total_laps;
  if (typeof status.track_status === 'string') meta.track_status = status.track_status;
  if (typeof merged.status === 'string') meta.status = merged.status;
  return { ...state, status: merged, meta };
}

function applyRaceEvent(state, ev) {
  if (!ev || typeof ev !== 'object') return state;
  const events = [ev, ...state.events].slice(0, EVENT_LIMIT);
  let meta = state.meta;
  if (ev.type === 'track_status' && typeof ev.track === 'string') meta = { ...meta, track_status: ev.track };
  if (ev.type === 'fastest_lap' && Number.isFinite(ev.lap_ms) && ev.car != null) {
    meta = { ...meta, fastest_lap: { number: String(ev.car), lap_ms: ev.lap_ms } };
  }
  return { ...state, events, meta };
}

export function raceReducer(state, action) {
  switch (action.type) {
    case 'reset':
      return initialRaceState;
    case 'snapshot': {
      const d = action.data || {};
      let next = { ...state, loaded: true };
      next = mergeStatus(next, d.status);
      if (d.positions) next = applyPositions(next, d.positions);
      if (Array.isArray(d.commentary)) next = { ...next, commentary: addCommentary(next.commentary, d.commentary) };
      return next;
    }
    case 'positions':
      return applyPositions(state, action.data);
    case 'delta': {
      // The stream only passes on deltas whose base is the tick this state holds
      // (raceStream.js); one that still does not apply is dropped rather than guessed at.
      const full = applyDelta(state.positionsData, action.data);
      return full ? applyPositions(state, full) : state;
    }
    case 'commentary':
      return { ...state, commentary: addCommentary(state.commentary, [action.data]) };
    case 'race':
      return applyRaceEvent(state, action.data);
    case 'status':
      return { ...mergeStatus(state, action.data), loaded: true };
    case 'end': {
      const how = action.data?.status || 'finished';
      let next = { ...state, ended: how };
      if (TERMINAL.has(how)) next = mergeStatus(next, { status: how });
      return next;
    }
    case 'classification': {
      const rows = Array.isArray(action.data?.positions) ? action.data.positions.map(normaliseCar) : [];
      rows.sort((a, b) => a.position - b.position);
      return { ...state, classification: rows };
    }
    default:
      return state;
  }
}

export function raceStatusOf(state) {
  return state.status?.status || state.meta.status || (state.ended && TERMINAL.has(state.ended) ? state.ended : null);
}

export function isRaceOver(state) {
  const s = raceStatusOf(state);
  return TERMINAL.has(s);
}
