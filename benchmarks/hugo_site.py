"""An equivalent Hugo site from the same synthetic events.toml, for comparison:
one page per event (title, date, Markdown summary, citations, actors) and one
list page with every event. Used by run.py when `hugo` is installed.

    python benchmarks/hugo_site.py EVENTS_TOML SITE_FOLDER
"""
import sys, tomllib, json
from pathlib import Path
src, out = Path(sys.argv[1]), Path(sys.argv[2])
data = tomllib.loads(src.read_text())
(out / "content" / "events").mkdir(parents=True, exist_ok=True)
(out / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
(out / "hugo.toml").write_text('baseURL = "http://example.org/"\ntitle = "Synthetic"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n')
(out / "layouts" / "_default" / "baseof.html").write_text('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title><link rel="stylesheet" href="/style.css"></head><body><header><a href="/">Home</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>')
(out / "layouts" / "_default" / "single.html").write_text('{{ define "main" }}<article><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>{{ .Content }}<ul>{{ range .Params.citations }}<li><blockquote>{{ .quote }}</blockquote> <a href="/sources/{{ .source }}/">{{ .source }}</a></li>{{ end }}</ul><p>{{ range .Params.actors }}<a href="#">{{ . }}</a> {{ end }}</p></article>{{ end }}')
(out / "layouts" / "index.html").write_text('{{ define "main" }}<h1>{{ .Site.Title }}</h1><ol>{{ range (where .Site.RegularPages "Section" "events").ByDate }}<li><article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Content }}</article></li>{{ end }}</ol>{{ end }}')
(out / "layouts" / "_default" / "list.html").write_text('{{ define "main" }}<ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ol>{{ end }}')
for e in data["events"]:
    d = e["date"]
    date = d.isoformat() if hasattr(d, "isoformat") else (d + "-01-01" if len(d) == 4 else d + "-01" if len(d) == 7 else d)
    fm = {"title": e["title"], "date": date, "actors": e.get("actors", []), "citations": e["citations"]}
    (out / "content" / "events" / f"{e['id']}.md").write_text(json.dumps(fm, default=str) + "\n\n" + e["summary"])
