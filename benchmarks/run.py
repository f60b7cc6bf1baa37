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

With --history-size N (`make bench` gives 4,000), where `git` is
installed, the events' history from git: a throwaway repository holding a
synthetic record of N events with --history-commits commits (200), each
of the later ones changing 1 to 5 events; the builds with history against
the same files without `.git`, a new commit against an uncommitted edit,
and the guards with history present.
"""
from __future__ import annotations

import argparse
import os
import random
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
from synth import WORDS, write_record  # noqa: E402


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


# The events' history from git: a throwaway repository of a synthetic record.

HISTORY_START = 1767225600  # 2026-01-01T00:00:00Z: the repository's commit k is dated k hours later
GIT_ENVIRONMENT = {"GIT_AUTHOR_NAME": "Benchmark", "GIT_AUTHOR_EMAIL": "benchmark@example.org",
                   "GIT_COMMITTER_NAME": "Benchmark", "GIT_COMMITTER_EMAIL": "benchmark@example.org",
                   "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}  # no one's settings, no signing
GIT_OPTIONS = ("-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "gc.auto=0")
HISTORY_NAME = "history-cache.pickle"  # the build cache's file of what each pair of versions gave (speed/cache.py)
PREVIEW_ROUNDS = 2  # preview servers per record, in turns with the record without .git


def event_span(text: str, event_id: str) -> tuple[int, int]:
    """Where event `event_id`'s table is in `text`: from its header to the next event's."""
    start = text.index(f'[[events]]\nid = "{event_id}"\n')
    end = text.find("\n[[events]]\n", start)
    return start, len(text) if end < 0 else end + 1


def retitled(block: str, label: str) -> str:
    """The title changed, keeping "Synthetic event N: " (the preview's edits look for it)."""
    return re.sub(r'\ntitle = "(Synthetic event \d+: )[^"]*"', lambda m: f'\ntitle = "{m[1]}{label}"', block, count=1)


def reworded(block: str, rng: random.Random) -> str:
    """One word of the summary replaced by another of the synthetic words: every sentence keeps its note."""
    head, summary, tail = re.split(r'(?s)(?<=\nsummary = """\n)(.*?)(?=\n""")', block, maxsplit=1)
    words = list(re.finditer(r"\b(?:" + "|".join(WORDS) + r")\b", summary))
    found = rng.choice(words)
    other = rng.choice([w for w in WORDS if w != found[0]])
    return head + summary[:found.start()] + other + summary[found.end():] + tail


def some_date(rng: random.Random) -> str:
    """A date in one of the forms the synthetic record writes (synth.py)."""
    year, month, day = rng.randint(2000, 2024), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice((f'"{year}"', f'"{year}-{month:02d}"', f"{year}-{month:02d}-{day:02d}",
                       f"{year}-{month:02d}-{day:02d}T{rng.randrange(24):02d}:00:00+03:00", f'"{year}-{month:02d}~"',
                       f'"{year}-{rng.randint(21, 23)}"', f'"{year}-{month:02d}-{day:02d}?"',
                       f'"{year}-{month:02d}/{year + 1}-{month:02d}"'))


def redated(block: str, rng: random.Random) -> str:
    old = re.search(r"\ndate = ([^\n]*)", block)
    new = some_date(rng)
    while new == old[1]:
        new = some_date(rng)
    return block[:old.start(1)] + new + block[old.end(1):]


class HistoryRepository:
    """A git repository in `folder` holding a synthetic record of `n` events
    and its sources, committed to with fixed names and dates: the same
    commits, hash for hash, on every run."""

    def __init__(self, folder: Path, n: int, seed: int = 1):
        self.folder, self.n = folder, n
        self.events = write_record(folder, n)
        self.text = self.events.read_text(encoding="utf-8")
        self.rng = random.Random(seed)
        self.ids = [f"event-{i:06d}" for i in range(n)]
        self.commits = 0
        self.git("init", "-q")
        self.git("add", "-A")
        self.commit(f"A synthetic record of {n} events")

    def git(self, *args: str) -> None:
        subprocess.run(["git", *GIT_OPTIONS, *args], cwd=self.folder, env={**os.environ, **GIT_ENVIRONMENT},
                       check=True, stdout=subprocess.DEVNULL)

    def commit(self, message: str) -> None:
        date = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(HISTORY_START + 3600 * self.commits))
        subprocess.run(["git", *GIT_OPTIONS, "commit", "-q", "-a", "-m", message], cwd=self.folder, check=True,
                       env={**os.environ, **GIT_ENVIRONMENT, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
                       stdout=subprocess.DEVNULL)
        self.commits += 1

    def change(self, event_id: str, how: str) -> None:
        """Edit one event in the file: its title, a word of its summary or its date."""
        start, end = event_span(self.text, event_id)
        block = self.text[start:end]
        if how == "title":
            block = retitled(block, f"revised in edit {self.commits}")
        elif how == "summary":
            block = reworded(block, self.rng)
        else:
            block = redated(block, self.rng)
        self.text = self.text[:start] + block + self.text[end:]

    def add(self) -> None:
        """A new event at the end of the file: a copy of one of the first `n` with an id and title of its own."""
        number = len(self.ids)
        start, end = event_span(self.text, self.rng.choice(self.ids[:self.n]))
        block = re.sub(r'\nid = "[^"]*"', f'\nid = "event-{number:06d}"', self.text[start:end], count=1)
        block = re.sub(r'\ntitle = "[^"]*"', f'\ntitle = "Synthetic event {number}: added"', block, count=1)
        self.text = self.text.rstrip("\n") + "\n\n" + block.rstrip("\n") + "\n"
        self.ids.append(f"event-{number:06d}")

    def edit(self) -> str:
        """Change 1 to 5 events, one of them now and then a new one; the commit message."""
        changes = self.rng.randint(1, 5)
        adding = self.rng.random() < 0.1
        for event_id in self.rng.sample(self.ids, changes - adding):
            self.change(event_id, self.rng.choice(("title", "title", "summary", "summary", "date")))
        if adding:
            self.add()
        self.events.write_text(self.text, encoding="utf-8")
        return f"Edit {self.commits}: {changes} event{'s' if changes > 1 else ''}" + (", one new" if adding else "")

    def edit_one(self) -> None:
        """Change the title of one event: the benchmark's one-event edit."""
        self.change(self.rng.choice(self.ids), "title")
        self.events.write_text(self.text, encoding="utf-8")


def check_record(events: Path) -> None:
    found = subprocess.run([sys.executable, str(ROOT / "build.py"), "--check", "--events", str(events)],
                           check=False, capture_output=True, text=True)
    if found.returncode != 0:
        raise SystemExit(f"the committed record does not pass --check:\n{found.stdout[-2000:]}{found.stderr[-2000:]}")


def in_git(folder: Path) -> bool:
    found = subprocess.run(["git", "-C", str(folder), "rev-parse", "--git-dir"], check=False, capture_output=True)
    return found.returncode == 0


def cached_history_builds(repository: HistoryRepository, plain: Path, folder: Path, runs: int) -> dict[str, list[Run]]:
    """Builds with the cache of the last, of the repository's record and of
    `plain`, a copy of it without .git: with nothing changed; then in turns,
    the order reversed every other round, one event changed and committed,
    the same with the history cache deleted first, one event changed and not
    committed, and one event changed in the copy. Each build in the
    repository starts from a clean copy of HEAD built with the cache."""
    cache = folder / "cache"
    records = {"history": (repository.events, folder / "public", cache),
               "plain": (plain, folder / "public-plain", folder / "cache-plain")}

    def build(who: str) -> Run:
        events, out, cache_dir = records[who]
        return timed_build(events, out, "--cache-dir", str(cache_dir))

    for who in records:  # fill the caches
        build(who)
    results: dict[str, list[Run]] = {"same": [build("history") for _ in range(runs)],
                                     "plain_same": [build("plain") for _ in range(runs)],
                                     "commit": [], "commit_no_memo": [], "uncommitted": [], "plain_one": []}
    plain_text = plain.read_text(encoding="utf-8")
    order = ["commit", "commit_no_memo", "uncommitted", "plain_one"]
    for i in range(runs):
        for how in order if i % 2 == 0 else reversed(order):
            if how == "plain_one":
                start, end = event_span(plain_text, repository.rng.choice(repository.ids[:repository.n]))
                plain_text = plain_text[:start] + retitled(plain_text[start:end], f"bench {i}") + plain_text[end:]
                plain.write_text(plain_text, encoding="utf-8")
                results[how].append(build("plain"))
                continue
            if how == "commit_no_memo":
                (cache / HISTORY_NAME).unlink()
            repository.edit_one()
            if how == "uncommitted":
                results[how].append(build("history"))
                repository.commit(f"Edit {repository.commits}: one event")
                build("history")  # back to a clean copy of HEAD, built
            else:
                repository.commit(f"Edit {repository.commits}: one event")
                results[how].append(build("history"))
            if not (cache / HISTORY_NAME).exists():
                raise SystemExit(f"no {HISTORY_NAME} in the cache folder after a build")
    return results


def cpu_seconds(runs: list[Run]) -> float:
    """Median CPU seconds of `runs`, user and system together."""
    return statistics.median(r.user + r.system for r in runs)


def pair_ratio(a: list[Run], b: list[Run]) -> str:
    """Median of `a` / median of `b`, with the smallest and largest ratio of the runs taken in the same round."""
    pairs = [x.seconds / y.seconds for x, y in zip(a, b)]
    return f"{median_seconds(a) / median_seconds(b):.2f} (pairs {min(pairs):.2f} to {max(pairs):.2f})"


HISTORY_ROWS = [("history", "cold, with history (`--no-cache`)"),
                ("plain", "cold, the same files without `.git` (`--no-cache`)"),
                ("equal", "Hugo, equal work, cold"),
                ("same", "cached, nothing changed"),
                ("plain_same", "cached, nothing changed, without `.git`"),
                ("uncommitted", "cached, one event changed, not committed"),
                ("plain_one", "cached, one event changed, without `.git`"),
                ("commit", "cached, one event changed and committed (a new commit)"),
                ("commit_no_memo", f"the same, {HISTORY_NAME} deleted first")]


def history_builds(folder: Path, n: int, commits: int, runs: int, hugo: bool) -> tuple[str, dict]:
    """The history section: its table of builds and ratios, and the figures its guards judge."""
    started = time.perf_counter()
    repository = HistoryRepository(folder / "repo", n)
    while repository.commits < commits:
        repository.commit(repository.edit())
    repository.git("gc", "-q")  # packed, as in a clone; the commits made below stay loose, as made locally
    made, made_commits = time.perf_counter() - started, repository.commits
    check_record(repository.events)  # the last version; every edit keeps the record valid
    plain = folder / "plain"
    shutil.copytree(repository.folder, plain, ignore=shutil.ignore_patterns(".git"))
    if in_git(plain):
        raise SystemExit(f"{plain} is inside a git repository: the copy without .git would have history")
    print(f"history: {n} events, {made_commits} commits, made in {made:.0f} s", flush=True)

    records = {"history": repository.events, "plain": plain / "events.toml"}
    sites = {"equal": hugo_site(repository.events, folder, "equal")} if hugo else {}
    order = [*records, *sites]
    results: dict[str, list[Run]] = {who: [] for who in order}
    for i in range(runs):
        for who in order if i % 2 == 0 else reversed(order):
            out = cold_folder(folder, who, i)
            run = timed_build(records[who], out, "--no-cache") if who in records else timed_hugo(sites[who], out)
            results[who].append(run)
    for output in folder.glob("cold-*"):
        shutil.rmtree(output)
    results.update(cached_history_builds(repository, records["plain"], folder, runs))
    for output in ("public", "public-plain"):
        shutil.rmtree(folder / output)
    times: dict[str, list[tuple[float, float]]] = {who: [] for who in records}
    for i in range(PREVIEW_ROUNDS):  # the preview's saves are not committed
        for who in records if i % 2 == 0 else reversed(records):
            times[who] += rebuild_times(records[who])
    signal = [s for s, _ in times["history"]]

    cold = median_seconds(results["history"])
    lines = [(f"| build, {n:,} events, {made_commits} commits | median (s) | runs (s) | ÷ cold with history "
              "| peak RSS (MiB) | CPU (s, user + system) |\n"), "|---|---:|---|---:|---:|---:|\n"]
    for key, title in HISTORY_ROWS:
        if key in results:
            taken = results[key]
            each = ", ".join(f"{r.seconds:.2f}" for r in taken)
            lines.append(f"| {title} | {median_seconds(taken):.2f} | {each} | {median_seconds(taken) / cold:.2f} "
                         f"| {peak_mib(taken):.0f} | {cpu(taken)} |\n")
    lines.append("\n")
    for what, a, b in (("cold: with history / without `.git`", "history", "plain"),
                       ("cached, one event changed: not committed / without `.git`", "uncommitted", "plain_one"),
                       ("a new commit / an uncommitted edit", "commit", "uncommitted"),
                       (f"a new commit: {HISTORY_NAME} deleted / kept", "commit_no_memo", "commit")):
        lines.append(f"- {what}: {pair_ratio(results[a], results[b])}; "
                     f"CPU {cpu_seconds(results[a]) / cpu_seconds(results[b]):.2f}\n")
    saves = SAVES * PREVIEW_ROUNDS
    for what, k in (("save → reload signal", 0), ("save → edited page served", 1)):
        lines.append(f"- {what} (ms, median of {saves}): with history {median_ms([t[k] for t in times['history']])}; "
                     f"without `.git` {median_ms([t[k] for t in times['plain']])}\n")
    text = (f"\n## History from git\n\n{n:,} events, {made_commits} commits before the builds (each build after "
            f"a new commit adds one), medians of {runs}; the preview's figures are medians of {saves} saves, not "
            f"committed, {SAVES} a server, the two records in turns.\n\n" + "".join(lines))
    figures = {"events": n, "cold": cold, "same": median_seconds(results["same"]),
               "one": median_seconds(results["uncommitted"]),
               "commit": median_seconds(results["commit"]), "signal": statistics.median(signal),
               "plain": {"cold": median_seconds(results["plain"]), "same": median_seconds(results["plain_same"]),
                         "one": median_seconds(results["plain_one"]),
                         "signal": statistics.median(s for s, _ in times["plain"])}}
    if "equal" in results:
        figures["equal"] = median_seconds(results["equal"])
    return text, figures


def history_guards(figures: dict) -> str:
    """The engine issue's guards with history present, at the history's size,
    with the same figures for the copy without .git."""
    equal = figures.get("equal")
    plain = figures["plain"]
    lines = []
    for key, what, limit in (("cold", "cold build / Hugo (equal work)", 1.0),
                             ("same", "cached, nothing changed / Hugo (equal work)", 0.25),
                             ("one", "cached, one event changed / Hugo (equal work)", 0.75),
                             ("commit", "cached, one event changed in a new commit / Hugo (equal work)", 0.75)):
        line = verdict(Guard(what, figures[key] / equal if equal else None, limit, False, "", "hugo is not installed"))
        if equal and key in plain:
            line += f" (without `.git`: {plain[key] / equal:.2f})"
        lines.append(line)
    lines.append(verdict(Guard("preview save → reload signal, median", figures["signal"], 150, True, " ms", ""))
                 + f" (without `.git`: {plain['signal']:.0f} ms)")
    heading = (f"Guards with history, at {figures['events']:,} events (medians, ratios to the equal-work Hugo site "
               "of the same record):")
    return f"\n{heading}\n\n" + "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,4000,20000,100000", help="numbers of events for full builds")
    parser.add_argument("--rebuild-sizes", default="100,4000", help="numbers of events for preview rebuilds")
    parser.add_argument("--runs", type=int, default=3, help="builds per size up to 4,000 events (the median is reported)")
    parser.add_argument("--big-runs", type=int, default=1, help="builds per size above 4,000 events")
    parser.add_argument("--history-size", type=int, default=0,
                        help="events in the record with history from git (0: no history measured)")
    parser.add_argument("--history-commits", type=int, default=200, help="commits of that record")
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
        history = ""
        if args.history_size and not shutil.which("git"):
            history = "\nHistory from git: not measured (git is not installed).\n"
        elif args.history_size:
            folder = Path(tmp) / "history"
            history, history_figures = history_builds(folder, args.history_size, args.history_commits, args.runs,
                                                      bool(hugo_version))
            history += history_guards(history_figures)
            shutil.rmtree(folder, ignore_errors=True)
    growth = ""
    if {20000, 100000} <= set(sizes):
        per_event = {n: figures[n]["cold"] / n for n in (20000, 100000)}
        growth = (f"\nTime per event at 100,000 / at 20,000: {per_event[100000] / per_event[20000]:.2f} "
                  "(1.0 is linear growth).\n")
    text = (table(rows) if rows else "") + growth + verdicts({n: f for n, f in figures.items() if n in sizes}) + history
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}" + (f", Hugo {hugo_version}" if hugo_version else "")
    Path(args.output).write_text(f"# Benchmark results\n\n{time.strftime('%Y-%m-%d')}, {machine}.\n\n{text}",
                                 encoding="utf-8")
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
