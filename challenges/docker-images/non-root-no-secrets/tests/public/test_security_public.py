from imagefacts import facts


def test_runs_as_non_root():
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")


def test_missing_token_is_reported():
    probe = facts()["probes"]["no_token"]
    assert probe["exit_code"] == 3, probe["output"]
    assert "no API token" in probe["output"]
