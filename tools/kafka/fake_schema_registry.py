#!/usr/bin/env python3
"""FAKE Confluent Schema Registry for pitwall's tests (Python stdlib only).

This is a fake, not a registry: no real Schema Registry with the Confluent REST API could
be run here (see docs/KAFKA.md: Confluent's is not on Maven Central, Apicurio publishes no
runnable build there, Karapace is not installable from the reachable PyPI). It implements
only what pitwall uses, with the same paths, status codes and JSON as the real API:

  POST /subjects/{subject}/versions  {"schema": "..."}  -> {"id": n}
       (the same schema text under any subject gets the same id, as in the real one; a
       query string such as confluent-kafka's ?normalize=False is ignored)
  GET  /schemas/ids/{id}                                -> {"schema": "..."} or 404 40403
  GET  /subjects/{subject}/versions/{n|latest}          -> {"subject","version","id","schema"}
  GET  /subjects, GET /subjects/{subject}/versions      (for looking around)

Compatibility is NOT enforced. With FAKE_REGISTRY_AUTH=user:secret, requests must carry
that HTTP basic auth (401 otherwise), like Confluent Cloud's API key and secret.

Usage: fake_schema_registry.py PORT_FILE [PORT]  (listens on 127.0.0.1, PORT or a free
one, written to PORT_FILE once ready)."""
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SCHEMAS = {}  # id -> schema text
IDS = {}  # schema text -> id
SUBJECTS = {}  # subject -> [ids]
AUTH = os.environ.get("FAKE_REGISTRY_AUTH")
MAX_BODY = 1 << 20


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if os.environ.get("FAKE_REGISTRY_VERBOSE"):
            sys.stderr.write("fake-registry: " + fmt % args + "\n")

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        if not AUTH:
            return True
        want = "Basic " + base64.b64encode(AUTH.encode()).decode()
        if self.headers.get("Authorization") == want:
            return True
        self.reply(401, {"error_code": 401, "message": "Unauthorized"})
        return False

    def do_GET(self):
        if not self.authorized():
            return
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        with LOCK:
            if len(parts) == 3 and parts[:2] == ["schemas", "ids"] and parts[2].isdigit():
                sid = int(parts[2])
                if sid in SCHEMAS:
                    return self.reply(200, {"schema": SCHEMAS[sid]})
                return self.reply(404, {"error_code": 40403, "message": "Schema not found"})
            if parts == ["subjects"]:
                return self.reply(200, sorted(SUBJECTS))
            if len(parts) == 3 and parts[0] == "subjects" and parts[2] == "versions":
                if parts[1] in SUBJECTS:
                    return self.reply(200, list(range(1, len(SUBJECTS[parts[1]]) + 1)))
                return self.reply(404, {"error_code": 40401, "message": "Subject not found"})
            if len(parts) == 4 and parts[0] == "subjects" and parts[2] == "versions":
                versions = SUBJECTS.get(parts[1])
                if not versions:
                    return self.reply(404, {"error_code": 40401, "message": "Subject not found"})
                n = len(versions) if parts[3] == "latest" else (
                    int(parts[3]) if parts[3].isdigit() else 0)
                if not 1 <= n <= len(versions):
                    return self.reply(404, {"error_code": 40402, "message": "Version not found"})
                sid = versions[n - 1]
                return self.reply(200, {"subject": parts[1], "version": n, "id": sid,
                                        "schema": SCHEMAS[sid]})
        self.reply(404, {"error_code": 404, "message": "Not found"})

    def do_POST(self):
        if not self.authorized():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return self.reply(422, {"error_code": 422, "message": "bad body"})
        try:
            doc = json.loads(self.rfile.read(length))
            schema = doc["schema"]
            json.loads(schema)
        except (ValueError, KeyError, TypeError):
            return self.reply(422, {"error_code": 42201, "message": "Invalid schema"})
        # the query string is not part of the path: confluent-kafka's client always sends
        # POST /subjects/{s}/versions?normalize=False
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if len(parts) != 3 or parts[0] != "subjects" or parts[2] != "versions":
            return self.reply(404, {"error_code": 404, "message": "Not found"})
        with LOCK:
            sid = IDS.get(schema)
            if sid is None:
                sid = len(SCHEMAS) + 1
                SCHEMAS[sid] = schema
                IDS[schema] = sid
            versions = SUBJECTS.setdefault(parts[1], [])
            if sid not in versions:
                versions.append(sid)
        self.reply(200, {"id": sid})


def main():
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
