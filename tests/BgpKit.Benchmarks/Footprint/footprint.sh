#!/usr/bin/env bash
# Measures what README's "Footprint" table reports, for one bgpkit build:
#   tests/BgpKit.Benchmarks/Footprint/footprint.sh BGPKIT [SECONDS]
# BGPKIT is the program as users run it: a NativeAOT publish (`dotnet publish samples/BgpKit.Cli -c Release
# -r linux-x64 -o DIR`, then DIR/bgpkit) or the JIT build ("dotnet samples/BgpKit.Cli/bin/Release/net10.0/bgpkit.dll").
# It runs `bgpkit speaker --config samples/quickstart/manifests` (the README's quickstart) three ways:
#   idle          no router answers; RSS after 10 s
#   exec -> Established   BIRD 2 (INTEROP.md) as the router on 127.0.0.2:1790, passive: from exec until the speaker
#                 logs "session established", median of 5 runs
#   steady        the session up, /metrics scraped 20 times a second for SECONDS (60): RSS at the end and at most
# Runs in a network namespace of its own (so 127.0.0.2:1790 is nobody else's): needs root, ip, bird, python3.
# Prints one line per figure.
set -euo pipefail
bgpkit=${1:?usage: footprint.sh BGPKIT [SECONDS]}
seconds=${2:-60}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
if [ "${FOOTPRINT_NETNS:-}" = "" ]; then
  ns=bgpkit-footprint-$$
  ip netns add "$ns"
  trap 'ip netns del "$ns"' EXIT
  ip netns exec "$ns" ip link set lo up
  FOOTPRINT_NETNS=$ns ip netns exec "$ns" bash "$0" "$@"
  exit
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bgpkit-footprint.XXXXXX")
cleanup() {
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/bird.conf" <<CONF
router id 127.0.0.2;
protocol device { }
protocol bgp peer1 {
  local 127.0.0.2 port 1790 as 64512;
  neighbor 127.0.0.1 as 64513;
  multihop;
  strict bind;
  passive on;
  ipv4 { import all; export none; };
}
CONF

BGPKIT="$bgpkit" MANIFESTS="$repo/samples/quickstart/manifests" SECONDS_STEADY="$seconds" WORK="$work" \
python3 - <<'PY'
import os, re, shlex, statistics, subprocess, threading, time, http.client

cmd = shlex.split(os.environ["BGPKIT"])
manifests, work = os.environ["MANIFESTS"], os.environ["WORK"]
steady_seconds = int(os.environ["SECONDS_STEADY"])
status_port = 17473

def speaker(log_level="info"):
    return subprocess.Popen(cmd + ["speaker", "--config", manifests, "--node", "quickstart-node", "--bgp-listen", "none",
                                   "--status", f"127.0.0.1:{status_port}", "--log-level", log_level],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)

def rss_kib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
                fields[k] = int(v.split()[0])
    return fields

def faults(pid):
    # Minor page faults so far. Each fault on the binary's file pages maps up to 64 KiB around it (the kernel's
    # fault-around), so RssFile over 4 KiB per fault shows how scattered the pages touched at start are.
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rpartition(")")[2].split()[7])

def mib(kib):
    return f"{kib / 1024:.1f} MiB"

def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill(); p.wait()

def drain(p, lines):
    for line in p.stdout:
        lines.append(line)

# Idle: nothing at 127.0.0.2:1790.
p = speaker()
lines = []
threading.Thread(target=drain, args=(p, lines), daemon=True).start()
time.sleep(10)
r = rss_kib(p.pid)
print(f"idle: RSS {mib(r['VmRSS'])} (anon {mib(r['RssAnon'])}, file {mib(r['RssFile'])}), peak {mib(r['VmHWM'])}, "
      f"{faults(p.pid)} minor faults")
stop(p)

bird = subprocess.Popen(["bird", "-f", "-c", f"{work}/bird.conf", "-s", f"{work}/bird.ctl", "-P", f"{work}/bird.pid"])

try:
    for _ in range(100):
        if os.path.exists(f"{work}/bird.ctl"):
            break
        time.sleep(0.1)
    time.sleep(0.5)

    # Exec -> Established: the speaker's own log line, read as it is written.
    times = []
    for _ in range(5):
        start = time.monotonic()
        p = speaker()
        got = None
        for line in p.stdout:
            if "session established" in line:
                got = time.monotonic() - start
                break
        if got is None:
            raise SystemExit("the speaker never logged 'session established'")
        times.append(got * 1000)
        threading.Thread(target=drain, args=(p, []), daemon=True).start()
        stop(p)
        time.sleep(1.5)  # BIRD notices the close and is ready again
    print(f"exec -> Established: median {statistics.median(times):.1f} ms (runs: {', '.join(f'{t:.1f}' for t in times)})")

    # Steady state: the session up, /metrics scraped 20 times a second.
    p = speaker()
    lines = []
    for line in p.stdout:
        lines.append(line)
        if "session established" in line:
            break
    threading.Thread(target=drain, args=(p, lines), daemon=True).start()
    conn = http.client.HTTPConnection("127.0.0.1", status_port, timeout=10)
    peak, scrapes, failures = 0, 0, 0
    start = time.monotonic()
    next_sample = start
    while time.monotonic() - start < steady_seconds:
        t = time.monotonic()
        try:
            conn.request("GET", "/metrics")
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or b"frrk8s_bgp_session_up" not in body:
                failures += 1
        except (OSError, http.client.HTTPException):
            failures += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", status_port, timeout=10)
        scrapes += 1
        if t >= next_sample:
            peak = max(peak, rss_kib(p.pid)["VmRSS"])
            next_sample += 1
        time.sleep(max(0, 0.05 - (time.monotonic() - t)))
    r = rss_kib(p.pid)
    peak = max(peak, r["VmRSS"])
    print(f"steady ({steady_seconds} s, {scrapes} scrapes, {failures} failed): RSS {mib(r['VmRSS'])} at the end "
          f"(anon {mib(r['RssAnon'])}, file {mib(r['RssFile'])}), at most {mib(peak)}")
    stop(p)
    if failures:
        raise SystemExit(f"{failures} scrapes failed")
finally:
    bird.terminate()
    bird.wait(10)
PY
