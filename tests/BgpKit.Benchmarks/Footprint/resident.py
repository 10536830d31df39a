#!/usr/bin/env python3
"""Which pages of the NativeAOT bgpkit are resident in a running process, and what they hold.

    tests/BgpKit.Benchmarks/Footprint/resident.py PID DIR/bgpkit [DIR/bgpkit.dbg]

Reads /proc/PID/maps and /proc/PID/pagemap (root) for the pages of the executable that are mapped, and sums them by
ELF section; with the symbol file that `dotnet publish` leaves beside the binary (bgpkit.dbg), also by what the
symbols on those pages are (MethodTable, frozen string, GC statics, code) and the assembly they come from. A page
holding several symbols is shared among them. The binary is linked non-PIE, so its addresses are the link
addresses. Read the figures with the kernel's fault-around in mind: a fault on a file page maps the up to 16 pages
of its 64 KiB window that are in the page cache, so "resident" means "near something touched".
"""
import bisect
import collections
import os
import re
import struct
import subprocess
import sys

PAGE = 4096


def resident_pages(pid, binary):
    pages = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap, open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) < 6 or os.path.realpath(parts[5]) != binary:
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            pagemap.seek(lo // PAGE * 8)
            entries = pagemap.read((hi - lo) // PAGE * 8)
            for i in range((hi - lo) // PAGE):
                if struct.unpack_from("<Q", entries, i * 8)[0] >> 63:  # bit 63: present
                    pages.add(lo + i * PAGE)
    return pages


def sections(binary):
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    found = []
    for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", out):
        addr, size = int(m.group(2), 16), int(m.group(3), 16)
        if addr and size:
            found.append((addr, addr + size, m.group(1)))
    return found


KINDS = (("_ZTV", "MethodTable"), ("__GCSTATICS", "GC statics"), ("__NONGCSTATICS", "non-GC statics"),
         ("__Str_", "frozen string"), ("__FrozenObj", "frozen object"), ("__writableData", "writable data"),
         ("__THREADSTATIC", "thread statics"), ("__GenericDict", "generic dictionary"))


def classify(name):
    for prefix, kind in KINDS:
        if name.startswith(prefix):
            rest = name[len(prefix):]
            if kind == "GC statics" and name.endswith("PreInitData"):
                kind = "GC statics (preinitialized)"
            return kind, owner(re.sub(r"^\d+", "", rest))
    if name.startswith("__"):
        return "runtime table", name
    return "code", owner(re.sub(r"^(unbox_|<Boxed>)", "", name))


def owner(mangled):
    # Mangled names start with the assembly: S_P_CoreLib_System_..., System_Linq_System_Linq_..., Bgp_Fsm_...
    parts = mangled.split("_")
    if parts[0] == "S":
        return "_".join(parts[:3])
    return "_".join(parts[:3] if parts[:2] == ["System", "Text"] else parts[:2]) if parts[0] in ("System", "Microsoft", "Bgp", "MetalLb") else parts[0]


def main():
    pid, binary = sys.argv[1], os.path.realpath(sys.argv[2])
    pages = resident_pages(pid, binary)
    secs = sections(binary)
    print(f"resident pages of {binary}: {len(pages)} ({len(pages) * PAGE / 2**20:.1f} MiB)")
    print(f"  {'section':20} {'size MiB':>9} {'resident MiB':>13}")
    for lo, hi, name in secs:
        n = sum(1 for p in pages if lo <= p < hi)
        if n:
            print(f"  {name:20} {(hi - lo) / 2**20:9.2f} {n * PAGE / 2**20:13.2f}")
    if len(sys.argv) < 4:
        return
    symbols = []
    out = subprocess.run(["nm", "--defined-only", sys.argv[3]], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            symbols.append((int(parts[0], 16), parts[2]))
    symbols.sort()
    addresses = [a for a, _ in symbols]
    by_kind = collections.Counter()
    for page in pages:
        first = max(bisect.bisect_right(addresses, page) - 1, 0)
        last = bisect.bisect_left(addresses, page + PAGE)
        names = [symbols[k][1] for k in range(first, last)] or ["__<no symbol>"]
        for name in names:
            by_kind[classify(name)] += 1 / len(names)
    print("  by what the pages hold (MiB, kind, assembly or table):")
    for (kind, owner), n in by_kind.most_common(int(os.environ.get("TOP", "30"))):
        print(f"  {n * PAGE / 2**20:7.2f}  {kind:28} {owner}")


if __name__ == "__main__":
    main()
