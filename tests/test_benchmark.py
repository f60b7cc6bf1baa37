"""The benchmark script runs and prints its table (its figures are not
judged here: timing belongs to the benchmark, not to tests)."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

from conftest import ROOT

CPU = re.compile(r"\d+\.\d \+ \d+\.\d")  # user + system seconds
MEGABYTES = re.compile(r"\d+\.\d")
HUGO_SITES = ("equal work", "minimal")


def benchmark_module():
    spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shown(cell: str) -> tuple[float, float]:
    """The interval of true values that a cell, rounded to its printed digits, can stand for."""
    half = 0.5 * 10 ** -len(cell.partition(".")[2])
    return float(cell) - half, float(cell) + half


def ratio_fits(cell: str, numerator: tuple[float, float], denominator: tuple[float, float]) -> bool:
    """Whether `cell` is a rounding of some numerator / denominator within their intervals:
    each figure is rounded on its own, so no fixed tolerance holds for every run."""
    low, high = shown(cell)
    return numerator[0] / denominator[1] <= high and numerator[1] / denominator[0] >= low


def test_benchmark_runs_and_writes_its_table(tmp_path):
    output = tmp_path / "results.md"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "100",
                          "--rebuild-sizes", "", "--runs", "2", "--output", str(output)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    rows = [line for line in output.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    assert all(line in run.stdout for line in rows)  # printed as written
    assert "Guards" not in run.stdout  # judged at 4,000 and 100,000 events only
    header, _, row = rows
    columns = [c.strip() for c in header.strip("|").split("|")]
    cells = dict(zip(columns, (c.strip() for c in row.strip("|").split("|")), strict=True))
    assert cells["events"] == "100"
    cold = shown(cells["cold build (s)"])
    assert ratio_fits(cells["events/s"], (100, 100), cold)
    assert CPU.fullmatch(cells["CPU, cold (s, user + system)"])  # the build and its forked helpers
    files = cells["files written (ours / Hugo equal work / Hugo minimal)"].split(" / ")
    megabytes = cells["MB written (ours / Hugo equal work / Hugo minimal)"].split(" / ")
    assert int(files[0]) > 100 and MEGABYTES.fullmatch(megabytes[0])  # a page per event and more
    if cells["Hugo, equal work (s)"] != "–":  # where Debian's hugo is installed (make bench installs it)
        equal = shown(cells["Hugo, equal work (s)"])
        for site in HUGO_SITES:
            hugo = shown(cells[f"Hugo, {site} (s)"])
            assert CPU.fullmatch(cells[f"CPU, Hugo {site} (s, user + system)"])
            assert ratio_fits(cells[f"cold / Hugo ({site})"], cold, hugo)
        assert ratio_fits(cells["nothing changed / Hugo (equal work)"], shown(cells["cached, nothing changed (s)"]),
                          equal)
        assert ratio_fits(cells["one changed / Hugo (equal work)"], shown(cells["cached, one event changed (s)"]),
                          equal)
        assert all(int(count) > 100 for count in files[1:])
        assert all(MEGABYTES.fullmatch(mb) for mb in megabytes[1:])
    else:
        hugo_columns = [c for c in columns if "Hugo" in c and not c.endswith("Hugo minimal)")]
        assert all(cells[c] == "–" for c in hugo_columns)
        assert files[1:] == ["–", "–"] and megabytes[1:] == ["–", "–"]


def test_guards_say_met_or_not_met_against_their_limits():
    run = benchmark_module()
    figures = {4000: {"cold": 8.0, "equal": 8.0, "same": 2.0, "one": 7.0, "signal": 150.0},
               100000: {"cold": 200.0, "rss": 1000.0}}
    block = run.verdicts(figures)
    assert "- cold build / Hugo (equal work): 1.00; limit ≤ 1.0: met" in block  # at the limit: met
    assert "- cached, nothing changed / Hugo (equal work): 0.25; limit ≤ 0.25: met" in block
    assert "- cached, one event changed / Hugo (equal work): 0.88; limit ≤ 0.75: not met" in block
    assert "- preview save → reload signal, median: 150 ms; limit < 150 ms: not met" in block  # strictly below
    assert "- peak RSS of the 100,000-event cold build: 1000 MiB; limit < 1024 MiB: met" in block


def test_guards_without_hugo_or_preview_are_not_measured():
    run = benchmark_module()
    block = run.verdicts({4000: {"cold": 8.0, "same": 2.0, "one": 7.0}})
    lines = [line for line in block.splitlines() if line.startswith("- ")]
    assert len(lines) == 4  # no memory guard without 100,000 events
    assert all("not measured" in line and " met" not in line for line in lines)
    assert run.verdicts({100: {"cold": 1.0}}) == ""
