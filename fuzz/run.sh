#!/usr/bin/env bash
# Coverage-guided fuzzing of one harness with AFL++ through SharpFuzz.
#   fuzz/run.sh HARNESS [SECONDS]      e.g. fuzz/run.sh update 600
# Publishes fuzz/BgpKit.Fuzz to $FUZZ_WORK/bin (default fuzz/.work, ignored by git; afl-cmin refuses /tmp), instruments our assemblies
# and YamlDotNet with the SharpFuzz.CommandLine tool (.config/dotnet-tools.json), runs afl-fuzz at
# nice $FUZZ_NICE (default 19) from fuzz/corpus/HARNESS for SECONDS (default 600), then:
#   - minimises the queue with afl-cmin into fuzz/corpus/HARNESS (files named by content hash),
#   - copies each crash to fuzz/regressions/HARNESS/<sha256 prefix>.bin (reproduce with
#     `dotnet fuzz/BgpKit.Fuzz/bin/Release/net10.0/BgpKit.Fuzz.dll replay HARNESS`),
#   - prints executions, paths, map density and crashes from afl's fuzzer_stats.
# Needs afl++ (Debian package `afl++`); CI does not: it only replays the corpus (test.sh).
# One afl instance at a time on a shared machine: this script does not parallelise.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh HARNESS [SECONDS]}
seconds=${2:-600}
work=${FUZZ_WORK:-$PWD/fuzz/.work}
bin="$work/bin"
niceness=${FUZZ_NICE:-19}
mkdir -p "$work"

source fuzz/instrument.sh

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
out="$work/out-$target"
rm -rf "$out"
run=("$(readlink -f "$(command -v dotnet)")" "$bin/BgpKit.Fuzz.dll" afl "$target")
nice -n "$niceness" afl-fuzz -V "$seconds" -t 5000 -m none -i "fuzz/corpus/$target" -o "$out" -- "${run[@]}" >"$work/afl-$target.log" 2>&1 || {
  echo "afl-fuzz failed, see $work/afl-$target.log"; tail -20 "$work/afl-$target.log"; exit 1; }

stats="$out/default/fuzzer_stats"
get() { sed -n "s/^$1 *: *//p" "$stats"; }

# Crashes become regression inputs (named by content, as the built-in mutator names them).
crashes=0
mkdir -p "fuzz/regressions/$target"
for f in "$out"/default/crashes/id:*; do
  [ -e "$f" ] || continue
  name=$(sha256sum "$f" | cut -c1-16).bin
  cp "$f" "fuzz/regressions/$target/$name"
  crashes=$((crashes + 1))
done

# The minimised corpus replaces fuzz/corpus/HARNESS (the seeds stay: they are the readable starting points).
min="$work/min-$target"
rm -rf "$min"
if nice -n "$niceness" afl-cmin -t 5000 -m none -i "$out/default/queue" -o "$min" -- "${run[@]}" >"$work/cmin-$target.log" 2>&1; then
  find "fuzz/corpus/$target" -type f ! -name 'seed-*' -delete
  for f in "$min"/*; do
    [ -f "$f" ] || continue
    cp "$f" "fuzz/corpus/$target/$(sha256sum "$f" | cut -c1-16).bin"
  done
else
  echo "afl-cmin failed (see $work/cmin-$target.log): corpus left as it was"
fi

printf '%s\t%s s\texecs %s\tpaths %s\tmap %s\tcrashes %s\thangs %s\tcorpus kept %s\n' "$target" "$(get run_time)" \
  "$(get execs_done)" "$(get corpus_count)" "$(get bitmap_cvg)" "$crashes" "$(get saved_hangs)" \
  "$(find "fuzz/corpus/$target" -type f | wc -l)" | tee -a "$work/results.tsv"
