#!/usr/bin/env bash
# Timeline write benchmark: starts `sloe run` on a temporary config and data folder (127.0.0.1,
# any free port), runs sloe_timeline_bench against it for each client count, stops the agent and
# removes the folder. Figures are printed, never asserted.
#
# Usage: bench/run_timeline_bench.sh [--bin-dir DIR] [--clients "8 32 64"] [--duration S] [--smoke]
#   --bin-dir  folder holding `sloe` and bench/sloe_timeline_bench (default: build-rel, build)
#   --smoke    one short run, for ctest
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
bin_dir=""
clients="8 32 64"
duration=10
warmup=2

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --smoke) clients="4"; duration=1; warmup=0; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run_timeline_bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$bin_dir" ]]; then
  for candidate in "$repo"/build-rel "$repo"/build; do
    if [[ -x "$candidate/sloe" && -x "$candidate/bench/sloe_timeline_bench" ]]; then
      bin_dir="$candidate"; break
    fi
  done
fi
if [[ -z "$bin_dir" || ! -x "$bin_dir/sloe" || ! -x "$bin_dir/bench/sloe_timeline_bench" ]]; then
  echo "run_timeline_bench.sh: build sloe and sloe_timeline_bench first, or pass --bin-dir" >&2
  exit 1
fi

work="$(mktemp -d /tmp/sloe-timeline-bench.XXXXXX)"
agent_pid=""
cleanup() {
  if [[ -n "$agent_pid" ]]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/config/slo"

for n in $clients; do
  rm -rf "$work/data"
  "$bin_dir/sloe" run --config "$work/config" --data "$work/data" --listen 127.0.0.1:0 \
    >"$work/agent.log" 2>&1 &
  agent_pid=$!
  port=""
  for _ in $(seq 1 100); do
    port="$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$work/agent.log" | head -1 | sed 's/.*://')" || true
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  if [[ -z "$port" ]]; then
    echo "run_timeline_bench.sh: the agent did not start:" >&2; cat "$work/agent.log" >&2; exit 1
  fi
  "$bin_dir/bench/sloe_timeline_bench" --target "http://127.0.0.1:$port" --clients "$n" \
    --duration "$duration" --warmup "$warmup"
  kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""
done
