"""Shared helpers for scripts/check-problems and scripts/verify-local.

Only the Python standard library is used, so the scripts run on any machine
that has python3 and the compilers of the languages they meet.
"""
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBLEMS = REPO / "problems"

# Compile and run commands, mirroring the judge's languages.
# {src} source file, {bin} output binary, {dir} build dir, {stem} file stem.
LANGUAGES = {
    ".c": (["gcc", "-std=c17", "-O2", "-pipe", "-o", "{bin}", "{src}", "-lm"], ["{bin}"]),
    ".cpp": (["g++", "-std=c++17", "-O2", "-pipe", "-o", "{bin}", "{src}"], ["{bin}"]),
    ".py": (None, ["python3", "{src}"]),
    ".js": (None, ["node", "{src}"]),
    ".java": (["javac", "-encoding", "UTF-8", "-d", "{dir}", "{src}"],
              ["java", "-Xss64m", "-cp", "{dir}", "{stem}"]),
    ".rs": (["rustc", "--edition", "2021", "-O", "-o", "{bin}", "{src}"], ["{bin}"]),
    ".go": (["go", "build", "-o", "{bin}", "{src}"], ["{bin}"]),
}


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def packages(names=None):
    """Problem package directories, all of them or the named ones."""
    if names:
        out = []
        for n in names:
            p = Path(n)
            if not (p / "problem.yaml").exists():
                p = PROBLEMS / n
            if not (p / "problem.yaml").exists():
                die(f"{n}: not a problem package (no problem.yaml)")
            out.append(p.resolve())
        return out
    return sorted(p.parent for p in PROBLEMS.glob("*/problem.yaml"))


def reference_of(pkg):
    """The submission that produces the .ans files: REFERENCE = "..." in gen.py."""
    gen = pkg / "generators" / "gen.py"
    m = re.search(r'^REFERENCE\s*=\s*["\']([^"\']+)["\']', gen.read_text(), re.M)
    if not m:
        die(f"{gen}: no REFERENCE = \"accepted/<file>\" line")
    ref = pkg / "submissions" / m.group(1)
    if not ref.exists():
        die(f"{gen}: REFERENCE {m.group(1)} does not exist")
    return ref


class Program:
    """A compiled (or interpreted) submission, ready to run."""

    def __init__(self, src, build_root):
        self.src = Path(src).resolve()
        ext = self.src.suffix
        if ext not in LANGUAGES:
            die(f"{src}: unknown language {ext}")
        compile_cmd, self.run_tmpl = LANGUAGES[ext]
        self.dir = Path(build_root) / (self.src.parent.name + "-" + self.src.name.replace(".", "_"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.vars = {"src": str(self.src), "bin": str(self.dir / "prog"),
                     "dir": str(self.dir), "stem": self.src.stem}
        if compile_cmd:
            cmd = [c.format(**self.vars) for c in compile_cmd]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                die(f"compiling {src} failed:\n{r.stderr}")

    def run(self, infile, outfile, timeout=None):
        """Run on infile; returns (status, cpu_seconds, wall_seconds).

        status is "ok", "rte" or "tle" (killed after `timeout` wall seconds).
        cpu is user+sys time of the process and its children."""
        cmd = [c.format(**self.vars) for c in self.run_tmpl]
        with open(infile, "rb") as fin, open(outfile, "wb") as fout:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL,
                                 cwd=self.dir, start_new_session=True)
            status = "ok"
            deadline = None if timeout is None else t0 + timeout
            while True:
                pid, st, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if deadline and time.perf_counter() > deadline:
                    os.killpg(p.pid, 9)
                    pid, st, ru = os.wait4(p.pid, 0)
                    status = "tle"
                    break
                time.sleep(0.005)
            wall = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(st)
            cpu = ru.ru_utime + ru.ru_stime
            if status == "ok" and p.returncode != 0:
                status = "rte"
            return status, cpu, wall


def testcases(pkg):
    """All (group, input path) pairs under data/sample and data/secret, sorted."""
    out = []
    for group in ("sample", "secret"):
        for f in sorted((pkg / "data" / group).rglob("*.in")):
            out.append((group, f))
    return out


def float_tolerance(pkg, infile):
    """Tolerance from output_validator_args in the nearest test_group.yaml, or None."""
    d = infile.parent
    while True:
        for name in ("test_group.yaml", "testdata.yaml"):
            y = d / name
            if y.exists():
                m = re.search(r"float_(?:relative_|absolute_)?tolerance['\"]?\s*,\s*['\"]?([0-9.eE+-]+)",
                              y.read_text())
                return float(m.group(1)) if m else None
        if d == pkg / "data" or d == d.parent:
            return None
        d = d.parent


def same_output(got, want, tol=None):
    """Default-validator comparison: tokens, case-insensitive, optional float tolerance."""
    a, b = got.split(), want.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if tol is not None:
            try:
                fy = float(y)
            except ValueError:
                fy = None
            if fy is not None:
                try:
                    fx = float(x)
                except ValueError:
                    return False
                if abs(fx - fy) <= tol or abs(fx - fy) <= tol * abs(fy):
                    continue
                return False
        if x.lower() != y.lower():
            return False
    return True


def run_generator(pkg, outdir):
    """Run generators/gen.py OUTDIR; returns the sorted list of written .in files."""
    outdir.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([sys.executable, str(pkg / "generators" / "gen.py"), str(outdir)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        die(f"{pkg.name}: generator failed:\n{r.stderr}")
    return sorted(outdir.rglob("*.in"))


def run_input_validators(pkg, infile):
    """Run every input_validators/*.py on infile; returns list of failing validator names."""
    bad = []
    for v in sorted((pkg / "input_validators").glob("*.py")):
        with open(infile, "rb") as f:
            r = subprocess.run([sys.executable, str(v)], stdin=f, capture_output=True)
        if r.returncode != 42:
            bad.append(f"{v.name}: {r.stdout.decode(errors='replace')[-200:]}{r.stderr.decode(errors='replace')[-300:]}")
    return bad
