from imagefacts import facts


def test_app_runs():
    probe = facts()["probes"]["run"]
    assert probe["exit_code"] == 0, probe["output"]
    assert "inventory-cli ready with flask==" in probe["output"]


def test_manifest_copied_before_source():
    text = facts()["dockerfile"]
    assert text.find("requirements.txt") < text.find("app.py")
