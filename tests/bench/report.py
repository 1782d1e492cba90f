#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""tests/bench/report.py - turn benchmark samples into the ours/stock table.

    report.py [--out DIR] [--param KEY=VALUE]... [--no-plots] RAW...

RAW holds one line per line of a benchmark program's output, as
tests/bench/run collects them from the TAP comments of the *-bench.bats
files:

    bench kernel=K boot=B pair=P slot=a|b stack=S round=R prog=PROG KEY=VALUE...

P is the pair of stacks a round ran, slot a then slot b: "ours-stock" (the
comparison) or "stock-stock" (the noise floor: stock against itself, run
the same way).  Lines without pair/slot (older runs) count as ours-stock,
ours in slot a.

Per kernel and row: the median and min-max of the samples of each stack,
and the ratio ours/stock with a 95% confidence interval:

  * the samples of slot a and slot b of the same (boot, round) form a PAIR
    (they ran back to back, so a slow spell of the host hits both);
  * per pair, the ratio a/b; the estimate is the geometric mean of these
    paired ratios and the CI is Student's t interval of the mean of their
    logarithms, exp(mean(log r) +- t(0.975, n-1) * sd(log r) / sqrt(n)).
    Logs because ratios are multiplicative (2x and 0.5x are symmetric);
    pairs because most TCG noise is shared by the two runs of a pair.
    n >= 2 pairs are needed; with few pairs t is large and the CI wide;
  * as a check that needs no normality, the JSON also has the
    distribution-free CI of the median paired ratio (sign test: order
    statistics r(k)..r(n+1-k), coverage >= 95%, n >= 6);
  * verdict: "noise" when the CI contains 1.0, else "better" or "worse" in
    the row's direction (throughput wants ours/stock >= 1.0, latency
    <= 1.0); "few" when there are fewer than 2 pairs.

The same is computed for the stock-stock pair, the noise floor: its ratio
should be ~1.0 and its CI shows how small a difference the run can resolve.

Writes DIR/bench.md and DIR/bench.json (schema_version 2), and, if gnuplot
is installed, the curves DIR/dma-size.svg and DIR/dma-live.svg; prints the
markdown.
"""
import argparse
import datetime
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

SCHEMA_VERSION = 2
CONFIDENCE = 0.95

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30


def size_label(n):
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if n >= unit and n % unit == 0:
            return "%d %s" % (n // unit, name)
    return "%d B" % n


# Row: key, label, prog, selectors ((key, value)...), field, unit,
# direction, ours_only, table ("main", "size" or "live" curve).
def row(key, label, prog, sel, field, unit, direction, ours_only=False,
        table="main"):
    return {"key": key, "label": label, "prog": prog, "sel": tuple(sel),
            "field": field, "unit": unit, "direction": direction,
            "ours_only": ours_only, "table": table}


CURVE_SIZES = [4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB, 4 * MIB,
               16 * MIB, 64 * MIB, 256 * MIB, GIB]
CURVE_LIVE = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536]

ROWS = []
for _sz, _k in ((4096, "4k"), (2 * MIB, "2m"), (64 * MIB, "64m"),
                (256 * MIB, "256m"), (GIB, "1g")):
    _sel = (("mem", "thp"), ("size", str(_sz)))
    ROWS.append(row("dma_%s_mib_s" % _k, "DMA map+unmap %s" % size_label(_sz),
                    "type1", _sel, "mib_per_s", "MiB/s", "higher"))
    ROWS.append(row("dma_%s_ops_s" % _k, "DMA map+unmap %s" % size_label(_sz),
                    "type1", _sel, "ops_per_s", "ops/s", "higher"))
ROWS += [
    row("dma_nothp_64m_mib_s", "DMA map+unmap 64 MiB, scattered 4 KiB pages (no THP)",
        "type1", (("mem", "4k"), ("size", str(64 * MIB))), "mib_per_s", "MiB/s", "higher"),
    row("dma_live_1_ns", "map+unmap 4 KiB with 1 live mapping", "type1",
        (("live", "1"),), "probe_ns", "ns", "lower"),
    row("dma_live_65536_ns", "map+unmap 4 KiB with 65,536 live mappings", "type1",
        (("live", "65536"),), "probe_ns", "ns", "lower"),
    row("dma_teardown_65536_ns", "unmap of 65,536 mappings in one call, per mapping", "type1",
        (("live", "65536"),), "teardown_ns", "ns", "lower"),
    row("stall_map_1g_us", "longest stretch without rescheduling, MAP_DMA 1 GiB (4 KiB pages)",
        "type1", (("stall", None),), "map_lat_us", "µs", "lower"),
    row("stall_unmap_1g_us", "longest stretch without rescheduling, UNMAP_DMA 1 GiB (4 KiB pages)",
        "type1", (("stall", None),), "unmap_lat_us", "µs", "lower"),
    row("map_1g_4k_ms", "MAP_DMA 1 GiB of 4 KiB pages (one call)", "type1",
        (("stall", None),), "map_ms", "ms", "lower"),
    row("unmap_1g_4k_ms", "UNMAP_DMA 1 GiB of 4 KiB pages (one call)", "type1",
        (("stall", None),), "unmap_ms", "ms", "lower"),
    row("region_info_ns", "VFIO_DEVICE_GET_REGION_INFO", "pci", (("row", "region-info"),), "ns_per_op", "ns", "lower"),
    row("config_pread_ns", "config space pread (4 B)", "pci", (("row", "config-pread"),), "ns_per_op", "ns", "lower"),
    row("bar_mmap_read_ns", "BAR read via mmap (4 B)", "pci", (("row", "bar-mmap-read"),), "ns_per_op", "ns", "lower"),
    row("bar_pread_ns", "BAR read via pread (4 B)", "pci", (("row", "bar-pread"),), "ns_per_op", "ns", "lower"),
    row("msi_roundtrip_ns", "MSI eventfd round trip", "pci", (("row", "msi-roundtrip"),), "ns_per_op", "ns", "lower"),
    row("open_close_ns", "container+group+device open/close", "pci", (("row", "open-close"),), "ns_per_op", "ns", "lower"),
]
for _g in (16, 4096):
    _sel = (("groups", str(_g)),)
    ROWS += [
        row("group_open_%d_ns" % _g, "group open, %d groups" % _g, "core", _sel, "open_ns", "ns", "lower", True),
        row("group_attach_%d_ns" % _g, "group attach (SET_CONTAINER), %d groups" % _g, "core", _sel, "set_container_ns", "ns", "lower", True),
        row("device_lookup_%d_ns" % _g, "device lookup (GET_DEVICE_FD), %d groups" % _g, "core", _sel, "get_device_fd_ns", "ns", "lower", True),
    ]
for _sz in CURVE_SIZES:
    ROWS.append(row("curve_size_%d" % _sz, size_label(_sz), "type1",
                    (("mem", "thp"), ("size", str(_sz))), "mib_per_s",
                    "MiB/s", "higher", table="size"))
for _n in CURVE_LIVE:
    ROWS.append(row("curve_live_%d" % _n, "%d" % _n, "type1",
                    (("live", str(_n)),), "probe_ns", "ns", "lower",
                    table="live"))


# ---------------------------------------------------------------- parsing

def parse(paths):
    """Sample dicts; pair/slot/mem filled in for lines of older runs."""
    samples = []
    for path in paths:
        with open(path) as f:
            for line in f:
                words = line.split()
                if not words or words[0] != "bench":
                    continue
                kv = {}
                for w in words[1:]:
                    k, eq, v = w.partition("=")
                    kv[k] = v if eq else None
                kv.setdefault("pair", "ours-stock")
                if "slot" not in kv:
                    kv["slot"] = "a" if kv.get("stack") == "ours" else "b"
                if kv.get("prog") == "type1" and "size" in kv and "stall" not in kv:
                    kv.setdefault("mem", "thp")
                samples.append(kv)
    return samples


def matches(s, r):
    if s.get("prog") != r["prog"] or s.get(r["field"]) is None:
        return False
    for k, v in r["sel"]:
        if k not in s or (v is not None and s[k] != v):
            return False
    return True


# ---------------------------------------------------------------- statistics

# t(0.975, df) for df = 1..30 (two-sided 95%).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
        2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
        2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
        2.048, 2.045, 2.042]


def t975(df):
    """Two-sided 95% quantile of Student's t with df degrees of freedom."""
    if df < 1:
        raise ValueError("df must be >= 1")
    if df <= len(T975):
        return T975[df - 1]
    # Cornish-Fisher expansion around the normal quantile; < 1e-3 off
    # for df > 30.
    z = statistics.NormalDist().inv_cdf(0.975)
    return (z + (z ** 3 + z) / (4 * df) +
            (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2))


def quantile(v, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    v = sorted(v)
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def stats(values):
    if not values:
        return None
    v = sorted(values)
    return {"n": len(v), "median": quantile(v, 0.5), "q1": quantile(v, 0.25),
            "q3": quantile(v, 0.75), "min": v[0], "max": v[-1]}


def ratio_ci(ratios):
    """Geometric mean of paired ratios with its 95% t interval (on logs).

    Returns {"n", "ratio", "lo", "hi"}; lo/hi None with fewer than 2
    ratios.  A ratio <= 0 (a zero time or rate) is an error of the input.
    """
    n = len(ratios)
    if n == 0:
        return {"n": 0, "ratio": None, "lo": None, "hi": None}
    logs = [math.log(r) for r in ratios]
    m = statistics.fmean(logs)
    if n < 2:
        return {"n": 1, "ratio": math.exp(m), "lo": None, "hi": None}
    half = t975(n - 1) * statistics.stdev(logs) / math.sqrt(n)
    return {"n": n, "ratio": math.exp(m), "lo": math.exp(m - half),
            "hi": math.exp(m + half)}


def sign_ci(ratios, conf=CONFIDENCE):
    """Distribution-free CI of the median of ratios: (r(k), r(n+1-k)),
    k the largest with 2 * P(Binomial(n, 1/2) < k) <= 1 - conf.
    Returns (lo, hi, coverage) or None when n is too small (n < 6)."""
    n = len(ratios)
    r = sorted(ratios)
    best = None
    for k in range(1, n // 2 + 1):
        tail = sum(math.comb(n, i) for i in range(k)) / 2 ** n
        if 2 * tail <= 1 - conf:
            best = (r[k - 1], r[n - k], 1 - 2 * tail)
        else:
            break
    return best


def verdict(ci, direction):
    if ci["lo"] is None:
        return "few"
    if ci["lo"] <= 1.0 <= ci["hi"]:
        return "noise"
    good = ci["lo"] > 1.0 if direction == "higher" else ci["hi"] < 1.0
    return "better" if good else "worse"


def paired_ratios(samples, kernel, pair, r):
    """a/b per (boot, round) of PAIR where both slots have a sample."""
    slots = {}
    for s in samples:
        if s.get("kernel") == kernel and s.get("pair") == pair and matches(s, r):
            slots.setdefault((s.get("boot"), s.get("round")), {})[s["slot"]] = float(s[r["field"]])
    out = []
    for key in sorted(slots, key=lambda k: (str(k[0]), str(k[1]))):
        ab = slots[key]
        if "a" in ab and "b" in ab and ab["a"] > 0 and ab["b"] > 0:
            out.append(ab["a"] / ab["b"])
    return out


def row_result(samples, kernel, r):
    res = {k: r[k] for k in ("key", "label", "unit", "direction",
                             "ours_only", "table")}
    for stack, slot in (("ours", "a"), ("stock", "b")):
        by_boot = {}
        for s in samples:
            if (s.get("kernel") == kernel and s.get("pair") == "ours-stock"
                    and s.get("slot") == slot and s.get("stack") == stack
                    and matches(s, r)):
                by_boot.setdefault(s.get("boot"), []).append(float(s[r["field"]]))
        st = stats([x for v in by_boot.values() for x in v])
        if st:
            st["boots"] = len(by_boot)
            st["boot_medians"] = [stats(by_boot[b])["median"]
                                  for b in sorted(by_boot)]
        res[stack] = st
    res.update(ratio=None, ci=None, verdict="n/a", meets_target=None,
               ratio_of_medians=None, noise_floor=None)
    if r["ours_only"]:
        return res
    o, s = res["ours"], res["stock"]
    if o and s and s["median"]:
        res["ratio_of_medians"] = o["median"] / s["median"]
    pr = paired_ratios(samples, kernel, "ours-stock", r)
    ci = ratio_ci(pr)
    ci["sign_test"] = sign_ci(pr)
    ci["paired_ratios"] = pr
    res["ci"] = ci
    res["ratio"] = ci["ratio"]
    res["verdict"] = verdict(ci, r["direction"]) if pr else "n/a"
    if ci["ratio"] is not None:
        res["meets_target"] = (ci["ratio"] >= 1.0 if r["direction"] == "higher"
                               else ci["ratio"] <= 1.0)
    nf = paired_ratios(samples, kernel, "stock-stock", r)
    if nf:
        nci = ratio_ci(nf)
        nci["sign_test"] = sign_ci(nf)
        nci["paired_ratios"] = nf
        nci["verdict"] = verdict(nci, r["direction"])
        res["noise_floor"] = nci
    return res


# ---------------------------------------------------------------- output

def fmt(x):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 1:
        return "%.2f" % x
    return "%.3f" % x


def unit_div(unit):
    # latencies in µs in the table (ns in the JSON)
    return ("µs", 1e3) if unit == "ns" else (unit, 1)


def cell(st, div):
    if not st:
        return "-"
    return "%s [%s–%s]" % (fmt(st["median"] / div), fmt(st["min"] / div),
                           fmt(st["max"] / div))


def ci_cell(ci):
    if not ci or ci["ratio"] is None:
        return "-"
    if ci["lo"] is None:
        return "%.2f (n=1)" % ci["ratio"]
    return "%.2f [%.2f–%.2f]" % (ci["ratio"], ci["lo"], ci["hi"])


def table(rows, first_col):
    out = ["| %s | Unit | Ours | Stock | Ours/stock [95%% CI] | Verdict | "
           "Noise floor: stock/stock [95%% CI] |" % first_col,
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        unit, div = unit_div(r["unit"])
        v = r["verdict"]
        if v == "worse":
            v = "**worse**"
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["label"], unit, cell(r["ours"], div), cell(r["stock"], div),
            ci_cell(r["ci"]), v, ci_cell(r["noise_floor"])))
    return out


def markdown(report):
    out = []
    for kernel, kr in report["kernels"].items():
        out.append("### Kernel %s (%s)\n" % (kernel, kr["release"] or "?"))
        out.append("Samples per stack and row: %s over %s boot(s); "
                   "%s ours/stock pairs and %s stock/stock pairs per row.  "
                   "Cells: median [min–max]; ratios: geometric mean of the "
                   "paired ratios [95%% t interval]; verdict `noise` when "
                   "the interval contains 1.0.\n" %
                   (kr["samples_per_stack"], kr["boots"], kr["pairs"],
                    kr["noise_pairs"]))
        rows = kr["rows"]
        out += table([r for r in rows if r["table"] == "main"], "Row")
        out.append("")
        for name, title, col in (
                ("size", "Map+unmap throughput against mapping size (THP "
                 "memory; `dma-size.svg`)", "Size"),
                ("live", "Map+unmap of one 4 KiB mapping against the number "
                 "of live mappings (`dma-live.svg`)", "Live mappings")):
            sub = [r for r in rows if r["table"] == name and
                   (r["ours"] or r["stock"])]
            if sub:
                out.append("#### %s\n" % title)
                out += table(sub, col)
                out.append("")
    return "\n".join(out)


GNUPLOT = """set terminal svg size 720,440 dynamic noenhanced font "sans,12"
set output '{out}'
set title '{title}'
set logscale xy
set key left top
set grid
set xlabel '{xlabel}'
set ylabel '{ylabel}'
{xtics}
plot for [i=0:*] '{dat}' index i using 1:2:3:4 with yerrorlines lw 2 title columnheader(1)
"""


def plots(report, out):
    """DIR/dma-size.svg and DIR/dma-live.svg with gnuplot; [] without it."""
    gp = shutil.which("gnuplot")
    if not gp:
        print("report.py: gnuplot not installed (scripts/install-deps.sh); "
              "no plots", file=sys.stderr)
        return []
    made = []
    specs = (
        ("size", "dma-size", "MAP_DMA+UNMAP_DMA throughput against size (THP)",
         "mapping size (bytes)", "MiB/s (median, min-max)", CURVE_SIZES,
         "set xtics ('4K' 4096, '64K' 65536, '1M' 1048576, '16M' 16777216, '256M' 268435456, '1G' 1073741824)"),
        ("live", "dma-live", "map+unmap of 4 KiB against live mappings",
         "live mappings", "µs per map+unmap (median, min-max)", CURVE_LIVE,
         ""),
    )
    for table_name, base, title, xlabel, ylabel, xs, xtics in specs:
        blocks = []
        for kernel, kr in report["kernels"].items():
            rows = {r["key"]: r for r in kr["rows"] if r["table"] == table_name}
            for stack in ("ours", "stock"):
                lines = ['"%s %s"' % (stack, kernel)]
                for x, r in zip(xs, rows.values()):
                    st = r[stack]
                    if not st:
                        continue
                    _, div = unit_div(r["unit"])
                    lines.append("%d %g %g %g" % (x, st["median"] / div,
                                                 st["min"] / div,
                                                 st["max"] / div))
                if len(lines) > 1:
                    blocks.append("\n".join(lines))
        if not blocks:
            continue
        dat = os.path.join(out, base + ".dat")
        svg = os.path.join(out, base + ".svg")
        with open(dat, "w") as f:
            f.write("\n\n\n".join(blocks) + "\n")
        script = GNUPLOT.format(out=svg, title=title, xlabel=xlabel,
                                ylabel=ylabel, dat=dat, xtics=xtics)
        with open(os.path.join(out, base + ".gp"), "w") as f:
            f.write(script)
        res = subprocess.run([gp], input=script, text=True,
                             capture_output=True)
        if res.returncode:
            print("report.py: gnuplot failed for %s: %s" %
                  (base, res.stderr.strip()), file=sys.stderr)
        else:
            made.append(svg)
    return made


def build_report(samples, params):
    kernels = []
    for s in samples:
        if s.get("kernel") not in kernels:
            kernels.append(s.get("kernel"))
    report = {
        "schema_version": SCHEMA_VERSION,
        "generated": datetime.datetime.now(datetime.timezone.utc)
                             .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": "one sample = one run of a benchmark program (itself the "
                  "median of its repetitions); cells: median [min-max] of "
                  "the samples; ratio: geometric mean of the ratios a/b of "
                  "the two runs of each (boot, round) pair; ci: 95% Student t "
                  "interval of the mean log ratio, exponentiated; sign_test: "
                  "distribution-free CI of the median ratio (n >= 6); "
                  "verdict noise when the CI contains 1.0; noise_floor: the "
                  "same for stock (slot a) against stock (slot b)",
        "params": params,
        "kernels": {},
    }
    for k in kernels:
        ks = [s for s in samples if s.get("kernel") == k]
        rel = sorted({s["release"] for s in ks if "release" in s})
        rows = [row_result(samples, k, r) for r in ROWS]
        n = [r[st]["n"] for r in rows for st in ("ours", "stock") if r[st]]
        npairs = [r["ci"]["n"] for r in rows if r["ci"] and r["ci"]["n"]]
        nnoise = [r["noise_floor"]["n"] for r in rows if r["noise_floor"]]

        def span(v):
            if not v:
                return "0"
            return "%d-%d" % (min(v), max(v)) if min(v) != max(v) else str(v[0])
        report["kernels"][k] = {
            "release": rel[0] if rel else None,
            "boots": len({s.get("boot") for s in ks}),
            "samples_per_stack": span(n),
            "pairs": span(npairs),
            "noise_pairs": span(nnoise),
            "rows": rows,
        }
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--param", action="append", default=[],
                    metavar="KEY=VALUE",
                    help="run parameter to record in the JSON (repeatable)")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("raw", nargs="+")
    args = ap.parse_args()

    samples = parse(args.raw)
    if not samples:
        sys.exit("report.py: no benchmark samples in %s" % " ".join(args.raw))
    report = build_report(samples, dict(p.split("=", 1) for p in args.param))
    os.makedirs(args.out, exist_ok=True)
    md = markdown(report)
    with open(os.path.join(args.out, "bench.md"), "w") as f:
        f.write(md + "\n")
    if not args.no_plots:
        report["plots"] = [os.path.basename(p) for p in plots(report, args.out)]
    # JSON rows by their stable key; "row_order" keeps the table's order.
    for kr in report["kernels"].values():
        kr["row_order"] = [r["key"] for r in kr["rows"]]
        kr["rows"] = {r["key"]: r for r in kr["rows"]}
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")
    print(md)
    missing = [r["key"] for kr in report["kernels"].values()
               for r in kr["rows"].values()
               if not r["ours"] and r["table"] == "main"]
    if missing:
        print("report.py: rows without samples: %s" % " ".join(missing),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
