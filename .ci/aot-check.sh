#!/usr/bin/env bash
# The NativeAOT bgpkit as users get it: publishes it, then runs against it (BGPKIT_EXE, see
# tests/BgpKit.Cli.Tests/Interop/BgpKitProcess.cs) the tests that start bgpkit as a process: every status endpoint
# and `bgpkit show`, /metrics and OTLP, BGP with BFD against FRR, the cluster end-to-end run (controllers and
# speakers against the fake API server), and layer 2 (ARP/NDP through libpcap) in namespaces. Reflection that the AOT compiler could not see fails here, not in a pod.
#   .ci/aot-check.sh [PUBLISH_DIR [RESULTS_DIR]]   publish into PUBLISH_DIR (kept; default: a temporary directory,
#                                                   removed at the end); test results (trx) into RESULTS_DIR
# Expects the tests built (dotnet build BgpKit.sln -c Release). Needs clang and zlib1g-dev (.ci/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
publish=${1:-}
if [ -z "$publish" ]; then
  publish=$(mktemp -d)
  trap 'rm -rf "$publish"' EXIT
fi
started=$(date +%s)
dotnet publish samples/BgpKit.Cli -c Release -r linux-x64 -o "$publish" -nologo -clp:ErrorsOnly
echo "aot-check: NativeAOT publish took $(( $(date +%s) - started )) s; bgpkit is $(du -m "$publish/bgpkit" | cut -f1) MB"
[ -x "$publish/bgpkit" ] || { echo "aot-check: $publish/bgpkit missing" >&2; exit 1; }
results=()
if [ -n "${2:-}" ]; then results=(--logger "trx;LogFileName=aot.trx" --results-directory "$2"); fi
BGPKIT_EXE="$publish/bgpkit" dotnet test tests/BgpKit.Cli.Tests -c Release --no-build -m:1 \
  --filter "FullyQualifiedName~SpeakerStatusProcessTests|FullyQualifiedName~SpeakerMetricsFrrTests|FullyQualifiedName~SpeakerFrrBfdTests|FullyQualifiedName~ClusterEndToEndTests|FullyQualifiedName~KubeconfigProcessTests|FullyQualifiedName~Layer2EndToEndTests" \
  --logger "console;verbosity=minimal" "${results[@]}"
