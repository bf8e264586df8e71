"""One base error class; every error says where, what was found, what was expected."""

from __future__ import annotations


class ClemencyError(Exception):
    """Base class of every error Clemency raises on purpose. `exit_code` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(ClemencyError):
    """Bad usage of a command (an unknown reading, a bad option value)."""

    exit_code = 2


class ActError(ClemencyError):
    """A problem in an act file; `problems` holds every problem found (file, line, clause, field)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(p) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the act file:\n  " + "\n  ".join(lines))

    def __str__(self) -> str:  # the message already holds everything
        return self.message


class Problem:
    """One problem in an act file, positioned."""

    def __init__(self, file: str, line: int | None, clause: str | None, field: str | None, message: str,
                 hint: str | None = None):
        self.file, self.line, self.clause, self.field = file, line, clause, field
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.clause:
            parts.append(f"clause {self.clause}")
        if self.field:
            parts.append(f"field '{self.field}'")
        text = ", ".join(parts) + ": " + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(ClemencyError):
    """An input file that cannot be read at all (unreadable, missing required column)."""


class EngineUnavailable(ClemencyError):
    """An optional engine whose dependencies are missing; the message says what to install."""
