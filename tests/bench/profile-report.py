#!/usr/bin/env python3
"""tests/bench/profile-report.py - per-function tables from the
function_graph traces of tests/bench/profile.

  profile-report.py --entry FUNC --iters N TRACE...

Each TRACE is named RELEASE-STACK-rROUND.trace.  Every call of FUNC at the
top of the graph is one operation.  Per kernel release, and for ours and
stock side by side, it prints: the operations found, the calls per
operation, the traced time of FUNC per operation, and per function the
calls and the self time (inclusive time minus the callees') per
operation, largest difference first; then the functions only one stack
calls.  Markdown, on standard output.
"""
import argparse
import collections
import os
import re
import sys

# " 0) + 12.345 us   |      foo() {"   " 0)               |  } /* foo */"
LINE = re.compile(r'^\s*\d+\)\s+(?:[+!#*@$]\s*)?(?:([\d.]+)\s*(us|ms|ns)\s*)?\|(\s*)(.*?)\s*$')
# "foo() {", "foo();", "foo [module]() {"
NAME = re.compile(r'^(\S+?)(?: \[[^\]]+\])?\(\)')
CLOSE = re.compile(r'^\}(?:\s*/\*\s*(\S+)\s*\*/)?')
FILE = re.compile(r'^(?P<rel>.+)-(?P<stack>ours|stock)-r(?P<round>\d+)\.trace$')

UNIT = {'ns': 1e-3, 'us': 1.0, 'ms': 1e3}


class Profile:
    def __init__(self):
        self.ops = 0
        self.entry_us = 0.0
        self.calls = collections.Counter()
        self.self_us = collections.Counter()
        self.incomplete = 0
        self.files = 0


def parse(path, entry, prof):
    """Add the operations of one trace to @prof."""
    stack = []  # [name, children_us] of the open calls
    base = None  # indentation of depth 0
    with open(path, errors='replace') as f:
        for raw in f:
            if raw.startswith('#'):
                continue
            m = LINE.match(raw)
            if not m:
                continue
            dur, unit, indent, text = m.groups()
            us = float(dur) * UNIT[unit] if dur else None
            if base is None:
                if not text.startswith(entry + '() {'):
                    continue
                base = len(indent)
            depth = (len(indent) - base) // 2
            c = CLOSE.match(text)
            if c:
                if not stack:
                    continue
                name, child_us = stack.pop()
                if us is None:
                    prof.incomplete += 1
                    continue
                prof.self_us[name] += us - child_us
                if stack:
                    stack[-1][1] += us
                elif name == entry:
                    prof.ops += 1
                    prof.entry_us += us
                continue
            n = NAME.match(text)
            if not n:
                continue
            name = n.group(1)
            if depth == 0 and name != entry:
                continue
            if depth == 0:
                stack = []
            prof.calls[name] += 1
            if text.endswith('{'):
                stack.append([name, 0.0])
            elif us is not None:
                prof.self_us[name] += us
                if stack:
                    stack[-1][1] += us


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--entry', default='vfs_read')
    ap.add_argument('--iters', type=int, default=0, help='operations per run, for the check')
    ap.add_argument('--top', type=int, default=25)
    ap.add_argument('traces', nargs='+')
    a = ap.parse_args()

    profs = collections.defaultdict(lambda: collections.defaultdict(Profile))
    for t in a.traces:
        m = FILE.match(os.path.basename(t))
        if not m:
            sys.exit(f'profile-report: {t}: not named RELEASE-STACK-rN.trace')
        prof = profs[m['rel']][m['stack']]
        prof.files += 1
        parse(t, a.entry, prof)

    bad = 0
    for rel in sorted(profs):
        p = profs[rel]
        if 'ours' not in p or 'stock' not in p or not p['ours'].ops or not p['stock'].ops:
            print(f'profile-report: {rel}: no operations traced for one stack', file=sys.stderr)
            bad = 1
            continue
        o, s = p['ours'], p['stock']
        for st, x in (('ours', o), ('stock', s)):
            if a.iters and x.ops != x.files * a.iters:
                # Another read by the process, or a call cut off.
                print(f'profile-report: {rel} {st}: {x.ops} operations, expected {x.files * a.iters}', file=sys.stderr)
            if x.incomplete:
                # A call's exit with no duration: its self time is not counted.
                print(f'profile-report: {rel} {st}: {x.incomplete} calls without a duration, left out', file=sys.stderr)
        print(f'## {rel}: {a.entry}, ours against stock\n')
        print('| | Ours | Stock |')
        print('|---|---|---|')
        print(f'| operations traced (runs x --iters) | {o.ops} ({o.files} x {a.iters}) | {s.ops} ({s.files} x {a.iters}) |')
        print(f'| traced function calls per operation | {sum(o.calls.values()) / o.ops:.1f} | {sum(s.calls.values()) / s.ops:.1f} |')
        print(f'| traced time of {a.entry} per operation (µs) | {o.entry_us / o.ops:.2f} | {s.entry_us / s.ops:.2f} |')
        print()
        names = set(o.calls) | set(s.calls)
        rows = []
        for n in names:
            oc, sc = o.calls[n] / o.ops, s.calls[n] / s.ops
            ou, su = o.self_us[n] / o.ops, s.self_us[n] / s.ops
            rows.append((abs(ou - su), n, oc, sc, ou, su))
        rows.sort(reverse=True)
        print(f'Per operation, largest self-time difference first (top {a.top}):\n')
        print('| Function | Calls ours | Calls stock | Self µs ours | Self µs stock | Ours − stock µs |')
        print('|---|---|---|---|---|---|')
        for _, n, oc, sc, ou, su in rows[:a.top]:
            print(f'| `{n}` | {oc:.2f} | {sc:.2f} | {ou:.3f} | {su:.3f} | {ou - su:+.3f} |')
        print()
        only_o = sorted(n for n in names if not s.calls[n])
        only_s = sorted(n for n in names if not o.calls[n])
        print('Called by ours only: ' + (', '.join(f'`{n}`' for n in only_o) or 'none'))
        print()
        print('Called by stock only: ' + (', '.join(f'`{n}`' for n in only_s) or 'none'))
        print()
    return bad


if __name__ == '__main__':
    sys.exit(main())
