#!/usr/bin/env bash
# Assembles the image's root filesystem from a NativeAOT `bgpkit` publish:
#   deploy/image/rootfs.sh PUBLISH_DIR ROOTFS_DIR
# Used by build.sh (buildah) and by the Containerfile (docker/podman), so both images hold the same files:
#   /bgpkit                                  the NativeAOT program (the entrypoint): needs glibc (libc, libm,
#                                            the loader) at start; no ICU (InvariantGlobalization)
#   /lib*, /usr/lib*                         exactly the shared libraries it needs, taken from this host
#   /etc/passwd, /etc/group                  user and group 65532 "nonroot" (the workloads' runAsUser)
#   /etc/ssl/certs/ca-certificates.crt       CA bundle for TLS to the API server
#   /samples/quickstart/manifests            so `bgpkit quickstart` finds its example beside the binary
#   /tmp                                     world-writable, sticky
# No shell, no package manager, no loader cache: nothing else.
set -euo pipefail
publish=${1:?usage: rootfs.sh PUBLISH_DIR ROOTFS_DIR}
rootfs=${2:?usage: rootfs.sh PUBLISH_DIR ROOTFS_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)

[ -x "$publish/bgpkit" ] || { echo "rootfs.sh: $publish/bgpkit not found (publish first)" >&2; exit 1; }
mkdir -p "$rootfs"

# The program: everything the publish produced except debug symbols (bgpkit.dbg, *.pdb) and XML docs. A NativeAOT
# publish for linux-x64 is one file: .NET's own native libraries are linked into it.
(cd "$publish" && find . -type f ! -name '*.pdb' ! -name '*.dbg' ! -name '*.xml' -print0) | while IFS= read -r -d '' f; do
  install -D -m "$([ -x "$publish/$f" ] && echo 755 || echo 644)" "$publish/$f" "$rootfs/$f"
done

# Shared libraries: what the loader links at start (ldd of every ELF file published) plus what .NET
# dlopens by name: OpenSSL 3, only when TLS is used (the API server, the webhook; a speaker reading --config
# never loads it) or a certificate is made (the webhook's), and libpcap for layer 2 mode's ARP/NDP capture
# (SharpPcap).
# Not copied on purpose: ICU (InvariantGlobalization is on), libgssapi_krb5 (Negotiate auth only),
# zlib (.NET 9+ carries zlib-ng inside its host).
elves=()
while IFS= read -r -d '' f; do
  if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = "177ELF" ]; then elves+=("$f"); fi
done < <(find "$rootfs" -type f -print0)
for soname in libssl.so.3 libcrypto.so.3 libpcap.so.0.8; do
  path=$(ldconfig -p | awk -v n="$soname" '$1 == n && /x86-64/ { print $NF; exit }')
  [ -n "$path" ] || { echo "rootfs.sh: $soname not found on this host (install libssl3, libpcap0.8)" >&2; exit 1; }
  install -D -m 644 "$(readlink -f "$path")" "$rootfs$path"
  elves+=("$path")
done
# The closure: ldd already lists indirect dependencies. Paths are kept as the loader names them
# (/lib/x86_64-linux-gnu, /lib64/ld-linux-x86-64.so.2), which are in glibc's built-in search path,
# so no /etc/ld.so.cache is needed.
ldd "${elves[@]}" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | sort -u |
  while read -r lib; do
    install -D -m "$([ -x "$lib" ] && echo 755 || echo 644)" "$(readlink -f "$lib")" "$rootfs$lib"
  done

# The user: numeric 65532 (what distroless calls nonroot); the workloads set runAsUser: 65532.
mkdir -p "$rootfs/etc"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$rootfs/etc/group"
chmod 644 "$rootfs/etc/passwd" "$rootfs/etc/group"
install -d -m 755 -o 65532 -g 65532 "$rootfs/home/nonroot"

# CA certificates (Debian's ca-certificates bundle on the build host).
ca=/etc/ssl/certs/ca-certificates.crt
[ -s "$ca" ] || { echo "rootfs.sh: $ca missing (install ca-certificates)" >&2; exit 1; }
install -D -m 644 "$ca" "$rootfs$ca"

# The quickstart's example, where `bgpkit quickstart` looks by default (beside the binary).
mkdir -p "$rootfs/samples/quickstart/manifests"
install -m 644 "$repo"/samples/quickstart/manifests/*.yaml "$rootfs/samples/quickstart/manifests/"

install -d -m 1777 "$rootfs/tmp"
