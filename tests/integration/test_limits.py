"""Every limit is reported as that limit, with its value; the next run is normal."""

import pytest

from tests.helpers import GOOD_ADD, RUNTIME, clock, seconds

pytestmark = pytest.mark.docker

LIMIT_CASES = {
    # The CPU limit ends the loop, unless a busy machine lets the wall clock run out first.
    "infinite loop": ("def add(a, b):\n    while True:\n        pass\n",
                      "timeout", (f"CPU time limit of {seconds(3)}", f"wall-clock limit of {seconds(5)}")),
    "sleep": ("import time\ndef add(a, b):\n    time.sleep(60)\n",
              "timeout", f"wall-clock limit of {seconds(5)}"),
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
    if RUNTIME == "runsc" and result.verdict == "memory_limit":
        # Under gVisor each forked Python costs about 6 MiB of anonymous memory (under
        # runc well under 1 MiB): some 45 of them fill the 256 MiB, by gVisor's count,
        # before the 64th process would be refused.
        assert result.message.startswith("memory limit of 256 MiB exceeded"), result.message
        assert result.score == 0
    else:
        # The pids limit stops the forks; the loop itself then runs into a clock.
        assert "the process limit (64) was reached" in result.message, result.to_json()
        assert result.verdict == "timeout" and result.score == 0, result.to_json()
        wall = result.limits["wall_seconds"]
        assert (result.message.startswith(f"wall-clock limit of {wall:g} s exceeded")
                or result.message.startswith("CPU time limit of")), result.message
    assert grade_text(challenge, GOOD_ADD).verdict == "passed"


def test_challenge_can_tighten_limits(make_challenge, grade_text):
    challenge = make_challenge(limits={"wall_seconds": 1})
    result = grade_text(challenge, "import time\ndef add(a, b):\n    time.sleep(30)\n")
    assert result.verdict == "timeout" and f"wall-clock limit of {seconds(1)}" in result.message
    assert result.limits["wall_seconds"] == clock(1)  # the clock the run had
