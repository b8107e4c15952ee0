from imagefacts import facts


def _lines(name):
    probe = facts()["probes"][name]
    assert probe["timed_out"] is False
    assert probe["exit_code"] == 0, probe["output"]
    return probe["output"].strip().splitlines()


def test_entrypoint_is_exec_form():
    """ENTRYPOINT is the exec-form list ["python3", "/app/greet.py"]"""
    entrypoint = facts()["config"]["Entrypoint"]
    assert type(entrypoint) is list
    assert entrypoint == ["python3", "/app/greet.py"]


def test_cmd_holds_only_the_default_argument():
    """CMD is the exec-form default argument list ["world"]"""
    cmd = facts()["config"]["Cmd"]
    assert type(cmd) is list
    assert cmd == ["world"]


def test_default_run_greets_world():
    """Running the image with no arguments prints exactly Hello, world!"""
    assert facts()["main"]["logs"].strip() == "Hello, world!"


def test_arguments_replace_the_default():
    """docker run IMAGE Ada Grace greets Ada and Grace only, not world"""
    assert _lines("names") == ["Hello, Ada!", "Hello, Grace!"]


def test_flags_reach_the_program():
    """A flag given to docker run (--shout) reaches greet.py"""
    assert _lines("shout") == ["HELLO, ADA!"]


def test_python_is_pid_1():
    """python3 runs as PID 1 (no shell in between), so it receives docker stop's signal"""
    assert _lines("pid") == ["Hello, Ada!", "pid=1"]
