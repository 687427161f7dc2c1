#!/usr/bin/env bash
# A local MinIO server for tests and demos of an s3:// lake, without Docker.
#
#   scripts/minio.sh ensure        # builds the server once (go install, ~4 min), prints its path
#   scripts/minio.sh start DIR     # starts it on 127.0.0.1, data and state in DIR; prints
#                                  #   ENDPOINT=http://127.0.0.1:PORT PID=… and writes DIR/minio.env
#   scripts/minio.sh stop DIR|PIDFILE
#
# DIR/minio.env holds ENDPOINT, PID, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION
# (test-only root credentials), ready for `source`:
#   scripts/minio.sh start /tmp/m && source /tmp/m/minio.env
#   java -jar collector/target/flowcost-collector.jar --lake s3://lake/flowcost --s3-endpoint "$ENDPOINT"
set -euo pipefail

# The last published commit of github.com/minio/minio (the repository is archived).
MINIO_MODULE=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c

die() { echo "minio.sh: $*" >&2; exit 1; }

gobin() {
  command -v go >/dev/null 2>&1 || die "Go is not installed (need go >= 1.24 to build MinIO)"
  local bin
  bin=$(go env GOBIN)
  if [[ -z "$bin" ]]; then
    bin="$(go env GOPATH | cut -d: -f1)/bin"
  fi
  echo "$bin"
}

# Prints the path of a runnable MinIO server, building it if there is none.
ensure() {
  if [[ -n "${MINIO_BIN:-}" && -x "${MINIO_BIN}" ]]; then
    echo "$MINIO_BIN"; return
  fi
  if [[ -x "$HOME/go/bin/minio" ]]; then
    echo "$HOME/go/bin/minio"; return
  fi
  local bin
  bin=$(gobin)
  if [[ ! -x "$bin/minio" ]]; then
    echo "minio.sh: building $MINIO_MODULE into $bin (once; takes a few minutes)" >&2
    GOBIN="$bin" go install "$MINIO_MODULE" >&2 || die "go install $MINIO_MODULE failed"
  fi
  echo "$bin/minio"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local dir=${1:?usage: minio.sh start DIR}
  local bin port console user pass pid
  bin=$(ensure)
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  [[ -f "$dir/minio.pid" ]] && kill -0 "$(cat "$dir/minio.pid")" 2>/dev/null \
    && die "a MinIO server is already running for $dir (pid $(cat "$dir/minio.pid"))"
  port=$(free_port)
  console=$(free_port)
  user=${MINIO_ROOT_USER:-flowcost}
  pass=${MINIO_ROOT_PASSWORD:-flowcost-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
  MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$pass MINIO_BROWSER=off MINIO_UPDATE=off \
    nohup "$bin" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$console" \
    "$dir/data" >"$dir/minio.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/minio.pid"
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/minio/health/live" 2>/dev/null; then
      umask 077
      cat >"$dir/minio.env" <<EOF
ENDPOINT=http://127.0.0.1:$port
PID=$pid
AWS_ACCESS_KEY_ID=$user
AWS_SECRET_ACCESS_KEY=$pass
AWS_REGION=us-east-1
export ENDPOINT PID AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION
EOF
      echo "ENDPOINT=http://127.0.0.1:$port PID=$pid"
      return
    fi
    kill -0 "$pid" 2>/dev/null || { tail -20 "$dir/minio.log" >&2; die "MinIO exited during start"; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  die "MinIO did not answer /minio/health/live within 30 s (log: $dir/minio.log)"
}

stop() {
  local arg=${1:?usage: minio.sh stop DIR|PIDFILE}
  local pidfile=$arg
  [[ -d "$arg" ]] && pidfile="$arg/minio.pid"
  [[ -f "$pidfile" ]] || die "no pid file at $pidfile"
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  ensure) ensure ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) die "usage: minio.sh ensure | start DIR | stop DIR|PIDFILE" ;;
esac
