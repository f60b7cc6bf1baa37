"""The rules of an event's ``[[events.citations]]`` and ``[[events.differences]]``.

Every citation names a declared source and quotes it verbatim, forgiving
only what :mod:`timeline.record.quotes` forgives (runs of whitespace and the
typographic variants of quotes, apostrophes and dashes); a difference sets
two or more accounts side by side, each a claim with its citation.
"""
from __future__ import annotations

from timeline.record.checking import ProblemCollector, describe, suggest
from timeline.record.model import Citation, Difference, Version
from timeline.record.quotes import NormalisedText
from timeline.record.rules.claims import check_no_markers
from timeline.record.rules.sources import CheckedSources

CITATION_KEYS = ("source", "quote")
DIFFERENCE_KEYS = ("about", "note", "versions")
VERSION_KEYS = ("claim", "source", "quote")

MAX_QUOTE_HINT = 2000  # longer quotes are not echoed whole nor compared for a hint


def check_citations(check: ProblemCollector, table: dict, path: tuple, subject: str,
                    sources: CheckedSources) -> tuple[Citation, ...] | None:
    raw = table.get("citations")
    if raw is None:
        check.problem(path, "no citations: add at least one [[events.citations]] with source and quote", subject)
        return None
    if not isinstance(raw, list) or not raw:
        check.problem(path + ("citations",), "'citations' must hold at least one [[events.citations]] table", subject)
        return None
    found = [_citation(check, c, path + ("citations", i), subject, sources) for i, c in enumerate(raw)]
    if None in found:
        return ()  # problems were reported; keep checking the rest of the event
    return tuple(found)


def check_differences(check: ProblemCollector, table: dict, path: tuple, subject: str,
                      sources: CheckedSources) -> tuple[Difference, ...]:
    raw = table.get("differences", [])
    if not isinstance(raw, list) or not all(isinstance(d, dict) for d in raw):
        check.problem(path + ("differences",), "'differences' must be [[events.differences]] tables", subject)
        return ()
    result = []
    for i, diff in enumerate(raw):
        dpath = path + ("differences", i)
        check.unknown_keys(diff, DIFFERENCE_KEYS, dpath, subject, "a difference")
        about = check.get(diff, "about", str, dpath, subject, required=True)
        check_no_markers(check, diff, dpath, subject, ("about", "note"))
        note = check.get(diff, "note", str, dpath, subject, default="")
        versions_raw = diff.get("versions")
        if not isinstance(versions_raw, list) or len(versions_raw) < 2:
            check.problem(dpath, "a difference needs at least two [[events.differences.versions]], one per account",
                          subject)
            continue
        versions = []
        for j, raw_version in enumerate(versions_raw):
            vpath = dpath + ("versions", j)
            citation = _citation(check, raw_version, vpath, subject, sources, allowed=VERSION_KEYS)
            claim = (check.get(raw_version, "claim", str, vpath, subject, required=True)
                     if isinstance(raw_version, dict) else None)
            if claim:
                check_no_markers(check, raw_version, vpath, subject, ("claim",))
            if citation and claim:
                versions.append(Version(claim.strip(), citation))
        if about and len(versions) == len(versions_raw):
            result.append(Difference(about.strip(), tuple(versions), note.strip()))
    return tuple(result)


def _citation(check: ProblemCollector, table, path: tuple, subject: str, sources: CheckedSources,
              allowed=CITATION_KEYS) -> Citation | None:
    """A citation, or the source and quote of a version (which `allowed` says)."""
    if not isinstance(table, dict):
        check.problem(path, f"a citation must be a table with source and quote, found {describe(table)}", subject)
        return None
    check.unknown_keys(table, allowed, path, subject, "a citation" if allowed is CITATION_KEYS else "a version")
    source_id = check.get(table, "source", str, path, subject, required=True)
    quote = check.get(table, "quote", str, path, subject, required=True)
    if source_id is None or quote is None:
        return None
    if source_id in sources.broken:
        check.problem(path + ("source",), f"source '{source_id}' cannot be used until its own problems are fixed", subject)
        return None
    if source_id not in sources.usable:
        known = ", ".join(sorted(sources.usable)) or "none"
        check.problem(path + ("source",), f"unknown source '{source_id}'{suggest(source_id, sources.usable)} "
                                          f"(known sources: {known})", subject)
        return None
    source, text = sources.usable[source_id]
    span = text.find(quote)
    if span is None:
        _quote_not_found(check, quote, text, path, subject, source_id, source.file)
        return None
    return Citation(source_id, quote.strip(), span[0], span[1], f"passage-{span[0]}")


def _quote_not_found(check: ProblemCollector, quote: str, text: NormalisedText, path: tuple, subject: str,
                     source_id: str, file: str) -> None:
    closest = text.closest(quote) if len(quote) <= MAX_QUOTE_HINT else ""
    hint = f"; the closest passage is: \"{closest}\"" if closest else ""
    shown = quote.strip()
    if len(shown) > MAX_QUOTE_HINT:
        shown = f"{shown[:200]}…\" ({len(shown):,} characters, longer than any passage worth quoting"
        check.problem(path + ("quote",), f"quote not found in source '{source_id}' ({file}): \"{shown})", subject)
    else:
        check.problem(path + ("quote",), f"quote not found in source '{source_id}' ({file}): \"{shown}\"{hint}", subject)
