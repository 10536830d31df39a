#!/usr/bin/env bash
# Times `bgpkit decode FILE > /dev/null` against `bgpdump -m FILE > /dev/null` (printing included), best of N
# runs each, and prints the ratio. hyperfine is not installed; this is the plain-bash equivalent.
#   tests/BgpKit.Benchmarks/Mrt/compare-bgpdump.sh [FILE] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
shared=${BGPKIT_SHARED:-}
if [ -z "$shared" ]; then
  dir=$PWD
  while [ "$dir" != / ] && [ ! -d "$dir/shared/corpus" ]; do dir=$(dirname "$dir"); done
  shared=$dir/shared
fi
file=${1:-$shared/corpus/bgpdump_bview.20020722.2337.gz}
[ -f "$file" ] || { echo "no such file: $file" >&2; exit 2; }
runs=${2:-5}
dotnet build samples/BgpKit.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
bgpkit=samples/BgpKit.Cli/bin/Release/net10.0/bgpkit

best() { # best wall and CPU (user+sys) seconds of a command over $runs runs
  local best_real=999999 best_cpu=999999
  for _ in $(seq "$runs"); do
    local t; t=$( { /usr/bin/env TIMEFORMAT='%R %U %S' bash -c "time $* > /dev/null 2>&1"; } 2>&1 | tail -1)
    read -r real user sys <<<"$t"
    local cpu; cpu=$(echo "$user + $sys" | bc)
    if (( $(echo "$real < $best_real" | bc) )); then best_real=$real; fi
    if (( $(echo "$cpu < $best_cpu" | bc) )); then best_cpu=$cpu; fi
  done
  echo "$best_real $best_cpu"
}

read -r ours_real ours_cpu <<<"$(best "$bgpkit decode $file")"
read -r theirs_real theirs_cpu <<<"$(best "bgpdump -m $file")"
echo "file: $file ($runs runs each, best)"
echo "bgpkit decode: ${ours_real}s wall, ${ours_cpu}s CPU"
echo "bgpdump -m:    ${theirs_real}s wall, ${theirs_cpu}s CPU"
echo "ratio bgpkit/bgpdump: wall $(echo "scale=2; $ours_real / $theirs_real" | bc), CPU $(echo "scale=2; $ours_cpu / $theirs_cpu" | bc) (below 1 means bgpkit is faster)"
