"""The overview figure: a time-proportional axis, one mark per event.

Drawn as inline SVG at build time, so it needs no script; this module only
computes positions and the text alternative, the template draws them.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from timeline.record.model import Event

WIDTH = 1000
MARGIN = 24
BASELINE = 90
STEP = 9  # vertical distance between stacked marks
MAX_STACK = 8


MAX_MARKS = 400  # beyond this, one bar per month instead of one mark per event
BAR_HEIGHT = 60


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    href: str
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    href: str
    label: str


@dataclass(frozen=True)
class Overview:
    width: int
    height: int
    baseline: int
    ticks: tuple[tuple[float, str], ...]
    marks: tuple[Mark, ...]
    bars: tuple[Bar, ...]
    caption: str


def _midpoint(event: Event) -> dt.date:
    start, last = event.date.start(), event.date.last_day()
    return start + (last - start) / 2


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def year_counts_text(events) -> str:
    """'6 in 2022, none in 2023 or 2024, 17 in 2025': empty years named too."""
    counts = Counter(e.date.year for e in events)
    years = range(min(counts), max(counts) + 1)
    parts, empty = [], []
    for year in years:
        if counts[year]:
            if empty:
                parts.append(f"none in {' or '.join(map(str, empty))}" if len(empty) < 3 else f"none from {empty[0]} to {empty[-1]}")
                empty = []
            parts.append(f"{counts[year]} in {year}")
        else:
            empty.append(year)
    return ", ".join(parts)


def overview(events: tuple[Event, ...], href_of_event=None, href_of_month=None) -> Overview | None:
    """Positions for the figure. Marks link to `href_of_event(event)` (default
    '#ev-<id>'); with more than MAX_MARKS events, bars per month link to
    `href_of_month(year, month or None)`."""
    if not events:
        return None
    href_of_event = href_of_event or (lambda e: f"#ev-{e.id}")
    first_year = min(e.date.year for e in events)
    last_year = max(e.date.year for e in events)
    origin = dt.date(first_year, 1, 1)
    total = (dt.date(last_year, 12, 31) - origin).days + 1  # not 1 January next year: 9999 has none
    scale = (WIDTH - 2 * MARGIN) / total

    def x_of(day: dt.date) -> float:
        return round(MARGIN + (day - origin).days * scale, 1)

    ticks = tuple((x_of(dt.date(y, 1, 1)), str(y)) for y in range(first_year, last_year + 1))
    ticks += ((round(MARGIN + total * scale, 1), str(last_year + 1)),)  # the axis' end
    first = min(events, key=lambda e: e.date.sort_key())
    last = max(events, key=lambda e: e.date.sort_key())
    caption = (
        f"{_plural(len(events), 'event')} from {first.date.display()} to {last.date.display()}: "
        f"{year_counts_text(events)}."
    )
    if len(events) > MAX_MARKS and href_of_month is not None:
        bars = _bars(events, x_of, scale, href_of_month)
        return Overview(WIDTH, BASELINE + 28, BASELINE, ticks, (), bars, caption)
    marks = []
    placed: list[float] = []  # x of every mark so far, sorted
    for event in events:
        x = x_of(_midpoint(event))
        nearby = bisect.bisect_left(placed, x + STEP) - bisect.bisect_right(placed, x - STEP)
        level = nearby % MAX_STACK
        bisect.insort(placed, x)
        label = f"{event.date.display(event.circa)}: {event.title}"
        marks.append(Mark(x, BASELINE - 10 - level * STEP, href_of_event(event), label))
    return Overview(WIDTH, BASELINE + 28, BASELINE, ticks, tuple(marks), (), caption)


def _bars(events, x_of, scale: float, href_of_month) -> tuple[Bar, ...]:
    """One bar per month (per year for events known only to the year)."""
    counts = Counter((e.date.year, e.date.month) for e in events)
    tallest = max(counts.values())
    bars = []
    for (year, month), count in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        if month:
            start = dt.date(year, month, 1)
            days = calendar.monthrange(year, month)[1]
            label = f"{dt.date(year, month, 1):%B %Y}: {_plural(count, 'event')}"
        else:
            # As wide as a month, at the year's start, where such events sort;
            # a bar across the whole year would hide the months' bars.
            start, days = dt.date(year, 1, 1), 31
            label = f"{year}, month not known: {_plural(count, 'event')}"
        # Widths from day counts: the day after December 9999 does not exist.
        x0 = x_of(start)
        x1 = x0 + days * scale
        height = max(2.0, round(BAR_HEIGHT * count / tallest, 1))
        bars.append(Bar(x0, round(BASELINE - height, 1), max(1.0, round(x1 - x0 - 0.5, 1)), height,
                        href_of_month(year, month), label))
    return tuple(bars)
