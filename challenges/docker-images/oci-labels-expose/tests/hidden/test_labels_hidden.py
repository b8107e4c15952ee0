import pytest

from imagefacts import facts

PREFIX = "org.opencontainers.image."
GRADER_PREFIX = "interview-lab."  # bookkeeping labels the grader adds to every build


def _labels():
    labels = facts()["config"]["Labels"] or {}
    assert type(labels) is dict
    return {k: v for k, v in labels.items() if not k.startswith(GRADER_PREFIX)}


def _instruction_words():
    words, joined = [], ""
    for raw in facts()["dockerfile"].splitlines():
        line = raw.strip()
        if not joined and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            joined += line[:-1] + " "
            continue
        joined += line
        words.append(joined.split()[0].upper())
        joined = ""
    return words


@pytest.mark.parametrize("key, value", [
    ("title", "status-page"),
    ("version", "1.4.0"),
    ("source", "https://git.example.com/ops/status-page"),
    ("licenses", "MIT"),
    ("authors", "ops@example.com"),
])
def test_required_oci_label(key, value):
    """Each required org.opencontainers.image.* label has exactly the value asked for"""
    assert _labels().get(PREFIX + key) == value


def test_description_label_present():
    """org.opencontainers.image.description is set to a non-empty text"""
    description = _labels().get(PREFIX + "description")
    assert type(description) is str
    assert description.strip()


def test_only_oci_label_keys():
    """No ad-hoc or legacy label keys (version, maintainer, org.label-schema.*)"""
    assert all(key.startswith(PREFIX) for key in _labels())


def test_no_maintainer_instruction():
    """The deprecated MAINTAINER instruction is not used"""
    assert "MAINTAINER" not in _instruction_words()


def test_exposes_exactly_8080_tcp():
    """EXPOSE declares exactly one port, 8080/tcp"""
    ports = facts()["config"]["ExposedPorts"] or {}
    assert sorted(ports) == ["8080/tcp"]


def test_page_served_on_exposed_port():
    """GET / on port 8080 answers 200 with the status page"""
    probe = facts()["probes"]["page"]
    assert probe["timed_out"] is False
    assert probe["output"].startswith("200 "), probe["output"][:200]
    assert "All systems operational" in probe["output"]


def test_server_keeps_running():
    """The image's command is a long-running server"""
    assert facts()["main"]["running"] is True


def test_runs_as_non_root():
    """The image runs as a non-root user"""
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")
