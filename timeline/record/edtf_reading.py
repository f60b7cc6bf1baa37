"""EDTF dates other than plain 'YYYY[-MM[-DD]]', read by the standard's grammar.

The `edtf` package's grammar decides what is EDTF Level 0 or 1; what a
date means (its points, their first and last days) is worked out here,
because the package (5.0.2, pinned in tests/test_edtf.py) gets some of
it wrong for a timeline:

- open ends ('..') have bounds of -inf/inf, floats among struct_times;
- an unknown (empty) end is padded by ten years ('/2022-12' starts in 2012);
- winter ('2022-24') is December alone, not December to February;
- '%' sets only `is_uncertain_and_approximate`, and the fuzzy bounds of a
  qualified day span years, so nothing here reads the fuzzy bounds;
- a reversed interval, 29 February of any year, and seasons 25 to 41
  (Level 2) are accepted; some malformed intervals raise TypeError and
  print to stdout.

Its natural-language parser is never used: it can produce strings its
own grammar rejects.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re

from timeline.record.dates import MONTHS, SEASONS, DateError, EventDate, PartialDate, plain_point

_POINT = (r"(?P<year>[0-9]{4}|[0-9]{3}X|[0-9]{2}XX|[0-9]XXX)(?:-(?P<month>[0-9]{2}|XX)(?:-(?P<day>[0-9]{2}|XX))?)?"
          r"(?P<qualifier>[~?%])?")
POINT = re.compile(_POINT)
FORMS = ('"2022", "2022-03", "2022-03-29", "2022-21" (spring), "2025-05~", "2026-02?", "2022-04/2022-11", '
         '"../2022-12", a TOML date or an offset date-time')
LEVEL_2 = "is EDTF Level 2; only Levels 0 and 1 are read"
_SEASON_WORDS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
_EDGE_WORDS = {"before": "../{}", "until": "/{}", "after": "{}/.."}  # as render.when words them


def read(text: str) -> EventDate:
    """The date `text` writes in EDTF Level 0 or 1, or DateError saying why not."""
    ends = text.split("/")
    if len(ends) > 2 or not all(e in ("", "..") or POINT.fullmatch(e) for e in ends):
        raise DateError(_not_a_date(text))
    for end in ends:
        _check_month_field(text, end)
        _check_calendar(text, end)
    if len(ends) == 2:
        return _interval(text, *ends)
    _check_grammar(text)
    return EventDate.at(_point(text, POINT.fullmatch(text)), text)


def _interval(text: str, first: str, second: str) -> EventDate:
    if first in ("", "..") and second in ("", ".."):
        raise DateError(f"{text!r} has neither a start nor an end; an interval needs at least one of them")
    if "X" in text:
        raise DateError(f"{text!r}: unspecified digits (X) in an interval's end {LEVEL_2}")
    _check_grammar(text)
    lower = _point(text, POINT.fullmatch(first)) if first not in ("", "..") else None
    upper = _point(text, POINT.fullmatch(second)) if second not in ("", "..") else None
    if lower and upper and upper.last_day() < lower.start():
        raise DateError(f"{text!r} ends before it starts: the end, {second}, is before the start, {first}")
    return EventDate(text, lower, upper, interval=True, lower_open=first == "..", upper_open=second == "..")


def _point(text: str, match: re.Match) -> PartialDate:
    year, month, day, qualifier = match.group("year", "month", "day", "qualifier")
    unspecified = year.count("X")
    fields = dict(unspecified_digits=unspecified, qualifier=qualifier or "")
    if month and int(month.replace("X", "0")) in SEASONS:
        plain_point(text, year, None, None)  # the year's own check
        if int(month) == 24 and year == "9999":
            raise DateError(f"{text!r}: winter 9999 reaches into the year 10000, which cannot be placed on this timeline")
        return PartialDate(int(year), season=int(month), qualifier=qualifier or "")
    month, day = (None if v is None or "X" in v else v for v in (month, day))
    return plain_point(text, year.replace("X", "0") if unspecified else year, month, day, **fields)


def _check_month_field(text: str, end: str) -> None:
    """Seasons are 21 to 24; other numbers above 12 are no month."""
    match = POINT.fullmatch(end)
    month = match and match.group("month")
    if not month or "X" in month or int(month) <= 12:
        return
    if int(month) in SEASONS and match.group("qualifier"):
        raise DateError(f"{text!r}: a season cannot carry a qualifier (~, ?, %) in EDTF Levels 0 and 1")
    if int(month) in SEASONS:
        return
    if 25 <= int(month) <= 41:
        raise DateError(f"{text!r}: seasons are 21 to 24 (spring, summer, autumn, winter); "
                        f"{month} is a Level 2 season, and only Levels 0 and 1 are read")
    raise DateError(f"{text!r} has no month {int(month)}")


def _check_calendar(text: str, end: str) -> None:
    """A day written in full is a real day (the grammar would only say 'not EDTF')."""
    match = POINT.fullmatch(end)
    year, month, day = match.group("year", "month", "day") if match else (None, None, None)
    if day and month and "X" not in year + month + day and int(month) <= 12:
        plain_point(text, year, month, day)


def _check_grammar(text: str) -> None:
    level = _form_level(form_of(text))
    if level == "level2":
        raise DateError(f"{text!r} {LEVEL_2}")
    if level is None:
        raise DateError(_not_a_date(text))


def form_of(text: str) -> str:
    """`text` with its digits replaced by a fixed valid value of the same
    kind ('2025-05~/2026-21' -> '2000-01~/2000-21'): by the time the
    grammar is asked, the months, seasons and days are already known to be
    valid, so whether a string is EDTF Level 0 or 1 depends on its form alone."""
    def canonical(match: re.Match) -> str:
        year, month, day, qualifier = match.group("year", "month", "day", "qualifier")
        text = re.sub(r"\d", "0", year[1:]).join(("2", "")) if year[0] != "X" else year
        if month:
            text += "-" + (month if "X" in month or int(month) > 12 else "01")
        if day:
            text += "-" + ("XX" if "X" in day else "01")
        return text + (qualifier or "")
    return "/".join(POINT.sub(canonical, end) if POINT.fullmatch(end) else end for end in text.split("/"))


@functools.cache
def _form_level(form: str) -> str | None:
    """grammar_level, asked once per form of date (see form_of).

    Speed: asking for each string makes a cold build of 4,000 events, 40% in
    EDTF forms, 1.25 times as long (docs/performance.md)."""
    return grammar_level(form)


def grammar_level(text: str) -> str | None:
    """'level0', 'level1' or 'level2' as the edtf grammar reads `text`, or None."""
    from edtf.parser import grammar  # imported only when a file has a date that needs it

    for parser in (grammar.level0Expression ^ grammar.level1Expression, grammar.edtfParser):
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # some of its failures print
                names = parser.parse_string(text, parse_all=True).as_dict()
        except Exception:  # a ParseException, or a TypeError from its own constructors
            continue
        return next((level for level in ("level2", "level1", "level0") if level in names), "level1")
    return None


def _not_a_date(text: str) -> str:
    meant = suggestion(text)
    if meant:
        return f"{text!r} is not an EDTF date; did you mean {meant!r}?"
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T.*", text):
        return f"{text!r}: a time of day is written as a TOML offset date-time, without quotes: date = {_moment(text)}"
    level = grammar_level(text)  # the full grammar, once: it is the slow part of a refusal
    if text[:1] in ("Y", "-") and level:
        return f"{text!r}: years before 1 or after 9999 cannot be placed on this timeline"
    if level == "level2":
        return f"{text!r} {LEVEL_2}"
    return f"{text!r} is not a date; use EDTF ({FORMS})"


def _moment(text: str) -> str:
    """`text` as a bare TOML offset date-time, if it is one; else an example."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return f"{text[:10]}T15:00:00+03:00"
    return moment.isoformat() if moment.tzinfo else f"{moment.isoformat()}+00:00 (or the local offset)"


def suggestion(text: str) -> str:
    """The EDTF for a date written in words ('spring 2022', 'c. 2022',
    'May 2025', 'before December 2022'), or ''."""
    words = text.strip().lower().replace(",", "")
    if match := re.fullmatch(r"(before|until|after)\s+(.+)", words):
        point = _point_in_words(match.group(2))
        return _EDGE_WORDS[match.group(1)].format(point) if point else ""
    if match := re.fullmatch(r"(?:c\.|ca\.|circa|about|around)\s*(.+)", words):
        point = _point_in_words(match.group(1))
        if re.fullmatch(r"[0-9]{4}-2[1-4]", point):  # a season is approximate already, and takes no qualifier
            return point
        return f"{point}~" if point and point[-1] not in "~?%" else ""
    return _point_in_words(words)


def _point_in_words(words: str) -> str:
    """The EDTF of one point in words ('spring 2022', '29 march 2022') or already in EDTF, or ''."""
    if POINT.fullmatch(words):
        return words
    if match := re.fullmatch(r"(spring|summer|autumn|fall|winter)\s+([0-9]{4})", words):
        return f"{match.group(2)}-{_SEASON_WORDS[match.group(1)]}"
    if match := re.fullmatch(r"(?:([0-9]{1,2})\s+)?([a-z]+)\s+([0-9]{4})", words):
        word = match.group(2)
        month = next((n for n, name in enumerate(MONTHS, 1)
                      if name.lower() == word or (len(word) >= 3 and name.lower().startswith(word))), None)
        day = f"-{int(match.group(1)):02d}" if match.group(1) else ""
        return f"{match.group(3)}-{month:02d}{day}" if month else ""
    return ""
