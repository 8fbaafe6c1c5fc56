// Display formats used on live-timing screens.

// Kinds of session (the server's `kind`): practice and qualifying run on a clock and end in
// a classification by best lap, not with a winner.
export const SESSION_KINDS = {
  race: 'Race',
  sprint: 'Sprint',
  practice: 'Practice',
  qualifying: 'Qualifying',
  sprint_qualifying: 'Sprint qualifying',
};

export function isTimedSession(kind) {
  return kind === 'practice' || kind === 'qualifying' || kind === 'sprint_qualifying';
}

// "Q2", "SQ1"; "" outside qualifying.
export function partLabel(kind, part) {
  if (!Number.isFinite(part) || part < 1) return '';
  if (kind === 'qualifying') return `Q${part}`;
  if (kind === 'sprint_qualifying') return `SQ${part}`;
  return '';
}

export function formatLapTime(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  const total = Math.round(ms);
  const minutes = Math.floor(total / 60000);
  const seconds = Math.floor((total % 60000) / 1000);
  const millis = total % 1000;
  const s = `${String(seconds).padStart(minutes ? 2 : 1, '0')}.${String(millis).padStart(3, '0')}`;
  return minutes ? `${minutes}:${s}` : s;
}

// Gaps are shown in seconds (+12.345) the way timing screens do, laps when lapped.
export function formatGap(ms, laps) {
  if (Number.isFinite(laps) && laps > 0) return `+${laps} LAP${laps > 1 ? 'S' : ''}`;
  if (!Number.isFinite(ms) || ms < 0) return '—';
  return `+${(ms / 1000).toFixed(3)}`;
}

export function formatClock(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

export function formatWallTime(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  const d = new Date(ms);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

const TYRES = {
  SOFT: { letter: 'S', name: 'Soft', color: '#ff3b30' },
  MEDIUM: { letter: 'M', name: 'Medium', color: '#ffd12e' },
  HARD: { letter: 'H', name: 'Hard', color: '#f0f0ec' },
  INTERMEDIATE: { letter: 'I', name: 'Intermediate', color: '#43b02a' },
  WET: { letter: 'W', name: 'Wet', color: '#2f8fff' },
};

export function tyreInfo(compound) {
  const key = String(compound || '').toUpperCase();
  return TYRES[key] || { letter: '?', name: 'Unknown', color: '#8b93a1' };
}

export function surname(name) {
  const parts = String(name || '').trim().split(/\s+/);
  return parts[parts.length - 1] || '';
}

// Team colours arrive as "#RRGGBB" or "RRGGBB"; anything else falls back to a neutral grey
// so a malformed value can never inject CSS.
export function safeColor(value) {
  const s = String(value || '').trim();
  const m = /^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$/.exec(s);
  return m ? `#${m[1]}` : '#6b7280';
}

export function tlaOf(car) {
  if (car?.tla) return String(car.tla).toUpperCase();
  return surname(car?.driver_name || car?.name).slice(0, 3).toUpperCase();
}

// The weather of a positions frame ({rain_chance, raining, wetness 0..100}) in words: null
// when the frame has none. Wetness thresholds as in docs/RACE_MODEL.md: intermediates pay
// from about 18, full wets from about 66.
export function weatherInfo(weather) {
  if (!weather || typeof weather !== 'object') return null;
  const wetness = Number.isFinite(weather.wetness) ? Math.min(100, Math.max(0, weather.wetness)) : 0;
  const chance = Number.isFinite(weather.rain_chance) ? weather.rain_chance : null;
  let label = 'Dry';
  if (weather.raining === true) label = wetness >= 66 ? 'Heavy rain' : 'Rain';
  else if (wetness >= 66) label = 'Soaking wet';
  else if (wetness >= 18) label = 'Wet track';
  else if (wetness > 0) label = 'Drying';
  return { label, wetness, chance, raining: weather.raining === true, wet: wetness >= 18 || weather.raining === true };
}

export const TRACK_STATUS = {
  green: { label: 'Green flag', short: 'GREEN' },
  yellow: { label: 'Yellow flag', short: 'YELLOW' },
  sc: { label: 'Safety car', short: 'SC' },
  vsc: { label: 'Virtual safety car', short: 'VSC' },
  vsc_ending: { label: 'VSC ending', short: 'VSC ENDING' },
  red: { label: 'Red flag', short: 'RED FLAG' },
};
