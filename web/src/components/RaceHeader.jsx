import { useEffect, useState } from 'react';
import { formatClock, isTimedSession, partLabel, SESSION_KINDS, TRACK_STATUS, weatherInfo } from '../lib/format.js';
import { Brand, StatusChip } from './common.jsx';
import ConnectionIndicator from './ConnectionIndicator.jsx';

// Elapsed time runs on between status refreshes so the clock ticks every second.
export function raceClock(status, now) {
  if (!status) return { elapsed: NaN, remaining: NaN, progress: 0 };
  const duration = Number(status.duration);
  let elapsed = Number(status.elapsed_time);
  if (status.status === 'in_progress' && !status.paused && Number.isFinite(status._at) && Number.isFinite(elapsed)) {
    elapsed += Math.max(0, (now - status._at) / 1000);
  }
  if (Number.isFinite(duration) && duration > 0 && Number.isFinite(elapsed)) elapsed = Math.min(elapsed, duration);
  let remaining = Number.isFinite(duration) && duration > 0 && Number.isFinite(elapsed) ? duration - elapsed : Number(status.remaining_time);
  if (status.status === 'finished') remaining = 0;
  let progress = Number.isFinite(duration) && duration > 0 && Number.isFinite(elapsed) ? elapsed / duration : Number(status.progress) || 0;
  if (status.status === 'finished') progress = 1;
  return { elapsed, remaining: Math.max(0, remaining), progress: Math.min(1, Math.max(0, progress)) };
}

export function TrackBanner({ track }) {
  if (!track || track === 'green' || !TRACK_STATUS[track]) return null;
  return (
    <div className={`track-banner track-${track}`} role="alert" data-testid="track-banner">
      <span className="track-flag" aria-hidden="true" />
      <span>{TRACK_STATUS[track].label}</span>
    </div>
  );
}

// Rain on track: a banner under the header while it rains or the track is wet.
export function WeatherBanner({ weather }) {
  const w = weatherInfo(weather);
  if (!w || !w.wet) return null;
  return (
    <div className={`weather-banner${w.raining ? ' is-raining' : ''}`} role="status" data-testid="weather-banner">
      <span className="weather-drops" aria-hidden="true" />
      <span>{w.label}</span>
      <span className="weather-wetness">track wetness {Math.round(w.wetness)}%</span>
    </div>
  );
}

export default function RaceHeader({ raceId, status, meta, connection, onStop, onPause, stopping, over, ended }) {
  const [now, setNow] = useState(() => Date.now());
  const running = status?.status === 'in_progress' && !status?.paused;
  useEffect(() => {
    if (!running) return undefined;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);

  const clock = raceClock(status, now);
  const lap = meta.lap || status?.lap || 0;
  const total = meta.total_laps || status?.total_laps || 0;
  const title = status?.title || (status?.source === 'replay' ? 'Replay' : 'Simulated race');
  // Practice and qualifying run on the session's own clock, not on laps.
  const session = meta.session;
  const kind = session?.kind || status?.kind || 'race';
  const timed = isTimedSession(kind);
  const part = partLabel(kind, session?.part);
  const sessionClock = timed && session && Number.isFinite(session.clock_ms) ? session.clock_ms / 1000 : NaN;
  let endedLabel = status?.status === 'stopped' ? 'Race stopped' : 'Race finished';
  if (ended === 'shutdown') endedLabel = 'Server shut down';

  return (
    <header className="race-header">
      <div className="race-header-row">
        <Brand />
        <a className="btn btn-small btn-ghost" href="#/">
          <span aria-hidden="true">←</span> All races
        </a>
        <div className="race-title-wrap">
          <h1 className="race-title">{title}</h1>
          {kind !== 'race' && SESSION_KINDS[kind] && (
            <span className="chip chip-kind" data-testid="session-kind">
              {SESSION_KINDS[kind]}
            </span>
          )}
          <span className="race-id muted" title={`Race ${raceId}`}>
            #{raceId.length > 12 ? raceId.slice(0, 8) : raceId}
          </span>
        </div>
        <div className="race-header-actions">
          <ConnectionIndicator state={connection} endedLabel={endedLabel} />
          {status && !over && onPause && status.source === 'replay' && (
            <button type="button" className="btn btn-small" onClick={() => onPause(!status.paused)}>
              {status.paused ? 'Resume' : 'Pause'}
            </button>
          )}
          {status && !over && onStop && (
            <button type="button" className="btn btn-small btn-danger" onClick={onStop} disabled={stopping}>
              {stopping ? 'Stopping…' : 'Stop race'}
            </button>
          )}
        </div>
      </div>
      <div className="race-stats">
        {timed ? (
          <div className="stat stat-lap">
            <span className="stat-label">Session</span>
            <span className="stat-value" data-testid="session-part">
              {part || SESSION_KINDS[kind]}
            </span>
          </div>
        ) : (
        <div className="stat stat-lap">
          <span className="stat-label">Lap</span>
          <span className="stat-value" data-testid="lap">
            {total ? (
              <>
                {Math.min(lap, total)}
                <span className="stat-of"> / {total}</span>
              </>
            ) : (
              '—'
            )}
          </span>
        </div>
        )}
        {timed && (
          <div className="stat">
            <span className="stat-label">{part ? `${part} clock` : 'Clock'}</span>
            <span className="stat-value mono" data-testid="session-clock" data-running={session?.clock_running ? 'true' : 'false'}>
              {formatClock(sessionClock)}
            </span>
          </div>
        )}
        {weatherInfo(meta.weather) && (
          <div className="stat stat-weather">
            <span className="stat-label">Weather</span>
            <span className="stat-value" data-testid="weather">
              {weatherInfo(meta.weather).label}
              {weatherInfo(meta.weather).chance !== null && (
                <span className="stat-of"> · rain risk {weatherInfo(meta.weather).chance}%</span>
              )}
            </span>
          </div>
        )}
        <div className="stat">
          <span className="stat-label">Elapsed</span>
          <span className="stat-value mono">{formatClock(clock.elapsed)}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Remaining</span>
          <span className="stat-value mono">{formatClock(clock.remaining)}</span>
        </div>
        <div className="stat stat-status">
          <span className="stat-label">Status</span>
          <span className="stat-value">
            <StatusChip status={status?.status} />
            {status?.paused && <span className="chip chip-paused">Paused</span>}
            {!over && meta.track_status && meta.track_status !== 'green' && TRACK_STATUS[meta.track_status] && (
              <span className={`chip chip-track track-${meta.track_status}`}>{TRACK_STATUS[meta.track_status].short}</span>
            )}
          </span>
        </div>
        <div
          className="progress"
          role="progressbar"
          aria-label="Race progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(clock.progress * 100)}
        >
          <span className="progress-fill" style={{ width: `${(clock.progress * 100).toFixed(2)}%` }} />
        </div>
      </div>
    </header>
  );
}
