"""Partial dates: a year, a month, a day, or an exact moment with its offset.

The precision is read from the text itself. We never let a parser fill in
what the data does not say (``dateutil.parser.parse("2018-10")`` silently
takes today's day), so strings are matched by pattern and checked with
``datetime.date``; dateutil does the calendar arithmetic for gaps.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from dateutil.relativedelta import relativedelta

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class DateError(ValueError):
    """A value that is not one of the accepted date forms."""


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None
    moment: dt.datetime | None = None  # set only for offset date-times

    @property
    def precision(self) -> str:
        if self.moment is not None:
            return "time"
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def start(self) -> dt.date:
        """The first day of the period; partial dates sort at their start."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The last day of the period (for `end` checks and calendars)."""
        if self.day is not None:
            return self.start()
        if self.month is not None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)

    def sort_key(self) -> tuple:
        return self._sort_key

    @cached_property
    def _sort_key(self) -> tuple:
        # Kept: every check sorts all events again, and an unchanged event
        # keeps its date object (a tenth of the preview's check at 4,000).
        # Moments sort by their own local clock time within the day; a
        # date-only event sorts before timed events of the same day.
        clock = self.moment.time().replace(tzinfo=None) if self.moment else dt.time.min
        return (self.start(), self.moment is not None, clock)

    def iso(self) -> str:
        """The value for ``<time datetime>``: only as precise as the data."""
        if self.moment is not None:
            return self.moment.isoformat()
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def display(self, circa: bool = False) -> str:
        """'29 March 2022', 'March 2022', '2022'; 'c. ' in front when approximate."""
        if self.day is not None:
            text = f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        elif self.month is not None:
            text = f"{MONTHS[self.month - 1]} {self.year}"
        else:
            text = str(self.year)
        return f"c. {text}" if circa else text

    def time_display(self) -> str:
        """'15:00 UTC+03:00', or '' for dates without a time of day."""
        if self.moment is None:
            return ""
        offset = self.moment.strftime("%z")  # +0300
        zone = "UTC" if offset in ("+0000", "-0000") else f"UTC{offset[:3]}:{offset[3:]}"
        return f"{self.moment:%H:%M} {zone}"


def parse_date(value: object) -> PartialDate:
    """Read a date in any accepted form, or raise DateError saying why not."""
    if isinstance(value, dt.datetime):  # must come before date: datetime is a date
        if value.tzinfo is None:
            raise DateError(
                f"date-time {value.isoformat()} has no UTC offset; "
                f"write it as {value.isoformat()}+00:00 (or the local offset)"
            )
        return PartialDate(value.year, value.month, value.day, moment=value)
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, str):
        match = _PARTIAL.fullmatch(value.strip())
        if not match:
            raise DateError(
                f"{value!r} is not a date; use \"YYYY\", \"YYYY-MM\", \"YYYY-MM-DD\", "
                "a TOML date or an offset date-time"
            )
        year, month, day = (int(g) if g else None for g in match.groups())
        if year < 1:
            raise DateError(f"{value!r} has no year 0")
        if month is not None and not 1 <= month <= 12:
            raise DateError(f"{value!r} has no month {month}")
        if day is not None:
            try:
                dt.date(year, month, day)
            except ValueError:
                raise DateError(f"{value!r} is not a real day ({MONTHS[month - 1]} {year} has no day {day})") from None
        return PartialDate(year, month, day)
    raise DateError(f"expected a date, found {type(value).__name__} {value!r}")


def ends_before(end: PartialDate, start: PartialDate) -> bool:
    """True when `end` cannot be after `start`, at the precision both have."""
    if end.moment is not None and start.moment is not None:
        return end.moment < start.moment
    return end.last_day() < start.start()


def gap_words(earlier: PartialDate, later: PartialDate, minimum_months: int = 2) -> str:
    """'3 years, 1 month later' between two far-apart dates, else ''.

    Only units both dates are precise enough for are named, so a
    month-precision pair never produces a number of days.
    """
    delta = relativedelta(later.start(), earlier.start())
    months = delta.years * 12 + delta.months
    if months < minimum_months:
        return ""
    parts = []
    if delta.years:
        parts.append(f"{delta.years} year{'s' if delta.years != 1 else ''}")
    both_have_months = earlier.month is not None and later.month is not None
    if delta.months and both_have_months:
        parts.append(f"{delta.months} month{'s' if delta.months != 1 else ''}")
    if not parts:  # e.g. 11 months between a year-only and a month date
        return "later the same year" if earlier.year == later.year else "later"
    prefix = "about " if not both_have_months else ""
    return f"{prefix}{', '.join(parts)} later"


def display_range(start: PartialDate, end: PartialDate | None, circa: bool = False) -> str:
    """'16 May 2025', '13–15 May 2025', 'March 2022 – April 2022'."""
    if end is None or end.iso()[:10] == start.iso()[:10]:
        return start.display(circa)
    same_month = start.day and end.day and (start.year, start.month) == (end.year, end.month)
    if same_month:
        text = f"{start.day}–{end.display()}"
    else:
        text = f"{start.display()} – {end.display()}"
    return f"c. {text}" if circa else text
