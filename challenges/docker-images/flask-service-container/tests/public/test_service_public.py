from imagefacts import facts


def test_items_endpoint_answers():
    output = facts()["probes"]["items"]["output"]
    assert output.startswith("200"), output[:200]


def test_server_keeps_running():
    assert facts()["main"]["running"] is True
