"""The rules of the ``[sources.<id>]`` tables and the archived documents they name.

A document must be a plain UTF-8 text file inside the project folder, reached
without symbolic links, so that what the site quotes is what the project holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from timeline.record.checking import (
    ID_PATTERN,
    UNSAFE,
    ProblemCollector,
    describe,
    is_http_url,
    suggest,
    unsafe_character,
)
from timeline.record.model import SOURCE_KINDS, Source
from timeline.record.quotes import NormalisedText
from timeline.record.reuse import Reuse
from timeline.record.rules.claims import check_no_markers

SOURCE_KEYS = ("title", "file", "publisher", "url", "title_assigned", "note", "kind")


@dataclass
class CheckedSources:
    """The declared sources: those fit to cite, each with its text normalised
    for finding quotes, and the ids of those with problems of their own."""
    usable: dict[str, tuple[Source, NormalisedText]]
    broken: set[str]


def check_sources(check: ProblemCollector, data: dict, root: Path, reuse: Reuse) -> CheckedSources:
    raw = data.get("sources")
    if raw is None:
        check.problem((), "missing [sources.<id>] tables: every event must cite a source")
        return CheckedSources({}, set())
    if not isinstance(raw, dict):
        check.problem(("sources",), f"'sources' must be tables like [sources.s000], found {describe(raw)}")
        return CheckedSources({}, set())
    sources = CheckedSources({}, set())
    for source_id, table in raw.items():
        path, subject = ("sources", source_id), f"source '{source_id}'"
        if not ID_PATTERN.fullmatch(source_id):
            check.problem(path, f"source id '{source_id}' must be lowercase letters, digits and single hyphens", subject)
            continue
        if not isinstance(table, dict):
            check.problem(path, f"must be a table with title and file, found {describe(table)}", subject)
            continue
        source = _check_source(check, source_id, table, root, reuse)
        if source is not None:
            sources.usable[source_id] = source
        else:
            sources.broken.add(source_id)
    reuse.keep_normalised(normal for _, normal in sources.usable.values())
    return sources


def _check_source(check: ProblemCollector, source_id: str, table: dict, root: Path,
                  reuse: Reuse) -> tuple[Source, NormalisedText] | None:
    path, subject = ("sources", source_id), f"source '{source_id}'"
    check.unknown_keys(table, SOURCE_KEYS, path, subject, "a source")
    title = check.get(table, "title", str, path, subject, required=True)
    file = check.get(table, "file", str, path, subject, required=True)
    publisher = check.get(table, "publisher", str, path, subject, default="")
    url = check.get(table, "url", str, path, subject, default="")
    if url and not is_http_url(url):
        check.problem(path + ("url",), f"'url' {url!r} must be an http(s) URL", subject)
    title_assigned = check.get(table, "title_assigned", bool, path, subject, default=False)
    note = check.get(table, "note", str, path, subject, default="")
    kind = _kind(check, table, path, subject)
    check_no_markers(check, table, path, subject, ("title", "note"))
    text = _archived_text(check, root, reuse, file, path + ("file",), subject) if file else None
    if not (title and file and text is not None):
        return None
    source = Source(source_id, title.strip(), root / file, file, text,
                    publisher.strip(), url, title_assigned, note.strip(), kind)
    return source, reuse.normalised(text)


def _kind(check: ProblemCollector, table: dict, path: tuple, subject: str) -> str:
    kind = check.get(table, "kind", str, path, subject, default="")
    if kind and kind not in SOURCE_KINDS:
        known = ", ".join(f'"{k}"' for k in SOURCE_KINDS)
        check.problem(path + ("kind",), f"unknown kind '{kind}'{suggest(kind, SOURCE_KINDS)} (kinds: {known})",
                      subject)
        return ""
    return kind


def _archived_path(check: ProblemCollector, root: Path, file: str, path: tuple, subject: str) -> Path | None:
    """Where `file` is, when it names a regular file inside `root` reached
    without symbolic links; otherwise None, with the problem reported."""
    try:
        return _inside(check, root, file, path, subject)
    except OSError as error:  # a name too long, a folder that cannot be read
        check.problem(path, f"file '{_shortened(file)}' cannot be read: {error.strerror or error}", subject)
        return None


def _shortened(file: str) -> str:
    return file if len(file) <= 200 else f"{file[:200]}…"


def _inside(check: ProblemCollector, root: Path, file: str, path: tuple, subject: str) -> Path | None:
    if Path(file).is_absolute() or file.startswith(("/", "\\")):
        check.problem(path, f"file '{file}' must be a path relative to the events file's folder, not absolute", subject)
        return None
    if any(ord(ch) < 32 for ch in file):
        check.problem(path, f"file {file!r} contains a control character", subject)
        return None
    candidate = root / file
    if candidate.is_symlink():
        check.problem(path, f"file '{file}' is a symbolic link; archive the document itself", subject)
        return None
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError, ValueError):
        check.problem(path, f"file '{file}' cannot be resolved", subject)
        return None
    if not resolved.is_relative_to(root):
        check.problem(path, f"file '{file}' points outside the project folder", subject)
        return None
    parts = Path(file).parts
    for depth in range(1, len(parts)):  # a linked folder on the way, even inside the project
        if parts[depth - 1] != ".." and root.joinpath(*parts[:depth]).is_symlink():
            check.problem(path, f"file '{file}' goes through a symbolic link ({Path(*parts[:depth])}); "
                                "archive the document itself", subject)
            return None
    if not resolved.exists():
        check.problem(path, f"file '{file}' does not exist", subject)
        return None
    if not resolved.is_file():
        check.problem(path, f"file '{file}' is not a regular file", subject)
        return None
    return resolved


def _archived_text(check: ProblemCollector, root: Path, reuse: Reuse, file: str, path: tuple,
                   subject: str) -> str | None:
    """The text of the document `file` names, when it is plain UTF-8 text."""
    resolved = _archived_path(check, root, file, path, subject)
    if resolved is None:
        return None
    try:
        raw = resolved.read_bytes()
    except OSError as error:
        check.problem(path, f"file '{_shortened(file)}' cannot be read: {error.strerror or error}", subject)
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        check.problem(path, f"file '{file}' is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})",
                      subject)
        return None
    if not text.strip():
        check.problem(path, f"file '{file}' is empty", subject)
        return None
    if not reuse.passed_before(text) and (match := UNSAFE.search(text)):  # the last check scanned it already
        line = text.count("\n", 0, match.start()) + 1
        check.problem(path, f"file '{file}' contains {unsafe_character(match.group())} on its line {line}; "
                            "archived documents must be plain text", subject)
        return None
    return text
