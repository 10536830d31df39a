#!/usr/bin/env bash
# Builds the bgpkit image (one image for the controller and the speaker) with buildah, from scratch:
#   deploy/image/build.sh OUT        writes an OCI archive to OUT (load it with `podman load -i OUT`,
#                                    `skopeo copy oci-archive:OUT docker://REGISTRY/bgpkit:TAG`, ...)
# No registry and no container runtime are needed: the program is published (NativeAOT) on this host,
# deploy/image/rootfs.sh lays out the root filesystem, buildah only packs it. Runs as root
# (buildah's vfs storage in a private temporary directory, removed at the end).
# BGPKIT_PUBLISH_DIR=DIR reuses an existing `dotnet publish samples/BgpKit.Cli -c Release -r linux-x64 -o DIR`
# instead of publishing again.
set -euo pipefail
out=${1:?usage: deploy/image/build.sh OUT}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
repo=$(cd "$(dirname "$0")/../.." && pwd)
command -v buildah >/dev/null || { echo "build.sh: buildah missing (apt-get install buildah)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bgpkit-image.XXXXXX")
storage=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
ctr=""
cleanup() {
  if [ -n "$ctr" ]; then buildah "${storage[@]}" rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The NativeAOT bgpkit (PublishAot is the CLI project's own setting): one executable, no .NET runtime beside it,
# less memory than the JIT build and a session up within milliseconds of exec (README, "Footprint"). KubernetesClient and YamlDotNet are not
# trim-annotated; the published binary is tested on their paths (.ci/aot-check.sh runs the cluster end-to-end and
# status tests against it).
publish=${BGPKIT_PUBLISH_DIR:-$work/publish}
if [ -z "${BGPKIT_PUBLISH_DIR:-}" ]; then
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  # The libraries name linux-x64 among their runtime identifiers (Directory.Build.props), so this restore works
  # in locked mode (CI=true) against the committed lock files like every other.
  dotnet publish "$repo/samples/BgpKit.Cli" -c Release -r linux-x64 -o "$publish" -nologo -clp:ErrorsOnly
fi

bash "$repo/deploy/image/rootfs.sh" "$publish" "$work/rootfs"

# The commit's time as the image's and its files': the same commit gives the same image (two builds of
# one commit had the same manifest digest; only the archive's own tar wrapper differs).
created=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
version=$("$publish/bgpkit" --version)

ctr=$(buildah "${storage[@]}" from scratch)
# Mounted and copied with cp -a so owners and modes stay as rootfs.sh set them (buildah copy would
# make every file root's, the user's home included). With vfs storage the mount is a plain directory.
mnt=$(buildah "${storage[@]}" mount "$ctr")
cp -a "$work/rootfs/." "$mnt/"
buildah "${storage[@]}" umount "$ctr" >/dev/null
buildah "${storage[@]}" config \
  --entrypoint '["/bgpkit"]' --cmd '["--help"]' \
  --user 65532:65532 --workingdir / \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --os linux --arch amd64 \
  --label org.opencontainers.image.title=bgpkit \
  --label org.opencontainers.image.description="BgpKit: MetalLB's controller and BGP speaker on .NET" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.source=https://github.com/bgpkit-dotnet/bgpkit \
  --label org.opencontainers.image.licenses=Apache-2.0 \
  --created-by "deploy/image/build.sh" \
  "$ctr"
mkdir -p "$(dirname "$out")"
rm -f "$out"
buildah "${storage[@]}" commit --quiet --format oci --disable-compression=false --identity-label=false \
  --timestamp "$created" --rm "$ctr" "oci-archive:$out" >/dev/null
ctr=""
echo "$out: bgpkit $version, $(du -h "$out" | cut -f1) archive, $(du -sh "$work/rootfs" | cut -f1) unpacked"
