"""The rules of an event's ``[[events.corrections]]``: the editors' notes on
what the event said when it was published.

Each needs the day it was published (a TOML date), its kind (see
model.CORRECTION_KINDS) and a note saying what was wrong and what is right.
"""
from __future__ import annotations

import datetime as dt

from timeline.record.checking import ProblemCollector, describe, suggest
from timeline.record.model import CORRECTION_KINDS, Correction
from timeline.record.rules.claims import check_no_markers

CORRECTION_KEYS = ("date", "kind", "note")


def check_corrections(check: ProblemCollector, table: dict, path: tuple, subject: str) -> tuple[Correction, ...]:
    """The event's corrections, newest first (ties keep file order)."""
    raw = table.get("corrections", [])
    if not isinstance(raw, list):
        check.problem(path + ("corrections",), "'corrections' must be [[events.corrections]] tables, "
                                               f"found {describe(raw)}", subject)
        return ()
    found = [_correction(check, item, path + ("corrections", i), subject) for i, item in enumerate(raw)]
    kept = [c for c in found if c is not None]
    return tuple(sorted(kept, key=lambda c: c.date, reverse=True))


def _correction(check: ProblemCollector, table, path: tuple, subject: str) -> Correction | None:
    if not isinstance(table, dict):
        check.problem(path, f"a correction must be a table with date, kind and note, found {describe(table)}", subject)
        return None
    check.unknown_keys(table, CORRECTION_KEYS, path, subject, "a correction")
    day = _day(check, table, path, subject)
    kind = check.get(table, "kind", str, path, subject, required=True)
    if kind is not None and kind not in CORRECTION_KINDS:
        known = ", ".join(f'"{k}"' for k in CORRECTION_KINDS)
        check.problem(path + ("kind",), f"unknown kind '{kind}'{suggest(kind, CORRECTION_KINDS)} (kinds: {known})",
                      subject)
        kind = None
    note = check.get(table, "note", str, path, subject, required=True)
    check_no_markers(check, table, path, subject, ("note",))
    if None in (day, kind, note):
        return None
    return Correction(day, kind, note.strip())


def _day(check: ProblemCollector, table: dict, path: tuple, subject: str) -> dt.date | None:
    """The day a correction was published: a bare TOML date, as readers are told it."""
    if "date" not in table:
        check.problem(path, "missing required key 'date' (the day the correction was published, "
                            "like date = 2026-12-01)", subject)
        return None
    value = table["date"]
    if isinstance(value, dt.datetime):
        check.problem(path + ("date",), f"a correction's 'date' is a day: write date = {value.date().isoformat()}, "
                                        "without a time", subject)
        return None
    if not isinstance(value, dt.date):
        example = value.strip() if isinstance(value, str) else "2026-12-01"
        check.problem(path + ("date",), f"a correction's 'date' must be a TOML date like {example}, without quotes; "
                                        f"found {describe(value)}", subject)
        return None
    return value


def check_since_commit(check: ProblemCollector, changed: list[tuple[int, str, dict | None, dict]]) -> frozenset[str]:
    """The ids of the events changed since the last commit (see
    history.changed_since), with a hint for each whose date, summary or a
    quote changed with no correction added: not every edit corrects what
    was published, so the editors decide."""
    for index, event_id, old, new in changed:
        if old is None:
            continue
        said = [what for what, differs in (("date", _date(old) != _date(new)),
                                            ("summary", old.get("summary") != new.get("summary")),
                                            ("a quote", _quotes(old) != _quotes(new))) if differs]
        if said and _count(new) <= _count(old):
            check.hint(("events", index), f"{_and(said)} changed since the last commit with no correction added; "
                                          "if the change corrects what was published, add an [[events.corrections]] "
                                          "table saying what was wrong and what is right", f"event '{event_id}'")
    return frozenset(event_id for _, event_id, _, _ in changed)


def _date(table: dict) -> tuple:
    return tuple(table.get(key) for key in ("date", "end", "circa"))


def _quotes(table: dict) -> list:
    citations = table.get("citations") if isinstance(table.get("citations"), list) else []
    differences = table.get("differences") if isinstance(table.get("differences"), list) else []
    versions = [v for d in differences if isinstance(d, dict) and isinstance(d.get("versions"), list)
                for v in d["versions"]]
    return [c.get("quote") for c in [*citations, *versions] if isinstance(c, dict)]


def _count(table: dict) -> int:
    corrections = table.get("corrections")
    return len(corrections) if isinstance(corrections, list) else 0


def _and(words: list[str]) -> str:
    """'its date', 'its date and summary', 'its summary and a quote', 'a quote'."""
    text = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return text if text.startswith("a ") else f"its {text}"
