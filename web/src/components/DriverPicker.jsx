import { safeColor, tlaOf } from '../lib/format.js';

// Native radio buttons under the cards: arrow keys, focus and screen readers work as usual.
export default function DriverPicker({ drivers, picked, onPick }) {
  return (
    <div className="driver-grid" role="radiogroup" aria-label="Drivers">
      {drivers.map((d) => {
        const id = `driver-${d.id ?? d.number}`;
        const checked = picked === d.name;
        return (
          <label key={id} className={`driver-card${checked ? ' is-picked' : ''}`} htmlFor={id} style={{ '--team': safeColor(d.team_color) }}>
            <input
              id={id}
              type="radio"
              name="driver"
              className="visually-hidden"
              value={d.name}
              checked={checked}
              onChange={() => onPick(d.name)}
            />
            <span className="driver-number">{d.number ?? d.id}</span>
            <span className="driver-text">
              <span className="driver-name">{d.name}</span>
              <span className="driver-team">{d.team}</span>
            </span>
            <span className="driver-tla" aria-hidden="true">
              {tlaOf({ tla: d.tla, driver_name: d.name })}
            </span>
          </label>
        );
      })}
    </div>
  );
}
