#!/usr/bin/env python3
"""Reference leaderboard for the replay tests, written independently of src/replay.

usage: ref_leaderboard.py SESSION_DIR OFFSET_MS...

Merges TimingData and TimingAppData (archive rules: deep merge, objects with decimal keys
patch arrays by index, index == length appends, "_kf" replaces, "_deleted" removes) up to
and including each offset (ms from the session's start) and prints, as JSON, for each
offset the cars in running order with the figures pitwall shows:
  {"<offset>": [{"number", "position" (null without one), "laps", "gap_ms", "gap_laps",
                 "interval_ms", "interval_laps", "tyre", "tyre_age", "tyre_new"}, ...]}
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


def board(td, tad):
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
        cars.append({
            "number": num, "position": pos or None, "laps": intval(car.get("NumberOfLaps")),
            "gap_ms": g[0], "gap_laps": g[1], "interval_ms": i[0], "interval_laps": i[1],
            "tyre": compound if compound in TYRES else "UNKNOWN",
            "tyre_age": intval(last.get("TotalLaps")), "tyre_new": new is True or new == "true",
        })
    placed = sorted((c for c in cars if c["position"]), key=lambda c: c["position"])
    for rank, c in enumerate(placed, 1):
        c["position"] = rank
    return placed + [c for c in cars if not c["position"]]


def main():
    session, offsets = sys.argv[1], [int(x) for x in sys.argv[2:]]
    td_lines = read_topic(session + "/TimingData.jsonStream")
    tad_lines = read_topic(session + "/TimingAppData.jsonStream")
    result = {}
    for off in offsets:
        td = tad = None
        for ms, d in td_lines:
            if ms > off:
                break
            td = merge(td, d)
        for ms, d in tad_lines:
            if ms > off:
                break
            tad = merge(tad, d)
        result[str(off)] = board(td, tad)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
