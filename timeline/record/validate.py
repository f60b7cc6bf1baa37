"""Every rule of the events file, checked in one pass; the model comes out.

All problems are collected (never just the first), each with the file, the
line of the offending key (or of its table) and the event or source it
belongs to, so ``--check`` can list them all at once.

| what | where |
| --- | --- |
| the problem collector and the checks every table shares | :mod:`timeline.record.checking` |
| the rules, one module per part of the file | :mod:`timeline.record.rules` |
| what one check reuses from the last (:class:`CheckMemo`) | :mod:`timeline.record.reuse` |
"""
from __future__ import annotations

from timeline.errors import Problem
from timeline.record.checking import ID_PATTERN, ProblemCollector, unsafe_character
from timeline.record.history import Version, changed_since
from timeline.record.load import Loaded
from timeline.record.model import Site
from timeline.record.reuse import CheckMemo, Reuse, sources_key
from timeline.record.rules.citations import CITATION_KEYS, DIFFERENCE_KEYS, VERSION_KEYS
from timeline.record.rules.corrections import CORRECTION_KEYS, check_since_commit
from timeline.record.rules.events import EVENT_KEYS, check_events
from timeline.record.rules.site import SITE_KEYS, check_site
from timeline.record.rules.sources import SOURCE_KEYS, check_sources

TOP_KEYS = ("site", "sources", "events")

# Imported from here by the commands, the build cache and the tests.
__all__ = [
    "validate", "CheckMemo", "ID_PATTERN", "unsafe_character", "TOP_KEYS", "SITE_KEYS", "SOURCE_KEYS",
    "EVENT_KEYS", "CITATION_KEYS", "DIFFERENCE_KEYS", "VERSION_KEYS", "CORRECTION_KEYS",
]


def validate(loaded: Loaded, memo: CheckMemo | None = None,
             committed: Version | None = None) -> tuple[Site | None, list[Problem]]:
    """Check everything; return the site model only when nothing is wrong.

    With a `memo`, unchanged events and sources are taken from the last
    check and this one's are kept for the next; without, nothing is kept
    (a one-off build). `committed`, the file's last committed version when
    the file differs from it, tells which events changed since."""
    check = ProblemCollector(loaded)
    reuse = Reuse(memo or CheckMemo(), remember=memo is not None)
    root = loaded.path.resolve().parent
    data = loaded.data
    check.unknown_keys(data, TOP_KEYS, (), "", "the events file")
    info = check_site(check, data)
    sources = check_sources(check, data, root, reuse)
    every_sentence = bool(info and info.cite_every_sentence)
    reuse.sources_key = sources_key(sources.usable, every_sentence)
    events = check_events(check, data, sources, reuse, every_sentence)
    reuse.finish()
    uncommitted = frozenset()
    if committed is not None and events and isinstance(data.get("events"), list):
        uncommitted = check_since_commit(check, changed_since(committed, data["events"]))
    problems = sorted(check.problems, key=lambda p: (p.line or 0))
    if problems or info is None:
        return None, problems
    ordered = sorted(events, key=lambda e: e.date.sort_key())  # stable: ties keep file order
    hints = tuple(sorted(check.hints, key=lambda p: p.line or 0))
    site = Site(info, {k: s for k, (s, _) in sources.usable.items()}, tuple(ordered), root, loaded.digest, hints,
                uncommitted=uncommitted)
    return site, []
