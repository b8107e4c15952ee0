import json
import os

from imagefacts import facts


def _probe_output(name):
    probe = facts()["probes"][name]
    assert probe["timed_out"] is False
    assert probe["exit_code"] == 0, probe["output"]
    return probe["output"].strip()


def _listening():
    found = json.loads(_probe_output("sockets"))
    assert type(found) is list
    return [(address, port) for address, port in found]


def test_items_endpoint():
    """GET /api/items on port 8000 answers 200 with the three items"""
    status, _, body = _probe_output("items").partition(" ")
    assert status == "200"
    data = json.loads(body)
    assert type(data) is dict
    assert type(data["items"]) is list and len(data["items"]) == 3
    assert data["count"] == 3


def test_listens_on_all_interfaces():
    """The server listens on 0.0.0.0:8000 (or [::]:8000), not only on loopback"""
    assert ("0.0.0.0", 8000) in _listening() or ("::", 8000) in _listening()


def test_python_is_pid_1():
    """CMD in exec form: python3 itself is PID 1, not /bin/sh"""
    argv0 = _probe_output("pid1").split()[0]
    assert os.path.basename(argv0).startswith("python")


def test_startup_line_reaches_the_log():
    """The startup line appears in the container log while the server runs"""
    assert "inventory service starting on 0.0.0.0:8000" in facts()["main"]["logs"]


def test_request_line_reaches_the_log_at_once():
    """The line printed while serving /api/items is in the log at once (unbuffered output)"""
    assert "listed 3 items" in facts()["main"]["logs"]


def test_unbuffered_python_env():
    """ENV PYTHONUNBUFFERED=1 is set in the image"""
    assert "PYTHONUNBUFFERED=1" in (facts()["config"]["Env"] or [])


def test_exposes_only_8000():
    """EXPOSE declares exactly 8000/tcp"""
    assert sorted(facts()["config"]["ExposedPorts"] or {}) == ["8000/tcp"]


def test_cmd_is_exec_form():
    """The image's CMD is a JSON-array command that does not start a shell"""
    cmd = facts()["config"]["Cmd"]
    assert type(cmd) is list
    assert cmd[0] not in ("/bin/sh", "sh", "/bin/bash", "bash")


def test_workdir_and_non_root():
    """WORKDIR is /srv/app and the image runs as a non-root user"""
    assert facts()["config"]["WorkingDir"] == "/srv/app"
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")


def test_server_keeps_running():
    """The server is still running after the probes"""
    assert facts()["main"]["running"] is True
