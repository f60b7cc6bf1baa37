#!/usr/bin/env python3
"""Benchmark: full builds and preview rebuilds on synthetic records.

    python benchmarks/run.py                       # default sizes
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from synth import write_record  # noqa: E402


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one command in a fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode()[:2000]}")
    return elapsed, usage.ru_maxrss


def timed_build(events: Path, out: Path, *flags: str) -> tuple[float, int]:
    return timed([sys.executable, str(ROOT / "build.py"), "--events", str(events), "--out", str(out), *flags])


def timed_hugo(events: Path, folder: Path) -> float:
    site = folder / "hugo-site"
    if not site.exists():
        subprocess.run([sys.executable, str(HERE / "hugo_site.py"), str(events), str(site)], check=True)
    return timed(["hugo", "--quiet", "-d", str(folder / "hugo-public")], cwd=site)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rebuild_times(events: Path, edits: int = 5) -> list[float]:
    """Milliseconds from saving a one-event edit to the server's reload signal."""
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
        text = events.read_text(encoding="utf-8")
        results = []
        for i in range(edits):
            time.sleep(0.3)
            text = re.sub(r'title = "Synthetic event 0:[^"]*"', f'title = "Synthetic event 0: edit {i}"', text, count=1)
            buffer = b""
            start = time.perf_counter()
            events.write_text(text, encoding="utf-8")
            while b"event: reload" not in buffer:
                chunk = stream.recv(4096)
                if not chunk:
                    raise SystemExit("event stream closed")
                buffer += chunk
            results.append((time.perf_counter() - start) * 1000)
        stream.close()
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,4000", help="numbers of events for full builds")
    parser.add_argument("--rebuild-sizes", default="100,4000", help="numbers of events for preview rebuilds")
    parser.add_argument("--runs", type=int, default=3, help="full builds per size (the median is reported)")
    parser.add_argument("--output", default=str(HERE / "results.md"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rebuild_sizes = [int(s) for s in args.rebuild_sizes.split(",") if s]
    rows = []
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as tmp:
        for n in sorted(set(sizes) | set(rebuild_sizes)):
            folder = Path(tmp) / f"n{n}"
            events = write_record(folder, n)
            build_s = rss = rebuild = cached = hugo = ratio = warm_ratio = rate = ""
            if n in sizes:
                runs = [timed_build(events, folder / "public", "--no-cache") for _ in range(args.runs)]
                median = statistics.median(t for t, _ in runs)
                build_s = f"{median:.2f}"
                rss = f"{max(r for _, r in runs) / 1024:.0f}"
                rate = f"{n / median:.0f}"
                timed_build(events, folder / "public")  # fills the cache
                warm = statistics.median(timed_build(events, folder / "public")[0] for _ in range(args.runs))
                cached = f"{warm:.2f}"
                if shutil.which("hugo"):
                    hugo_s = statistics.median(timed_hugo(events, folder) for _ in range(args.runs))
                    hugo, ratio, warm_ratio = f"{hugo_s:.2f}", f"{median / hugo_s:.2f}", f"{warm / hugo_s:.2f}"
            if n in rebuild_sizes:
                times = rebuild_times(events)
                rebuild = f"{statistics.median(times):.0f} (min {min(times):.0f}, max {max(times):.0f})"
            row = (n, build_s, rate, rss, cached, hugo, ratio, warm_ratio, rebuild)
            rows.append(row)
            print("N={}: cold {} s, {} events/s, peak {} MiB, cached {} s, hugo {} s, "
                  "ratio {} (cached {}), rebuild {} ms".format(*(v or "-" for v in row)), flush=True)
    header = ("| events | cold build (s) | events/s | peak RSS (MiB) | cached build (s) | Hugo (s) "
              "| cold / Hugo | cached / Hugo | save → reload signal (ms, median of 5) |\n"
              "|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
    table = header + "".join("| " + " | ".join(str(v) if v != "" else "–" for v in row) + " |\n" for row in rows)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    report = f"# Benchmark results\n\n{time.strftime('%Y-%m-%d')}, {machine}.\n\n{table}"
    Path(args.output).write_text(report, encoding="utf-8")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
