#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench-report.py - host unit test (TAP) of tests/bench/report.py's
statistics, on fixed samples whose answers are worked out by hand below."""
import math
import os
import sys
import tempfile

top = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(top, "tests", "bench"))
import report  # noqa: E402

n = 0
failed = 0


def ok(cond, desc):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))


def close(a, b, tol=1e-3):
    return a is not None and b is not None and abs(a - b) <= tol * max(1.0, abs(b))


# 1. Three ratios with logs 0.5, 0.7, 0.6: mean 0.6, sd 0.1, t(0.975, 2) =
#    4.303, half width 4.303 * 0.1 / sqrt(3) = 0.24843; CI = exp(0.6 -+
#    0.24843) = [1.4213, 2.3360], estimate exp(0.6) = 1.8221.
ci = report.ratio_ci([math.exp(0.5), math.exp(0.7), math.exp(0.6)])
ok(ci["n"] == 3 and close(ci["ratio"], 1.8221), "geometric mean of the paired ratios is exp(0.6) = 1.8221 (%s)" % ci["ratio"])
ok(close(ci["lo"], 1.4213) and close(ci["hi"], 2.3360), "t interval is [1.4213, 2.3360] (%s, %s)" % (ci["lo"], ci["hi"]))
ok(report.verdict(ci, "higher") == "better", "CI above 1.0 on a throughput row: better")
ok(report.verdict(ci, "lower") == "worse", "CI above 1.0 on a latency row: worse")

# 2. Two ratios 2 and 8: logs ln2, 3 ln2; mean 2 ln2 (estimate 4), sd =
#    sqrt(2) ln2, t(0.975, 1) = 12.706, half width 12.706 ln2; CI =
#    [2^(2-12.706), 2^(2+12.706)] = [0.000600, 26716]: straddles 1.0.
ci = report.ratio_ci([2.0, 8.0])
ok(close(ci["ratio"], 4.0), "ratios 2 and 8: estimate 4 (%s)" % ci["ratio"])
ok(close(ci["lo"], 2 ** (2 - 12.706)) and close(ci["hi"], 2 ** (2 + 12.706)),
   "ratios 2 and 8: CI 2^(2 -+ 12.706) (%s, %s)" % (ci["lo"], ci["hi"]))
ok(report.verdict(ci, "higher") == "noise" and report.verdict(ci, "lower") == "noise",
   "a CI that straddles 1.0 is noise in both directions")

# 3. A noise-floor-like set around 1.0: logs -0.1, 0.1, 0, -0.05, 0.05:
#    mean 0, sd = sqrt(0.025 / 4) = 0.0790569, t(4) = 2.776, half width
#    2.776 * 0.0790569 / sqrt(5) = 0.098147; CI = [0.90651, 1.10313].
ci = report.ratio_ci([math.exp(x) for x in (-0.1, 0.1, 0.0, -0.05, 0.05)])
ok(close(ci["ratio"], 1.0) and close(ci["lo"], 0.90651) and close(ci["hi"], 1.10313),
   "symmetric log ratios around 0: 1.0 [0.9065, 1.1031] (%s, %s)" % (ci["lo"], ci["hi"]))
ok(report.verdict(ci, "lower") == "noise", "stock against itself: noise")

# 4. Identical ratios: zero spread, CI [2, 2].
ci = report.ratio_ci([2.0, 2.0, 2.0])
ok(close(ci["lo"], 2.0) and close(ci["hi"], 2.0), "identical ratios: CI [2, 2]")

# 5. One pair: an estimate but no interval, verdict "few"; none: no estimate.
ci = report.ratio_ci([3.0])
ok(close(ci["ratio"], 3.0) and ci["lo"] is None and report.verdict(ci, "higher") == "few",
   "one pair: estimate 3, no CI, verdict few")
ok(report.ratio_ci([])["ratio"] is None, "no pair: no estimate")

# 6. t quantiles: the table and the expansion beyond it (t(0.975, 31) =
#    2.0395, t(0.975, 120) = 1.9799).
ok(report.t975(1) == 12.706 and report.t975(30) == 2.042, "t table ends")
ok(close(report.t975(31), 2.0395) and close(report.t975(120), 1.9799),
   "t beyond the table (%.4f, %.4f)" % (report.t975(31), report.t975(120)))

# 7. Sign-test CI of the median: n = 6 -> k = 1 (2 * 1/64 = 0.031 <= 0.05;
#    k = 2 would be 2 * 7/64 = 0.22): (r1, r6), coverage 1 - 2/64 = 0.96875.
#    n = 9 -> k = 2 (2 * 10/512 = 0.039): (r2, r8).  n = 5: none
#    (2/32 = 0.0625 > 0.05).
ok(report.sign_ci([6, 1, 5, 2, 4, 3]) == (1, 6, 1 - 2 / 64), "sign test, n=6: (min, max), 96.9%")
lo, hi, cov = report.sign_ci(list(range(1, 10)))
ok((lo, hi) == (2, 8) and close(cov, 1 - 20 / 512), "sign test, n=9: (r2, r8), %.4f" % cov)
ok(report.sign_ci([1, 2, 3, 4, 5]) is None, "sign test, n=5: too few")

# 8. End to end on raw lines: pairing by (boot, round), old lines without
#    pair/slot count as ours-stock, a sample without its partner is
#    dropped, stock-stock makes the noise floor.
raw = """\
bench kernel=K boot=0 stack=ours round=0 prog=pci row=open-close iters=1 ns_per_op=100
bench kernel=K boot=0 stack=stock round=0 prog=pci row=open-close iters=1 ns_per_op=200
bench kernel=K boot=0 pair=ours-stock slot=a stack=ours round=1 prog=pci row=open-close iters=1 ns_per_op=100
bench kernel=K boot=0 pair=ours-stock slot=b stack=stock round=1 prog=pci row=open-close iters=1 ns_per_op=200
bench kernel=K boot=1 pair=ours-stock slot=a stack=ours round=0 prog=pci row=open-close iters=1 ns_per_op=300
bench kernel=K boot=1 pair=ours-stock slot=b stack=stock round=0 prog=pci row=open-close iters=1 ns_per_op=600
bench kernel=K boot=1 pair=ours-stock slot=a stack=ours round=1 prog=pci row=open-close iters=1 ns_per_op=50
bench kernel=K boot=0 pair=stock-stock slot=a stack=stock round=0 prog=pci row=open-close iters=1 ns_per_op=210
bench kernel=K boot=0 pair=stock-stock slot=b stack=stock round=0 prog=pci row=open-close iters=1 ns_per_op=200
bench kernel=K boot=0 pair=stock-stock slot=a stack=stock round=1 prog=pci row=open-close iters=1 ns_per_op=190
bench kernel=K boot=0 pair=stock-stock slot=b stack=stock round=1 prog=pci row=open-close iters=1 ns_per_op=200
bench kernel=K boot=0 pair=ours-stock slot=a stack=ours round=0 prog=type1 mem=4k size=67108864 iters=2 ops_per_s=1 mib_per_s=900 map_us=1 unmap_us=1
bench kernel=K boot=0 pair=ours-stock slot=a stack=ours round=0 prog=type1 size=67108864 iters=2 ops_per_s=1 mib_per_s=5000 map_us=1 unmap_us=1
bench kernel=K boot=0 pair=ours-stock slot=b stack=stock round=0 prog=type1 size=67108864 iters=2 ops_per_s=1 mib_per_s=500 map_us=1 unmap_us=1
"""
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    f.write(raw)
try:
    samples = report.parse([f.name])
finally:
    os.unlink(f.name)
rows = {r["key"]: r for r in report.build_report(samples, {})["kernels"]["K"]["rows"]}
oc = rows["open_close_ns"]
ok(oc["ci"]["n"] == 3 and oc["ci"]["paired_ratios"] == [0.5, 0.5, 0.5],
   "open/close: 3 pairs of ratio 0.5, the lone ours sample of boot 1 round 1 dropped (%s)" % oc["ci"]["paired_ratios"])
ok(close(oc["ratio"], 0.5) and oc["verdict"] == "better" and oc["meets_target"],
   "open/close: 0.5 [0.5-0.5], better")
ok(oc["ours"]["n"] == 4 and oc["stock"]["n"] == 3, "cells count every sample of the stack (4 ours, 3 stock)")
nf = oc["noise_floor"]
ok(nf["n"] == 2 and close(nf["ratio"], math.sqrt(1.05 * 0.95)) and nf["verdict"] == "noise",
   "noise floor: ratios 1.05 and 0.95, geometric mean %.4f, noise" % nf["ratio"])
ok(rows["dma_64m_mib_s"]["ci"]["paired_ratios"] == [10.0],
   "THP 64 MiB row: the line without mem= counts as THP, the mem=4k line does not")
ok(rows["dma_nothp_64m_mib_s"]["ours"]["median"] == 900 and rows["dma_nothp_64m_mib_s"]["ci"]["n"] == 0,
   "no-THP row: its own sample, no pair")

# 9. The curves: with gnuplot, two SVGs; without it, none and a message.
with tempfile.TemporaryDirectory() as d:
    lines = []
    for stack, slot, f in (("ours", "a", 2.0), ("stock", "b", 1.0)):
        for sz in report.CURVE_SIZES:
            lines.append("bench kernel=K boot=0 pair=ours-stock slot=%s stack=%s round=0 prog=type1 mem=thp size=%d iters=1 ops_per_s=1 mib_per_s=%g map_us=1 unmap_us=1" % (slot, stack, sz, f * sz / 4096))
        for lv in report.CURVE_LIVE:
            lines.append("bench kernel=K boot=0 pair=ours-stock slot=%s stack=%s round=0 prog=type1 live=%d probe_ns=%g build_ns=1" % (slot, stack, lv, 1000 * f))
    path = os.path.join(d, "raw.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    made = report.plots(report.build_report(report.parse([path]), {}), d)
    if report.shutil.which("gnuplot"):
        svgs = sorted(os.path.basename(m) for m in made)
        ok(svgs == ["dma-live.svg", "dma-size.svg"] and
           all(open(m).read().lstrip().startswith("<?xml") for m in made),
           "gnuplot wrote dma-size.svg and dma-live.svg (%s)" % svgs)
    else:
        ok(made == [], "no gnuplot: no plots # SKIP gnuplot not installed")

print("1..%d" % n)
sys.exit(1 if failed else 0)
