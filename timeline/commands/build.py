"""`python build.py`: the events file to the published folder, step by step.

load → validate (both in commands.check; the history of each event is
read from git beside them) → plan → render → publish, then remember what
the next build can reuse. The preview runs the same steps
(commands.preview), so what it shows is what gets published.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from timeline.commands.check import check
from timeline.errors import BuildError, Problem
from timeline.publish import publish
from timeline.record.history import read_history
from timeline.record.model import Site
from timeline.record.repository import locate
from timeline.render.templates import compile_all, make_environment
from timeline.site.jobs import Plan
from timeline.site.plan import plan_site
from timeline.speed import stamp
from timeline.speed.cache import BuildCache
from timeline.speed.collector import collector_paused
from timeline.speed.pool import cores


def with_options(site: Site, base_url: str | None, commit_url: str | None) -> Site:
    """The site as published at `base_url`, its commits at `commit_url`
    (publishing workflows know both only at build time)."""
    info = site.info
    if base_url:
        info = dataclasses.replace(info, base_url=base_url if base_url.endswith("/") else base_url + "/")
    if commit_url:
        info = dataclasses.replace(info, commit_url=commit_url)
    return dataclasses.replace(site, info=info)


def unsafe_output(out: Path, events_path: Path, site: Site) -> Problem | None:
    """A build replaces its output folder whole: never let that be a folder
    holding the project, the events file or an archived source."""
    target = Path(os.path.realpath(out))
    precious = [Path(os.path.realpath(events_path)), *(Path(os.path.realpath(s.path)) for s in site.sources.values())]
    for path in precious:
        if path == target or target in path.parents:
            return Problem(str(out), None, f"refusing to build into this folder: a build replaces it whole, "
                                           f"and it holds {path.name}; choose another --out")
    return None


def default_cache_dir(events_path: Path) -> Path:
    # abspath, not resolve: a broken events path is for load() to report.
    return Path(os.path.abspath(events_path)).parent / ".cache"


def unchanged(events_path: Path, out: Path, base_url: str | None, cache_dir: Path,
              commit_url: str | None = None) -> int | None:
    """The number of events when `out` already holds what a build would
    write, because nothing the build reads has changed since the last build
    with this cache (see stamp.py); None when a build has work to do."""
    setting = stamp.setting_digest(events_path, out, base_url, stamp.code_version(), commit_url)
    last = stamp.read(cache_dir)
    return last.events if stamp.up_to_date(last, setting, events_path, out) else None


def build(events_path: Path, out: Path, display: str | None = None, base_url: str | None = None,
          cache_dir: Path | None = None, commit_url: str | None = None) -> tuple[Site | None, list[Problem]]:
    """Check, plan, render and publish into `out`; nothing is written on problems.

    `base_url` and `commit_url`, when given, override [site]'s. `cache_dir`,
    when given, holds the build cache: read before, written after a
    successful build."""
    with collector_paused():
        cache = BuildCache.read(cache_dir) if cache_dir is not None else None
        inputs = stamp.setting_digest(events_path, out, base_url, stamp.code_version(), commit_url) if cache else ""
        repository = locate(events_path)
        site, problems = check(events_path, display, cache, repository)  # load, validate
        if site is None:
            return None, problems
        site = with_options(site, base_url, commit_url)
        site = dataclasses.replace(site, history=read_history(repository, cache.history if cache else None))
        if refusal := unsafe_output(out, events_path, site):
            return None, [refusal]
        try:
            plan = _plan(site, cache)
            previous = stamp.last_manifest(cache_dir) if cache else None
            # Each file is rendered as it is written, by two processes on two cores.
            manifest = publish(plan.everything(), out, previous, min(2, cores()), record=cache is not None)
        except BuildError as error:  # a template's mistake, at its file and line
            return None, error.problems
    if cache:  # remember
        cache.write(cache_dir)
        stamp.remember(cache_dir, inputs, site, events_path, out, base_url, manifest, commit_url)
    return site, []


def _plan(site: Site, cache: BuildCache | None) -> Plan:
    """Every file of the site, with the templates compiled (a syntax error shows before any page is made)."""
    env = make_environment()
    compile_all(env)
    return plan_site(site, env, cache.fragments, cache.markdown) if cache else plan_site(site, env)
