"""The rules of citation markers: which sentence rests on which quote.

A marker ``[^N]`` in an event's ``summary`` or ``editor_note`` names its
N-th ``[[events.citations]]``. Markers are always checked where they stand;
with ``[site] cite_every_sentence = true`` every sentence of a summary must
carry one and every citation must be named by one. Each problem is given the
line its sentence or marker stands on, not the line of ``summary =``.
"""
from __future__ import annotations

from timeline.record.checking import ProblemCollector
from timeline.record.model import Citation
from timeline.record.sentences import MARKER, Sentence, hidden_markers, malformed_markers, split_sentences

MARKED_KEYS = ("summary", "editor_note")
FIRST_WORDS = 6


def check_markers(check: ProblemCollector, table: dict, path: tuple, subject: str,
                  citations: tuple[Citation, ...], every_sentence: bool) -> tuple[Sentence, ...]:
    """The summary's sentences, split once here for every later use."""
    used: set[int] = set()
    sentences: tuple[Sentence, ...] = ()
    for key in MARKED_KEYS:
        text = table.get(key)
        if isinstance(text, str):
            where = _Lines(check, path + (key,), text)
            used |= _check_text(check, where, text, subject, len(citations))
            if key == "summary":
                sentences = tuple(split_sentences(text))
                _check_sentences(check, where, sentences, subject, every_sentence)
    if every_sentence:
        for number, citation in enumerate(citations, 1):
            if number not in used:
                check.problem(path + ("citations", number - 1),
                              f"citation {number} ({citation.source_id}) supports no sentence: add [^{number}] "
                              "after each sentence it supports, or remove it", subject)
    return sentences


class _Lines:
    """The line of an offset in one string of the file, found only for a
    problem: a valid file never needs its lines scanned (record.lines)."""

    def __init__(self, check: ProblemCollector, path: tuple, text: str):
        self.lines, self.path, self.text = check.lines, path, text

    def at(self, offset: int) -> int:
        """The line of `offset`; in a string written on one line (where "\\n"
        is an escape) or joined by line-ending backslashes, the key's line."""
        first = self.lines.multiline_start(*self.path)
        if first is None:
            return self.lines.line(*self.path)
        return first + self.text.count("\n", 0, offset)


def _check_text(check: ProblemCollector, where: _Lines, text: str, subject: str, count: int) -> set[int]:
    """The citation numbers `text` uses; markers that cannot be used are reported."""
    for offset, written in malformed_markers(text):
        check.problem_at(where.at(offset), f"malformed citation marker '{written}': write [^N], N the number "
                                           f"of a citation (1 to {count})", subject)
    hidden = hidden_markers(text)
    for offset, written in hidden:
        check.problem_at(where.at(offset), f"citation marker {written} inside a link, code span or HTML: "
                                           "put it after the sentence it supports", subject)
    hidden_at = {offset for offset, _ in hidden}
    used = set()
    for match in MARKER.finditer(text):
        number = int(match.group(1))
        if number > count:
            has = "1 citation" if count == 1 else f"{count} citations"
            check.problem_at(where.at(match.start()), f"marker [^{number}] points past the event's {has}", subject)
        elif match.start() not in hidden_at:
            used.add(number)
    return used


def _check_sentences(check: ProblemCollector, where: _Lines, sentences: tuple[Sentence, ...], subject: str,
                     every_sentence: bool) -> None:
    for sentence in sentences:
        if sentence.markers and not sentence.plain.strip():
            check.problem_at(where.at(sentence.start), f"citation marker {sentence.text.split()[0]} stands alone: "
                                                       "put it right after the sentence it supports", subject)
        elif every_sentence and not sentence.markers and "[^" not in sentence.text:  # a malformed one is reported
            words = sentence.plain.split()
            shown = " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else "")
            check.problem_at(where.at(sentence.start), f"sentence without a citation marker: \"{shown}\" "
                                                       "(end it with [^N], N the citation that supports it)",
                             subject)


def check_no_markers(check: ProblemCollector, table: dict, path: tuple, subject: str, keys) -> None:
    """Markers belong in a summary or an editors' note; anywhere else they
    would be shown as written."""
    for key in keys:
        value = table.get(key)
        if isinstance(value, str) and (match := MARKER.search(value)):
            check.problem(path + (key,), f"citation marker {match.group()} in '{key}': markers belong in "
                                         "'summary' or 'editor_note'", subject)
