// Frames shaped like WIRE.md's, built by hand for component tests.
const TEAMS = {
  McLaren: '#F47600',
  Ferrari: '#ED1131',
  'Red Bull Racing': '#4781D7',
  Mercedes: '#00D7B6',
};

export const DRIVERS = [
  ['Lando Norris', '1', 'NOR', 'McLaren'],
  ['Oscar Piastri', '81', 'PIA', 'McLaren'],
  ['Charles Leclerc', '16', 'LEC', 'Ferrari'],
  ['Lewis Hamilton', '44', 'HAM', 'Ferrari'],
  ['Max Verstappen', '3', 'VER', 'Red Bull Racing'],
  ['Yuki Tsunoda', '22', 'TSU', 'Red Bull Racing'],
  ['George Russell', '63', 'RUS', 'Mercedes'],
  ['Kimi Antonelli', '12', 'ANT', 'Mercedes'],
];

export function makeCar(number, position, extra = {}) {
  const d = DRIVERS.find((x) => x[1] === String(number));
  return {
    driver_name: d[0],
    position,
    timestamp: 1732790000000,
    race_id: 'R1',
    number: d[1],
    tla: d[2],
    team: d[3],
    team_color: TEAMS[d[3]],
    laps: 10,
    gap_ms: (position - 1) * 1500,
    gap_laps: 0,
    interval_ms: position === 1 ? 0 : 1500,
    interval_laps: 0,
    last_lap_ms: 81500 + position * 100,
    best_lap_ms: 81000 + position * 100,
    best_lap_no: 5,
    sectors_ms: [27000, 28000, 26000],
    tyre: 'MEDIUM',
    tyre_age: 10,
    tyre_new: true,
    pit_stops: 0,
    in_pit: false,
    retired: false,
    finished: false,
    ...extra,
  };
}

// order: car numbers in running order.
export function positionsData(order, extra = {}, carExtra = {}) {
  return {
    positions: order.map((n, i) => makeCar(n, i + 1, carExtra[n] || {})),
    timestamp: 1732790000000,
    race_id: 'R1',
    seq: 1,
    lap: 11,
    total_laps: 50,
    track_status: 'green',
    race_ms: 900000,
    server_ms: 1732790000000,
    fastest_lap: { number: '1', lap_ms: 81100 },
    status: 'in_progress',
    ...extra,
  };
}

export function statusObject(extra = {}) {
  return {
    race_id: 'R1',
    selected_driver: { name: 'Lewis Hamilton', team: 'Ferrari', number: '44' },
    status: 'in_progress',
    progress: 0.2,
    elapsed_time: 12,
    duration: 60,
    remaining_time: 48,
    start_time: '2026-11-28T12:00:00.000Z',
    end_time: null,
    lap: 11,
    total_laps: 50,
    track_status: 'green',
    source: 'simulation',
    title: 'Test Grand Prix',
    paused: false,
    ...extra,
  };
}

export function commentaryData(n, message, type = 'info', lap = 3) {
  return { id: `c-R1-${n}`, message, timestamp: 1732790000000 + n * 1000, type, lap, race_id: 'R1', race_ms: n * 1000 };
}
