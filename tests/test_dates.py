"""Partial dates: parsing, precision, display, sort keys, gaps and end checks.

The rule under test throughout: a date is only as precise as the data. A
year stays a year and a month stays a month; no day is ever filled in.
"""
from __future__ import annotations

import datetime as dt

import pytest

from timeline.record.dates import MONTHS, DateError, PartialDate, ends_before, gap_words, parse_date

UTC3 = dt.timezone(dt.timedelta(hours=3))


# --- parse_date ---------------------------------------------------------------

@pytest.mark.parametrize("value, expected, precision", [
    ("2022", PartialDate(2022), "year"),
    ("2022-03", PartialDate(2022, 3), "month"),
    ("2022-03-29", PartialDate(2022, 3, 29), "day"),
    ("  2022-03-29 ", PartialDate(2022, 3, 29), "day"),
    ("2024-02-29", PartialDate(2024, 2, 29), "day"),  # a leap day
    (dt.date(2025, 5, 16), PartialDate(2025, 5, 16), "day"),
])
def test_parse_accepted_forms(value, expected, precision):
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed.precision == precision
    assert parsed.moment is None


def test_parse_offset_datetime_keeps_the_moment():
    moment = dt.datetime(2025, 5, 16, 15, 0, tzinfo=UTC3)
    parsed = parse_date(moment)
    assert (parsed.year, parsed.month, parsed.day) == (2025, 5, 16)
    assert parsed.moment == moment
    assert parsed.moment.utcoffset() == dt.timedelta(hours=3)
    assert parsed.precision == "time"


def test_parse_local_datetime_is_refused():
    with pytest.raises(DateError) as error:
        parse_date(dt.datetime(2022, 3, 29, 10, 0))
    assert str(error.value) == (
        "date-time 2022-03-29T10:00:00 has no UTC offset; "
        "write it as 2022-03-29T10:00:00+00:00 (or the local offset)"
    )


NOT_A_DATE = ("is not a date; use \"YYYY\", \"YYYY-MM\", \"YYYY-MM-DD\", "
              "a TOML date or an offset date-time")


@pytest.mark.parametrize("value, message", [
    ("2025-02-30", "'2025-02-30' is not a real day (February 2025 has no day 30)"),
    ("2023-02-29", "'2023-02-29' is not a real day (February 2023 has no day 29)"),
    ("2022-04-31", "'2022-04-31' is not a real day (April 2022 has no day 31)"),
    ("2022-03-00", "'2022-03-00' is not a real day (March 2022 has no day 0)"),
    ("2025-13", "'2025-13' has no month 13"),
    ("2025-13-01", "'2025-13-01' has no month 13"),
    ("2025-00", "'2025-00' has no month 0"),
    ("0000", "'0000' has no year 0"),
    ("May 2025", f"'May 2025' {NOT_A_DATE}"),
    ("29 March 2022", f"'29 March 2022' {NOT_A_DATE}"),
    ("2025-5", f"'2025-5' {NOT_A_DATE}"),
    ("2025/05/16", f"'2025/05/16' {NOT_A_DATE}"),
    ("22-03-29", f"'22-03-29' {NOT_A_DATE}"),
    ("2022-03-29T10:00", f"'2022-03-29T10:00' {NOT_A_DATE}"),
    ("", f"'' {NOT_A_DATE}"),
    (2022, "expected a date, found int 2022"),
    (None, "expected a date, found NoneType None"),
    (True, "expected a date, found bool True"),
])
def test_parse_refuses_impossible_and_malformed_dates(value, message):
    with pytest.raises(DateError) as error:
        parse_date(value)
    assert str(error.value) == message


def test_date_error_is_a_value_error():
    assert issubclass(DateError, ValueError)


def test_year_zero_with_a_day_says_year_zero():
    with pytest.raises(DateError) as error:
        parse_date("0000-05-01")
    assert "no year 0" in str(error.value)


# --- no day is ever invented --------------------------------------------------

@pytest.mark.parametrize("month", range(1, 13))
def test_month_dates_have_no_day(month):
    parsed = parse_date(f"2018-{month:02d}")
    assert parsed.day is None
    assert parsed.iso() == f"2018-{month:02d}"
    assert parsed.display() == f"{MONTHS[month - 1]} 2018"
    assert not any(ch.isdigit() for ch in parsed.display().replace("2018", ""))


def test_year_dates_have_no_month_or_day():
    parsed = parse_date("2018")
    assert (parsed.month, parsed.day) == (None, None)
    assert parsed.iso() == "2018"
    assert parsed.display() == "2018"


def test_today_is_never_used():
    """dateutil's parser would fill in today's day for "2018-10"; we must not."""
    parsed = parse_date("2018-10")
    assert parsed == PartialDate(2018, 10)
    assert (parsed.day, parsed.moment) == (None, None)
    assert parsed.start() == dt.date(2018, 10, 1)  # the start of the period, for sorting only


# --- display, iso, time -------------------------------------------------------

@pytest.mark.parametrize("value, circa, shown", [
    ("2022-03-29", False, "29 March 2022"),
    ("2025-05-01", False, "1 May 2025"),
    ("2022-03", False, "March 2022"),
    ("2022", False, "2022"),
    ("2025-05", True, "c. May 2025"),
    ("2022-03-29", True, "c. 29 March 2022"),
    ("2022", True, "c. 2022"),
])
def test_display(value, circa, shown):
    assert parse_date(value).display(circa) == shown


def test_display_defaults_to_not_approximate():
    assert parse_date("2025-05").display() == "May 2025"


def test_display_of_a_moment_is_its_local_day():
    parsed = parse_date(dt.datetime(2025, 5, 16, 23, 30, tzinfo=UTC3))
    assert parsed.display() == "16 May 2025"
    assert parsed.iso() == "2025-05-16T23:30:00+03:00"


@pytest.mark.parametrize("value, iso", [
    ("2022", "2022"),
    ("2022-03", "2022-03"),
    ("2022-03-29", "2022-03-29"),
    (dt.date(2022, 3, 9), "2022-03-09"),
])
def test_iso_is_only_as_precise_as_the_data(value, iso):
    assert parse_date(value).iso() == iso


@pytest.mark.parametrize("offset, shown", [
    (dt.timedelta(hours=3), "15:00 UTC+03:00"),
    (dt.timedelta(0), "15:00 UTC"),
    (dt.timedelta(hours=-5, minutes=-30), "15:00 UTC-05:30"),
])
def test_time_display(offset, shown):
    moment = dt.datetime(2025, 5, 16, 15, 0, tzinfo=dt.timezone(offset))
    assert parse_date(moment).time_display() == shown


def test_time_display_is_empty_without_a_time():
    assert parse_date("2025-05-16").time_display() == ""
    assert parse_date("2025-05").time_display() == ""


# --- periods and sort keys ----------------------------------------------------

@pytest.mark.parametrize("value, start, last", [
    ("2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("2023-02", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
    ("2022-12", dt.date(2022, 12, 1), dt.date(2022, 12, 31)),
    ("2022-03-29", dt.date(2022, 3, 29), dt.date(2022, 3, 29)),
])
def test_start_and_last_day(value, start, last):
    parsed = parse_date(value)
    assert parsed.start() == start
    assert parsed.last_day() == last


def test_partial_dates_sort_at_the_start_of_their_period():
    year, month, first_day = parse_date("2022"), parse_date("2022-03"), parse_date("2022-03-01")
    later_day = parse_date("2022-03-29")
    earlier_day = parse_date("2021-12-31")
    assert earlier_day.sort_key() < year.sort_key() < month.sort_key() < later_day.sort_key()
    # A month and its first day tie, so a stable sort keeps file order.
    assert month.sort_key() == first_day.sort_key()
    assert parse_date("2022").sort_key() == parse_date("2022-01-01").sort_key()


def test_sorting_is_stable_for_ties():
    dates = [("b", parse_date("2022-03-01")), ("a", parse_date("2022-03")), ("c", parse_date("2022"))]
    ordered = sorted(dates, key=lambda item: item[1].sort_key())
    assert [name for name, _ in ordered] == ["c", "b", "a"]


def test_timed_events_sort_after_date_only_events_of_the_same_day():
    day = parse_date("2025-05-16")
    early = parse_date(dt.datetime(2025, 5, 16, 0, 0, tzinfo=UTC3))
    late = parse_date(dt.datetime(2025, 5, 16, 18, 0, tzinfo=dt.timezone.utc))
    next_day = parse_date("2025-05-17")
    assert day.sort_key() < early.sort_key() < late.sort_key() < next_day.sort_key()


def test_moments_sort_by_their_local_clock_within_the_day():
    # 10:00+03:00 is 07:00 UTC, earlier than 09:00+00:00, but the local clock decides.
    istanbul = parse_date(dt.datetime(2025, 5, 16, 10, 0, tzinfo=UTC3))
    london = parse_date(dt.datetime(2025, 5, 16, 9, 0, tzinfo=dt.timezone.utc))
    assert london.sort_key() < istanbul.sort_key()


# --- ends_before --------------------------------------------------------------

@pytest.mark.parametrize("end, start, before", [
    ("2022-03-28", "2022-03-29", True),
    ("2022-03-29", "2022-03-29", False),
    ("2022-03-30", "2022-03-29", False),
    ("2022-02", "2022-03-29", True),
    ("2022-03", "2022-03-29", False),   # March contains the 29th
    ("2022-03-01", "2022-03", False),   # ...and its own first day
    ("2022-02-28", "2022-03", True),
    ("2021", "2022-01-01", True),
    ("2022", "2022-12-31", False),
    ("2021-12-31", "2022", True),
])
def test_ends_before_dates(end, start, before):
    assert ends_before(parse_date(end), parse_date(start)) is before


def test_ends_before_moments_compares_instants():
    start = parse_date(dt.datetime(2025, 5, 16, 12, 0, tzinfo=dt.timezone.utc))
    same_instant = parse_date(dt.datetime(2025, 5, 16, 15, 0, tzinfo=UTC3))
    a_minute_early = parse_date(dt.datetime(2025, 5, 16, 14, 59, tzinfo=UTC3))
    assert not ends_before(same_instant, start)
    assert ends_before(a_minute_early, start)


def test_ends_before_mixing_a_moment_and_a_day_uses_days():
    start = parse_date(dt.datetime(2025, 5, 16, 12, 0, tzinfo=dt.timezone.utc))
    assert not ends_before(parse_date("2025-05-16"), start)
    assert ends_before(parse_date("2025-05-15"), start)


# --- gap_words ----------------------------------------------------------------

@pytest.mark.parametrize("earlier, later, words", [
    ("2022-03-29", "2025-05-16", "3 years, 1 month later"),
    ("2022-03-29", "2023-03-29", "1 year later"),
    ("2022-03", "2023-03", "1 year later"),
    ("2024-05", "2025-03", "10 months later"),
    ("2021-03", "2022-02", "11 months later"),
    ("2025-05-16", "2026-02", "8 months later"),
    ("2022-03-29", "2022-05-29", "2 months later"),
    # Less than two months apart: nothing to say.
    ("2022-03-29", "2022-05-28", ""),
    ("2022-03", "2022-04", ""),
    ("2022-02", "2022-03-29", ""),
    ("2022-03-29", "2022-03-29", ""),
    # Later before earlier: nothing either.
    ("2025-05-16", "2022-03-29", ""),
    # A year-only date: months are not named, and the count is approximate.
    ("2022", "2025-05", "about 3 years later"),
    ("2022", "2025", "about 3 years later"),
    ("2022", "2022-12", "later the same year"),
    ("2024-06", "2025", "later"),
])
def test_gap_words(earlier, later, words):
    assert gap_words(parse_date(earlier), parse_date(later)) == words


def test_gap_words_minimum():
    assert gap_words(parse_date("2022-03"), parse_date("2022-04"), minimum_months=1) == "1 month later"
    assert gap_words(parse_date("2022-03"), parse_date("2022-06"), minimum_months=6) == ""


def test_gap_words_never_counts_days():
    for later in ("2022-06-30", "2023-01-15", "2025-12-31"):
        words = gap_words(parse_date("2022-03-01"), parse_date(later))
        assert words and "day" not in words
