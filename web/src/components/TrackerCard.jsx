import { formatGap, formatLapTime, safeColor, tlaOf } from '../lib/format.js';
import { carKey, CHANGE_MARKER_MS, lapTimeClass } from './Leaderboard.jsx';
import TyreBadge from './TyreBadge.jsx';

function Neighbour({ label, car, gapMs, gapLaps }) {
  return (
    <div className="tracker-gap">
      <span className="tracker-label">{label}</span>
      {car ? (
        <>
          <span className="tracker-value mono">{formatGap(gapMs, gapLaps)}</span>
          <span className="tracker-sub">
            <span className="dot" style={{ background: safeColor(car.team_color) }} aria-hidden="true" />
            {tlaOf(car)} <span className="muted">#{car.number}</span>
          </span>
        </>
      ) : (
        <span className="tracker-value">—</span>
      )}
    </div>
  );
}

// The followed car, pinned: where it is, what is around it, and what it runs on.
export default function TrackerCard({ cars, pickedKey, fastestLap = null, change = null, driverName = '', now = Date.now() }) {
  const idx = cars.findIndex((c) => carKey(c) === pickedKey);
  if (idx < 0) {
    return (
      <section className="panel tracker tracker-empty" aria-label="Your driver">
        <p className="muted">{driverName ? `Waiting for ${driverName} on the timing screen…` : 'Pick a driver in the leaderboard to follow them.'}</p>
      </section>
    );
  }
  const car = cars[idx];
  const ahead = idx > 0 ? cars[idx - 1] : null;
  const behind = idx < cars.length - 1 ? cars[idx + 1] : null;
  let state = null;
  if (car.retired) state = <span className="badge badge-ret">Retired</span>;
  else if (car.in_pit) state = <span className="badge badge-pit">In pit lane</span>;
  else if (car.finished) state = <span className="badge badge-fin">Finished</span>;

  return (
    <section className="panel tracker" aria-label={`Your driver: ${car.driver_name}`} data-testid="tracker" style={{ '--team': safeColor(car.team_color) }}>
      <div className="tracker-top">
        <div className="tracker-pos" aria-label={`Position ${car.position}`}>
          <span className="tracker-p">P</span>
          <span data-testid="tracker-position">{car.position}</span>
        </div>
        <div className="tracker-who">
          <div className="tracker-name">
            <span className="tracker-number">{car.number}</span> {car.driver_name}
          </div>
          <div className="tracker-team">
            {car.team}
            {change && change.delta !== 0 && now - change.at <= CHANGE_MARKER_MS && (
              <span className={`chg tracker-chg ${change.delta > 0 ? 'chg-up' : 'chg-down'}`}>
                {change.delta > 0 ? '▲' : '▼'}
                {Math.abs(change.delta)}
              </span>
            )}
          </div>
          {state}
        </div>
      </div>
      <div className="tracker-grid">
        <Neighbour label="Ahead" car={ahead} gapMs={car.interval_ms} gapLaps={car.interval_laps} />
        <Neighbour label="Behind" car={behind} gapMs={behind?.interval_ms} gapLaps={behind?.interval_laps} />
        <div className="tracker-gap">
          <span className="tracker-label">Tyre</span>
          <span className="tracker-value">{car.tyre ? <TyreBadge compound={car.tyre} age={car.tyre_age} isNew={car.tyre_new} /> : '—'}</span>
          <span className="tracker-sub muted">
            {Number.isFinite(car.stints) && car.stints > 0
              ? `stint ${car.stints}`
              : Number.isFinite(car.pit_stops)
                ? `${car.pit_stops} stop${car.pit_stops === 1 ? '' : 's'}`
                : ''}
          </span>
        </div>
        <div className="tracker-gap">
          <span className="tracker-label">Last lap</span>
          <span className={`tracker-value mono ${lapTimeClass(car, car.last_lap_ms, fastestLap)}`}>{formatLapTime(car.last_lap_ms)}</span>
          <span className="tracker-sub muted">Best {formatLapTime(car.best_lap_ms)}</span>
        </div>
      </div>
      {Array.isArray(car.sectors_ms) && car.sectors_ms.some((v) => v > 0) && (
        <ol className="tracker-sectors" aria-label="Sector times">
          {car.sectors_ms.slice(0, 3).map((ms, i) => (
            <li key={i}>
              <span className="tracker-label">S{i + 1}</span> <span className="mono">{ms > 0 ? (ms / 1000).toFixed(3) : '—'}</span>
            </li>
          ))}
        </ol>
      )}
      {Array.isArray(car.best_sectors_ms) && car.best_sectors_ms.some((v) => v > 0) && (
        <ol className="tracker-sectors" aria-label="Best sector times" data-testid="best-sectors">
          {car.best_sectors_ms.slice(0, 3).map((ms, i) => (
            <li key={i}>
              <span className="tracker-label">Best S{i + 1}</span> <span className="mono">{ms > 0 ? (ms / 1000).toFixed(3) : '—'}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
