#!/usr/bin/env bash
# Salvo beside Apache RocketMQ 5.5.0, on this machine, in one run (docs/benchmark.md).
#
#   bench/run.sh [--quick]        (what `bin/salvo bench [--quick]` runs)
#
# Every workload runs on Salvo and on RocketMQ, group by group, alternating the brokers, each group on a freshly
# started broker with empty storage, after an unrecorded warm load. Salvo runs `bin/salvo start --data <fresh dir>`
# and our load generator (io.salvo.bench.LoadGenerator, one client JVM per run); RocketMQ runs through the anchor
# harness ../shared/anchors/rocketmq/run.sh (start/stop/bench), which is called, not copied. At the end one table is
# printed and written as Markdown and TSV under bench-results/.
#
# Knobs (environment): BENCH_REPS (full 3, quick 1), BENCH_SECS measured seconds per run (30 / 4), BENCH_WARMUP
# warm-up seconds inside each run (10 / 2), BENCH_WARM_LOAD seconds of unrecorded load after each start (15 / 3),
# BENCH_DRAIN backlog size (1000000 / 100000), BENCH_FILL_LIMIT seconds allowed to fill the backlog (1800 / 10),
# BENCH_E2E_RATE (5000), BENCH_SCRATCH (/tmp/salvo-bench: broker data, logs, the anchor's build),
# BENCH_ANCHOR (../shared/anchors/rocketmq), BENCH_OUT (bench-results), BENCH_BROKERS ("salvo rocketmq").
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

MODE=full
for a in "$@"; do
  case "$a" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option '$a' (try --quick)" >&2; exit 2 ;;
  esac
done
if [ "$MODE" = quick ]; then
  REPS=${BENCH_REPS:-1} SECS=${BENCH_SECS:-4} WARMUP=${BENCH_WARMUP:-2} WARM_LOAD=${BENCH_WARM_LOAD:-3}
  DRAIN=${BENCH_DRAIN:-100000} FILL_LIMIT=${BENCH_FILL_LIMIT:-10} E2E_WAIT=5 DRAIN_TIMEOUT=20
else
  REPS=${BENCH_REPS:-3} SECS=${BENCH_SECS:-30} WARMUP=${BENCH_WARMUP:-10} WARM_LOAD=${BENCH_WARM_LOAD:-15}
  DRAIN=${BENCH_DRAIN:-1000000} FILL_LIMIT=${BENCH_FILL_LIMIT:-1800} E2E_WAIT=30 DRAIN_TIMEOUT=600
fi
RATE=${BENCH_E2E_RATE:-5000}
CLIENT_LIMIT=$((FILL_LIMIT + DRAIN_TIMEOUT + WARMUP + SECS + 120))
BROKERS=${BENCH_BROKERS:-salvo rocketmq}
ANCHOR=${BENCH_ANCHOR:-$(cd "$ROOT/.." && pwd)/shared/anchors/rocketmq}
SCRATCH=${BENCH_SCRATCH:-/tmp/salvo-bench}
OUT=${BENCH_OUT:-$ROOT/bench-results}
STAMP=$(date -u +%Y-%m-%dT%H%M)
WORK=$SCRATCH/run-$STAMP-$MODE              # this run's logs and raw records
RECORDS=$WORK/records.tsv
mkdir -p "$WORK" "$OUT"

classpath() { echo "$ROOT/$1/target/classes:$(cat "$ROOT/$1/target/runtime-classpath.txt")"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
jiffies_of() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
record() { echo "$*" >> "$RECORDS"; }
log() { echo "$(date +%T) $*" >> "$WORK/bench.log"; }

# ------------------------------------------------------------------------------------------------- progress
# Every action goes through `step SECONDS_ESTIMATE DESCRIPTION COMMAND...`. A dry pass first sums the estimates;
# during the run the remaining estimate is scaled by how fast the steps done so far went against their estimates.
DRY=0 EST_TOTAL=0 EST_DONE=0 T_BEGIN=0 STEP_NO=0 STEP_COUNT=0 SKIP_GROUP=0
fmt_s() { local s=$1; if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }
step() {
  local est=$1 what=$2; shift 2
  if [ "$DRY" = 1 ]; then EST_TOTAL=$((EST_TOTAL + est)); STEP_COUNT=$((STEP_COUNT + 1)); return 0; fi
  STEP_NO=$((STEP_NO + 1))
  if [ "$SKIP_GROUP" = 1 ]; then EST_DONE=$((EST_DONE + est)); log "skipped: $what"; return 0; fi
  local elapsed=$(( ($(now_ms) - T_BEGIN) / 1000 )) left=$((EST_TOTAL - EST_DONE))
  if [ "$EST_DONE" -gt 30 ] && [ "$elapsed" -gt 0 ]; then left=$(( left * elapsed / EST_DONE )); fi
  printf '\r\033[K[bench %s %d/%d] %s | %s elapsed, about %s left' "$MODE" "$STEP_NO" "$STEP_COUNT" "$what" \
    "$(fmt_s "$elapsed")" "$(fmt_s "$left")" >&2
  [ -t 2 ] || printf '\n' >&2
  log "step: $what"
  "$@"
  local rc=$?
  EST_DONE=$((EST_DONE + est))
  return $rc
}

# ------------------------------------------------------------------------------------------------- Salvo
SALVO_PID="" CASS_PID="" SALVO_DATA=""
ports_free() { ! ss -ltn 2>/dev/null | awk '{print $4}' | grep -qE ':(9876|8558|9042|7000|10911|10909)$'; }
wait_ports_free() {
  local i; for i in $(seq 600); do ports_free && return 0; sleep 0.1; done
  echo "bench: ports 9876/8558/9042/7000/10911 still in use after 60 s; something else is running" >&2; return 1
}

salvo_start() {  # GROUP [durable]
  local group=$1 durable=${2:-} t0 i
  wait_ports_free || return 1
  SALVO_DATA=$(mktemp -d "$SCRATCH/salvo-data.XXXXXX")
  t0=$(now_ms)
  if [ -n "$durable" ]; then
    SALVO_COMMITLOG_SYNC=batch "$ROOT/bin/salvo" start --data "$SALVO_DATA" > "$WORK/salvo-$group.log" 2>&1 &
  else
    "$ROOT/bin/salvo" start --data "$SALVO_DATA" > "$WORK/salvo-$group.log" 2>&1 &
  fi
  SALVO_PID=$!
  for i in $(seq 6000); do   # 10 minutes at most (a first build included)
    grep -qE 'Salvo node \S+ ready in' "$WORK/salvo-$group.log" && break
    if ! kill -0 "$SALVO_PID" 2>/dev/null; then
      echo "bench: Salvo did not start (group $group); last lines of $WORK/salvo-$group.log:" >&2
      tail -15 "$WORK/salvo-$group.log" >&2; SALVO_PID=""; salvo_stop "$group" nomem; return 1
    fi
    sleep 0.1
  done
  local wall=$(( $(now_ms) - t0 ))
  CASS_PID=$(cat "$SALVO_DATA/cassandra/cassandra.pid" 2>/dev/null || true)
  local node_ms; node_ms=$(grep -oE 'Salvo node \S+ ready in [0-9]+' "$WORK/salvo-$group.log" | grep -oE '[0-9]+$' | head -1)
  local built=0; grep -q 'salvo: building' "$WORK/salvo-$group.log" && built=1
  local sync; sync=$(grep -oE 'commitlog_sync [a-z]+' "$WORK/salvo-$group.log" | head -1 | cut -d' ' -f2)
  record "kind=start broker=salvo group=$group startup_ms=$wall node_ready_ms=${node_ms:-} built_first=$built" \
    "commitlog_sync=${sync:-?} pid=$SALVO_PID cassandra_pid=${CASS_PID:-} load=$(loadavg)"
  log "salvo ready in $wall ms (pid $SALVO_PID, cassandra ${CASS_PID:-?}, commitlog_sync ${sync:-?})"
  if [ -n "$durable" ] && [ "$sync" != batch ]; then
    echo "bench: Salvo started without commitlog_sync batch (log says '${sync:-nothing}')" >&2
  fi
}

is_java() { [ -n "${1:-}" ] && grep -q java "/proc/$1/cmdline" 2>/dev/null; }
hwm_kb() { awk '/VmHWM/{print $2}' "/proc/$1/status" 2>/dev/null; }

salvo_stop() {  # GROUP [nomem]
  local group=$1 i
  if [ "${2:-}" != nomem ] && is_java "$SALVO_PID"; then
    record "kind=memory broker=salvo group=$group broker_hwm_kB=$(hwm_kb "$SALVO_PID")" \
      "cassandra_hwm_kB=$(is_java "$CASS_PID" && hwm_kb "$CASS_PID")"
  fi
  [ -z "$CASS_PID" ] && [ -n "$SALVO_DATA" ] && CASS_PID=$(cat "$SALVO_DATA/cassandra/cassandra.pid" 2>/dev/null || true)
  if is_java "$SALVO_PID"; then kill -TERM "$SALVO_PID" 2>/dev/null; fi
  for i in $(seq 1200); do   # CoordinatedShutdown, then the broker stops its Cassandra child
    if ! is_java "$SALVO_PID" && ! is_java "$CASS_PID"; then break; fi
    sleep 0.1
  done
  for p in "$SALVO_PID" "$CASS_PID"; do
    if is_java "$p"; then echo "bench: pid $p still running 120 s after SIGTERM; SIGKILL" >&2; kill -KILL "$p"; fi
  done
  [ -n "$SALVO_PID" ] && wait "$SALVO_PID" 2>/dev/null
  [ -n "$SALVO_DATA" ] && rm -rf "$SALVO_DATA"
  SALVO_PID="" CASS_PID="" SALVO_DATA=""
}

salvo_client() {  # LoadGenerator arguments; prints the RESULT fields (a run that hangs is stopped after CLIENT_LIMIT s)
  timeout -k 10 "$CLIENT_LIMIT" "$JAVA" -Xms512m -Xmx2g -Dlogback.configurationFile="$ROOT/bench/logback-bench.xml" \
    -cp "$(classpath tests)" io.salvo.bench.LoadGenerator "$@" 2>>"$WORK/salvo-client.log" | grep '^RESULT' | tail -1
}

salvo_run() {  # GROUP ROW REP LoadGenerator-arguments...
  local group=$1 row=$2 rep=$3; shift 3
  local l0 t0 j0 out el
  l0=$(loadavg); t0=$(now_ms); j0=$(( $(jiffies_of "$SALVO_PID") + $(jiffies_of "${CASS_PID:-0}") ))
  echo "$(date +%T) $row rep $rep: $*" >> "$WORK/salvo-client.log"
  out=$(salvo_client "$@")
  el=$(( $(now_ms) - t0 ))
  local cores; cores=$(awk -v j=$(( $(jiffies_of "$SALVO_PID") + $(jiffies_of "${CASS_PID:-0}") - j0 )) -v e="$el" \
    'BEGIN{printf "%.2f", (e > 0 ? j * 10 / e : 0)}')
  if [ -n "$out" ] && [[ "$out" != *" failed="* ]]; then status=ok; else status=failed; fi
  record "kind=run broker=salvo group=$group row=$row rep=$rep status=$status load_before=$l0 load_after=$(loadavg)" \
    "broker_cores=$cores elapsed_ms=$el ${out#RESULT }"
}

salvo_warm() { salvo_client produce send=async threads=8 window=256 seconds="$WARM_LOAD" warmup=0 topic=warmup >/dev/null; }

# ------------------------------------------------------------------------------------------------- RocketMQ
RMQ_SCRATCH=$SCRATCH/rocketmq RMQ_RESULTS=$WORK/rocketmq
rmq() { ANCHOR_DIR=$RMQ_SCRATCH RESULTS_DIR=$RMQ_RESULTS GROUP=${RMQ_GROUP:-} "$ANCHOR/run.sh" "$@"; }
RMQ_UP=0

rmq_start() {  # GROUP [SYNC_FLUSH]
  local group=$1 flush=${2:-ASYNC_FLUSH}
  wait_ports_free || return 1
  RMQ_GROUP=$group
  local t0; t0=$(now_ms)
  if ! rmq start "$flush" >> "$WORK/rocketmq.log" 2>&1; then
    echo "bench: RocketMQ did not start (group $group), see $WORK/rocketmq.log" >&2; rmq_stop "$group"; return 1
  fi
  RMQ_UP=1
  local wall=$(( $(now_ms) - t0 ))
  local ns br; ns=$(grep 'server=namesrv' "$RMQ_RESULTS/startup.tsv" | tail -1 | grep -oE 'startup_ms=[0-9]+' | cut -d= -f2)
  br=$(grep 'server=broker' "$RMQ_RESULTS/startup.tsv" | tail -1 | grep -oE 'startup_ms=[0-9]+' | cut -d= -f2)
  record "kind=start broker=rocketmq group=$group startup_ms=$((ns + br)) namesrv_ms=$ns broker_ms=$br" \
    "flush=$flush wall_ms=$wall load=$(loadavg)"
  log "rocketmq ($flush) ready: namesrv $ns ms + broker $br ms"
}

rmq_stop() {  # GROUP
  local group=$1
  rmq stop >> "$WORK/rocketmq.log" 2>&1
  if [ "$RMQ_UP" = 1 ]; then
    local anon hwm
    anon=$(grep -E "server=broker group=$group " "$RMQ_RESULTS/rss_samples.tsv" 2>/dev/null \
      | grep -oE 'RssAnon=[0-9]+' | cut -d= -f2 | sort -n | tail -1)
    hwm=$(grep -E "server=broker " "$RMQ_RESULTS/rss.tsv" 2>/dev/null | tail -1 | grep -oE 'VmHWM=[0-9]+' | cut -d= -f2)
    record "kind=memory broker=rocketmq group=$group broker_anon_peak_kB=${anon:-} broker_hwm_kB=${hwm:-}"
  fi
  RMQ_UP=0
}

rmq_run() {  # GROUP ROW REP Bench-arguments...
  local group=$1 row=$2 rep=$3; shift 3
  local out; out=$(rmq bench "$row" "$@" 2>>"$WORK/rocketmq.log" | grep 'label=' | tail -1)
  if [ -n "$out" ]; then status=ok; else status=failed; fi
  record "kind=run broker=rocketmq group=$group row=$row rep=$rep status=$status $out"
}

rmq_warm() { rmq bench warm produce send=async threads=8 seconds="$WARM_LOAD" warmup=0 topic=warmup >/dev/null 2>&1; }

# ------------------------------------------------------------------------------------------------- groups
# One function per broker; both take the same group names and run the same rows with the same parameters.
client_est() { echo $(( WARMUP + SECS + $1 )); }
E2E_EST=$((WARMUP + SECS + 8))

run_rows() {  # BROKER GROUP ROW... : the measured runs of one group, rounds interleaved like the anchor
  local b=$1 g=$2; shift 2
  local r row
  for r in $(seq "$REPS"); do
    for row in "$@"; do
      local runner=salvo_run topic="${row}_$r" ov=5
      [ "$b" = rocketmq ] && runner=rmq_run ov=3
      case "$row" in
        sync_t*) step "$(client_est $ov)" "$b $g: sync ${row#sync_t} threads, run $r/$REPS" \
                 $runner "$g" "$row" "$r" produce send=sync threads="${row#sync_t}" seconds="$SECS" warmup="$WARMUP" topic="$topic" ;;
        async_w256) step "$(client_est $((ov + 3)))" "$b $g: async window 256, run $r/$REPS" \
                 $runner "$g" "$row" "$r" produce send=async threads=1 inflight=256 window=256 seconds="$SECS" warmup="$WARMUP" topic="$topic" ;;
        batch_t*) step "$(client_est $ov)" "$b $g: batch 32 x 1 KiB, ${row#batch_t} threads, run $r/$REPS" \
                 $runner "$g" "$row" "$r" produce send=batch batch=32 threads="${row#batch_t}" seconds="$SECS" warmup="$WARMUP" topic="$topic" ;;
        durable_t8) step "$(client_est $ov)" "$b $g: sync 8 threads (durable), run $r/$REPS" \
                 $runner "$g" "$row" "$r" produce send=sync threads=8 seconds="$SECS" warmup="$WARMUP" topic="$topic" ;;
        drain)
          if [ "$b" = salvo ]; then
            # estimate from the first full run (fill ~9 k msg/s, drain ~25 k msg/s); FILL_LIMIT is only the bound
            step $((DRAIN / 9000 + DRAIN / 25000 + 25)) "$b $g: drain (fill up to $DRAIN, then consume), run $r/$REPS" \
              salvo_run "$g" drain "$r" drain count="$DRAIN" fill-limit-s="$FILL_LIMIT" timeout-s="$DRAIN_TIMEOUT" topic="$topic"
          else
            step $((DRAIN / 20000 + DRAIN / 60000 + 8)) "$b $g: drain $DRAIN, run $r/$REPS" \
              rmq_run "$g" drain "$r" drain count="$DRAIN" topic="$topic"
          fi ;;
        e2e) if [ "$b" = salvo ]; then
               step "$E2E_EST" "$b $g: end-to-end at $RATE msg/s, run $r/$REPS" \
                 salvo_run "$g" e2e "$r" e2e rate="$RATE" seconds="$SECS" warmup="$WARMUP" wait-s="$E2E_WAIT" topic="$topic"
             else
               step "$E2E_EST" "$b $g: end-to-end at $RATE msg/s, run $r/$REPS" \
                 rmq_run "$g" e2e "$r" e2e rate="$RATE" seconds="$SECS" warmup="$WARMUP" topic="$topic"
             fi ;;
      esac
    done
  done
}

group() {  # BROKER GROUP
  local b=$1 g=$2 durable=""
  case " $BROKERS " in *" $b "*) ;; *) return 0 ;; esac
  [ "$g" = durable ] && durable=1
  SKIP_GROUP=0
  if [ "$b" = salvo ]; then
    step 60 "salvo $g: starting a fresh broker${durable:+ (commitlog_sync batch)}" salvo_start "$g" ${durable:+durable} || SKIP_GROUP=1
    step $((WARM_LOAD + 6)) "salvo $g: warm load ${WARM_LOAD} s (not recorded)" salvo_warm
  else
    step 14 "rocketmq $g: starting a fresh broker${durable:+ (SYNC_FLUSH)}" rmq_start "$g" ${durable:+SYNC_FLUSH} || SKIP_GROUP=1
    step $((WARM_LOAD + 3)) "rocketmq $g: warm load ${WARM_LOAD} s (not recorded)" rmq_warm
  fi
  case "$g" in
    sync) run_rows "$b" "$g" sync_t1 sync_t8 sync_t32 ;;
    async) run_rows "$b" "$g" async_w256 ;;
    batch) run_rows "$b" "$g" batch_t1 batch_t8 batch_t32 ;;
    drain) run_rows "$b" "$g" drain ;;
    e2e) run_rows "$b" "$g" e2e ;;
    durable) run_rows "$b" "$g" durable_t8 ;;
    send) run_rows "$b" "$g" sync_t1 sync_t8 sync_t32 async_w256 batch_t1 batch_t8 batch_t32 drain e2e ;;
  esac
  SKIP_GROUP=0
  if [ "$b" = salvo ]; then step 12 "salvo $g: stopping" salvo_stop "$g"; else step 12 "rocketmq $g: stopping" rmq_stop "$g"; fi
}

# Quick: the fresh-broker cost (Salvo ~50 s to start on 2 cores) allows two starts per broker in 5 minutes, so the
# quick run puts every non-durable workload in one group ("send") and the durable row in its own.
if [ "$MODE" = quick ]; then GROUPS_TO_RUN="send durable"; else GROUPS_TO_RUN="sync async batch drain e2e durable"; fi
all_groups() { local g b; for g in $GROUPS_TO_RUN; do for b in salvo rocketmq; do group "$b" "$g"; done; done; }

cleanup() {
  trap - EXIT INT TERM
  [ -n "$SALVO_PID" ] && { log "cleanup: stopping Salvo"; salvo_stop cleanup nomem; }
  [ "$RMQ_UP" = 1 ] && { log "cleanup: stopping RocketMQ"; rmq stop >> "$WORK/rocketmq.log" 2>&1; RMQ_UP=0; }
}
trap 'cleanup' EXIT
trap 'echo; echo "bench: interrupted" >&2; cleanup; exit 130' INT TERM

# ------------------------------------------------------------------------------------------------- main
if [ ! -f "$ROOT/tests/target/runtime-classpath.txt" ] || [ ! -f "$ROOT/tests/target/classes/io/salvo/bench/LoadGenerator.class" ]; then
  echo "bench: build first (bin/salvo build, or run this through bin/salvo bench)" >&2; exit 1
fi
if [ ! -x "$ANCHOR/run.sh" ]; then echo "bench: the RocketMQ anchor is not at $ANCHOR (set BENCH_ANCHOR)" >&2; exit 1; fi
if ! ports_free; then
  echo "bench: a broker is already listening on 9876/8558/9042/7000/10911 (stop it first: Salvo and RocketMQ use these ports)" >&2
  exit 1
fi
if [ ! -s "$RMQ_SCRATCH/client.cp" ] || [ ! -d "$RMQ_SCRATCH/target/classes/anchor" ]; then
  echo "bench: building the RocketMQ anchor into $RMQ_SCRATCH (first run: downloads RocketMQ 5.5.0 from Maven Central)" >&2
  rmq build > "$WORK/rocketmq-build.log" 2>&1 || { echo "bench: anchor build failed, see $WORK/rocketmq-build.log" >&2; exit 1; }
fi

DRY=1; all_groups; DRY=0
T_BEGIN=$(now_ms)
SALVO_VERSION=$(awk '/<artifactId>salvo-parent<\/artifactId>/{p=1} p && /<version>/{gsub(/.*<version>|<\/version>.*/,""); print; exit}' "$ROOT/pom.xml")
GIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)$(cd "$ROOT" && [ -n "$(git status --porcelain 2>/dev/null | head -1)" ] && echo "+local-changes")
record "kind=meta mode=$MODE started=$(date -u +%Y-%m-%dT%H:%M:%SZ) load_start=$(loadavg) cpus=$(nproc)" \
  "mem_total_kB=$(awk '/MemTotal/{print $2}' /proc/meminfo) salvo_version=$SALVO_VERSION salvo_commit=${GIT:-?}" \
  "rocketmq_version=${RMQ_VERSION:-5.5.0} reps=$REPS secs=$SECS warmup=$WARMUP warm_load=$WARM_LOAD drain=$DRAIN" \
  "fill_limit=$FILL_LIMIT e2e_rate=$RATE"
record "kind=meta java_version=$("$JAVA" -version 2>&1 | head -2 | tail -1 | tr ' ' _)"
echo "bench ($MODE): Salvo $SALVO_VERSION beside RocketMQ ${RMQ_VERSION:-5.5.0}, $STEP_COUNT steps, estimated $(fmt_s "$EST_TOTAL"); logs in $WORK" >&2

all_groups
elapsed=$(( ($(now_ms) - T_BEGIN) / 1000 ))
printf '\r\033[K' >&2
record "kind=meta finished=$(date -u +%Y-%m-%dT%H:%M:%SZ) load_end=$(loadavg) elapsed_s=$elapsed"
echo "bench ($MODE) done in $(fmt_s "$elapsed")" >&2

"$JAVA" -cp "$(classpath tests)" io.salvo.bench.BenchReport "$RECORDS" "$OUT/$STAMP-$MODE"
cp "$RECORDS" "$OUT/$STAMP-$MODE.raw.tsv"
