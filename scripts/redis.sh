#!/usr/bin/env bash
# The Redis (or Valkey) server the budget-store tests run on 127.0.0.1, installed once.
#
#   scripts/redis.sh ensure     # installs redis-server (Debian/Ubuntu apt) if there is neither
#                               #   redis-server nor valkey-server; prints the binary's path
#
# Tests find the binary through REDIS_BIN (scripts/test.sh exports it), else on the PATH, and
# fail naming this script when there is none.
set -euo pipefail

die() { echo "redis.sh: $*" >&2; exit 1; }

ensure() {
  if [[ -n "${REDIS_BIN:-}" && -x "${REDIS_BIN}" ]]; then
    echo "$REDIS_BIN"; return
  fi
  local b
  for b in redis-server valkey-server; do
    if command -v "$b" >/dev/null 2>&1; then
      command -v "$b"; return
    fi
  done
  command -v apt-get >/dev/null 2>&1 || die "no redis-server or valkey-server, and no apt-get:"\
" install Redis >= 6.2 or Valkey and set REDIS_BIN"
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "redis.sh: installing redis-server with apt-get" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >&2
  command -v redis-server || die "apt-get installed redis-server but it is not on the PATH"
}

case "${1:-}" in
  ensure) ensure ;;
  *) die "usage: scripts/redis.sh ensure" ;;
esac
