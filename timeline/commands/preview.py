"""What the preview shows: the last good site, the current problems, and
who is waiting for news of the next rebuild.

- A rebuild checks the record and plans the site; each page is made when
  first asked for, and kept while what it shows is unchanged.
- A failed rebuild keeps the last good pages served and shows its problems
  (the same lines as `--check`) in the terminal and to every open page.
"""
from __future__ import annotations

import dataclasses
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

from timeline.commands.check import check
from timeline.config import PROJECT, TEMPLATES
from timeline.errors import BuildError
from timeline.record.history import Version, read_history, version_of
from timeline.record.model import History
from timeline.record.repository import Repository, head_log, head_version, locate
from timeline.render.templates import compile_all, make_environment, template_problem
from timeline.site.fragments import FragmentCache
from timeline.site.jobs import Plan
from timeline.site.plan import plan_site
from timeline.speed.cache import BuildCache


class Head(NamedTuple):
    """What the preview keeps of the last commit until another is made: a
    save then costs one `git rev-parse`, not a read of the file's history."""
    state: str  # Repository.state() it was read at
    version: Version | None  # the file as committed
    history: History


class Prepared(NamedTuple):
    """A rebuild not yet shown (see Preview.prepare)."""
    jobs: Plan | None  # the site planned, or None when it has problems
    problems: list[str]
    milliseconds: float


class Preview:
    """The last good site, the current problems, and who is waiting for news.

    A rebuild checks the record and plans the site; it does not make the
    pages. Each page is made when it is first asked for and kept for as
    long as what it shows is unchanged, so a save costs about the same with
    ten events as with thousands, and the reload signal goes out as soon as
    the record is known to be good.
    """

    def __init__(self, events: Path, display: str):
        self.events = events
        self.display = display
        self.env = make_environment()
        self.cache = BuildCache(fragments=FragmentCache(keep_pages=True))
        self.head: Head | None = None
        self.jobs: Plan | None = None  # the last good site, planned
        self.problems: list[str] = []
        self.generation = 0  # bumped after every rebuild, good or bad
        self.changed = threading.Condition()
        self.stopping = False

    def watched_paths(self) -> list[Path]:
        roots = [self.events, TEMPLATES, PROJECT / "site_src", Path(__file__).parent / "livereload.js"]
        events_dir = self.events.resolve().parent
        if events_dir != PROJECT:
            roots.append(events_dir / "site_src")
        if commits := head_log(locate(self.events)):  # a commit changes the history and the marks
            roots.append(commits)
        return roots

    def rebuild(self) -> bool:
        return self.announce(self.prepare())

    def prepare(self) -> Prepared:
        """Check and plan the site, showing nothing yet: the watcher may drop it unseen."""
        started = time.perf_counter()
        try:
            repository = locate(self.events)
            head = self._head(repository)
            site, problems = check(self.events, self.display, self.cache, repository, head.version)
            jobs = None
            if site is not None:
                site = dataclasses.replace(site, history=head.history)
                compile_all(self.env)  # a template's syntax error shows now, not on a later request
                jobs = plan_site(site, self.env, self.cache.fragments, self.cache.markdown, preview=True)
            lines = [str(p) for p in problems]
            if site is not None:  # the terminal shows them; a page would only be in the way
                for hint in site.hints:
                    print(hint, file=sys.stderr)
        except Exception as error:  # a template mistake must not stop the server
            jobs, lines = None, _describe(error)
        return Prepared(jobs, lines, (time.perf_counter() - started) * 1000)

    def _head(self, repository: Repository) -> Head:
        if self.head is None or self.head.state != repository.state():
            raw = head_version(repository)
            self.head = Head(repository.state(), version_of(raw) if raw is not None else None,
                             read_history(repository, self.cache.history))
        return self.head

    def announce(self, prepared: Prepared) -> bool:
        """Serve a prepared site, or show its problems, and tell the open pages."""
        jobs, lines, elapsed = prepared
        with self.changed:
            if jobs is not None:
                self.jobs, self.problems = jobs, []
            else:
                self.problems = lines
            self.generation += 1
            self.changed.notify_all()
        if jobs is not None:
            print(f"Rebuilt in {elapsed:.0f} ms.", flush=True)
        else:
            self._report(lines)
        return jobs is not None

    def make(self, job) -> bytes | None:
        """The bytes of one planned file, or None after reporting why it
        cannot be made (a template's mistake shows in every open page)."""
        try:
            return job.make()
        except Exception as error:
            self.failed(error)
            return None

    def failed(self, error: Exception) -> None:
        """Show a problem met while serving (planning or making a page) like a build's."""
        lines = _describe(error)
        with self.changed:
            if self.problems != lines:
                self.problems = lines
                self.generation += 1
                self.changed.notify_all()
        self._report(lines)

    @staticmethod
    def _report(lines: list[str]) -> None:
        for line in lines:
            print(line, file=sys.stderr)
        print(f"{len(lines)} problem(s); still serving the last good build.", file=sys.stderr, flush=True)

    def stop(self):
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


def _describe(error: Exception) -> list[str]:
    """An error met while planning or making a page, in the words a build uses."""
    if isinstance(error, BuildError):
        return [str(problem) for problem in error.problems]
    problem = template_problem(error)
    return [str(problem)] if problem else [f"{type(error).__name__}: {error}"]
