#!/usr/bin/env bash
# Test environment for pitwall's Kafka mode: a single-node Apache Kafka 3.9 broker (KRaft,
# broker+controller, loopback only, throwaway data dir) run from the Maven Central jars that
# scripts/setup.d/40-kafka.sh copies into .cache/kafka-libs, and the FAKE schema registry.
#
#   kafka_env.sh start DIR          start both; writes DIR/env (KAFKA_BOOTSTRAP=...,
#                                   SCHEMA_REGISTRY_URL=...); waits until the broker answers
#   kafka_env.sh stop DIR           stop both, delete DIR's data
#   kafka_env.sh kill-broker DIR    kill -9 the broker (an outage: data dir kept)
#   kafka_env.sh start-broker DIR   start it again on the same ports and data
#   kafka_env.sh stop-broker DIR    stop it cleanly (SIGTERM)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIBS=${KAFKA_LIBS:-$ROOT/.cache/kafka-libs}
cmd=${1:?usage: kafka_env.sh start|stop|kill-broker|start-broker|stop-broker DIR}
DIR=${2:?state directory}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

start_broker() {
  # shellcheck disable=SC1091
  . "$DIR/ports"
  if [ ! -f "$DIR/data/meta.properties" ]; then
    mkdir -p "$DIR/data"
    cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1
PROPS
    cat > "$DIR/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
PROPS
    java -cp "$LIBS/*" kafka.tools.StorageTool format -t "pitwall-test-$$" \
      -c "$DIR/server.properties" > "$DIR/format.log" 2>&1 \
      || { cat "$DIR/format.log" >&2; return 1; }
  fi
  # A small heap: this is one test node on a 2-core machine shared with builds.
  nohup java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dkafka.logs.dir="$DIR" -Dlog4j.configuration="file:$DIR/log4j.properties" \
    -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" > "$DIR/broker.out" 2>&1 &
  echo $! > "$DIR/broker.pid"
  if ! wait_port 127.0.0.1 "$BROKER_PORT" 90; then
    echo "kafka_env: broker did not open port $BROKER_PORT" >&2
    tail -20 "$DIR/broker.out" "$DIR/server.log" >&2 || true
    return 1
  fi
}

case "$cmd" in
start)
  if ! ls "$LIBS"/kafka_2.13-3.9*.jar >/dev/null 2>&1; then
    echo "kafka_env: no Kafka jars in $LIBS (run scripts/setup.d/40-kafka.sh)" >&2
    exit 1
  fi
  "$0" stop "$DIR" >/dev/null 2>&1 || true
  mkdir -p "$DIR"
  echo "BROKER_PORT=$(free_port)" > "$DIR/ports"
  echo "CONTROLLER_PORT=$(free_port)" >> "$DIR/ports"
  rm -f "$DIR/registry.port"
  nohup python3 "$ROOT/tools/kafka/fake_schema_registry.py" "$DIR/registry.port" \
    > "$DIR/registry.out" 2>&1 &
  echo $! > "$DIR/registry.pid"
  start_broker
  for _ in $(seq 50); do [ -f "$DIR/registry.port" ] && break; sleep 0.1; done
  [ -f "$DIR/registry.port" ] || { echo "kafka_env: fake registry did not start" >&2; exit 1; }
  # shellcheck disable=SC1091
  . "$DIR/ports"
  {
    echo "KAFKA_BOOTSTRAP=127.0.0.1:$BROKER_PORT"
    echo "SCHEMA_REGISTRY_URL=http://127.0.0.1:$(cat "$DIR/registry.port")"
  } > "$DIR/env"
  cat "$DIR/env"
  ;;
stop)
  for p in broker registry; do
    if alive "$DIR/$p.pid"; then
      kill "$(cat "$DIR/$p.pid")" 2>/dev/null || true
      for _ in $(seq 100); do alive "$DIR/$p.pid" || break; sleep 0.1; done
      alive "$DIR/$p.pid" && kill -9 "$(cat "$DIR/$p.pid")" 2>/dev/null || true
    fi
    rm -f "$DIR/$p.pid"
  done
  rm -rf "$DIR/data" "$DIR/env"
  ;;
kill-broker)
  alive "$DIR/broker.pid" && kill -9 "$(cat "$DIR/broker.pid")"
  for _ in $(seq 100); do alive "$DIR/broker.pid" || break; sleep 0.1; done
  ;;
stop-broker)
  alive "$DIR/broker.pid" && kill "$(cat "$DIR/broker.pid")"
  for _ in $(seq 300); do alive "$DIR/broker.pid" || break; sleep 0.1; done
  ;;
start-broker)
  start_broker
  ;;
*)
  echo "kafka_env: unknown command $cmd" >&2
  exit 2
  ;;
esac
