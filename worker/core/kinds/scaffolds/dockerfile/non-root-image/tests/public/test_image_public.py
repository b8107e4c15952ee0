from imagefacts import facts


def test_app_runs():
    assert facts()["probes"]["hello"]["exit_code"] == 0
