#!/usr/bin/env bash
# Packs the six BgpKit libraries and the bgpkit tool into a local folder feed, checks what each
# package carries (README, XML docs, symbols, license, repository), then builds a copy of
# samples/EmbeddedAnnouncer against those packages alone (no project references, no src/), so a
# package that is broken for users cannot land.
#   .ci/pack-check.sh            feed in a temp folder, removed at the end
#   PACK_FEED=DIR .ci/pack-check.sh   keep the feed in DIR
#   PACKAGE_BASELINE=DIR .ci/pack-check.sh   validate each package against BgpKit.X.*.nupkg in DIR (a feed kept
#                                     from an earlier commit or release): a breaking API change fails the pack
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="${PACK_FEED:-$work/feed}"
mkdir -p "$feed"
rm -f "$feed"/BgpKit.*.nupkg "$feed"/BgpKit.*.snupkg

libraries=(Bgp.Wire Bgp.Fsm Bfd Bgp.Hosting MetalLb.Model MetalLb.Kubernetes)
for project in "${libraries[@]}"; do
  baseline=()
  if [ -n "${PACKAGE_BASELINE:-}" ]; then
    old=$(ls "$PACKAGE_BASELINE"/BgpKit."$project".[0-9]*.nupkg 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$old" ]; then baseline=(-p:PackageValidationBaselinePath="$old"); fi
  fi
  dotnet pack "src/$project/$project.csproj" -c Release -o "$feed" -nologo -clp:ErrorsOnly -warnaserror "${baseline[@]}"
done
# Restored apart, then packed without a restore: PublishAot makes a build restore the CLI for this machine's
# runtime too (its lock file holds linux-x64), while packing a .NET tool leaves that runtime out, so a restore
# during pack would not match the lock file (NU1004 under CI=true). The package stays the portable tool.
dotnet restore samples/BgpKit.Cli/BgpKit.Cli.csproj -nologo -v:q
dotnet pack samples/BgpKit.Cli/BgpKit.Cli.csproj -c Release --no-restore -o "$feed" -nologo -clp:ErrorsOnly -warnaserror

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
fail=0
check() { # package-id, required entries...
  local id=$1; shift
  local nupkg="$feed/$id.$version.nupkg"
  if [ ! -f "$nupkg" ]; then echo "pack-check: $id: no package"; fail=1; return; fi
  if [ ! -f "$feed/$id.$version.snupkg" ]; then echo "pack-check: $id: no symbol package"; fail=1; fi
  local listing nuspec
  listing=$(unzip -Z1 "$nupkg")
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for entry in "$@"; do
    grep -qx -- "$entry" <<<"$listing" || { echo "pack-check: $id: missing $entry"; fail=1; }
  done
  for tag in '<license type="expression">' '<readme>README.md</readme>' '<repository type="git"' '<description>' '<tags>'; do
    grep -q -- "$tag" <<<"$nuspec" || { echo "pack-check: $id: nuspec lacks $tag"; fail=1; }
  done
}
for project in "${libraries[@]}"; do
  check "BgpKit.$project" README.md "lib/net10.0/$project.dll" "lib/net10.0/$project.xml"
done
check BgpKit.Cli README.md tools/net10.0/any/bgpkit.dll tools/net10.0/any/DotnetToolSettings.xml
if [ "$fail" -ne 0 ]; then echo "pack-check: packages are incomplete"; exit 1; fi

# The global packages folder would serve an older BgpKit.*.$version; drop those so restore takes the feed.
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
for project in "${libraries[@]}"; do
  id=$(echo "bgpkit.$project" | tr 'A-Z' 'a-z')
  rm -rf "$packages/$id/$version"
done

# A copy of the sample beside the repository's build settings only: nothing from src/ is reachable.
mkdir -p "$work/repo/samples"
cp Directory.Build.props Directory.Packages.props BannedSymbols.txt nuget.config README.md "$work/repo/"
cp -r samples/EmbeddedAnnouncer "$work/repo/samples/"
rm -rf "$work/repo/samples/EmbeddedAnnouncer/bin" "$work/repo/samples/EmbeddedAnnouncer/obj" "$work/repo/samples/EmbeddedAnnouncer/packages.lock.json"
dotnet build "$work/repo/samples/EmbeddedAnnouncer/EmbeddedAnnouncer.csproj" -c Release -nologo -clp:ErrorsOnly -warnaserror \
  -p:UsePackedBgpKit=true -p:RestoreAdditionalProjectSources="$feed" \
  -p:RestorePackagesWithLockFile=false -p:RestoreLockedMode=false
if grep -rq '"type": "project"' "$work/repo/samples/EmbeddedAnnouncer/obj/project.assets.json"; then
  echo "pack-check: EmbeddedAnnouncer resolved a project reference"; exit 1
fi
echo "pack-check: ${#libraries[@]} libraries and the bgpkit tool packed; EmbeddedAnnouncer builds against them"
