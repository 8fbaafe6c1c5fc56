import { tyreInfo } from '../lib/format.js';

export default function TyreBadge({ compound, age, isNew, showAge = true }) {
  const t = tyreInfo(compound);
  const ageText = Number.isFinite(age) ? `${age}` : '';
  const label = `${t.name} tyre${ageText ? `, ${age} lap${age === 1 ? '' : 's'} old` : ''}${isNew === false ? ', used set' : ''}`;
  return (
    <span className="tyre" title={label} aria-label={label} role="img">
      <span className="tyre-letter" style={{ '--tyre': t.color }} aria-hidden="true">
        {t.letter}
      </span>
      {showAge && ageText && (
        <span className="tyre-age" aria-hidden="true">
          {ageText}
        </span>
      )}
    </span>
  );
}
