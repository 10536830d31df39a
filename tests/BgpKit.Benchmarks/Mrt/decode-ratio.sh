#!/usr/bin/env bash
# The issue 15 decode goal: `bgpkit decode FILE` within 1.5 times the decompression floor.
#   tests/BgpKit.Benchmarks/Mrt/decode-ratio.sh [FILE] [RUNS]
# FILE defaults to a TABLE_DUMP_V2 dump built from the corpus's bview (462,084 entries, bzip2 as RouteViews
# writes it; `make-v2-dump` below). Prints, best of RUNS (default 5) each:
#   1. whole processes: `bgpkit decode FILE > /dev/null` against `bzcat|zcat FILE > /dev/null` (wall and CPU);
#   2. in one process after a warm-up (no start-up, no JIT): our own decompressor read to a null sink (the
#      floor), and the whole decode (read-ahead thread, JSON to a null stream), with bytes allocated per record.
# BGPKIT=path/to/bgpkit measures another build (the NativeAOT one, or an older commit's) in part 1.
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${2:-5}
dotnet build tests/BgpKit.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=tests/BgpKit.Benchmarks/bin/Release/net10.0/BgpKit.Benchmarks
bgpkit=${BGPKIT:-samples/BgpKit.Cli/bin/Release/net10.0/bgpkit}
[ -x "$bgpkit" ] || dotnet build samples/BgpKit.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
file=${1:-}
if [ -z "$file" ]; then
  file=${TMPDIR:-/tmp}/bgpkit-rib-v2.bz2
  [ -f "$file" ] || "$bench" make-v2-dump "$file" 4
fi
case "$(head -c 3 "$file" | od -An -c | tr -d ' ')" in
  BZh) cat=bzcat ;;
  *) cat=zcat ;;
esac

best() { # best wall and best CPU (user+sys) seconds of a command over $runs runs
  local best_real=999999 best_cpu=999999
  for _ in $(seq "$runs"); do
    local t; t=$( { TIMEFORMAT='%R %U %S'; time bash -c "$* > /dev/null 2>&1"; } 2>&1 | tail -1)
    read -r real user sys <<<"$t"
    local cpu; cpu=$(echo "$user + $sys" | bc)
    if (( $(echo "$real < $best_real" | bc) )); then best_real=$real; fi
    if (( $(echo "$cpu < $best_cpu" | bc) )); then best_cpu=$cpu; fi
  done
  echo "$best_real $best_cpu"
}

echo "load before: $(cat /proc/loadavg)"
read -r floor_real floor_cpu <<<"$(best "$cat $file")"
read -r ours_real ours_cpu <<<"$(best "$bgpkit decode $file")"
echo "file: $file (best of $runs)"
echo "$cat > /dev/null:        ${floor_real} s wall, ${floor_cpu} s CPU"
echo "bgpkit decode > /dev/null: ${ours_real} s wall, ${ours_cpu} s CPU ($bgpkit)"
echo "ratio to $cat: wall $(echo "scale=2; $ours_real / $floor_real" | bc), CPU $(echo "scale=2; $ours_cpu / $floor_cpu" | bc)"
"$bench" decode-ratio "$file" "$runs"
echo "load after: $(cat /proc/loadavg)"
