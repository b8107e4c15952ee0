from imagefacts import facts


def test_default_report_runs():
    probe = facts()["probes"]["default"]
    assert probe["exit_code"] == 0, probe["output"]
    assert "Daily report" in probe["output"]


def test_working_directory():
    assert facts()["config"]["WorkingDir"] == "/opt/report"
