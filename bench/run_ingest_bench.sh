#!/usr/bin/env bash
# Alert ingestion benchmark: sloe's POST /api/v2/alerts (durable: committed to SQLite before the
# 2xx) vs a real Alertmanager's (in memory), on this machine, with the same load generator.
#
# For each run (batch size x concurrent clients; default 1 alert per request from 16 clients, and
# 100 per request from 4 clients) runs sloe_ingest_bench against sloe
# (in-process, temp database) and against prometheus-alertmanager (temp config with one null
# receiver, temp storage, clustering off), and prints one table: alerts/s accepted and request
# latency p50/p99. Figures are printed, never asserted; nothing is written outside a temp dir.
#
# Usage: bench/run_ingest_bench.sh [--bin-dir DIR] [--runs "1x16 100x4"] [--duration S]
#          [--distinct D] [--skip-alertmanager] [--smoke]
#   --runs      space-separated BATCHxCLIENTS pairs
#   --bin-dir   where sloe_ingest_bench is (default: build-rel/bench, build/bench, build-*/bench)
#   --distinct  label sets each client cycles through (default 1000)
#   --smoke     ~5 s, both sides if Alertmanager is installed, for a quick check
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
bin_dir=""
runs="1x16 100x4"
duration=10
warmup=2
distinct=1000
skip_am=0
am_bin="${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --distinct) distinct="$2"; shift 2 ;;
    --skip-alertmanager) skip_am=1; shift ;;
    --smoke) runs="1x4 100x2"; duration=1; warmup=0; distinct=100; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run_ingest_bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z "$bin_dir" ]]; then
  for candidate in "$repo"/build-rel/bench "$repo"/build/bench "$repo"/build-*/bench; do
    if [[ -x "$candidate/sloe_ingest_bench" ]]; then bin_dir="$candidate"; break; fi
  done
fi
if [[ -z "$bin_dir" || ! -x "$bin_dir/sloe_ingest_bench" ]]; then
  echo "run_ingest_bench.sh: build sloe_ingest_bench first (Release), or pass --bin-dir" >&2
  exit 1
fi
bench="$bin_dir/sloe_ingest_bench"

work="$(mktemp -d)"
am_pid=""
cleanup() {
  if [[ -n "$am_pid" ]]; then kill "$am_pid" 2>/dev/null || true; wait "$am_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_alertmanager() {
  cat >"$work/alertmanager.yml" <<'YAML'
route:
  receiver: "null"
receivers:
  - name: "null"
YAML
  mkdir -p "$work/am-data"
  local port
  port="$(free_port)"
  "$am_bin" --config.file="$work/alertmanager.yml" --storage.path="$work/am-data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
    >"$work/alertmanager.log" 2>&1 &
  am_pid=$!
  local tries=100
  until curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; do
    if (( tries-- <= 0 )) || ! kill -0 "$am_pid" 2>/dev/null; then
      echo "run_ingest_bench.sh: Alertmanager did not become ready:" >&2
      cat "$work/alertmanager.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  am_url="http://127.0.0.1:$port"
}

stop_alertmanager() {
  kill "$am_pid" 2>/dev/null || true
  wait "$am_pid" 2>/dev/null || true
  am_pid=""
}

results="$work/results.txt"
: >"$results"
for run in $runs; do
  batch="${run%x*}"
  clients="${run#*x}"
  common=(--clients "$clients" --duration "$duration" --warmup "$warmup" --distinct "$distinct")
  echo "== sloe, $batch alert(s) per request, $clients clients" >&2
  "$bench" --label sloe "${common[@]}" --batch "$batch" | tee -a "$results" >&2
  if (( ! skip_am )); then
    if [[ ! -x "$am_bin" ]]; then
      echo "run_ingest_bench.sh: $am_bin not found; skipping Alertmanager" >&2
    else
      # A fresh Alertmanager per run, so both start from an empty store.
      start_alertmanager
      echo "== alertmanager, $batch alert(s) per request" >&2
      "$bench" --label alertmanager --target "$am_url" "${common[@]}" --batch "$batch" |
        tee -a "$results" >&2
      stop_alertmanager
    fi
  fi
done

awk '
  function field(line, key,   n, parts, i, kv) {
    n = split(line, parts, " ")
    for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return kv[2] }
    return "-"
  }
  /^RESULT/ { rows[++count] = $0 }
  END {
    printf "%-13s %7s %5s %10s %12s %8s %8s %8s %7s %9s\n", "server", "clients", "batch",
           "requests/s", "alerts/s", "p50_ms", "p99_ms", "max_ms", "errors", "commits/s"
    for (i = 1; i <= count; i++) {
      r = rows[i]
      printf "%-13s %7s %5s %10s %12s %8s %8s %8s %7s %9s\n", field(r, "label"),
             field(r, "clients"), field(r, "batch"), field(r, "requests_per_s"),
             field(r, "alerts_per_s"), field(r, "p50_ms"), field(r, "p99_ms"), field(r, "max_ms"),
             field(r, "errors"), (field(r, "label") == "sloe" ? field(r, "commits_per_s") : "-")
    }
  }' "$results"
echo "sloe answers 2xx only after the alerts are committed to SQLite (WAL, synchronous=FULL);"
echo "Alertmanager keeps alerts in memory. Load generator and sloe share this process's CPU."
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
