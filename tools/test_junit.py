#!/usr/bin/env python3
"""The CI outputs' test: `migsim check --junit FILE --json=FILE` over the
fixtures in tests/check/ (two failing expectations, a failed step after a
failed expectation, an empty scenario, a parse error, a pass), parsed with
xml.etree and json.  Every expectation a fixture marks `# fails` must be in
its testcase's <failure> as FILE:LINE, and in the JSON; a parse error and a
failed step are <error>s; an allowed EMPTY is <skipped>, an EMPTY that is
not allowed a failure; the counts add up; every time attribute is 0; a name
with XML's special characters and non-ASCII reads back as itself; the same
tree gives the same bytes twice; a --junit into a missing directory is
refused before anything runs.  Usage: test_junit.py MIGSIM"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "check")
ODD = 'a&b <"x\'> \u00e9.scn'   # every character XML escapes, and one beyond ASCII

failures = 0


def check(cond, what):
    global failures
    if cond:
        print("test_junit: ok   " + what)
    else:
        print("test_junit: FAIL " + what)
        failures += 1


def marked_lines(path):
    """The line numbers of the expectations the fixture marks `# fails`."""
    with open(path, encoding="utf-8") as f:
        return [n for n, line in enumerate(f, 1) if line.startswith("expect") and "# fails" in line]


def run(migsim, args):
    p = subprocess.run([migsim, "check"] + args, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def cases_of(xml_path):
    root = ET.parse(xml_path).getroot()
    check(root.tag == "testsuites" and len(root.findall("testsuite")) == 1, "one <testsuite> in <testsuites>")
    suite = root.find("testsuite")
    return root, suite, {c.get("name"): c for c in suite.findall("testcase")}


def main():
    migsim = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="migsim-junit-")
    try:
        tree = os.path.join(tmp, "tree")
        os.mkdir(tree)
        for name in sorted(os.listdir(FIXTURES)):
            shutil.copy(os.path.join(FIXTURES, name), tree)
        shutil.copy(os.path.join(FIXTURES, "two-failures.scn"), os.path.join(tree, ODD))
        xml1, xml2, js = (os.path.join(tmp, n) for n in ("a.xml", "b.xml", "c.json"))

        rc, out, err = run(migsim, ["--allow-empty", "--junit", xml1, "--json=" + js, tree])
        check(rc == 2, "exit status 2: a scenario does not parse (got %d; %s)" % (rc, err.strip()))
        root, suite, cases = cases_of(xml1)
        names = sorted(n for n in os.listdir(tree))
        want = {os.path.join(tree, n): n for n in names}
        check(sorted(cases) == sorted(want), "one testcase per scenario file, named by its path")

        for path, name in want.items():
            case = cases.get(path)
            if case is None:
                continue
            fixture = os.path.join(tree, name)
            lines = marked_lines(fixture)
            fail = case.find("failure")
            text = fail.text if fail is not None and fail.text else ""
            got = [l for l in text.splitlines() if l]
            for n in lines:
                check(any(l.startswith("%s:%d: expect " % (path, n)) for l in got),
                      "%s: failed expectation at line %d in <failure>" % (name, n))
            check(len(got) == len(lines), "%s: <failure> lists exactly the %d failed expectations" % (name, len(lines)))
            out_lines = [l for l in out.splitlines() if l.startswith("FAIL  %s:" % path) and ": expect " in l]
            check(len(out_lines) == len(lines), "%s: check prints a FAIL line for each failed expectation" % name)

        broken = cases.get(os.path.join(tree, "broken.scn"))
        err_el = broken.find("error") if broken is not None else None
        check(err_el is not None and ":3:1: error: unknown statement 'frobnicate'" in (err_el.get("message") or ""),
              "a parse error is an <error> with FILE:LINE:COL")
        step = cases.get(os.path.join(tree, "step-fails.scn"))
        step_err = [e for e in step.findall("error") if e.get("type") == "step"] if step is not None else []
        check(len(step_err) == 1 and "step failed: cancel" in step_err[0].text, "a failed step is an <error type=step>")
        empty = cases.get(os.path.join(tree, "empty.scn"))
        check(empty is not None and empty.find("skipped") is not None and empty.find("failure") is None,
              "an allowed EMPTY is <skipped>")
        passing = cases.get(os.path.join(tree, "pass.scn"))
        check(passing is not None and not passing.findall("failure") and not passing.findall("error")
              and passing.find("skipped") is None, "a pass has no failure, error or skipped")
        odd = cases.get(os.path.join(tree, ODD))
        check(odd is not None and odd.get("file") == os.path.join(tree, ODD), "a name with & < > \" ' and \u00e9 reads back")

        counts = {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")}
        check(counts == {"tests": "6", "failures": "2", "errors": "2", "skipped": "1"},
              "suite counts tests=6 failures=2 errors=2 skipped=1 (got %s)" % counts)
        times = [e.get("time") for e in root.iter() if e.get("time") is not None]
        check(times and all(t == "0" for t in times), "every time attribute is 0")

        with open(js, encoding="ascii") as f:
            doc = json.load(f)
        jcases = {c["file"]: c for c in doc["scenarios"]}
        two = jcases.get(os.path.join(tree, "two-failures.scn"), {})
        check([x["line"] for x in two.get("failures", [])] == marked_lines(os.path.join(tree, "two-failures.scn")),
              "--json lists every failed expectation's line")
        check(jcases.get(os.path.join(tree, "step-fails.scn"), {}).get("step_failure", {}).get("line") == 11,
              "--json gives the failed step's line")
        check((doc["passed"], doc["failed"], doc["errors"], doc["empty"]) == (2, 3, 1, 1),
              "--json's counts (got %s)" % ((doc["passed"], doc["failed"], doc["errors"], doc["empty"]),))

        run(migsim, ["--allow-empty", "--junit", xml2, tree])
        with open(xml1, "rb") as a, open(xml2, "rb") as b:
            check(a.read() == b.read(), "the same tree gives the same JUnit bytes")

        rc, out, err = run(migsim, ["--junit", xml2, os.path.join(tree, "empty.scn")])
        _, _, cases = cases_of(xml2)
        e = next(iter(cases.values()))
        check(rc == 1 and e.find("failure") is not None and e.find("failure").get("type") == "empty",
              "an EMPTY that is not allowed is a <failure type=empty>")

        rc, out, err = run(migsim, ["--junit", os.path.join(tmp, "no", "such.xml"), tree])
        check(rc == 2 and out == "" and err.count("\n") == 1, "--junit into a missing directory: refused before running")
    finally:
        shutil.rmtree(tmp)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
