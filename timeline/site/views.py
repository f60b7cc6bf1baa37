"""The events as pages show them: views made once per event, grouped by month.

Python prepares these plain, frozen objects; the templates only present
them. A view's `fingerprint` stands for everything it shows, so page keys
(site.pages) need not look inside it.
"""
from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from timeline.record.dates import MONTHS, PartialDate
from timeline.record.model import Citation, Event, Site, Source
from timeline.record.sentences import MARKER
from timeline.render.markdown import Markdown
from timeline.render.notes import link_markers, words_of
from timeline.render.text import duration_words, slugify
from timeline.render.when import WhenPart, gap_words, parts, point_words, words
from timeline.site import urls
from timeline.site.changes import CorrectionView, correction_views
from timeline.site.fragments import FragmentCache

NO_HTML = Markup("")
EDITORS_NOTE = "the editors’ note"  # where a marker stands when not in the summary


@dataclass(frozen=True)
class Link:
    text: str
    url: str  # relative to the site root


@dataclass(frozen=True)
class CitationView:
    quote: str
    source: Source
    url: str  # the highlighted passage: sources/<id>/#passage-N


@dataclass(frozen=True)
class Backlink:
    """From a note back to a sentence that cites it."""
    id: str  # of the sentence's marker
    label: str  # "sentence 2", "the editors’ note"


@dataclass(frozen=True)
class NoteView:
    """One citation of an event, as the note its markers point to."""
    number: int
    id: str
    citation: CitationView
    backlinks: tuple[Backlink, ...]


@dataclass(frozen=True)
class VersionView:
    claim: str
    citation: CitationView


@dataclass(frozen=True)
class DifferenceView:
    about: str
    note: str
    versions: tuple[VersionView, ...]


def fingerprint(value) -> str:
    """A digest of everything a rendered fragment depends on.

    Cache keys compare digests instead of deep structures, which made cache
    lookups the slowest part of a warm rebuild. The frozen dataclasses'
    repr is complete and deterministic, and BLAKE2 makes collisions moot.
    """
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=20).hexdigest()


@dataclass(frozen=True)
class EventView:
    event: Event
    url: str
    when: str  # the date in words (render.when)
    when_parts: tuple[WhenPart, ...]  # the same words in pieces, each point with its HTML value
    time: str
    duration: str
    actors: tuple[Link, ...]
    tags: tuple[Link, ...]
    notes: tuple[NoteView, ...]
    differences: tuple[DifferenceView, ...]
    source_ids: tuple[str, ...]
    summary_html: Markup
    editor_note_html: Markup
    description: str  # the summary's first words, for meta descriptions
    fingerprint: str
    corrections: tuple[CorrectionView, ...] = ()  # newest first
    uncommitted: bool = False  # changed since the last commit: marked in the preview only


@dataclass(frozen=True)
class Citing:
    """An event quoting a passage, as its source's page lists it."""
    url: str
    title: str
    when: str
    anchor: str  # of the passage on the source's page
    event_id: str
    sentences: tuple[Link, ...] = ()  # what cites it: see citing_sentences


@dataclass(frozen=True)
class MonthGroup:
    id: str
    label: str
    gap: str  # words for the time since the previous group's last event
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]

    @property
    def label(self) -> str:
        """The year, or 'the 2020s' when all it holds is known only to the decade (or century)."""
        vague = all(view.event.date.anchor.unspecified_digits for m in self.months for view in m.events)
        return words(self.months[0].events[0].event.date) if vague else str(self.year)

    @property
    def count(self) -> int:
        return sum(len(m.events) for m in self.months)


def _citation_view(citation: Citation, site: Site) -> CitationView:
    source = site.sources[citation.source_id]
    return CitationView(citation.quote, source, urls.passage(source.id, citation.anchor))


class Names:
    """Actor and tag names ↔ their page slugs (distinct names never share one),
    and one link to each name's page, shared by every event that has it."""

    def __init__(self, names, kind: str):
        self.kind = kind  # "actors" or "tags": the folder of their pages
        self.slugs: dict[str, str] = {}
        used: set[str] = set()
        for name in sorted(set(names)):
            slug, n = slugify(name), 2
            while slug in used:
                slug, n = f"{slugify(name)}-{n}", n + 1
            used.add(slug)
            self.slugs[name] = slug
        self.links = {name: Link(name, urls.name(kind, slug)) for name, slug in self.slugs.items()}


def event_view(event: Event, site: Site, actors: Names, tags: Names, markdown: Markdown,
               cache: FragmentCache | None = None, uncommitted: bool = False) -> EventView:
    """The event as its templates show it; reused while the event is unchanged.

    Validation hands out the same Event object for an unchanged event, and
    `views_context` (checked by site.pages.Pages) covers what else a view
    shows, so identity alone identifies an unchanged view.
    """
    if cache is not None:
        hit = cache.views.get(id(event))
        if hit is not None and hit[0] is event and hit[1].uncommitted == uncommitted:
            cache.next_views[id(event)] = hit
            return hit[1]
    actor_links = tuple(actors.links[a] for a in event.actors)
    tag_links = tuple(tags.links[t] for t in event.tags)
    cited = tuple(sorted({(s.id, s.title, s.publisher, s.kind)
                          for s in (site.sources[c.source_id] for c in event.all_citations())}))
    view = _make_view(event, site, markdown, actor_links, tag_links, cited, uncommitted)
    if cache is not None:
        cache.next_views[id(event)] = (event, view)
    return view


def views_context(site: Site, actors: Names, tags: Names) -> tuple:
    """What an event's view shows besides the event: source titles and name slugs."""
    return (tuple((s.id, s.title, s.publisher, s.file, s.kind) for s in sorted(site.sources.values(), key=lambda s: s.id)),
            tuple(actors.slugs.items()), tuple(tags.slugs.items()))


def _make_view(event: Event, site: Site, markdown: Markdown, actor_links, tag_links, cited,
               uncommitted: bool = False) -> EventView:
    date = event.date
    summary_markers = len(MARKER.findall(event.summary))
    note_id, marker_id = partial(urls.note_id, event.id), partial(urls.marker_id, event.id)
    summary_html = link_markers(markdown.html(event.summary), note_id, marker_id)
    editor_note_html = (link_markers(markdown.html(event.editor_note), note_id, marker_id, summary_markers + 1)
                        if event.editor_note else NO_HTML)
    return EventView(
        event=event,
        url=urls.event(event.id),
        when=words(date, event.end),
        when_parts=parts(date, event.end),
        time=_times(date, event.end),
        duration=duration_words(event.duration_minutes) if event.duration_minutes else "",
        actors=actor_links,
        tags=tag_links,
        notes=_notes(event, site),
        differences=tuple(
            DifferenceView(d.about, d.note, tuple(VersionView(v.claim, _citation_view(v.citation, site)) for v in d.versions))
            for d in event.differences
        ),
        source_ids=tuple(sorted({c.source_id for c in event.all_citations()})),
        summary_html=summary_html,
        editor_note_html=editor_note_html,
        description=words_of(markdown, event.summary, limit=200),
        fingerprint=fingerprint((event, cited, actor_links, tag_links, uncommitted)),
        corrections=correction_views(event, markdown),
        uncommitted=uncommitted,
    )


def _times(date, end: PartialDate | None) -> str:
    """'15:00 UTC+03:00', or '10:00–16:00 UTC+01:00' when the moment it ended is that day's."""
    start = date.time_display()
    if end is None or end.start() != date.lower.start():
        return start
    finish = end.time_display()
    same_zone = start.split(" ", 1)[1] == finish.split(" ", 1)[1]
    return f"{start.split(' ')[0]}–{finish}" if same_zone else f"{start} – {finish}"


def _notes(event: Event, site: Site) -> tuple[NoteView, ...]:
    """Each citation as a note, with a way back to every sentence citing it."""
    backlinks = defaultdict(list)
    for number, sentence, k in marker_uses(event):
        label = f"sentence {sentence}" if sentence else EDITORS_NOTE
        backlinks[number].append(Backlink(urls.marker_id(event.id, k), label))
    return tuple(NoteView(n, urls.note_id(event.id, n), _citation_view(c, site), tuple(backlinks[n]))
                 for n, c in enumerate(event.citations, 1))


def marker_uses(event: Event):
    """(citation number, sentence, k) for the k-th marker of the event: the
    summary's, sentence by sentence (from 1), then the editors' note's
    (sentence 0)."""
    k = 0
    for index, sentence in enumerate(event.sentences, 1):
        for match in MARKER.finditer(sentence.text):
            k += 1
            yield int(match.group(1)), index, k
    for match in MARKER.finditer(event.editor_note):
        k += 1
        yield int(match.group(1)), 0, k


def citing_sentences(event: Event, source_id: str, anchor: str, markdown: Markdown) -> tuple[Link, ...]:
    """What cites a passage: each sentence (or the editors' note, or a version
    of a difference), linked to where it stands on the event's page."""
    numbers = {n for n, c in enumerate(event.citations, 1) if (c.source_id, c.anchor) == (source_id, anchor)}
    links, seen = [], set()
    for number, sentence, k in marker_uses(event):
        if number in numbers and sentence not in seen:
            seen.add(sentence)
            text = words_of(markdown, event.sentences[sentence - 1].text) if sentence else EDITORS_NOTE.capitalize()
            links.append(Link(text, urls.marker(event.id, k)))
    for difference in event.differences:
        for version in difference.versions:
            if (version.citation.source_id, version.citation.anchor) == (source_id, anchor):
                links.append(Link(f"{difference.about}: {version.claim}", urls.event(event.id)))
    return tuple(links)


def by_month(views) -> dict[tuple[int, int | None], list]:
    """(year, month or None) → its events, year by year, 'month not known' first.

    Grouped by key rather than by runs: an event known only to its year
    sorts at 1 January and can fall between two January events.
    """
    groups: dict[tuple[int, int | None], list] = defaultdict(list)
    for view in views:
        groups[(view.event.date.year, view.event.date.month)].append(view)
    return dict(sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or 0)))


def _undated_label(year: int, bucket) -> str:
    """'2022, month not known'; 'the 2020s, year not known' for dates known only to the decade."""
    vague = {view.event.date.anchor.unspecified_digits for view in bucket}
    if vague == {0}:
        return f"{year}, month not known"
    if len(vague) == 1:
        return f"{point_words(PartialDate(year, unspecified_digits=vague.pop()))}, year not known"
    return f"{year}, month not known, and dates known only to the decade or century"


def group_by_month(views: list[EventView]) -> tuple[YearGroup, ...]:
    """Years → months → events, with a gap marker where time passed."""
    years: dict[int, list[MonthGroup]] = defaultdict(list)
    previous = None
    for (year, month), bucket in by_month(views).items():
        label = f"{MONTHS[month - 1]} {year}" if month else _undated_label(year, bucket)
        gap = gap_words(previous.event.date, bucket[0].event.date) if previous else ""
        years[year].append(MonthGroup(f"y{year}-{month or 0:02d}", label, gap, tuple(bucket)))
        previous = bucket[-1]
    return tuple(YearGroup(y, tuple(m)) for y, m in sorted(years.items()))


# --- source pages ---------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool
    anchor: str  # id for the passage that starts here, or ""


def source_paragraphs(source: Source, spans: Iterable[tuple[int, int]]) -> list[list[Segment]]:
    """The document's lines, split where the cited passages (`spans`: start
    and end of each in the text) start and end."""
    lines = source.text.split("\n")
    line_starts = []
    offset = 0
    for line in lines:
        line_starts.append(offset)
        offset += len(line) + 1
    spans_of_line: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s, e in sorted(set(spans)):
        first = bisect.bisect_right(line_starts, s) - 1
        last = bisect.bisect_right(line_starts, e - 1) - 1
        for index in range(first, last + 1):
            spans_of_line[index].append((s, e))
    paragraphs = []
    for index, line in enumerate(lines):
        start = line_starts[index]
        end = start + len(line)
        if not line.strip():
            continue
        spans = spans_of_line.get(index, ())
        inside = [(max(s, start), min(e, end), s) for s, e in spans if s < end and e > start]
        cuts = sorted({start, end, *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
        starts = {s: f"passage-{s}" for _, _, s in inside if start <= s < end}
        segments = []
        for a, b in zip(cuts, cuts[1:]):
            marked = any(x <= a and b <= y for x, y, _ in inside)
            segments.append(Segment(source.text[a:b], marked, starts.get(a, "")))
        paragraphs.append(segments)
    return paragraphs
