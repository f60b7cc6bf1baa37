"""Where the project's own files are: templates, static files, pages and the code."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PROJECT = PACKAGE.parent
TEMPLATES = PROJECT / "templates"
STATIC = PROJECT / "site_src" / "static"
PAGES = PROJECT / "site_src" / "pages"
