#!/usr/bin/env python3
"""Compares two JFR recordings frame by frame: where a JVM with an agent spends more CPU samples.

For CPU samples (jdk.ExecutionSample) of a thread group (the application's thread `main`, the JDK
HttpClient's threads `HttpClient-*`): samples per frame, self (the frame on top of the stack) and
total (the frame anywhere in the stack, counted once per sample), each recording's counts divided
by its measured invocations (the side-by-side benchmark's measured.jfr holds the measured phase
only), then the frames whose samples per 1,000 invocations grew most from BASE to AGENT. Frames
are methods (class.method), or with --package their package; io.flowcost.agent frames are marked.
Why: the agent's own frames are a small part of the application thread's added CPU; the rest is
JDK or application code that runs more (or slower) with the agent, which only a comparison with
a recording without the agent shows.

Usage: scripts/jfr-frame-diff.py BASE.jfr BASE_INVOCATIONS AGENT.jfr AGENT_INVOCATIONS
       [--threads main|http|all] [--top N] [--package] [--outside-agent]
--outside-agent leaves out samples with an agent frame anywhere in the stack: what is left is the
JDK's and the application's own work (needs the JDK's jfr tool on PATH)."""
import collections
import re
import subprocess
import sys

AGENT = 'io.flowcost.agent'
GROUPS = {
    'main': lambda t: t in ('main', 'java'),
    'http': lambda t: t.startswith('HttpClient'),
    'all': lambda t: True,
}


def samples(f, keep):
    out = subprocess.run(['jfr', 'print', '--stack-depth', '200', '--events',
                          'jdk.ExecutionSample', f], capture_output=True, text=True).stdout
    for block in out.split('\njdk.ExecutionSample')[1:]:
        th = re.search(r'sampledThread = "([^"]*)"', block)
        if not th or not keep(th.group(1)) or 'stackTrace = [' not in block:
            continue
        yield re.findall(r'^\s+([\w$.<>/]+)\(', block.split('stackTrace = [')[1], re.M)


def key(frame, package):
    if not package:
        return frame
    parts = frame.split('.')
    return '.'.join(p for p in parts[:-2]) or frame


def count(f, keep, package, outside):
    n = 0
    own = collections.Counter()
    total = collections.Counter()
    for frames in samples(f, keep):
        if not frames or (outside and any(x.startswith(AGENT) for x in frames)):
            continue
        n += 1
        own[key(frames[0], package)] += 1
        for k in set(key(x, package) for x in frames):
            total[k] += 1
    return n, own, total


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    base, base_n, agent, agent_n = argv[0], int(argv[1]), argv[2], int(argv[3])
    group = argv[argv.index('--threads') + 1] if '--threads' in argv else 'main'
    top = int(argv[argv.index('--top') + 1]) if '--top' in argv else 25
    package = '--package' in argv
    outside = '--outside-agent' in argv
    keep = GROUPS[group]
    bn, bself, btotal = count(base, keep, package, outside)
    an, aself, atotal = count(agent, keep, package, outside)
    if outside:
        print('samples with an io.flowcost.agent frame anywhere in the stack left out')
    per = lambda c, n: 1000.0 * c / n
    print(f'threads {group}: samples {bn} base ({per(bn, base_n):.1f} per 1,000 invocations), '
          f'{an} agent ({per(an, agent_n):.1f}); growth {per(an, agent_n) - per(bn, base_n):+.1f}')
    for title, b, a in (('self', bself, aself), ('total', btotal, atotal)):
        rows = []
        for k in set(b) | set(a):
            rows.append((per(a[k], agent_n) - per(b[k], base_n), k))
        rows.sort(reverse=True)
        print(f'\n{title}: samples per 1,000 invocations, base -> agent (growth), largest growth first')
        for d, k in rows[:top]:
            mark = ' *' if k.startswith(AGENT) else ''
            print(f'  {per(b[k], base_n):7.1f} -> {per(a[k], agent_n):7.1f} ({d:+7.1f})  {k}{mark}')


if __name__ == '__main__':
    main(sys.argv[1:])
