import { formatGap, formatLapTime, isTimedSession, partLabel, safeColor, tlaOf } from '../lib/format.js';
import { carKey } from './Leaderboard.jsx';
import RaceList from './RaceList.jsx';

function PodiumStep({ car, place, picked }) {
  if (!car) return <div className={`podium-step podium-${place} is-empty`} />;
  return (
    <div className={`podium-step podium-${place}${picked ? ' is-picked' : ''}`} style={{ '--team': safeColor(car.team_color) }} data-testid={`podium-${place}`}>
      <div className="podium-driver">
        <span className="podium-number">{car.number}</span>
        <span className="podium-name">
          <span className="name-full">{car.driver_name}</span>
          <span className="name-tla">{tlaOf(car)}</span>
        </span>
        <span className="podium-team">{car.team}</span>
      </div>
      <div className="podium-block">
        <span className="podium-place">{place}</span>
      </div>
    </div>
  );
}

function resultText(car, i, kind) {
  if (isTimedSession(kind)) {
    // A classification by best lap: pole or fastest, then the gap to it; no winner.
    const out = car.knocked_out_part > 0 ? ` (out ${partLabel(kind, car.knocked_out_part)})` : '';
    if (i === 0) return kind === 'practice' ? 'Fastest' : 'Pole';
    return `${car.best_lap_ms > 0 ? formatGap(car.gap_ms, car.gap_laps) : 'No time'}${out}`;
  }
  if (car.retired) return 'DNF';
  if (i === 0) return car.laps ? `${car.laps} laps` : 'Winner';
  return formatGap(car.gap_ms, car.gap_laps);
}

export default function Finish({ raceId, rows, live, pickedKey, status, kind = 'race' }) {
  const timed = isTimedSession(kind);
  // The stream's last running order has gaps and tyres; the stored classification is the
  // authority on the order. Merge them by car so both are shown.
  const byKey = new Map(live.map((c) => [carKey(c), c]));
  const byName = new Map(live.map((c) => [c.driver_name, c]));
  const source = rows && rows.length ? rows : live;
  const classification = source.map((r) => ({ ...(byKey.get(carKey(r)) || byName.get(r.driver_name) || {}), ...r }));
  classification.sort((a, b) => a.position - b.position);
  const [p1, p2, p3] = classification;
  const stopped = status === 'stopped';
  const picked = classification.find((c) => carKey(c) === pickedKey);

  return (
    <section className="finish" aria-labelledby="finish-title" data-testid="finish">
      <div className="panel finish-panel">
        <h2 id="finish-title" className="finish-title">
          <span className="chequer" aria-hidden="true" />
          {stopped ? 'Race stopped' : timed ? (kind === 'practice' ? 'Classification by best lap' : 'Starting grid') : 'Chequered flag'}
        </h2>
        {picked && (
          <p className="finish-picked">
            {picked.driver_name} {stopped ? 'was' : 'finished'} <strong>P{picked.position}</strong>
            {picked.position <= 3 && !stopped && !timed ? ' — on the podium!' : ''}
          </p>
        )}
        {classification.length === 0 ? (
          <p className="muted">Loading the classification…</p>
        ) : (
          <>
            {!timed && (
              <div className="podium" aria-label="Podium">
                <PodiumStep car={p2} place={2} picked={p2 && carKey(p2) === pickedKey} />
                <PodiumStep car={p1} place={1} picked={p1 && carKey(p1) === pickedKey} />
                <PodiumStep car={p3} place={3} picked={p3 && carKey(p3) === pickedKey} />
              </div>
            )}
            <div className="classification-wrap">
              <table className="classification" data-testid="classification">
                <caption className="visually-hidden">Final classification</caption>
                <thead>
                  <tr>
                    <th scope="col">Pos</th>
                    <th scope="col">No</th>
                    <th scope="col">Driver</th>
                    <th scope="col" className="cl-team">
                      Team
                    </th>
                    <th scope="col">Result</th>
                    <th scope="col" className="cl-best">
                      Best
                    </th>
                    <th scope="col" className="cl-pits">
                      Pits
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {classification.map((c, i) => (
                    <tr key={carKey(c) || c.driver_name} className={carKey(c) === pickedKey ? 'is-picked' : ''}>
                      <td className="mono">{c.position}</td>
                      <td className="mono muted">{c.number}</td>
                      <td>
                        <span className="dot" style={{ background: safeColor(c.team_color) }} aria-hidden="true" />
                        <span className="name-full">{c.driver_name}</span>
                        <span className="name-tla">{tlaOf(c)}</span>
                      </td>
                      <td className="cl-team muted">{c.team}</td>
                      <td className="mono">{resultText(c, i, kind)}</td>
                      <td className="mono cl-best">{formatLapTime(c.best_lap_ms)}</td>
                      <td className="mono cl-pits">{Number.isFinite(c.pit_stops) ? c.pit_stops : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
      <RaceList excludeId={raceId} finishedOnly title="Past results" limit={8} />
    </section>
  );
}
