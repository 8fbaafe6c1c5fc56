import { useLayoutEffect, useRef } from 'react';
import { formatGap, formatLapTime, isTimedSession, partLabel, safeColor, tlaOf } from '../lib/format.js';
import DamageBadge from './DamageBadge.jsx';
import PenaltyBadges from './PenaltyBadges.jsx';
import TyreBadge from './TyreBadge.jsx';

export const CHANGE_MARKER_MS = 8000;
const FLIP_MS = 450;

export function carKey(car) {
  return String(car?.number ?? car?.driver_name ?? '');
}

// Purple: the race's fastest lap. Green: a personal best (the lap equals the car's best).
export function lapTimeClass(car, ms, fastest) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  if (fastest && Number(fastest.lap_ms) === ms && String(fastest.number) === String(car.number)) return 'lap-purple';
  if (Number.isFinite(car.best_lap_ms) && car.best_lap_ms === ms) return 'lap-green';
  return '';
}

// FLIP: rows are laid out in their new order at once (so nothing below moves), then each
// row is shifted back to where it was and slid into place with a transform.
function useFlip(containerRef, orderKey) {
  const tops = useRef(new Map());
  useLayoutEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const rows = Array.from(el.querySelectorAll('[data-flip-key]'));
    const next = new Map(rows.map((r) => [r.dataset.flipKey, r.offsetTop]));
    const reduce = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    const moved = [];
    for (const r of rows) {
      const before = tops.current.get(r.dataset.flipKey);
      const now = next.get(r.dataset.flipKey);
      if (before === undefined || before === now || reduce) continue;
      r.style.transition = 'none';
      r.style.transform = `translateY(${before - now}px)`;
      moved.push(r);
    }
    tops.current = next;
    if (!moved.length) return;
    void el.offsetHeight; // commit the inverted positions before animating back
    const raf = window.requestAnimationFrame || ((f) => setTimeout(f, 16));
    raf(() => {
      for (const r of moved) {
        r.style.transition = `transform ${FLIP_MS}ms cubic-bezier(.2,.8,.2,1)`;
        r.style.transform = '';
      }
    });
  }, [containerRef, orderKey]);
}

function ChangeMarker({ change, now }) {
  if (!change || !change.delta || now - change.at > CHANGE_MARKER_MS) return <span className="chg" aria-hidden="true" />;
  const up = change.delta > 0;
  const n = Math.abs(change.delta);
  return (
    <span className={`chg ${up ? 'chg-up' : 'chg-down'}`} title={`${up ? 'Gained' : 'Lost'} ${n} place${n > 1 ? 's' : ''}`}>
      <span aria-hidden="true">{up ? '▲' : '▼'}</span>
      <span className="chg-n">{n}</span>
      <span className="visually-hidden">{up ? ' up' : ' down'}</span>
    </span>
  );
}

function gapText(car, isLeader, timed) {
  if (car.retired) return 'OUT';
  if (isLeader) return timed ? 'Fastest' : 'Leader';
  // Practice and qualifying: a car without a time has no gap to the fastest.
  if (timed && !(car.best_lap_ms > 0)) return '—';
  return formatGap(car.gap_ms, car.gap_laps);
}

function intervalText(car, isLeader, timed) {
  if (car.retired || isLeader) return '';
  if (timed && !(car.best_lap_ms > 0)) return '';
  return formatGap(car.interval_ms, car.interval_laps);
}

// `session` (practice and qualifying only): {kind, part, cutoff_position, ...} from the stream.
export default function Leaderboard({ cars, changes = {}, fastestLap = null, pickedKey = '', onFollow, now = Date.now(), session = null }) {
  const ref = useRef(null);
  const kind = session?.kind || 'race';
  const timed = isTimedSession(kind);
  const cutoff = Number.isFinite(session?.cutoff_position) ? session.cutoff_position : 0;
  const orderKey = cars.map(carKey).join(',');
  useFlip(ref, orderKey);

  if (!cars.length) {
    return <p className="muted empty-board">Waiting for the first timing data…</p>;
  }

  return (
    <div className="board" role="table" aria-label="Leaderboard" aria-rowcount={cars.length + 1}>
      <div className="board-row board-head" role="row">
        <span role="columnheader" className="c-pos">
          Pos
        </span>
        <span role="columnheader" className="c-chg">
          <span className="visually-hidden">Change</span>
        </span>
        <span role="columnheader" className="c-num">
          No
        </span>
        <span role="columnheader" className="c-driver">
          Driver
        </span>
        <span role="columnheader" className="c-gap">
          Gap
        </span>
        <span role="columnheader" className="c-int">
          Int
        </span>
        <span role="columnheader" className="c-last">
          Last
        </span>
        <span role="columnheader" className="c-best">
          Best
        </span>
        <span role="columnheader" className="c-tyre">
          Tyre
        </span>
        <span role="columnheader" className="c-pits">
          {timed ? 'Laps' : 'Pit'}
        </span>
      </div>
      <div className="board-body" ref={ref} role="rowgroup">
        {cars.map((car, i) => {
          const key = carKey(car);
          const picked = key === pickedKey;
          const leader = i === 0 && !car.retired;
          const out = Number.isFinite(car.knocked_out_part) && car.knocked_out_part > 0 ? car.knocked_out_part : 0;
          // Qualifying: the cars below the cut-off line would go out if the part ended now.
          const dropZone = cutoff > 0 && !out && car.position > cutoff;
          const cls = [
            'board-row',
            picked && 'is-picked',
            car.in_pit && 'is-pit',
            car.retired && 'is-retired',
            car.finished && 'is-finished',
            out && 'is-knocked-out',
            dropZone && 'is-dropzone',
            cutoff > 0 && car.position === cutoff && 'has-cutoff',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <div
              key={key}
              className={cls}
              role="row"
              data-flip-key={key}
              data-testid="board-row"
              data-number={car.number}
              data-position={car.position}
              data-knocked-out={out || undefined}
              data-dropzone={dropZone ? 'true' : undefined}
              aria-current={picked ? 'true' : undefined}
              style={{ '--team': safeColor(car.team_color) }}
            >
              <span role="cell" className="c-pos">
                {car.position}
              </span>
              <span role="cell" className="c-chg">
                <ChangeMarker change={changes[key]} now={now} />
              </span>
              <span role="cell" className="c-num">
                {car.number}
              </span>
              <span role="cell" className="c-driver">
                <span className="team-bar" aria-hidden="true" />
                <button
                  type="button"
                  className="driver-btn"
                  onClick={() => onFollow?.(key)}
                  aria-pressed={picked}
                  title={picked ? `Following ${car.driver_name}` : `Follow ${car.driver_name}`}
                >
                  <span className="name-full">{car.driver_name}</span>
                  <span className="name-tla">{tlaOf(car)}</span>
                </button>
                <span className="team-name">{car.team}</span>
                {car.in_pit && !car.retired && <span className="badge badge-pit">PIT</span>}
                {car.retired && <span className="badge badge-ret">RET</span>}
                {!car.retired && !car.finished && <DamageBadge damage={car.damage} />}
                {out > 0 && (
                  <span className="badge badge-ko" data-testid="knocked-out" title={`Knocked out in ${partLabel(kind, out)}`}>
                    OUT {partLabel(kind, out)}
                  </span>
                )}
                {!car.retired && <PenaltyBadges penalty={car.penalty} />}
                {car.finished && !car.retired && (
                  <span className="badge badge-fin" title="Finished" role="img" aria-label="Finished" />
                )}
              </span>
              <span role="cell" className="c-gap" data-testid="gap">
                {gapText(car, leader, timed)}
              </span>
              <span role="cell" className="c-int">
                {intervalText(car, leader, timed)}
              </span>
              <span role="cell" className={`c-last ${lapTimeClass(car, car.last_lap_ms, fastestLap)}`}>
                {formatLapTime(car.last_lap_ms)}
              </span>
              <span role="cell" className={`c-best ${lapTimeClass(car, car.best_lap_ms, fastestLap) === 'lap-purple' ? 'lap-purple' : car.best_lap_ms && car.best_lap_ms === car.last_lap_ms ? 'lap-green' : ''}`}>
                {formatLapTime(car.best_lap_ms)}
              </span>
              <span role="cell" className="c-tyre">
                {car.tyre ? <TyreBadge compound={car.tyre} age={car.tyre_age} isNew={car.tyre_new} /> : '—'}
              </span>
              <span role="cell" className="c-pits" data-testid={timed ? 'laps' : undefined}>
                {timed ? (Number.isFinite(car.laps) ? car.laps : '') : Number.isFinite(car.pit_stops) ? car.pit_stops : ''}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
