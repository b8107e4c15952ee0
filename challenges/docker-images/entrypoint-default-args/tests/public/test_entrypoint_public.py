from imagefacts import facts


def test_default_run_greets_world():
    assert "Hello, world!" in facts()["main"]["logs"]


def test_arguments_reach_the_program():
    probe = facts()["probes"]["names"]
    assert probe["exit_code"] == 0, probe["output"]
    assert "Hello, Ada!" in probe["output"]
