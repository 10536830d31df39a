#!/usr/bin/env bash
# The whole BgpKit test suite: the command the README gives and the one CI runs.
#   ./test.sh                 build, run every test project, a short fuzz smoke, the fuzz corpus replay and the image smoke
#   FUZZ_SECONDS=0 ./test.sh  skip the fuzz smoke (FUZZ_SEED=N picks another mutation sequence)
#   IMAGE_SMOKE=0 ./test.sh   skip building the image and running it under chroot (deploy/image; needs root)
#   AOT_CHECK=0 ./test.sh     skip publishing the NativeAOT bgpkit and running the process tests against it
#                             (.ci/aot-check.sh; the image then publishes it on its own)
# Interop tests start real FRR, BIRD, GoBGP and ExaBGP daemons and use tshark and bgpdump as
# judges; .ci/deps.sh installs them with apt when they are missing.
set -euo pipefail
cd "$(dirname "$0")"

bash .ci/deps.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$PWD/TestResults"
rm -rf "$results"

dotnet build BgpKit.sln -c Release -nologo -clp:ErrorsOnly

# The NuGet packages as a user gets them: pack, check their contents, build the embedding sample
# against the packed packages alone.
bash .ci/pack-check.sh

status=0
# One test project at a time: interop tests run real daemons and BFD timers are tight on 2 cores.
dotnet test BgpKit.sln -c Release --no-build -m:1 --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" || status=$?

# The NativeAOT bgpkit, published once (a few minutes; the time is printed) and tested as a process; the image
# below ships this same binary.
aot_status=0
aot_dir=$(mktemp -d)
if [ "${AOT_CHECK:-1}" != "0" ]; then
  bash .ci/aot-check.sh "$aot_dir" "$results" || aot_status=$?
fi

fuzz_status=0
if [ "${FUZZ_SECONDS:-30}" != "0" ]; then
  # A fixed seed keeps the smoke repeatable (it replays what passed before); long runs use other seeds.
  dotnet run -c Release --no-build --project fuzz/BgpKit.Fuzz -- all --seconds "${FUZZ_SECONDS:-30}" \
    --seed "${FUZZ_SEED:-20261121}" || fuzz_status=$?
fi

# The coverage corpus AFL++ left (fuzz/corpus/HARNESS) and every saved crasher (fuzz/regressions/HARNESS),
# each input through every property of its harness; no afl needed. One test per harness in the count below.
replay_passed=0; replay_failed=0
replay_log=$(mktemp)
dotnet run -c Release --no-build --project fuzz/BgpKit.Fuzz -- replay all | tee "$replay_log" || true
replay_line=$(grep '^fuzz replay:' "$replay_log" || echo "fuzz replay: 0 passed, 1 failed")
replay_passed=$(echo "$replay_line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
replay_failed=$(echo "$replay_line" | sed -n 's/.*, \([0-9]*\) failed.*/\1/p')
rm -f "$replay_log"

image_status=0
if [ "${IMAGE_SMOKE:-1}" != "0" ]; then
  # The image as CI builds it (deploy/image/build.sh), its rootfs unpacked and bgpkit run in it as
  # user 65532 (deploy/image/smoke.sh): one test in the count below.
  if [ "$(id -u)" -ne 0 ]; then
    echo "image smoke needs root (buildah, unshare, chroot); IMAGE_SMOKE=0 skips it"; image_status=1
  else
    image_dir=$(mktemp -d)
    reuse=()
    if [ -x "$aot_dir/bgpkit" ]; then reuse=(env BGPKIT_PUBLISH_DIR="$aot_dir"); fi
    { "${reuse[@]}" bash deploy/image/build.sh "$image_dir/bgpkit.tar" && bash deploy/image/smoke.sh "$image_dir/bgpkit.tar"; } \
      || image_status=$?
    rm -rf "$image_dir"
  fi
fi

rm -rf "$aot_dir"

# One closing line that any CI reader understands: "N passed, N failed, N skipped".
passed=0; failed=0; total=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$((total + $(get total))); passed=$((passed + $(get passed))); failed=$((failed + $(get failed)))
done
skipped=$((total - passed - failed))
passed=$((passed + replay_passed)); failed=$((failed + replay_failed)); total=$((total + replay_passed + replay_failed))
if [ "$replay_failed" -ne 0 ]; then echo "fuzz corpus replay failed for $replay_failed harness(es)"; fi
if [ "$aot_status" -ne 0 ]; then echo "NativeAOT check failed (exit $aot_status)"; status=1; fi
if [ "$fuzz_status" -ne 0 ]; then failed=$((failed + 1)); echo "fuzz smoke failed (exit $fuzz_status)"; fi
if [ "${IMAGE_SMOKE:-1}" != "0" ]; then
  if [ "$image_status" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "image smoke failed (exit $image_status)"; fi
fi
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
