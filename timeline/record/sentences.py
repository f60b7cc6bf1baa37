"""A summary's sentences and the citation markers each carries.

A marker ``[^N]`` names the N-th citation of its event (counting from 1);
it belongs to the sentence it stands in, and an editor puts it after the
full stop: ``...in Istanbul.[^2][^3]``. Sentences are split as a reader
would: "U.S.", "c.", an initial, a number, or a closing quotation mark
after the full stop do not end or split a sentence. The checker, the pages
and every output split with this one function, so they always agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"\[\^([1-9][0-9]*)\]")
# Anything that opens like a marker but is not one: "[^]", "[^x]", "[^0]", "[^2".
_OPENING = re.compile(r"\[\^")
_SHOWN_MALFORMED = re.compile(r"\[\^[^\]\s]{0,12}\]?")

# Words that end with a full stop without ending the sentence.
ABBREVIATIONS = frozenset("""
    c ca cf approx e.g i.e vs etc al st mr mrs ms dr prof gen lt col maj capt sgt adm gov sen rep
    pres amb jr sr inc ltd co corp dept jan feb mar apr aug sept sep oct nov dec
""".split())

# The end of a sentence: . ! ? or …, then closing quotes, brackets or
# emphasis, then any markers, then white space or the end of the paragraph.
_END = re.compile(r"""([.!?…]+)(["'”’»)\]*_]*)((?:\[\^[^\]\s]*\])*)(?=\s|$)""")
_WORD_BEFORE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z.]*)$")  # not "1st"
# Blocks: paragraphs, and each item of a Markdown list, whose marker is skipped.
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
# What no sentence ends inside, and no marker may stand in: code spans, the
# destination and title of a link or image, autolinks and raw HTML.
_OPAQUE = re.compile(r"`+[^`]*`+|\]\([^)]*\)|<[^<>\n]*>")
_LINK_TEXT = re.compile(r"\[(?:[^\[\]]|\[\^[^\]]*\])*\]\(")
_NEXT = re.compile(r"\s*(\S)")


@dataclass(frozen=True)
class Sentence:
    text: str  # as written, markers included
    start: int  # offset in the text it was split from (a summary: as written in the file)
    markers: tuple[int, ...]  # citation numbers, in order, each once

    @property
    def plain(self) -> str:
        """The sentence without its markers."""
        return strip_markers(self.text)


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` (Markdown prose), in order."""
    masked = _masked(text)
    sentences: list[Sentence] = []
    for start, end in _blocks(masked):
        sentences += _split_block(text, masked, start, end)
    return sentences


def hidden_markers(text: str) -> list[tuple[int, str]]:
    """(offset, marker) of each marker inside a code span, a link (its text,
    address or title), an autolink or raw HTML: there it would not become a
    note reference of its own."""
    spans = [*_OPAQUE.finditer(text), *_LINK_TEXT.finditer(text)]
    found = {(m.start() + span.start(), m.group()) for span in spans for m in MARKER.finditer(span.group())}
    return sorted(found)


def _masked(text: str) -> str:
    """`text` with what no sentence ends inside blanked out, offsets kept."""
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", "x", m.group()), text)


def malformed_markers(text: str) -> list[tuple[int, str]]:
    """(offset, what is written) of each '[^' that does not open a marker."""
    found = []
    for match in _OPENING.finditer(text):
        if not MARKER.match(text, match.start()):
            found.append((match.start(), _SHOWN_MALFORMED.match(text, match.start()).group()))
    return found


def _blocks(text: str):
    start = 0
    for gap in _BLOCK_BREAK.finditer(text):
        yield _after_list_marker(text, start), gap.start()
        start = gap.end()
    yield _after_list_marker(text, start), len(text)


def _after_list_marker(text: str, start: int) -> int:
    marker = _LIST_MARKER.match(text, start)
    return marker.end() if marker else start


def _split_block(text: str, masked: str, start: int, end: int) -> list[Sentence]:
    sentences = []
    begin = _skip_space(text, start, end)
    for match in _END.finditer(masked, begin, end):
        if not _ends_sentence(masked, match, end):
            continue
        sentences.append(_sentence(text, begin, match.end()))
        begin = _skip_space(text, match.end(), end)
    if begin < end and text[begin:end].strip():
        sentences.append(_sentence(text, begin, len(text[:end].rstrip())))
    return sentences


def _ends_sentence(text: str, match: re.Match, paragraph_end: int) -> bool:
    if match.group(3):  # the editor put markers here: the sentence ends
        return True
    following = _NEXT.match(text, match.end(), paragraph_end)
    if following is None:
        return True
    if following.group(1).islower():
        return False
    if match.group(1) != ".":
        return True
    return not _is_abbreviation(text[:match.start()])


def _is_abbreviation(before: str) -> bool:
    word = _WORD_BEFORE.search(before)
    if word is None:  # "in 2022." ends a sentence
        return False
    word_text = word.group(1)
    if "." in word_text:  # U.S, e.g, i.e: letters with full stops between them
        return True
    if len(word_text) == 1 and word_text.isupper():  # an initial: "Joseph R. Biden"
        return True
    return word_text.lower() in ABBREVIATIONS


def _skip_space(text: str, i: int, end: int) -> int:
    while i < end and text[i].isspace():
        i += 1
    return i


def _sentence(text: str, start: int, end: int) -> Sentence:
    written = text[start:end]
    numbers = tuple(dict.fromkeys(int(n) for n in MARKER.findall(written)))
    return Sentence(written, start, numbers)
