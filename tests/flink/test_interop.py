#!/usr/bin/env python3
"""Interop with the original app's own Python client, confluent-kafka (PyPI), against a real
Kafka broker and the registry the Kafka tests use (the FAKE one in tools/kafka):

  - pitwall -> original: a race run by a pitwall runner is read back with confluent-kafka's
    AvroDeserializer (writer schema fetched from the registry by id): every record has the
    original LeaderboardUpdate's four fields, for that race, places 1..n in each tick;
  - original -> pitwall: records written with confluent-kafka's AvroSerializer in the
    original's LeaderboardUpdate schema (which registers it: POST
    /subjects/{s}/versions?normalize=False) are shown by a pitwall edge as that race's
    running order.

Usage: test_interop.py  (run by scripts/test.d/70-flink.sh with the py-kafka virtualenv).
Ends with the line 'N passed, M failed'.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PITWALL = os.path.join(ROOT, "build", "src", "app", "pitwall")
RESULTS = {"passed": 0, "failed": 0}

# The original app's value schema, as its backend registers it.
LEADERBOARD_UPDATE = json.dumps({
    "type": "record", "name": "LeaderboardUpdate", "namespace": "com.f1leaderboard",
    "fields": [{"name": "driver_name", "type": "string"},
               {"name": "position", "type": "int"},
               {"name": "timestamp", "type": "long"},
               {"name": "race_id", "type": ["null", "string"], "default": None}]})


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(("ok     " if ok else "FAILED ") + name + ("" if ok else ": " + str(detail)[:2000]),
          flush=True)


def http_json(port, path, method="GET", body=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read() or b"null")


def wait_for(pred, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.3)
    raise TimeoutError(what)


def log_match(path, pattern):
    with open(path, errors="replace") as f:
        return re.search(pattern, f.read())


def start_pitwall(tmp, cfg, role, procs):
    log = os.path.join(tmp, role + ".log")
    p = subprocess.Popen([PITWALL, "--config", cfg, "--port", "0", "--role", role, "--history",
                          os.path.join(tmp, role + ".db")], stdout=open(log, "w"),
                         stderr=subprocess.STDOUT, start_new_session=True)
    procs.append(p)
    if role == "runner":
        wait_for(lambda: log_match(log, r"runner client started"), 30, "runner up")
        return p, 0
    port = int(wait_for(lambda: log_match(log, r"listening on http://[^:]+:(\d+)/"), 30,
                        "edge up").group(1))
    return p, port


def main():
    tmp = tempfile.mkdtemp(prefix="pitwall-interop-")
    env_dir = os.path.join(tmp, "kafka")
    procs = []
    try:
        subprocess.run(["bash", "tools/kafka/kafka_env.sh", "start", env_dir], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        env = dict(l.strip().split("=", 1) for l in open(os.path.join(env_dir, "env")) if "=" in l)
        bootstrap, registry = env["KAFKA_BOOTSTRAP"], env["SCHEMA_REGISTRY_URL"]
        tag = "io%d" % os.getpid()
        topics = {k: "%s-%s" % (tag, k) for k in ("positions", "commentary", "events", "control")}
        cfg = os.path.join(tmp, "pitwall.yaml")
        with open(cfg, "w") as f:
            f.write('kafka:\n  bootstrap.servers: "%s"\n  schema_registry_url: "%s"\n'
                    '  topic_partitions: 1\n  hold_ms: 3000\n  topics:\n' % (bootstrap, registry))
            for k, v in topics.items():
                f.write('    %s: "%s"\n' % (k, v))
            f.write('  consumer_group: "%s"\n' % tag)
        sr = SchemaRegistryClient({"url": registry})

        # pitwall -> original
        runner, _ = start_pitwall(tmp, cfg, "runner", procs)
        edge, port = start_pitwall(tmp, cfg, "edge", procs)
        _, started = http_json(port, "/api/race/start", "POST",
                               {"driver_name": "Lando Norris", "duration_s": 5, "tick_hz": 2,
                                "laps": 5})
        rid = started["race_id"]
        wait_for(lambda: http_json(port, "/api/race/%s/status" % rid)[1]["status"] == "finished",
                 60, "pitwall's race to finish")
        os.killpg(runner.pid, signal.SIGTERM)
        runner.wait(timeout=20)
        deser = AvroDeserializer(sr)
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": tag + "-reader",
                      "auto.offset.reset": "earliest"})
        c.subscribe([topics["positions"]])
        records, end = [], time.time() + 10
        while time.time() < end:
            m = c.poll(0.5)
            if m is None or m.error():
                continue
            records.append(deser(m.value(), SerializationContext(m.topic(), MessageField.VALUE)))
        c.close()
        ticks = {}
        for r in records:
            ticks.setdefault(r.get("seq"), []).append(r)
        fields_ok = all(isinstance(r["driver_name"], str) and isinstance(r["position"], int)
                        and isinstance(r["timestamp"], int) and r["race_id"] == rid
                        for r in records)
        places_ok = all(sorted(x["position"] for x in t) == list(range(1, len(t) + 1))
                        for t in ticks.values())
        check("pitwall's positions read by confluent-kafka's AvroDeserializer (%d records)"
              % len(records), len(records) >= 40 and fields_ok and places_ok, records[:2])

        # original -> pitwall: the edge expects a race it asked for; the original app writes it.
        _, started = http_json(port, "/api/race/start", "POST", {"driver_name": "Oscar Piastri"})
        rid2 = started["race_id"]
        ser = AvroSerializer(sr, LEADERBOARD_UPDATE)
        prod = Producer({"bootstrap.servers": bootstrap})
        drivers = ["Oscar Piastri", "Lando Norris", "Max Verstappen", "Charles Leclerc"]
        now = int(time.time() * 1000)
        orders = [drivers, drivers[1:2] + drivers[0:1] + drivers[2:],
                  drivers[2:3] + drivers[1:2] + drivers[0:1] + drivers[3:]]
        for k, order in enumerate(orders):
            for i, name in enumerate(order):
                value = ser({"driver_name": name, "position": i + 1, "timestamp": now + k * 1000,
                             "race_id": rid2},
                            SerializationContext(topics["positions"], MessageField.VALUE))
                prod.produce(topics["positions"], key=rid2.encode(), value=value)
            prod.flush(10)
            time.sleep(0.4)
        del prod  # closes the client before the broker goes
        check("confluent-kafka registered the original schema with the registry",
              sr.get_latest_version(topics["positions"] + "-value").schema_id > 0)
        final = orders[-1]

        def shown():
            url = "http://127.0.0.1:%d/api/positions/stream?race_id=%s" % (port, rid2)
            try:
                with urllib.request.urlopen(url, timeout=3) as r:
                    last = None
                    for raw in r:
                        line = raw.decode()
                        if line.startswith("data:"):
                            d = json.loads(line[5:])
                            if d.get("type") == "positions":
                                last = [c["driver_name"] for c in d["data"]["positions"]]
                                if last == final:
                                    return last
            except OSError:
                pass
            return None
        got = None
        try:
            got = wait_for(shown, 20, "the original's records on the edge")
        except TimeoutError:
            pass
        check("records from confluent-kafka's AvroSerializer shown by the edge in order",
              got == final, got)
    except Exception as e:
        check("the suite ran to its end", False, repr(e))
        for name in os.listdir(tmp):
            if name.endswith(".log"):
                print("---- %s (last lines)" % name)
                print(open(os.path.join(tmp, name), errors="replace").read()[-3000:])
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=20)
        subprocess.run(["bash", "tools/kafka/kafka_env.sh", "stop", env_dir], cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", tmp])
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
