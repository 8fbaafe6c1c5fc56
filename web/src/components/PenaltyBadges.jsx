// A car's standing with the stewards (car.penalty, from raceReducer.js): time owed, a
// drive-through to serve, the black-and-white flag for track limits. Nothing when clean.
export default function PenaltyBadges({ penalty }) {
  if (!penalty) return null;
  const { seconds, driveThrough, blackWhite } = penalty;
  return (
    <>
      {seconds > 0 && (
        <span className="badge badge-pen" data-testid="penalty-time" title={`${seconds} s time penalty owed: served at the next stop, else added at the flag`}>
          +{seconds}s
        </span>
      )}
      {driveThrough && (
        <span className="badge badge-pen" data-testid="penalty-dt" title="Drive-through penalty to serve">
          DT
        </span>
      )}
      {blackWhite && (
        <span className="badge badge-bw" data-testid="penalty-bw" role="img" aria-label="Black-and-white flag: track limits warning" title="Black-and-white flag: track limits warning" />
      )}
    </>
  );
}
