import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api.js';
import { SESSION_KINDS } from '../lib/format.js';
import { raceHref } from '../lib/route.js';
import { ErrorMessage, Loading } from './common.jsx';

const SPEEDS = [1, 5, 10, 30, 60];

export default function ReplayPicker() {
  const [sessions, setSessions] = useState(null);
  const [error, setError] = useState('');
  const [session, setSession] = useState('');
  const [speed, setSpeed] = useState(10);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState('');

  const load = useCallback(async () => {
    setError('');
    setSessions(null);
    try {
      const data = await api.replays();
      const list = Array.isArray(data?.sessions) ? data.sessions : [];
      setSessions(list);
      if (list.length) setSession((s) => s || list[0].id);
    } catch (err) {
      setError(`Could not load the archive sessions. ${err.message}`);
      setSessions([]);
    }
  }, []);

  useEffect(() => {
    load();
  }, [load]);

  const start = async (e) => {
    e.preventDefault();
    if (!session || starting) return;
    setStarting(true);
    setStartError('');
    try {
      const res = await api.startReplay({ session, speed: Number(speed), start_s: 0 });
      if (!res?.race_id) throw new Error('The server did not return a race id.');
      window.location.hash = raceHref(res.race_id);
    } catch (err) {
      setStartError(`The replay could not start. ${err.message}`);
      setStarting(false);
    }
  };

  return (
    <section className="panel replay-panel" aria-labelledby="replay-title">
      <h2 id="replay-title" className="panel-title">Replay a real session</h2>
      {sessions === null ? (
        <Loading label="Loading archive sessions…" />
      ) : (
        <>
          <ErrorMessage onRetry={error ? load : undefined}>{error}</ErrorMessage>
          {!error && sessions.length === 0 && <p className="muted">No archive sessions are available on this server.</p>}
          {sessions.length > 0 && (
            <form className="replay-form" onSubmit={start}>
              <div className="field field-grow">
                <label htmlFor="replay-session">Session</label>
                <select id="replay-session" value={session} onChange={(e) => setSession(e.target.value)}>
                  {sessions.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.title || s.id}
                      {s.laps ? ` (${s.laps} laps)` : ''}
                      {s.kind && s.kind !== 'race' && SESSION_KINDS[s.kind] && !String(s.title).includes(SESSION_KINDS[s.kind]) ? ` · ${SESSION_KINDS[s.kind]}` : ''}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="replay-speed">Speed</label>
                <select id="replay-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
                  {SPEEDS.map((s) => (
                    <option key={s} value={s}>
                      {s}×
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="btn" disabled={!session || starting}>
                {starting ? 'Starting…' : 'Start replay'}
              </button>
            </form>
          )}
          <ErrorMessage>{startError}</ErrorMessage>
        </>
      )}
    </section>
  );
}
