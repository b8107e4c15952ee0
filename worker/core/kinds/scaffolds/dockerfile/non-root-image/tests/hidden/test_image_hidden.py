from imagefacts import facts


def test_not_root():
    """The image runs as a user other than root"""
    assert facts()["config"]["User"] not in ("", "root", "0", "0:0")

def test_exec_form_cmd():
    """CMD uses the exec form"""
    assert facts()["config"]["Cmd"] == ["python3", "/app/app.py"]

def test_prints_greeting():
    """Running the image prints its greeting"""
    assert "hello from the image" in facts()["probes"]["hello"]["output"]
