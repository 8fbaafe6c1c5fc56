import { useCallback, useEffect, useState } from 'react';
import { api, raceToken } from '../lib/api.js';
import { raceHref } from '../lib/route.js';
import { ErrorMessage, Loading, StatusChip } from './common.jsx';

const POLL_MS = 4000;

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function raceTitle(r) {
  if (r.title) return r.title;
  return r.source === 'replay' ? 'Replay' : 'Simulated race';
}

// Live and finished races, newest first, polled so a race started elsewhere shows up.
export default function RaceList({ excludeId, finishedOnly = false, title = 'Races', limit = 0 }) {
  const [races, setRaces] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');

  const load = useCallback(async () => {
    try {
      const data = await api.races();
      setRaces(Array.isArray(data?.races) ? data.races : []);
      setError('');
    } catch (err) {
      setError(`Could not load the race list. ${err.message}`);
      setRaces((r) => r ?? []);
    }
  }, []);

  useEffect(() => {
    load();
    if (finishedOnly) return undefined;
    const t = setInterval(load, POLL_MS);
    return () => clearInterval(t);
  }, [load, finishedOnly]);

  const stop = async (id) => {
    setBusy(id);
    try {
      await api.stopRace(id);
      await load();
    } catch (err) {
      setError(`Could not stop the race. ${err.message}`);
    } finally {
      setBusy('');
    }
  };

  let list = races || [];
  if (excludeId) list = list.filter((r) => r.race_id !== excludeId);
  if (finishedOnly) list = list.filter((r) => r.status === 'finished');
  if (limit) list = list.slice(0, limit);

  return (
    <section className="panel race-list-panel" aria-labelledby="races-title">
      <h2 id="races-title" className="panel-title">
        {title}
      </h2>
      {races === null ? (
        <Loading label="Loading races…" />
      ) : (
        <>
          <ErrorMessage onRetry={error ? load : undefined}>{error}</ErrorMessage>
          {list.length === 0 && !error && <p className="muted">{finishedOnly ? 'No earlier results yet.' : 'No races yet. Start one above.'}</p>}
          {list.length > 0 && (
            <ul className="race-list">
              {list.map((r) => {
                const live = r.status === 'in_progress' || r.status === 'not_started';
                return (
                  <li key={r.race_id} className={`race-item${live ? ' is-live' : ''}`} data-race-id={r.race_id}>
                    <div className="race-item-main">
                      <StatusChip status={r.status} />
                      <span className="race-item-title">{raceTitle(r)}</span>
                    </div>
                    <div className="race-item-meta">
                      {r.selected_driver?.name && <span>Following {r.selected_driver.name}</span>}
                      {r.total_laps > 0 && (
                        <span>
                          Lap {Math.min(r.lap || 0, r.total_laps)}/{r.total_laps}
                        </span>
                      )}
                      {r.winner?.name && <span className="race-item-winner">Winner {r.winner.name}</span>}
                      {when(r.start_time) && <span>{when(r.start_time)}</span>}
                    </div>
                    <div className="race-item-actions">
                      <a className="btn btn-small" href={raceHref(r.race_id)}>
                        {live ? 'Watch' : 'Results'}
                      </a>
                      {live && !finishedOnly && raceToken(r.race_id) && (
                        <button type="button" className="btn btn-small btn-danger" disabled={busy === r.race_id} onClick={() => stop(r.race_id)}>
                          {busy === r.race_id ? 'Stopping…' : 'Stop'}
                        </button>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
