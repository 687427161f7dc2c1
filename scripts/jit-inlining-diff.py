#!/usr/bin/env python3
"""Compares the JIT's decisions of JVMs run with
   -XX:+UnlockDiagnosticVMOptions -XX:+PrintCompilation -XX:+PrintInlining
   -XX:+LogVMOutput -XX:-DisplayVMOutput -XX:LogFile=DIR/vm_%p.log
(e.g. BENCH_JVM_OPTS of `scripts/bench.sh agent`: the side-by-side harness's JVMs each write one).

usage: scripts/jit-inlining-diff.py LABEL=vm_pidN.log LABEL=vm_pidM.log ...   (the first is the reference,
       normally the no-agent JVM)

Prints, per JVM:
  1. the methods whose bytecode size differs from the reference's (what an agent instrumented; a
     name stands for all its overloads, so only sizes the reference never shows count);
  2. for each of them, the C2 (tier 4) decisions at its call sites: inlined, or why not
     ("hot method too big": past FreqInlineSize, 325 bytes; "callee is too large": past
     MaxInlineSize, 35 bytes, at a cold site; "already compiled into a big method": InlineSmallCode);
  3. C2 inlining failures by reason, over the last C2 compile of every method;
  4. C2 code de-optimised ("made not entrant" at tier 4), and the methods only the other JVM's
     C2 code was de-optimised in;
  5. C2 call sites that stayed virtual ("virtual call": megamorphic or no profile) only in that JVM;
  6. with -XX:+LogCompilation as well (the log then ends with each compiler thread's XML): the
     receiver type profiles behind (5) — C2 call sites whose profile is mono- or bimorphic in the
     reference and polymorphic in that JVM (a receiver type beyond the profile's two rows, counted
     only as a remainder: "other"), with both JVMs' two profiled receivers and counts, hottest first.
     The type that makes the remainder is not in the log; `jcmd PID VM.class_hierarchy CLASS -s`
     on the running JVM lists the candidates.
A JVM's name is the part before '='; the log's pid is only for finding the file.
"""
import collections
import html
import re
import sys

HEADER = re.compile(r'^\s*\d+\s+\d+\s([ %sbn!]{5,6})\s*([0-4])?\s+(\S+::\S+)(?: @ \d+)?\s+\((\d+) bytes\)\s*(.*)$')
INLINE = re.compile(r'^[\s!]*@ \d+\s+(\S+::\S+) \((?:(\d+) bytes|not loaded)\)\s*(.*)$')
WRITER = re.compile(r"<writer thread='(\d+)'/>")
# the agents' own code (Flowcost's, shaded or not, and the OpenTelemetry Java agent's)
AGENTS = ('io.flowcost.', 'io.opentelemetry.')
INLINED = ('inline', 'intrinsic', 'force inline', 'accessor')


def parse(path):
    """(sizes by method name, last compile's inline decisions by (method, tier, osr), de-opts)."""
    sizes = collections.defaultdict(set)
    compiles = {}
    not_entrant = collections.Counter()
    current = {}
    writer = None
    in_tty = False
    with open(path, errors='replace') as f:
        for raw in f:
            if not in_tty:
                in_tty = '<tty>' in raw
                continue
            w = WRITER.search(raw)
            if w:
                writer = w.group(1)
                continue
            line = html.unescape(raw.rstrip('\n'))
            h = HEADER.match(line)
            if h:
                attrs, tier, method, size, rest = h.groups()
                sizes[method].add(int(size))
                tier = int(tier) if tier else 0
                if 'made not entrant' in rest:
                    # printed by the compiler thread as it installs the new code: the inlining
                    # tree that follows is still the new compile's
                    not_entrant[(method, tier)] += 1
                elif rest.strip():
                    current[writer] = None
                else:
                    current[writer] = compiles[(method, tier, '%' in attrs)] = []
                continue
            i = INLINE.match(line)
            if i:
                callee, size, reason = i.groups()
                if size:
                    sizes[callee].add(int(size))
                c = current.get(writer)
                if c is not None:
                    c.append((callee, reason.strip()))
    return sizes, compiles, not_entrant


def inlined(reason):
    return reason.startswith(INLINED)


def short(reason):
    return re.sub(r'\s*\(.*$', '', reason) or '(no reason printed)'


def main(args):
    jvms = []
    paths = []
    for a in args:
        label, _, path = a.partition('=')
        jvms.append((label, *parse(path)))
        paths.append(path)
    ref_label, ref_sizes, ref_compiles, ref_ne = jvms[0]

    print('## 1. methods whose bytecode differs from %s\n' % ref_label)
    grown = {}
    for label, sizes, _, _ in jvms[1:]:
        for m in sizes.keys() & ref_sizes.keys():
            new = sizes[m] - ref_sizes[m]
            if new and not m.startswith(('java.lang.invoke.', 'jdk.internal.reflect.Generated')):
                grown.setdefault(m, {})[label] = sorted(new)
    print('| method | ' + ' | '.join(l for l, *_ in jvms) + ' |')
    print('|---|' + '---:|' * len(jvms))
    for m in sorted(grown):
        print('| `%s` | %s |' % (m, ' | '.join('/'.join(map(str, sorted(s[m]))) if m in s else '—'
                                             for _, s, _, _ in jvms)))

    print('\n## 2. C2 decisions at the call sites of those methods (count of sites, last C2 compile of each caller)\n')
    print('| callee | ' + ' | '.join(l for l, *_ in jvms) + ' |')
    print('|---|' + '---|' * len(jvms))
    for m in sorted(grown):
        cells = []
        for _, _, compiles, _ in jvms:
            c = collections.Counter(short(r) for (caller, tier, osr), calls in compiles.items()
                                    if tier == 4 and not osr for callee, r in calls if callee == m)
            cells.append(', '.join('%s %d' % kv for kv in sorted(c.items())) or '—')
        print('| `%s` | %s |' % (m, ' | '.join(cells)))

    print('\n## 3. C2 inlining failures by reason (last C2 compile of every method, OSR excluded;'
          ' the agents\' own methods, as callers or callees, left out)\n')
    counts = []
    for _, _, compiles, _ in jvms:
        counts.append(collections.Counter(short(r) for (m, tier, osr), calls in compiles.items()
                                          if tier == 4 and not osr and not m.startswith(AGENTS)
                                          for callee, r in calls
                                          if not inlined(r) and not callee.startswith(AGENTS)))
    reasons = sorted(set().union(*counts), key=lambda r: -counts[0][r])
    print('| reason | ' + ' | '.join(l for l, *_ in jvms) + ' |')
    print('|---|' + '---:|' * len(jvms))
    for r in reasons:
        print('| %s | %s |' % (r, ' | '.join(str(c[r]) for c in counts)))
    print('| C2 compiles (methods) | %s |' % ' | '.join(
        str(sum(1 for (m, t, o) in c if t == 4 and not o and not m.startswith(AGENTS)))
        for _, _, c, _ in jvms))

    print('\n## 4. C2 code de-optimised ("made not entrant", tier 4)\n')
    for label, _, _, ne in jvms:
        c2 = {m: n for (m, t), n in ne.items() if t == 4}
        only = sorted(m for m in c2 if (m, 4) not in ref_ne)
        print('- %s: %d times, %d methods; methods not de-optimised in %s: %s' % (
            label, sum(c2.values()), len(c2), ref_label,
            ', '.join('`%s`' % m for m in only[:12]) + (' …' if len(only) > 12 else '') if only else 'none'))

    print('\n## 5. C2 call sites left virtual only in this JVM (callee in caller, for callers C2-compiled in both)\n')
    ref_virtual = {(caller, callee) for (caller, t, o), calls in ref_compiles.items() if t == 4 and not o
                   for callee, r in calls if r.startswith('virtual call')}
    ref_callers = {caller for (caller, t, o) in ref_compiles if t == 4 and not o}
    for label, _, compiles, _ in jvms[1:]:
        own = sorted({(caller, callee) for (caller, t, o), calls in compiles.items()
                      if t == 4 and not o and caller in ref_callers
                      for callee, r in calls if r.startswith('virtual call')} - ref_virtual)
        print('- %s: %d%s' % (label, len(own), ''.join('\n  - `%s` in `%s`' % (ce, ca) for ca, ce in own)))


    if not all(has_compilation_log(path) for path in paths):
        return
    print('\n## 6. receiver profiles: C2 call sites mono-/bimorphic in %s, polymorphic in this JVM'
          ' (count = calls profiled; other = calls by receiver types beyond the two rows)\n' % ref_label)
    ref_sites = receiver_sites(paths[0])
    for (label, *_), path in list(zip(jvms, paths))[1:]:
        rows = []
        for key, (count, receivers) in receiver_sites(path).items():
            ref = ref_sites.get(key)
            if ref is None:
                continue
            ref_other = ref[0] - sum(n for _, n in ref[1])
            other = count - sum(n for _, n in receivers)
            if ref_other == 0 and ref[1] and other > 0:
                rows.append((count, key, ref, receivers, other))
        rows.sort(key=lambda r: -r[0])
        print('- %s: %d sites' % (label, len(rows)))
        for count, (caller, bci, callee), ref, receivers, other in rows[:40]:
            print('  - `%s` in `%s` @%s: %s count %d [%s]; %s count %d [%s], other %d' % (
                callee, caller, bci, ref_label, ref[0], profile(ref[1]), label, count,
                profile(receivers), other))


ATTR = re.compile(r"(\w+)='([^']*)'")


def has_compilation_log(path):
    with open(path, errors='replace') as f:
        return any(line.startswith('<compilation_log') for line in f)


def profile(receivers):
    return ', '.join('%s %d' % (html.unescape(k), n) for k, n in receivers)


def receiver_sites(path):
    """(caller, bci, callee) -> (count, [(receiver type, count)]) of virtual C2 call sites, from the
    compiler threads' XML of -XX:+LogCompilation (ids are local to each task); a site seen in
    several compiles keeps its largest count."""
    sites = {}
    task = None
    in_log = False
    with open(path, errors='replace') as f:
        for line in f:
            if line.startswith('<compilation_log'):
                in_log = True
                continue
            if not in_log:
                continue
            s = line.strip()
            if s.startswith('<task '):
                a = dict(ATTR.findall(s))
                c2 = a.get('level', '4') == '4' and 'osr_bci' not in a
                task = {'names': {}, 'methods': {}, 'stack': [], 'bci': None} if c2 else None
            elif task is None:
                continue
            elif s.startswith('</task>'):
                task = None
            elif s.startswith(('<klass ', '<type ')):
                a = dict(ATTR.findall(s))
                task['names'][a['id']] = a['name']
            elif s.startswith('<method '):
                a = dict(ATTR.findall(s))
                task['methods'][a['id']] = task['names'].get(a['holder'], '?') + '::' + a['name']
            elif s.startswith('<parse ') :
                a = dict(ATTR.findall(s))
                task['stack'].append(task['methods'].get(a['method'], '?'))
            elif s.startswith('</parse>'):
                if task['stack']:
                    task['stack'].pop()
            elif s.startswith('<bc '):
                task['bci'] = dict(ATTR.findall(s)).get('bci')
            elif s.startswith('<call ') and "virtual='1'" in s and task['stack']:
                a = dict(ATTR.findall(s))
                receivers = [(task['names'].get(a[r], '?'), int(a[r + '_count']))
                             for r in ('receiver', 'receiver2') if r in a]
                key = (task['stack'][-1], task['bci'], task['methods'].get(a['method'], '?'))
                count = int(a.get('count', '0'))
                if count > sites.get(key, (-1,))[0]:
                    sites[key] = (count, receivers)
    return sites


if __name__ == '__main__':
    main(sys.argv[1:])
