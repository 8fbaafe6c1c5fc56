// A car's damage in a simulated race (car.damage, from raceReducer.js): a slow puncture, a
// damaged front wing, floor damage. Nothing when the car is undamaged or the source knows no
// damage (a replay).
const KINDS = {
  puncture: { text: 'PUNC', label: 'Slow puncture: losing time until it pits for new tyres' },
  front_wing: { text: 'WING', label: 'Front wing damage: slower until a new nose' },
  floor: { text: 'FLOOR', label: 'Floor damage: slower to the end' },
};

export default function DamageBadge({ damage }) {
  const kind = KINDS[damage];
  if (!kind) return null;
  return (
    <span className={`badge badge-dmg badge-dmg-${damage}`} data-testid="damage" data-damage={damage} title={kind.label} aria-label={kind.label} role="img">
      {kind.text}
    </span>
  );
}
