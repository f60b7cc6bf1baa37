"""Locating quotes in the archived documents.

Only runs of whitespace and the typographic variants of quotes, apostrophes
and dashes are forgiven; case, spelling and other punctuation must be
verbatim. A found quote's span points into the original, unnormalised text.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from timeline.record.quotes import NormalisedText, normalise

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "site_src" / "sources"

TEXT = (
    "  Talks in Istanbul\n\n"
    "In 2022 the two delegations met in Istanbul. \u201cNothing\u2019s going to happen until we meet,\u201d "
    "one of them said \u2014 twice.\n"
    "The second round lasted  six hours\n\tand ended without agreement; the 2\u20133 May plan was \u00abdropped\u00bb.\n"
)


@pytest.fixture
def doc() -> NormalisedText:
    return NormalisedText(TEXT)


def span_text(doc: NormalisedText, quote: str) -> str:
    span = doc.find(quote)
    assert span is not None, f"not found: {quote!r}"
    start, end = span
    assert 0 <= start < end <= len(doc.original)
    return doc.original[start:end]


# --- normalise ----------------------------------------------------------------

@pytest.mark.parametrize("raw, folded", [
    ("a  b\n\tc ", "a b c"),
    ("\u201cx\u201d \u2018y\u2019", "\"x\" 'y'"),
    ("\u201ex\u201f \u00abz\u00bb", "\"x\" \"z\""),
    ("it\u2019s", "it's"),
    ("a\u2014b\u2013c\u2012d\u2011e\u2010f\u2015g\u2212h", "a-b-c-d-e-f-g-h"),
    ("a\u00a0b", "a b"),  # a no-break space is whitespace
    ("Case, Stays; AS: is!", "Case, Stays; AS: is!"),
])
def test_normalise(raw, folded):
    assert normalise(raw) == folded


# --- find: what is forgiven ---------------------------------------------------

def test_exact_quote(doc):
    assert span_text(doc, "the two delegations met in Istanbul.") == "the two delegations met in Istanbul."


def test_straight_quotes_match_curly_ones(doc):
    original = span_text(doc, '"Nothing\'s going to happen until we meet,"')
    assert original == "\u201cNothing\u2019s going to happen until we meet,\u201d"


def test_curly_quotes_in_the_quote_match_too():
    straight = NormalisedText('He said "it\'s over" today.')
    assert span_text(straight, "\u201cit\u2019s over\u201d") == '"it\'s over"'


def test_hyphen_matches_em_dash_and_back(doc):
    assert span_text(doc, "said - twice") == "said \u2014 twice"
    assert span_text(NormalisedText("a six-hour session"), "six\u2014hour") == "six-hour"


def test_hyphen_matches_en_dash(doc):
    assert span_text(doc, "the 2-3 May plan") == "the 2\u20133 May plan"


def test_guillemets_match_straight_double_quotes(doc):
    assert span_text(doc, 'was "dropped"') == "was \u00abdropped\u00bb"


def test_whitespace_runs_and_line_breaks_are_forgiven(doc):
    original = span_text(doc, "lasted six hours and ended")
    assert original == "lasted  six hours\n\tand ended"
    assert span_text(doc, "  lasted\nsix   hours  ") == "lasted  six hours"


def test_quote_across_the_start_of_the_text(doc):
    assert span_text(doc, "Talks in Istanbul") == "Talks in Istanbul"
    assert doc.find("Talks in Istanbul")[0] == 2  # after the leading spaces of the original


def test_quote_at_the_end_of_the_text(doc):
    original = span_text(doc, "was \u00abdropped\u00bb.")
    assert TEXT.rstrip().endswith(original)


# --- find: what is not forgiven -----------------------------------------------

@pytest.mark.parametrize("quote", [
    "the Two delegations met",                # case
    "THE TWO DELEGATIONS MET",
    "the two delegations met in Istanbul!",   # other punctuation
    "the two delegations met, in Istanbul",
    "and ended without agreement. the",       # ';' is not '.'
    "Nothings going to happen",               # a missing apostrophe
    "said twice",                             # a missing dash
    "the two delegation met",                 # spelling
    "lastedsix hours",                        # whitespace cannot be removed
    "said -- twice",                          # two dashes are not one
])
def test_not_forgiven(doc, quote):
    assert doc.find(quote) is None


@pytest.mark.parametrize("quote", ["", "   ", "\n\t"])
def test_empty_quote_is_never_found(doc, quote):
    assert doc.find(quote) is None


# --- spans map back to the original -------------------------------------------

@pytest.mark.parametrize("quote", [
    "In 2022",
    "\"Nothing's going to happen until we meet,\" one of them said - twice. The second round lasted six hours",
    "six hours and ended without agreement; the 2-3 May plan",
    "In",
])
def test_span_maps_back_exactly(doc, quote):
    original = span_text(doc, quote)
    assert normalise(original) == normalise(quote)
    # The span neither starts nor ends in whitespace.
    assert original == original.strip()


def test_span_is_the_first_occurrence():
    doc = NormalisedText("one two. one two.")
    assert doc.find("one two") == (0, 7)


def test_text_property_is_the_normalised_document(doc):
    assert doc.text.startswith("Talks in Istanbul In 2022")
    assert "\n" not in doc.text and "  " not in doc.text
    assert normalise(TEXT) == doc.text.strip()


# --- closest ------------------------------------------------------------------

@pytest.mark.parametrize("quote, expected", [
    ("the two delegation met in Istanbul.", "the two delegations met in Istanbul."),
    ("lasted six hours and ended with agreement", "lasted six hours and ended without agreement;"),
    ("In 2022 The Two", "In 2022 the two"),
])
def test_closest_passage(doc, quote, expected):
    assert doc.closest(quote) == expected


def test_closest_for_a_quote_longer_than_the_document():
    short = NormalisedText("Only four words here.")
    assert short.closest("Only four words here, and then many more words that are not there") == (
        "Only four words here."
    )


def test_closest_is_empty_when_nothing_is_alike():
    assert NormalisedText("abc def").closest("xyz") == ""


# --- the archived documents ---------------------------------------------------

def _archived(prefix: str) -> NormalisedText:
    (path,) = ARCHIVE.glob(f"{prefix}_*.txt")
    return NormalisedText(path.read_text(encoding="utf-8"))


def test_straight_apostrophes_match_the_archived_curly_ones():
    doc = _archived("003")
    quote = "Initially, Russia demanded Ukraine's President Zelensky's removal from Kyiv"
    original = span_text(doc, quote)
    assert "Ukraine\u2019s President Zelensky\u2019s" in original
    assert doc.find(quote.replace("Russia", "russia")) is None


def test_hyphen_matches_an_archived_em_dash():
    doc = _archived("003")
    original = span_text(doc, "a continuation of the first conference-and therefore")
    assert original == "a continuation of the first conference\u2014and therefore"


def test_closest_in_an_archived_document():
    doc = _archived("004")
    assert doc.find("following an exhaustive seven-hour session") is None
    assert doc.closest("following an exhaustive seven-hour session") == "following an exhaustive six-hour session"


def test_quote_must_not_start_or_end_inside_a_word():
    doc = NormalisedText("The two delegations met in Istanbul.")
    assert doc.find("legations met") is None
    assert doc.find("delegations me") is None
    assert doc.find("delegations met") is not None
    assert doc.find("in Istanbul.") is not None
