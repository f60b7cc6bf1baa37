"""Every rule of the events file, checked in one pass; the model comes out.

All problems are collected (never just the first), each with the file, the
line of the offending key (or of its table) and the event or source it
belongs to, so ``--check`` can list them all at once.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from timeline.errors import Problem
from timeline.record.dates import DateError, PartialDate, ends_before, parse_date
from timeline.record.load import EventPiece, Loaded
from timeline.record.model import (
    Citation,
    Difference,
    Event,
    Site,
    SiteInfo,
    Source,
    Version,
)
from timeline.record.quotes import NormalisedText

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*")
_DURATION = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?")
_URL = re.compile(r"https?://[^\s<>\"']+")

MAX_QUOTE_HINT = 2000  # longer quotes are not echoed whole nor compared for a hint

TOP_KEYS = ("site", "sources", "events")
SITE_KEYS = ("title", "description", "language", "base_url")
SOURCE_KEYS = ("title", "file", "publisher", "url", "title_assigned", "note")
EVENT_KEYS = (
    "id", "date", "end", "circa", "date_note", "title", "summary", "place",
    "actors", "tags", "duration", "citations", "differences", "editor_note",
)
CITATION_KEYS = ("source", "quote")
DIFFERENCE_KEYS = ("about", "note", "versions")
VERSION_KEYS = ("claim", "source", "quote")



@dataclass
class CheckMemo:
    """What the last check made that the next can reuse."""
    # piece of the file → (sources key, checked event): see _Checker.reused_event
    events: dict[str, tuple[str, Event]] = field(default_factory=dict)
    # source text → its normalised form: normalising a long source is slow
    normalised: dict[str, NormalisedText] = field(default_factory=dict)

_TYPE_NAMES = {str: "a string", bool: "true or false", list: "an array", dict: "a table"}


def _describe(value: object) -> str:
    kinds = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "table"}
    kind = kinds.get(type(value), type(value).__name__)
    shown = repr(value) if not isinstance(value, (list, dict)) else ""
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} {shown}".strip()


# Characters no text here may hold: C0 and C1 controls other than tab, line
# feed, form feed and carriage return (HTML forbids them), and the Unicode
# direction embeddings, overrides and isolates, which would reorder the text
# around a title or name on every page that shows it.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe_character(text: str) -> str:
    """'a control character (U+0001)' for the first unsafe character, or ''."""
    match = _UNSAFE.search(text)
    if not match:
        return ""
    code = ord(match.group())
    kind = "a Unicode direction control" if code >= 0x202A else "a control character"
    return f"{kind} (U+{code:04X})"


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Checker:
    """Collects problems while turning raw tables into the model."""

    def __init__(self, loaded: Loaded, memo: CheckMemo):
        self.loaded = loaded
        self.memo = memo
        self.lines = loaded.lines
        self.problems: list[Problem] = []
        self.root = loaded.path.resolve().parent
        self.broken_sources: set[str] = set()  # declared, but with problems
        self.sources_key = ""  # digest of every source's id, file and text
        self.remember = True  # keep checked events for the next check (see validate)
        self.next_cache: dict[str, tuple[str, Event]] = {}

    def problem(self, path: tuple, message: str, subject: str = "") -> None:
        self.problems.append(Problem(self.loaded.display, self.lines.line(*path), message, subject))

    def unknown_keys(self, table: dict, allowed, path: tuple, subject: str, what: str) -> None:
        for key in table:
            if key not in allowed:
                self.problem(path + (key,), f"unknown key '{key}' in {what}{suggest(key, allowed)}", subject)

    def get(self, table: dict, key: str, kind: type, path: tuple, subject: str,
            required: bool = False, default=None):
        """The value of `key` if it has the right type (strings: non-blank)."""
        if key not in table:
            if required:
                self.problem(path, f"missing required key '{key}'", subject)
            return default
        value = table[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.problem(path + (key,), f"'{key}' must be {_TYPE_NAMES[kind]}, found {_describe(value)}", subject)
            return default
        if kind is str and not value.strip():
            self.problem(path + (key,), f"'{key}' is empty", subject)
            return default
        if kind is str and (unsafe := unsafe_character(value)):
            self.problem(path + (key,), f"'{key}' contains {unsafe}", subject)
            return default
        return value

    # --- [site] -------------------------------------------------------------

    def site(self, data: dict) -> SiteInfo | None:
        raw = data.get("site")
        if not isinstance(raw, dict):
            if raw is None:
                self.problem((), "missing the [site] table (it needs at least a title)")
            else:
                self.problem(("site",), f"'site' must be a table, found {_describe(raw)}")
            return None
        path, subject = ("site",), "[site]"
        self.unknown_keys(raw, SITE_KEYS, path, subject, "[site]")
        title = self.get(raw, "title", str, path, subject, required=True)
        description = self.get(raw, "description", str, path, subject, default="")
        language = self.get(raw, "language", str, path, subject, default="en")
        if language and not _LANGUAGE.fullmatch(language):
            self.problem(path + ("language",), f"'language' {language!r} is not a language tag like \"en\" or \"en-GB\"", subject)
        base_url = self.get(raw, "base_url", str, path, subject, default="")
        if base_url and not _URL.fullmatch(base_url):
            self.problem(path + ("base_url",), f"'base_url' {base_url!r} must be an http(s) URL", subject)
        elif base_url and not base_url.endswith("/"):
            base_url += "/"
        if title is None:
            return None
        return SiteInfo(title.strip(), description.strip(), language, base_url)

    # --- [sources] ----------------------------------------------------------

    def sources(self, data: dict) -> dict[str, tuple[Source, NormalisedText]]:
        raw = data.get("sources")
        if raw is None:
            self.problem((), "missing [sources.<id>] tables: every event must cite a source")
            return {}
        if not isinstance(raw, dict):
            self.problem(("sources",), f"'sources' must be tables like [sources.s000], found {_describe(raw)}")
            return {}
        result = {}
        for source_id, table in raw.items():
            path, subject = ("sources", source_id), f"source '{source_id}'"
            if not ID_PATTERN.fullmatch(source_id):
                self.problem(path, f"source id '{source_id}' must be lowercase letters, digits and single hyphens", subject)
                continue
            if not isinstance(table, dict):
                self.problem(path, f"must be a table with title and file, found {_describe(table)}", subject)
                continue
            self.unknown_keys(table, SOURCE_KEYS, path, subject, "a source")
            title = self.get(table, "title", str, path, subject, required=True)
            file = self.get(table, "file", str, path, subject, required=True)
            publisher = self.get(table, "publisher", str, path, subject, default="")
            url = self.get(table, "url", str, path, subject, default="")
            if url and not _URL.fullmatch(url):
                self.problem(path + ("url",), f"'url' {url!r} must be an http(s) URL", subject)
            title_assigned = self.get(table, "title_assigned", bool, path, subject, default=False)
            note = self.get(table, "note", str, path, subject, default="")
            text = self.source_text(file, path + ("file",), subject) if file else None
            if title and file and text is not None:
                source = Source(source_id, title.strip(), self.root / file, file, text,
                                publisher.strip(), url, title_assigned, note.strip())
                result[source_id] = (source, self.memo.normalised.get(text) or NormalisedText(text))
            else:
                self.broken_sources.add(source_id)
        self.memo.normalised = {normal.original: normal for _, normal in result.values()}
        return result

    def source_text(self, file: str, path: tuple, subject: str) -> str | None:
        if Path(file).is_absolute() or file.startswith(("/", "\\")):
            self.problem(path, f"file '{file}' must be a path relative to the events file's folder, not absolute", subject)
            return None
        if any(ord(ch) < 32 for ch in file):
            self.problem(path, f"file {file!r} contains a control character", subject)
            return None
        candidate = self.root / file
        if candidate.is_symlink():
            self.problem(path, f"file '{file}' is a symbolic link; archive the document itself", subject)
            return None
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError, ValueError):
            self.problem(path, f"file '{file}' cannot be resolved", subject)
            return None
        if not resolved.is_relative_to(self.root):
            self.problem(path, f"file '{file}' points outside the project folder", subject)
            return None
        parts = Path(file).parts
        for depth in range(1, len(parts)):  # a linked folder on the way, even inside the project
            if parts[depth - 1] != ".." and self.root.joinpath(*parts[:depth]).is_symlink():
                self.problem(path, f"file '{file}' goes through a symbolic link ({Path(*parts[:depth])}); "
                                   "archive the document itself", subject)
                return None
        if not resolved.exists():
            self.problem(path, f"file '{file}' does not exist", subject)
            return None
        if not resolved.is_file():
            self.problem(path, f"file '{file}' is not a regular file", subject)
            return None
        raw = resolved.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self.problem(path, f"file '{file}' is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})", subject)
            return None
        if not text.strip():
            self.problem(path, f"file '{file}' is empty", subject)
            return None
        if text not in self.memo.normalised and (match := _UNSAFE.search(text)):  # a text from the last check passed
            line = text.count("\n", 0, match.start()) + 1
            self.problem(path, f"file '{file}' contains {unsafe_character(match.group())} on its line {line}; "
                               "archived documents must be plain text", subject)
            return None
        return text

    # --- [[events]] ---------------------------------------------------------

    def events(self, data: dict, sources: dict) -> list[Event]:
        raw = data.get("events")
        if raw is None:
            self.problem((), "no [[events]]: add at least one event")
            return []
        if not isinstance(raw, list):
            self.problem(("events",), f"'events' must be an array of tables ([[events]]), found {_describe(raw)}")
            return []
        events: list[Event] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            path = ("events", index)
            event = self.reused_event(item)
            if event is not None:
                event_id, subject = event.id, f"event '{event.id}'"
            else:
                table = item.table if isinstance(item, EventPiece) else item
                subject = f"event #{index + 1}"
                if not isinstance(table, dict):
                    self.problem(path, f"must be a table ([[events]]), found {_describe(table)}", subject)
                    continue
                event_id = table.get("id")
                if isinstance(event_id, str) and event_id.strip():
                    # repr() spells out what a terminal would act on (controls, direction overrides)
                    subject = f"event '{event_id}'" if event_id.isprintable() else f"event {event_id!r}"
                before = len(self.problems)
                event = self.event(table, path, subject, sources)
                if event is not None and len(self.problems) == before and self.remember and isinstance(item, EventPiece):
                    self.next_cache[item.text] = (self.sources_key, event)
            if event_id is not None and isinstance(event_id, str) and ID_PATTERN.fullmatch(event_id):
                if event_id in seen:
                    self.problem(path + ("id",), f"duplicate id '{event_id}' (first used by event #{seen[event_id] + 1}, line {self.lines.line('events', seen[event_id])})", subject)
                    continue
                seen[event_id] = index
            if event is not None:
                events.append(event)
        return events

    def reused_event(self, item) -> Event | None:
        """The event checked before from the same piece of the file, when
        the sources are unchanged too: the model is immutable, and the same
        object for an unchanged event lets later steps reuse what they made
        of it (see render.event_view)."""
        if not isinstance(item, EventPiece):
            return None
        hit = self.memo.events.get(item.text)
        if hit is None or hit[0] != self.sources_key:
            return None
        if self.remember:
            self.next_cache[item.text] = hit
        return hit[1]

    def event(self, table: dict, path: tuple, subject: str, sources: dict) -> Event | None:
        self.unknown_keys(table, EVENT_KEYS, path, subject, "an event")
        event_id = self.get(table, "id", str, path, subject, required=True)
        if event_id is not None and not ID_PATTERN.fullmatch(event_id):
            hint = re.sub(r"[^a-z0-9]+", "-", event_id.lower()).strip("-")
            fix = f" (for example '{hint}')" if hint and ID_PATTERN.fullmatch(hint) else ""
            self.problem(path + ("id",), f"id '{event_id}' must be lowercase letters, digits and single hyphens{fix}", subject)
            event_id = None
        date = self.date(table, "date", path, subject, required=True)
        end = self.date(table, "end", path, subject)
        if date and end and ends_before(end, date):
            self.problem(path + ("end",), f"'end' ({end.iso()}) is before 'date' ({date.iso()})", subject)
            end = None
        circa = self.get(table, "circa", bool, path, subject, default=False)
        date_note = self.get(table, "date_note", str, path, subject, default="")
        title = self.get(table, "title", str, path, subject, required=True)
        summary = self.get(table, "summary", str, path, subject, required=True)
        place = self.get(table, "place", str, path, subject, default="")
        actors = self.names(table, "actors", path, subject)
        tags = self.names(table, "tags", path, subject)
        duration = self.duration(table, path, subject)
        editor_note = self.get(table, "editor_note", str, path, subject, default="")
        citations = self.citations(table, path, subject, sources)
        differences = self.differences(table, path, subject, sources)
        if date and citations and not date_note:
            quotes = [c.quote for c in citations] + [v.citation.quote for d in differences for v in d.versions]
            if not any(str(date.year) in q for q in quotes):
                self.problem(path + ("date",),
                             f"no quote states the year {date.year}; add a 'date_note' saying how the date was established",
                             subject)
        if None in (event_id, date, title, summary) or not citations:
            return None
        return Event(
            id=event_id, date=date, end=end, circa=circa, date_note=date_note.strip(),
            title=title.strip(), summary=summary.strip(), place=place.strip(), actors=actors, tags=tags,
            duration_minutes=duration, citations=citations, differences=differences,
            editor_note=editor_note.strip(),
        )

    def date(self, table: dict, key: str, path: tuple, subject: str, required: bool = False) -> PartialDate | None:
        if key not in table:
            if required:
                self.problem(path, f"missing required key '{key}'", subject)
            return None
        try:
            return parse_date(table[key])
        except DateError as error:
            self.problem(path + (key,), f"'{key}': {error}", subject)
            return None

    def names(self, table: dict, key: str, path: tuple, subject: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path + (key,), f"'{key}' must be an array of strings, like [\"Russia\", \"Ukraine\"], found {_describe(value)}", subject)
            return ()
        names = []
        for name in value:
            if not name.strip():
                self.problem(path + (key,), f"'{key}' has an empty entry", subject)
            elif unsafe := unsafe_character(name):
                self.problem(path + (key,), f"'{key}' entry {name.strip()!r} contains {unsafe}", subject)
            elif name.strip() in names:
                self.problem(path + (key,), f"'{key}' lists '{name.strip()}' twice", subject)
            else:
                names.append(name.strip())
        return tuple(names)

    def duration(self, table: dict, path: tuple, subject: str) -> int | None:
        value = self.get(table, "duration", str, path, subject)
        if value is None:
            return None
        match = _DURATION.fullmatch(value.strip())
        if not match or not any(match.groups()):
            self.problem(path + ("duration",), f"'duration' {value!r} must look like \"6h\", \"45m\" or \"1h30m\"", subject)
            return None
        hours, minutes = (int(g) if g else 0 for g in match.groups())
        return hours * 60 + minutes

    def citation(self, table, path: tuple, subject: str, sources: dict, allowed=CITATION_KEYS) -> Citation | None:
        if not isinstance(table, dict):
            self.problem(path, f"a citation must be a table with source and quote, found {_describe(table)}", subject)
            return None
        self.unknown_keys(table, allowed, path, subject, "a citation" if allowed is CITATION_KEYS else "a version")
        source_id = self.get(table, "source", str, path, subject, required=True)
        quote = self.get(table, "quote", str, path, subject, required=True)
        if source_id is None or quote is None:
            return None
        if source_id in self.broken_sources:
            self.problem(path + ("source",), f"source '{source_id}' cannot be used until its own problems are fixed", subject)
            return None
        if source_id not in sources:
            known = ", ".join(sorted(sources)) or "none"
            self.problem(path + ("source",), f"unknown source '{source_id}'{suggest(source_id, sources)} (known sources: {known})", subject)
            return None
        source, text = sources[source_id]
        span = text.find(quote)
        if span is None:
            closest = text.closest(quote) if len(quote) <= MAX_QUOTE_HINT else ""
            hint = f"; the closest passage is: \"{closest}\"" if closest else ""
            shown = quote.strip()
            if len(shown) > MAX_QUOTE_HINT:
                shown = f"{shown[:200]}…\" ({len(shown):,} characters, longer than any passage worth quoting"
                self.problem(path + ("quote",), f"quote not found in source '{source_id}' ({source.file}): \"{shown})", subject)
            else:
                self.problem(path + ("quote",), f"quote not found in source '{source_id}' ({source.file}): \"{shown}\"{hint}", subject)
            return None
        return Citation(source_id, quote.strip(), span[0], span[1], f"passage-{span[0]}")

    def citations(self, table: dict, path: tuple, subject: str, sources: dict) -> tuple[Citation, ...] | None:
        raw = table.get("citations")
        if raw is None:
            self.problem(path, "no citations: add at least one [[events.citations]] with source and quote", subject)
            return None
        if not isinstance(raw, list) or not raw:
            self.problem(path + ("citations",), "'citations' must hold at least one [[events.citations]] table", subject)
            return None
        found = [self.citation(c, path + ("citations", i), subject, sources) for i, c in enumerate(raw)]
        if None in found:
            return ()  # problems were reported; keep checking the rest of the event
        return tuple(found)

    def differences(self, table: dict, path: tuple, subject: str, sources: dict) -> tuple[Difference, ...]:
        raw = table.get("differences", [])
        if not isinstance(raw, list) or not all(isinstance(d, dict) for d in raw):
            self.problem(path + ("differences",), "'differences' must be [[events.differences]] tables", subject)
            return ()
        result = []
        for i, diff in enumerate(raw):
            dpath = path + ("differences", i)
            self.unknown_keys(diff, DIFFERENCE_KEYS, dpath, subject, "a difference")
            about = self.get(diff, "about", str, dpath, subject, required=True)
            note = self.get(diff, "note", str, dpath, subject, default="")
            versions_raw = diff.get("versions")
            if not isinstance(versions_raw, list) or len(versions_raw) < 2:
                self.problem(dpath, "a difference needs at least two [[events.differences.versions]], one per account", subject)
                continue
            versions = []
            for j, raw_version in enumerate(versions_raw):
                vpath = dpath + ("versions", j)
                citation = self.citation(raw_version, vpath, subject, sources, allowed=VERSION_KEYS)
                claim = self.get(raw_version, "claim", str, vpath, subject, required=True) if isinstance(raw_version, dict) else None
                if citation and claim:
                    versions.append(Version(claim.strip(), citation))
            if about and len(versions) == len(versions_raw):
                result.append(Difference(about.strip(), tuple(versions), note.strip()))
        return tuple(result)


def validate(loaded: Loaded, memo: CheckMemo | None = None) -> tuple[Site | None, list[Problem]]:
    """Check everything; return the site model only when nothing is wrong.

    With a `memo`, unchanged events and sources are taken from the last
    check and this one's are kept for the next; without, nothing is kept
    (a one-off build)."""
    checker = _Checker(loaded, memo or CheckMemo())
    checker.remember = memo is not None
    data = loaded.data
    checker.unknown_keys(data, TOP_KEYS, (), "", "the events file")
    info = checker.site(data)
    sources = checker.sources(data)
    checker.sources_key = hashlib.blake2b(
        repr(sorted((k, s.file, normal.digest) for k, (s, normal) in sources.items())).encode(), digest_size=20
    ).hexdigest()
    events = checker.events(data, sources)
    if memo is not None:
        memo.events = checker.next_cache  # only what this file still holds
    problems = sorted(checker.problems, key=lambda p: (p.line or 0))
    if problems or info is None:
        return None, problems
    ordered = sorted(events, key=lambda e: e.date.sort_key())  # stable: ties keep file order
    site = Site(info, {k: s for k, (s, _) in sources.items()}, tuple(ordered), checker.root, loaded.digest)
    return site, []
