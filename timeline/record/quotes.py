"""The archived source documents: read once, normalised once, quotes located.

A quote matches when it occurs in the source after normalising only runs of
whitespace and the typographic variants of quotes, apostrophes and dashes.
Nothing else is forgiven: case, spelling and punctuation must be verbatim.
"""
from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from array import array
from dataclasses import dataclass
from functools import cached_property

_TYPOGRAPHIC = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
})
_SPACE = re.compile(r"\s+")
_RUN = re.compile(r"\s{2,}")  # whitespace that normalising shortens
_WORD = re.compile(r"\S+")


def normalise(text: str) -> str:
    """The form quotes are compared in (see the module docstring)."""
    return _SPACE.sub(" ", text.translate(_TYPOGRAPHIC)).strip()


@dataclass(frozen=True)
class NormalisedText:
    """A document's normalised text, mapped back to the original offsets."""

    original: str

    @cached_property
    def _folded(self) -> tuple[str, "array[int]", "array[int]"]:
        """The normalised text, and where characters were dropped: from index
        `starts[k]` of the normalised text on, the original text is
        `shifts[k]` characters further on.

        Made by the regex engine, and noted only where whitespace collapsed
        (a paragraph break, not every word): a loop over the words took a
        quarter of a second of a cold build."""
        translated = self.original.translate(_TYPOGRAPHIC)  # one character for one
        text = translated.lstrip()
        shift = len(translated) - len(text)  # leading whitespace: dropped
        starts, shifts = array("q", [0]), array("q", [shift])
        for match in _RUN.finditer(text):
            shift += match.end() - match.start() - 1  # the run becomes one space
            starts.append(match.end() + shifts[0] - shift)
            shifts.append(shift)
        return _SPACE.sub(" ", text), starts, shifts

    def original_offset(self, index: int) -> int:
        """Where the character at `index` of the normalised text is in the original."""
        _, starts, shifts = self._folded
        return index + shifts[bisect.bisect_right(starts, index) - 1]

    @cached_property
    def digest(self) -> str:
        """A digest of the original text (kept: the object outlives one check)."""
        return hashlib.sha256(self.original.encode("utf-8")).hexdigest()

    @property
    def text(self) -> str:
        return self._folded[0]

    def find(self, quote: str) -> tuple[int, int] | None:
        """Span of `quote` in the original text, or None when absent."""
        needle = normalise(quote)
        if not needle:
            return None
        at = self._find_whole(needle)
        if at < 0:
            return None
        return self.original_offset(at), self.original_offset(at + len(needle) - 1) + 1

    def _find_whole(self, needle: str) -> int:
        """First occurrence that does not start or end inside a word."""
        text = self.text
        at = text.find(needle)
        while at >= 0:
            before = text[at - 1] if at > 0 else " "
            after = text[at + len(needle)] if at + len(needle) < len(text) else " "
            cut_start = before.isalnum() and needle[0].isalnum()
            cut_end = after.isalnum() and needle[-1].isalnum()
            if not (cut_start or cut_end):
                return at
            at = text.find(needle, at + 1)
        return -1

    def closest(self, quote: str) -> str:
        """The passage most like `quote`, to show an editor the difference."""
        needle = normalise(quote)
        words = self.text.split(" ")
        width = max(1, len(needle.split(" ")))
        best, best_ratio = "", 0.0
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(needle)
        for start in range(0, max(1, len(words) - width + 1)):
            candidate = " ".join(words[start:start + width])
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = candidate, ratio
        return best
