#!/usr/bin/env python3
"""The agent frames of one thread in async-profiler collapsed stacks, side by side.

Usage: collapsed-agent-frames.py [--thread main] [--agent REGEX] [--by first|first3|any|self]
           INVOCATIONS INTERVAL_US A.collapsed [B.collapsed ...]

For each file (one JVM's measured phase: SideBySideAgentMain with -Dbench.asprof.measured), the
samples of the thread whose stacks hold an agent frame, as microseconds of CPU per invocation
(samples x interval / invocations), grouped by the outermost agent frame (first: the hook the
library called), its next two callees (first3), every frame below it (any: inclusive), or the
innermost frame (self). Lambda and proxy class names are normalised so that JVMs compare.
"""
import argparse
import collections
import re


def norm(frame):
    frame = re.sub(r'_\[[a-z0-9]\]$', '', frame)
    frame = re.sub(r'\$\$Lambda\$\d+\.0x[0-9a-f]+', '$$Lambda', frame)
    frame = re.sub(r'\$Proxy\d+', '$Proxy', frame)
    frame = re.sub(r'LambdaForm\$(\w+)\.0x[0-9a-f]+', r'LambdaForm$\1', frame)
    return frame.split('/')[-1]


def read(path, args, agent):
    out = collections.Counter()
    for line in open(path):
        stack, count = line.rstrip().rsplit(' ', 1)
        frames = stack.split(';')
        if not frames[0].startswith('[' + args.thread + ' '):
            continue
        raw = frames[1:]
        at = [i for i, f in enumerate(raw) if agent.search(f)]
        if not at:
            continue
        names = [norm(f) for f in raw[at[0]:]]
        if args.by == 'first':
            keys = [names[0]]
        elif args.by == 'first3':
            keys = [' ; '.join(names[:3])]
        elif args.by == 'self':
            keys = [names[-1]]
        else:
            keys = set(names)
        for key in keys:
            out[key] += int(count)
    scale = args.interval_us / args.invocations
    total = sum(int(l.rsplit(' ', 1)[1]) for l in open(path)
                if l.startswith('[' + args.thread + ' ') and agent.search(l.rsplit(' ', 1)[0]))
    return {k: v * scale for k, v in out.items()}, total * scale


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--thread', default='main')
    p.add_argument('--agent', default='io/flowcost/agent')
    p.add_argument('--by', default='first', choices=['first', 'first3', 'any', 'self'])
    p.add_argument('--top', type=int, default=30)
    p.add_argument('invocations', type=float)
    p.add_argument('interval_us', type=float)
    p.add_argument('files', nargs='+')
    args = p.parse_args()
    agent = re.compile(args.agent)
    results = [read(f, args, agent) for f in args.files]
    print('us per invocation in stacks with an agent frame: '
          + '  '.join('%.2f' % total for _, total in results))
    keys = set().union(*(r for r, _ in results))
    for key in sorted(keys, key=lambda k: -sum(r.get(k, 0) for r, _ in results))[:args.top]:
        print(' '.join('%7.2f' % r.get(key, 0) for r, _ in results), ' ', key[:180])


if __name__ == '__main__':
    main()
