from imagefacts import facts


def test_health_endpoint_answers():
    output = facts()["probes"]["health"]["output"]
    assert output.startswith("200"), output[:200]


def test_check_passes_when_healthy():
    probe = facts()["probes"]["check_up"]
    assert probe["exit_code"] == 0, probe["output"]
