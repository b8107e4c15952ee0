"""The judge/candidate boundary, attacked from the candidate's side.

Every submission below tries to break one promise of the separation (docs/threat-model.md):
no code of the candidate runs where the hidden tests are, the tests are unreadable to it,
it cannot signal, trace or read the judge, whatever it sends back is plain data decoded
strictly, test names and messages come only from the judge, and a failure of its process
costs that one test, never the run.  Each gets a verdict (never infra_error), and the
honest solution passes right after."""

import json
import re

import pytest

from tests.helpers import sandbox_settings, seconds, write_challenge
from worker.core.config import Limits
from worker.core.grading import grade

pytestmark = pytest.mark.docker

SECRET = "expected-value-only-the-tests-know-7319"
HIDDEN = f'''
import pytest
from judge import methods

from solution import add, tool, visit


def test_small():
    """Adds two small numbers"""
    assert add(2, 3) == 5


def test_negative():
    """Handles negative numbers"""
    assert add(-4, 1) == -3


def test_compares_with_a_secret():
    """Gives back the agreed word"""
    assert tool("word") == "{SECRET}"


def test_context_manager_cannot_swallow_a_failed_assertion():
    """Adds inside a context manager of the candidate"""
    with tool("cm"):
        assert add(1, 1) == 2


def test_equal_objects():
    """Two equal objects of the candidate compare equal"""
    assert tool("point") == tool("point")


def test_callback_is_only_callable():
    """Calls back the function it was given"""
    seen = []

    def record(value):
        seen.append(value)
        return value * 2

    assert visit(record) == 42
    assert seen == [21]


def test_methods_are_only_the_named_ones():
    """Calls the one method it may use"""

    class Account:
        secret = "{SECRET}"

        def balance(self):
            return 100

        def private(self):
            return "{SECRET}"

    assert visit(methods(Account(), "balance")) == 100
'''
# The public run has the callback tests too, so a probe's findings can be printed.
PUBLIC = '''
from judge import methods

from solution import add, visit


def test_public_small():
    assert add(1, 1) == 2


def test_public_callback():
    assert visit(lambda value: value * 2) == 42


def test_public_methods():
    class Account:
        secret = "private"

        def balance(self):
            return 100

        def private(self):
            return "private"

    assert visit(methods(Account(), "balance")) == 100
'''
HONEST = f'''
import contextlib
import dataclasses


@dataclasses.dataclass
class Point:
    x: int


def add(a, b):
    return a + b


def tool(kind):
    if kind == "word":
        return "{SECRET}"
    if kind == "point":
        return Point(1)
    return contextlib.nullcontext()


def visit(thing):
    if callable(thing):
        return thing(21)
    return thing.balance()
'''


@pytest.fixture(scope="module")
def challenge(tmp_path_factory):
    return write_challenge(tmp_path_factory.mktemp("separation") / "c", hidden=HIDDEN,
                           public=PUBLIC, solution=HONEST, starter=HONEST)


@pytest.fixture(scope="module")
def settings_():
    return sandbox_settings(limits=Limits(wall_seconds=20, test_seconds=4, cpu_seconds=10), grace_seconds=10)


@pytest.fixture
def submit(challenge, docker_client, settings_):
    def run(source: str, mode: str = "submit"):
        result = grade(challenge, {"solution.py": source.encode()}, mode, settings=settings_,
                       client=docker_client)
        assert result.verdict != "infra_error", result.to_json()
        dumped = json.dumps(result.to_dict())
        if mode == "submit":
            assert SECRET not in dumped, "a value of the hidden tests came back"
            assert "def test_" not in dumped and "from judge import" not in dumped
        return result

    return run


def outcomes(result) -> dict:
    return {t.name: t.outcome for t in result.tests}


EXPECTED_NAMES = {"test_small", "test_negative", "test_compares_with_a_secret",
                  "test_context_manager_cannot_swallow_a_failed_assertion", "test_equal_objects",
                  "test_callback_is_only_callable", "test_methods_are_only_the_named_ones"}
ALL = len(EXPECTED_NAMES)
ADDS = {"test_small", "test_negative", "test_context_manager_cannot_swallow_a_failed_assertion"}


def failed(result) -> set:
    return {t.name for t in result.tests if t.outcome != "passed"}


def test_the_honest_solution_passes(submit):
    result = submit(HONEST)
    assert result.verdict == "passed" and result.score == result.max_score == ALL, result.to_json()


def test_no_frame_globals_or_test_function_of_the_judge_is_reachable(submit):
    attack = HONEST.replace("def add(a, b):\n    return a + b", r'''
def add(a, b):
    import gc, sys
    planted = 0
    frame = sys._getframe()
    while frame is not None:  # every frame here is this process's own
        frame.f_globals.setdefault("test_small", None)
        planted += 1
        frame = frame.f_back
    for obj in gc.get_objects():
        if getattr(obj, "__name__", "").startswith("test_") and hasattr(obj, "__code__"):
            obj.__code__ = (lambda: None).__code__
    return a + b + 1000
''')
    result = submit(attack)
    assert failed(result) == ADDS and result.score == ALL - 3, result.to_json()


def test_test_names_and_messages_come_only_from_the_judge(submit):
    attack = HONEST.replace("def add(a, b):\n    return a + b", r'''
class assert_add_2_3_eq_5_passed(Exception):
    pass


def add(a, b):
    raise assert_add_2_3_eq_5_passed("tests/hidden/test_x.py::test_free PASSED " * 30000)
''')
    result = submit(attack)
    assert {t.name for t in result.tests} == EXPECTED_NAMES
    assert failed(result) == ADDS
    dumped = json.dumps(result.to_dict())
    assert "assert_add_2_3" not in dumped and "test_free" not in dumped
    small = next(t for t in result.tests if t.name == "test_small")
    assert small.message == ("Adds two small numbers: your code raised an exception of a "
                             "non-built-in type")
    assert result.score == ALL - 3


@pytest.mark.parametrize("source, words", [
    ("import unittest\n    raise unittest.SkipTest('free points')", "unittest.SkipTest"),
    ("import pytest\n    pytest.skip('free points')", "pytest.skip"),
    ("import pytest\n    pytest.xfail('free points')", "pytest.xfail"),
    ("raise KeyboardInterrupt", "KeyboardInterrupt"),
    ("raise SystemExit(0)", "SystemExit"),
])
def test_exceptions_never_become_outcomes_of_the_judge(submit, source, words):
    attack = HONEST.replace("def add(a, b):\n    return a + b", f"def add(a, b):\n    {source}\n")
    result = submit(attack)
    assert failed(result) == ADDS, (words, result.to_json())
    assert result.max_score == ALL and result.score == ALL - 3, (words, result.to_json())


def test_a_context_manager_cannot_swallow_a_failed_assertion(submit):
    attack = HONEST.replace("    return contextlib.nullcontext()", r'''
    class Swallow:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return True

    return Swallow()''').replace("    return a + b", "    return 0")
    result = submit(attack)
    assert failed(result) == ADDS and result.score == ALL - 3, result.to_json()


def test_callbacks_of_the_tests_are_only_callable(submit):
    probe = HONEST.replace("def visit(thing):", r'''
def visit(thing):
    import gc, json
    reached = {}
    for name in ("__globals__", "__code__", "__closure__", "__self__", "__dict__", "__defaults__",
                 "__func__", "__wrapped__", "gi_frame", "f_back", "private", "secret"):
        try:
            value = getattr(thing, name)
            reached[name] = repr(value)[:80]
        except Exception as exc:
            reached[name] = type(exc).__name__
    reached["referents"] = sorted({type(o).__name__ for o in gc.get_referents(thing)})
    print("REACHED" + json.dumps(reached))''')
    public = submit(probe, mode="run")
    assert public.verdict == "passed", public.to_json()
    lines = [json.loads(ln[7:]) for ln in public.stdout.splitlines() if ln.startswith("REACHED")]
    assert len(lines) == 2
    for reached in lines:
        referents = reached.pop("referents")
        assert set(reached.values()) == {"AttributeError"}, reached
        assert set(referents) <= {"int", "frozenset", "dict", "type", "NoneType"}, referents
    assert submit(probe).verdict == "passed"


def test_values_that_do_not_fit_cost_their_test_only(submit):
    attack = HONEST.replace("def add(a, b):\n    return a + b", r'''
def add(a, b):
    if a == 2:
        loop = [1]
        loop.append(loop)
        return loop
    if a == -4:
        deep = []
        for _ in range(100000):
            deep = [deep]
        return deep
    return a + b
''').replace('''    if kind == "word":
        return "{SECRET}"'''.replace("{SECRET}", SECRET), '''    if kind == "word":
        return list(range(3_000_000))''')
    result = submit(attack)
    assert failed(result) == {"test_small", "test_negative", "test_compares_with_a_secret"}
    assert result.score == ALL - 3, result.to_json()


def test_an_eq_that_recurses_forever_only_fails(submit):
    attack = HONEST.replace("        return Point(1)", r'''
        class Loop:
            def __eq__(self, other):
                return self == other

            __hash__ = object.__hash__

        return Loop()''')
    result = submit(attack)
    assert failed(result) == {"test_equal_objects"} and result.score == ALL - 1, result.to_json()


def test_garbage_on_the_socket_costs_one_test_and_the_next_runs(submit):
    attack = HONEST.replace("def add(a, b):\n    return a + b", r'''
def add(a, b):
    import os
    if a == 2:
        os.write(3, b"\xff" * 64 + b"[1, 1, true]")
        import time
        time.sleep(5)
    return a + b
''')
    result = submit(attack)
    small = next(t for t in result.tests if t.name == "test_small")
    assert small.outcome == "failed" and "protocol" in small.message
    assert failed(result) == {"test_small"} and result.score == ALL - 1


def test_killing_its_own_process_costs_that_test_only(submit):
    attack = HONEST.replace("def add(a, b):\n    return a + b", r'''
def add(a, b):
    import os, signal
    if a == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    if a == 1:
        os._exit(0)
    return a + b
''')
    result = submit(attack)
    small = next(t for t in result.tests if t.name == "test_small")
    assert small.outcome == "failed" and "signal SIGKILL" in small.message, result.to_json()
    assert outcomes(result)["test_negative"] == "passed"
    cm = next(t for t in result.tests if "context_manager" in t.name)
    assert cm.outcome == "failed" and "exit code 0" in cm.message
    assert failed(result) == {"test_small", "test_context_manager_cannot_swallow_a_failed_assertion"}
    assert result.score == ALL - 2 and result.verdict == "failed"


def test_a_hang_costs_the_test_time_limit_and_the_next_test_runs(submit):
    attack = HONEST.replace("def add(a, b):\n    return a + b", r'''
def add(a, b):
    if a == 2:
        while True:
            pass
    return a + b
''')
    result = submit(attack)
    small = next(t for t in result.tests if t.name == "test_small")
    assert small.outcome == "failed"
    assert re.search(f"within the {seconds(4)} a test may take", small.message), small.message
    assert failed(result) == {"test_small"}
    assert result.verdict == "timeout" and result.score == ALL - 1
    assert f"test time limit of {seconds(4)}" in result.message
