# pitwall — the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what those two are made of.

BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc)
HOST       ?= 127.0.0.1
PORT       ?= 8001
ARGS       ?=
# Sessions of F1's live-timing archive offered as replays, when the folders are there
# (races; practice and qualifying). Several folders: separated by spaces.
ARCHIVE    ?= $(wildcard ../shared/f1-archive ../shared/f1-archive-quali-practice)

.PHONY: run test setup build build-asan web test-c test-asan bench screenshots llm-demo flink-job \
        format clean

run: setup build web
	@echo "pitwall: open http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	./$(BUILD)/src/app/pitwall --host $(HOST) --port $(PORT) $(foreach a,$(ARCHIVE),--archive $(a)) $(ARGS)

test: setup build build-asan web
	bash scripts/test-all.sh

setup:
	@bash scripts/setup.sh

# The project's own builds treat warnings as errors (PITWALL_WERROR; off in a plain cmake
# build). Configuring again when this file changes carries a new flag into an existing build.
$(BUILD)/build.ninja: Makefile
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPITWALL_WERROR=ON
	@touch $@

$(BUILD_ASAN)/build.ninja: Makefile
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPITWALL_SANITIZE=ON \
	  -DPITWALL_WERROR=ON
	@touch $@

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

build-asan: $(BUILD_ASAN)/build.ninja
	cmake --build $(BUILD_ASAN) -j $(JOBS)

web:
	@bash scripts/build-web.sh

test-c: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS)

bench: setup build
	bash scripts/bench-all.sh

screenshots: setup build web
	bash scripts/screenshots.sh

llm-demo: setup build
	bash scripts/llm-demo.sh

format:
	find src tests bench -name '*.[ch]' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) web/dist

# The Flink job (docs/FLINK.md): commentary and anomalies in Flink SQL on a local MiniCluster,
# against a given broker and schema registry; LLM_URL empty = the plain lines, no model.
BROKER     ?= 127.0.0.1:9092
REGISTRY   ?= http://127.0.0.1:8081
LLM_URL    ?=
LLM_MODEL  ?= gpt-4o-mini
flink-job: setup
	bash flink/run.sh --var BOOTSTRAP=$(BROKER) --var REGISTRY=$(REGISTRY) \
	  --var GROUP=pitwall-flink --var POSITIONS_TOPIC=f1-driver-positions \
	  --var COMMENTARY_TOPIC=f1-commentary --var TELEMETRY_TOPIC=f1-car-telemetry \
	  --var ANOMALIES_TOPIC=f1-anomalies --var TELEMETRY_DLQ_TOPIC=f1-car-telemetry-dead-letters \
	  --var LLM_URL=$(LLM_URL) --var LLM_MODEL=$(LLM_MODEL) --var LLM_TIMEOUT_MS=3000 \
	  flink/sql/commentary.sql flink/sql/anomalies.sql
