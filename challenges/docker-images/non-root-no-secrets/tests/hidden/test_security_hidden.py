import json
import re

from imagefacts import facts

OLD_SECRET = "tok_live_"
PROBE_TOKEN = "probe-token-8842"
SECRET_NAME = re.compile(r"([A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD)[A-Za-z0-9_]*)=(\S*)", re.I)


def _env():
    env = facts()["config"]["Env"] or []
    assert type(env) is list
    return dict(item.split("=", 1) for item in env)


def _secret_assignments(text):
    """NAME=value pairs whose name looks secret and is not a *_FILE path pointer."""
    return [(name, value) for name, value in SECRET_NAME.findall(text)
            if not name.upper().endswith("_FILE") and value.strip("\"'")]


def test_runs_as_non_root():
    """The image's USER is not root"""
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")


def test_no_secret_in_env():
    """No environment variable of the image carries a token, secret or password"""
    env = _env()
    assert not [n for n in env if re.search("TOKEN|SECRET|PASSWORD", n, re.I)
                and not n.upper().endswith("_FILE")]
    assert not any(OLD_SECRET in value for value in env.values())


def test_no_secret_in_history():
    """No layer of the image history records a secret value (ENV, ARG or RUN)"""
    history = facts()["history"]
    assert not any(OLD_SECRET in line for line in history)
    assert not any(_secret_assignments(line) for line in history)


def test_no_secret_in_dockerfile():
    """The Dockerfile holds no secret value and no ARG for one"""
    text = facts()["dockerfile"]
    assert OLD_SECRET not in text
    assert not re.search(r"^\s*ARG\s+\S*(TOKEN|SECRET|PASSWORD)", text, re.I | re.M)


def test_token_file_and_cache_dir_env():
    """ENV points API_TOKEN_FILE at /run/secrets/api_token and CACHE_DIR at /tmp/report-cache"""
    env = _env()
    assert env.get("API_TOKEN_FILE") == "/run/secrets/api_token"
    assert env.get("CACHE_DIR") == "/tmp/report-cache"


def test_missing_token_exits_3():
    """Without a mounted token the job says 'no API token' and exits 3"""
    probe = facts()["probes"]["no_token"]
    assert probe["exit_code"] == 3, probe["output"]
    assert "no API token" in probe["output"]


def test_token_read_from_mounted_file():
    """With API_TOKEN_FILE pointing at a token file the job caches rows=42 and exits 0"""
    probe = facts()["probes"]["with_token"]
    assert probe["exit_code"] == 0, probe["output"]
    assert probe["output"].strip().splitlines()[-1] == "rows=42"


def test_token_never_printed():
    """The job never prints the token it read"""
    probe = facts()["probes"]["with_token"]
    assert PROBE_TOKEN not in probe["output"]


def test_nothing_writable_outside_tmp():
    """The app user can write nowhere outside /tmp (read-only friendly, /app stays root-owned)"""
    output = facts()["probes"]["writable"]["output"].strip()
    found = json.loads(output)
    assert type(found) is list
    assert found == []


def test_cmd_exec_form():
    """CMD is ["python3", "/app/app.py"] in exec form"""
    assert facts()["config"]["Cmd"] == ["python3", "/app/app.py"]
