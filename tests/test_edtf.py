"""Pins the behaviours of the `edtf` package (5.0.2) that the record wraps.

`timeline.record.edtf_reading` uses the package's grammar but works out what a
date means itself, because the package gets some of it wrong for a timeline.
Each test here asserts the package's own behaviour as it is in 5.0.2, so that a
release that changes it fails here and the wrapper is checked again, and that
`parse_date` gives the right answer instead.
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata

import pytest
from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException

from timeline.record.dates import DateError, parse_date


def ymd(bound) -> tuple[int, int, int]:
    """The year, month and day of one of the package's struct_time bounds."""
    return (bound.tm_year, bound.tm_mon, bound.tm_mday)


def date_error(text: str) -> str:
    with pytest.raises(DateError) as raised:
        parse_date(text)
    return str(raised.value)


def test_version_is_the_one_pinned():
    """The quirks below are those of 5.0.x; pyproject.toml pins edtf>=5.0.2,<5.1."""
    assert importlib.metadata.version("edtf").startswith("5.0.")


def test_open_ends_are_infinite_floats():
    """Open ends ('..') are float infinities among struct_times; ours are None, marked open."""
    assert parse_edtf("2025-07/..").upper_strict() == float("inf")
    assert parse_edtf("../2022-12").lower_strict() == float("-inf")
    after, before = parse_date("2025-07/.."), parse_date("../2022-12")
    assert after.latest() is None and after.upper_open
    assert before.earliest() is None and before.lower_open


def test_unknown_ends_are_padded_by_ten_years():
    """An unknown (empty) end is made up ten years away; ours stays unknown, and not open."""
    assert ymd(parse_edtf("/2022-12").lower_strict()) == (2012, 12, 31)
    assert ymd(parse_edtf("2022/").upper_strict()) == (2032, 1, 1)
    until, since = parse_date("/2022-12"), parse_date("2022/")
    assert until.earliest() is None and not until.lower_open
    assert since.latest() is None and not since.upper_open


def test_percent_sets_only_its_own_flag():
    """'%' is approximate and uncertain, but the package sets neither flag, only the combined one."""
    date = parse_edtf("2024-03-04%")
    assert date.is_uncertain_and_approximate
    assert not date.is_approximate and not date.is_uncertain
    ours = parse_date("2024-03-04%")
    assert ours.approximate and ours.uncertain


def test_fuzzy_bounds_of_a_qualified_day_span_years():
    """The fuzzy bounds of a '%' day reach two years either way, so the record never reads them."""
    date = parse_edtf("2024-03-04%")
    assert ymd(date.lower_fuzzy()) == (2022, 1, 2)
    assert ymd(date.upper_fuzzy()) == (2026, 5, 6)
    ours = parse_date("2024-03-04%")
    assert ours.earliest() == ours.latest() == dt.date(2024, 3, 4)


def test_a_reversed_interval_is_accepted():
    """An interval that ends before it starts is a mistake in the data, not a date."""
    assert ymd(parse_edtf("2022-11/2022-04").upper_strict()) == (2022, 4, 30)
    assert date_error("2022-11/2022-04") == (
        "'2022-11/2022-04' ends before it starts: the end, 2022-04, is before the start, 2022-11")


def test_level_2_seasons_are_accepted():
    """Seasons 25 to 41 are Level 2; the record reads only Levels 0 and 1."""
    assert type(parse_edtf("2022-25")).__name__ == "Level2Season"
    assert date_error("2022-25") == (
        "'2022-25': seasons are 21 to 24 (spring, summer, autumn, winter); "
        "25 is a Level 2 season, and only Levels 0 and 1 are read")


def test_winter_is_december_alone():
    """Winter runs from December into the next February, not to the end of its year."""
    assert ymd(parse_edtf("2022-24").upper_strict()) == (2022, 12, 31)
    assert parse_date("2022-24").latest() == dt.date(2023, 2, 28)


def test_29_february_of_a_common_year_is_accepted():
    """A day the calendar does not have is a mistake in the data."""
    assert ymd(parse_edtf("2022-02-29").lower_strict()) == (2022, 2, 29)
    assert date_error("2022-02-29") == "'2022-02-29' is not a real day (February 2022 has no day 29)"


def test_some_malformed_intervals_raise_type_error_and_print(capsys):
    """A malformed interval raises TypeError, not the parse exception, and prints to stdout."""
    with pytest.raises(TypeError):
        parse_edtf("/..")
    assert capsys.readouterr().out != ""
    assert date_error("/..") == "'/..' has neither a start nor an end; an interval needs at least one of them"
    assert capsys.readouterr().out == ""


def test_a_qualified_season_is_accepted_only_in_an_interval():
    """A season with a qualifier is not Level 1, alone or as an interval's end."""
    assert ymd(parse_edtf("2022-21~/2022-22").lower_strict()) == (2022, 3, 1)
    with pytest.raises(EDTFParseException):
        parse_edtf("2022-21~")
    for text in ("2022-21~", "2022-21~/2022-22"):
        assert date_error(text) == f"{text!r}: a season cannot carry a qualifier (~, ?, %) in EDTF Levels 0 and 1"


def test_objects_are_unhashable():
    """The package's dates cannot be set members or dict keys; ours can (a frozen dataclass)."""
    with pytest.raises(TypeError):
        hash(parse_edtf("2022"))
    assert {parse_date("2022"): 1}[parse_date("2022")] == 1
