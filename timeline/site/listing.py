"""How a list of events is cut into pages: by year, then month, then pages.

A list short enough for one page stays whole. A longer one becomes a page
of links to its years; a year too long for one page becomes links to its
months; a month too long becomes numbered pages. So no page grows without
bound, and every page is reachable by plain links (no script needed).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from timeline.record.dates import MONTHS
from timeline.render.when import words

EVENTS_PER_PAGE = 150
_YEAR = attrgetter("event.date.year")  # of a view; in C: called for every event of every list


@dataclass(frozen=True)
class Listing:
    path: str  # the page's folder relative to the site root: "", "years/2025/", "actors/russia/2025/05/"
    label: str  # what it covers: "", "2025", "May 2025", "May 2025, page 2 of 3"
    views: tuple  # every event under it, in date order
    parts: tuple["Listing", ...] = ()  # when cut: the pages it links to instead of listing events

    def leaves(self):
        """The pages that list events, in date order."""
        if not self.parts:
            yield self
        for part in self.parts:
            yield from part.leaves()

    def span(self) -> str:
        """'March 2022 – May 2025': the dates of its first and last events."""
        first, last = words(self.views[0].event.date), words(self.views[-1].event.date)
        return first if first == last else f"{first} – {last}"


def plan(views, path: str, label: str = "", sub: str = "", limit: int = EVENTS_PER_PAGE) -> Listing:
    """Cut `views` (in date order) into pages under `path` (+ `sub` for the years)."""
    views = tuple(views)
    if len(views) <= limit:
        return Listing(path, label, views)
    years = tuple(
        _year(tuple(group), f"{path}{sub}{year}/", year, limit)
        for year, group in groupby(views, key=_YEAR)
    )
    return Listing(path, label, views, years)


def _year(views: tuple, path: str, year: int, limit: int) -> Listing:
    if len(views) <= limit:
        return Listing(path, str(year), views)
    groups: dict[int | None, list] = {}
    for view in views:  # by key, not by runs: see render.by_month
        groups.setdefault(view.event.date.month, []).append(view)
    months = []
    for month, group in sorted(groups.items(), key=lambda item: item[0] or 0):
        group = tuple(group)
        label = f"{MONTHS[month - 1]} {year}" if month else f"{year}, month not known"
        months.append(_pages(group, f"{path}{month:02d}/" if month else f"{path}undated/", label, limit))
    return Listing(path, str(year), views, tuple(months))


def _pages(views: tuple, path: str, label: str, limit: int) -> Listing:
    if len(views) <= limit:
        return Listing(path, label, views)
    chunks = [views[i:i + limit] for i in range(0, len(views), limit)]
    pages = tuple(
        Listing(f"{path}{n}/", f"{label}, page {n} of {len(chunks)}", chunk)
        for n, chunk in enumerate(chunks, 1)
    )
    return Listing(path, label, views, pages)


def homes(listing: Listing) -> dict[str, str]:
    """Event id → the folder of the page that lists it."""
    return {view.event.id: leaf.path for leaf in listing.leaves() for view in leaf.views}


def month_pages(listing: Listing) -> dict[tuple[int, int | None], str]:
    """(year, month or None) → the most specific page covering that month."""
    found: dict[tuple[int, int | None], str] = {}

    def walk(node: Listing, depth: int) -> None:
        # depth 0: the whole list; 1: a year; 2: a month; 3: a numbered page
        if depth >= 2 or not node.parts:
            for view in node.views:
                found.setdefault((view.event.date.year, view.event.date.month), node.path)
            return
        for part in node.parts:
            walk(part, depth + 1)

    walk(listing, 0)
    return found


def nodes(listing: Listing):
    """Every page of the tree, parents before their parts, with its parent."""
    stack = [(listing, None)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((part, node) for part in reversed(node.parts))
