"""What can be wrong with the input: a Problem names the file, the line and the event."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    line: int | None
    message: str
    subject: str = ""  # e.g. "event 'istanbul-talks-2022'" or "source 's001'"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        subject = f" {self.subject}:" if self.subject else ""
        return f"{where}:{subject} {self.message}"


class BuildError(Exception):
    """Problems found while the site is made (a template's mistake, say),
    raised from wherever they are found and reported like a check's."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems

    def __reduce__(self):  # crosses from a helper process intact
        return (BuildError, (self.problems,))
