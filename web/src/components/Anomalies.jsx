import { useEffect, useState } from 'react';
import { apiUrl } from '../lib/api.js';
import { surname } from '../lib/format.js';

// Telemetry anomalies of one race, from the original app's /api/anomalies/stream (the server
// replays the last ones on connect, so a reopened page starts with them). Newest first.
const METRIC_LABEL = { engine_temperature: 'Engine', brake_temperature: 'Brakes', tyre_temperature: 'Tyres' };
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const KEEP = 50;

export function anomalyKey(a) {
  return `${a.race_id}|${a.driver_number || a.driver_name}|${a.metric_name}|${a.race_ms ?? a.timestamp}`;
}

// Adds one anomaly (ignoring one already held: a reconnect replays the last ones).
export function addAnomaly(list, a) {
  const key = anomalyKey(a);
  if (list.some((x) => anomalyKey(x) === key)) return list;
  return [a, ...list].slice(0, KEEP);
}

export default function Anomalies({ raceId, EventSourceImpl = globalThis.EventSource }) {
  const [items, setItems] = useState([]);
  useEffect(() => {
    setItems([]);
    if (!raceId || !EventSourceImpl) return undefined;
    const es = new EventSourceImpl(apiUrl(`/api/anomalies/stream?race_id=${encodeURIComponent(raceId)}`));
    es.onmessage = (ev) => {
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (frame?.type !== 'anomaly' || !frame.data || frame.data.race_id !== raceId) return;
      setItems((list) => addAnomaly(list, frame.data));
    };
    return () => es.close();
  }, [raceId, EventSourceImpl]);

  return (
    <section className="panel anomalies" aria-labelledby="anomalies-title">
      <div className="panel-head">
        <h2 id="anomalies-title" className="panel-title">
          Car health
        </h2>
      </div>
      {items.length === 0 ? (
        <p className="muted">No telemetry anomalies.</p>
      ) : (
        <ol className="anomaly-list" aria-live="polite" data-testid="anomaly-list">
          {items.map((a) => {
            const sev = SEVERITIES.includes(a.severity) ? a.severity : 'low';
            return (
              <li key={anomalyKey(a)} className={`anomaly anomaly-${sev}`}>
                <span className={`anomaly-sev sev-${sev}`}>{sev}</span>
                <span className="anomaly-who">
                  {Number.isFinite(a.lap) && a.lap > 0 && <span className="anomaly-lap">Lap {a.lap} </span>}
                  {surname(a.driver_name)}
                </span>
                <span className="anomaly-what">
                  {METRIC_LABEL[a.metric_name] || a.metric_name} {Number(a.metric_value).toFixed(1)} °C
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
