"""The problem collector every rule of the events file reports to.

A rule never stops at the first problem: it reports each one with the line
of the offending key (or of its table) and the event or source it belongs
to, and carries on with what is left, so ``--check`` lists them all at once.
"""
from __future__ import annotations

import difflib
import re
from urllib.parse import urlsplit

from timeline.errors import Problem
from timeline.record.load import Loaded

# The shape of a source's or an event's id: it becomes part of page addresses.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
URL = re.compile(r"https?://[^\s<>\"']+")


def is_http_url(text: str) -> bool:
    """An http(s) URL with a host, that the outputs can take apart ("http://[" is not)."""
    if not URL.fullmatch(text):
        return False
    try:
        return bool(urlsplit(text).hostname)
    except ValueError:
        return False

# Characters no text here may hold: C0 and C1 controls other than tab, line
# feed, form feed and carriage return (HTML forbids them), and the Unicode
# direction embeddings, overrides and isolates, which would reorder the text
# around a title or name on every page that shows it.
UNSAFE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_TYPE_NAMES = {str: "a string", bool: "true or false", list: "an array", dict: "a table"}


def describe(value: object) -> str:
    """What a wrong value is, for a message: 'integer 3', 'array'."""
    kinds = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "table"}
    kind = kinds.get(type(value), type(value).__name__)
    shown = repr(value) if not isinstance(value, (list, dict)) else ""
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} {shown}".strip()


def unsafe_character(text: str) -> str:
    """'a control character (U+0001)' for the first unsafe character, or ''."""
    match = UNSAFE.search(text)
    if not match:
        return ""
    code = ord(match.group())
    kind = "a Unicode direction control" if code >= 0x202A else "a control character"
    return f"{kind} (U+{code:04X})"


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class ProblemCollector:
    """The problems found so far in one events file, and the checks of a
    single key that every table shares."""

    def __init__(self, loaded: Loaded):
        self.display = loaded.display
        self.lines = loaded.lines
        self.problems: list[Problem] = []
        self.hints: list[Problem] = []  # what still works but has a better way to be written

    def problem(self, path: tuple, message: str, subject: str = "") -> None:
        self.problems.append(Problem(self.display, self.lines.line(*path), message, subject))

    def hint(self, path: tuple, message: str, subject: str = "") -> None:
        self.hints.append(Problem(self.display, self.lines.line(*path), f"hint: {message}", subject))

    def problem_at(self, line: int, message: str, subject: str = "") -> None:
        """A problem inside a value, on the line it stands on."""
        self.problems.append(Problem(self.display, line, message, subject))

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
            self.problem(path + (key,), f"'{key}' must be {_TYPE_NAMES[kind]}, found {describe(value)}", subject)
            return default
        if kind is str and not value.strip():
            self.problem(path + (key,), f"'{key}' is empty", subject)
            return default
        if kind is str and (unsafe := unsafe_character(value)):
            self.problem(path + (key,), f"'{key}' contains {unsafe}", subject)
            return default
        return value
