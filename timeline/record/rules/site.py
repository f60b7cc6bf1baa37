"""The rules of the ``[site]`` table: the title and how the site presents itself."""
from __future__ import annotations

import re

from timeline.record.checking import ProblemCollector, describe, is_http_url
from timeline.record.model import SiteInfo

SITE_KEYS = ("title", "description", "language", "base_url", "cite_every_sentence", "commit_url")

_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*")


def check_site(check: ProblemCollector, data: dict) -> SiteInfo | None:
    raw = data.get("site")
    if not isinstance(raw, dict):
        if raw is None:
            check.problem((), "missing the [site] table (it needs at least a title)")
        else:
            check.problem(("site",), f"'site' must be a table, found {describe(raw)}")
        return None
    path, subject = ("site",), "[site]"
    check.unknown_keys(raw, SITE_KEYS, path, subject, "[site]")
    title = check.get(raw, "title", str, path, subject, required=True)
    description = check.get(raw, "description", str, path, subject, default="")
    language = check.get(raw, "language", str, path, subject, default="en")
    if language and not _LANGUAGE.fullmatch(language):
        check.problem(path + ("language",), f"'language' {language!r} is not a language tag like \"en\" or \"en-GB\"", subject)
    base_url = check.get(raw, "base_url", str, path, subject, default="")
    if base_url and not is_http_url(base_url):
        check.problem(path + ("base_url",), f"'base_url' {base_url!r} must be an http(s) URL", subject)
    elif base_url and not base_url.endswith("/"):
        base_url += "/"
    every_sentence = check.get(raw, "cite_every_sentence", bool, path, subject, default=False)
    commit_url = check.get(raw, "commit_url", str, path, subject, default="")
    if commit_url and (problem := commit_url_problem(commit_url)):
        check.problem(path + ("commit_url",), problem, subject)
        commit_url = ""
    if title is None:
        return None
    return SiteInfo(title.strip(), description.strip(), language, base_url, every_sentence, commit_url.strip())


def commit_url_problem(pattern: str, name: str = "'commit_url'") -> str:
    """What is wrong with a commit URL pattern, or ''."""
    if "{commit}" not in pattern:
        return (f"{name} {pattern!r} must contain {{commit}} where the commit's hash goes, "
                "like \"https://github.com/owner/repo/commit/{commit}\"")
    if not is_http_url(pattern.replace("{commit}", "0")):
        return f"{name} {pattern!r} must be an http(s) URL"
    return ""
