"""Where each table header and key of a TOML text stands, by key path.

``tomllib`` gives no positions, and an editor needs a line number in every
message, so a small scanner walks the (already valid) TOML text once and
records the line of every table header and key:
``("events", 3, "citations", 0, "quote") → 57``.
"""
from __future__ import annotations

import re

Path_ = tuple  # a key path: strings for keys, ints for array-of-tables items


class LineMap:
    """Lines of table headers and keys, looked up by key path.

    Built on first use: a valid file never needs one, and scanning a large
    file costs as much as parsing it.
    """

    def __init__(self, lines: dict[Path_, int] | None = None, compute=None):
        self._lines = lines
        self._compute = compute

    def all(self) -> dict[Path_, int]:
        if self._lines is None:
            self._lines = self._compute()
        return self._lines

    def line(self, *path) -> int:
        """The line of `path`, or of its nearest enclosing table or key (the
        document itself starts on line 1)."""
        lines = self.all()
        path = tuple(path)
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return 1

    def multiline_start(self, *path) -> int | None:
        """The line the text of the multi-line string at `path` starts on (the
        one after its opening quotes), or None for any other value."""
        return self.all().get(tuple(path) + (TEXT_START,))


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MULTILINE_OPENING = re.compile(r"[ \t]*(\"\"\"|''')\r?\n")
_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")
# The last part of the key path under which a multi-line string's first line
# of text is kept: no TOML key is None.
TEXT_START = None


class Scanner:
    """Walks valid TOML text and records the line of each header and key."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.line = 1
        self.lines: dict[Path_, int] = {}
        self.array_counts: dict[Path_, int] = {}
        self.table: Path_ = ()
        self.open_string_line: tuple[int, bool] | None = None  # (line, triple) of a string left open

    def run(self) -> dict[Path_, int]:
        text = self.text
        while self.i < len(text):
            ch = text[self.i]
            if ch == "\n":
                self.line += 1
                self.i += 1
            elif ch in " \t\r":
                self.i += 1
            elif ch == "#":
                self._skip_comment()
            elif ch == "[":
                self._header()
            else:
                self._key_value()
        return self.lines

    def _skip_comment(self):
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end

    def _header(self):
        is_array = self.text.startswith("[[", self.i)
        self.i += 2 if is_array else 1
        names = self._key_parts("]")
        self.i += 2 if is_array else 1
        concrete: list = []
        for position, name in enumerate(names):
            concrete.append(name)
            last = position == len(names) - 1
            if last and is_array:
                index = self.array_counts.get(tuple(concrete), 0)
                self.array_counts[tuple(concrete)] = index + 1
                concrete.append(index)
            elif tuple(concrete) in self.array_counts:
                concrete.append(self.array_counts[tuple(concrete)] - 1)
        self.table = tuple(concrete)
        self.lines.setdefault(self.table, self.line)

    def _key_parts(self, stop: str) -> list[str]:
        parts: list[str] = []
        text = self.text
        while self.i < len(text) and text[self.i] != stop:
            ch = text[self.i]
            if ch in " \t.":
                self.i += 1
            elif ch in "\"'":
                parts.append(self._string_value())
            else:
                match = _BARE_KEY.match(text, self.i)
                if not match:  # not reached for valid TOML; stay safe anyway
                    self.i += 1
                    continue
                parts.append(match.group())
                self.i = match.end()
        return parts

    def _key_value(self):
        line = self.line
        keys = self._key_parts("=")
        self.i += 1  # the '='
        path = self.table + tuple(keys)
        self.lines.setdefault(path, line)
        self._note_text_start(path)
        self._skip_value(path)

    def _note_text_start(self, path: Path_):
        """Record the line a multi-line string's text starts on: TOML drops
        the line break right after the opening quotes. A line-ending
        backslash joins lines, and then the key's line is all we give."""
        match = _MULTILINE_OPENING.match(self.text, self.i)
        if match:
            closing = self.text.find(match.group(1), match.end())
            if match.group(1) == "'''" or not _CONTINUATION.search(self.text, match.end(), closing):
                self.lines.setdefault(path + (TEXT_START,), self.line + 1)

    def _string_value(self) -> str:
        """Consume a string starting at self.i; return its raw content."""
        text = self.text
        quote = text[self.i]
        triple = text.startswith(quote * 3, self.i)
        delim = quote * 3 if triple else quote
        start = self.i + len(delim)
        j = start
        line_end = len(text) if triple else (text.find("\n", start) % (len(text) + 1))
        while True:
            end = text.find(delim, j, line_end)
            if end < 0:  # runs to the end of the file (or, single-line, of the line)
                if self.open_string_line is None:
                    self.open_string_line = (self.line, triple)
                end = line_end
                self.i = end
                content = text[start:end]
                self.line += content.count("\n")
                return content
            if quote == '"':
                backslashes = len(text[start:end]) - len(text[start:end].rstrip("\\"))
                if backslashes % 2:
                    j = end + 1
                    continue
            if triple:  # a closing """ may be preceded by up to two quotes of the content
                extra = 0
                while extra < 2 and text.startswith(quote, end + 3):
                    end += 1
                    extra += 1
            break
        content = text[start:end]
        self.line += content.count("\n")
        self.i = end + len(delim)
        return content

    def _skip_value(self, path: Path_):
        """Skip one value, recording inline-table items of arrays by index."""
        text = self.text
        depth = 0
        items: list[int] = []  # element counter per array depth
        while self.i < len(text):
            ch = text[self.i]
            if ch in "\"'":
                self._string_value()
                continue
            if ch == "\n":
                if depth == 0:
                    return
                self.line += 1
            elif ch == "#":
                if depth == 0:
                    self._skip_comment()
                    return
                self._skip_comment()
                continue
            elif ch in "[{":
                if ch == "{" and depth == 1 and items:
                    self.lines.setdefault(path + (items[-1],), self.line)
                    items[-1] += 1
                depth += 1
                items.append(0)
            elif ch in "]}":
                depth -= 1
                items.pop()
                if depth == 0:
                    self.i += 1
                    return
            self.i += 1


def scan_lines(text: str) -> dict[Path_, int]:
    return Scanner(text).run()
