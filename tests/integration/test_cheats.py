"""A wrong solution must not reach `passed` by attacking the result channel.

Every submission below returns the wrong answer (add() gives 0) and adds one cheat.  The
forgeries after CHEATS each reached `passed` against the earlier design, where the tests
ran in the candidate's process; they now find no pytest, no plugin and no test function
in that process to turn against the judge (tests/integration/test_separation.py attacks
the boundary itself).
"""

import json

import pytest

from tests.helpers import GOOD_ADD

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

# Helpers of the call-time forgeries: fake a pass for every collected test, then finish.
FORGE = r'''
def _forge(send, session):
    ids = [item.nodeid for item in session.items]
    first = True
    for i in ids:
        for when in (("call", "teardown") if first else ("setup", "call", "teardown")):
            send({"event": "phase", "id": i, "when": when, "outcome": "passed",
                  "category": "passed", "exception": None, "duration": 0.001})
        first = False
    send({"event": "finished", "exitstatus": 0, "tampered": []})

def _signed_writer(send, key):
    """forged(event): a line signed with `key` (bytes, or a callable giving them),
    written straight to the plugin's result pipe with the plugin's next numbers."""
    import _hashlib, json, os
    found = dict(zip(send.__code__.co_freevars, send.__closure__))
    fd, seq = found["fd"].cell_contents, [found["counter"].cell_contents[0]]
    def forged(event):
        seq[0] += 1
        body = json.dumps(dict(event, seq=seq[0]), separators=(",", ":")).encode()
        secret = key() if callable(key) else key
        os.write(fd, _hashlib.hmac_digest(secret, body, "sha256").hex().encode() + b" " + body + b"\n")
    return forged

def _from_frames():
    import sys
    frame = sys._getframe()
    while frame is not None:
        item = frame.f_locals.get("item")
        if item is not None and hasattr(item, "session"):
            break
        frame = frame.f_back
    plugin = next(p for p in item.config.pluginmanager.get_plugins()
                  if type(p).__name__ == "ResultsPlugin")
    hook = plugin.pytest_runtest_makereport
    cells = dict(zip(hook.__code__.co_freevars, hook.__closure__))
    return item.session, hook, cells
'''
# Each attacks from inside add(), called by the first hidden test, then exits before the
# real results of that test can be sent.
CALL_TIME = {
    "the plugin's sender found with gc": FORGE + r'''
import gc, os
def add(a, b):
    send = next(o for o in gc.get_objects()
                if getattr(o, "__name__", None) == "send" and getattr(o, "__module__", "") == "lab_results")
    session = next(o for o in gc.get_objects() if type(o).__name__ == "Session")
    _forge(send, session)
    os._exit(0)
''',
    "the plugin's sender found through the stack's frames": FORGE + r'''
import os
def add(a, b):
    session, hook, cells = _from_frames()
    _forge(cells["send"].cell_contents, session)
    os._exit(0)
''',
    "the sender called from another thread": FORGE + r'''
import os, threading
def add(a, b):
    session, hook, cells = _from_frames()
    worker = threading.Thread(target=_forge, args=(cells["send"].cell_contents, session))
    worker.start()
    worker.join()
    os._exit(0)
''',
    "the signing key read from the sender's closure": FORGE + r'''
import os
def add(a, b):
    session, hook, cells = _from_frames()
    send = cells["send"].cell_contents
    found = dict(zip(send.__code__.co_freevars, send.__closure__))
    holder = found.get("key") or found.get("sign")
    key = holder.cell_contents
    if not isinstance(key, bytes):                 # a signer: its frame holds the key
        key = key.__self__.gi_frame.f_locals["key"]
    _forge(_signed_writer(send, key), session)
    os._exit(0)
''',
    "the key taken by a trace function": FORGE + r'''
import os, sys
seen = {}
def tracer(frame, event, arg):
    key = frame.f_locals.get("key")
    if isinstance(key, bytes) and len(key) == 32:
        seen["key"] = key
    return tracer
sys.settrace(tracer)
def add(a, b):
    session, hook, cells = _from_frames()
    _forge(_signed_writer(cells["send"].cell_contents, lambda: seen["key"]), session)
    os._exit(0)
''',
    "the plugin's own hook code driven with fake reports": FORGE + r'''
import os, types
class _Report:
    outcome, passed, skipped, longreprtext = "passed", True, False, ""
class _Outcome:
    def get_result(self):
        return _Report()
class _Call:
    excinfo, duration = None, 0.001
    def __init__(self, when):
        self.when = when
class _Item:
    def __init__(self, nodeid):
        self.nodeid = nodeid
def add(a, b):
    session, hook, cells = _from_frames()
    values = {name: cell.cell_contents for name, cell in cells.items()}
    copy = types.FunctionType(hook.__code__, hook.__globals__, hook.__name__, None,
                              tuple(types.CellType(values[n]) for n in hook.__code__.co_freevars))
    first = True
    for item in session.items:
        for when in (("call", "teardown") if first else ("setup", "call", "teardown")):
            run = copy(_Item(item.nodeid), _Call(when))
            next(run)
            try:
                run.send(_Outcome())
            except StopIteration:
                pass
        first = False
    values["send"]({"event": "finished", "exitstatus": 0, "tampered": []})
    os._exit(0)
''',
    "the key handed to a rebound hmac internal": FORGE + r'''
import hmac, os
STOLEN = {}
class _Thief:
    UnsupportedDigestmodError = ValueError
    def __init__(self, real):
        self.real = real
    def hmac_digest(self, key, msg, digest):
        STOLEN["key"] = key
        return self.real.hmac_digest(key, msg, digest)
hmac._hashopenssl = _Thief(hmac._hashopenssl)
def add(a, b):
    session, hook, cells = _from_frames()
    _forge(_signed_writer(cells["send"].cell_contents, lambda: STOLEN["key"]), session)
    os._exit(0)
''',
    "events rewritten by a rebound JSON encoder": r'''
import json, os
_encode, _exit = json.JSONEncoder.encode, os._exit
def _rewrite(self, obj):
    text = _encode(self, obj)
    if isinstance(obj, dict) and obj.get("event") in ("phase", "finished"):
        text = (text.replace('"outcome":"failed"', '"outcome":"passed"')
                    .replace('"category":"wrong_answer"', '"category":"passed"')
                    .replace('"exception":"AssertionError"', '"exception":null')
                    .replace('"exitstatus":1', '"exitstatus":0'))
    return text
json.JSONEncoder.encode = _rewrite
os._exit = lambda status: _exit(0)
def add(a, b):
    return 0
''',
    "a report patch that restores itself before the check": r'''
from _pytest.reports import TestReport
_original = TestReport.__dict__["from_item_and_call"]
def _passing(cls, item, call):
    TestReport.from_item_and_call = _original        # gone before anyone looks
    report = _original.__func__(cls, item, call)
    report.outcome, report.longrepr = "passed", None
    return report
def add(a, b):
    TestReport.from_item_and_call = classmethod(_passing)
    return 0
''',
    "later tests' functions swapped for no-ops": r'''
import sys
def add(a, b):
    frame = sys._getframe()
    while "item" not in frame.f_locals:
        frame = frame.f_back
    item = frame.f_locals["item"]
    for other in item.session.items:
        if other is not item:
            other.obj = lambda *args, **kwargs: None
    return 0
''',
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
    source = ("import glob\nTEXT = ''\nfor top in ('/judge', '/sandbox', '/tmp', '/opt'):\n"
              "    for p in glob.glob(top + '/**/*.py', recursive=True):\n"
              "        try:\n            TEXT += open(p).read()\n"
              "        except OSError as exc:\n            TEXT += repr(exc)\n"
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


@pytest.mark.parametrize("cheat", list(CALL_TIME))
def test_forgery_from_inside_a_test_does_not_pass(cheat, make_challenge, grade_text):
    """Each of these reached `passed` (or raised the score) against a version of the
    in-process design; in the candidate's own process they find nothing to forge with."""
    challenge = make_challenge()
    result = grade_text(challenge, CALL_TIME[cheat])
    assert result.verdict != "passed", result.to_json()
    assert result.score == 0 and result.verdict != "infra_error", result.to_json()
    assert grade_text(challenge, GOOD_ADD).verdict == "passed"


PROBE = r'''
import gc, json, sys
def add(a, b):
    frames, frame = [], sys._getframe()
    while frame is not None:
        frames.append(frame.f_code.co_filename.rsplit("/", 1)[-1])
        frame = frame.f_back
    tests = [getattr(o, "__name__", "") for o in gc.get_objects()
             if callable(o) and getattr(o, "__name__", "").startswith("test_")]
    mine = sorted(n for n in sys.modules if n.split(".")[0] in
                  ("pytest", "_pytest", "lab_judge", "lab_proxy", "judge", "pluggy"))
    print("SEEN" + json.dumps({"frames": sorted(set(frames)), "tests": tests, "modules": mine}))
    return a + b
'''


def test_the_candidates_process_holds_nothing_of_the_tests(make_challenge, grade_text):
    """What the forgeries above looked for, searched from the candidate's process: its
    stack, every object it can reach, its modules (Run shows its stdout)."""
    result = grade_text(make_challenge(), PROBE, mode="run")
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("SEEN"))
    seen = json.loads(line[4:])
    assert set(seen["frames"]) <= {"solution.py", "lab_candidate.py", "lab_wire.py",
                                   "threading.py"}, seen
    assert seen["tests"] == [] and seen["modules"] == [], seen
    assert result.verdict == "passed", result.to_json()
