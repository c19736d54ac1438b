"""Errors the domain raises; the CLI turns each into a Chinese message and an exit status."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    REFUSED = 1  # the input was refused; nothing was written
    USAGE = 2
    INTERRUPTED = 130


class ZzError(Exception):
    """A refusal a clerk can act on. `message` is Chinese and names the field."""

    exit_status = ExitStatus.REFUSED

    def __init__(self, message: str, *, field: str | None = None, problems: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = problems or []

    def as_json(self) -> dict:
        """What `--json` prints on stdout for this refusal: `{"error": …, "problems": […]}`."""
        out: dict = {"error": self.message}
        if self.field:
            out["field"] = self.field
        out["problems"] = [p.as_json() if hasattr(p, "as_json") else p for p in self.problems]
        return out


class NotFound(ZzError):
    pass


class Ambiguous(ZzError):
    pass


class Invalid(ZzError):
    pass


class Conflict(ZzError):
    pass


class FileRefused(ZzError):
    """A file whose contents were refused; `problems` lists every bad cell."""


class UsageProblem(ZzError):
    exit_status = ExitStatus.USAGE


class Busy(ZzError):
    """The register stayed locked by another writer past the wait bound."""
