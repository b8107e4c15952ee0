"""The result document of a grading run: what `grade()` returns, the worker stores and
the API serves.  Its fields, verdicts and scoring rules are explained for readers in
docs/result.md."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

VERDICTS = ("passed", "failed", "error", "timeout", "memory_limit", "output_limit",
            "rejected", "infra_error")


@dataclass
class TestResult:
    name: str
    outcome: str  # passed | failed | error | skipped
    message: str
    duration: float
    visibility: str  # public | hidden
    id: str = ""
    points: float = 1
    intent: str = ""
    # A failed public test: {"input", "expected", "actual"} as far as the test gave them
    # (its parameters; the two sides of a failed `assert got == expected`).
    compare: dict = field(default_factory=dict)


@dataclass
class Result:
    verdict: str
    score: float = 0  # whole unless parametrized cases share a test's points
    max_score: int = 0
    tests: list[TestResult] = field(default_factory=list)
    stdout: str = ""
    duration: float = 0.0
    limits: dict = field(default_factory=dict)
    message: str = ""
    mode: str = "submit"
    stdout_withheld: bool = False

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)
