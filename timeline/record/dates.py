"""Event dates as archives write them: EDTF Levels 0 and 1 (ISO 8601-2).

An event's date is a point (a year, month, day or season, perhaps with
unspecified digits and a qualifier) or an interval between two points,
either of which may be open (``..``) or unknown (empty). TOML dates and
offset date-times stay the way to write an exact day or moment.

The precision is read from the text itself: nothing the data does not say
is ever filled in. Plain ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD`` are read
here; every other form is read by the standard's grammar
(:mod:`.edtf_reading`). How dates are put into words is
:mod:`timeline.render.when`.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)
# EDTF Level 1 seasons, northern hemisphere: (name, first month, last month).
# Winter runs from December into the next year's February.
SEASONS = {21: ("spring", 3, 5), 22: ("summer", 6, 8), 23: ("autumn", 9, 11), 24: ("winter", 12, 2)}
QUALIFIERS = {"~": "approximate", "?": "uncertain", "%": "approximate and uncertain"}
_PLAIN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


class DateError(ValueError):
    """A value that is not one of the accepted date forms."""


@dataclass(frozen=True)
class PartialDate:
    """One point in time, only as precise as written."""
    year: int  # with unspecified digits, the first year they allow (202X: 2020)
    month: int | None = None
    day: int | None = None
    moment: dt.datetime | None = None  # set only for offset date-times
    season: int | None = None  # 21-24 (SEASONS)
    unspecified_digits: int = 0  # of the year, from the right: 202X has 1
    qualifier: str = ""  # "~", "?" or "%" (QUALIFIERS)

    @property
    def precision(self) -> str:
        if self.moment is not None:
            return "time"
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        if self.season is not None:
            return "season"
        return ("year", "decade", "century", "millennium")[self.unspecified_digits]

    @property
    def approximate(self) -> bool:
        return self.qualifier in ("~", "%")

    @property
    def uncertain(self) -> bool:
        return self.qualifier in ("?", "%")

    def start(self) -> dt.date:
        """The first day the point allows."""
        if self.season is not None:
            return dt.date(self.year, SEASONS[self.season][1], 1)
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        """The last day the point allows."""
        if self.day is not None:
            return self.start()
        if self.month is not None:
            return _month_end(self.year, self.month)
        if self.season is not None:
            last = SEASONS[self.season][2]
            return _month_end(self.year + (last < SEASONS[self.season][1]), last)
        return dt.date(self.year + 10 ** self.unspecified_digits - 1, 12, 31)

    def iso(self) -> str:
        """An ISO 8601 (and HTML) value only as precise as the point, or ''
        where none holds it (a decade; a winter, which spans two years)."""
        if self.moment is not None:
            # HTML takes at most three digits of a second's fraction
            return self.moment.isoformat(timespec="milliseconds" if self.moment.microsecond else "seconds")
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        if self.unspecified_digits or self.start().year != self.last_day().year:
            return ""
        return f"{self.year:04d}"

    def time_display(self) -> str:
        """'15:00 UTC+03:00', or '' for dates without a time of day."""
        if self.moment is None:
            return ""
        offset = self.moment.strftime("%z")  # +0300
        zone = "UTC" if offset in ("+0000", "-0000") else f"UTC{offset[:3]}:{offset[3:]}"
        return f"{self.moment:%H:%M} {zone}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class EventDate:
    """When an event happened: a point, or an interval between two points.

    An interval's end is None when it is open ('..': it reaches
    indefinitely that way) or unknown (written empty): `*_open` tells which.
    """
    text: str  # as written: the EDTF string, or the ISO form of a TOML date
    lower: PartialDate | None
    upper: PartialDate | None
    interval: bool = False
    lower_open: bool = False
    upper_open: bool = False

    @classmethod
    def at(cls, point: PartialDate, text: str = "") -> "EventDate":
        return cls(text or point.iso(), point, point)

    @property
    def point(self) -> PartialDate | None:
        """The single point, or None for an interval."""
        return None if self.interval else self.lower

    @property
    def anchor(self) -> PartialDate:
        """Where the event is placed: its start, or its end when the start is
        open or unknown."""
        return self.lower or self.upper

    @property
    def year(self) -> int:
        return self.anchor.year

    @property
    def month(self) -> int | None:
        """The anchor's month, a season's first; None for a year or coarser."""
        anchor = self.anchor
        return anchor.month or (SEASONS[anchor.season][1] if anchor.season else None)

    @property
    def moment(self) -> dt.datetime | None:
        return self.point.moment if self.point else None

    @property
    def approximate(self) -> bool:
        return any(p.approximate for p in self.ends())

    @property
    def uncertain(self) -> bool:
        return any(p.uncertain for p in self.ends())

    @property
    def exact_day(self) -> bool:
        """Known to the day (or moment) with no qualifier: a calendar can hold it."""
        point = self.point
        return point is not None and point.precision in ("day", "time") and not point.qualifier

    def ends(self) -> tuple[PartialDate, ...]:
        return tuple(p for p in (self.lower, self.upper) if p is not None)

    def earliest(self) -> dt.date | None:
        """The first day the date allows; None when the start is open or unknown."""
        return self.lower.start() if self.lower else None

    def latest(self) -> dt.date | None:
        """The last day the date allows; None when the end is open or unknown."""
        return self.upper.last_day() if self.upper else None

    def sort_key(self) -> tuple:
        return self._sort_key

    @cached_property
    def _sort_key(self) -> tuple:
        # Kept: every check sorts all events again, and an unchanged event
        # keeps its date object. By the earliest day the date allows; an
        # open or unknown start by its end, before what starts that day;
        # moments by their own local clock time, after date-only events.
        anchor = self.anchor
        rank = 0 if self.lower is None else 1 + (anchor.moment is not None)
        clock = anchor.moment.time().replace(tzinfo=None) if anchor.moment else dt.time.min
        return (anchor.start(), rank, clock)

    def time_display(self) -> str:
        """The time of day of the date's start, when it is a moment."""
        return self.lower.time_display() if self.lower else ""

    def with_qualifier(self, qualifier: str) -> "EventDate":
        """A plain date or interval (of old-style `circa` and `end`) with
        `qualifier` on each end."""
        lower, upper = (dataclasses.replace(p, qualifier=qualifier, moment=None) for p in (self.lower, self.upper))
        text = "/".join(_day_text(p) + qualifier for p in self.ends()) if self.interval else _day_text(lower) + qualifier
        return dataclasses.replace(self, text=text, lower=lower, upper=upper)

    @classmethod
    def between(cls, start: PartialDate, end: PartialDate) -> "EventDate":
        """The interval from `start` to `end` (from an old-style `end`); one
        day when `end` is the day `start` is."""
        if {start.precision, end.precision} <= {"day", "time"} and end.start() == start.start():
            return cls.at(start, _day_text(start))
        return cls(f"{_day_text(start)}/{_day_text(end)}", start, end, interval=True)


def _day_text(point: PartialDate) -> str:
    """The EDTF of a point without its qualifier; a moment by its day (EDTF qualifies no time of day)."""
    return point.iso()[:10] if point.moment else point.iso()


def parse_date(value: object) -> EventDate:
    """Read a date in any accepted form, or raise DateError saying why not."""
    if isinstance(value, dt.datetime):  # must come before date: datetime is a date
        if value.tzinfo is None:
            raise DateError(
                f"date-time {value.isoformat()} has no UTC offset; "
                f"write it as {value.isoformat()}+00:00 (or the local offset)"
            )
        return EventDate.at(PartialDate(value.year, value.month, value.day, moment=value))
    if isinstance(value, dt.date):
        return EventDate.at(PartialDate(value.year, value.month, value.day))
    if isinstance(value, str):
        text = value.strip()
        match = _PLAIN.fullmatch(text)
        if match and int(match.group(2) or 1) <= 12:  # above 12: a season, or a mistake to explain
            return EventDate.at(plain_point(text, *match.groups()), text)
        from timeline.record.edtf_reading import read  # only files with other forms need the grammar
        return read(text)
    raise DateError(f"expected a date, found {type(value).__name__} {value!r}")


def plain_point(text: str, year: str, month: str | None, day: str | None, **fields) -> PartialDate:
    """The point 'YYYY[-MM[-DD]]', checked against the calendar."""
    y, m, d = (int(g) if g else None for g in (year, month, day))
    if y < 1:
        raise DateError(f"{text!r} has no year 0")
    if m is not None and not 1 <= m <= 12:
        raise DateError(f"{text!r} has no month {m}")
    if d is not None:
        try:
            dt.date(y, m, d)
        except ValueError:
            raise DateError(f"{text!r} is not a real day ({MONTHS[m - 1]} {y} has no day {d})") from None
    return PartialDate(y, m, d, **fields)


def ends_before(end: PartialDate, start: PartialDate) -> bool:
    """True when `end` cannot be after `start`, at the precision both have."""
    if end.moment is not None and start.moment is not None:
        return end.moment < start.moment
    return end.last_day() < start.start()
