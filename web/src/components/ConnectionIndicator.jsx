const LABELS = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  ended: 'Stream ended',
};

const HINTS = {
  reconnecting: 'The live stream dropped; resuming from the last event received.',
  offline: 'No connection to the server. Updates resume automatically when it is back.',
};

export default function ConnectionIndicator({ state, endedLabel }) {
  const label = state === 'ended' && endedLabel ? endedLabel : LABELS[state] || state;
  return (
    <div className={`conn conn-${state}`} role="status" aria-live="polite" data-testid="connection" data-state={state} title={HINTS[state] || label}>
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-label">{label}</span>
    </div>
  );
}
