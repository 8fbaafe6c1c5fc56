import { useMemo, useState } from 'react';
import { formatWallTime, surname } from '../lib/format.js';

const TYPE_LABEL = { highlight: 'Highlight', warning: 'Warning', info: 'Info' };

// A line is about a driver when the server tags it with their car (the "driver" field) or,
// for untagged lines, when it names them.
export function isAbout(line, driver) {
  if (!driver || !line) return false;
  const tag = line.driver != null ? String(line.driver) : '';
  if (tag && (tag === String(driver.number) || tag === driver.name)) return true;
  return mentionsDriver(line.message, driver);
}

export function mentionsDriver(message, driver) {
  if (!driver) return false;
  const text = String(message || '').toLowerCase();
  const names = [surname(driver.name), driver.tla].filter((n) => n && n.length >= 3).map((n) => n.toLowerCase());
  return names.some((n) => new RegExp(`(^|[^\\p{L}])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\p{L}]|$)`, 'u').test(text));
}

// Newest first. The filter keeps lines that name the followed driver.
export default function Commentary({ items, driver = null, loading = false }) {
  const [onlyMine, setOnlyMine] = useState(false);
  const shown = useMemo(() => (onlyMine && driver ? items.filter((c) => isAbout(c, driver)) : items), [items, onlyMine, driver]);

  return (
    <section className="panel commentary" aria-labelledby="commentary-title">
      <div className="panel-head">
        <h2 id="commentary-title" className="panel-title">
          Commentary
        </h2>
        {driver && (
          <button type="button" className="btn btn-small btn-toggle" aria-pressed={onlyMine} onClick={() => setOnlyMine((v) => !v)}>
            Only {surname(driver.name)}
          </button>
        )}
      </div>
      {loading && !items.length ? (
        <p className="muted">Waiting for the first commentary…</p>
      ) : shown.length === 0 ? (
        <p className="muted">{onlyMine ? `Nothing about ${driver?.name} yet.` : 'No commentary yet.'}</p>
      ) : (
        <ol className="commentary-list" aria-live="polite" aria-relevant="additions" data-testid="commentary-list">
          {shown.map((c) => (
            <li key={c.id} className={`comment comment-${TYPE_LABEL[c.type] ? c.type : 'info'}`} data-id={c.id}>
              <div className="comment-meta">
                {Number.isFinite(c.lap) && c.lap > 0 && <span className="comment-lap">Lap {c.lap}</span>}
                <time className="comment-time" dateTime={Number.isFinite(c.timestamp) ? new Date(c.timestamp).toISOString() : undefined}>
                  {formatWallTime(c.timestamp)}
                </time>
                <span className="visually-hidden">{TYPE_LABEL[c.type] || 'Info'}: </span>
              </div>
              <p className="comment-text">{c.message}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
