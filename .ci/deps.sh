#!/usr/bin/env bash
# Installs what the tests need on Debian 12 when it is missing: the real peers (FRR bgpd/bfdd,
# BIRD 2, GoBGP, ExaBGP) and the judges (tshark, bgpdump), plus nftables and iproute2 for
# namespace tests, arping and ndisc6 as layer 2 clients (libpcap0.8 for the speaker's ARP/NDP
# capture), buildah, jq and openssl for the image build and its smoke test (deploy/image),
# python3-scapy for generated test captures, and clang and zlib1g-dev, which a NativeAOT publish of
# bgpkit links with. Safe to run again; does nothing when everything is present.
set -euo pipefail
need=()
for cmd in /usr/lib/frr/bgpd:frr /usr/sbin/bird:bird2 /usr/bin/gobgpd:gobgpd /usr/sbin/exabgp:exabgp \
           /usr/bin/tshark:tshark /usr/bin/bgpdump:bgpdump /usr/sbin/nft:nftables /usr/sbin/ip:iproute2 \
           /usr/bin/tcpdump:tcpdump /usr/bin/buildah:buildah /usr/bin/jq:jq /usr/bin/openssl:openssl \
           /usr/sbin/arping:arping /usr/bin/ndisc6:ndisc6 /usr/lib/x86_64-linux-gnu/libpcap.so.0.8:libpcap0.8 \
           /usr/bin/clang:clang /usr/include/zlib.h:zlib1g-dev; do
  path=${cmd%%:*}; pkg=${cmd##*:}
  if [ ! -e "$path" ] && ! command -v "$(basename "$path")" >/dev/null 2>&1; then need+=("$pkg"); fi
done
# scapy builds the TCP-oddity captures of tests/BgpKit.Cli.Tests/Decode/Captures/make_captures.py.
if ! /usr/bin/python3 -c 'import scapy' >/dev/null 2>&1; then need+=(python3-scapy); fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
    echo "missing ${need[*]} and not root: install them with apt-get and run again" >&2; exit 1
  fi
fi
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections || true
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
