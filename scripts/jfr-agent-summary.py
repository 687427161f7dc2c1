#!/usr/bin/env python3
"""Summarises a JFR recording by agent frame: share of CPU samples and of sampled allocation in
io.flowcost.agent frames, by innermost and outermost agent frame, thread and class.
Usage: scripts/jfr-agent-summary.py app.jfr  (needs the JDK's jfr tool on PATH)."""
import sys, re, subprocess, collections
f = sys.argv[1]
def events(kind):
    out = subprocess.run(['jfr','print','--stack-depth','80','--events',kind,f],capture_output=True,text=True).stdout
    for block in out.split('\n'+kind)[0:]:
        if 'stackTrace' not in block: continue
        frames = re.findall(r'^\s+([\w$.<>]+)\(', block.split('stackTrace = [')[1], re.M)
        w = re.search(r'weight = ([\d.]+) (\w+)', block)
        weight = 1
        if w:
            v=float(w.group(1)); u=w.group(2)
            weight = v*{'bytes':1,'kB':1e3,'MB':1e6,'GB':1e9}.get(u,1)
        cls = re.search(r'objectClass = ([\w$.\[\]]+)', block)
        th = re.search(r'(?:sampledThread|eventThread) = "([^"]*)"', block)
        yield frames, weight, cls.group(1) if cls else None, th.group(1) if th else '?'
for kind in ['jdk.ExecutionSample','jdk.ObjectAllocationSample']:
    total=0; agent=0; top=collections.Counter(); leaf=collections.Counter(); thr=collections.Counter(); cls=collections.Counter()
    for frames,w,c,t in events(kind):
        total+=w
        ag=[x for x in frames if x.startswith('io.flowcost.agent') ]
        if ag:
            agent+=w; top[ag[0]]+=w; thr[re.sub(r'\d+','N',t)]+=w
            if c: cls[c]+=w
            # outermost agent entry
            leaf[ag[-1]]+=w
    print(f'== {kind}: total {total:.0f}, in agent frames {agent:.0f} ({100*agent/max(total,1):.1f}%)')
    print(' by innermost agent frame:')
    for k,v in top.most_common(25): print(f'  {100*v/max(agent,1):5.1f}% {k}')
    print(' by outermost agent frame:')
    for k,v in leaf.most_common(10): print(f'  {100*v/max(agent,1):5.1f}% {k}')
    print(' threads:', [(k, f'{100*v/max(agent,1):.0f}%') for k,v in thr.most_common(5)])
    if cls: print(' classes:', [(k, f'{100*v/max(agent,1):.0f}%') for k,v in cls.most_common(12)])
