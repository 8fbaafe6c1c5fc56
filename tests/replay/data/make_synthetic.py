#!/usr/bin/env python3
"""Writes the repository's own synthetic archive sessions (run once; the output is committed).

Each session is in F1's archive layout, `<session>/<Topic>.jsonStream`, and is designed so
that every merge rule and every kind of bad line is exercised; test_replay_synthetic.c
asserts the results worked out by hand in the comments below.

  basic/    BOM + CRLF, all topics: nested merge, array patch by index, append, _kf,
            _deleted, race control list then appends, weather, two unknown topics.
  minimal/  TimingData and LapCount only, LF endings, no BOM (missing topics; lights out
            from LapCount).
  bad/      every kind of bad line (see the test).
  slowing/  a car passed again and again (a problem, not overtakes) and a car that gains
            places in one line because others drop back (a reshuffle, not passes).
  practice/ a 30-minute practice without DriverList (cars by racing number): order by best
            lap, gaps to the fastest, a red flag the clock runs through, stints, best sectors.
  qualifying/, sprint_qualifying/  four cars, NoEntries [4, 3, 2]: a red flag in Q1 (the
            clock stops), cut-off, one car knocked out in Q1 and one in Q2 (KnockedOut sent
            with the next SessionPart), best laps per part, Stats gaps, a deleted lap; the
            same session as a 2023-style Sprint Shootout with 12/10/8-minute parts.
  unusable/ sessions whose TimingData cannot drive a replay, each refused by replay_open
            with the file and the cause: empty (a BOM and line ends), random (random
            bytes), wrong (another topic's file: TimingAppData's lines), no_timing (no
            TimingData.jsonStream at all).
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(session, topic, lines, bom=True, eol="\r\n", final_eol=True, raw=False):
    d = os.path.join(HERE, session)
    os.makedirs(d, exist_ok=True)
    out = []
    for off, obj in lines:
        text = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        out.append(off + text)
    body = eol.join(out) + (eol if final_eol else "")
    with open(os.path.join(d, topic + ".jsonStream"), "wb") as f:
        if bom:
            f.write(b"\xef\xbb\xbf")
        f.write(body.encode("utf-8"))


def empty_car(pos):
    return {"Position": str(pos), "Line": pos, "GapToLeader": "", "IntervalToPositionAhead": {"Value": "", "Catching": False},
            "InPit": True, "PitOut": False, "Retired": False, "Stopped": False, "NumberOfPitStops": 0,
            "Sectors": [{"Value": "", "Status": 0}, {"Value": "", "Status": 0}, {"Value": "", "Status": 0}],
            "BestLapTime": {"Value": ""}, "LastLapTime": {"Value": ""}}


# ---- basic: lights out 00:01:00.000 (race 0), end 00:11:00.000 (race 600000) ----
write("basic", "SessionInfo", [("00:00:00.000", {
    "Meeting": {"Name": "Test Grand Prix", "Location": "Testville Park", "Circuit": {"Key": 1, "ShortName": "Testville"}},
    "Name": "Race", "Type": "Race", "StartDate": "2024-06-01T14:00:00"})])
write("basic", "SessionStatus", [
    ("00:00:01.000", {"Status": "Inactive"}), ("00:01:00.000", {"Status": "Started"}),
    ("00:10:00.000", {"Status": "Finished"}), ("00:11:00.000", {"Status": "Finalised"}),
    ("00:12:00.000", {"Status": "Ends"})])
write("basic", "LapCount", [
    ("00:00:02.000", {"CurrentLap": 1, "TotalLaps": 3}), ("00:03:00.000", {"CurrentLap": 2}),
    ("00:05:00.000", {"CurrentLap": 3})])
write("basic", "TrackStatus", [
    ("00:00:00.000", {"Status": "1", "Message": "AllClear"}), ("00:03:30.000", {"Status": "2", "Message": "Yellow"}),
    ("00:03:40.000", {"Status": "4", "Message": "SCDeployed"}), ("00:04:30.000", {"Status": "1", "Message": "AllClear"}),
    ("00:04:40.000", {"Status": "3", "Message": "Unknown"})])
write("basic", "DriverList", [
    ("00:00:03.000", {
        "1": {"RacingNumber": "1", "Tla": "VER", "FirstName": "Max", "LastName": "Verstappen", "FullName": "Max VERSTAPPEN",
              "TeamName": "Red Bull Racing", "TeamColour": "3671C6", "Line": 1},
        "44": {"RacingNumber": "44", "Tla": "HAM", "FullName": "Lewis HAMILTON", "TeamName": "Mercedes",
               "TeamColour": "6CD3BF", "Line": 2},
        "16": {"RacingNumber": "16", "Tla": "LEC", "FirstName": "Charles", "LastName": "Leclerc",
               "TeamName": "Ferrari", "TeamColour": "#E8002D", "Line": 3}}),
    # nested merge: one field of one driver
    ("00:00:04.000", {"44": {"TeamColour": "00D2BE"}})])
write("basic", "TimingData", [
    ("00:00:05.000", {"Lines": {"1": empty_car(1), "44": empty_car(2), "16": empty_car(3)}, "Withheld": False}),
    ("00:00:50.000", {"Lines": {"1": {"InPit": False}, "44": {"InPit": False}, "16": {"InPit": False}}}),
    # array patch by index (Sectors[0])
    ("00:01:30.000", {"Lines": {"1": {"Sectors": {"0": {"Value": "29.500"}}}}}),
    ("00:02:30.000", {"Lines": {"1": {"NumberOfLaps": 1, "GapToLeader": "LAP 2", "LastLapTime": {"Value": "1:30.000"},
                                      "BestLapTime": {"Value": "1:30.000", "Lap": 1},
                                      "Sectors": {"1": {"Value": "30.100"}, "2": {"Value": "30.400"}}}}}),
    ("00:02:31.000", {"Lines": {"44": {"NumberOfLaps": 1, "GapToLeader": "+1.000", "IntervalToPositionAhead": {"Value": "+1.000"},
                                       "LastLapTime": {"Value": "1:31.000"}, "BestLapTime": {"Value": "1:31.000", "Lap": 1}}}}),
    ("00:02:32.500", {"Lines": {"16": {"NumberOfLaps": 1, "GapToLeader": "+2.500", "IntervalToPositionAhead": {"Value": "+1.500"},
                                       "LastLapTime": {"Value": "1:32.500"}, "BestLapTime": {"Value": "1:32.500", "Lap": 1}}}}),
    # 44 passes 1 and holds: an overtake
    ("00:03:10.000", {"Lines": {"44": {"Position": "1", "GapToLeader": "LAP 2", "IntervalToPositionAhead": {"Value": ""}},
                                "1": {"Position": "2", "GapToLeader": "+0.400", "IntervalToPositionAhead": {"Value": "+0.400"}}}}),
    # 16 passes 1 and is back behind within a second: no overtake
    ("00:03:20.000", {"Lines": {"16": {"Position": "2"}, "1": {"Position": "3"}}}),
    ("00:03:21.000", {"Lines": {"1": {"Position": "2"}, "16": {"Position": "3"}}}),
    # under the safety car (from 00:03:40): a place change is no overtake
    ("00:03:45.000", {"Lines": {"16": {"Position": "2"}, "1": {"Position": "3"}}}),
    ("00:03:50.000", {"Lines": {"1": {"InPit": True, "NumberOfPitStops": 1}}}),
    ("00:04:00.000", {"Lines": {"44": {"NumberOfLaps": 2, "GapToLeader": "LAP 3", "LastLapTime": {"Value": "1:29.000"},
                                       "BestLapTime": {"Value": "1:29.000", "Lap": 2}},
                                "16": {"NumberOfLaps": 2, "GapToLeader": "+4.000", "IntervalToPositionAhead": {"Value": "+4.000"},
                                       "LastLapTime": {"Value": "1:35.000"}}}}),
    ("00:04:10.000", {"Lines": {"1": {"InPit": False, "PitOut": True}}}),
    # keyframe: replaces the state (16 has no LastLapTime any more)
    ("00:04:20.000", {"_kf": True, "Lines": {
        "44": {"Position": "1", "GapToLeader": "LAP 3", "IntervalToPositionAhead": {"Value": ""}, "NumberOfLaps": 2,
               "InPit": False, "PitOut": False, "Retired": False, "Stopped": False, "NumberOfPitStops": 0,
               "LastLapTime": {"Value": "1:29.000"}, "BestLapTime": {"Value": "1:29.000", "Lap": 2},
               "Sectors": [{"Value": "29.000"}, {"Value": "30.000"}, {"Value": "30.000"}]},
        "16": {"Position": "2", "GapToLeader": "+4.000", "IntervalToPositionAhead": {"Value": "+4.000"}, "NumberOfLaps": 2,
               "InPit": False, "PitOut": False, "Retired": False, "Stopped": False, "NumberOfPitStops": 0,
               "BestLapTime": {"Value": "1:32.500", "Lap": 1},
               "Sectors": [{"Value": "31.000"}, {"Value": "32.000"}, {"Value": "32.000"}]},
        "1": {"Position": "3", "GapToLeader": "1 L", "IntervalToPositionAhead": {"Value": "1L"}, "NumberOfLaps": 1,
              "InPit": False, "PitOut": True, "Retired": False, "Stopped": False, "NumberOfPitStops": 1,
              "LastLapTime": {"Value": "1:30.000"}, "BestLapTime": {"Value": "1:30.000", "Lap": 1},
              "Sectors": [{"Value": "29.500"}, {"Value": "30.100"}, {"Value": "30.400"}]}}}),
    # _deleted: 16 loses its position (goes last), then gets it back (under SC: no overtake)
    ("00:04:25.000", {"Lines": {"16": {"_deleted": ["Position"]}}}),
    ("00:04:26.000", {"Lines": {"16": {"Position": "2"}, "1": {"PitOut": False}}}),
    ("00:04:50.000", {"Lines": {"1": {"Retired": True, "Stopped": True}}}),
    ("00:05:30.000", {"Lines": {"44": {"NumberOfLaps": 3, "LastLapTime": {"Value": "1:28.500"},
                                       "BestLapTime": {"Value": "1:28.500", "Lap": 3}}}}),
    ("00:05:34.000", {"Lines": {"16": {"NumberOfLaps": 3, "LastLapTime": {"Value": "1:34.000"}}}}),
])
write("basic", "TimingAppData", [
    ("00:00:06.000", {"Lines": {"1": {"RacingNumber": "1", "Line": 1, "GridPos": "1"},
                                "44": {"RacingNumber": "44", "Line": 2, "GridPos": "2"},
                                "16": {"RacingNumber": "16", "Line": 3, "GridPos": "3"}}}),
    ("00:00:40.000", {"Lines": {"1": {"Stints": [{"Compound": "MEDIUM", "New": "true", "TotalLaps": 0, "StartLaps": 0}]},
                                "44": {"Stints": [{"Compound": "SOFT", "New": "false", "TotalLaps": 3, "StartLaps": 3}]},
                                "16": {"Stints": [{"Compound": "MEDIUM", "New": "true", "TotalLaps": 0, "StartLaps": 0}]}}}),
    ("00:02:31.500", {"Lines": {"1": {"Stints": {"0": {"TotalLaps": 1}}}, "44": {"Stints": {"0": {"TotalLaps": 4}}},
                                "16": {"Stints": {"0": {"TotalLaps": 1}}}}}),
    ("00:04:01.000", {"Lines": {"44": {"Stints": {"0": {"TotalLaps": 5}}}, "16": {"Stints": {"0": {"TotalLaps": 2}}}}}),
    # append: index 1 == length
    ("00:04:12.000", {"Lines": {"1": {"Stints": {"1": {"Compound": "HARD", "New": "true", "TotalLaps": 0, "StartLaps": 0}}}}}),
    ("00:05:35.000", {"Lines": {"44": {"Stints": {"0": {"TotalLaps": 6}}}, "16": {"Stints": {"0": {"TotalLaps": 3}}}}}),
])
write("basic", "RaceControlMessages", [
    ("00:00:10.000", {"Messages": [{"Utc": "2024-06-01T13:58:00", "Category": "Other", "Message": "PIT EXIT OPEN"}]}),
    ("00:03:40.000", {"Messages": {"1": {"Category": "SafetyCar", "Message": "SAFETY CAR DEPLOYED"}}}),
    ("00:04:30.000", {"Messages": {"2": {"Category": "SafetyCar", "Message": "SAFETY CAR IN THIS LAP \u2014 \u00c9CLAIR \u2713"}}}),
    ("00:05:30.000", {"Messages": {"3": {"Category": "Flag", "Flag": "CHEQUERED", "Message": "CHEQUERED FLAG"}}}),
    ("00:11:30.000", {"Messages": {"4": {"Category": "Other", "Message": "POST RACE NOTICE"}}}),
])
write("basic", "WeatherData", [
    ("00:00:20.000", {"AirTemp": "24.5", "Humidity": "50.0", "Pressure": "1010.0", "Rainfall": "0", "TrackTemp": "40.1",
                      "WindDirection": "180", "WindSpeed": "1.5"}),
    ("00:04:00.000", {"Rainfall": "1", "TrackTemp": "35.0"}),
])
# Unknown topics: never opened, whatever they hold.
write("basic", "CarData.z", [("00:00:01.000", '"7ZBBCsIwEEX/ZdYRkjRN2+xcuBAU3Lu+")')])
write("basic", "Heartbeat", [("00:00:01.000", "not json at all {")])

# ---- minimal: no BOM, LF, only TimingData and LapCount; lights out from LapCount ----
# LapCount: lap 2 at 00:03:00, lap 3 at 00:04:40 -> lights out 00:03:00 - 100 s = 00:01:20.
write("minimal", "LapCount", [("00:00:30.000", {"CurrentLap": 1, "TotalLaps": 3}), ("00:03:00.000", {"CurrentLap": 2}),
                              ("00:04:40.000", {"CurrentLap": 3})], bom=False, eol="\n")
write("minimal", "TimingData", [
    ("00:00:30.000", {"Lines": {"5": {"Position": "2", "NumberOfLaps": 0}, "7": {"Position": "1", "NumberOfLaps": 0}}}),
    ("00:03:00.000", {"Lines": {"7": {"NumberOfLaps": 1, "GapToLeader": "LAP 2"},
                                "5": {"NumberOfLaps": 1, "GapToLeader": "+3.210", "IntervalToPositionAhead": {"Value": "+3.210"}}}}),
    ("00:05:00.000", {"Lines": {"5": {"Position": "1", "GapToLeader": "LAP 3"}, "7": {"Position": "2", "GapToLeader": "+0.500"}}}),
], bom=False, eol="\n", final_eol=False)

# ---- slowing: lights out 00:01:00 (race 0); six cars, P1..P6 = cars 1..6 ----
# Car 1 is passed by 2 at 30 s, 3 at 34 s, 4 at 38 s and 5 at 42 s: the first two are
# reported (each held 2 s, nothing shows yet that car 1 is in trouble), the third pass
# within 12 s of the last marks car 1 as slowing, and from then on passes on it are none.
# At 120 s car 6 goes from P6 to P2 in one line: a reshuffle, no pass. At 150 s car 6
# passes car 2 for P1: a plain overtake, reported at 152 s.
write("slowing", "SessionStatus", [("00:00:01.000", {"Status": "Inactive"}), ("00:01:00.000", {"Status": "Started"}),
                                   ("00:05:00.000", {"Status": "Finished"})], bom=False, eol="\n")
write("slowing", "LapCount", [("00:00:02.000", {"CurrentLap": 1, "TotalLaps": 5})], bom=False, eol="\n")


def order(*cars):
    return {"Lines": {str(c): {"Position": str(i + 1)} for i, c in enumerate(cars)}}


write("slowing", "TimingData", [
    ("00:00:05.000", {"Lines": {str(c): {"Position": str(c), "NumberOfLaps": 0, "InPit": False, "PitOut": False,
                                         "Retired": False, "Stopped": False} for c in range(1, 7)}}),
    ("00:01:30.000", order(2, 1, 3, 4, 5, 6)),
    ("00:01:34.000", order(2, 3, 1, 4, 5, 6)),
    ("00:01:38.000", order(2, 3, 4, 1, 5, 6)),
    ("00:01:42.000", order(2, 3, 4, 5, 1, 6)),
    ("00:03:00.000", order(2, 6, 3, 4, 5, 1)),
    ("00:03:30.000", order(6, 2, 3, 4, 5, 1)),
], bom=False, eol="\n")

# ---- bad: every kind of bad line; opened with max_line_bytes = 4096 by the test ----
deep = '{"a":' * 100 + "1" + "}" * 100
many = {str(n): {} for n in range(3, 33)}  # 30 more cars: 24 fit (26 in all), 6 do not
write("bad", "SessionStatus", [("00:00:01.000", {"Status": "Started"})])
write("bad", "LapCount", [("00:00:01.000", "{CurrentLap:1}")])                      # invalid JSON
write("bad", "TimingData", [
    ("00:00:02.000", {"Lines": {"1": empty_car(1), "2": empty_car(2)}}),
    ("00:00:10.000", '{"Lines":{"1":{"Position":'),                                   # invalid JSON (cut)
    ("", "garbage line without an offset"),                                            # bad offset
    ("00:61:00.000", "{}"),                                                            # bad offset
    ("00:00:05.000", {"Lines": {"2": {"NumberOfLaps": 1}}}),                           # out of order: kept
    ("00:00:20.000", "[1,2,3]"),                                                       # not an object
    ("00:00:21.000", {"Lines": {"abc": {"Position": "3"}, "1234": {"Position": "4"}, "007": {}}}),  # 3 unknown
    ("00:00:22.000", {"Lines": {"1": {"Junk": "x" * 5000}}}),                          # too long
    ("00:00:23.000", ""),                                                              # offset only
    ("", ""), ("", ""),                                                                # empty lines
    ("00:00:24.000", {"Lines": {"1": {"Sectors": {"7": {"Value": "1.0"}}}}}),          # index past the end
    ("00:00:25.000", '{"Lines":{"1":{"Deep":' + deep + "}}}"),                         # too deep
    ("00:00:26.000", {"Lines": many}),                                                 # 6 over the car table
    ("00:00:30.000", {"Lines": {"2": {"Position": "1"}, "1": {"Position": "2"}}}),
    ("00:00:40.000", '{"Lines":{"1":'),                                                # cut, no newline
], final_eol=False)

# ---- unusable: refused at open, never replayed (docs/REPLAY.md) ----
drivers = {"00:00:01.000": {"1": {"RacingNumber": "1", "Tla": "VER", "Line": 1},
                            "44": {"RacingNumber": "44", "Tla": "HAM", "Line": 2}}}
info = {"Meeting": {"Name": "Test Grand Prix", "Circuit": {"ShortName": "Testville"}}, "Type": "Race", "Name": "Race",
        "StartDate": "2024-06-01T14:00:00"}
for name in ("empty", "random", "wrong", "no_timing"):
    write("unusable/" + name, "SessionInfo", [("00:00:00.000", info)])
    write("unusable/" + name, "DriverList", list(drivers.items()))
    write("unusable/" + name, "SessionStatus", [("00:01:00.000", {"Status": "Started"}),
                                                ("00:02:00.000", {"Status": "Finished"})])
with open(os.path.join(HERE, "unusable/empty/TimingData.jsonStream"), "wb") as f:
    f.write(b"\xef\xbb\xbf\r\n\r\n")
rng = random.Random(14)
with open(os.path.join(HERE, "unusable/random/TimingData.jsonStream"), "wb") as f:
    f.write(bytes(rng.randrange(256) for _ in range(4096)))
write("unusable/wrong", "TimingData", [
    ("00:00:06.000", {"Lines": {"1": {"RacingNumber": "1", "Line": 1, "GridPos": "1"},
                                "44": {"RacingNumber": "44", "Line": 2, "GridPos": "2"}}}),
    ("00:00:40.000", {"Lines": {"1": {"Stints": [{"Compound": "MEDIUM", "New": "true", "TotalLaps": 0}]}}}),
])


# ---- practice: 30 minutes (SessionInfo 12:00-12:30), lights out 00:01:00 (race 0) ----
# Red flag 00:10:00-00:15:00: the practice clock runs on (00:31:00 is 30:00 after the start).
# No DriverList: the cars are "Car 7", "Car 8", "Car 9". Final order by best lap: 8 (1:30.000),
# 9 (1:30.400), 7 (1:31.000).
def hms(sec):
    return "%02d:%02d:%02d.000" % (sec // 3600, sec // 60 % 60, sec % 60)


write("practice", "SessionInfo", [("00:00:00.000", {
    "Meeting": {"Name": "Test Grand Prix", "Circuit": {"ShortName": "Testville"}}, "Type": "Practice", "Number": 1,
    "Name": "Practice 1", "StartDate": "2024-06-01T12:00:00", "EndDate": "2024-06-01T12:30:00"})])
write("practice", "SessionStatus", [
    ("00:00:05.000", {"Status": "Inactive"}), ("00:01:00.000", {"Status": "Started"}),
    ("00:10:00.000", {"Status": "Aborted"}), ("00:12:00.000", {"Status": "Inactive"}),
    ("00:15:00.000", {"Status": "Started"}), ("00:31:00.000", {"Status": "Finished"}),
    ("00:33:00.000", {"Status": "Finalised"})])
write("practice", "TrackStatus", [("00:00:00.000", {"Status": "1"}), ("00:10:00.000", {"Status": "5"}),
                                  ("00:14:50.000", {"Status": "1"})])


def pcar(pos):
    return {"Position": str(pos), "Line": pos, "TimeDiffToFastest": "", "TimeDiffToPositionAhead": "", "InPit": True,
            "PitOut": False, "Retired": False, "Stopped": False, "NumberOfLaps": 0, "NumberOfPitStops": 0,
            "Sectors": [{"Value": ""}, {"Value": ""}, {"Value": ""}], "BestLapTime": {"Value": ""},
            "LastLapTime": {"Value": ""}}


def lap(n, time, sectors, **kw):
    d = {"NumberOfLaps": n, "LastLapTime": {"Value": time}, "InPit": False,
         "Sectors": {str(i): {"Value": v} for i, v in enumerate(sectors)}}
    d.update(kw)
    return d


write("practice", "TimingData", [
    ("00:00:10.000", {"Lines": {"7": pcar(1), "8": pcar(2), "9": pcar(3)}}),
    ("00:03:00.000", {"Lines": {"7": lap(1, "1:31.000", ["30.000", "31.000", "30.000"],
                                         BestLapTime={"Value": "1:31.000", "Lap": 1})}}),
    ("00:03:30.000", {"Lines": {"9": lap(1, "1:32.000", ["30.500", "31.000", "30.500"], Position="2",
                                         BestLapTime={"Value": "1:32.000", "Lap": 1}, TimeDiffToFastest="+1.000",
                                         TimeDiffToPositionAhead="+1.000"),
                                "8": {"Position": "3"}}}),
    # car 8 goes fastest: first; the others' gaps are to its lap
    ("00:20:00.000", {"Lines": {"8": lap(1, "1:30.000", ["29.800", "30.400", "29.800"], Position="1",
                                         BestLapTime={"Value": "1:30.000", "Lap": 1}, TimeDiffToFastest=""),
                                "7": {"Position": "2", "TimeDiffToFastest": "+1.000", "TimeDiffToPositionAhead": "+1.000"},
                                "9": {"Position": "3", "TimeDiffToFastest": "+2.000", "TimeDiffToPositionAhead": "+1.000"}}}),
    # car 9 improves to second; a slower lap by 7 does not change its best
    ("00:25:00.000", {"Lines": {"9": lap(2, "1:30.400", ["29.900", "30.500", "30.000"], Position="2",
                                         BestLapTime={"Value": "1:30.400", "Lap": 2}, TimeDiffToFastest="+0.400",
                                         TimeDiffToPositionAhead="+0.400"),
                                "7": {"Position": "3", "TimeDiffToFastest": "+1.000", "TimeDiffToPositionAhead": "+0.600"}}}),
    ("00:26:00.000", {"Lines": {"7": lap(2, "1:33.000", ["29.700", "32.000", "31.300"])}}),
])
write("practice", "TimingAppData", [
    ("00:00:11.000", {"Lines": {"7": {"RacingNumber": "7", "Line": 1}, "8": {"RacingNumber": "8", "Line": 2},
                                "9": {"RacingNumber": "9", "Line": 3}}}),
    ("00:02:00.000", {"Lines": {"7": {"Stints": [{"Compound": "MEDIUM", "New": "true", "TotalLaps": 0}]},
                                "8": {"Stints": [{"Compound": "HARD", "New": "true", "TotalLaps": 0}]},
                                "9": {"Stints": [{"Compound": "MEDIUM", "New": "true", "TotalLaps": 0}]}}}),
    ("00:18:00.000", {"Lines": {"8": {"Stints": {"1": {"Compound": "SOFT", "New": "true", "TotalLaps": 0}}}}}),
])


# ---- qualifying and sprint_qualifying: four cars, NoEntries [4, 3, 2] ----
# Part lengths L1, L2, L3 (18/15/12 min, or 12/10/8). Q1 starts at 00:01:00 (race 0), red
# flag after 4 minutes for 3 minutes (the clock stops), then runs out; Q2 and Q3 start 3
# minutes after the part before ends. Car 16 is knocked out in Q1, car 1 in Q2; final order
# (the grid): 4 44 1 16. Best laps per part: 4 [1:39.800, 1:39.500, 1:38.500],
# 44 [1:40.500, 1:39.000, 1:38.700], 1 [1:40.000, 1:39.900, -], 16 [1:41.000, -, -].
# Race control deletes a lap of car 44 in Q2.
def qualifying(session, name, lens):
    q1 = 60
    red, red_len = q1 + 240, 180
    q1_end = q1 + lens[0] * 60 + red_len
    q2 = q1_end + 180
    q2_end = q2 + lens[1] * 60
    q3 = q2_end + 180
    q3_end = q3 + lens[2] * 60
    write(session, "SessionInfo", [("00:00:00.000", {
        "Meeting": {"Name": "Test Grand Prix", "Circuit": {"ShortName": "Testville"}}, "Type": "Qualifying",
        "Name": name, "StartDate": "2024-06-01T15:00:00", "EndDate": "2024-06-01T16:00:00"})])
    write(session, "SessionStatus", [
        (hms(5), {"Status": "Inactive"}), (hms(q1), {"Status": "Started"}), (hms(red), {"Status": "Aborted"}),
        (hms(red + 60), {"Status": "Inactive"}), (hms(red + red_len), {"Status": "Started"}),
        (hms(q1_end), {"Status": "Finished"}), (hms(q1_end + 30), {"Status": "Inactive"}),
        (hms(q2), {"Status": "Started"}), (hms(q2_end), {"Status": "Finished"}),
        (hms(q2_end + 30), {"Status": "Inactive"}), (hms(q3), {"Status": "Started"}),
        (hms(q3_end), {"Status": "Finished"}), (hms(q3_end + 120), {"Status": "Finalised"})])
    write(session, "TrackStatus", [("00:00:00.000", {"Status": "1"}), (hms(red), {"Status": "5"}),
                                   (hms(red + red_len - 10), {"Status": "1"})])
    write(session, "DriverList", [("00:00:01.000", {
        "1": {"RacingNumber": "1", "Tla": "VER", "FirstName": "Max", "LastName": "Verstappen", "Line": 1},
        "44": {"RacingNumber": "44", "Tla": "HAM", "FirstName": "Lewis", "LastName": "Hamilton", "Line": 2},
        "16": {"RacingNumber": "16", "Tla": "LEC", "FirstName": "Charles", "LastName": "Leclerc", "Line": 3},
        "4": {"RacingNumber": "4", "Tla": "NOR", "FirstName": "Lando", "LastName": "Norris", "Line": 4}})])

    def qcar(pos):
        return {"Position": str(pos), "Line": pos, "KnockedOut": False, "Cutoff": False,
                "BestLapTimes": [{"Value": ""}, {}, {}],
                "Stats": [{"TimeDiffToFastest": "", "TimeDifftoPositionAhead": ""} for _ in range(3)],
                "InPit": True, "PitOut": False, "Retired": False, "Stopped": False, "NumberOfLaps": 0,
                "Sectors": [{"Value": ""}, {"Value": ""}, {"Value": ""}], "BestLapTime": {"Value": ""},
                "LastLapTime": {"Value": ""}}

    def qlap(part, n, time, pos, fastest, ahead, sectors):
        return {"NumberOfLaps": n, "LastLapTime": {"Value": time}, "BestLapTime": {"Value": time, "Lap": n},
                "BestLapTimes": {str(part - 1): {"Value": time, "Lap": n}}, "Position": str(pos), "InPit": False,
                "Stats": {str(part - 1): {"TimeDiffToFastest": fastest, "TimeDifftoPositionAhead": ahead}},
                "Sectors": {str(i): {"Value": v} for i, v in enumerate(sectors)}}

    def reset(part):
        return {"BestLapTimes": {str(part - 1): {"Value": ""}}, "BestLapTime": {"Value": "", "_deleted": ["Lap"]},
                "Sectors": {"0": {"Value": ""}, "1": {"Value": ""}, "2": {"Value": ""}}}

    def stats(part, fastest, ahead):
        return {"Stats": {str(part - 1): {"TimeDiffToFastest": fastest, "TimeDifftoPositionAhead": ahead}}}

    def merged(*ds):
        out = {}
        for d in ds:
            out.update(d)
        return out

    write(session, "TimingData", [
        ("00:00:10.000", {"NoEntries": [4, 3, 2], "SessionPart": 1, "CutOffTime": "", "CutOffPercentage": "107",
                          "Lines": {"1": qcar(1), "44": qcar(2), "16": qcar(3), "4": qcar(4)}}),
        (hms(q1 + 120), {"Lines": {"1": qlap(1, 1, "1:40.000", 1, "", "", ["33.000", "34.000", "33.000"])}}),
        (hms(q1 + 150), {"Lines": {"44": qlap(1, 1, "1:40.500", 2, "+0.500", "+0.500", ["33.100", "34.200", "33.200"])}}),
        (hms(q1 + 180), {"Lines": {"16": qlap(1, 1, "1:41.000", 3, "+1.000", "+0.500", ["33.500", "34.300", "33.200"])}}),
        # after the red flag car 4 goes fastest: 16 drops to the drop zone (P4 > cut-off P3)
        (hms(red + red_len + 120), {"Lines": {
            "4": qlap(1, 2, "1:39.800", 1, "", "", ["32.800", "34.000", "33.000"]),
            "1": merged({"Position": "2"}, stats(1, "+0.200", "+0.200")),
            "44": merged({"Position": "3"}, stats(1, "+0.700", "+0.500")),
            "16": merged({"Position": "4"}, stats(1, "+1.200", "+0.500"))}}),
        # Q2: car 16 out, knocked out with the new part
        (hms(q1_end + 20), {"SessionPart": 2, "Lines": {
            "16": {"KnockedOut": True}, "1": reset(2), "44": reset(2), "4": reset(2)}}),
        (hms(q2 + 120), {"Lines": {"44": qlap(2, 3, "1:39.000", 1, "", "", ["32.700", "33.500", "32.800"]),
                                   "1": {"Position": "2"}, "4": {"Position": "3"}}}),
        (hms(q2 + 200), {"Lines": {"4": qlap(2, 4, "1:39.500", 2, "+0.500", "+0.500", ["32.900", "33.600", "33.000"]),
                                   "1": {"Position": "3"}}}),
        (hms(q2 + 260), {"Lines": {"1": qlap(2, 3, "1:39.900", 3, "+0.900", "+0.400", ["33.000", "33.800", "33.100"])}}),
        # Q3: car 1 out
        (hms(q2_end + 20), {"SessionPart": 3, "Lines": {"1": {"KnockedOut": True}, "44": reset(3), "4": reset(3)}}),
        (hms(q3 + 120), {"Lines": {"44": qlap(3, 5, "1:38.700", 1, "", "", ["32.500", "33.400", "32.800"])}}),
        (hms(q3 + 200), {"Lines": {"4": qlap(3, 6, "1:38.500", 1, "", "", ["32.400", "33.300", "32.800"]),
                                   "44": merged({"Position": "2"}, stats(3, "+0.200", "+0.200"))}}),
    ])
    write(session, "TimingAppData", [
        ("00:00:11.000", {"Lines": {n: {"RacingNumber": n, "Line": i + 1} for i, n in enumerate(["1", "44", "16", "4"])}}),
        (hms(q1 + 30), {"Lines": {n: {"Stints": [{"Compound": "SOFT", "New": "true", "TotalLaps": 0}]}
                                   for n in ["1", "44", "16", "4"]}}),
        (hms(q2 + 30), {"Lines": {n: {"Stints": {"1": {"Compound": "SOFT", "New": "true", "TotalLaps": 0}}}
                                   for n in ["1", "44", "4"]}}),
    ])
    write(session, "RaceControlMessages", [
        (hms(red), {"Messages": [{"Category": "Flag", "Flag": "RED", "Message": "RED FLAG"}]}),
        (hms(q2 + 100), {"Messages": {"1": {"Category": "Other",
                                             "Message": "CAR 44 (HAM) TIME 1:38.000 DELETED - TRACK LIMITS AT TURN 4 LAP 2 15:30:00"}}}),
    ])


qualifying("qualifying", "Qualifying", (18, 15, 12))
qualifying("sprint_qualifying", "Sprint Shootout", (12, 10, 8))
