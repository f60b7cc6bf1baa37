"""Hugo sites made from a synthetic events.toml, so that run.py can time Hugo
on the same record as our build.

    python benchmarks/hugo_site.py EVENTS_TOML SITE_FOLDER [--kind equal|minimal]

equal (the default) builds the same kinds of pages as ours:
  - a page per event (title, date, Markdown summary, citations with their
    quote and source title, actors and tags as links, previous/next links);
  - actor and topic pages (Hugo taxonomies `actors` and `tags`), their term
    pages listing the events in full, 150 to a page, and a page of each
    taxonomy's terms;
  - a home page listing the events in full, 150 to a page;
  - RSS of the home page only (we write one feed; no per-term feeds), a JSON
    export of every event (index.json, one event per line as our
    events.json), a sitemap, robots.txt and a 404 page.
  It has no pages of sources (we write one per archived document, and pages
  of the events that cite it) and no calendar, CSV or TimelineJS files. Its
  sitemap is one file more than ours: our build writes one only for a site
  with a base URL, which the synthetic record has not.

minimal: one page per event, a home page listing every event's title and
summary, and the events section's list of titles.
"""
from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path

from timeline.record.dates import parse_date

KINDS = ("equal", "minimal")

MINIMAL_CONFIG = ('baseURL = "http://example.org/"\ntitle = "Synthetic"\n'
                  'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n')

MINIMAL_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '<link rel="stylesheet" href="/style.css"></head><body><header><a href="/">Home</a></header>'
        '<main>{{ block "main" . }}{{ end }}</main></body></html>'),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format "2006-01-02" }}">'
        '{{ .Date.Format "2 January 2006" }}</time>{{ .Content }}<ul>{{ range .Params.citations }}<li>'
        '<blockquote>{{ .quote }}</blockquote> <a href="/sources/{{ .source }}/">{{ .source }}</a></li>{{ end }}'
        '</ul><p>{{ range .Params.actors }}<a href="#">{{ . }}</a> {{ end }}</p></article>{{ end }}'),
    "index.html": (
        '{{ define "main" }}<h1>{{ .Site.Title }}</h1><ol>{{ range (where .Site.RegularPages "Section" "events")'
        '.ByDate }}<li><article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Content }}</article>'
        '</li>{{ end }}</ol>{{ end }}'),
    "_default/list.html": (
        '{{ define "main" }}<ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>'
        '{{ end }}</ol>{{ end }}'),
}

# Kinds and outputs are listed so that Hugo makes no page we do not make:
# no list page of the events section, no RSS but the home page's.
EQUAL_CONFIG = '''\
baseURL = "http://example.org/"
title = "Synthetic timeline"
languageCode = "en"
paginate = 150
rssLimit = 100  # our feed holds the 100 latest events
enableRobotsTXT = true
disableKinds = ["section"]

[taxonomies]
actor = "actors"
tag = "tags"

[outputs]
home = ["HTML", "RSS", "JSON"]
page = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML"]
'''

# Every regular page is an event. A `where` to pick them would be evaluated
# again for each of the home page's pages, its time growing with the square
# of the number of events.
EVENTS = '.Site.RegularPages.ByDate'
ISO_DATE = '"2006-01-02T15:04:05Z07:00"'

EQUAL_LAYOUTS = {
    "_default/baseof.html": '''\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title>
<meta name="description" content="{{ block "description" . }}{{ .Site.Title }}{{ end }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
{{ with .Site.Home.OutputFormats.Get "RSS" }}<link rel="alternate" type="application/rss+xml" title="{{ $.Site.Title }}" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header class="site-header">
<p class="site-name"><a href="{{ "" | relURL }}">{{ .Site.Title }}</a></p>
<nav aria-label="Site"><ul>
<li><a href="{{ "" | relURL }}">Timeline</a></li>
<li><a href="{{ "actors/" | relURL }}">Actors</a></li>
<li><a href="{{ "tags/" | relURL }}">Topics</a></li>
</ul></nav>
</header>
<main id="main">{{ block "main" . }}{{ end }}</main>
</body>
</html>
''',
    # What an event shows below its title, on its own page and in every list.
    "partials/event-body.html": '''\
<div class="summary">{{ .Content }}</div>
<section class="citations"><p class="citations-title">Sources</p><ul>
{{ range .Params.citations }}<li><blockquote><p>{{ .quote }}</p></blockquote>
<p class="cite-line">— <a class="cite" href="{{ printf "sources/%s/" .source | relURL }}">{{ .title }}</a></p></li>
{{ end }}</ul></section>
<footer class="labels">
{{ with .GetTerms "actors" }}<p><span class="label">Actors:</span> {{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>{{ end }}
{{ with .GetTerms "tags" }}<p><span class="label">Topics:</span> {{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>{{ end }}
</footer>
''',
    # An event in a list.
    "partials/card.html": f'''\
<article class="event">
<header><p class="when"><time datetime="{{{{ .Date.Format {ISO_DATE} }}}}">{{{{ .Date.Format "2 January 2006" }}}}</time></p>
<h2 class="event-title"><a href="{{{{ .RelPermalink }}}}">{{{{ .Title }}}}</a></h2></header>
{{{{ partial "event-body.html" . }}}}
</article>
''',
    # Each event is in five lists (home, two actors, two tags): its card is
    # rendered once and kept on the page, as our build reuses its cards.
    # partialCached would not do: Hugo 0.111 keeps 1,000 partials and drops
    # the cards before their next use.
    "partials/events.html": '''\
<ol class="events">
{{ range .Pages }}{{ $card := .Scratch.Get "card" }}{{ if not $card }}{{ $card = partial "card.html" . }}{{ .Scratch.Set "card" $card }}{{ end }}<li>{{ $card }}</li>
{{ end }}</ol>
{{ template "_internal/pagination.html" .Page }}
''',
    # Hugo sorts pages newest first: .Prev is the earlier event, .Next the later.
    "_default/single.html": f'''\
{{{{ define "description" }}}}{{{{ .Plain | truncate 160 }}}}{{{{ end }}}}
{{{{ define "main" }}}}
<article class="event">
<header><p class="when"><time datetime="{{{{ .Date.Format {ISO_DATE} }}}}">{{{{ .Date.Format "2 January 2006" }}}}</time></p>
<h1 class="event-title">{{{{ .Title }}}}</h1></header>
{{{{ partial "event-body.html" . }}}}
</article>
<nav class="pager" aria-label="Previous and next events"><ul>
{{{{ with .Prev }}}}<li class="prev"><a href="{{{{ .RelPermalink }}}}" rel="prev">Earlier: {{{{ .Title }}}}</a></li>{{{{ end }}}}
<li class="up"><a href="{{{{ "" | relURL }}}}">Back to the timeline</a></li>
{{{{ with .Next }}}}<li class="next"><a href="{{{{ .RelPermalink }}}}" rel="next">Later: {{{{ .Title }}}}</a></li>{{{{ end }}}}
</ul></nav>
{{{{ end }}}}
''',
    "index.html": f'''\
{{{{ define "main" }}}}
<h1>{{{{ .Site.Title }}}}</h1>
{{{{ partial "events.html" (dict "Pages" (.Paginate {EVENTS}).Pages "Page" .) }}}}
{{{{ end }}}}
''',
    "_default/term.html": '''\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ partial "events.html" (dict "Pages" (.Paginate .Pages.ByDate).Pages "Page" .) }}
{{ end }}
''',
    "_default/terms.html": '''\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
''',
    "404.html": '{{ define "main" }}<h1>Page not found</h1>{{ end }}\n',
    "index.json": f'''\
{{{{- $events := {EVENTS} -}}}}
{{"events": [
{{{{ range $i, $e := $events -}}}}
{{{{ if $i }}}},
{{{{ end }}}}{{{{ dict "id" .File.ContentBaseName "title" .Title "date" (.Date.Format {ISO_DATE}) "summary" .RawContent "actors" .Params.actors "tags" .Params.tags "citations" .Params.citations | jsonify }}}}
{{{{- end }}}}
]}}
''',
}


def iso_date(date) -> str:
    """A full date for Hugo: the first day the date allows ("2025-05", "2022-21",
    "2022-04/2022-11" and "2025-05~" start their period), as ours sorts it."""
    if hasattr(date, "isoformat"):
        return date.isoformat()
    return parse_date(date).sort_key()[0].isoformat()


def front_matter(event: dict, sources: dict) -> dict:
    citations = [{"source": c["source"], "title": sources[c["source"]]["title"], "quote": c["quote"]}
                 for c in event["citations"]]
    return {"title": event["title"], "date": iso_date(event["date"]), "actors": event.get("actors", []),
            "tags": event.get("tags", []), "citations": citations}


def write_content(data: dict, site: Path) -> None:
    """One Markdown file per event: JSON front matter, then the summary."""
    folder = site / "content" / "events"
    folder.mkdir(parents=True, exist_ok=True)
    for event in data["events"]:
        text = json.dumps(front_matter(event, data["sources"])) + "\n\n" + event["summary"]
        (folder / f"{event['id']}.md").write_text(text, encoding="utf-8")


def write_layouts(site: Path, layouts: dict[str, str]) -> None:
    for name, text in layouts.items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_site(events: Path, site: Path, kind: str) -> None:
    data = tomllib.loads(events.read_text(encoding="utf-8"))
    config, layouts = (EQUAL_CONFIG, EQUAL_LAYOUTS) if kind == "equal" else (MINIMAL_CONFIG, MINIMAL_LAYOUTS)
    site.mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(config, encoding="utf-8")
    write_layouts(site, layouts)
    write_content(data, site)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("events", type=Path, help="a synthetic events.toml (synth.py)")
    parser.add_argument("site", type=Path, help="the folder to make the Hugo site in")
    parser.add_argument("--kind", choices=KINDS, default="equal")
    args = parser.parse_args()
    make_site(args.events, args.site, args.kind)


if __name__ == "__main__":
    main()
