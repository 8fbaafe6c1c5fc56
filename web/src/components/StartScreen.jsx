import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api.js';
import { raceHref } from '../lib/route.js';
import { Brand, ErrorMessage, Loading } from './common.jsx';
import DriverPicker from './DriverPicker.jsx';
import ReplayPicker from './ReplayPicker.jsx';
import RaceList from './RaceList.jsx';

const LENGTHS = [
  { value: '', label: 'Server default' },
  { value: '30', label: '30 seconds' },
  { value: '60', label: '1 minute' },
  { value: '120', label: '2 minutes' },
  { value: '300', label: '5 minutes' },
  { value: '600', label: '10 minutes' },
];

export default function StartScreen() {
  const [drivers, setDrivers] = useState(null);
  const [driversError, setDriversError] = useState('');
  const [picked, setPicked] = useState('');
  const [length, setLength] = useState('');
  const [podium, setPodium] = useState(true);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState('');

  const loadDrivers = useCallback(async () => {
    setDriversError('');
    setDrivers(null);
    try {
      const data = await api.drivers();
      const list = Array.isArray(data?.drivers) ? data.drivers : [];
      list.sort((a, b) => Number(a.number ?? a.id) - Number(b.number ?? b.id));
      setDrivers(list);
    } catch (err) {
      setDriversError(`Could not load the drivers. ${err.message}`);
      setDrivers([]);
    }
  }, []);

  useEffect(() => {
    loadDrivers();
  }, [loadDrivers]);

  const start = async (e) => {
    e.preventDefault();
    if (!picked || starting) return;
    setStarting(true);
    setStartError('');
    try {
      const body = { driver_name: picked };
      if (length) body.duration_s = Number(length);
      body.podium = podium;
      const res = await api.startRace(body);
      if (!res?.race_id) throw new Error('The server did not return a race id.');
      window.location.hash = raceHref(res.race_id);
    } catch (err) {
      setStartError(`The race could not start. ${err.message}`);
      setStarting(false);
    }
  };

  const pickedDriver = drivers?.find((d) => d.name === picked);

  return (
    <div className="page start-page">
      <header className="topbar">
        <Brand />
        <p className="tagline">Live timing, race trace and commentary</p>
      </header>
      <main id="main" tabIndex={-1} className="start-main">
        <section className="panel start-panel" aria-labelledby="start-title">
          <h1 id="start-title" className="panel-title">Start a race</h1>
          <form onSubmit={start}>
            <fieldset className="driver-fieldset">
              <legend>Pick your driver</legend>
              {drivers === null ? (
                <Loading label="Loading drivers…" />
              ) : (
                <>
                  <ErrorMessage onRetry={driversError ? loadDrivers : undefined}>{driversError}</ErrorMessage>
                  {drivers.length > 0 && <DriverPicker drivers={drivers} picked={picked} onPick={setPicked} />}
                  {!driversError && drivers.length === 0 && <p className="muted">The server has no drivers configured.</p>}
                </>
              )}
            </fieldset>
            <div className="start-options">
              <div className="field">
                <label htmlFor="race-length">Race length</label>
                <select id="race-length" value={length} onChange={(e) => setLength(e.target.value)}>
                  {LENGTHS.map((l) => (
                    <option key={l.value} value={l.value}>
                      {l.label}
                    </option>
                  ))}
                </select>
              </div>
              <label className="check">
                <input type="checkbox" checked={podium} onChange={(e) => setPodium(e.target.checked)} />
                <span>Podium run for my driver</span>
              </label>
              <button type="submit" className="btn btn-primary btn-start" disabled={!picked || starting} data-testid="start-race">
                {starting ? 'Starting…' : pickedDriver ? `Start race with ${pickedDriver.name}` : 'Pick a driver to start'}
              </button>
            </div>
            <ErrorMessage>{startError}</ErrorMessage>
          </form>
        </section>
        <div className="start-side">
          <RaceList />
          <ReplayPicker />
        </div>
      </main>
    </div>
  );
}
