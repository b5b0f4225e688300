#!/usr/bin/env bash
# Probe throughput benchmark: sloe's probe engine vs prometheus-blackbox-exporter.
#
# Starts bench_target (a fast local HTTP server), then measures, each against /t/0 .. /t/N-1:
#   sloe @ rate   N HTTP probes in-process, interval chosen so the total is --rate probes/s
#   sloe idle     N probes every 10s: the resident memory of an agent with N targets
#   sloe max      a very short interval, to find the engine's ceiling on this machine
#   sloe hang     N probes of /hang/<n> (never answered), timeout 90% of a 10s interval: the
#                 memory when nearly every target is timing out at once (~0.9 N runs in flight)
#   blackbox      the exporter (temp config, module http_2xx, timeout 2s) driven at --rate
# and prints one table. Every probe opens a fresh connection on both sides (sloe's default;
# blackbox_exporter always does). Figures are printed, never asserted, and nothing is written
# outside a temp dir.
#
# Usage: bench/run_probe_bench.sh [--bin-dir DIR] [--targets N] [--rate R] [--duration S]
#          [--max-rate R] [--skip-blackbox] [--skip-max] [--with-reuse] [--quick | --smoke]
#   --bin-dir   where bench_target and sloe_probe_bench are (default: build/bench, build-*/bench)
#   --quick     short run (5 s windows, 200 targets)
#   --smoke     ~10 s, sloe side only, for ctest: fails only if probes of the local target fail
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
bin_dir=""
targets=1000
rate=2000
duration=20
max_rate=20000
idle_interval_ms=10000
skip_blackbox=0
skip_max=0
with_reuse=0
smoke=0
blackbox_bin="${BLACKBOX_EXPORTER:-/usr/bin/prometheus-blackbox-exporter}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --targets) targets="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --max-rate) max_rate="$2"; shift 2 ;;
    --skip-blackbox) skip_blackbox=1; shift ;;
    --skip-max) skip_max=1; shift ;;
    --with-reuse) with_reuse=1; shift ;;
    --quick) targets=200; rate=1000; duration=5; max_rate=5000; idle_interval_ms=2000; shift ;;
    --smoke)
      targets=50; rate=100; duration=1; idle_interval_ms=1000; skip_max=1; skip_blackbox=1
      smoke=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run_probe_bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ -z "$bin_dir" ]]; then
  for candidate in "$repo"/build/bench "$repo"/build-*/bench; do
    if [[ -x "$candidate/sloe_probe_bench" && -x "$candidate/bench_target" ]]; then
      bin_dir="$candidate"
      break
    fi
  done
fi
if [[ -z "$bin_dir" || ! -x "$bin_dir/sloe_probe_bench" || ! -x "$bin_dir/bench_target" ]]; then
  echo "run_probe_bench.sh: build the targets sloe_probe_bench and bench_target first" \
       "(Release), or pass --bin-dir" >&2
  exit 1
fi
probe_bench="$bin_dir/sloe_probe_bench"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (bounded) until a file has a line matching a pattern; prints that line.
wait_for_line() {
  local file="$1" pattern="$2" tries=100
  while (( tries-- > 0 )); do
    if grep -m1 -E "$pattern" "$file" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run_probe_bench.sh: timed out waiting for '$pattern' in $file:" >&2
  cat "$file" >&2
  return 1
}

"$bin_dir/bench_target" --threads 2 >"$work/target.out" 2>"$work/target.err" &
pids+=($!)
target_port="$(wait_for_line "$work/target.out" '^port [0-9]+' | awk '{print $2}')"
target_url="http://127.0.0.1:$target_port"

results="$work/results.txt"
: >"$results"
run() {  # run LABEL ARGS...: one probe_bench run; its RESULT line goes to $results
  local label="$1"; shift
  echo "== $label" >&2
  "$probe_bench" --label "$label" --target-url "$target_url" --targets "$targets" \
    --duration "$duration" "$@" | tee -a "$results" >&2
}

run sloe_rate --rate "$rate"
run sloe_idle --interval-ms "$idle_interval_ms" --warmup "$(( idle_interval_ms * 3 / 2000 ))"
if (( with_reuse )); then run sloe_rate_reuse --rate "$rate" --reuse; fi
if (( ! skip_max )); then run sloe_max --rate "$max_rate"; fi
run sloe_hang --path-prefix /hang/ --interval-ms "$idle_interval_ms" \
  --timeout-ms "$(( idle_interval_ms * 9 / 10 ))" --warmup "$(( idle_interval_ms / 1000 + 1 ))" \
  --duration "$(( duration < 5 ? duration : 5 ))"

if (( ! skip_blackbox )); then
  if [[ ! -x "$blackbox_bin" ]]; then
    echo "run_probe_bench.sh: $blackbox_bin not found; skipping blackbox (or --skip-blackbox)" >&2
  else
    cat >"$work/blackbox.yml" <<'EOF'
modules:
  http_2xx:
    prober: http
    timeout: 2s
EOF
    "$blackbox_bin" --config.file="$work/blackbox.yml" --web.listen-address=127.0.0.1:0 \
      >"$work/blackbox.log" 2>&1 &
    blackbox_pid=$!
    pids+=("$blackbox_pid")
    blackbox_addr="$(wait_for_line "$work/blackbox.log" 'msg="Listening on".*address=127' |
      sed -E 's/.*address=(127\.0\.0\.1:[0-9]+).*/\1/')"
    run blackbox_rate --drive-blackbox "http://$blackbox_addr" --pid "$blackbox_pid" \
      --rate "$rate" --concurrency 256
  fi
fi

# The table. Fields come from the RESULT lines' key=value pairs.
awk -v rate="$rate" '
  function field(line, key,   n, parts, i, kv) {
    n = split(line, parts, " ")
    for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return kv[2] }
    return "-"
  }
  /^RESULT/ {
    rows[++count] = $0
    label = field($0, "label")
    cpu[label] = field($0, "cpu_s_per_1000")
  }
  END {
    printf "%-16s %7s %9s %9s %7s %9s %8s %6s %7s %7s %7s %7s %7s\n", "run", "targets",
           "offered/s", "done/s", "success", "cpu_s/1k", "cpu_util", "runq", "p50_ms", "p99_ms",
           "rss_mb", "hwm_mb", "anon_mb"
    for (i = 1; i <= count; i++) {
      r = rows[i]
      printf "%-16s %7s %9s %9s %7s %9s %8s %6s %7s %7s %7s %7s %7s\n", field(r, "label"),
             field(r, "targets"), field(r, "offered_per_s"), field(r, "completed_per_s"),
             field(r, "success_ratio"), field(r, "cpu_s_per_1000"), field(r, "cpu_util"),
             field(r, "runq_wait_util"), field(r, "p50_ms"), field(r, "p99_ms"), field(r, "rss_mb"),
             field(r, "hwm_mb"), field(r, "anon_mb")
    }
    if (("sloe_rate" in cpu) && ("blackbox_rate" in cpu) && cpu["blackbox_rate"] > 0) {
      printf "\nCPU per probe at %s/s, sloe / blackbox_exporter: %.3f (%.1fx less)\n", rate,
             cpu["sloe_rate"] / cpu["blackbox_rate"], cpu["blackbox_rate"] / cpu["sloe_rate"]
    }
  }' "$results"
echo "cpu_s/1k: CPU seconds of the prober per 1000 probes; cpu_util: cores it kept busy;"
echo "runq: cores' worth of time its threads were runnable but waiting for a CPU (contention);"
echo "p50/p99: probe duration (blackbox: as the driver saw it); anon_mb: RSS minus mapped files."
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# The smoke run checks function, never speed: every probe of a healthy local target succeeds.
if (( smoke )); then
  if ! awk '/^RESULT/ && /label=sloe_(rate|idle) / { n++; if ($0 !~ /success_ratio=1\.0000/) bad++ }
            END { exit (n == 2 && bad == 0) ? 0 : 1 }' "$results"; then
    echo "run_probe_bench.sh: smoke run failed: probes of a healthy local target did not all succeed" >&2
    exit 1
  fi
fi
