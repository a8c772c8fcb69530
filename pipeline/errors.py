"""The one diagnostic shape of the pipeline, and the one error type library code raises.

A Diagnostic is what any stage has to say about the input: an error that stops a build, a
warning, or an info note. PlanError carries one or more error Diagnostics; the CLI turns them
into Chinese lines with file:line. Codes are registered in `codes.py`."""
from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str  # error | warning | info
    message: str
    file: str | None = None  # as the drafter sees it, relative to the plan folder
    line: int | None = None
    col: int | None = None
    row: int | None = None  # a row of a spreadsheet (CSV, xlsx), shown as 第N行

    @property
    def where(self) -> str:
        where = self.file or ""
        if self.file and self.row:
            where += f":第{self.row}行"
        elif self.file and self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "col": self.col, "row": self.row,
                "severity": self.severity, "code": self.code, "message": self.message}


def warning(code: str, message: str, file: str | None = None, line: int | None = None,
            **where: int | None) -> Diagnostic:
    return Diagnostic(code, "warning", message, file, line, **where)


def info(code: str, message: str, file: str | None = None, line: int | None = None,
         **where: int | None) -> Diagnostic:
    return Diagnostic(code, "info", message, file, line, **where)


@dataclass
class PlanError(Exception):
    """Input the pipeline cannot turn into output. One error, or with `PlanError.of(...)` every
    error a stage found before it gave up (all headings of a plan, say)."""
    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    code: str = "E000"
    row: int | None = None
    also: list[Diagnostic] = field(default_factory=list)  # further errors, after the first

    def __post_init__(self) -> None:
        Exception.__init__(self, str(self))

    @classmethod
    def of(cls, diagnostics: list[Diagnostic]) -> PlanError:
        first, *rest = diagnostics
        return cls(first.message, first.file, first.line, first.col, first.code, first.row,
                   also=list(rest))

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code, "error", self.message, self.file, self.line, self.col,
                          self.row)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [self.diagnostic, *self.also]

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


def raise_errors(diagnostics: list[Diagnostic]) -> None:
    """Stop with every error found, when there is one."""
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise PlanError.of(errors)
