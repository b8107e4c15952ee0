import json
import re

from imagefacts import facts

MANIFEST = {"requirements.txt", "deps.py"}


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


def _sources(args):
    """The source paths of a COPY/ADD instruction (flags and destination dropped)."""
    if args.lstrip().startswith("["):
        parts = json.loads(args)
    else:
        parts = [p for p in args.split() if not p.startswith("--")]
    return [p[2:] if p.startswith("./") else p for p in parts[:-1]]


def _install_index():
    found = [n for n, (word, args) in enumerate(_instructions())
             if word == "RUN" and "deps.py" in args]
    assert len(found) == 1, "expected exactly one RUN of deps.py"
    return found[0]


def _copies():
    return [(n, _sources(args)) for n, (word, args) in enumerate(_instructions())
            if word in ("COPY", "ADD") and "--from" not in args]


def test_manifest_copied_before_install():
    """requirements.txt and deps.py are copied by name before the install step runs"""
    install = _install_index()
    before = {s for n, sources in _copies() if n < install for s in sources}
    assert MANIFEST <= before


def test_only_manifest_copied_before_install():
    """Nothing but requirements.txt and deps.py is copied before the install step"""
    install = _install_index()
    before = {s for n, sources in _copies() if n < install for s in sources}
    assert before == MANIFEST


def test_source_copied_after_install():
    """app.py is copied after the install step, so editing it keeps the install cached"""
    install = _install_index()
    after = {s for n, sources in _copies() if n > install for s in sources}
    assert "app.py" in after


def test_no_whole_context_copy():
    """No COPY/ADD of the whole build context (.)"""
    for n, sources in _copies():
        assert "." not in sources and "" not in sources and "*" not in sources


def test_history_shows_install_before_source_copy():
    """In the image history the install layer is older than the last COPY layer"""
    history = facts()["history"]  # newest first
    runs = [n for n, line in enumerate(history) if "deps.py" in line and "COPY" not in line]
    copies = [n for n, line in enumerate(history) if re.search(r"\bCOPY\b", line)]
    assert runs and copies
    assert min(copies) < runs[0]


def test_app_reports_pins():
    """The app runs and reports the pinned flask and jinja2 versions"""
    probe = facts()["probes"]["run"]
    assert probe["exit_code"] == 0, probe["output"]
    assert re.fullmatch(r"inventory-cli ready with flask==[\d.]+, jinja2==[\d.]+",
                        probe["output"].strip())


def test_lock_file_built_in_image():
    """deps.lock was written by the install step and pins both packages"""
    probe = facts()["probes"]["lock"]
    assert probe["exit_code"] == 0
    lines = probe["output"].split()
    assert [line.split("==")[0] for line in lines] == ["flask", "jinja2"]


def test_app_folder_holds_only_what_is_needed():
    """/app holds exactly app.py, deps.lock, deps.py and requirements.txt"""
    listing = facts()["probes"]["listing"]["output"].strip()
    assert listing == str(["app.py", "deps.lock", "deps.py", "requirements.txt"])


def test_cmd_exec_form_non_root():
    """CMD is ["python3", "app.py"] and the image does not run as root"""
    assert facts()["config"]["Cmd"] == ["python3", "app.py"]
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")
