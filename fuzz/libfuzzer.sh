#!/usr/bin/env bash
# Coverage-guided fuzzing of one harness with libFuzzer through SharpFuzz (the same instrumented build as run.sh).
#   fuzz/libfuzzer.sh HARNESS [SECONDS]      e.g. fuzz/libfuzzer.sh framing 600
#   FUZZ_RUNS=N stops after N executions (whichever of N and SECONDS comes first), for runs that share a total.
# Builds fuzz/libfuzzer/dotnet-bridge.c against Debian's libfuzzer-14-dev (libFuzzer.a) and clang, runs it at
# nice $FUZZ_NICE (default 19) on a copy of fuzz/corpus/HARNESS, then:
#   - merges what it found back into fuzz/corpus/HARNESS (files named by content hash; the seeds stay),
#   - copies a crash (libFuzzer stops at the first) to fuzz/regressions/HARNESS/<sha256 prefix>.bin,
#   - prints executions, exec/s, features and crashes.
# One fuzzer at a time on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/libfuzzer.sh HARNESS [SECONDS]}
seconds=${2:-600}
work=${FUZZ_WORK:-$PWD/fuzz/.work}
bin="$work/bin"
niceness=${FUZZ_NICE:-19}
runs=${FUZZ_RUNS:+-runs=$FUZZ_RUNS}
mkdir -p "$work"
source fuzz/instrument.sh

bridge="$work/dotnet-bridge"
if [ ! -x "$bridge" ] || [ fuzz/libfuzzer/dotnet-bridge.c -nt "$bridge" ]; then
  # Debian ships libFuzzer.a but not clang's fuzzer runtime: instrument the bridge for coverage and link by hand.
  clang -c -O1 -fsanitize-coverage=inline-8bit-counters,pc-table fuzz/libfuzzer/dotnet-bridge.c -o "$bridge.o"
  clang "$bridge.o" /usr/lib/llvm-14/lib/libFuzzer.a -lstdc++ -lpthread -lm -o "$bridge"
fi

live="$work/lf-$target"
rm -rf "$live" "$work/lf-crash-$target"
mkdir -p "$live" "$work/lf-crash-$target"
cp fuzz/corpus/"$target"/* "$live"/
export BGPKIT_FUZZ_TARGET="$(readlink -f "$(command -v dotnet)") $bin/BgpKit.Fuzz.dll libfuzzer $target"
status=0
(cd "$work/lf-crash-$target" && nice -n "$niceness" "$bridge" -max_total_time="$seconds" $runs -timeout=5 -rss_limit_mb=4096 \
  -print_final_stats=1 "$live") >"$work/lf-$target.log" 2>&1 || status=$?

crashes=0
mkdir -p "fuzz/regressions/$target"
for f in "$work/lf-crash-$target"/crash-* "$work/lf-crash-$target"/timeout-* "$work/lf-crash-$target"/oom-*; do
  [ -e "$f" ] || continue
  cp "$f" "fuzz/regressions/$target/$(sha256sum "$f" | cut -c1-16).bin"
  crashes=$((crashes + 1))
done

# Minimise: merge the live corpus into an empty folder (libFuzzer keeps one input per new feature).
min="$work/lf-min-$target"
rm -rf "$min" && mkdir -p "$min"
if (cd "$work/lf-crash-$target" && nice -n "$niceness" "$bridge" -merge=1 -timeout=5 "$min" "$live") >"$work/lf-merge-$target.log" 2>&1; then
  find "fuzz/corpus/$target" -type f ! -name 'seed-*' -delete
  for f in "$min"/*; do
    [ -f "$f" ] || continue
    cp "$f" "fuzz/corpus/$target/$(sha256sum "$f" | cut -c1-16).bin"
  done
else
  echo "libFuzzer merge failed (see $work/lf-merge-$target.log): corpus left as it was"
fi

stat() { sed -n "s/^stat::$1: *//p" "$work/lf-$target.log"; }
features=$(grep -o 'ft: [0-9]*' "$work/lf-$target.log" | tail -1 | cut -d' ' -f2)
printf 'libfuzzer %s\t%s s\texecs %s\texec/s %s\tfeatures %s\tcrashes %s\texit %s\tcorpus kept %s\n' "$target" "$seconds" \
  "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" "$features" "$crashes" "$status" \
  "$(find "fuzz/corpus/$target" -type f | wc -l)" | tee -a "$work/results.tsv"
