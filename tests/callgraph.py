#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""callgraph.py BUILDDIR SRCDIR [--commands DIR] [--check]

The file-level call graph of vmscope's own sources: which file uses a
function (or an object) that another file defines, read from the symbols of
the objects the build made (nm), each object traced back to its source
through BUILDDIR/compile_commands.json. Only the files under SRCDIR/src are
counted: tests, fuzzers and benchmarks may call anything.

Without --check it prints the graph, one "file -> callees" line each. With
--check it checks the house rules, a line "ok: RULE" or "not ok: RULE" each,
followed by its diagnostics indented by two spaces (tests/lint.sh turns them
into TAP); it exits 1 when a rule is broken:
  - no circle of calls between files (each strongly connected component of
    more than one file is printed with one circle through it);
  - with --commands DIR: the files directly in DIR (one per command) are
    called by no file but src/main.c: a command calls only downward.
"""
import collections
import json
import os
import subprocess
import sys


def sources(builddir, srcdir):
    """{object path: source path relative to srcdir} for src/ files."""
    with open(os.path.join(builddir, 'compile_commands.json'), encoding='utf-8') as f:
        entries = json.load(f)
    srcdir = os.path.realpath(srcdir)
    out = {}
    for e in entries:
        d = e.get('directory', builddir)
        src = os.path.realpath(os.path.join(d, e['file']))
        rel = os.path.relpath(src, srcdir)
        if not rel.startswith('src' + os.sep):
            continue
        out[os.path.join(d, e['output'])] = rel
    return out


def graph(builddir, srcdir):
    objs = sources(builddir, srcdir)
    if not objs:
        sys.exit('callgraph.py: no sources of src/ in %s/compile_commands.json' % builddir)
    defs = {}
    uses = collections.defaultdict(set)
    for obj, src in objs.items():
        if not os.path.exists(obj):
            sys.exit('callgraph.py: %s is not built (%s)' % (obj, src))
    # One nm for all objects (a process each took most of the time): each
    # line begins with the object's name and a colon.
    nm = subprocess.run(['nm', '-A'] + list(objs), capture_output=True, text=True, check=True).stdout
    for line in nm.splitlines():
        # (the first colon after which the name is an object's: a path may hold colons)
        cut = [i for i, c in enumerate(line) if c == ':' and line[:i] in objs]
        obj = line[:cut[0]] if cut else None
        if obj is None:
            sys.exit('callgraph.py: nm printed a line of no object: %s' % line)
        src = objs[obj]
        p = line[len(obj) + 1:].split()
        if len(p) == 3 and p[1] in 'TDBRCGSV':
            defs.setdefault(p[2], src)
        elif len(p) == 2 and p[0] == 'U':
            uses[src].add(p[1])
    edges = {src: set() for src in objs.values()}
    for src, names in uses.items():
        for name in names:
            callee = defs.get(name)
            if callee is not None and callee != src:
                edges[src].add(callee)
    return edges


def components(edges):
    """Strongly connected components (Tarjan), iterative."""
    index = {}
    low = {}
    on_stack = set()
    stack = []
    out = []
    counter = [0]
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def one_circle(edges, comp):
    """A circle through the first file of comp, inside comp (breadth first)."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = collections.deque([start])
    while queue:
        v = queue.popleft()
        for w in sorted(edges[v]):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def main(argv):
    args = [a for a in argv[1:] if not a.startswith('--')]
    check = '--check' in argv
    commands = None
    if '--commands' in argv:
        commands = argv[argv.index('--commands') + 1].rstrip('/')
        args.remove(commands if commands in args else argv[argv.index('--commands') + 1])
    if len(args) != 2:
        sys.exit(__doc__)
    edges = graph(args[0], args[1])
    if not check:
        for src in sorted(edges):
            print(src, '->', ' '.join(sorted(edges[src])))
        return 0
    failed = 0
    circles = [c for c in components(edges) if len(c) > 1]
    what = 'no circle of calls between the %d files of src/' % len(edges)
    if circles:
        failed += 1
        print('not ok: ' + what)
        for c in circles:
            print('  %d files: %s' % (len(c), ' '.join(c)))
            print('    e.g. %s' % ' -> '.join(one_circle(edges, c)))
    else:
        print('ok: ' + what)
    if commands is not None:
        cmd_files = {s for s in edges if os.path.dirname(s) == commands}
        bad = []
        for src in sorted(edges):
            if src == os.path.join('src', 'main.c'):
                continue
            for callee in sorted(edges[src] & cmd_files):
                bad.append('%s calls %s' % (src, callee))
        what = 'the %d command files of %s are called by src/main.c alone' % (len(cmd_files), commands)
        if bad or not cmd_files:
            failed += 1
            print('not ok: ' + what)
            for b in bad or ['no command file found in ' + commands]:
                print('  ' + b)
        else:
            print('ok: ' + what)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
