"""Read events.toml: bytes → text → TOML tables, plus where each key stands.

The lines are found by record.lines, only when a message needs one. A
file's events are parsed piece by piece and kept for the next load (the
preview, the build cache), so a save that changes one event parses one.
"""
from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from timeline.errors import Problem
from timeline.record.lines import LineMap, Path_, Scanner, scan_lines

try:
    import tomli as _tomli
except ImportError:  # optional: the standard library's parser does the same, slower
    _tomli = None


def _is_toml_error(error: ValueError) -> bool:
    """Whether `error` is tomllib's TOMLDecodeError. tomllib is imported only
    to parse where tomli is missing or to word an error: 10 ms of a build."""
    tomllib = sys.modules.get("tomllib")
    return tomllib is not None and isinstance(error, tomllib.TOMLDecodeError)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")
# tomllib's wording is terse; say what it usually means for an editor.
_TOML_HINTS = {
    "Cannot overwrite a value": "a key or table is defined twice",
    "Cannot declare": "a table is defined twice, or a key is also used as a table",
    "Unterminated string": "a string is not closed; check for a missing quote",
    "Expected '=' after a key in a key/value pair": "expected `key = value`",
    "Invalid value": "the value is not valid TOML (strings need quotes)",
    "Illegal character '\\n'": "a string is not closed before the end of the line",
    "Illegal character": "this character is not allowed here",
}


@dataclass(frozen=True)
class Loaded:
    path: Path
    display: str  # the file name as shown in messages
    data: dict
    lines: LineMap
    digest: str = ""  # content_digest of the bytes parsed


def content_digest(raw: bytes) -> str:
    """A digest of a file's bytes, to tell later whether it changed."""
    return hashlib.sha256(raw).hexdigest()  # see checked.DIGEST_SIZE


def load(path: Path, display: str | None = None,
         memo: ParseMemo | None = None) -> tuple[Loaded | None, list[Problem]]:
    """Parse the events file; on failure return the problems instead.

    With a `memo`, each event's piece of the file is parsed once and kept
    for the next load (the preview, the build cache); without, nothing is
    kept, and a one-off build of a large file holds it once, not twice."""
    display = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(display, None, "file not found")]
    except IsADirectoryError:
        return None, [Problem(display, None, "is a directory, not an events file")]
    except OSError as error:
        return None, [Problem(display, None, f"cannot be read: {error.strerror}")]
    text, problem = decode(raw, display)
    digest = content_digest(raw)
    del raw  # as large as the text: not kept while it is parsed
    if problem:
        return None, [problem]
    if not text.strip():
        return None, [Problem(display, 1, "the file is empty; it needs a [site] table, [sources] and [[events]]")]
    try:
        data, lines = parse(text, memo)
    except ValueError as error:
        if not _is_toml_error(error):
            raise
        return None, [_syntax_problem(error, display, text)]
    return Loaded(path, display, data, lines, digest), []


# --- parsing, one [[events]] table at a time ---------------------------------
#
# In the preview a save changes one event out of thousands. So the text is
# cut before each top-level `[[events]]` header and each piece is parsed
# once, keyed by its text. A cut inside a multi-line string leaves an
# unclosed string in the piece before it, so it fails to parse; any piece
# that fails or holds anything but its one event sends the whole text
# through the plain parser, which also gives the exact error message.
# Lines are scanned only when a message needs one.

# Searched without a leading ^[ \t]*, which made the regex try every
# position of the file (4x slower); events_headers() checks the line start.
_EVENTS_HEADER = re.compile(r"\[\[[ \t]*events[ \t]*\]\][ \t]*(?:#.*)?$", re.MULTILINE)


class EventPiece:
    """One `[[events]]` table, as the piece of the file's text it came from.

    Parsed when its table is first asked for: the validator keeps checked
    events by their piece (record.reuse.Reuse.event), and the build cache
    restores pieces as text alone, so a build reuses them without parsing
    them or reading parsed tables from disk. Only a piece that once parsed
    as exactly one event is ever restored."""

    __slots__ = ("text", "_table")

    def __init__(self, text: str, table: dict | None = None):
        self.text = text
        self._table = table

    @property
    def table(self) -> dict:
        if self._table is None:
            self._table = loads_toml(self.text)["events"][0]
        return self._table


@dataclass
class ParseMemo:
    """The pieces of the last file loaded, for the next load to reuse."""
    pieces: dict[str, dict | EventPiece] = field(default_factory=dict)  # its tables (the first piece) or event
    lines: dict[str, dict] = field(default_factory=dict)  # piece → the lines of its keys

    def restore(self, texts) -> None:
        """Pieces that once parsed as one event each, from the build cache."""
        self.pieces = {text: EventPiece(text) for text in texts}


def loads_toml(text: str) -> dict:
    """tomli where installed (the parser tomllib came from, compiled with
    mypyc: about four times faster); errors always come from tomllib, so
    messages do not depend on which parser ran."""
    if _tomli is not None:
        try:
            return _tomli.loads(text)
        except _tomli.TOMLDecodeError:
            pass
    import tomllib

    return tomllib.loads(text)


def parse(text: str, memo: ParseMemo | None = None) -> tuple[dict, LineMap]:
    """TOML → (tables, their lines); raises tomllib.TOMLDecodeError.

    With a `memo`, the events are EventPieces (see there) when the file
    could be cut into them, else tables."""
    starts = events_headers(text) if memo is not None else None
    if starts:
        combined = _parse_in_pieces(text, starts, memo)
        if combined is not None:
            return combined
    return loads_toml(text), LineMap(compute=lambda: scan_lines(text))


def _one_event(tables: dict) -> bool:
    """Whether a piece after the first parsed as exactly one event, as a
    piece must to stand for its part of the whole file."""
    return list(tables) == ["events"] and len(tables["events"]) == 1


def events_headers(text: str) -> list[int]:
    """Offsets of the lines that hold only an `[[events]]` header."""
    starts = []
    for match in _EVENTS_HEADER.finditer(text):
        start = match.start()
        if start == 0 or text[start - 1] == "\n":  # the usual case, checked first: 4,000 headers a save
            starts.append(start)
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip(" \t"):
            starts.append(line_start)
    return starts


def _parse_in_pieces(text: str, starts: list[int], memo: ParseMemo):
    used: dict[str, dict | EventPiece] = {}
    bounds = [0, *starts, len(text)]
    pieces = [text[begin:end] for begin, end in pairwise(bounds)]
    data: dict = {}
    events: list[EventPiece] = []
    try:
        for index, piece in enumerate(pieces):
            held = memo.pieces.get(piece)
            if index == 0:
                tables = held if isinstance(held, dict) else loads_toml(piece)
                if "events" in tables:
                    return None
                data.update(tables)
                used[piece] = tables
                continue
            if not isinstance(held, EventPiece):
                tables = loads_toml(piece)
                if not _one_event(tables):
                    return None
                held = EventPiece(piece, tables["events"][0])
            used[piece] = held
            events.append(held)
    except ValueError as error:
        if not _is_toml_error(error):
            raise
        return None
    memo.pieces = used  # only what this text uses, so the memo cannot grow
    data["events"] = events
    return data, LineMap(compute=lambda: _lines_of_pieces(pieces, memo))


def resolved(data: dict) -> dict:
    """`data` with every event as its table (see parse)."""
    if not isinstance(data.get("events"), list):
        return data
    return {**data, "events": [e.table if isinstance(e, EventPiece) else e for e in data["events"]]}


def _lines_of_pieces(pieces: list[str], memo: ParseMemo) -> dict[Path_, int]:
    used: dict[str, dict] = {}
    lines: dict[Path_, int] = {}
    line_offset = 0
    for index, piece in enumerate(pieces):
        piece_lines = memo.lines.get(piece)
        if piece_lines is None:
            piece_lines = scan_lines(piece)
        used[piece] = piece_lines
        if index == 0:
            lines.update(piece_lines)
        else:
            for key, line in piece_lines.items():
                if key and key[0] == "events":
                    key = ("events", index - 1, *key[2:])
                lines[key] = line + line_offset
        line_offset += piece.count("\n")
    memo.lines = used
    return lines


def decode(raw: bytes, display: str) -> tuple[str, Problem | None]:
    """UTF-8 without BOM, or a problem naming the line of the first bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "", Problem(display, 1, "the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return "", Problem(
            display, line,
            f"is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); save the file as UTF-8",
        )


def _syntax_problem(error: ValueError, display: str, text: str) -> Problem:
    message = str(error)
    match = _TOML_POSITION.search(message)
    bare = _TOML_POSITION.sub("", message).strip()
    hint = next((h for k, h in _TOML_HINTS.items() if bare.startswith(k)), "")
    detail = f"{bare} ({hint})" if hint else bare
    if match and match.group(1):
        line, column = int(match.group(1)), int(match.group(2))
        return Problem(display, line, f"TOML syntax error at column {column}: {detail}")
    opening = _unclosed_string(text)
    if opening:
        line, triple = opening
        kind = "a multi-line string" if triple else "a string"
        return Problem(display, line, f"TOML syntax error: {kind} opened here is never closed")
    return Problem(display, max(1, len(text.splitlines())), f"TOML syntax error at end of file: {detail}")


def _unclosed_string(text: str) -> tuple[int, bool] | None:
    """(line, triple-quoted?) of the first string left open, if any."""
    lines = Scanner(text)
    try:
        lines.run()
    except Exception:  # the scanner expects valid TOML; this is only a hint
        return None
    return lines.open_string_line
