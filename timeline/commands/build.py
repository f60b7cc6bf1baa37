"""The whole path from events file to published folder, as plain functions.

``check`` is load + validate; ``build`` adds render + write. The preview
server calls the same functions, so what it shows is what gets published.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import sys
from functools import partial
from pathlib import Path

from timeline.errors import Problem
from timeline.record.load import load, parsed_texts
from timeline.record.model import Site
from timeline.record.validate import validate


def with_base_url(site: Site, base_url: str) -> Site:
    """The site as published at `base_url` (e.g. from the host's settings)."""
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    return dataclasses.replace(site, info=dataclasses.replace(site.info, base_url=base_url))


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


def unchanged(events_path: Path, out: Path, base_url: str | None, cache_dir: Path) -> int | None:
    """The number of events when `out` already holds what a build would
    write, because nothing the build reads has changed since the last build
    with this cache (see stamp.py); None when a build has work to do."""
    from timeline.speed import stamp

    setting = stamp.setting_digest(events_path, out, base_url, stamp.code_version())
    last = stamp.read(cache_dir)
    return last.events if stamp.up_to_date(last, setting, events_path, out) else None


def build(events_path: Path, out: Path, display: str | None = None,
          base_url: str | None = None, cache_dir: Path | None = None) -> tuple[Site | None, list[Problem]]:
    """Check, render and publish into `out`; nothing is written on problems.

    `base_url`, when given, overrides [site] base_url (publishing workflows
    know the address only at build time). `cache_dir`, when given, holds
    the build cache: read before, written after a successful build."""
    try:
        return _build(events_path, out, display, base_url, cache_dir)
    finally:
        gc.unfreeze()  # what cache.read and _build froze, for a caller that goes on


def _build(events_path: Path, out: Path, display: str | None, base_url: str | None,
           cache_dir: Path | None) -> tuple[Site | None, list[Problem]]:
    from timeline.publish import write
    from timeline.render import markdown
    from timeline.site.pages import FragmentCache, Renderer, make_environment
    from timeline.speed import cache, stamp
    from timeline.speed.pool import Ahead

    fragments = FragmentCache()
    workers = min(2, _cores())
    previous = None
    survey = None
    if cache_dir is not None:
        setting = stamp.setting_digest(events_path, out, base_url, stamp.code_version())
        last = stamp.read(cache_dir)
        previous = last.manifest if last else None
        if previous and workers >= 2:
            # Which published files are still as written, looked at by a helper
            # process while this one reads the cache, checks and plans (0.1 s).
            survey = Ahead(partial(write.survey, out, previous))
    with survey or contextlib.nullcontext():
        if cache_dir is not None:
            cache.read(cache_dir, fragments)
        # What checking and planning make lives to the end of the build: the
        # collector, run again and again over it, found nothing and took 50 ms
        # of a cached build of 4,000 events. Frozen after, like the cache.
        paused = cache_dir is not None and gc.isenabled()
        if paused:
            gc.disable()
        try:
            remember = cache_dir is not None
            loaded, problems = load(events_path, display, remember, workers)
            if loaded is None:
                return None, problems
            # Markdown (a fifth of a cold build) starts in a helper while
            # this process checks the record; what it converts is cached by
            # text, so a summary the check rejects costs only its time.
            # Stripped, as the check keeps them (validate's Event).
            early = (t.strip() for t in parsed_texts(loaded.data, ("summary", "editor_note")))
            with markdown.Converting(early, workers) as converting:
                site, problems = validate(loaded, remember)
                del loaded  # the parsed tables, no longer needed: 95 MB at 20,000 events
                if site is None:
                    return None, problems
                if base_url:
                    site = with_base_url(site, base_url)
                refusal = unsafe_output(out, events_path, site)
                if refusal:
                    return None, [refusal]
                env = make_environment(cache.templates_folder(cache_dir) if cache_dir is not None else None,
                                       one_build=True)
                renderer = Renderer(site, env, cache=fragments)  # views show the Markdown only when rendered
                # Also the texts of pieces the check parsed only now (the cache had them as text).
                converting.finish(t for e in site.events for t in (e.summary, e.editor_note) if t)
            # The site, its views and its Markdown live to the end of the build.
            # Frozen, the collector no longer walks them, here or in the forked
            # processes that make the cards and the pages, where each full
            # collection took about 70 ms at 4,000 events; a walk writes to each
            # object, so a forked process also copied the memory they are in.
            gc.freeze()
            # Every page is made: the cards first, begun while the site is planned.
            with renderer.cards_ahead(workers) if previous is None else contextlib.nullcontext():
                jobs = renderer.plan()
                jobs.everything()
        finally:
            if paused:
                gc.freeze()
                gc.enable()
        manifest = write.publish(jobs, out, previous, workers, record=cache_dir is not None,
                                 surveyed=survey.result if survey else None)
    if cache_dir is not None:
        cache.write(cache_dir, fragments)
        # Changed while the build ran: the next build must not trust a stamp.
        if stamp.setting_digest(events_path, out, base_url, stamp.code_digest()) == setting:
            sources = sorted(site.sources.values(), key=lambda s: os.path.abspath(s.path))
            done = stamp.Stamp(
                stamp.code_version(), os.path.abspath(out),
                stamp.inputs_digest(setting, site.digest, ((os.path.abspath(s.path), s.text.encode("utf-8"))
                                                           for s in sources)),
                tuple(os.path.abspath(s.path) for s in sources), len(site.events), manifest)
            try:
                stamp.write(cache_dir, done)
            except OSError as error:  # the site is built; only the next build will be slower
                print(f"warning: could not save the build stamp in {cache_dir}: {error.strerror or error}",
                      file=sys.stderr)
    return site, []


def _cores() -> int:
    """Cores this process may use (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
