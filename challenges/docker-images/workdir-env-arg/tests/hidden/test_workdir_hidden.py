import ast
import re

from imagefacts import facts


def _instructions():
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    out, joined = [], ""
    for raw in facts()["dockerfile"].splitlines():
        line = raw.strip()
        if not joined and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            joined += line[:-1] + " "
            continue
        joined += line
        word, _, rest = joined.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        joined = ""
    return out


def _env():
    env = facts()["config"]["Env"] or []
    assert type(env) is list
    return dict(item.split("=", 1) for item in env)


def _output(name):
    probe = facts()["probes"][name]
    assert probe["timed_out"] is False
    assert probe["exit_code"] == 0, probe["output"]
    return probe["output"].strip()


def test_working_directory_in_config():
    """WORKDIR sets the image's working directory to /opt/report"""
    assert facts()["config"]["WorkingDir"] == "/opt/report"


def test_version_reaches_runtime_env():
    """APP_VERSION=1.0.0 is in the image's environment"""
    assert _env().get("APP_VERSION") == "1.0.0"


def test_title_default_in_env():
    """REPORT_TITLE defaults to 'Daily report' in the image's environment"""
    assert _env().get("REPORT_TITLE") == "Daily report"


def test_arg_declared_with_default():
    """ARG APP_VERSION is declared with the default 1.0.0"""
    args = [a for w, a in _instructions() if w == "ARG"]
    assert any(re.fullmatch(r"APP_VERSION=[\"']?1\.0\.0[\"']?", a) for a in args)


def test_env_takes_version_from_arg():
    """The ENV for APP_VERSION reads the build argument instead of repeating 1.0.0"""
    instructions = _instructions()
    arg_lines = [n for n, (w, a) in enumerate(instructions)
                 if w == "ARG" and a.startswith("APP_VERSION")]
    assert arg_lines, "no ARG APP_VERSION"
    arg_at = arg_lines[0]
    envs = [(n, a) for n, (w, a) in enumerate(instructions) if w == "ENV" and "APP_VERSION" in a]
    assert envs
    assert all(n > arg_at for n, _ in envs)
    assert all(re.search(r"APP_VERSION[= ]+[\"']?\$\{?APP_VERSION\b", a) for _, a in envs)


def test_no_cd_in_run():
    """The directory is changed with WORKDIR, never with cd in a RUN line"""
    for word, args in _instructions():
        if word == "RUN":
            assert not re.search(r"(^|[;&|\s])cd\s", args)


def test_default_report():
    """python3 app.py prints the report with the default title, version and folder"""
    assert _output("default") == "Daily report (v1.0.0) rendered in /opt/report"


def test_title_can_be_overridden_at_run_time():
    """REPORT_TITLE given when the container starts replaces the default"""
    assert _output("titled") == "Weekly summary (v1.0.0) rendered in /opt/report"


def test_files_live_in_the_working_directory():
    """The container starts in /opt/report, which holds app.py and template.txt"""
    lines = _output("where").splitlines()
    assert len(lines) == 2
    cwd, listing = lines
    assert cwd == "/opt/report"
    assert {"app.py", "template.txt"} <= set(ast.literal_eval(listing))


def test_cmd_relative_exec_form():
    """CMD is ["python3", "app.py"] and the image does not run as root"""
    assert facts()["config"]["Cmd"] == ["python3", "app.py"]
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")
