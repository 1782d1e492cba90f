#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""tests/bench/report.py - turn benchmark samples into the ours/stock table.

    report.py [--out DIR] RAW...

RAW holds one line per run of a benchmark program, as tests/bench/run
collects them from the TAP comments of the *-bench.bats files:

    bench kernel=K boot=B stack=S round=R prog=P KEY=VALUE...

Per kernel and row: the median, the interquartile range and the min-max of
the samples of each stack, and the ratio of the medians ours/stock.  A row
whose medians differ by less than the larger of the two IQRs is "noise";
otherwise "better" or "worse" in the row's direction (throughput wants
ours/stock >= 1.0, latency <= 1.0).  Writes DIR/bench.md and DIR/bench.json
(schema_version 1; keys are stable) and prints the markdown.
"""
import argparse
import datetime
import json
import os
import sys

SCHEMA_VERSION = 1

# key, label, prog, selector (key=value the sample line must carry),
# field, unit, direction, ours_only
ROWS = [
    ("dma_4k_mib_s", "DMA map+unmap 4 KiB", "type1", ("size", "4096"), "mib_per_s", "MiB/s", "higher", False),
    ("dma_4k_ops_s", "DMA map+unmap 4 KiB", "type1", ("size", "4096"), "ops_per_s", "ops/s", "higher", False),
    ("dma_2m_mib_s", "DMA map+unmap 2 MiB", "type1", ("size", "2097152"), "mib_per_s", "MiB/s", "higher", False),
    ("dma_2m_ops_s", "DMA map+unmap 2 MiB", "type1", ("size", "2097152"), "ops_per_s", "ops/s", "higher", False),
    ("dma_64m_mib_s", "DMA map+unmap 64 MiB", "type1", ("size", "67108864"), "mib_per_s", "MiB/s", "higher", False),
    ("dma_64m_ops_s", "DMA map+unmap 64 MiB", "type1", ("size", "67108864"), "ops_per_s", "ops/s", "higher", False),
    ("dma_256m_mib_s", "DMA map+unmap 256 MiB", "type1", ("size", "268435456"), "mib_per_s", "MiB/s", "higher", False),
    ("dma_256m_ops_s", "DMA map+unmap 256 MiB", "type1", ("size", "268435456"), "ops_per_s", "ops/s", "higher", False),
    ("region_info_ns", "VFIO_DEVICE_GET_REGION_INFO", "pci", ("row", "region-info"), "ns_per_op", "ns", "lower", False),
    ("config_pread_ns", "config space pread (4 B)", "pci", ("row", "config-pread"), "ns_per_op", "ns", "lower", False),
    ("bar_mmap_read_ns", "BAR read via mmap (4 B)", "pci", ("row", "bar-mmap-read"), "ns_per_op", "ns", "lower", False),
    ("bar_pread_ns", "BAR read via pread (4 B)", "pci", ("row", "bar-pread"), "ns_per_op", "ns", "lower", False),
    ("msi_roundtrip_ns", "MSI eventfd round trip", "pci", ("row", "msi-roundtrip"), "ns_per_op", "ns", "lower", False),
    ("open_close_ns", "container+group+device open/close", "pci", ("row", "open-close"), "ns_per_op", "ns", "lower", False),
    ("group_open_16_ns", "group open, 16 groups", "core", ("groups", "16"), "open_ns", "ns", "lower", True),
    ("group_attach_16_ns", "group attach (SET_CONTAINER), 16 groups", "core", ("groups", "16"), "set_container_ns", "ns", "lower", True),
    ("device_lookup_16_ns", "device lookup (GET_DEVICE_FD), 16 groups", "core", ("groups", "16"), "get_device_fd_ns", "ns", "lower", True),
    ("group_open_4096_ns", "group open, 4096 groups", "core", ("groups", "4096"), "open_ns", "ns", "lower", True),
    ("group_attach_4096_ns", "group attach (SET_CONTAINER), 4096 groups", "core", ("groups", "4096"), "set_container_ns", "ns", "lower", True),
    ("device_lookup_4096_ns", "device lookup (GET_DEVICE_FD), 4096 groups", "core", ("groups", "4096"), "get_device_fd_ns", "ns", "lower", True),
]


def parse(paths):
    samples = []
    for path in paths:
        with open(path) as f:
            for line in f:
                words = line.split()
                if not words or words[0] != "bench":
                    continue
                kv = dict(w.split("=", 1) for w in words[1:] if "=" in w)
                samples.append(kv)
    return samples


def quantile(v, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def stats(values):
    if not values:
        return None
    v = sorted(values)
    return {
        "n": len(v),
        "median": quantile(v, 0.5),
        "q1": quantile(v, 0.25),
        "q3": quantile(v, 0.75),
        "min": v[0],
        "max": v[-1],
    }


def values_of(samples, kernel, stack, prog, sel, field):
    out = {}
    for s in samples:
        if (s.get("kernel") == kernel and s.get("stack") == stack and
                s.get("prog") == prog and s.get(sel[0]) == sel[1] and
                field in s):
            out.setdefault(s.get("boot"), []).append(float(s[field]))
    return out


def row_result(samples, kernel, row):
    key, label, prog, sel, field, unit, direction, ours_only = row
    res = {"key": key, "label": label, "unit": unit,
           "direction": direction, "ours_only": ours_only}
    for stack in ("ours", "stock"):
        by_boot = values_of(samples, kernel, stack, prog, sel, field)
        st = stats([x for v in by_boot.values() for x in v])
        if st:
            st["boots"] = len(by_boot)
            st["boot_medians"] = [stats(by_boot[b])["median"]
                                  for b in sorted(by_boot)]
        res[stack] = st
    o, s = res["ours"], res["stock"]
    res["ratio"] = None
    res["verdict"] = "n/a"
    res["meets_target"] = None
    if ours_only or not o or not s or not s["median"]:
        return res
    ratio = o["median"] / s["median"]
    good = ratio >= 1.0 if direction == "higher" else ratio <= 1.0
    spread = max(o["q3"] - o["q1"], s["q3"] - s["q1"])
    if abs(o["median"] - s["median"]) <= spread:
        verdict = "noise"
    else:
        verdict = "better" if good else "worse"
    res.update(ratio=ratio, verdict=verdict, meets_target=good)
    return res


def fmt(x):
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 1:
        return "%.2f" % x
    return "%.3f" % x


def cell(st, div):
    if not st:
        return "-"
    return "%s [%s–%s]" % (fmt(st["median"] / div), fmt(st["min"] / div),
                           fmt(st["max"] / div))


def markdown(report):
    out = []
    for kernel, kr in report["kernels"].items():
        out.append("### Kernel %s (%s)\n" % (kernel, kr["release"] or "?"))
        out.append("Samples per stack and row: %s over %s boot(s).  "
                   "Cells: median [min–max].\n" %
                   (kr["samples_per_stack"], kr["boots"]))
        out.append("| Row | Unit | Ours | Stock | Ours/stock | Target | Verdict |")
        out.append("|---|---|---|---|---|---|---|")
        for r in kr["rows"]:
            target = "-" if r["ours_only"] else (
                "≥ 1.0" if r["direction"] == "higher" else "≤ 1.0")
            ratio = "-" if r["ratio"] is None else "%.2f" % r["ratio"]
            verdict = r["verdict"]
            if verdict == "worse":
                verdict = "**worse**"
            # latencies in µs in the table (ns in the JSON)
            unit, div = ("µs", 1e3) if r["unit"] == "ns" else (r["unit"], 1)
            out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                r["label"], unit, cell(r["ours"], div), cell(r["stock"], div),
                ratio, target, verdict))
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--param", action="append", default=[],
                    metavar="KEY=VALUE",
                    help="run parameter to record in the JSON (repeatable)")
    ap.add_argument("raw", nargs="+")
    args = ap.parse_args()

    samples = parse(args.raw)
    if not samples:
        sys.exit("report.py: no benchmark samples in %s" % " ".join(args.raw))
    kernels = []
    for s in samples:
        if s.get("kernel") not in kernels:
            kernels.append(s.get("kernel"))
    report = {
        "schema_version": SCHEMA_VERSION,
        "generated": datetime.datetime.now(datetime.timezone.utc)
                             .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": "median of samples (one sample = one run of a benchmark "
                  "program, itself the median of its repetitions); spread = "
                  "min-max and IQR; noise = |median difference| <= the "
                  "larger IQR of the two stacks",
        "params": dict(p.split("=", 1) for p in args.param),
        "kernels": {},
    }
    for k in kernels:
        ks = [s for s in samples if s.get("kernel") == k]
        rel = sorted({s["release"] for s in ks if "release" in s})
        rows = [row_result(samples, k, row) for row in ROWS]
        n = [r[st]["n"] for r in rows for st in ("ours", "stock") if r[st]]
        report["kernels"][k] = {
            "release": rel[0] if rel else None,
            "boots": len({s.get("boot") for s in ks}),
            "samples_per_stack": ("%d-%d" % (min(n), max(n))
                                  if n and min(n) != max(n)
                                  else str(n[0]) if n else "0"),
            "rows": rows,
        }
    os.makedirs(args.out, exist_ok=True)
    md = markdown(report)
    with open(os.path.join(args.out, "bench.md"), "w") as f:
        f.write(md + "\n")
    # JSON rows by their stable key; "row_order" keeps the table's order.
    for kr in report["kernels"].values():
        kr["row_order"] = [r["key"] for r in kr["rows"]]
        kr["rows"] = {r["key"]: r for r in kr["rows"]}
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")
    print(md)
    missing = [r["key"] for kr in report["kernels"].values()
               for r in kr["rows"].values() if not r["ours"]]
    if missing:
        print("report.py: rows without samples: %s" % " ".join(missing),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
