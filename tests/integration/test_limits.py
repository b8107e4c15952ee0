"""Every limit is reported as that limit, with its value; the next run is normal."""

import pytest

from tests.helpers import GOOD_ADD

pytestmark = pytest.mark.docker

LIMIT_CASES = {
    # The CPU limit ends the loop, unless a busy machine lets the wall clock run out first.
    "infinite loop": ("def add(a, b):\n    while True:\n        pass\n",
                      "timeout", ("CPU time limit of 3 s", "wall-clock limit of 5 s")),
    "sleep": ("import time\ndef add(a, b):\n    time.sleep(60)\n",
              "timeout", "wall-clock limit of 5 s"),
    "memory bomb": ("def add(a, b):\n    hog = []\n    while True:\n        hog.append('x' * 10**7)\n",
                    "memory_limit", "memory limit of 256 MiB"),
    "output flood": ("def add(a, b):\n    while True:\n        print('spam' * 250)\n",
                     "output_limit", "output limit of 1024 KiB"),
    "one huge file": ("def add(a, b):\n    with open('/tmp/big', 'wb') as f:\n"
                      "        while True:\n            f.write(b'x' * 2**20)\n",
                      "output_limit", "file size limit of 16 MiB"),
    "disk fill": ("def add(a, b):\n    for i in range(10**4):\n"
                  "        with open(f'/tmp/f{i}', 'wb') as f:\n            f.write(b'x' * 2**20)\n",
                  "output_limit", "32 MiB scratch space"),
}


@pytest.mark.parametrize("case", list(LIMIT_CASES))
def test_limit_is_named_and_next_run_passes(case, make_challenge, grade_text):
    source, verdict, words = LIMIT_CASES[case]
    challenge = make_challenge()
    result = grade_text(challenge, source)
    assert result.verdict == verdict, result.to_json()
    assert any(w in result.message for w in (words if isinstance(words, tuple) else (words,)))
    assert result.score == 0
    assert grade_text(challenge, GOOD_ADD).verdict == "passed"


def test_fork_bomb_is_contained_and_reported(make_challenge, grade_text):
    source = ("import os\ndef add(a, b):\n    while True:\n        try:\n            os.fork()\n"
              "        except OSError:\n            pass\n")
    challenge = make_challenge()
    result = grade_text(challenge, source)
    # The pids limit stops the forks; the loop itself then runs into a clock.
    assert result.verdict == "timeout" and result.score == 0, result.to_json()
    wall = result.limits["wall_seconds"]
    assert (result.message.startswith(f"wall-clock limit of {wall:g} s exceeded")
            or result.message.startswith("CPU time limit of")), result.message
    assert "the process limit (64) was reached" in result.message
    assert grade_text(challenge, GOOD_ADD).verdict == "passed"


def test_challenge_can_tighten_limits(make_challenge, grade_text):
    challenge = make_challenge(limits={"wall_seconds": 1})
    result = grade_text(challenge, "import time\ndef add(a, b):\n    time.sleep(30)\n")
    assert result.verdict == "timeout" and "wall-clock limit of 1 s" in result.message
    assert result.limits["wall_seconds"] == 1
