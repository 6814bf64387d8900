#!/usr/bin/env bash
# The fuzzing campaign of docs/security-fuzzing.md: every target (or those named), one after
# the other, each for RUNS executions from the committed corpus with a fixed libFuzzer seed.
# New inputs go to fuzz/scratch/<target>/ (not committed); crashes to fuzz/artifacts/<target>/.
# Needs the nightly toolchain and cargo-fuzz. Prints one table row per target.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=fuzz/target
runs="${RUNS:-1000000}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(decode_message decode_key_package decode_welcome decode_group_info decode_ratchet_tree
           group_from_bytes process_message process_message_structured join)
fi
mkdir -p fuzz/scratch/logs
echo "| target | executions | time (s) | cov | ft | corpus | crashes |"
echo "|---|---|---|---|---|---|---|"
for target in "${targets[@]}"; do
  mkdir -p "fuzz/scratch/$target"
  log="fuzz/scratch/logs/$target.log"
  status=0
  # -O -a: optimised, with debug assertions (so integer overflow panics too).
  cargo +nightly fuzz run -O -a "$target" "fuzz/scratch/$target" "fuzz/corpus/$target" -- \
    -runs="$runs" -seed=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  done_line=$(grep -E '^Done [0-9]+ runs in' "$log" | tail -n 1 || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  executions=$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' <<<"$done_line")
  seconds=$(sed -nE 's/.* in ([0-9]+) second.*/\1/p' <<<"$done_line")
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
  corpus=$(sed -nE 's/.*corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  crashes=0
  [ "$status" -ne 0 ] && crashes="exit $status, see $log"
  echo "| $target | ${executions:-?} | ${seconds:-?} | ${cov:-?} | ${ft:-?} | ${corpus:-?} | $crashes |"
done
