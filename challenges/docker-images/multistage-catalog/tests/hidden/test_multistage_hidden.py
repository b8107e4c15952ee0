import json
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


def _final_stage():
    instructions = _instructions()
    last_from = max(n for n, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def _inspect():
    probe = facts()["probes"]["inspect"]
    assert probe["exit_code"] == 0, probe["output"]
    found = json.loads(probe["output"])
    assert type(found) is dict
    return found


def _output(name):
    probe = facts()["probes"][name]
    assert probe["timed_out"] is False
    assert probe["exit_code"] == 0, probe["output"]
    return probe["output"].strip()


def test_named_build_stage():
    """The first stage is FROM lab/python AS build"""
    froms = [args for word, args in _instructions() if word == "FROM"]
    assert len(froms) >= 2
    assert re.fullmatch(r"lab/python(:latest)?\s+as\s+build", froms[0], re.I)


def test_final_stage_starts_fresh():
    """The final stage starts FROM lab/python, not from the build stage"""
    word, args = _final_stage()[0]
    assert re.fullmatch(r"lab/python(:latest)?(\s+as\s+\S+)?", args, re.I)


def test_final_stage_copies_from_build():
    """The final stage copies the artefact with COPY --from=build"""
    assert any(word == "COPY" and "--from=build" in args for word, args in _final_stage())


def test_no_build_inputs_anywhere():
    """build_catalog.py and catalog.csv exist nowhere in the final image"""
    assert _inspect()["leftovers"] == []


def test_build_step_not_in_final_history():
    """The build step ran in the build stage only, so it is absent from the final history"""
    assert not any("build_catalog" in line or "catalog.csv" in line
                   for line in facts()["history"])


def test_app_folder_holds_exactly_the_runtime():
    """/app holds exactly app.py and catalog.json"""
    assert _inspect()["app"] == ["app.py", "catalog.json"]


def test_catalog_is_the_generated_json():
    """/app/catalog.json is the JSON object built from the CSV, keyed by SKU"""
    catalog = _inspect()["catalog"]
    assert type(catalog) is dict
    assert sorted(catalog) == ["A-100", "B-200", "C-300", "D-400"]
    assert catalog["B-200"] == {"name": "Desk lamp", "price_cents": 3999, "stock": 3}


def test_summary_output():
    """python3 /app/app.py prints the catalog summary"""
    assert _output("summary") == "4 products, 55 items in stock"


def test_lookup_output():
    """python3 /app/app.py B-200 prints that product"""
    assert _output("lookup") == "B-200 Desk lamp 39.99 (3 in stock)"


def test_final_image_non_root_exec_cmd():
    """The final image runs as non-root with CMD ["python3", "/app/app.py"]"""
    assert facts()["config"]["User"] not in (None, "", "root", "0", "0:0", "root:root")
    assert facts()["config"]["Cmd"] == ["python3", "/app/app.py"]
