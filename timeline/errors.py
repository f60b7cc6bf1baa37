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
