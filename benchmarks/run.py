#!/usr/bin/env python3
"""Benchmark: full builds and preview rebuilds on synthetic records.

    python benchmarks/run.py                       # every size, 100 to 100,000 events
    python benchmarks/run.py --sizes 100,4000 --runs 3

Where `hugo` is installed, each size's cold build is timed in turns with
two Hugo sites made from the same record (hugo_site.py): one that builds
the same kinds of pages as ours ("equal work") and a minimal one.

Prints one table, then the issue's guards as figures met or not (at 4,000
events, and memory at 100,000), and writes both to benchmarks/results.md.
Figures depend on the machine; compare rows of one run, not runs on
different days.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from synth import write_record  # noqa: E402


class Run(NamedTuple):
    seconds: float
    rss: int  # peak RSS in KiB, of the process or of the largest of its waited-for children
    user: float  # CPU seconds, the process and its waited-for children (the build's forked helpers)
    system: float


def timed(command: list[str], cwd: Path | None = None) -> Run:
    """One command in a fresh process: its wall time, peak memory and CPU time."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode()[:2000]}")
    return Run(elapsed, usage.ru_maxrss, usage.ru_utime, usage.ru_stime)


def timed_build(events: Path, out: Path, *flags: str) -> Run:
    return timed([sys.executable, str(ROOT / "build.py"), "--events", str(events), "--out", str(out), *flags])


HUGO_SITES = ("equal", "minimal")  # the kinds of hugo_site.py: our kinds of pages, and one page per event


def hugo_site(events: Path, folder: Path, kind: str) -> Path:
    """The Hugo site of `events` of this kind (see hugo_site.py), made once."""
    site = folder / f"hugo-{kind}"
    if not site.exists():
        subprocess.run([sys.executable, str(HERE / "hugo_site.py"), str(events), str(site), "--kind", kind],
                       check=True)
    return site


def timed_hugo(site: Path, out: Path) -> Run:
    return timed(["hugo", "--quiet", "-d", str(out)], cwd=site)


def cold_folder(folder: Path, who: str, run: int) -> Path:
    return folder / f"cold-{who}-{run}"


def cold_builds(events: Path, folder: Path, runs: int, hugo: bool) -> dict[str, list[Run]]:
    """Cold builds of ours ("ours") and of each Hugo site, taken in turns, in
    reverse order every other run: this machine's speed drifts within
    minutes, and series run one after the other measure the drift as much
    as the builds."""
    sites = {kind: hugo_site(events, folder, kind) for kind in HUGO_SITES} if hugo else {}
    order = ["ours", *sites]
    results: dict[str, list[Run]] = {who: [] for who in order}
    for i in range(runs):
        for who in order if i % 2 == 0 else reversed(order):
            # As from a clean checkout: no cache and no earlier output. Each
            # build gets a folder of its own; replacing an earlier site would
            # add the deletion of its files (about 1 s at 4,000 events here),
            # and deleting it just before a build slows the build.
            out = cold_folder(folder, who, i)
            if out.exists():
                raise SystemExit(f"{out} exists before its cold build")
            run = timed_build(events, out, "--no-cache") if who == "ours" else timed_hugo(sites[who], out)
            results[who].append(run)
    return results


def written(out: Path) -> tuple[int, int]:
    """The number of files in `out` and their bytes."""
    sizes = [path.stat().st_size for path in out.rglob("*") if path.is_file()]
    return len(sizes), sum(sizes)


def cpu(runs: list[Run]) -> str:
    """Median CPU seconds of `runs`, as user + system."""
    return f"{statistics.median(r.user for r in runs):.1f} + {statistics.median(r.system for r in runs):.1f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def edit_event_zero(text: str, label: str) -> str:
    return re.sub(r'title = "Synthetic event 0:[^"]*"', f'title = "Synthetic event 0: {label}"', text, count=1)


SAVES = 15  # one save's rebuild took 50 to 120 ms here: the median of 5 moved with each run


def rebuild_times(events: Path, edits: int = SAVES) -> list[tuple[float, float]]:
    """(ms to the reload signal, ms to the edited page served) after saving a one-event edit."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--serve", "--events", str(events),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in server.stdout:
            if "Serving the preview" in line:
                break
        stream = socket.create_connection(("127.0.0.1", port))
        stream.sendall(b"GET /__livereload HTTP/1.1\r\nHost: x\r\n\r\n")
        buffer = b""
        while b"event: hello" not in buffer:
            buffer += stream.recv(4096)
        page = f"http://127.0.0.1:{port}/events/event-000000/"
        urllib.request.urlopen(page).read()  # as a browser would have it open
        text = events.read_text(encoding="utf-8")
        results = []
        for i in range(edits):
            time.sleep(0.3)
            text = edit_event_zero(text, f"edit {i}")
            buffer = b""
            start = time.perf_counter()
            events.write_text(text, encoding="utf-8")
            while b"event: reload" not in buffer:
                chunk = stream.recv(4096)
                if not chunk:
                    raise SystemExit("event stream closed")
                buffer += chunk
            signal = time.perf_counter()
            body = urllib.request.urlopen(page).read()
            served = time.perf_counter()
            if f"edit {i}".encode() not in body:
                raise SystemExit("the served page does not show the edit")
            results.append(((signal - start) * 1000, (served - start) * 1000))
        stream.close()
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} (min {min(values):.0f}, max {max(values):.0f})"


def median_seconds(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def peak_mib(runs: list[Run]) -> float:
    return max(r.rss for r in runs) / 1024


def cached_builds(events: Path, folder: Path, runs: int) -> tuple[list[Run], list[Run]]:
    """Builds with the cache of an earlier one: with nothing changed, and with one event edited before each."""
    out = folder / "public"
    timed_build(events, out)  # fills the cache
    same = [timed_build(events, out) for _ in range(runs)]
    text = events.read_text(encoding="utf-8")
    one = []
    for i in range(runs):
        events.write_text(edit_event_zero(text, f"bench {i}"), encoding="utf-8")
        one.append(timed_build(events, out))
    events.write_text(text, encoding="utf-8")
    return same, one


def outputs_written(folder: Path, cold: dict[str, list[Run]]) -> tuple[str, str]:
    """Files and MB written by the first cold build of ours and of each Hugo site, as
    "ours / Hugo equal work / Hugo minimal": what "equal work" means, in numbers."""
    counts = {who: written(cold_folder(folder, who, 0)) for who in cold}
    files = " / ".join(str(counts[who][0]) if who in counts else "–" for who in ("ours", *HUGO_SITES))
    megabytes = " / ".join(f"{counts[who][1] / 1e6:.1f}" if who in counts else "–" for who in ("ours", *HUGO_SITES))
    return files, megabytes


def full_builds(events: Path, folder: Path, n: int, runs: int, hugo: bool) -> tuple[dict, dict]:
    """The table's cells for one size, and the unrounded figures the guards judge."""
    cold = cold_builds(events, folder, runs, hugo)
    same, one = cached_builds(events, folder, runs)
    ours = median_seconds(cold["ours"])
    figures = {"cold": ours, "same": median_seconds(same), "one": median_seconds(one),
               "rss": peak_mib(cold["ours"])}
    files, megabytes = outputs_written(folder, cold)
    row = {"cold": f"{ours:.2f}", "rate": f"{n / ours:.0f}", "rss": f"{figures['rss']:.0f}", "cpu": cpu(cold["ours"]),
           "same": f"{figures['same']:.2f}", "one": f"{figures['one']:.2f}", "one_rss": f"{peak_mib(one):.0f}",
           "files": files, "megabytes": megabytes}
    for kind in HUGO_SITES:
        if kind in cold:
            figures[kind] = hugo_seconds = median_seconds(cold[kind])
            row.update({kind: f"{hugo_seconds:.2f}", f"{kind}_cpu": cpu(cold[kind]),
                        f"cold_{kind}": f"{ours / hugo_seconds:.2f}"})
    if "equal" in figures:
        row.update(same_equal=f"{figures['same'] / figures['equal']:.2f}",
                   one_equal=f"{figures['one'] / figures['equal']:.2f}")
    for output in [folder / "public", *folder.glob("cold-*")]:
        shutil.rmtree(output, ignore_errors=True)
    return row, figures


COLUMNS = [("events", "events"), ("cold", "cold build (s)"), ("rate", "events/s"),
           ("rss", "peak RSS, cold (MiB)"), ("cpu", "CPU, cold (s, user + system)"),
           ("same", "cached, nothing changed (s)"), ("one", "cached, one event changed (s)"),
           ("one_rss", "peak RSS, one changed (MiB)"),
           ("equal", "Hugo, equal work (s)"), ("equal_cpu", "CPU, Hugo equal work (s, user + system)"),
           ("minimal", "Hugo, minimal (s)"), ("minimal_cpu", "CPU, Hugo minimal (s, user + system)"),
           ("cold_equal", "cold / Hugo (equal work)"), ("cold_minimal", "cold / Hugo (minimal)"),
           ("same_equal", "nothing changed / Hugo (equal work)"), ("one_equal", "one changed / Hugo (equal work)"),
           ("files", "files written (ours / Hugo equal work / Hugo minimal)"),
           ("megabytes", "MB written (ours / Hugo equal work / Hugo minimal)"),
           ("signal", f"save → reload signal (ms, median of {SAVES})"),
           ("served", f"save → edited page served (ms, median of {SAVES})")]
TEXT_COLUMNS = {"files", "megabytes", "signal", "served"}  # left-aligned: not one number


def table(rows: list[dict]) -> str:
    """The Markdown table; "–" where a row has no figure (no hugo, no preview timed at that size)."""
    header = "| " + " | ".join(title for _, title in COLUMNS) + " |\n"
    rule = "|" + "|".join("---" if key in TEXT_COLUMNS else "---:" for key, _ in COLUMNS) + "|\n"
    lines = ("| " + " | ".join(str(row.get(key, "–")) for key, _ in COLUMNS) + " |\n" for row in rows)
    return header + rule + "".join(lines)


class Guard(NamedTuple):
    what: str
    figure: float | None  # None: not measured in this run
    limit: float
    strict: bool  # the figure must be below the limit, not merely at most it
    unit: str  # "" for a ratio
    missing: str  # why the figure can be missing


def guards(figures: dict[int, dict]) -> list[Guard]:
    """The targets of the issue, at 4,000 events (and 100,000 for memory), for the sizes measured."""
    at_4000 = figures.get(4000)
    result = []
    if at_4000 is not None:
        equal = at_4000.get("equal")
        no_hugo = "hugo is not installed"
        for key, what, limit in (("cold", "cold build / Hugo (equal work)", 1.0),
                                 ("same", "cached, nothing changed / Hugo (equal work)", 0.25),
                                 ("one", "cached, one event changed / Hugo (equal work)", 0.75)):
            ratio = at_4000[key] / equal if equal else None
            result.append(Guard(what, ratio, limit, False, "", no_hugo))
        result.append(Guard("preview save → reload signal, median", at_4000.get("signal"), 150, True, " ms",
                            "4000 is not among --rebuild-sizes"))
    if 100000 in figures:
        result.append(Guard("peak RSS of the 100,000-event cold build", figures[100000].get("rss"), 1024, True,
                            " MiB", ""))
    return result


def verdict(guard: Guard) -> str:
    digits = 2 if guard.unit == "" else 0
    limit = f"{'<' if guard.strict else '≤'} {guard.limit}{guard.unit}"
    if guard.figure is None:
        return f"- {guard.what}: not measured ({guard.missing}); limit {limit}"
    met = guard.figure < guard.limit if guard.strict else guard.figure <= guard.limit
    return f"- {guard.what}: {guard.figure:.{digits}f}{guard.unit}; limit {limit}: {'met' if met else 'not met'}"


def verdicts(figures: dict[int, dict]) -> str:
    """The guards as a short block after the table: figures to read, not a test that fails."""
    lines = [verdict(guard) for guard in guards(figures)]
    if not lines:
        return ""
    heading = "Guards (at 4,000 events, memory at 100,000; medians, ratios to the equal-work Hugo site):"
    return f"\n{heading}\n\n" + "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,4000,20000,100000", help="numbers of events for full builds")
    parser.add_argument("--rebuild-sizes", default="100,4000", help="numbers of events for preview rebuilds")
    parser.add_argument("--runs", type=int, default=3, help="builds per size up to 4,000 events (the median is reported)")
    parser.add_argument("--big-runs", type=int, default=1, help="builds per size above 4,000 events")
    parser.add_argument("--output", default=str(HERE / "results.md"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rebuild_sizes = [int(s) for s in args.rebuild_sizes.split(",") if s]
    hugo_version = ""
    if shutil.which("hugo"):
        hugo_version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    rows = []
    figures: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as tmp:
        for n in sorted(set(sizes) | set(rebuild_sizes)):
            folder = Path(tmp) / f"n{n}"
            events = write_record(folder, n)
            row, figures[n] = {"events": n}, {}
            if n in sizes:
                runs = args.runs if n <= 4000 else args.big_runs
                cells, figures[n] = full_builds(events, folder, n, runs, bool(hugo_version))
                row.update(cells)
            if n in rebuild_sizes:
                times = rebuild_times(events)
                figures[n]["signal"] = statistics.median(s for s, _ in times)
                row.update(signal=median_ms([s for s, _ in times]), served=median_ms([p for _, p in times]))
            rows.append(row)
            print(", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    growth = ""
    if {20000, 100000} <= set(sizes):
        per_event = {n: figures[n]["cold"] / n for n in (20000, 100000)}
        growth = (f"\nTime per event at 100,000 / at 20,000: {per_event[100000] / per_event[20000]:.2f} "
                  "(1.0 is linear growth).\n")
    text = table(rows) + growth + verdicts({n: f for n, f in figures.items() if n in sizes})
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}" + (f", Hugo {hugo_version}" if hugo_version else "")
    Path(args.output).write_text(f"# Benchmark results\n\n{time.strftime('%Y-%m-%d')}, {machine}.\n\n{text}",
                                 encoding="utf-8")
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
