#!/usr/bin/env bash
# Smoke test of the bgpkit image without a container runtime (none can run on these machines):
#   deploy/image/smoke.sh OUT        OUT as written by deploy/image/build.sh (an oci-archive)
# Unpacks the image's root filesystem as a runtime would (index.json -> manifest -> layers in order),
# checks its configuration (entrypoint /bgpkit, user 65532:65532, no shell), then runs the entrypoint
# under chroot as that user, in new mount, PID and network namespaces with the /proc and minimal /dev
# a runtime provides (.NET reads its own /proc):
#   bgpkit --version
#   bgpkit quickstart                      a real BGP session over the namespace's loopback
#   bgpkit controller --api-server https:// --ca-file    TLS through the image's OpenSSL, against
#                                          `openssl s_server` (outside the chroot, same namespace)
# Proves the image holds everything the program needs. Needs root, unshare, ip, openssl, jq.
set -euo pipefail

if [ "${1:-}" = "--inside" ]; then
  # In the new namespaces (as root, outside the chroot). Mounts die with the mount namespace.
  root=$2
  ip link set lo up   # 127.0.0.0/8 is routed on lo once it is up: the quickstart's 127.0.0.2 is ours
  mount -t proc proc "$root/proc"
  mount -t tmpfs -o mode=755,nosuid,size=64k dev "$root/dev"
  for n in null zero full random urandom; do : > "$root/dev/$n"; mount --bind "/dev/$n" "$root/dev/$n"; done
  as_user() { chroot --userspec=65532:65532 --groups=65532 "$root" "$@"; }
  fails=0
  check() { # check NAME EXPECTED-EXIT(any|N) PATTERN -- COMMAND...
    local name=$1 want=$2 pattern=$3; shift 4
    local out rc=0
    out=$("$@" 2>&1) || rc=$?
    if { [ "$want" = any ] || [ "$rc" = "$want" ]; } && grep -Eq -- "$pattern" <<<"$out"; then
      echo "ok: $name"
    else
      echo "FAILED: $name (exit $rc, wanted ${want}, output ${pattern@Q}):"; sed 's/^/  | /' <<<"$out" | tail -40
      fails=$((fails + 1))
    fi
  }
  check "bgpkit --version" 0 '^[0-9]+\.[0-9]+\.[0-9]+' -- as_user /bgpkit --version
  check "bgpkit quickstart" 0 '^OK: session Established and the router received all 2 planned routes\.$' -- \
    as_user /bgpkit quickstart --timeout 60

  # TLS: a self-signed API server certificate for 127.0.0.1, trusted through --ca-file. The answer is
  # s_server's HTML status page, so bgpkit reporting it as bad JSON means the handshake, the chain
  # check and the HTTP exchange all ran on the image's libssl/libcrypto.
  tls=$(mktemp -d)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bgpkit-smoke \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
  install -m 644 "$tls/cert.pem" "$root/tmp/smoke-ca.pem"
  echo smoke-token > "$root/tmp/smoke-token"; chmod 644 "$root/tmp/smoke-token"
  openssl s_server -accept 127.0.0.1:6443 -cert "$tls/cert.pem" -key "$tls/key.pem" -www -quiet >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6443) 2>/dev/null && break; sleep 0.1; done
  check "bgpkit controller over TLS (OpenSSL in the image)" any "invalid start of a value" -- \
    timeout 5 chroot --userspec=65532:65532 --groups=65532 "$root" \
      /bgpkit controller --api-server https://127.0.0.1:6443 --ca-file /tmp/smoke-ca.pem \
      --token-file /tmp/smoke-token --log-level warn
  kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true
  rm -rf "$tls"
  exit "$fails"
fi

archive=${1:?usage: deploy/image/smoke.sh OUT}
[ -f "$archive" ] || { echo "smoke.sh: $archive not found" >&2; exit 1; }
for tool in unshare chroot ip openssl jq; do
  command -v "$tool" >/dev/null || { echo "smoke.sh: $tool missing" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/bgpkit-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/oci" "$work/rootfs"
tar -C "$work/oci" -xf "$archive"
blob() { echo "$work/oci/blobs/${1%%:*}/${1#*:}"; }

manifest=$(blob "$(jq -r '.manifests[0].digest' "$work/oci/index.json")")
config=$(blob "$(jq -r '.config.digest' "$manifest")")
fails=0
expect() { # expect NAME ACTUAL WANTED
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: $2 (wanted $3)"; fails=$((fails + 1)); fi
}
expect "entrypoint" "$(jq -c '.config.Entrypoint' "$config")" '["/bgpkit"]'
expect "user" "$(jq -r '.config.User' "$config")" "65532:65532"

# Layers in order, as a runtime applies them (OCI whiteouts: .wh.NAME deletes NAME from the layers below).
while read -r digest media; do
  case "$media" in *+gzip) z=-z ;; *.tar) z= ;; *) echo "smoke.sh: layer type $media" >&2; exit 1 ;; esac
  tar $z -tf "$(blob "$digest")" | { grep '\.wh\.' || true; } | while read -r wh; do
    rm -rf "$work/rootfs/$(dirname "$wh")/$(basename "$wh" | sed 's/^\.wh\.//')"
  done
  tar $z -C "$work/rootfs" --numeric-owner -xpf "$(blob "$digest")"
  find "$work/rootfs" -name '.wh.*' -delete
done < <(jq -r '.layers[] | "\(.digest) \(.mediaType)"' "$manifest")

r=$work/rootfs
expect "no shell or package manager" \
  "$(find "$r" \( -name sh -o -name bash -o -name dash -o -name busybox -o -name apt -o -name dpkg \) | wc -l)" 0
expect "/tmp mode" "$(stat -c %a "$r/tmp")" 1777
expect "passwd has 65532" "$(grep -c '^nonroot:x:65532:65532:' "$r/etc/passwd")" 1
mkdir -p "$r/proc" "$r/dev"   # a runtime's mount points; the image does not ship them

rc=0
unshare --mount --pid --fork --net bash "$0" --inside "$r" || rc=$?
fails=$((fails + rc))
echo "image smoke: $([ "$fails" -eq 0 ] && echo passed || echo "$fails failed")"
[ "$fails" -eq 0 ]
