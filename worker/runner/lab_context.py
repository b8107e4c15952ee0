"""What the judge knows of the test that is running and of the candidate's process.

A `CandidateFailure` is a fact about the candidate's process (a limit, a crash, a broken
protocol, no answer in time), raised in the test that was waiting on it.  It derives
from BaseException, so no `except Exception` or `pytest.raises(Exception)` in a test
can swallow it.  `CONTEXT` holds the running test's deadline, the test objects handed
to the candidate (exports) and the assertions that failed inside its callbacks.
"""

from __future__ import annotations

import threading

from lab_values import WireError

# -- what can go wrong with the candidate's process ----------------------------------


class CandidateFailure(BaseException):
    """The candidate's process failed while a test waited on it.  `category` names the
    kind (timeout, cpu_limit, memory_limit, output_limit, file_size_limit,
    scratch_limit, crashed, protocol, bad_value, stale) and `text` is safe to show for a
    hidden test: it names a limit or a fact, never data of the test."""

    category = "crashed"

    def __init__(self, text: str, category: str | None = None, detail: str = "") -> None:
        super().__init__(text)
        self.text = text
        self.detail = detail  # more, for public runs and the judge's log
        if category is not None:
            self.category = category


class StaleHandle(CandidateFailure):
    category = "stale"


def fail_text(category: str, limits: dict) -> str:
    texts = {
        "timeout": f"your code did not answer within the {limits.get('test_seconds', 0):g} s "
                   "a test may take",
        "cpu_limit": f"CPU time limit of {int(limits.get('cpu_seconds', 0))} s exceeded",
        "memory_limit": f"memory limit of {limits.get('memory_mb', 0)} MiB exceeded",
        "output_limit": f"output limit of {limits.get('output_kb', 0)} KiB "
                        "(stdout + stderr) exceeded",
        "file_size_limit": f"file size limit of {limits.get('file_size_mb', 0)} MiB exceeded",
        "scratch_limit": f"the {limits.get('scratch_mb', 0)} MiB scratch space (/tmp) filled up",
        "protocol": "your code's process broke the grading protocol",
        "bad_value": "your code gave back a value the grader cannot check",
        "stale": "this object belonged to a run of your code that ended earlier in the test",
        "wall": "the run's wall clock ran out",
    }
    return texts.get(category, "your code's process ended unexpectedly")


# -- the test being run: deadline, exports, failures seen in callbacks ----------------


class Context:
    """State of the test that is running (one at a time; callbacks of the candidate may
    run on other threads of the judge meanwhile)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.nodeid = ""
        self.deadline: float | None = None
        self.exports: dict[int, tuple] = {}  # eid -> (object, methods)
        self.export_ids: dict[int, int] = {}  # id(object) -> eid
        self.next_export = 1
        self.failures: list[BaseException] = []  # assertions that failed inside callbacks
        self.candidate_failure: CandidateFailure | None = None  # first one of this test

    def export(self, obj, methods: tuple = ()) -> int:
        with self.lock:
            eid = self.export_ids.get(id(obj))
            if eid is not None and self.exports[eid][0] is obj:
                if methods and not self.exports[eid][1]:
                    self.exports[eid] = (obj, tuple(methods))
                return eid
            eid = self.next_export
            self.next_export += 1
            self.exports[eid] = (obj, tuple(methods))
            self.export_ids[id(obj)] = eid
            return eid

    def exported(self, eid) -> tuple:
        if type(eid) is not int:
            raise WireError("a reference to a test object is not a number")
        with self.lock:
            entry = self.exports.get(eid)
        if entry is None:
            raise LookupError("an object of the tests that was never handed over was used")
        return entry

    def begin_test(self, nodeid: str, deadline: float) -> None:
        with self.lock:
            self.nodeid = nodeid
            self.deadline = deadline
            self.failures = []
            self.candidate_failure = None

    def end_test(self) -> None:
        with self.lock:
            self.nodeid = ""

    def note_failure(self, exc: BaseException) -> None:
        with self.lock:
            if isinstance(exc, CandidateFailure):
                if self.candidate_failure is None:
                    self.candidate_failure = exc
            elif len(self.failures) < 10:
                self.failures.append(exc)


CONTEXT = Context()


# -- the link to the candidate (set up by lab_judge) -----------------------------------


class Link:
    """What the proxies need of the controller: the live connection, and how to turn a
    failed request into the CandidateFailure that explains it."""

    current = None  # () -> lab_wire.Connection (starting a candidate if none runs)
    failure = None  # (conn, reason) -> CandidateFailure
    limits: dict = {}
    incarnation = 0


