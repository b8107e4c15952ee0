import json

from imagefacts import facts

SECOND = 1_000_000_000  # the image config stores durations in nanoseconds


def _healthcheck():
    check = facts()["config"]["Healthcheck"]
    assert type(check) is dict, "the image has no HEALTHCHECK"
    return check


def _probe(name):
    probe = facts()["probes"][name]
    assert probe["timed_out"] is False, f"{name} did not finish"
    return probe


def test_healthcheck_exec_form():
    """HEALTHCHECK runs ["python3", "/app/healthcheck.py"] in exec form (no shell)"""
    assert _healthcheck().get("Test") == ["CMD", "python3", "/app/healthcheck.py"]


def test_interval_is_sensible():
    """--interval is set explicitly, between 5 s and 60 s"""
    interval = _healthcheck().get("Interval")
    assert type(interval) is int
    assert 5 * SECOND <= interval <= 60 * SECOND


def test_timeout_shorter_than_interval():
    """--timeout is set, at most 5 s and shorter than the interval"""
    check = _healthcheck()
    timeout = check.get("Timeout")
    assert type(timeout) is int
    assert 0 < timeout <= 5 * SECOND
    assert timeout < check.get("Interval", 30 * SECOND)


def test_start_period_and_retries():
    """--start-period is above 0 (at most 60 s) and --retries is between 2 and 5"""
    check = _healthcheck()
    assert 0 < check.get("StartPeriod", 0) <= 60 * SECOND
    assert 2 <= check.get("Retries", 0) <= 5


def test_health_endpoint_answers_ok():
    """GET /health on port 8000 answers 200 {"status": "ok"}"""
    status, _, body = _probe("health")["output"].strip().partition(" ")
    assert status == "200"
    assert json.loads(body) == {"status": "ok"}


def test_check_passes_when_healthy():
    """The check exits 0 while the service is healthy"""
    probe = _probe("check_up")
    assert probe["exit_code"] == 0, probe["output"]


def test_check_fails_when_unreachable():
    """The check exits exactly 1 when nothing listens on HEALTH_PORT"""
    assert _probe("check_down")["exit_code"] == 1


def test_check_fails_without_traceback():
    """An unreachable service gives a one-line reason, not a Python traceback"""
    probe = _probe("check_down")
    assert probe["output"].strip()
    assert "Traceback" not in probe["output"]


def test_check_fails_during_maintenance():
    """The check exits 1 while /health answers 503"""
    probe = _probe("check_maintenance")
    assert probe["exit_code"] == 1
    assert "Traceback" not in probe["output"]


def test_server_keeps_running():
    """The image's command is the long-running quote service"""
    assert facts()["main"]["running"] is True


def test_exposes_8000_and_cmd_exec_form():
    """EXPOSE 8000 and CMD ["python3", "/app/app.py"]"""
    assert "8000/tcp" in (facts()["config"]["ExposedPorts"] or {})
    assert facts()["config"]["Cmd"] == ["python3", "/app/app.py"]


def test_runs_as_non_root():
    """The image runs as a non-root user"""
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")
