import { useMemo, useState } from 'react';
import { useRace } from '../lib/useRace.js';
import { raceToken } from '../lib/api.js';
import { isRaceOver, raceStatusOf } from '../lib/raceReducer.js';
import { ErrorMessage, Loading } from './common.jsx';
import RaceHeader, { TrackBanner, WeatherBanner } from './RaceHeader.jsx';
import Leaderboard, { carKey } from './Leaderboard.jsx';
import TrackerCard from './TrackerCard.jsx';
import Commentary from './Commentary.jsx';
import Anomalies from './Anomalies.jsx';
import RaceTrace from './RaceTrace.jsx';
import Finish from './Finish.jsx';
import { isTimedSession } from '../lib/format.js';

export function pickedKeyOf(status, cars) {
  const sel = status?.selected_driver;
  if (!sel) return '';
  if (sel.number != null && sel.number !== '') return String(sel.number);
  const car = cars.find((c) => c.driver_name === sel.name);
  return car ? carKey(car) : '';
}

export default function RaceView({ raceId, EventSourceImpl }) {
  const { state, connection, error, stop, setPaused, stream } = useRace(raceId, { EventSourceImpl });
  const [follow, setFollow] = useState('');
  const [stopping, setStopping] = useState(false);
  const [actionError, setActionError] = useState('');

  const over = isRaceOver(state);
  // Only the tab that started the race holds its control token: viewers get no controls.
  const canControl = Boolean(raceToken(raceId));
  // A race reopened from the history has no live timing left: show its classification.
  const boardCars = state.cars.length ? state.cars : over && state.classification ? state.classification : state.cars;
  const raceStatus = raceStatusOf(state);
  const selectedKey = pickedKeyOf(state.status, state.cars);
  const pickedKey = follow || selectedKey;
  const pickedCar = state.cars.find((c) => carKey(c) === pickedKey);
  const driver = useMemo(
    () => (pickedCar ? { name: pickedCar.driver_name, tla: pickedCar.tla, number: pickedCar.number } : state.status?.selected_driver || null),
    [pickedCar, state.status],
  );

  const onStop = async () => {
    setStopping(true);
    setActionError('');
    try {
      await stop();
    } catch (err) {
      setActionError(`Could not stop the race. ${err.message}`);
    } finally {
      setStopping(false);
    }
  };

  const onPause = async (paused) => {
    setActionError('');
    try {
      await setPaused(paused);
    } catch (err) {
      setActionError(`Could not ${paused ? 'pause' : 'resume'} the replay. ${err.message}`);
    }
  };

  const status = state.status ? { ...state.status, status: raceStatus || state.status.status } : null;
  // Once the race is over the last changes are history, not news: no markers.
  const now = over ? Number.POSITIVE_INFINITY : state.meta.server_ms || Date.now();

  return (
    <div
      className={`page race-page${over ? ' is-over' : ''}`}
      // Stream bookkeeping, read by the end-to-end tests to prove nothing was lost or repeated.
      data-last-event-id={stream.current?.lastId || ''}
      data-snapshot-id={stream.current?.firstSnapshotId || ''}
      data-frames={stream.current?.stats.frames ?? 0}
      data-sequenced={stream.current?.stats.sequenced ?? 0}
      data-events={stream.current?.stats.events ?? 0}
      data-resyncs={stream.current?.stats.resyncs ?? 0}
      data-positions-seq={state.positionsData?.seq ?? ''}
      data-snapshots={stream.current?.stats.snapshots ?? 0}
      data-duplicates={stream.current?.stats.duplicates ?? 0}
    >
      <RaceHeader raceId={raceId} ended={state.ended} status={status} meta={state.meta} connection={connection} onStop={canControl ? onStop : undefined} onPause={canControl ? onPause : undefined} stopping={stopping} over={over} />
      <TrackBanner track={over ? 'green' : state.meta.track_status} />
      {!over && <WeatherBanner weather={state.meta.weather} />}
      {!over && (connection === 'reconnecting' || connection === 'offline') && (
        <p className={`conn-banner conn-banner-${connection}`} data-testid="connection-banner">
          {connection === 'offline'
            ? 'No connection to the server. Timing is paused at the last update and resumes from there when the connection is back.'
            : 'Connection lost. Reconnecting and resuming from the last update received…'}
        </p>
      )}
      <main id="main" tabIndex={-1} className="race-main">
        <ErrorMessage>{error}</ErrorMessage>
        <ErrorMessage>{actionError}</ErrorMessage>
        {!state.loaded && !error ? (
          <Loading label="Connecting to the race…" rows={10} />
        ) : (
          <>
            {raceStatus === 'failed' && (
              <ErrorMessage>{`This race could not start: ${state.status?.reason || 'no reason given'}`}</ErrorMessage>
            )}
            {over && raceStatus !== 'failed' && <Finish raceId={raceId} rows={state.classification} live={state.cars} pickedKey={pickedKey} status={raceStatus} kind={state.meta.session?.kind || state.status?.kind} />}
            <div className="race-grid">
              <div className="race-col-main">
                {!over && <TrackerCard cars={state.cars} pickedKey={pickedKey} fastestLap={state.meta.fastest_lap} change={state.changes[pickedKey]} driverName={driver?.name} now={now} />}
                <section className="panel board-panel" aria-labelledby="board-title">
                  <div className="panel-head">
                    <h2 id="board-title" className="panel-title">
                      {over ? 'Final timing' : 'Timing'}
                    </h2>
                    {follow && selectedKey && follow !== selectedKey && (
                      <button type="button" className="btn btn-small btn-ghost" onClick={() => setFollow('')}>
                        Back to my driver
                      </button>
                    )}
                  </div>
                  <Leaderboard cars={boardCars} changes={state.changes} fastestLap={state.meta.fastest_lap} pickedKey={pickedKey} onFollow={setFollow} now={now} session={state.meta.session} />
                </section>
              </div>
              <div className="race-col-side">
                {/* Gaps lap by lap tell a race; practice and qualifying have no such story. */}
                {!isTimedSession(state.meta.session?.kind) && (
                  <RaceTrace trace={state.trace} cars={boardCars} pickedKey={pickedKey} totalLaps={state.meta.total_laps} />
                )}
                <Commentary items={state.commentary} driver={driver} loading={!over} />
                <Anomalies raceId={raceId} EventSourceImpl={EventSourceImpl} />
              </div>
            </div>
          </>
        )}
      </main>
    </div>
  );
}
