#!/usr/bin/env bash
# The long fuzz campaign, run by hand and accumulated over sessions (goal: >= 1 h of CPU per target).
#
#   fuzz/campaign.sh run SECS TARGET...   # fuzz each TARGET for SECS, one after the other
#   fuzz/campaign.sh until SECS TARGET... # fuzz each TARGET, in runs of at most 20 min, until the ledger
#                                         # holds SECS CPU seconds for it (3600 for the campaign goal);
#                                         # FUZZ_DEADLINE=<epoch s> stops it cleanly by then
#   fuzz/campaign.sh total                # CPU seconds, executions and crashes per target, from the ledger
#
# Each run appends one line to fuzz/campaigns.tsv (committed): UTC start, target, build, wall and CPU
# seconds of the libFuzzer process (GNU time: user + sys, so a run slowed by other work on the
# machine counts only what it really got), executions, final coverage and features, corpus size,
# crashes. `total` sums CPU seconds, so the ">= 1 h" is CPU time actually spent fuzzing.
#
# Builds: `--sanitizer none` for the RSA targets (the private-key operation dominates and ASan makes
# it 3x slower; the crate forbids unsafe code) and AddressSanitizer for every other target; both
# with debug assertions (overflow checks). Each build has its own target directory, so neither
# disturbs smoke.sh's build. The working corpus lives in target/campaign/corpus/<target>, seeded
# from corpus/<target>; `cargo fuzz cmin`-style merging back into corpus/ is done by hand (-merge=1).
# Set FUZZ_JOBS=2 in two shells (or run two `run` commands) to use two cores.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never
ledger="campaigns.tsv"
header=$'utc_start\ttarget\tbuild\twall_s\tcpu_s\texecs\tcov\tft\tcorpus\tcrashes'

build_for() {
  case "$1" in
    unwrap_rsa*) echo none ;;
    *) echo address ;;
  esac
}

bin_for() {
  local sanitizer; sanitizer="$(build_for "$1")"
  echo "target/campaign-$sanitizer/$(rustc -vV | sed -n 's/^host: //p')/release/$1"
}

build() {
  local sanitizer="$1"
  cargo fuzz build --sanitizer "$sanitizer" --debug-assertions --target-dir "target/campaign-$sanitizer" >&2
}

run_one() {
  local secs="$1" target="$2" sanitizer bin work log stats start
  sanitizer="$(build_for "$target")"
  bin="$(bin_for "$target")"
  work="target/campaign/corpus/$target"
  log="target/campaign/logs/$target.$(date -u +%Y%m%dT%H%M%SZ).log"
  mkdir -p "$work" "target/campaign/logs" "artifacts/$target"
  [ -n "$(ls -A "$work")" ] || cp corpus/"$target"/* "$work"/
  start="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  stats="$(mktemp)"
  local rc=0
  /usr/bin/time -f '%e %U %S' -o "$stats" "$bin" "$work" -artifact_prefix="artifacts/$target/" \
    -max_total_time="$secs" -max_len=6200 -len_control=0 -timeout=20 -rss_limit_mb=2560 \
    -dict=dicts/der.dict -print_final_stats=1 >"$log" 2>&1 || rc=$?
  local wall user sys cpu execs cov ft crashes corpus_n
  read -r wall user sys < <(tail -n 1 "$stats")
  rm -f "$stats"
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", u + s }')"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)"
  ft="$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)"
  corpus_n="$(ls "$work" | wc -l)"
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=1
    echo "CRASH in $target (exit $rc); log $log" >&2
    tail -n 40 "$log" >&2
  fi
  [ -f "$ledger" ] || echo "$header" >"$ledger"
  printf '%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\n' "$start" "$target" "$sanitizer" "$wall" "$cpu" \
    "${execs:-0}" "${cov:-0}" "${ft:-0}" "$corpus_n" "$crashes" >>"$ledger"
  tail -n 1 "$ledger"
  return "$rc"
}

case "${1:-}" in
  run)
    secs="$2"; shift 2
    needed=()
    for target in "$@"; do needed+=("$(build_for "$target")"); done
    for sanitizer in $(printf '%s\n' "${needed[@]}" | sort -u); do build "$sanitizer"; done
    for target in "$@"; do run_one "$secs" "$target"; done
    ;;
  until)
    goal="$2"; shift 2
    for target in "$@"; do build "$(build_for "$target")"; done
    for target in "$@"; do
      while :; do
        done_s="$(awk -F'\t' -v t="$target" 'NR > 1 && $2 == t { s += $5 } END { print s + 0 }' "$ledger")"
        [ "$done_s" -lt "$goal" ] || break
        secs=$(( goal - done_s + 30 ))
        [ "$secs" -le 1200 ] || secs=1200
        if [ -n "${FUZZ_DEADLINE:-}" ]; then
          # Stop cleanly by a wall-clock deadline (epoch seconds), so no run is cut off unrecorded.
          until_deadline=$(( FUZZ_DEADLINE - $(date +%s) ))
          [ "$until_deadline" -ge 60 ] || exit 0
          [ "$secs" -le "$until_deadline" ] || secs="$until_deadline"
        fi
        run_one "$secs" "$target"
      done
    done
    ;;
  total)
    printf "%-42s %8s %8s %12s %6s %7s\n" target cpu_s wall_s execs cov crashes
    awk -F'\t' 'NR > 1 { cpu[$2] += $5; wall[$2] += $4; ex[$2] += $6; cr[$2] += $10; if ($7 > cov[$2]) cov[$2] = $7 }
      END { for (t in cpu) printf "%-42s %8d %8d %12d %6d %7d%s\n", t, cpu[t], wall[t], ex[t], cov[t], cr[t], (cpu[t] >= 3600 ? "  >= 1 h" : "") }' \
      "$ledger" | sort
    ;;
  *)
    sed -n '2,8p' "$0"; exit 2 ;;
esac
