#!/usr/bin/env python3
"""The Flink tier end to end: a real Apache Kafka broker (tools/kafka/kafka_env.sh, with the
FAKE schema registry), the Flink job (flink/run.sh: flink/sql/commentary.sql and
flink/sql/anomalies.sql on a local MiniCluster), pitwall as a race runner and as an edge with
no commentary engine of its own, and the FAKE chat server (tests/commentary/fake_chat_server.py)
standing in for the language model.

Shows:
  - Flink's commentary lines reach the edge, in the right race only, at most one per race per
    5-second window; the model's answers while the chat server answers, the plain fallback
    lines once it is gone, and each fallback line states a lead change, pit stop, podium
    place, retirement or fastest lap that really happened in that race's positions;
  - poison on the positions topic (three kinds) is skipped and counted by the job, which goes
    on; poison on the telemetry topic goes to the dead-letter topic with its reason;
  - the anomalies Flink writes equal the ones pitwall's embedded detector lists for the same
    readings (the simulator's faults and a fault injected into the telemetry topic at each
    severity), and the original client's anomaly calls answer 200 with its fields.

Usage: test_flink.py  (run by scripts/test.d/70-flink.sh with the py-kafka virtualenv).
Ends with the line 'N passed, M failed'.
"""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer, Producer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PITWALL = os.path.join(ROOT, "build", "src", "app", "pitwall")
RESULTS = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(("ok     " if ok else "FAILED ") + name + ("" if ok else ": " + str(detail)[:2000]),
          flush=True)
    return ok


def http_json(port, path, method="GET", body=None, timeout=10):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")


class Procs:
    """Every process the test starts, stopped at the end whatever happens."""

    def __init__(self):
        self.procs = []

    def start(self, args, log_path, **kw):
        log = open(log_path, "w")
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                             start_new_session=True, **kw)
        self.procs.append((p, log))
        return p

    def stop(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
                p.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def stop_all(self):
        for p, log in reversed(self.procs):
            self.stop(p)
            log.close()


def wait_for(pred, timeout, what, step=0.3):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise TimeoutError(what)


def log_has(path, pattern):
    try:
        with open(path, errors="replace") as f:
            return re.search(pattern, f.read())
    except OSError:
        return None


class StreamReader(threading.Thread):
    """Reads one of a race's original streams (/api/positions/stream or
    /api/commentary/stream, ?race_id=) to its end frame: every frame's data object."""

    def __init__(self, port, kind, race_id):
        super().__init__(daemon=True)
        self.url = "http://127.0.0.1:%d/api/%s/stream?race_id=%s" % (port, kind, race_id)
        self.kind, self.frames, self.ended = kind, [], False

    def run(self):
        try:
            with urllib.request.urlopen(self.url, timeout=120) as r:
                for raw in r:
                    line = raw.decode().rstrip("\n")
                    if not line.startswith("data:"):
                        continue
                    frame = json.loads(line[5:])
                    if frame.get("type") == "end":
                        self.ended = True
                        return
                    if frame.get("type") == self.kind:
                        self.frames.append(frame["data"])
        except (OSError, ValueError):
            pass


class RaceReader:
    """A race's running order (every tick) and commentary, from the edge's original streams."""

    def __init__(self, port, race_id):
        self.pos = StreamReader(port, "positions", race_id)
        self.com = StreamReader(port, "commentary", race_id)

    def start(self):
        self.pos.start()
        self.com.start()

    def join(self, timeout):
        self.pos.join(timeout)
        self.com.join(timeout)

    @property
    def positions(self):
        return self.pos.frames

    @property
    def commentary(self):
        return self.com.frames

    @property
    def ended(self):
        return self.pos.ended and self.com.ended


def facts_of(positions):
    """What happened in a race, from its positions frames, as the sentences the job's
    fallback lines use."""
    facts = set()
    prev = {}
    fastest = None
    for frame in positions:
        cars = frame.get("positions") or frame.get("cars") or []
        for car in cars:
            num, name = car["number"], car["driver_name"]
            p = prev.get(num)
            if p:
                if car["position"] == 1 and p["position"] > 1:
                    facts.add("%s takes the lead!" % name)
                if car["position"] <= 3 < p["position"]:
                    facts.add("%s moves up to P%d." % (name, car["position"]))
                if car["pit_stops"] > p["pit_stops"]:
                    facts.add("%s comes into the pits." % name)
                if car["retired"] and not p["retired"]:
                    facts.add("%s is out of the race." % name)
            prev[num] = car
        fl = frame.get("fastest_lap")
        if fl and fl != fastest:
            for car in cars:
                if car["number"] == fl.get("number"):
                    facts.add("Fastest lap of the race for %s." % car["driver_name"])
            fastest = fl
    return facts


def start_kafka_env(env_dir):
    """A real broker and the FAKE registry (tools/kafka/kafka_env.sh): (bootstrap, registry)."""
    subprocess.run(["bash", "tools/kafka/kafka_env.sh", "start", env_dir], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    env = dict(l.strip().split("=", 1) for l in open(os.path.join(env_dir, "env")) if "=" in l)
    return env["KAFKA_BOOTSTRAP"], env["SCHEMA_REGISTRY_URL"]


def write_pitwall_config(path, bootstrap, registry, topics, group, head=""):
    """A pitwall configuration in Kafka mode with these topics (a dict with positions,
    commentary, events, control, telemetry); `head`: YAML put before the kafka mapping."""
    with open(path, "w") as f:
        f.write(head + 'kafka:\n  bootstrap.servers: "%s"\n  schema_registry_url: "%s"\n'
                '  topic_partitions: 3\n  hold_ms: 3000\n  topics:\n'
                '    positions: "%s"\n    commentary: "%s"\n    events: "%s"\n'
                '    control: "%s"\n    telemetry: "%s"\n  consumer_group: "%s"\n'
                % (bootstrap, registry, topics["positions"], topics["commentary"],
                   topics["events"], topics["control"], topics["telemetry"], group))


def flink_command(variables, sql_files):
    """flink/run.sh with its --var settings."""
    args = ["bash", "flink/run.sh"]
    for k, v in variables.items():
        args += ["--var", "%s=%s" % (k, v)]
    return args + sql_files


def consume(bootstrap, topic, seconds, want=None):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "t-%d-%f" % (os.getpid(), time.time()),
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    out = []
    end = time.time() + seconds
    while time.time() < end and (want is None or len(out) < want):
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        out.append((m.key(), m.value()))
    c.close()
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="pitwall-flink-")
    procs = Procs()
    env_dir = os.path.join(tmp, "kafka")
    t0 = time.time()
    try:
        bootstrap, registry = start_kafka_env(env_dir)
        tag = "fl%d" % os.getpid()
        t = {k: "%s-%s" % (tag, k) for k in
             ("positions", "commentary", "events", "control", "telemetry", "anomalies", "dlq")}

        chat = procs.start([sys.executable, "tests/commentary/fake_chat_server.py"],
                           os.path.join(tmp, "chat.log"))
        chat_port = int(wait_for(lambda: log_has(os.path.join(tmp, "chat.log"), r"PORT (\d+)"),
                                 20, "chat server").group(1))

        # Poison ahead of the races: not the wire format, an id the registry does not know, a
        # body that does not decode under a known schema.
        original = json.dumps({"type": "record", "name": "LeaderboardUpdate",
                               "namespace": "com.f1leaderboard", "fields": [
                                   {"name": "driver_name", "type": "string"},
                                   {"name": "position", "type": "int"},
                                   {"name": "timestamp", "type": "long"},
                                   {"name": "race_id", "type": ["null", "string"],
                                    "default": None}]})
        req = urllib.request.Request(registry + "/subjects/%s-value/versions" % t["positions"],
                                     data=json.dumps({"schema": original}).encode(),
                                     headers={"Content-Type": "application/json"})
        sid = json.loads(urllib.request.urlopen(req, timeout=10).read())["id"]
        prod = Producer({"bootstrap.servers": bootstrap})
        for v in (b"\x01not avro", b"\x00" + struct.pack(">I", 99999) + b"\x02",
                  b"\x00" + struct.pack(">I", sid) + b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"):
            prod.produce(t["positions"], key=b"poison", value=v)
        for v in (b"not json", b'{"race_id":"x","driver_number":"1","driver_name":"A B"}',
                  b'{"race_id":"x","driver_number":"1","driver_name":"A B","engine_temp_c":99999,'
                  b'"brake_temp_c":500,"tyre_temp_c":90}'):
            prod.produce(t["telemetry"], key=b"poison", value=v)
        prod.flush(10)

        # The Flink job: both SQL files in one job.
        flink_log = os.path.join(tmp, "flink.log")
        variables = {"BOOTSTRAP": bootstrap, "REGISTRY": registry, "GROUP": tag,
                     "POSITIONS_TOPIC": t["positions"], "COMMENTARY_TOPIC": t["commentary"],
                     "TELEMETRY_TOPIC": t["telemetry"], "ANOMALIES_TOPIC": t["anomalies"],
                     "TELEMETRY_DLQ_TOPIC": t["dlq"],
                     "LLM_URL": "http://127.0.0.1:%d/v1/chat/completions" % chat_port,
                     "LLM_MODEL": "ok", "LLM_TIMEOUT_MS": "2000"}
        flink = procs.start(flink_command(variables, ["flink/sql/commentary.sql",
                                                      "flink/sql/anomalies.sql"]),
                            flink_log, env=dict(os.environ, PITWALL_FLINK_JAVA_OPTS=
                                                "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"))

        cfg = os.path.join(tmp, "pitwall.yaml")
        # Flink writes no commentary-done marker: the edge ends each race after the bounded
        # wait for one, shortened here from the 30 s default to keep the suite short.
        write_pitwall_config(cfg, bootstrap, registry, t, tag,
                             head="hub:\n  commentary_wait_s: 10\n")
        servers = {}
        for role in ("runner", "edge"):
            log = os.path.join(tmp, role + ".log")
            procs.start([PITWALL, "--config", cfg, "--port", "0", "--role", role,
                         "--history", os.path.join(tmp, role + ".db")], log)
            servers[role] = log
        edge_port = int(wait_for(lambda: log_has(servers["edge"], r"listening on http://[^:]+:(\d+)/"),
                                 30, "edge listening").group(1))
        wait_for(lambda: log_has(flink_log, r"pitwall-flink: job "), 240, "the Flink job to start")
        print("# set-up %.0f s (Flink job started)" % (time.time() - t0), flush=True)

        # Race A while the model answers.
        races = {}
        for name, seed in (("A", 2), ("B", 4)):  # seeds whose races plan faults
            if name == "B":
                procs.stop(chat)  # the model is gone: every line is the fallback
            _, started = http_json(edge_port, "/api/race/start", "POST",
                                   {"driver_name": "Lando Norris", "duration_s": 25, "tick_hz": 4,
                                    "laps": 30, "seed": seed})
            rid = started["race_id"]
            reader = RaceReader(edge_port, rid)
            reader.start()
            reader.join(timeout=120)
            races[name] = (rid, reader)
            check("race %s streamed to its end on the edge" % name, reader.ended and
                  len(reader.positions) > 20, len(reader.positions))
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % edge_port, timeout=10) as r:
            metrics = r.read().decode()
        check("with no done marker from Flink, both races ended after the edge's bounded wait",
              "\npitwall_race_ends_unmarked_total 2\n" in metrics,
              [l for l in metrics.splitlines() if "unmarked" in l])
        # The last window of race B closes once the watermark moves on: a third race pushes it.
        http_json(edge_port, "/api/race/start", "POST",
                  {"driver_name": "Oscar Piastri", "duration_s": 8, "tick_hz": 4, "laps": 5})
        time.sleep(12)

        lines = {k: [] for k in races}
        for key, value in consume(bootstrap, t["commentary"], 8):
            d = json.loads(value)
            for k, (rid, _) in races.items():
                if d["race_id"] == rid:
                    lines[k].append(d)
        for k, (rid, reader) in races.items():
            topic_lines = lines[k]
            windows = 25 / 5 + 2
            check("race %s: Flink wrote commentary keyed by its race" % k,
                  1 <= len(topic_lines) <= windows and
                  all(d["id"].startswith("flink-" + rid) for d in topic_lines),
                  [d["message"] for d in topic_lines])
            shown = reader.commentary
            check("race %s: the edge showed Flink's lines, only this race's" % k,
                  len(shown) >= 1 and all(c["race_id"] == rid and c["id"].startswith("flink-" + rid)
                                          for c in shown), shown)
        model_a = [d["message"] for d in lines["A"] if d["message"].startswith("FAKE:")]
        check("race A: the model's answers went out", len(model_a) >= 1, lines["A"])
        facts_b = facts_of(races["B"][1].positions)
        b_lines = [d["message"] for d in lines["B"]]
        check("race B: with the model gone every line is a fallback stating a real moment",
              b_lines and all(m in facts_b for m in b_lines), (b_lines, sorted(facts_b)[:40]))
        check("race B: lead changes and pit stops among the moments",
              any("takes the lead" in m or "comes into the pits" in m or "moves up to P" in m
                  for m in b_lines), b_lines)

        check("positions poison skipped and counted by the job (3 kinds), the job goes on",
              log_has(flink_log, r"skipped poison record \(3 so far\)") is not None
              and flink.poll() is None, open(flink_log).read()[-3000:])
        dlq = [json.loads(v) for _, v in consume(bootstrap, t["dlq"], 6, want=3)]
        check("telemetry poison on the dead-letter topic with its reason",
              sorted(d["reason"] for d in dlq) == sorted(
                  ["not a telemetry record", "a reading is missing", "a reading out of range"]),
              dlq)

        # An injected engine fault, one car, each severity: steady readings, then a spike of
        # 5, 7.5, 12.5 and 25 times the detector's 1.2 degree floor.
        inj = "inj-" + tag
        base_ms = int(time.time() * 1000)
        seq = []
        for i, spike in enumerate([0] * 25 + [6] + [0] * 25 + [9] + [0] * 25 + [15] +
                                  [0] * 25 + [30] + [0] * 25):
            noise = (i * 7) % 5 - 2  # -0.2 .. +0.2 degrees
            seq.append({"race_id": inj, "driver_number": "99", "driver_name": "Inja Fault",
                        "team_name": "Test", "lap": i, "race_ms": i * 1000,
                        "timestamp": base_ms + i,  # in order, never ahead of the clock
                        "engine_temp_c": round(100 + noise / 10 + spike, 1),
                        "brake_temp_c": 500 + noise, "tyre_temp_c": round(90 + noise / 10, 1)})
        prod = Producer({"bootstrap.servers": bootstrap})
        for r in seq:
            prod.produce(t["telemetry"], key=inj.encode(), value=json.dumps(r).encode(),
                         timestamp=r["timestamp"])
        prod.flush(10)
        time.sleep(1)
        # Something newer, so the watermark passes the injected readings.
        http_json(edge_port, "/api/race/start", "POST",
                  {"driver_name": "Oscar Piastri", "duration_s": 6, "tick_hz": 4, "laps": 5})
        time.sleep(10)

        flink_anoms = [json.loads(v) for _, v in consume(bootstrap, t["anomalies"], 8)]
        for k, rid in [("A", races["A"][0]), ("B", races["B"][0]), ("injected", inj)]:
            code, api = http_json(edge_port, "/api/anomalies/latest?race_id=" + rid)
            c_list = api["anomalies"]
            key = lambda a: (a["driver_number"], a["metric_name"], a["race_ms"], a["severity"],
                             a["metric_value"])
            f_list = [a for a in flink_anoms if a["race_id"] == rid]
            c_keys, f_keys = sorted(map(key, c_list)), sorted(map(key, f_list))
            # the API keeps a race's last 50
            same = c_keys == f_keys if len(f_keys) <= 50 else (
                len(c_keys) == 50 and set(c_keys) <= set(f_keys))
            z_of = {key(a): a["z_score"] for a in f_list}
            same_z = all(abs(a["z_score"] - z_of.get(key(a), 1e9)) <= 0.002 for a in c_list)
            check("%s: pitwall's detector and Flink's give the same verdicts (%d)" % (k, len(c_list)),
                  code == 200 and len(c_list) >= 1 and same and same_z,
                  (c_keys, f_keys))
            fields = ("team_name", "driver_name", "timestamp", "metric_name", "metric_value",
                      "confidence_score", "is_anomaly", "severity")
            check("%s: the original client's anomaly fields" % k,
                  all(all(f in a for f in fields) for a in c_list), c_list[:1])
        inj_sev = sorted({a["severity"] for a in flink_anoms if a["race_id"] == inj})
        check("injected fault: every severity reached", inj_sev == ["critical", "high", "low", "medium"],
              inj_sev)
        code, health = http_json(edge_port, "/api/health")
        check("health: anomaly detection on", health["features"]["anomaly_detection"] is True and
              "anomalies" in health["active_connections"], health)
        with urllib.request.urlopen("http://127.0.0.1:%d/api/anomalies/stream" % edge_port,
                                    timeout=10) as r:
            first = r.readline().decode()
            check("the original client's anomaly stream answers 200 with an anomaly first",
                  r.status == 200 and first.startswith("data: {\"type\":\"anomaly\""), first)
    except Exception as e:  # a step that could not run is a failure, with its reason
        check("the suite ran to its end", False, repr(e))
        for name in os.listdir(tmp):
            if name.endswith(".log"):
                print("---- %s (last lines)" % name)
                print(open(os.path.join(tmp, name), errors="replace").read()[-3000:])
    finally:
        procs.stop_all()
        subprocess.run(["bash", "tools/kafka/kafka_env.sh", "stop", env_dir], cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.environ.get("PITWALL_TEST_KEEP") != "1":
            subprocess.run(["rm", "-rf", tmp])
        else:
            print("# kept " + tmp)
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
