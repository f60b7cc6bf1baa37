"""Parsing events.toml in pieces must give exactly what the plain parser gives."""
import sys
import tomllib
from pathlib import Path

import pytest

from timeline.record.lines import scan_lines
from timeline.record.load import parse, resolved

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_record  # noqa: E402


def plain(text):
    return tomllib.loads(text), scan_lines(text)


def ours(text):
    data, lines = parse(text)
    return resolved(data), lines.all()


def test_shipped_record_parses_the_same_in_pieces():
    text = (ROOT / "events.toml").read_text(encoding="utf-8")
    assert ours(text) == plain(text)


def test_synthetic_record_parses_the_same_in_pieces(tmp_path):
    text = write_record(tmp_path, 60).read_text(encoding="utf-8")
    assert ours(text) == plain(text)
    edited = text.replace('title = "Synthetic event 3:', 'title = "Edited event 3:', 1)
    assert ours(edited) == plain(edited)  # the cache serves unchanged pieces only


TRICKY = [
    # A header inside a multi-line string must not cut the string.
    '[site]\ntitle = "t"\n[[events]]\nid = "a"\nsummary = """\n[[events]]\nid = "b"\n"""\n',
    # Tables after the events belong to the document, not to the last event.
    '[[events]]\nid = "a"\n[sources.s1]\ntitle = "x"\n',
    # Sub-tables of an event stay with it.
    '[[events]]\nid = "a"\n  [[events.citations]]\n  source = "s"\n[[events]]\nid = "b"\n',
    '[[events]]  # first\nid = "a"\n\n# comment\n[[ events ]]\nid = "b"\n',
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_parse_the_same(text):
    assert ours(text) == plain(text)


def test_syntax_error_in_one_piece_is_reported_like_the_plain_parser():
    text = '[site]\ntitle = "t"\n[[events]]\nid = "a"\n[[events]]\nid = "b\n'
    with pytest.raises(tomllib.TOMLDecodeError) as ours:
        parse(text)
    with pytest.raises(tomllib.TOMLDecodeError) as theirs:
        tomllib.loads(text)
    assert str(ours.value) == str(theirs.value)


def test_the_fast_parser_reads_the_same_toml_version_as_tomllib():
    # TOML 1.1 allows newlines in inline tables; Python 3.11's tomllib does not.
    text = 'a = { b = 1,\n  c = 2 }\n'
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    with pytest.raises(tomllib.TOMLDecodeError):
        parse(text)
