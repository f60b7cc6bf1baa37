#!/usr/bin/env python3
"""Benchmark: full builds and preview rebuilds on synthetic records.

    python benchmarks/run.py                       # every size, 100 to 100,000 events
    python benchmarks/run.py --sizes 100,4000 --runs 3

Prints one table and writes it to benchmarks/results.md. Figures depend on
the machine; compare rows of one run, not runs on different days.
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


def hugo_site(events: Path, folder: Path) -> Path:
    """The equivalent Hugo site of `events` (see hugo_site.py), made once."""
    site = folder / "hugo-site"
    if not site.exists():
        subprocess.run([sys.executable, str(HERE / "hugo_site.py"), str(events), str(site), "--kind", "minimal"],
                       check=True)
    return site


def timed_hugo(site: Path, out: Path) -> Run:
    return timed(["hugo", "--quiet", "-d", str(out)], cwd=site)


def cold_and_hugo(events: Path, folder: Path, runs: int, hugo: bool) -> tuple[list[Run], list[Run]]:
    """Cold builds and Hugo builds, taken in turns (ours first, then Hugo
    first): this machine's speed drifts within minutes, and the ratio of
    two series run one after the other measured the drift as much as the
    builds."""
    site = hugo_site(events, folder) if hugo else None
    cold: list[Run] = []
    hugos: list[Run] = []
    for i in range(runs):
        # As from a clean checkout: no cache and no earlier output. Each run
        # gets a folder of its own; replacing an earlier site would add the
        # deletion of its 10,000 files (about 1 s at 4,000 events here),
        # and deleting it just before a run slows the run that follows.
        for who in ("ours", "hugo") if i % 2 == 0 else ("hugo", "ours"):
            if who == "ours":
                cold.append(timed_build(events, folder / f"cold-{i}", "--no-cache"))
            elif site is not None:
                hugos.append(timed_hugo(site, folder / f"hugo-public-{i}"))
    return cold, hugos


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
    per_event = {}
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as tmp:
        for n in sorted(set(sizes) | set(rebuild_sizes)):
            folder = Path(tmp) / f"n{n}"
            events = write_record(folder, n)
            row = {"events": n}
            if n in sizes:
                runs = args.runs if n <= 4000 else args.big_runs
                cold, hugos = cold_and_hugo(events, folder, runs, bool(hugo_version))
                median = statistics.median(r.seconds for r in cold)
                per_event[n] = median / n
                row.update(cold=f"{median:.2f}", rate=f"{n / median:.0f}", rss=f"{max(r.rss for r in cold) / 1024:.0f}",
                           cpu=cpu(cold))
                timed_build(events, folder / "public")  # fills the cache
                same = statistics.median(timed_build(events, folder / "public").seconds for _ in range(runs))
                text = events.read_text(encoding="utf-8")
                one = []
                for i in range(runs):  # one event edited before each build
                    events.write_text(edit_event_zero(text, f"bench {i}"), encoding="utf-8")
                    one.append(timed_build(events, folder / "public"))
                events.write_text(text, encoding="utf-8")
                one_median = statistics.median(r.seconds for r in one)
                row.update(same=f"{same:.2f}", one=f"{one_median:.2f}", one_rss=f"{max(r.rss for r in one) / 1024:.0f}")
                if hugos:
                    hugo = statistics.median(r.seconds for r in hugos)
                    row.update(hugo=f"{hugo:.2f}", hugo_cpu=cpu(hugos), cold_ratio=f"{median / hugo:.2f}",
                               same_ratio=f"{same / hugo:.2f}", one_ratio=f"{one_median / hugo:.2f}")
                for output in [folder / "public", *folder.glob("cold-*"), *folder.glob("hugo-public-*")]:
                    shutil.rmtree(output, ignore_errors=True)
            if n in rebuild_sizes:
                times = rebuild_times(events)
                row.update(signal=median_ms([s for s, _ in times]), served=median_ms([p for _, p in times]))
            rows.append(row)
            print(", ".join(f"{k} {v}" for k, v in row.items()), flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    columns = [("events", "events", "---:"), ("cold", "cold build (s)", "---:"), ("rate", "events/s", "---:"),
               ("rss", "peak RSS, cold (MiB)", "---:"), ("cpu", "CPU, cold (s, user + system)", "---:"),
               ("same", "cached, nothing changed (s)", "---:"),
               ("one", "cached, one event changed (s)", "---:"),
               ("one_rss", "peak RSS, one changed (MiB)", "---:"), ("hugo", "Hugo (s)", "---:"),
               ("hugo_cpu", "CPU, Hugo (s, user + system)", "---:"),
               ("cold_ratio", "cold / Hugo", "---:"), ("same_ratio", "nothing changed / Hugo", "---:"),
               ("one_ratio", "one changed / Hugo", "---:"),
               ("signal", f"save → reload signal (ms, median of {SAVES})", "---"),
               ("served", f"save → edited page served (ms, median of {SAVES})", "---")]
    table = ("| " + " | ".join(title for _, title, _ in columns) + " |\n"
             + "|" + "|".join(align for _, _, align in columns) + "|\n"
             + "".join("| " + " | ".join(str(row.get(key, "–")) for key, _, _ in columns) + " |\n" for row in rows))
    growth = ""
    if 20000 in per_event and 100000 in per_event:
        growth = (f"\nTime per event at 100,000 / at 20,000: {per_event[100000] / per_event[20000]:.2f} "
                  "(1.0 is linear growth).\n")
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}" + (f", Hugo {hugo_version}" if hugo_version else "")
    report = f"# Benchmark results\n\n{time.strftime('%Y-%m-%d')}, {machine}.\n\n{table}{growth}"
    Path(args.output).write_text(report, encoding="utf-8")
    print()
    print(table + growth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
