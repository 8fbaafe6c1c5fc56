#!/usr/bin/env python3
"""Reference leaderboard for the replay tests, written independently of src/replay.

usage: ref_leaderboard.py SESSION_DIR OFFSET_MS...

Merges TimingData and TimingAppData (archive rules: deep merge, objects with decimal keys
patch arrays by index, index == length appends, "_kf" replaces, "_deleted" removes) up to
and including each offset (ms from the session's start) and prints, as JSON, for each
offset the cars in running order with the figures pitwall shows:
  {"<offset>": [{"number", "position" (null without one), "laps", "gap_ms", "gap_laps",
                 "interval_ms", "interval_laps", "tyre", "tyre_age", "tyre_new"}, ...]}
Practice and qualifying (SessionInfo Type "Practice" / "Qualifying") order by best lap and
measure gaps to the fastest: gap_ms / interval_ms then come from TimeDiffToFastest and
TimeDiffToPositionAhead (practice) or Stats[part] (qualifying: the part now running, or
the one the car was knocked out in), and each car also has "best_lap_ms", and in
qualifying "part_best_ms" (BestLapTimes, one per part) and "knocked_out_part" (the
SessionPart in force before the line that set KnockedOut).
Only the standard library is used.
"""
import json
import re
import sys

OFFSET = re.compile(r"^(\d\d):([0-5]\d):([0-5]\d)\.(\d\d\d)")
TYRES = {"SOFT", "MEDIUM", "HARD", "INTERMEDIATE", "WET"}


def merge(base, delta):
    if isinstance(delta, dict):
        kf = delta.get("_kf") is True
        if isinstance(base, list) and not kf:
            for k, v in delta.items():
                if k in ("_kf", "_deleted") or not re.fullmatch(r"0|[1-9]\d*", k):
                    continue
                i = int(k)
                if i < len(base):
                    base[i] = merge(base[i], v)
            while str(len(base)) in delta:
                base.append(merge(None, delta[str(len(base))]))
            return base
        if not isinstance(base, dict) or kf:
            base = {}
        deleted = delta.get("_deleted")
        if isinstance(deleted, list):
            for k in deleted:
                base.pop(k, None)
        for k, v in delta.items():
            if k in ("_kf", "_deleted"):
                continue
            base[k] = merge(base.get(k), v)
        return base
    if isinstance(delta, list):
        return [merge(None, x) for x in delta]
    return delta


def read_topic(path):
    """(offset_ms, delta) for every usable line, out-of-order offsets held at the last one."""
    out, last = [], -1
    try:
        f = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        return out
    with f:
        for line in f.read().split("\n"):
            line = line[:-1] if line.endswith("\r") else line
            m = OFFSET.match(line)
            if not m:
                continue
            ms = ((int(m[1]) * 60 + int(m[2])) * 60 + int(m[3])) * 1000 + int(m[4])
            ms = max(ms, last)
            last = ms
            try:
                d = json.loads(line[12:])
            except ValueError:
                continue
            if isinstance(d, dict):
                out.append((ms, d))
    return out


def gap(text):
    """(ms, laps) from "+1.234", "+1:02.345", "1 L", "15L", "LAP 12", ""."""
    if not isinstance(text, str):
        return 0, 0
    m = re.fullmatch(r"\+(?:(\d+):)?(\d+(?:\.\d+)?)", text)
    if m:
        return int(m[1] or 0) * 60000 + round(float(m[2]) * 1000), 0
    m = re.fullmatch(r"(\d+) ?L", text)
    if m:
        return 0, int(m[1])
    return 0, 0


def intval(v):
    if isinstance(v, bool):
        return 0
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"0|[1-9]\d{0,3}", v):
        return int(v)
    return 0


def laptime(text):
    """ms of "1:23.456" / "83.456"; 0 for anything else."""
    if not isinstance(text, str):
        return 0
    m = re.fullmatch(r"(?:(\d+):)?(\d+)\.(\d{1,3})", text)
    if not m:
        return 0
    return int(m[1] or 0) * 60000 + int(m[2]) * 1000 + int(m[3].ljust(3, "0"))


def value(obj):
    return obj.get("Value") if isinstance(obj, dict) else None


def as_list(v):
    if isinstance(v, dict):  # keyed "0", "1", ...
        return [v.get(str(i)) for i in range(max((int(k) for k in v if k.isdigit()), default=-1) + 1)]
    return v if isinstance(v, list) else []


def board(td, tad, kind=None, knocked=None):
    lines = (td or {}).get("Lines") or {}
    app = (tad or {}).get("Lines") or {}
    cars = []
    for num, car in lines.items():
        if not isinstance(car, dict):
            continue
        pos = intval(car.get("Position"))
        g = gap(car.get("GapToLeader"))
        iv = car.get("IntervalToPositionAhead")
        i = gap(iv.get("Value") if isinstance(iv, dict) else None)
        stints = (app.get(num) or {}).get("Stints")
        if isinstance(stints, dict):  # keyed "0", "1", ... when nothing was there to patch
            stints = [stints[k] for k in sorted(stints, key=int)]
        last = stints[-1] if isinstance(stints, list) and stints else {}
        compound = last.get("Compound")
        new = last.get("New")
        extra = {}
        if kind == "practice":
            g = gap(car.get("TimeDiffToFastest"))
            i = gap(car.get("TimeDiffToPositionAhead"))
        elif kind == "qualifying":
            part = knocked.get(num) or intval((td or {}).get("SessionPart")) or 1
            stats = as_list(car.get("Stats"))
            st = stats[part - 1] if part - 1 < len(stats) and isinstance(stats[part - 1], dict) else {}
            g = gap(st.get("TimeDiffToFastest"))
            i = gap(st.get("TimeDifftoPositionAhead"))
            bests = as_list(car.get("BestLapTimes"))
            extra["part_best_ms"] = [laptime(value(bests[k])) if k < len(bests) else 0 for k in range(3)]
            extra["knocked_out_part"] = knocked.get(num, 0)
        if kind:
            extra["best_lap_ms"] = laptime(value(car.get("BestLapTime")))
        cars.append(dict({
            "number": num, "position": pos or None, "laps": intval(car.get("NumberOfLaps")),
            "gap_ms": g[0], "gap_laps": g[1], "interval_ms": i[0], "interval_laps": i[1],
            "tyre": compound if compound in TYRES else "UNKNOWN",
            "tyre_age": intval(last.get("TotalLaps")), "tyre_new": new is True or new == "true",
        }, **extra))
    placed = sorted((c for c in cars if c["position"]), key=lambda c: c["position"])
    for rank, c in enumerate(placed, 1):
        c["position"] = rank
    return placed + [c for c in cars if not c["position"]]


def main():
    session, offsets = sys.argv[1], [int(x) for x in sys.argv[2:]]
    td_lines = read_topic(session + "/TimingData.jsonStream")
    tad_lines = read_topic(session + "/TimingAppData.jsonStream")
    info = None
    for _, d in read_topic(session + "/SessionInfo.jsonStream"):
        info = merge(info, d)
    kind = {"Practice": "practice", "Qualifying": "qualifying"}.get((info or {}).get("Type"))
    result = {}
    for off in offsets:
        td = tad = None
        knocked = {}
        for ms, d in td_lines:
            if ms > off:
                break
            before = intval((td or {}).get("SessionPart"))
            td = merge(td, d)
            for num, car in ((td or {}).get("Lines") or {}).items():
                if not isinstance(car, dict):
                    continue
                out = car.get("KnockedOut")
                if out is True or out == "true":
                    knocked.setdefault(num, before or intval(td.get("SessionPart")) or 1)
                else:
                    knocked.pop(num, None)
        for ms, d in tad_lines:
            if ms > off:
                break
            tad = merge(tad, d)
        result[str(off)] = board(td, tad, kind, knocked)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
