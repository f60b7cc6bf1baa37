"""Dates in words, as every page and output shows them, never more precise
than the data: 'spring 2022', 'between April and November 2022',
'c. May 2025', 'February 2026 (uncertain)', 'before December 2022'.

`parts` gives the words in pieces, each known point with the HTML value
of what is known of it, for ``<time datetime>``.
"""
from __future__ import annotations

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from timeline.record.dates import MONTHS, QUALIFIERS, SEASONS, EventDate, PartialDate


@dataclass(frozen=True)
class WhenPart:
    text: str
    datetime: str = ""  # the HTML value of a point, or "" for joining words


def point_words(point: PartialDate, with_year: bool = True) -> str:
    """'29 March 2022', 'March 2022', 'spring 2022', 'the 2020s', without qualifier."""
    year = f" {point.year}" if with_year else ""
    if point.day is not None:
        return f"{point.day} {MONTHS[point.month - 1]}{year}"
    if point.month is not None:
        return f"{MONTHS[point.month - 1]}{year}"
    if point.season is not None:
        name = SEASONS[point.season][0]
        if point.season != 24:
            return f"{name} {point.year}"
        following = point.year + 1  # winter reaches into it: 'winter 2022–23', 'winter 1999–2000'
        shown = f"{following % 100:02d}" if following // 100 == point.year // 100 else str(following)
        return f"{name} {point.year}–{shown}"
    if point.unspecified_digits == 1:
        return f"the {point.year}s"
    if point.unspecified_digits:
        return f"{point.year}–{point.last_day().year}"
    return str(point.year)


def _point_parts(point: PartialDate, with_year: bool = True) -> list[WhenPart]:
    """The point's words with its qualifier: 'c. May 2025', 'February 2026 (uncertain)'."""
    words = WhenPart(point_words(point, with_year), point.iso())
    if point.qualifier == "~":
        return [WhenPart("c. "), words]
    if point.qualifier:
        return [words, WhenPart(f" ({QUALIFIERS[point.qualifier]})")]
    return [words]


def parts(date: EventDate, end: PartialDate | None = None) -> tuple[WhenPart, ...]:
    """The date in words, in pieces; `end` is the moment a timed event ended."""
    lower, upper = date.lower, date.upper
    if not date.interval:
        also = [WhenPart(" – "), *_point_parts(end)] if end and end.start() != lower.start() else []
        return tuple(_point_parts(lower) + also)
    if lower and upper:
        return tuple(_range(lower, upper))
    if upper:
        return tuple([WhenPart("before ")] + _point_parts(upper) if date.lower_open
                     else [WhenPart("until ")] + _point_parts(upper) + [WhenPart(", start unknown")])
    return tuple([WhenPart("after ")] + _point_parts(lower) if date.upper_open
                 else [WhenPart("from ")] + _point_parts(lower) + [WhenPart(", end unknown")])


def _range(lower: PartialDate, upper: PartialDate) -> list[WhenPart]:
    """'13–15 May 2025', '30 May – 2 June 2025' for exact days; else 'between April and November 2022'."""
    days = ("day", "time")  # a moment's day: its time of day is shown beside the words
    if not lower.qualifier and not upper.qualifier and lower.precision in days and upper.precision in days:
        same_month = (lower.year, lower.month) == (upper.year, upper.month)
        first = str(lower.day) if same_month else point_words(lower, with_year=lower.year != upper.year)
        return [WhenPart(first, lower.iso()), WhenPart("–" if same_month else " – "),
                WhenPart(point_words(upper), upper.iso())]
    same_year = lower.year == upper.year and not lower.qualifier and lower.precision in ("month", "day") \
        and upper.precision in ("month", "day")
    return [WhenPart("between "), *_point_parts(lower, with_year=not same_year), WhenPart(" and "),
            *_point_parts(upper)]


def point_text(point: PartialDate) -> str:
    """One point in words with its qualifier: 'c. May 2025'."""
    return "".join(part.text for part in _point_parts(point))


def words(date: EventDate, end: PartialDate | None = None) -> str:
    """The date in words, as one string."""
    return "".join(part.text for part in parts(date, end))


def gap_words(earlier: EventDate, later: EventDate, minimum_months: int = 2) -> str:
    """'3 years, 1 month later' between two far-apart dates, else ''.

    Measured from the last point known of the earlier date to the first
    known of the later. Only units both points are precise enough for are
    named, and 'about' is said where either date is approximate or
    uncertain, or a unit is missing.
    """
    start, end = earlier.upper or earlier.lower, later.lower or later.upper
    delta = relativedelta(end.start(), start.start())
    months = delta.years * 12 + delta.months
    if months < minimum_months:
        return ""
    both_have_months = start.month is not None and end.month is not None
    parts = []
    if delta.years:
        parts.append(f"{delta.years} year{'s' if delta.years != 1 else ''}")
    if delta.months and both_have_months:
        parts.append(f"{delta.months} month{'s' if delta.months != 1 else ''}")
    if not parts:  # e.g. 11 months between a year-only and a month date
        return "later the same year" if start.year == end.year else "later"
    qualified = any(p.qualifier for p in (*earlier.ends(), *later.ends()))
    about = "about " if qualified or not both_have_months else ""
    return f"{about}{', '.join(parts)} later"
