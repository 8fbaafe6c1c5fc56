import { formatGap, safeColor, tlaOf } from '../lib/format.js';
import { carKey } from './Leaderboard.jsx';

const W = 640;
const H = 260;
const M = { l: 44, r: 40, t: 14, b: 30 };

export function niceStep(range, target = 5) {
  if (!(range > 0)) return 1;
  const raw = range / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return step * mag;
}

// Which cars get a line: the current top cars plus the followed one.
export function traceCars(cars, pickedKey, top = 5) {
  const running = cars.filter((c) => !c.retired);
  const chosen = running.slice(0, top);
  const picked = cars.find((c) => carKey(c) === pickedKey);
  if (picked && !chosen.includes(picked)) chosen.push(picked);
  return chosen;
}

// Splits a series where the car was lapped: a gap in laps has no place on a seconds axis.
export function segments(points) {
  const out = [];
  let cur = [];
  for (const p of points) {
    if (p.gap_laps > 0 || !Number.isFinite(p.gap_ms)) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(p);
  }
  if (cur.length) out.push(cur);
  return out;
}

export default function RaceTrace({ trace, cars, pickedKey = '', totalLaps = 0, top = 5 }) {
  const chosen = traceCars(cars, pickedKey, top);
  const series = chosen
    .map((car) => ({ car, key: carKey(car), points: (trace[carKey(car)] || []).slice().sort((a, b) => a.lap - b.lap) }))
    .filter((s) => s.points.length > 0);

  const maxLapSeen = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.lap)));
  if (!series.length) {
    return (
      <section className="panel trace" aria-labelledby="trace-title">
        <h2 id="trace-title" className="panel-title">
          Race trace
        </h2>
        <p className="muted">The trace starts when the leaders complete their first lap.</p>
      </section>
    );
  }

  const xMax = Math.max(totalLaps || 0, maxLapSeen, 1);
  const maxGap = Math.max(0, ...series.flatMap((s) => s.points.filter((p) => !(p.gap_laps > 0)).map((p) => p.gap_ms / 1000)));
  const yStep = niceStep(Math.max(maxGap, 1), 4);
  const yMax = Math.max(yStep, Math.ceil(maxGap / yStep) * yStep);
  const x = (lap) => M.l + (lap / xMax) * (W - M.l - M.r);
  const y = (s) => M.t + (s / yMax) * (H - M.t - M.b);
  const xStep = niceStep(xMax, 6);
  const xTicks = [];
  for (let v = 0; v <= xMax + 1e-9; v += xStep) xTicks.push(Math.round(v));
  const yTicks = [];
  for (let v = 0; v <= yMax + 1e-9; v += yStep) yTicks.push(Number(v.toFixed(3)));

  // Teammates share a colour; the second one of a team gets a dashed line.
  const teamSeen = new Set();
  const styled = series.map((s) => {
    const team = s.car.team || s.car.team_color;
    const dashed = teamSeen.has(team);
    teamSeen.add(team);
    return { ...s, color: safeColor(s.car.team_color), dashed, picked: s.key === pickedKey };
  });
  // Draw the followed car last so it sits on top.
  styled.sort((a, b) => Number(a.picked) - Number(b.picked));

  const desc = styled
    .map((s) => {
      const last = s.points[s.points.length - 1];
      return `${tlaOf(s.car)} ${formatGap(last.gap_ms, last.gap_laps)} on lap ${last.lap}`;
    })
    .join(', ');

  return (
    <section className="panel trace" aria-labelledby="trace-title">
      <h2 id="trace-title" className="panel-title">
        Race trace <span className="panel-sub">gap to leader, seconds</span>
      </h2>
      <svg className="trace-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="trace-svg-title" data-testid="race-trace">
        <title id="trace-svg-title">Gap to leader by lap: {desc}</title>
        <g className="trace-grid">
          {yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={M.l} x2={W - M.r} y1={y(v)} y2={y(v)} />
              <text x={M.l - 6} y={y(v)} dy="0.32em" textAnchor="end">
                {v === 0 ? '0' : `+${v}`}
              </text>
            </g>
          ))}
          {xTicks.map((v) => (
            <g key={`x${v}`}>
              <line x1={x(v)} x2={x(v)} y1={M.t} y2={H - M.b} className="trace-vline" />
              <text x={x(v)} y={H - M.b + 16} textAnchor="middle">
                {v}
              </text>
            </g>
          ))}
          <text x={W - M.r} y={H - 4} textAnchor="end" className="trace-axis-label">
            lap
          </text>
        </g>
        {styled.map((s) =>
          segments(s.points).map((seg, i) => (
            <polyline
              key={`${s.key}-${i}`}
              className={`trace-line${s.picked ? ' is-picked' : ''}`}
              data-car={s.key}
              points={seg.map((p) => `${x(p.lap).toFixed(1)},${y(p.gap_ms / 1000).toFixed(1)}`).join(' ')}
              stroke={s.color}
              strokeDasharray={s.dashed ? '6 4' : undefined}
            />
          )),
        )}
        {styled.map((s) => {
          const segs = segments(s.points);
          const lastSeg = segs[segs.length - 1];
          if (!lastSeg) return null;
          const p = lastSeg[lastSeg.length - 1];
          return (
            <g key={`end-${s.key}`} className={`trace-end${s.picked ? ' is-picked' : ''}`}>
              <circle cx={x(p.lap)} cy={y(p.gap_ms / 1000)} r={s.picked ? 4 : 3} fill={s.color} />
            </g>
          );
        })}
      </svg>
      <ul className="trace-legend">
        {series.map((s) => (
          <li key={s.key} className={s.key === pickedKey ? 'is-picked' : ''}>
            <span className="legend-swatch" style={{ background: safeColor(s.car.team_color) }} aria-hidden="true" />
            {tlaOf(s.car)}
          </li>
        ))}
      </ul>
    </section>
  );
}
