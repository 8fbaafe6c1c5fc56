#!/usr/bin/env python3
"""Realism check for pitwall's race simulator.

Computes the same five figures from a real session in F1's live-timing archive and from
simulated races of the same length on the same circuit, prints a comparison table, and with
--check exits non-zero when a simulated figure is outside its stated factor of the real one.

  realism.py --archive DIR --dump PATH/race_sim_dump [--races N] [--check] [--markdown]
             [--grand-prix]

DIR is the f1-archive folder (its two sprint sessions are compared). --grand-prix adds a
full Miami Grand Prix against reference values (the archive has no Grand Prix; see
docs/REALISM.md for their sources), each checked against its factor in GP_FACTORS.
Standard library only.
The figures, measured identically for both sides from lap-completion times:
  spread    median over green laps of the standard deviation of lap times within the lap
            (in-, out- and pit-adjacent laps left out; laps over 107% of the lap's median too)
  last_gap  time from the winner's finish to the last classified finisher's (90% distance)
  changes   passes per lap: pairs of cars whose order of completing the lap swapped from
            the lap before, leaving out cars that pitted around those laps (laps 2..N)
  pits      pit stops per starter
  neutral   share of the leader's laps run at any moment under SC or VSC
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

SESSIONS = [
    # (archive folder, circuit id in data/circuits, laps, label)
    ("2023/2023-04-30_Azerbaijan_Grand_Prix/2023-04-29_Sprint", "baku", 17, "Baku 2023 sprint"),
    ("2025/2025-05-04_Miami_Grand_Prix/2025-05-03_Sprint", "miami", 18, "Miami 2025 sprint"),
]

# Allowed factor between the mean simulated figure and the real one (sim/real and real/sim
# both <= factor). RANGE figures depend mostly on whether and when a safety car came out, so
# one real race is compared with the spread of simulated ones instead: the real figure must
# lie between the simulated 2.5th percentile divided by the factor and the 97.5th times it.
FACTORS = {"spread": 1.5, "last_gap": 1.5, "changes": 2.5, "pits": 3.0, "neutral": 3.0}
RANGE = {"last_gap"}
UNCHECKED = {("miami", "pits")}  # wet start: everyone stopped for slicks; the model has no rain
ABS_SLACK = {"pits": 0.15, "neutral": 0.05}  # below these, figures are "about zero"

NEUTRAL = {"4", "5", "6", "7"}  # SC, red, VSC, VSC ending

# Grand Prix figures: the archive holds no Grand Prix, so the real side is a set of reference
# values (docs/REALISM.md gives their sources) and the simulated side full Grand Prix
# distances at Miami. "season" instead spreads the races over every built-in circuit.
# (circuit id, laps (0: the circuit's distance), label, {figure: real value})
SEASON = ["bahrain", "miami", "baku", "monza", "monaco", "silverstone", "spa", "suzuka",
          "singapore", "interlagos"]
GRAND_PRIX = ("miami", 0, "Miami Grand Prix (reference values)",
              {"spread": 1.56, "changes": 2.26, "pits": 2.0, "neutral": 0.26})
GP_FACTORS = {"spread": 1.3, "changes": 1.3, "pits": 1.3, "neutral": 1.6}


def parse_time(text):
    h, m, s = text.split(":")
    return int(round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000))


def read_stream(path):
    """Yields (ms, delta) for each line of a .jsonStream file; bad lines are counted."""
    bad = 0
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            line = line.strip()
            if len(line) < 13:
                continue
            try:
                yield parse_time(line[:12]), json.loads(line[12:])
            except (ValueError, json.JSONDecodeError):
                bad += 1
    if bad:
        print(f"realism: {path}: {bad} unreadable lines skipped", file=sys.stderr)


def merge(dst, patch):
    if not isinstance(patch, dict):
        return patch
    if isinstance(dst, list):
        for k, v in patch.items():
            if k.isdigit():
                i = int(k)
                if i < len(dst):
                    dst[i] = merge(dst[i], v)
                elif i == len(dst):
                    dst.append(merge(None, v))
        return dst
    if not isinstance(dst, dict):
        dst = {}
    for k in patch.get("_deleted", []):
        dst.pop(k, None)
    for k, v in patch.items():
        if k in ("_deleted", "_kf"):
            continue
        dst[k] = merge(dst.get(k), v)
    return dst


class Race:
    """What the figures need: lap-completion times and pit counts per car, neutral periods."""

    def __init__(self):
        self.start = 0
        self.laps = {}       # car -> {lap: (end_ms, pit_stops_at_end)}
        self.retired = set()
        self.neutral = []    # [(from_ms, to_ms)]
        self.total_laps = 0


def archive_race(folder):
    race = Race()
    for t, d in read_stream(os.path.join(folder, "SessionStatus.jsonStream")):
        if d.get("Status") == "Started" and not race.start:
            race.start = t
    lines = {}
    for t, d in read_stream(os.path.join(folder, "TimingData.jsonStream")):
        patch = d.get("Lines") if isinstance(d, dict) else None
        if not isinstance(patch, dict):
            continue
        for num, p in patch.items():
            old = lines.get(num, {})
            before = old.get("NumberOfLaps")
            cur = merge(old, p)
            lines[num] = cur
            n = cur.get("NumberOfLaps")
            if isinstance(n, int) and n != before and n > 0 and t >= race.start:
                race.laps.setdefault(num, {})[n] = (t, int(cur.get("NumberOfPitStops") or 0))
            if cur.get("Retired"):
                race.retired.add(num)
    since = None
    for t, d in read_stream(os.path.join(folder, "TrackStatus.jsonStream")):
        status = str(d.get("Status"))
        if status in NEUTRAL and since is None:
            since = t
        elif status not in NEUTRAL and since is not None:
            race.neutral.append((since, t))
            since = None
    if since is not None:
        race.neutral.append((since, 1 << 62))
    for t, d in read_stream(os.path.join(folder, "LapCount.jsonStream")):
        race.total_laps = d.get("TotalLaps", race.total_laps)
    return race


def twenty_car_grid(source_dir, tmp):
    """The real sessions had 20 starters: the 2026 grid without its new team, Cadillac."""
    path = os.path.join(tmp, "grid20.csv")
    with open(os.path.join(source_dir, "data", "grids", "2026.csv"), encoding="utf-8") as f, \
            open(path, "w", encoding="utf-8") as out:
        for line in f:
            if ",Cadillac," not in line:
                out.write(line)
    return path


def sim_races(dump, circuit, laps, races, seed, grid="2026"):
    out = subprocess.run([dump, "--circuit", circuit, "--laps", str(laps), "--races", str(races),
                          "--seed", str(seed), "--grid", grid],
                         check=True, capture_output=True, text=True).stdout
    by_seed = {}
    for line in out.splitlines():
        ev = json.loads(line)
        race = by_seed.setdefault(ev["seed"], Race())
        race.total_laps = laps
        kind = ev["type"]
        if kind == "lap_completed":
            race.laps.setdefault(ev["car"], {})[ev["lap_ms"] and ev["lap"]] = (ev["race_ms"], ev["pit_stops"])
        elif kind == "retirement":
            race.retired.add(ev["car"])
        elif kind == "track_status":
            neutral = ev["track"] in ("sc", "vsc", "vsc_ending", "red")
            if neutral and not race.neutral_open():
                race.neutral.append([ev["race_ms"], 1 << 62])
            elif not neutral and race.neutral_open():
                race.neutral[-1][1] = ev["race_ms"]
    return list(by_seed.values())


Race.neutral_open = lambda self: bool(self.neutral) and self.neutral[-1][1] == 1 << 62


def overlaps(race, a, b):
    return any(x < b and y > a for x, y in race.neutral)


def lap_end(race, car, lap):
    if lap == 0:
        return race.start
    got = race.laps.get(car, {}).get(lap)
    return got[0] if got else None


def pitted_near(race, car, lap):
    """True when the car's pit-stop count changes anywhere from lap - 2 to lap + 1."""
    stops = [race.laps[car].get(k, (0, None))[1] for k in range(lap - 2, lap + 2)]
    return len(set(s for s in stops if s is not None)) > 1


def figures(race):
    cars = [c for c in race.laps if race.laps[c]]
    max_lap = max(max(race.laps[c]) for c in cars)
    # spread
    spreads = []
    for lap in range(2, max_lap + 1):
        times = []
        for c in cars:
            a, b = lap_end(race, c, lap - 1), lap_end(race, c, lap)
            if a is None or b is None or overlaps(race, a, b):
                continue
            if pitted_near(race, c, lap):
                continue
            times.append(b - a)
        if len(times) >= 5:
            med = statistics.median(times)
            times = [x for x in times if x <= med * 1.07]
            spreads.append(statistics.pstdev(times))
    # winner to last classified
    finishers = [c for c in cars if c not in race.retired and max(race.laps[c]) >= 0.9 * max_lap]
    winner = min((c for c in cars if max_lap in race.laps[c]), key=lambda c: race.laps[c][max_lap][0])
    win_t = race.laps[winner][max_lap][0]
    last_gap = max(race.laps[c][max(race.laps[c])][0] for c in finishers) - win_t
    # passes: pairs of cars whose order swapped from one lap to the next, among cars that
    # made no pit stop around those laps (so a stop reshuffling the order does not count)
    changes, prev = [], None
    for lap in range(1, max_lap + 1):
        done = sorted((race.laps[c][lap][0], c) for c in cars if lap in race.laps[c])
        rank = {c: i for i, (_, c) in enumerate(done)}
        if prev is not None and done:
            steady = [c for c in rank if c in prev and not pitted_near(race, c, lap)]
            changes.append(sum(1 for i, a in enumerate(steady) for b in steady[i + 1:]
                               if (rank[a] < rank[b]) != (prev[a] < prev[b])))
        prev = rank
    # pit stops per starter, and neutralised laps of the leader
    pits = sum(race.laps[c][max(race.laps[c])][1] for c in cars) / len(cars)
    neutral = sum(1 for lap in range(1, max_lap + 1)
                  if overlaps(race, lap_end(race, winner, lap - 1) or race.start,
                              lap_end(race, winner, lap) or 0)) / max_lap
    return {"spread": statistics.median(spreads) / 1000.0 if spreads else float("nan"),
            "last_gap": last_gap / 1000.0, "changes": statistics.mean(changes),
            "pits": pits, "neutral": neutral}


LABELS = {"spread": "lap-time spread within a lap (s, std dev)",
          "last_gap": "winner to last classified finisher (s)",
          "changes": "on-track passes per lap (pit stoppers left out)",
          "pits": "pit stops per car", "neutral": "share of laps under SC/VSC"}


def percentile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q * (len(v) - 1)))))]


def within(key, sims, real, factors=None):
    factors = factors or FACTORS
    if key in RANGE:
        lo, hi = percentile(sims, 0.025), percentile(sims, 0.975)
        return lo / FACTORS[key] <= real <= hi * FACTORS[key]
    sim = statistics.mean(sims)
    slack = ABS_SLACK.get(key, 0.0)
    if abs(sim - real) <= slack:
        return True
    if sim <= 0 or real <= 0 or math.isnan(sim) or math.isnan(real):
        return False
    return max(sim / real, real / sim) <= factors[key]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archive", required=True)
    ap.add_argument("--dump", required=True, help="path to the race_sim_dump binary")
    ap.add_argument("--races", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--grand-prix", action="store_true")
    args = ap.parse_args()

    failures = []
    if args.markdown:
        print("| session | figure | real | simulated: mean (10th-90th pct) of %d races | check | ok |"
              % args.races)
        print("|---|---|---|---|---|---|")
    tmp = tempfile.mkdtemp(prefix="pw_realism_")
    grid = twenty_car_grid(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), tmp)
    cases = [(label, circuit, laps, lambda folder=folder: figures(
        archive_race(os.path.join(args.archive, folder))), FACTORS,
        {k for c, k in UNCHECKED if c == circuit})
        for folder, circuit, laps, label in SESSIONS]
    gp_circuit, gp_laps, gp_label, gp_real = GRAND_PRIX
    if args.grand_prix:
        cases.append((gp_label, gp_circuit, gp_laps, lambda: gp_real, GP_FACTORS, set()))
    for label, circuit, laps, real_of, factors, unchecked in cases:
        real = real_of()
        if circuit == "season":
            races = [r for i, c in enumerate(SEASON) for r in sim_races(
                args.dump, c, laps, args.races // len(SEASON), args.seed + 1000 * i, grid)]
        else:
            races = sim_races(args.dump, circuit, laps, args.races, args.seed, grid)
        sims = [figures(r) for r in races]
        for key in LABELS:
            if key not in real:
                continue
            # A race run wholly under SC/VSC has no green lap to measure a spread on.
            values = [f[key] for f in sims if not math.isnan(f[key])]
            sim = statistics.mean(values)
            p10, p90 = percentile(values, 0.1), percentile(values, 0.9)
            checked = key not in unchecked
            ok = within(key, values, real[key], factors)
            verdict = ("yes" if ok else "NO") if checked else "not checked"
            if checked and not ok:
                failures.append(f"{label}: {key} simulated {sim:.3f} vs real {real[key]:.3f}")
            if not checked:
                rule = "-"
            elif key in RANGE:
                rule = f"in 2.5-97.5% range x{factors[key]:g}"
            else:
                rule = f"mean within x{factors[key]:g}"
            if args.markdown:
                print(f"| {label} | {LABELS[key]} | {real[key]:.3f} | {sim:.3f} ({p10:.3f}-{p90:.3f}) "
                      f"| {rule} | {verdict} |")
            else:
                print(f"{label:18} {key:9} real {real[key]:8.3f}  sim {sim:8.3f} ({p10:7.3f}-{p90:7.3f})"
                      f"  {rule:22} {verdict}")
    shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("realism: outside the allowed factor: " + f, file=sys.stderr)
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
