"""The judge's side of the wire against a real candidate process: lab_candidate.py runs
as a subprocess on one end of a socket pair (no container: these prove the protocol's
semantics, tests/integration/test_separation.py proves the sandbox's boundary), driven
through the judge's handles as a challenge's tests would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[3] / "worker" / "runner"
sys.path.insert(0, str(RUNNER))

import lab_codec  # noqa: E402
import lab_context  # noqa: E402
import lab_proxy  # noqa: E402
import lab_wire  # noqa: E402
from lab_context import CandidateFailure, Link  # noqa: E402
from lab_proxy import Handle  # noqa: E402

# -- against a real candidate process -----------------------------------------------------

SOLUTION = '''
import threading


class Lying(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, other):
        return isinstance(other, Money) and other.cents == self.cents

    def __hash__(self):
        return hash(self.cents)


class ConfigError(ValueError):
    def __init__(self, field):
        super().__init__(f"bad {field}")
        self.field = field


class Anything:
    def __eq__(self, other):
        return True

    def __bool__(self):
        return True

    def __exit__(self, *exc):
        return True

    def __enter__(self):
        return self


LOG = []


def lying():
    return Lying(7)


def anything():
    return Anything()


def fail(field):
    raise ConfigError(field)


def call_back(fn, *args):
    return fn(*args)


def call_method(obj, name):
    return getattr(obj, name)()


def rethrow(fn):
    try:
        fn()
    except Exception as exc:
        LOG.append(exc)
        raise


def in_threads(fn, count):
    results = [None] * count
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, fn(i))) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def spin():
    while True:
        pass


def chained():
    try:
        {}["k"]
    except KeyError:
        raise ConfigError("context")


def bad_json():
    import json

    return json.loads('{"a": }')


class Kept(Exception):
    def __init__(self, code):
        super().__init__()
        self.code = code


def raise_kept():
    raise Kept(7)


def make_app():
    from flask import Flask, redirect, request

    app = Flask("redirects")

    @app.post("/old")
    def old():
        return redirect("/new", code=308)

    @app.post("/new")
    def new():
        return {"got": request.get_json()}

    @app.get("/go")
    def go():
        return redirect("/there")

    @app.get("/there")
    def there():
        return "here"

    return app


def swallow_assertions(fn):
    try:
        fn()
    except BaseException:
        return "swallowed"
'''


@pytest.fixture
def candidate(tmp_path):
    (tmp_path / "solution.py").write_text(SOLUTION)
    judge_end, own_end = socket.socketpair()
    proc = subprocess.Popen(
        [sys.executable, str(RUNNER / "lab_candidate.py"),
         json.dumps({"cpu_seconds": 30, "work_dir": str(tmp_path),
                     "wire_fd": own_end.fileno()})],
        pass_fds=(own_end.fileno(),), cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(RUNNER)})
    own_end.close()
    conn = lab_wire.Connection(judge_end, "J", serve=None, encode=lab_codec.encode, decode=None,
                               encode_error=lab_codec.encode_exception, decode_error=None,
                               persistent=False)
    conn.decode = lab_codec.decoder_for(conn)
    conn.decode_error = lab_codec.decode_error_for(conn)
    import lab_control

    conn.serve = lab_control._callback_server(conn)
    conn.start()
    Link.current = lambda: conn
    Link.failure = lambda c, reason: CandidateFailure(reason, "crashed", reason)
    Link.limits = {"test_seconds": 5}
    Link.incarnation += 1
    lab_context.CONTEXT.deadline = time.monotonic() + 20
    yield lab_proxy.RemoteModule("solution")
    conn.close()
    proc.kill()
    proc.wait()


def test_a_lying_int_arrives_as_a_true_int(candidate):
    value = candidate.lying()
    assert type(value) is int and value == 7 and value != 8


def test_a_handle_is_never_equal_to_a_plain_value(candidate):
    anything = candidate.anything()
    assert type(anything) is Handle
    assert anything != 3 and not (anything == 3) and not (3 == anything)
    assert anything not in [1, 2, 3] and anything != "x" and anything != [anything]
    with pytest.raises(TypeError):
        anything < 3  # noqa: B015 - order against a plain value is refused, not guessed


def test_two_handles_compare_with_the_candidates_eq(candidate):
    assert candidate.Money(5) == candidate.Money(5)
    assert candidate.Money(5) != candidate.Money(6)
    money = candidate.Money(5)
    assert candidate.call_back(lambda m: m, money) is money  # one proxy per object


def test_the_candidates_exceptions_are_mirrors(candidate):
    ConfigError = candidate.ConfigError  # noqa: N806
    assert issubclass(ConfigError, ValueError)
    with pytest.raises(ConfigError) as info:
        candidate.fail("port")
    assert info.value.field == "port" and str(info.value) == "bad port"
    made = ConfigError("host")
    assert isinstance(made, ValueError) and made.field == "host"


def test_exceptions_of_the_tests_come_back_as_themselves(candidate):
    mine = KeyError("mine")

    def boom():
        raise mine

    with pytest.raises(KeyError) as info:
        candidate.rethrow(boom)
    assert info.value is mine


def test_callbacks_may_only_be_called(candidate):
    assert candidate.call_back(lambda a, b: a + b, 2, 3) == 5

    class Account:
        def balance(self):
            return 100

        def private(self):
            return "secret"

    with pytest.raises(AttributeError):
        candidate.call_method(Account(), "balance")
    assert candidate.call_method(lab_codec.methods(Account(), "balance"), "balance") == 100
    with pytest.raises(AttributeError):
        candidate.call_method(lab_codec.methods(Account(), "balance"), "private")


def test_callbacks_from_many_candidate_threads_run_at_once(candidate):
    barrier = threading.Barrier(4, timeout=5)

    def meet(i):
        barrier.wait()
        return i * 10

    assert candidate.in_threads(meet, 4) == [0, 10, 20, 30]


def test_a_failed_assertion_in_a_callback_is_kept_even_if_swallowed(candidate):
    lab_context.CONTEXT.failures = []

    def check():
        assert 1 == 2

    assert candidate.swallow_assertions(check) == "swallowed"
    assert len(lab_context.CONTEXT.failures) == 1
    assert isinstance(lab_context.CONTEXT.failures[0], AssertionError)


def test_a_context_manager_cannot_swallow_an_assertion(candidate):
    with pytest.raises(AssertionError):
        with candidate.anything():
            raise AssertionError("the test's check")
    with candidate.anything():  # other exceptions it may swallow, as Python allows
        raise KeyError("x")


def test_no_answer_before_the_deadline_is_a_failure_of_the_candidate(candidate):
    lab_context.CONTEXT.deadline = time.monotonic() + 0.5
    with pytest.raises(CandidateFailure):
        candidate.spin()


def test_values_too_big_for_the_wire_come_back_as_handles(candidate):
    made = candidate.call_back(textwrap.dedent, "x")  # a plain function of the judge's stdlib
    assert made == "x"
    big = candidate.call_back(list, range(1_000_000))
    assert type(big) is Handle and len(big) == 1_000_000
    assert Decimal("1.5") == candidate.call_back(Decimal, "1.5")


def test_a_class_made_in_the_candidates_process_calls_back_the_tests_methods(candidate):
    import judge

    seen = []

    def describe(self, suffix):
        seen.append(self)
        return f"money {self.cents}{suffix}"

    Priced = judge.subclass(candidate.Money, "Priced", {"describe": describe, "currency": "EUR"})  # noqa: N806
    made = Priced(250)
    assert made.describe("!") == "money 250!" and seen == [made]
    assert made.currency == "EUR" and judge.type_of(made) is Priced
    assert isinstance(made, candidate.Money) and not isinstance(5, candidate.Money)


def test_chained_context_and_standard_exceptions_keep_their_details(candidate):
    import json

    with pytest.raises(candidate.ConfigError) as info:
        candidate.chained()
    assert isinstance(info.value.__context__, KeyError)
    assert info.value.__cause__ is None and info.value.__suppress_context__ is False
    with pytest.raises(json.JSONDecodeError) as info:
        candidate.bad_json()
    assert (info.value.lineno, info.value.colno, info.value.pos) == (1, 7, 6)


def test_a_function_of_the_tests_shows_its_name_docstring_and_signature(candidate):
    import judge

    def documented(a, b=2, *, c):
        """Docs."""

    inspect = judge.remote_module("inspect")
    functools = judge.remote_module("functools")
    wrapped = functools.wraps(documented)(candidate.call_back)
    assert (wrapped.__name__, wrapped.__doc__) == ("documented", "Docs.")
    assert str(inspect.signature(documented)) == "(a, b=2, *, c)"


def test_the_candidates_exception_keeps_its_object_through_a_callback(candidate):
    with pytest.raises(candidate.Kept) as info:
        candidate.call_back(lambda: candidate.raise_kept())
    assert info.value.code == 7


def test_the_http_client_follows_redirects_with_the_body(candidate):
    import judge

    client = judge.http_client(candidate.make_app())
    assert client.post("/old", json={"a": 1}, follow_redirects=True).get_json() == {"got": {"a": 1}}
    assert client.get("/go", follow_redirects=True).get_data(as_text=True) == "here"
