import { safeColor } from '../lib/format.js';

export function Brand() {
  return (
    <a className="brand" href="#/" aria-label="pitwall home">
      <span className="brand-mark" aria-hidden="true" />
      <span className="brand-name">pitwall</span>
    </a>
  );
}

export function Loading({ label = 'Loading…', rows = 0 }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
      {rows > 0 && (
        <div className="skeleton-rows" aria-hidden="true">
          {Array.from({ length: rows }, (_, i) => (
            <div key={i} className="skeleton-row" />
          ))}
        </div>
      )}
    </div>
  );
}

export function ErrorMessage({ children, onRetry }) {
  if (!children) return null;
  return (
    <div className="error-box" role="alert">
      <span className="error-icon" aria-hidden="true">!</span>
      <span className="error-text">{children}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function TeamBar({ color, className = '' }) {
  return <span className={`team-bar ${className}`} style={{ background: safeColor(color) }} aria-hidden="true" />;
}

export function StatusChip({ status }) {
  const labels = {
    in_progress: 'Live',
    not_started: 'Starting',
    finished: 'Finished',
    stopped: 'Stopped',
    failed: 'Failed',
  };
  return <span className={`chip chip-${status || 'unknown'}`}>{labels[status] || status || 'Unknown'}</span>;
}
