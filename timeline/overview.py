"""The overview figure: a time-proportional axis, one mark per event.

Drawn as inline SVG at build time, so it needs no script; this module only
computes positions and the text alternative, the template draws them.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .model import Event

WIDTH = 1000
MARGIN = 24
BASELINE = 90
STEP = 9  # vertical distance between stacked marks
MAX_STACK = 8


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    event_id: str
    label: str


@dataclass(frozen=True)
class Overview:
    width: int
    height: int
    baseline: int
    ticks: tuple[tuple[float, str], ...]
    marks: tuple[Mark, ...]
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


def overview(events: tuple[Event, ...]) -> Overview | None:
    if not events:
        return None
    first_year = min(e.date.year for e in events)
    last_year = max(e.date.year for e in events)
    origin = dt.date(first_year, 1, 1)
    total = (dt.date(last_year + 1, 1, 1) - origin).days
    scale = (WIDTH - 2 * MARGIN) / total

    def x_of(day: dt.date) -> float:
        return round(MARGIN + (day - origin).days * scale, 1)

    ticks = tuple((x_of(dt.date(y, 1, 1)), str(y)) for y in range(first_year, last_year + 2))
    marks = []
    placed: list[float] = []  # x of every mark so far, sorted
    for event in events:
        x = x_of(_midpoint(event))
        nearby = bisect.bisect_left(placed, x + STEP) - bisect.bisect_right(placed, x - STEP)
        level = nearby % MAX_STACK
        bisect.insort(placed, x)
        label = f"{event.date.display(event.circa)}: {event.title}"
        marks.append(Mark(x, BASELINE - 10 - level * STEP, event.id, label))
    first = min(events, key=lambda e: e.date.sort_key())
    last = max(events, key=lambda e: e.date.sort_key())
    caption = (
        f"{_plural(len(events), 'event')} from {first.date.display()} to {last.date.display()}: "
        f"{year_counts_text(events)}."
    )
    return Overview(WIDTH, BASELINE + 28, BASELINE, ticks, tuple(marks), caption)
