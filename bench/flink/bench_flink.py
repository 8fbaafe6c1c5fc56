#!/usr/bin/env python3
"""Flink commentary beside pitwall's embedded engine (docs/BENCHMARKS.md, section "flink").

One real Kafka broker and the FAKE schema registry (tools/kafka/kafka_env.sh); a pitwall race
runner, a pitwall commentary worker (the embedded engine, rules only) and a pitwall edge (to
start races); the Flink job (flink/sql/commentary.sql on a local MiniCluster, no model: the
fallback lines). Both engines read the same positions and write lines to topics of their own.

1. Live: RACES races at once (DURATION_S each, 4 ticks a second). Every line of either engine
   is received by this script; its delay is the time it arrived minus the wall time of the
   positions tick in which its moment (a lead change, retirement, podium place, pit stop or
   fastest lap, derived from the positions topic as the job derives them) first showed. A
   Flink line names its moment's tick (`timestamp`); an embedded line does not, so its moment
   is read from its words (the kind of moment its phrase says, the driver it names first; the
   latest such moment before the line); how often that rule finds the tick a Flink line names
   is printed. Embedded lines about no moment (lights out, the flag, the podium) are left out.
   Per engine also: the delays by kind of moment, and the gaps between a race's consecutive
   lines (how many came just after pitwall's pacing interval: the pacer held them). The CPU
   time each engine's process used over the races is printed per 1,000 positions records.
2. Backlog: pitwall stopped, the live races' positions records are copied COPIES times (new
   race ids, timestamps moved on so each copy's windows fall as the original's) into one
   partition as fast as the producer goes, then one record further on to close the last
   windows: records/s through the job = records / (last line received - first record sent).

Usage: bench_flink.py [RACES] [DURATION_S] [COPIES]   (scripts/bench.d/flink.sh; 4 90 10)
"""
import io
import re
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import fastavro
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "flink"))
from test_flink import (PITWALL, Procs, flink_command, http_json, log_has,  # noqa: E402
                        start_kafka_env, wait_for, write_pitwall_config)

WINDOW_MS = 5000  # commentary.sql's TUMBLE window
# pitwall's pacer says at most one line per race per 4,000 ms (commentary.min_interval_ms,
# src/commentary/cm_pacer.h): a line that came within JITTER_MS of that after the race's
# previous one is taken as held by the pacer until its slot opened
MIN_INTERVAL_MS = 4000
JITTER_MS = 400


def cpu_seconds(pid):
    """User + system CPU of a process and its children that were waited for."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class LineReader(threading.Thread):
    """Receives every line written to the two commentary topics, with its arrival time."""

    def __init__(self, bootstrap, topics):
        super().__init__(daemon=True)
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-%d" % os.getpid(),
                           "auto.offset.reset": "earliest", "enable.auto.commit": False,
                           "fetch.wait.max.ms": 10})
        self.c.subscribe(topics)
        self.lines, self.stop = [], False

    def run(self):
        while not self.stop:
            m = self.c.poll(0.1)
            if m is None or m.error():
                continue
            got = time.time() * 1000
            try:
                self.lines.append((m.topic(), got, json.loads(m.value())))
            except ValueError:
                pass
        self.c.close()


class Registry:
    """Writer schemas by id from the registry's REST API (what the job does too)."""

    def __init__(self, url):
        self.url, self.schemas = url, {}

    def schema(self, sid):
        if sid not in self.schemas:
            with urllib.request.urlopen("%s/schemas/ids/%d" % (self.url, sid), timeout=10) as r:
                self.schemas[sid] = fastavro.parse_schema(json.loads(json.loads(r.read())["schema"]))
        return self.schemas[sid]

    def decode(self, value):
        magic, sid = struct.unpack(">bI", value[:5])
        if magic != 0:
            raise ValueError("not the wire format")
        return sid, fastavro.schemaless_reader(io.BytesIO(value[5:]), self.schema(sid))

    def encode(self, sid, record):
        out = io.BytesIO()
        out.write(struct.pack(">bI", 0, sid))
        fastavro.schemaless_writer(out, self.schema(sid), record)
        return out.getvalue()


def read_topic(bootstrap, topic):
    """Every record of a topic, from the start to its current end."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-read-%f" % time.time(),
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    md = c.list_topics(topic, timeout=10).topics[topic]
    ends = {}
    for p in md.partitions:
        ends[p] = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
    c.assign([TopicPartition(topic, p, 0) for p in md.partitions])
    out, done = [], {p for p, e in ends.items() if e == 0}
    end = time.time() + 60
    while len(done) < len(ends) and time.time() < end:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        out.append((m.partition(), m.timestamp()[1], m.value()))
        if m.offset() + 1 >= ends[m.partition()]:
            done.add(m.partition())
    c.close()
    return out


def moments(records, podium_passes=False):
    """The job's moments per race, from the positions records (decoded, in tick order):
    (race, wall ms, kind, driver name), the first tick each showed in. A podium moment is a
    car entering the top three (the job's rule); with `podium_passes`, any place gained into
    P2 or P3 (pitwall's rule: src/commentary/cm_rules.c says a pass for P3 -> P2 too, which
    the job's rule would match to the car's older entry into the top three)."""
    prev, out = {}, []
    for r in sorted(records, key=lambda r: (r["race_id"] or "", r["timestamp"])):
        rid, num = r.get("race_id"), r.get("number")
        if not rid or not num:
            continue
        p = prev.get((rid, num))
        prev[(rid, num)] = r
        if p is None:
            continue
        kind = None
        if r["position"] == 1 and p["position"] > 1:
            kind = "lead"
        elif r["retired"] and not p["retired"]:
            kind = "retirement"
        elif (r["position"] in (2, 3) and r["position"] < p["position"] if podium_passes
              else r["position"] <= 3 < p["position"]) and not r["retired"]:
            kind = "podium"
        elif r["pit_stops"] > p["pit_stops"]:
            kind = "pit"
        elif (r["fastest_number"] == num and r["fastest_lap_ms"] > 0 and
              (p["fastest_number"] != num or r["fastest_lap_ms"] < p["fastest_lap_ms"])):
            kind = "fastest"
        if kind:
            out.append((rid, r["timestamp"], kind, r["driver_name"]))
    return out


# What a line says happened, from its words: pitwall's rules phrases (src/commentary/cm_phrase.c)
# and the job's fallback sentences. A line that is none of the job's moments (lights out, the
# final lap, the flag, the podium) is left out.
KINDS = [("retirement", re.compile(r"retire|out of the race|race is over|Retirement")),
         ("pit", re.compile(r"\bpits?\b|[Pp]it stop|Fresh tyres|stops? from the lead")),
         ("fastest", re.compile(r"[Ff]astest lap|purple|quickest lap")),
         ("not a moment", re.compile(r"Final lap|Last lap|Bell lap|final lap|restart|Lights out|"
                                     r"launches|[Cc]hequered|Victory|wins|Podium:|podium:")),
         ("lead", re.compile(r"lead|P1\b|leader")),
         ("podium", re.compile(r"\bP[23]\b"))]


def line_kind(text):
    for kind, pattern in KINDS:
        if pattern.search(text):
            return None if kind == "not a moment" else kind
    return None


def subject(text, drivers):
    """The driver a line names first (by surname), or None."""
    at = [(text.find(d.split()[-1]), d) for d in drivers if d.split()[-1] in text]
    return min(at)[1] if at else None


def named_moment(moment_list, race, arrived_ms, kind, driver):
    """The moment a line is taken to be about: the latest moment of its kind and of the
    driver it names first in `race` before it arrived."""
    best = None
    for m in moment_list:
        if m[0] == race and m[1] <= arrived_ms and m[2] == kind and m[3] == driver:
            if best is None or m[1] > best[1]:
                best = m
    return best


def main():
    races_n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    duration_s = int(sys.argv[2]) if len(sys.argv) > 2 else 90
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    tmp = tempfile.mkdtemp(prefix="pitwall-bench-flink-")
    env_dir = os.path.join(tmp, "kafka")
    procs = Procs()
    reader = admin = prod = None
    status = 1
    # The broker, the job and pitwall run in sessions of their own (a terminal's Ctrl-C does
    # not reach them): a SIGTERM or SIGHUP must end this script through `finally`, which
    # stops them, not kill it and leave them running.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))
    try:
        bootstrap, registry = start_kafka_env(env_dir)
        tag = "bf%d" % os.getpid()
        t = {k: "%s-%s" % (tag, k) for k in
             ("positions", "commentary", "flink", "events", "control", "telemetry")}

        # made now: a consumer subscribed to a topic that does not exist yet sees it only
        # at its next metadata refresh (minutes)
        admin = AdminClient({"bootstrap.servers": bootstrap})
        for f in admin.create_topics([NewTopic(t["flink"], 3, 1)]).values():
            f.result(30)
        flink_log = os.path.join(tmp, "flink.log")
        variables = {"BOOTSTRAP": bootstrap, "REGISTRY": registry, "GROUP": tag + "-flink",
                     "POSITIONS_TOPIC": t["positions"], "COMMENTARY_TOPIC": t["flink"],
                     "LLM_URL": "", "LLM_MODEL": "", "LLM_TIMEOUT_MS": "3000"}
        # not niced: a benchmark's processes run as they would in production
        flink = procs.start(flink_command(variables, ["flink/sql/commentary.sql"]), flink_log,
                            env=dict(os.environ, PITWALL_FLINK_NICE="0"))

        cfg = os.path.join(tmp, "pitwall.yaml")
        write_pitwall_config(cfg, bootstrap, registry, t, tag, head="commentary:\n  enabled: true\n")
        pw = {}
        for role in ("runner", "commentary", "edge"):
            log = os.path.join(tmp, role + ".log")
            pw[role] = procs.start([PITWALL, "--config", cfg, "--port", "0", "--role", role,
                                    "--history", os.path.join(tmp, role + ".db")], log)
        edge_port = int(wait_for(lambda: log_has(os.path.join(tmp, "edge.log"),
                                                 r"listening on http://[^:]+:(\d+)/"),
                                 30, "edge listening").group(1))
        t0 = time.time()
        wait_for(lambda: log_has(flink_log, r"pitwall-flink: job "), 300, "the Flink job to start")
        print("# Flink job started in %.0f s" % (time.time() - t0), flush=True)
        reader = LineReader(bootstrap, [t["commentary"], t["flink"]])
        reader.start()
        time.sleep(10)  # the job's Kafka source finds the positions topic (discovery: 5 s)

        # ---- 1. live
        cpu0 = {"flink": cpu_seconds(flink.pid), "embedded": cpu_seconds(pw["commentary"].pid)}
        race_ids = []
        for i in range(races_n):
            _, started = http_json(edge_port, "/api/race/start", "POST",
                                   {"driver_name": "Lando Norris", "duration_s": duration_s,
                                    "tick_hz": 4, "laps": 40, "seed": 11 + i})
            race_ids.append(started["race_id"])
        wait_for(lambda: all(http_json(edge_port, "/api/race/%s/status" % r)[1]["status"]
                             in ("finished", "stopped", "failed") for r in race_ids),
                 duration_s * 3 + 60, "the races to end", step=2)
        # the last window of each race closes once the watermark moves on: one race more
        http_json(edge_port, "/api/race/start", "POST",
                  {"driver_name": "Oscar Piastri", "duration_s": 8, "tick_hz": 4, "laps": 5})
        time.sleep(15)
        cpu1 = {"flink": cpu_seconds(flink.pid), "embedded": cpu_seconds(pw["commentary"].pid)}
        for role in ("edge", "commentary", "runner"):
            procs.stop(pw[role])

        reg = Registry(registry)
        raw = read_topic(bootstrap, t["positions"])
        decoded = []
        for _, kts, value in raw:
            try:
                sid, rec = reg.decode(value)
            except (ValueError, EOFError, struct.error):
                continue
            decoded.append((kts, sid, rec))
        live = [(k, s, r) for k, s, r in decoded if r["race_id"] in race_ids]
        found = moments([r for _, _, r in live])
        found_embedded = moments([r for _, _, r in live], podium_passes=True)
        delays = {"flink": [], "embedded": []}
        by_kind = {"flink": {}, "embedded": {}}
        sent_at = {"flink": {}, "embedded": {}}  # race -> arrival times of all its lines
        agree = unmatched_emb = unmatched_flink = 0
        drivers = {}
        for _, _, r in live:
            drivers.setdefault(r["race_id"], set()).add(r["driver_name"])
        for topic, got, line in reader.lines:
            if line.get("race_id") not in race_ids:
                continue
            sent_at["flink" if topic == t["flink"] else "embedded"].setdefault(
                line["race_id"], []).append(got)
            text = line.get("message", "")
            kind, who = line_kind(text), subject(text, drivers[line["race_id"]])
            guess = (named_moment(found if topic == t["flink"] else found_embedded,
                                  line["race_id"], got, kind, who) if kind and who else None)
            if topic == t["flink"]:
                named = [m for m in found if m[0] == line["race_id"] and m[1] == line["timestamp"]]
                if not named:
                    unmatched_flink += 1
                    continue
                agree += guess is not None and guess[1] == named[0][1]
                engine, moment = "flink", named[0]
            elif guess is None:
                unmatched_emb += 1
                continue
            else:
                engine, moment = "embedded", guess
            delays[engine].append(got - moment[1])
            by_kind[engine].setdefault(moment[2], []).append(got - moment[1])
        n_records = len(live)
        print("live: %d races x %d s at 4 Hz, %d positions records" % (races_n, duration_s, n_records))
        for k in ("flink", "embedded"):
            d = delays[k]
            cpu = cpu1[k] - cpu0[k]
            print("  %-8s lines %3d  delay p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms  "
                  "CPU %.1f s (%.1f ms per 1,000 records)"
                  % (k, len(d), percentile(d, 50), percentile(d, 99), max(d) if d else 0,
                     cpu, 1e6 * cpu / max(1, n_records)))
        for k in ("flink", "embedded"):
            print("  %-8s by moment: %s" % (k, ", ".join(
                "%s %d (p50 %.0f, max %.0f ms)" % (kind, len(d), percentile(d, 50), max(d))
                for kind, d in sorted(by_kind[k].items()))))
            gaps = [b - a for times in sent_at[k].values() for a, b in zip(times, times[1:])]
            print("  %-8s gaps between a race's lines: min %.0f ms, %d of %d within %d-%d ms"
                  % (k, min(gaps) if gaps else 0,
                     sum(MIN_INTERVAL_MS <= g < MIN_INTERVAL_MS + JITTER_MS for g in gaps),
                     len(gaps), MIN_INTERVAL_MS, MIN_INTERVAL_MS + JITTER_MS))
        print("  lines about no moment (or none found): flink %d, embedded %d; the words rule "
              "finds the tick a Flink line names for %d of %d" % (unmatched_flink, unmatched_emb,
                                                                  agree, len(delays["flink"])))
        ratio = lambda p: percentile(delays["flink"], p) / max(1.0, percentile(delays["embedded"], p))
        print("  ratio flink/embedded: delay p50 %.2f, p99 %.2f, CPU per record %.2f"
              % (ratio(50), ratio(99),
                 (cpu1["flink"] - cpu0["flink"]) / max(1e-9, cpu1["embedded"] - cpu0["embedded"])))

        # ---- 2. backlog
        live.sort(key=lambda x: x[2]["timestamp"])
        first_ts, last_ts = live[0][2]["timestamp"], live[-1][2]["timestamp"]
        span = ((last_ts - first_ts) // WINDOW_MS + 3) * WINDOW_MS
        base = first_ts + ((int(time.time() * 1000) - first_ts) // WINDOW_MS + 2) * WINDOW_MS
        batch, copy_ids = [], set()
        for c in range(copies):
            shift = base + c * span - first_ts
            for _, sid, rec in live:
                r = dict(rec)
                r["race_id"] = "copy%d-%s" % (c, rec["race_id"])
                copy_ids.add(r["race_id"])
                batch.append((r["race_id"].encode(), reg.encode(sid, r), rec["timestamp"] + shift))
        end_ts = base + copies * span + 2 * WINDOW_MS
        closer = dict(live[-1][2], race_id="copy-end", timestamp=end_ts)
        batch.append((b"copy-end", reg.encode(live[-1][1], closer), end_ts))
        prod = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20,
                         "queue.buffering.max.messages": 1000000})
        sent0 = time.time() * 1000
        for key, value, ts in batch:
            while True:
                try:
                    prod.produce(t["positions"], key=key, value=value, partition=0, timestamp=ts)
                    break
                except BufferError:
                    prod.poll(0.05)
        prod.flush(60)
        sent1 = time.time() * 1000

        def copy_lines():
            return [(got, line) for topic, got, line in list(reader.lines)
                    if topic == t["flink"] and line.get("race_id") in copy_ids]
        last_n, still = -1, time.time()
        deadline = time.time() + 600
        while time.time() < deadline:
            n = len(copy_lines())
            if n != last_n:
                last_n, still = n, time.time()
            elif time.time() - still > 20:
                break
            time.sleep(1)
        got = copy_lines()
        live_flink = sum(1 for topic, _, line in reader.lines
                         if topic == t["flink"] and line.get("race_id") in race_ids)
        n_backlog = len(batch)
        if got:
            last = max(g for g, _ in got)
            secs = (last - sent0) / 1000.0
            print("backlog: %d records in %d copies, sent in %.1f s; %d lines (%d expected: %d "
                  "copies x %d live); last line %.1f s after the first record: %.0f records/s "
                  "through the job" % (n_backlog, copies, (sent1 - sent0) / 1000.0, len(got),
                                        copies * live_flink, copies, live_flink, secs,
                                        n_backlog / secs))
        else:
            print("backlog: no line came back")
        status = 0 if got and delays["flink"] and delays["embedded"] else 1
    except Exception as e:  # a step that could not run: say which
        print("bench_flink: %r" % e)
        for name in sorted(os.listdir(tmp)):
            if name.endswith(".log"):
                print("---- %s (last lines)" % name)
                print(open(os.path.join(tmp, name), errors="replace").read()[-2000:])
    finally:
        if reader:
            reader.stop = True
            reader.join(5)
        procs.stop_all()
        # Kafka clients gone before their broker, or they retry it until this script exits
        admin = prod = None
        subprocess.run(["bash", "tools/kafka/kafka_env.sh", "stop", env_dir], cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.environ.get("PITWALL_BENCH_KEEP") == "1":
            print("# kept " + tmp)
        else:
            subprocess.run(["rm", "-rf", tmp])
    return status


if __name__ == "__main__":
    sys.exit(main())
