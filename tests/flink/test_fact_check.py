#!/usr/bin/env python3
"""The Flink job's fact check (flink/src/.../FactCheck.java) against the cases pitwall's own
check is tested with (tests/commentary/llm_facts_cases.json, read by
tests/commentary/test_llm_check.c too): compiles FactCheck (with AnswerCheck, whose racing
words it shares) and its case runner
(flink/src/test/java/.../FactCheckCases.java) with javac against the Jackson jars in
.cache/flink-libs and runs every case. The two checks are kept equal by this one table.

Usage: test_fact_check.py  (run by scripts/test.d/70-flink.sh). Ends with 'N passed, M failed'.
"""
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PKG = "dev/pitwall/flink"


def main():
    jars = [j for n in ("core", "databind", "annotations")
            for j in glob.glob(os.path.join(ROOT, ".cache/flink-libs/jackson-%s-2*.jar" % n))]
    if len(jars) != 3:
        print("FAILED Jackson jars missing from .cache/flink-libs (scripts/setup.d/45-flink.sh)")
        print("0 passed, 1 failed")
        return 1
    cp = ":".join(jars)
    with tempfile.TemporaryDirectory(prefix="pitwall-factcheck-") as out:
        subprocess.run(["javac", "-nowarn", "-d", out, "-cp", cp,
                        os.path.join(ROOT, "flink/src/main/java", PKG, "FactCheck.java"),
                        os.path.join(ROOT, "flink/src/main/java", PKG, "AnswerCheck.java"),
                        os.path.join(ROOT, "flink/src/test/java", PKG, "FactCheckCases.java")],
                       check=True)
        run = subprocess.run(["java", "-cp", out + ":" + cp, "dev.pitwall.flink.FactCheckCases",
                              os.path.join(ROOT, "tests/commentary/llm_facts_cases.json")],
                             stdout=subprocess.PIPE, text=True, timeout=120)
    print(run.stdout, end="", flush=True)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
