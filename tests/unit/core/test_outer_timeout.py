"""The host's own clock: when the container outlives wall + grace (its supervisor hung,
or the engine is slow), the run is killed, removed and reported as a timeout.

docker-py's wait(timeout=...) is only the HTTP timeout and raises ReadTimeout or
ConnectionError; this branch cannot be reached with a real supervisor, which always
stops its child at the wall clock, so the engine is faked here.
"""

import pytest
import requests

from worker.core import sandbox, verdict
from worker.core.config import Limits, Settings


class FakeContainer:
    def __init__(self, error: Exception):
        self.error, self.calls = error, []

    def put_archive(self, path, data):
        self.calls.append("put_archive")

    def start(self):
        self.calls.append("start")

    def wait(self, timeout):
        self.calls.append(f"wait {timeout:g}")
        raise self.error

    def kill(self):
        self.calls.append("kill")

    def logs(self, stdout, stderr):
        return b""

    def reload(self):
        self.attrs = {"State": {"OOMKilled": False}}

    def remove(self, force=False, v=False):
        self.calls.append("remove")


@pytest.mark.parametrize("error", [requests.exceptions.ReadTimeout("read timed out"),
                                   requests.exceptions.ConnectionError("connection aborted")])
def test_container_outliving_wall_plus_grace_is_killed_removed_and_a_timeout(error, monkeypatch):
    container = FakeContainer(error)
    monkeypatch.setattr(sandbox, "create_sandbox", lambda *args, **kw: container)
    limits = Limits(wall_seconds=4)
    job = sandbox.SandboxJob(files={"solution.py": b""}, judge_files={}, test_paths=["tests/hidden"],
                             visibility="hidden", modules=["solution"])
    result = verdict.run_tests(None, "image", job, {}, {}, limits, Settings(grace_seconds=3))
    assert container.calls == ["put_archive", "start", "wait 7", "kill", "remove"]
    assert result.verdict == "timeout" and result.message == "wall-clock limit of 4 s exceeded"
