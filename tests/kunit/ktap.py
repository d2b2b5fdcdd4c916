#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console log of a KUnit guest into one line per test case.

    ktap.py [--strip PREFIX] CONSOLE_LOG
                               prints OK/FAIL/SKIP suite.case lines and
                               "N passed, N failed, N skipped"; exit 1 on
                               any failure or doubt, 0 otherwise
    ktap.py --selftest         checks this parser against canned logs
    ktap.py --count-suites KO  prints how many KUnit suites a module
                               registers (entries of .kunit_test_suites)

The log is what tests/kunit/run captures: kernel boot noise, then the lines
of guest-init.sh and KTAP from KUnit:

    nodeplane-kunit: begin
    KTAP version 1                       <- printed by guest-init.sh
    1..2                                 <- suites in the module
        KTAP version 1
        # Subtest: nodeplane_params
        1..3
            KTAP version 1               <- parameterised case (no plan)
            # Subtest: parse_disable
            ok 1 "servicelb"
            not ok 2 "bogus"
        not ok 1 parse_disable
        ok 2 other_case # SKIP reason
        ...
    ok 1 nodeplane_params
    ...
    nodeplane-kunit: end insmod=0 rmmod=0

Nesting is by indentation (4 spaces a level). Anything that is not KTAP
(kernel messages, assertion details) is kept as the log of the case whose
result follows it and shown under a FAIL line.

A case that passed its assertions still FAILs when a kernel report (WARN,
lockdep, slab debugging, oops) appears while it runs. Beyond the cases'
own results, the run fails when: the begin or end marker
is missing (the guest did not boot or did not finish), insmod or rmmod
failed, the top-level plan is missing or zero or does not match the number
of suites reported, a suite has no plan or its plan does not match its
cases, numbering is out of order, a suite's verdict contradicts its cases,
or the log after the begin marker shows a kernel report outside any case
(Oops, BUG, panic, WARNING, ...). Those print as "FAIL kunit.<check>: reason" and count as
failures. A "# SKIP" (or "# TODO") directive makes a case SKIP.
"""
import re
import sys

BEGIN = 'nodeplane-kunit: begin'
END_RE = re.compile(r'^nodeplane-kunit: end insmod=(\S+) rmmod=(\S+)\s*$')
TIMESTAMP_RE = re.compile(r'^\[\s*\d+\.\d+\]\s?')
VERSION_RE = re.compile(r'^K?TAP version \d+\s*$')
SUBTEST_RE = re.compile(r'^# Subtest: (.*?)\s*$')
PLAN_RE = re.compile(r'^1\.\.(\d+)\s*(#.*)?$')
RESULT_RE = re.compile(r'^(ok|not ok) (\d+)(?:$| - | )(.*)$')
DIRECTIVE_RE = re.compile(r'^(.*?)\s*(?:^|\s)#\s*(SKIP|TODO)\b\s*(.*)$', re.I)
# Kernel reports of something gone wrong: oopses, panics, WARN*(), lockdep
# and RCU-lockdep splats ("WARNING: ..."), slab debugging ("BUG kmalloc-64
# (...): Redzone overwritten"), hung tasks ("INFO: task ... blocked").
CRASH_RE = re.compile(
    r'^(?:\[\s*\d+\.\d+\]\s?)?\s*(?:WARNING: |BUG[: ]|INFO: |Kernel panic|'
    r'kernel BUG at|Oops|general protection fault|UBSAN: |KASAN: |'
    r'Modules linked in:|Call Trace:|Unable to handle kernel)|'
    r'Segfault with no mm')

# Kernel lines that say nothing about a failure.
NOISE_RE = re.compile(r'loading out-of-tree module taints kernel|'
                      r'module verification failed')
MAX_LOG_LINES = 40


class Node:
    """A (sub)test list: the lines of one indentation level."""

    def __init__(self, level):
        self.level = level
        self.name = None
        self.plan = None
        self.results = []
        self.errors = []


class Result:
    def __init__(self, num, ok, name, directive, reason, child, log):
        self.num = num
        self.ok = ok
        self.name = name
        self.directive = directive
        self.reason = reason
        self.child = child
        self.log = log


def parse(lines):
    """Parse KTAP lines (begin marker already stripped) into a Node tree."""
    stack = [Node(0)]
    log = []        # non-structural lines since the last case/suite result
    errors = []
    for raw in lines:
        line = TIMESTAMP_RE.sub('', raw.rstrip('\r\n'))
        body = line.lstrip(' ')
        indent = len(line) - len(body)
        ktap = (VERSION_RE.match(body) or SUBTEST_RE.match(body) or
                PLAN_RE.match(body) or RESULT_RE.match(body))
        if not ktap or indent % 4:
            if body:
                log.append(line)
            continue
        level = indent // 4
        while len(stack) <= level:
            stack.append(Node(len(stack)))
        node = stack[level]
        m = SUBTEST_RE.match(body)
        if m:
            node.name = m.group(1)
            continue
        if VERSION_RE.match(body):
            continue
        m = PLAN_RE.match(body)
        if m:
            if node.plan is not None:
                node.errors.append('second plan 1..%s' % m.group(1))
            node.plan = int(m.group(1))
            continue
        m = RESULT_RE.match(body)
        ok = m.group(1) == 'ok'
        name, directive, reason = m.group(3).strip(), None, ''
        d = DIRECTIVE_RE.match(name)
        if d:
            name, directive, reason = (d.group(1).strip(),
                                       d.group(2).upper(), d.group(3))
        child = stack[level + 1] if len(stack) > level + 1 else None
        for orphan in stack[level + 2:]:
            errors.append('subtest %s at level %d has no result line' %
                          (orphan.name or '?', orphan.level))
        del stack[level + 1:]
        res = Result(int(m.group(2)), ok, name, directive, reason, child,
                     log if level <= 1 else [])
        if level <= 1:
            log = []
        node.results.append(res)
    for node in stack[1:]:
        errors.append('subtest %s was cut off after %d results (crash?)' %
                      (node.name or '?', len(node.results)))
    return stack, log, errors


def status_of(res):
    if res.directive == 'SKIP':
        return 'SKIP'
    if res.directive == 'TODO':
        return 'SKIP'
    return 'OK' if res.ok else 'FAIL'


def shorten_paths(text, prefixes):
    """Source paths relative to the tree: drop build-mirror prefixes, fold
    dir/../ (KUnit prints __FILE__ as the compiler was given it)."""
    for p in prefixes:
        text = text.replace(p.rstrip('/') + '/', '')
    dotdot = re.compile(r'(?<![^\s/])(?!\.\./)[^\s/]+/\.\./')
    while dotdot.search(text):
        text = dotdot.sub('', text)
    return text


def evaluate(text, out, strip=()):
    """Print the report for console text; return the number of failures."""
    lines = shorten_paths(text, strip).splitlines()
    counts = {'OK': 0, 'FAIL': 0, 'SKIP': 0}
    shown_logs = set()
    tail = lines[-MAX_LOG_LINES:]

    def emit(status, name, detail=None, log=(), extra=()):
        counts[status] += 1
        out.write('%s %s%s\n' % (status, name,
                                 ': ' + detail if detail else ''))
        if status == 'FAIL' and id(log) not in shown_logs:
            if log:
                shown_logs.add(id(log))
            shown = [l.rstrip() for l in log
                     if l.strip() and not NOISE_RE.search(l)]
            for l in shown[:MAX_LOG_LINES]:
                # KUnit indents a case's diagnostics one level (4 spaces)
                out.write('    | %s\n' % re.sub(r'^ {1,4}', '', l))
            if len(shown) > MAX_LOG_LINES:
                out.write('    | ... %d more lines in the console log\n' %
                          (len(shown) - MAX_LOG_LINES))
            for l in extra:
                out.write('    | %s\n' % l)

    def harness(check, detail, log=()):
        emit('FAIL', 'kunit.' + check, detail, log)

    try:
        start = next(i for i, l in enumerate(lines)
                     if l.rstrip('\r').endswith(BEGIN))
    except StopIteration:
        harness('boot', 'guest never reached its init script',
                tail)
        return finish(counts, out)

    body = lines[start + 1:]
    # Only what follows the begin marker: boot-time noise is not ours, and
    # a boot that really fails never reaches the marker.
    crashes = [i for i, l in enumerate(body) if CRASH_RE.search(l)]
    attributed = [0]
    end = None
    for i, l in enumerate(body):
        m = END_RE.match(TIMESTAMP_RE.sub('', l.rstrip('\r')))
        if m:
            end = (i, m.group(1), m.group(2))
            break
    ktap_lines = body[:end[0]] if end else body

    stack, leftover, errors = parse(ktap_lines)
    top = stack[0]

    for suite_idx, sres in enumerate(top.results, 1):
        suite = sres.child
        sname = sres.name
        if sres.num != suite_idx:
            harness('numbering', 'suite %s is numbered %d, expected %d' %
                    (sname, sres.num, suite_idx))
        if suite is None:
            # No subtests at all: KUnit skipped or failed the suite as a
            # whole (e.g. its suite_init failed).
            emit(status_of(sres), sname, sres.reason or
                 ('suite reported no cases' if sres.ok else
                  'suite failed before running its cases'), sres.log)
            continue
        if suite.name is not None and suite.name != sname:
            harness('names', 'suite announced as %s reported as %s' %
                    (suite.name, sname))
        failed_cases = 0
        for case_idx, cres in enumerate(suite.results, 1):
            cname = '%s.%s' % (sname, cres.name)
            if cres.num != case_idx:
                harness('numbering', '%s is numbered %d, expected %d' %
                        (cname, cres.num, case_idx))
            detail = cres.reason or None
            extra = []
            if cres.child is not None:
                params = cres.child.results
                bad = [p for p in params if not p.ok and p.directive is None]
                if cres.child.plan is not None and \
                        cres.child.plan != len(params):
                    harness('plan', '%s: plan 1..%d but %d results' %
                            (cname, cres.child.plan, len(params)))
                if bad:
                    extra = ['not ok: %s' % p.name for p in bad]
                    if cres.ok:
                        harness('verdict', '%s ok but %d of its params '
                                'failed' % (cname, len(bad)))
                detail = detail or ('%d/%d params failed' %
                                    (len(bad), len(params)) if bad else None)
            st = status_of(cres)
            splats = sum(1 for l in cres.log if CRASH_RE.search(l))
            if splats:
                # A WARN/lockdep/slab report while the case ran fails it,
                # whatever its own assertions said.
                attributed[0] += splats
                if st != 'FAIL':
                    st, detail = 'FAIL', 'kernel warning/crash during the case'
            if not cres.ok and cres.directive is None:
                failed_cases += 1   # by KUnit's own verdict
            emit(st, cname, detail if st != 'OK' else None, cres.log, extra)
        if suite.plan is None:
            harness('plan', 'suite %s printed no plan' % sname)
        elif suite.plan != len(suite.results):
            harness('plan', 'suite %s: plan 1..%d but %d cases reported' %
                    (sname, suite.plan, len(suite.results)))
        for e in suite.errors:
            harness('ktap', 'suite %s: %s' % (sname, e))
        if sres.ok and failed_cases:
            harness('verdict', 'suite %s ok but %d cases failed' %
                    (sname, failed_cases))
        if not sres.ok and not failed_cases and sres.directive is None:
            emit('FAIL', sname, 'suite not ok (suite init/exit?)', sres.log)

    # Cases of a suite that was cut off (crash mid-suite) still count.
    if len(stack) > 1 and stack[1].results:
        cut = stack[1]
        for cres in cut.results:
            emit(status_of(cres), '%s.%s' % (cut.name or '?', cres.name),
                 cres.reason or None, cres.log)

    if top.plan is None:
        harness('plan', 'no KTAP plan on the console', leftover or tail)
    elif top.plan == 0:
        harness('plan', 'the module registers no KUnit suite')
    elif top.plan != len(top.results):
        harness('plan', 'plan 1..%d but %d suites reported' %
                (top.plan, len(top.results)), leftover)
    for e in top.errors + errors:
        harness('ktap', e, leftover)

    if end is None:
        harness('end', 'no end marker: the guest crashed, hung or was '
                'killed', leftover or tail)
    else:
        if end[1] != '0':
            harness('insmod', 'insmod exited %s' % end[1], leftover)
        if end[2] != '0':
            harness('rmmod', 'rmmod exited %s' % end[2], leftover)
    if len(crashes) > attributed[0]:
        # Not inside any case (or a case that never finished): show each
        # report with a few lines of context.
        context = []
        for i in crashes:
            context += [l for l in body[i:i + 4] if l not in context[-4:]]
        harness('crash', 'kernel crash/warning on the console', context)
    return finish(counts, out)


def finish(counts, out):
    out.write('%d passed, %d failed, %d skipped\n' %
              (counts['OK'], counts['FAIL'], counts['SKIP']))
    return counts['FAIL']


SELFTEST = [
    # (name, log, expected report lines in order, expected failures)
    ('all pass', '''boot noise
nodeplane-kunit: begin
KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..2
    ok 1 a
        KTAP version 1
        # Subtest: b
        ok 1 "x y"
        ok 2 p2
    # b: pass:2 fail:0 skip:0 total:2
    ok 2 b
# s: pass:2 fail:0 skip:0 total:2
ok 1 s
nodeplane-kunit: end insmod=0 rmmod=0
reboot: System halted
''', ['OK s.a', 'OK s.b', '2 passed, 0 failed, 0 skipped'], 0),
    ('fail, skip, param failure with log', '''nodeplane-kunit: begin
KTAP version 1
1..2
    KTAP version 1
    # Subtest: s
    1..3
    # a: EXPECTATION FAILED at x.c:1
    Expected 1 == 2
    not ok 1 a
    ok 2 b # SKIP not here
        KTAP version 1
        # Subtest: c
    # c: EXPECTATION FAILED at x.c:2
        ok 1 p1
        not ok 2 p2
    not ok 3 c
not ok 1 s
    KTAP version 1
    # Subtest: t
    1..1
    ok 1 z
ok 2 t
nodeplane-kunit: end insmod=0 rmmod=0
''', ['FAIL s.a', '    | # a: EXPECTATION FAILED at x.c:1',
      '    | Expected 1 == 2', 'SKIP s.b: not here',
      'FAIL s.c: 1/2 params failed',
      '    | # c: EXPECTATION FAILED at x.c:2', '    | not ok: p2',
      'OK t.z', '1 passed, 2 failed, 1 skipped'], 2),
    ('missing suite', '''nodeplane-kunit: begin
KTAP version 1
1..2
    KTAP version 1
    # Subtest: s
    1..1
    ok 1 a
ok 1 s
nodeplane-kunit: end insmod=0 rmmod=0
''', ['OK s.a', 'FAIL kunit.plan: plan 1..2 but 1 suites reported',
      '1 passed, 1 failed, 0 skipped'], 1),
    ('crash mid suite', '''nodeplane-kunit: begin
KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..3
    ok 1 a
BUG: kernel NULL pointer dereference, address: 0000000000000000
Kernel panic - not syncing: Segfault with no mm
''', ['OK s.a',
      'FAIL kunit.plan: plan 1..1 but 0 suites reported',
      'FAIL kunit.ktap: subtest s was cut off after 1 results (crash?)',
      'FAIL kunit.end: no end marker: the guest crashed, hung or was killed',
      'FAIL kunit.crash: kernel crash/warning on the console'], 4),
    ('case count short of plan', '''nodeplane-kunit: begin
KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..3
    ok 1 a
    ok 2 b
ok 1 s
nodeplane-kunit: end insmod=0 rmmod=0
''', ['OK s.a', 'OK s.b',
      'FAIL kunit.plan: suite s: plan 1..3 but 2 cases reported'], 1),
    ('no plan, no boot', 'random\nnoise\n',
     ['FAIL kunit.boot: guest never reached its init script',
      '0 passed, 1 failed, 0 skipped'], 1),
    ('begin but nothing else', 'nodeplane-kunit: begin\n',
     ['FAIL kunit.plan: no KTAP plan on the console',
      'FAIL kunit.end: no end marker'], 2),
    ('insmod failed', '''nodeplane-kunit: begin
KTAP version 1
1..1
insmod: ERROR: could not insert module x.ko: Unknown symbol in module
nodeplane-kunit: end insmod=1 rmmod=skipped
''', ['FAIL kunit.plan: plan 1..1 but 0 suites reported',
      'FAIL kunit.insmod: insmod exited 1',
      'FAIL kunit.rmmod: rmmod exited skipped'], 3),
    ('suite verdict contradicts cases', '''nodeplane-kunit: begin
KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..1
    not ok 1 a
ok 1 s
nodeplane-kunit: end insmod=0 rmmod=0
''', ['FAIL s.a', 'FAIL kunit.verdict: suite s ok but 1 cases failed'], 2),
    ('suite init failed', '''nodeplane-kunit: begin
KTAP version 1
1..1
    # failed to initialize (-12)
not ok 1 s
nodeplane-kunit: end insmod=0 rmmod=0
''', ['FAIL s: suite failed before running its cases',
      '    | # failed to initialize (-12)'], 1),
    ('splat in a case fails it, before begin does not', '''
WARNING: suspicious RCU usage
nodeplane-kunit: begin
KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..1
=============================
WARNING: suspicious RCU usage
    ok 1 a
ok 1 s
nodeplane-kunit: end insmod=0 rmmod=0
''', ['FAIL s.a: kernel warning/crash during the case',
      '    | WARNING: suspicious RCU usage', '0 passed, 1 failed, 0 skipped'],
     1),
    ('slub_debug report', '''nodeplane-kunit: begin
KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..1
    ok 1 a
ok 1 s
BUG kmalloc-64 (Tainted: G           O     N): Right Redzone overwritten
nodeplane-kunit: end insmod=0 rmmod=0
''', ['OK s.a', 'FAIL kunit.crash'], 1),
    ('timestamps and CRLF', '''nodeplane-kunit: begin\r
[    0.100000] KTAP version 1\r
1..1\r
[    0.200000]     KTAP version 1\r
[    0.200000]     # Subtest: s\r
[    0.200000]     1..1\r
[    0.300000]     ok 1 a\r
[    0.300000] ok 1 s\r
nodeplane-kunit: end insmod=0 rmmod=0\r
''', ['OK s.a', '1 passed, 0 failed, 0 skipped'], 0),
]


def selftest():
    import io
    bad = 0
    for got, want in [
            (shorten_paths('at /b/obj/tests/kunit/../../kmod/p.c:3', ['/b/obj']),
             'at kmod/p.c:3'),
            (shorten_paths('x /b/obj/tests/kunit/t.c:9 y', ['/b/obj/']),
             'x tests/kunit/t.c:9 y'),
            (shorten_paths('../../a/b.c a/../c.c', []), '../../a/b.c c.c')]:
        if got != want:
            bad += 1
            print('FAIL ktap-selftest.paths: %r != %r' % (got, want))
    for name, log, want, want_fail in SELFTEST:
        out = io.StringIO()
        nfail = evaluate(log, out)
        got = out.getvalue().splitlines()
        pos = 0
        missing = []
        for w in want:
            try:
                pos = next(i for i in range(pos, len(got))
                           if got[i].startswith(w)) + 1
            except StopIteration:
                missing.append(w)
        if missing or nfail != want_fail:
            bad += 1
            print('FAIL ktap-selftest.%s' % name.replace(' ', '_'))
            for w in missing:
                print('    missing (in order): %s' % w)
            print('    failures %d, expected %d; output:' % (nfail, want_fail))
            for g in got:
                print('    > %s' % g)
        else:
            print('OK ktap-selftest.%s' % name.replace(' ', '_'))
    print('%d passed, %d failed, 0 skipped' % (len(SELFTEST) - bad, bad))
    return 1 if bad else 0


def count_suites(path):
    """Entries (pointers) in the .kunit_test_suites section of an ELF file."""
    import struct
    with open(path, 'rb') as f:
        elf = f.read()
    if elf[:4] != b'\x7fELF':
        raise ValueError('%s: not an ELF file' % path)
    is64 = elf[4] == 2
    end = '<' if elf[5] == 1 else '>'
    if is64:
        shoff, = struct.unpack_from(end + 'Q', elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(end + 'HHH', elf, 0x3a)
        shdr, ptr = end + 'IIQQQQIIQQ', 8
    else:
        shoff, = struct.unpack_from(end + 'I', elf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(end + 'HHH', elf, 0x2e)
        shdr, ptr = end + 'IIIIIIIIII', 4
    sects = [struct.unpack_from(shdr, elf, shoff + i * shentsize)
             for i in range(shnum)]
    strtab = sects[shstrndx][4]
    for s in sects:
        name = elf[strtab + s[0]:elf.index(b'\0', strtab + s[0])]
        if name == b'.kunit_test_suites':
            return s[5] // ptr
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == '--selftest':
        return selftest()
    if len(argv) == 3 and argv[1] == '--count-suites':
        print(count_suites(argv[2]))
        return 0
    args, strip = argv[1:], []
    while len(args) >= 2 and args[0] == '--strip':
        strip.append(args[1])
        args = args[2:]
    if len(args) != 1:
        sys.stderr.write('usage: ktap.py [--strip PREFIX]... CONSOLE_LOG | '
                         '--selftest | --count-suites KO\n')
        return 2
    with open(args[0], 'rb') as f:
        text = f.read().decode('utf-8', 'replace')
    return 1 if evaluate(text, sys.stdout, strip) else 0


if __name__ == '__main__':
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv))
