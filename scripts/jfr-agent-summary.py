#!/usr/bin/env python3
"""Summarises a JFR recording by agent frame.

For CPU samples (jdk.ExecutionSample) and sampled allocation (jdk.ObjectAllocationSample): the share
in io.flowcost.agent frames, split by thread (the application's threads against the agent's export
threads), then, per thread kind, top-down (by outermost agent frame: which hook) and self (the frame
on top of the stack, agent or not, of samples that have an agent frame: where the time is spent),
and by innermost agent frame. For a recording with every compilation (jdk.Compilation, e.g.
SideBySideAgentMain's measured.jfr): the JIT's time split between agent methods and the rest.

With --sites N: instead, the N largest allocation sites in agent frames (sampled bytes of
jdk.ObjectAllocationSample; the allocated class, the frame that allocated and the agent frames
above it), divided by --invocations (the measured invocations, e.g. 10000) to read as bytes per
invocation. JFR samples allocation (the profile settings: 300 samples/s); a recording with a
higher throttle (a copy of the JDK's profile.jfc with jdk.ObjectAllocationSample's throttle raised)
gives steadier figures.

Usage: scripts/jfr-agent-summary.py app.jfr [--top N] [--sites N [--invocations N]]
(needs the JDK's jfr tool on PATH)."""
import collections
import re
import subprocess
import sys

AGENT = 'io.flowcost.agent'
# threads the agent owns: the batch span processor's worker, the shipper, the price/budget pollers
EXPORT_THREADS = re.compile(r'^(BatchSpanProcessor|flowcost-)')


def events(f, kind):
    out = subprocess.run(['jfr', 'print', '--stack-depth', '80', '--events', kind, f],
                         capture_output=True, text=True).stdout
    for block in out.split('\n' + kind):
        if 'stackTrace' not in block:
            continue
        frames = re.findall(r'^\s+([\w$.<>]+)\(', block.split('stackTrace = [')[1], re.M)
        w = re.search(r'weight = ([\d.]+) (\w+)', block)
        weight = 1
        if w:
            weight = float(w.group(1)) * {'bytes': 1, 'kB': 1e3, 'MB': 1e6, 'GB': 1e9}.get(w.group(2), 1)
        cls = re.search(r'objectClass = ([\w$.\[\]]+)', block)
        th = re.search(r'(?:sampledThread|eventThread) = "([^"]*)"', block)
        yield frames, weight, cls.group(1) if cls else None, th.group(1) if th else '?'


def pct(v, total):
    return f'{100 * v / max(total, 1):5.1f}%'


def summarise(f, kind, top):
    total = 0
    agent = 0
    by_kind = collections.defaultdict(lambda: {'n': 0, 'outer': collections.Counter(),
                                               'self': collections.Counter(),
                                               'inner': collections.Counter(),
                                               'cls': collections.Counter()})
    threads = collections.Counter()
    for frames, w, c, t in events(f, kind):
        total += w
        ag = [x for x in frames if x.startswith(AGENT)]
        if not ag:
            continue
        agent += w
        tk = 'export threads' if EXPORT_THREADS.match(t) else 'application threads'
        threads[re.sub(r'\d+', 'N', t)] += w
        k = by_kind[tk]
        k['n'] += w
        k['outer'][ag[-1]] += w
        k['inner'][ag[0]] += w
        k['self'][frames[0]] += w
        if c:
            k['cls'][c] += w
    print(f'== {kind}: total {total:.0f}, in agent frames {agent:.0f} ({100 * agent / max(total, 1):.1f}%)')
    print(' threads (share of agent):', ', '.join(f'{k} {pct(v, agent).strip()}' for k, v in threads.most_common(6)))
    for tk in ('application threads', 'export threads'):
        k = by_kind.get(tk)
        if not k:
            continue
        print(f' -- {tk}: {pct(k["n"], agent).strip()} of agent')
        print('  top-down, by outermost agent frame (share of all agent):')
        for name, v in k['outer'].most_common(top):
            print(f'   {pct(v, agent)} {name}')
        print('  self, by frame on top of the stack (share of all agent):')
        for name, v in k['self'].most_common(top):
            print(f'   {pct(v, agent)} {name}')
        print('  by innermost agent frame (share of all agent):')
        for name, v in k['inner'].most_common(top):
            print(f'   {pct(v, agent)} {name}')
        if k['cls']:
            print('  classes:', ', '.join(f'{n} {pct(v, agent).strip()}' for n, v in k['cls'].most_common(10)))


def sites(f, top, invocations):
    """Allocation by site: the agent frame that allocated (or called the JDK code that did)."""
    out = subprocess.run(['jfr', 'print', '--stack-depth', '80', '--events',
                          'jdk.ObjectAllocationSample', f], capture_output=True, text=True).stdout
    by_site = collections.Counter()
    total = agent = 0.0
    for block in out.split('\njdk.ObjectAllocationSample')[1:]:
        if 'stackTrace' not in block:
            continue
        stack = block.split('stackTrace = [')[1]
        frames = re.findall(r'^\s+([\w$.<>]+)\(.*?line: (\d+)', stack, re.M)
        w = re.search(r'weight = ([\d.]+) (\w+)', block)
        weight = float(w.group(1)) * {'bytes': 1, 'kB': 1e3, 'MB': 1e6, 'GB': 1e9}.get(w.group(2), 1)
        cls = re.search(r'objectClass = ([\w$.\[\]]+)', block)
        th = re.search(r'eventThread = "([^"]*)"', block)
        total += weight
        ours = [i for i, (m, _) in enumerate(frames)
                if m.startswith(AGENT) and not m.startswith(AGENT + '.shaded.')]
        if not ours:
            continue
        agent += weight
        first = ours[0]
        path = ' <- '.join(f'{m[len(AGENT) + 1:] if m.startswith(AGENT) else m}:{line}'
                           for m, line in frames[:first + 3][max(0, first - 1):])
        kind = 'export' if th and EXPORT_THREADS.match(th.group(1)) else 'app'
        by_site[(kind, cls.group(1) if cls else '?', path)] += weight
    print(f'== allocation by site (bytes / {invocations}): all {total / invocations:.0f},'
          f' in agent frames {agent / invocations:.0f}')
    for (kind, cls, path), w in by_site.most_common(top):
        print(f' {w / invocations:8.0f} {kind:6} {cls:40} {path}')


def compilations(f, top):
    out = subprocess.run(['jfr', 'print', '--events', 'jdk.Compilation', f],
                         capture_output=True, text=True).stdout
    agent_ms = other_ms = 0.0
    n_agent = n_other = 0
    by = collections.Counter()
    for block in out.split('jdk.Compilation {')[1:]:
        d = re.search(r'duration = ([\d.]+) (\w+)', block)
        m = re.search(r'method = ([\w$.<>]+)', block)
        if not d or not m:
            continue
        ms = float(d.group(1)) * {'ns': 1e-6, 'us': 1e-3, 'ms': 1, 's': 1e3}.get(d.group(2), 1)
        if m.group(1).startswith(AGENT):
            agent_ms += ms
            n_agent += 1
        else:
            other_ms += ms
            n_other += 1
        by[m.group(1).rsplit('.', 1)[0]] += ms
    if n_agent + n_other == 0:
        return
    print(f'== jdk.Compilation: {n_agent + n_other} compilations, {agent_ms + other_ms:.0f} ms;'
          f' of agent methods {n_agent} ({agent_ms:.0f} ms, {pct(agent_ms, agent_ms + other_ms).strip()})')
    print('  by class (compile time):')
    for name, ms in by.most_common(top):
        print(f'   {ms:7.0f} ms {name}')


if __name__ == '__main__':
    jfr = sys.argv[1]
    n = int(sys.argv[sys.argv.index('--top') + 1]) if '--top' in sys.argv else 15
    if '--sites' in sys.argv:
        per = int(sys.argv[sys.argv.index('--invocations') + 1]) if '--invocations' in sys.argv else 1
        sites(jfr, int(sys.argv[sys.argv.index('--sites') + 1]), per)
        sys.exit(0)
    for kind in ['jdk.ExecutionSample', 'jdk.ObjectAllocationSample']:
        summarise(jfr, kind, n)
    compilations(jfr, n)
