"""The benchmark script runs and prints its table (its figures are not
judged here: timing belongs to the benchmark, not to tests)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

CPU = re.compile(r"\d+\.\d \+ \d+\.\d")  # user + system seconds


def test_benchmark_runs_and_writes_its_table(tmp_path):
    output = tmp_path / "results.md"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "100",
                          "--rebuild-sizes", "", "--runs", "2", "--output", str(output)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    rows = [line for line in output.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    assert all(line in run.stdout for line in rows)  # printed as written
    header, _, row = rows
    columns = [c.strip() for c in header.strip("|").split("|")]
    cells = dict(zip(columns, (c.strip() for c in row.strip("|").split("|")), strict=True))
    assert cells["events"] == "100"
    cold = float(cells["cold build (s)"])
    assert int(cells["events/s"]) == pytest.approx(100 / cold, abs=1)
    assert CPU.fullmatch(cells["CPU, cold (s, user + system)"])  # the build and its forked helpers
    if cells["Hugo (s)"] != "–":  # where Debian's hugo is installed (make bench installs it)
        assert CPU.fullmatch(cells["CPU, Hugo (s, user + system)"])
        assert float(cells["cold / Hugo"]) == pytest.approx(cold / float(cells["Hugo (s)"]), rel=0.05, abs=0.01)
    else:
        assert cells["CPU, Hugo (s, user + system)"] == "–"
