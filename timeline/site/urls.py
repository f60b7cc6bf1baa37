"""Every path and URL of the site, made here and nowhere else.

A URL is relative to the site root and names a folder ("events/x/"); the
page in it is the file folder + "index.html". Pages link relatively (their
`root` leads back to the site root), so the site works under any address;
outputs that need absolute URLs prefix the site's base_url.
"""
from __future__ import annotations

from urllib.parse import quote

HOME = ""
SOURCES = "sources/"
ACTORS = "actors/"
TAGS = "tags/"
ABOUT = "about/"
YEARS = "years/"  # the timeline's pages by year, when it is cut
FEED = "feed.xml"
CORRECTIONS = "corrections/"
CORRECTIONS_FEED = "corrections.xml"
NOT_FOUND = "404.html"


def event(event_id: str) -> str:
    return f"events/{event_id}/"


def source(source_id: str) -> str:
    return f"{SOURCES}{source_id}/"


def passage(source_id: str, anchor: str) -> str:
    """A quoted passage, highlighted on its source's page."""
    return f"{source(source_id)}#{anchor}"


def note_id(event_id: str, number: int) -> str:
    """The id of an event's note for its `number`-th citation: unique on any
    page, since a page shows an event once."""
    return f"note-{event_id}-{number}"


def correction_id(event_id: str, number: int) -> str:
    """The id of an event's `number`-th correction, newest first, on any page."""
    return f"correction-{event_id}-{number}"


def commit(pattern: str, full_hash: str) -> str:
    """A commit's page, from [site] commit_url; "" when there is none."""
    return pattern.replace("{commit}", full_hash) if pattern else ""


def marker_id(event_id: str, k: int) -> str:
    """The id of the k-th citation marker of an event, that its note links back to."""
    return f"cite-{event_id}-{k}"


def marker(event_id: str, k: int) -> str:
    """The k-th citation marker of an event, where it stands on the event's page."""
    return f"{event(event_id)}#{marker_id(event_id, k)}"


def archive(source_id: str, file_name: str) -> str:
    """The archived document itself, beside its page."""
    return f"{source(source_id)}{file_name}"


def archive_link(file_name: str) -> str:
    """The archived document from its source's page: "./" and quoting keep a
    file named like "javascript:x.txt" a relative link."""
    return "./" + quote(file_name)


def cited_by(source_id: str) -> str:
    """The list of a source's citing events, when too long for its page."""
    return f"{source(source_id)}cited-by/"


def names(kind: str) -> str:
    """The index of actors or topics; `kind` is "actors" or "tags"."""
    return f"{kind}/"


def name(kind: str, slug: str) -> str:
    return f"{kind}/{slug}/"


def year(under: str, year_number: int) -> str:
    return f"{under}{year_number}/"


def month(year_url: str, month_number: int | None) -> str:
    return f"{year_url}{month_number:02d}/" if month_number else f"{year_url}undated/"


def numbered(under: str, number: int) -> str:
    return f"{under}{number}/"


def on_list(list_url: str, event_id: str) -> str:
    """An event's card on a list page."""
    return f"{list_url}#ev-{event_id}"


def file_of(url: str) -> str:
    """The file of the page at `url`."""
    return f"{url}index.html"


def url_of(path: str) -> str:
    """The URL that links to the file at `path` ("events/x/index.html" → "events/x/")."""
    return path.removesuffix("index.html")


def root_for(path: str) -> str:
    """The relative prefix from the file at `path` back to the site root."""
    return "../" * path.count("/")


def absolute(base_url: str, url: str = "") -> str:
    """`url` made absolute when the site has a base_url; as it is without."""
    return base_url + url if base_url else url
