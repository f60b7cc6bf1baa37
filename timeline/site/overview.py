"""The overview figure: a time-proportional axis, one mark per event.

Drawn as inline SVG at build time, so it needs no script; this module only
computes positions and the text alternative, the template draws them.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace

from timeline.record.model import Event
from timeline.render.when import words

WIDTH = 1000
MARGIN = 24
BASELINE = 90
STEP = 9  # vertical distance between stacked marks
MAX_STACK = 8


MAX_MARKS = 400  # beyond this, one bar per month instead of one mark per event
BAR_HEIGHT = 60
OPEN_REACH = 30  # how far an interval's open or unknown end is drawn, fading
LEGEND = {"exact": "a date", "qualified": "approximate or uncertain", "interval": "an interval",
          "span": "a date known only to its decade or century"}


@dataclass(frozen=True)
class Mark:
    """One event: a dot at its date, or a bar across its interval (`width`);
    hollow and dashed when `qualified` (approximate or uncertain)."""
    x: float
    y: float
    href: str
    label: str
    width: float = 0.0  # > 0: an interval, drawn from x to x + width
    span: bool = False  # a bar for a point known only to its decade or century
    qualified: bool = False
    fades: str = ""  # "start" or "end": the interval's open or unknown side


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
    legend: tuple[tuple[str, str], ...] = ()  # (kind, words) of the marks it draws: see LEGEND


def _known_days(event: Event) -> tuple[dt.date, dt.date]:
    """The first and last day drawn: what the date allows, its open or unknown side left out."""
    date = event.date
    first, last = date.earliest(), date.latest()
    return first or date.upper.start(), last or date.lower.last_day()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def year_counts_text(events) -> str:
    """'6 in 2022, none in 2023 or 2024, 17 in 2025': empty years named too."""
    counts = Counter(e.date.year for e in events if not e.date.anchor.unspecified_digits)
    vague = len(events) - sum(counts.values())
    if not counts:
        return f"{vague} known only to the decade or century"
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
    if vague:
        parts.append(f"{vague} known only to the decade or century")
    return ", ".join(parts)


def overview(events: tuple[Event, ...], href_of_event=None, href_of_month=None) -> Overview | None:
    """Positions for the figure. Marks link to `href_of_event(event)` (default
    '#ev-<id>'); with more than MAX_MARKS events, bars per month link to
    `href_of_month(year, month or None)`."""
    if not events:
        return None
    href_of_event = href_of_event or (lambda e: f"#ev-{e.id}")
    first_year = min(_known_days(e)[0].year for e in events)
    last_year = max(_known_days(e)[1].year for e in events)
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
        f"{_plural(len(events), 'event')} from {words(first.date)} to {words(last.date)}: "
        f"{year_counts_text(events)}."
    )
    if len(events) > MAX_MARKS and href_of_month is not None:
        bars = _bars(events, x_of, scale, href_of_month)
        return Overview(WIDTH, BASELINE + 28, BASELINE, ticks, (), bars, caption)
    marks = []
    placed: list[float] = []  # x of every mark so far, sorted
    for event in events:
        mark = _mark(event, x_of, href_of_event(event))
        nearby = bisect.bisect_left(placed, mark.x + mark.width + STEP) - bisect.bisect_right(placed, mark.x - STEP)
        for k in range(int(mark.width // STEP) + 1):  # a point, or a bar every STEP along it
            bisect.insort(placed, mark.x + k * STEP)
        marks.append(replace(mark, y=BASELINE - 10 - (nearby % MAX_STACK) * STEP))
    legend = _legend(marks)
    caption += "".join(f" {text}" for text in _legend_sentences(marks))
    return Overview(WIDTH, BASELINE + 28, BASELINE, ticks, tuple(marks), (), caption, legend)


def _mark(event: Event, x_of, href: str) -> Mark:
    """The event's mark, not yet stacked: a dot at the middle of a point's
    days, or a bar from an interval's first known day to its last."""
    date, label = event.date, f"{words(event.date, event.end)}: {event.title}"
    first, last = _known_days(event)
    if not date.interval and not date.point.unspecified_digits:
        return Mark(x_of(first + (last - first) / 2), 0, href, label, qualified=bool(date.point.qualifier))
    if not date.interval:  # a decade's dot would stand at a year no source gives
        return Mark(x_of(first), 0, href, label, width=round(x_of(last) - x_of(first), 1), span=True,
                    qualified=bool(date.point.qualifier))
    x0, x1 = x_of(first), x_of(last)
    fades = "start" if date.lower is None else "end" if date.upper is None else ""
    if fades == "start":
        x0 = max(MARGIN, x0 - OPEN_REACH)
    elif fades == "end":
        x1 = min(WIDTH - MARGIN, x1 + OPEN_REACH)
    qualified = date.approximate or date.uncertain
    return Mark(x0, 0, href, label, width=max(2.0, round(x1 - x0, 1)), qualified=qualified, fades=fades)


def _legend(marks) -> tuple[tuple[str, str], ...]:
    kinds = {"span" if m.span else "interval" if m.width else "qualified" if m.qualified else "exact" for m in marks}
    kinds |= {"qualified" for m in marks if m.qualified}  # a hollow bar too
    return tuple((kind, text) for kind, text in LEGEND.items() if kind in kinds)


def _legend_sentences(marks) -> list[str]:
    """What the figure's marks mean, in the text alternative."""
    intervals = sum(1 for m in marks if m.width and not m.span)
    spans = sum(1 for m in marks if m.span)
    qualified = sum(1 for m in marks if m.qualified)
    sentences = []
    if intervals:
        sentences.append(f"{_plural(intervals, 'interval')} drawn as bars, faded toward an open or unknown end.")
    if spans:
        sentences.append(f"{_plural(spans, 'date')} known only to the decade or century drawn as "
                         f"{'a pale bar' if spans == 1 else 'pale bars'} across it.")
    if qualified:
        sentences.append(f"{_plural(qualified, 'approximate or uncertain date')} drawn hollow and dashed.")
    return sentences


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
