#!/usr/bin/env python3
"""FAKE OpenAI-compatible Chat Completions server, for the commentary engine's tests only.

It stands in for a language model, which cannot run inside the unit tests. It listens on
127.0.0.1 (a free port, printed as "PORT <n>" on stdout) and answers POST
/v1/chat/completions. What it does depends on the request's "model", so one server serves
every test case:

  ok        a valid line naming a driver from the prompt's "Names you may use"
  slow      the same after SLOW_S seconds (within the client's timeout)
  slow1s    the same after one second
  hang      answers after HANG_S seconds (beyond the client's timeout)
  429       HTTP 429 with an OpenAI-style error body
  500       HTTP 500
  badjson   HTTP 200 with a body that is not JSON
  long      a valid answer of 300 characters
  stranger  a valid-looking line about a driver who is not in the race
  markup    a line wrapped in markdown
  invent    a line about the right driver with a made-up lap number

With --expect-key KEY, a request without "Authorization: Bearer KEY" gets 401.
Standard library only.
"""
import argparse
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_S = 0.5
HANG_S = 5.0


def completion(content, model):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    expect_key = None

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def send_json(self, status, obj=None, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout case)

    def do_POST(self):
        if self.path != "/v1/chat/completions":
            return self.send_json(404, {"error": {"message": "no such path"}})
        if self.expect_key and self.headers.get("Authorization") != "Bearer " + self.expect_key:
            return self.send_json(401, {"error": {"message": "bad key"}})
        length = int(self.headers.get("Content-Length", "0"))
        try:
            req = json.loads(self.rfile.read(length))
            model = req["model"]
            messages = req["messages"]
            user = [m["content"] for m in messages if m["role"] == "user"][-1]
            assert any(m["role"] == "system" for m in messages)
        except (ValueError, KeyError, IndexError, AssertionError, TypeError):
            return self.send_json(400, {"error": {"message": "bad request"}})
        m = re.search(r"Names you may use: ([^.,\n]+)", user)
        name = m.group(1).strip() if m else "the leader"
        line = "FAKE: what a moment for %s, the crowd is on its feet!" % name
        if model == "ok":
            return self.send_json(200, completion(line, model))
        if model == "slow":
            time.sleep(SLOW_S)
            return self.send_json(200, completion(line, model))
        if model == "slow1s":
            time.sleep(1.0)
            return self.send_json(200, completion(line, model))
        if model == "hang":
            time.sleep(HANG_S)
            return self.send_json(200, completion(line, model))
        if model == "429":
            return self.send_json(429, {"error": {"message": "Rate limit reached",
                                                  "type": "requests"}})
        if model == "500":
            return self.send_json(500, {"error": {"message": "server error"}})
        if model == "badjson":
            return self.send_json(200, raw=b'{"choices": [ {"message": ')
        if model == "long":
            return self.send_json(200, completion("FAKE " + "and they go on " * 20, model))
        if model == "stranger":
            return self.send_json(200, completion("FAKE: Vettel storms past the whole field!",
                                                  model))
        if model == "invent":
            return self.send_json(200, completion("FAKE: %s leads on lap 99!" % name, model))
        if model == "markup":
            return self.send_json(200, completion("**FAKE** %s leads! #F1" % name, model))
        return self.send_json(404, {"error": {"message": "unknown model " + model}})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect-key")
    args = ap.parse_args()
    Handler.expect_key = args.expect_key
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
