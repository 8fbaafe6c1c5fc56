// REST access to pitwall. Every failure becomes an ApiError whose message a person can act on.

export class ApiError extends Error {
  constructor(message, status = 0, detail = '') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }
}

// The API lives on the page's own origin unless the build (VITE_API_BASE) or the page URL
// (?api=http://host:port) says otherwise; the URL wins so one build can watch another server.
export function resolveApiBase(search = globalThis.location?.search ?? '', envBase = import.meta.env?.VITE_API_BASE) {
  let fromUrl = '';
  try {
    fromUrl = new URLSearchParams(search).get('api') || '';
  } catch {
    fromUrl = '';
  }
  const base = fromUrl || envBase || '';
  return base.replace(/\/+$/, '');
}

export function apiUrl(path, base = resolveApiBase()) {
  return `${base}${path}`;
}

function describeStatus(status, detail) {
  if (detail) return detail;
  if (status === 404) return 'Not found on the server.';
  if (status === 422) return 'The server could not understand the request.';
  if (status === 429) return 'The server is busy; try again in a moment.';
  if (status === 503) return 'The server is not ready yet; try again in a moment.';
  if (status >= 500) return `The server had a problem (HTTP ${status}).`;
  return `The server answered HTTP ${status}.`;
}

// Race control belongs to whoever started the race: the start answer's control_token is
// kept for this browser tab (sessionStorage) and sent back with stop, pause and resume.
// Without it the server answers 403, so the UI shows the controls only where it has one.
const tokenKey = (id) => `pitwall.race-token.${id}`;

export function raceToken(id, storage = globalThis.sessionStorage) {
  try {
    return (id && storage?.getItem(tokenKey(id))) || null;
  } catch {
    return null;
  }
}

export function rememberRaceToken(id, token, storage = globalThis.sessionStorage) {
  if (!id || typeof token !== 'string' || !token) return;
  try {
    storage?.setItem(tokenKey(id), token);
  } catch {
    // storage refused (private mode, quota): this tab simply has no controls for the race
  }
}

async function request(method, path, body, { base, signal, headers: extra } = {}) {
  const url = apiUrl(path, base);
  let res;
  const headers = body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' };
  try {
    res = await fetch(url, {
      method,
      signal,
      headers: extra ? { ...headers, ...extra } : headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError('Cannot reach the pitwall server. Check that it is running and your connection is up.', 0);
  }
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    let detail = '';
    if (data && typeof data.detail === 'string') detail = data.detail;
    else if (data && Array.isArray(data.detail)) detail = data.detail.map((d) => d?.msg || String(d)).join('; ');
    throw new ApiError(describeStatus(res.status, detail), res.status, detail);
  }
  if (data === null && text) throw new ApiError('The server sent an answer that is not JSON.', res.status);
  return data;
}

function remember(res) {
  rememberRaceToken(res?.race_id, res?.control_token);
  return res;
}

function control(id, action, opts = {}) {
  const token = raceToken(id);
  const headers = token ? { 'X-Race-Token': token } : undefined;
  return request('POST', `/api/race/${encodeURIComponent(id)}/${action}`, {}, { ...opts, headers });
}

export const api = {
  drivers: (opts) => request('GET', '/api/drivers', undefined, opts),
  races: (opts) => request('GET', '/api/races', undefined, opts),
  replays: (opts) => request('GET', '/api/replays', undefined, opts),
  status: (id, opts) => request('GET', `/api/race/${encodeURIComponent(id)}/status`, undefined, opts),
  positions: (id, opts) => request('GET', `/api/race/${encodeURIComponent(id)}/positions`, undefined, opts),
  startRace: (body, opts) => request('POST', '/api/race/start', body, opts).then(remember),
  startReplay: (body, opts) => request('POST', '/api/replay/start', body, opts).then(remember),
  stopRace: (id, opts) => control(id, 'stop', opts),
  pauseRace: (id, opts) => control(id, 'pause', opts),
  resumeRace: (id, opts) => control(id, 'resume', opts),
};
