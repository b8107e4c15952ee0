"""A wrong solution must not reach `passed` by attacking the result channel.

Every submission below returns the wrong answer (add() gives 0) and adds one cheat.
"""

import json

import pytest

from tests.conftest import GOOD_ADD

pytestmark = pytest.mark.docker

WRONG = "\ndef add(a, b):\n    return 0\n"
FAKE_STREAM = r'''
import json, os
ids = ["tests/hidden/test_hidden.py::test_small", "tests/hidden/test_hidden.py::test_negative"]
events = [{"event": "start"}, {"event": "collected", "ids": ids}]
for i in ids:
    for when in ("setup", "call", "teardown"):
        events.append({"event": "phase", "id": i, "when": when, "outcome": "passed",
                       "category": "passed", "exception": None, "duration": 0.001})
events.append({"event": "finished", "exitstatus": 0, "tampered": []})
lines = b"".join(b"0" * 64 + b" " + json.dumps(dict(e, seq=n)).encode() + b"\n"
                 for n, e in enumerate(events, 1))
'''

CHEATS = {
    "os._exit(0) at import": "import os\nos._exit(0)\n",
    "sys.exit(0) at import": "import sys\nsys.exit(0)\n",
    "fake pytest output": "import json\nprint('tests/hidden/test_hidden.py ..\\n2 passed in 0.01s')\n"
                          "print(json.dumps({'verdict': 'passed', 'score': 2}))\n",
    "fake results on the results pipe, then exit": FAKE_STREAM + "os.write(3, lines)\nos._exit(0)\n",
    "fake results on every descriptor": FAKE_STREAM
    + "for fd in range(1, 20):\n    try:\n        os.write(fd, lines)\n    except OSError:\n"
      "        pass\n",
    "fake result files everywhere writable": FAKE_STREAM
    + "for path in ('/tmp/report.json', '/tmp/results.json', '/dev/shm/report.json',\n"
      "             '/sandbox/report.json', '/opt/lab-runner/report.json', '/proc/1/fd/1'):\n"
      "    try:\n        open(path, 'wb').write(lines)\n    except OSError:\n        pass\n",
    "kill the parent": "import os, signal\n"
                       "for pid in (os.getppid(), 1, -1):\n    try:\n"
                       "        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\n",
    "fork, fake the stream from the child, exit": FAKE_STREAM
    + "if os.fork() == 0:\n    os.write(3, lines)\n    os._exit(0)\nos.wait()\nos._exit(0)\n",
    "patch call_and_report": "import _pytest.runner\norig = _pytest.runner.call_and_report\n"
    "def fake(item, when, log=True, **kw):\n    rep = orig(item, when, log, **kw)\n"
    "    rep.outcome = 'passed'\n    return rep\n_pytest.runner.call_and_report = fake\n",
    "patch TestReport.from_item_and_call": "from _pytest.reports import TestReport\n"
    "orig = TestReport.from_item_and_call.__func__\n"
    "def fake(cls, item, call):\n    rep = orig(cls, item, call)\n    rep.outcome = 'passed'\n"
    "    return rep\nTestReport.from_item_and_call = classmethod(fake)\n",
    "patch the test call into a no-op": "import _pytest.python\n"
    "_pytest.python.Function.runtest = lambda self: None\n",
    "patch pluggy's hook caller": "import pluggy._callers as c\norig = c._multicall\n"
    "def fake(*a, **k):\n    res = orig(*a, **k)\n    if getattr(res, 'outcome', None) == 'failed':\n"
    "        res.outcome = 'passed'\n    return res\nc._multicall = fake\n",
    "patch the results plugin": "import lab_results\n"
    "lab_results._changes = lambda before, after: []\n"
    "lab_results._category = lambda report, excinfo: 'passed'\n"
    "import _pytest.runner\norig = _pytest.runner.call_and_report\n"
    "def fake(item, when, log=True, **kw):\n    rep = orig(item, when, log, **kw)\n"
    "    rep.outcome = 'passed'\n    return rep\n_pytest.runner.call_and_report = fake\n",
    "register a hook plugin": "import gc, _pytest.config\n"
    "cfg = next(o for o in gc.get_objects() if isinstance(o, _pytest.config.Config))\n"
    "class P:\n    import pytest\n    @pytest.hookimpl(hookwrapper=True)\n"
    "    def pytest_runtest_makereport(self, item, call):\n        out = yield\n"
    "        out.get_result().outcome = 'passed'\ncfg.pluginmanager.register(P())\n",
}


@pytest.mark.parametrize("cheat", list(CHEATS))
def test_cheat_does_not_pass(cheat, make_challenge, grade_text):
    challenge = make_challenge()
    result = grade_text(challenge, CHEATS[cheat] + WRONG)
    assert result.verdict != "passed", result.to_json()
    assert result.score == 0, result.to_json()
    assert result.verdict != "infra_error"
    # ...and the engine and grader are fine for the next candidate.
    assert grade_text(challenge, GOOD_ADD).verdict == "passed"


def test_hidden_test_source_does_not_leak(make_challenge, grade_text):
    """A submission that reads every test file it can and raises with the text."""
    source = ("import glob\nTEXT = ''.join(open(p).read() for p in glob.glob('/sandbox/**/*.py',"
              " recursive=True))\n"
              "def add(a, b):\n    print(TEXT)\n    raise ValueError(TEXT)\n")
    result = grade_text(make_challenge(), source)
    assert result.verdict == "failed"
    dumped = json.dumps(result.to_dict())
    assert "assert add(2, 3) == 5" not in dumped and "from solution import add" not in dumped
    assert result.tests[0].message == "Adds two small numbers: your code raised ValueError"


def test_custom_exception_name_does_not_leak(make_challenge, grade_text):
    source = "class assert_add_2_3_eq_5(Exception):\n    pass\n" \
             "def add(a, b):\n    raise assert_add_2_3_eq_5()\n"
    result = grade_text(make_challenge(), source)
    assert "assert_add_2_3" not in json.dumps(result.to_dict())
