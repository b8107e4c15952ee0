"""The browser bundles: `lab up` rebuilds them when their sources are newer; one build
writes every entry (editor, interview page, live view) from lab/static/src, which holds nothing
else; the templates load the built files; the CSRF token is read in one module."""

import gzip
import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from lab.ops import launcher

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "lab" / "static"
SRC = STATIC / "src"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
ENTRIES = ("editor.js", "interview.js", "watch.js", "replay.js")
WRITERS = ("editor.js", "interview.js", "watch.js")  # the replay only reads
# Gzipped ceilings, well above today's sizes (editor ~159 kB, interview ~1.2 kB): they
# catch a dependency pulled in twice or CodeMirror leaking into the interview bundle.
GZIP_LIMITS = {"editor.js": 180_000, "interview.js": 5_000, "watch.js": 5_000,
               "replay.js": 30_000}


def test_bundle_is_stale_when_a_source_is_newer_or_a_bundle_is_missing(tmp_path, monkeypatch):
    (tmp_path / "lab" / "static" / "src" / "deeper").mkdir(parents=True)
    source = tmp_path / "lab" / "static" / "src" / "deeper" / "module.js"
    bundles = (tmp_path / "editor.js", tmp_path / "interview.js")
    source.write_text("src")
    for bundle in bundles:
        bundle.write_text("bundle")
        os.utime(bundle, (2000, 2000))
    (tmp_path / "package.json").write_text("{}")
    monkeypatch.setattr(launcher, "ROOT", tmp_path)
    monkeypatch.setattr(launcher, "EDITOR_BUNDLES", bundles)
    os.utime(source, (1000, 1000))
    os.utime(tmp_path / "package.json", (1000, 1000))
    assert not launcher._bundle_is_stale()
    assert launcher.build_editor_assets() == "present"
    os.utime(source, (3000, 3000))  # a module in a subfolder counts too
    assert launcher._bundle_is_stale()
    os.utime(source, (1000, 1000))
    bundles[1].unlink()  # one bundle gone: rebuild, even though the other is fresh
    assert launcher._bundle_is_stale()


def test_sources_are_javascript_only():
    # CSS is served as it is from lab/static; src holds what esbuild bundles.
    entries = [path for path in SRC.rglob("*") if path.is_file()]
    assert entries and all(path.suffix == ".js" for path in entries), entries


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The package.json build command, writing to a temporary folder with a metafile."""
    if not ESBUILD.exists():
        pytest.skip("node_modules missing (npm ci): the bundles cannot be built here")
    out = tmp_path_factory.mktemp("dist")
    script = json.loads((ROOT / "package.json").read_text())["scripts"]["build"]
    args = shlex.split(script)
    assert args[0] == "esbuild"
    # esbuild takes the last of a repeated flag, so these override the script's outdir.
    done = subprocess.run([str(ESBUILD), *args[1:], f"--outdir={out}", f"--metafile={out}/meta.json",
                           "--log-level=warning"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out, json.loads((out / "meta.json").read_text())


def test_one_build_writes_both_bundles_within_size(build):
    out, _ = build
    sizes = {}
    for name in ENTRIES:
        data = (out / name).read_bytes()
        sizes[name] = (len(data), len(gzip.compress(data, compresslevel=9)))
    print("bundle sizes (bytes, gzipped):", sizes)
    for name, (_, gzipped) in sizes.items():
        assert gzipped <= GZIP_LIMITS[name], sizes


def test_every_source_is_bundled_and_csrf_is_shared(build):
    _, meta = build
    inputs_of = {Path(output).name: {Path(p).name for p in info["inputs"] if "lab/static/src/" in p}
                 for output, info in meta["outputs"].items() if output.endswith(".js")}
    assert set(inputs_of) == set(ENTRIES)
    assert set().union(*inputs_of.values()) == {p.name for p in SRC.glob("*.js")}
    assert all("csrf.js" in inputs_of[name] for name in WRITERS)
    assert "csrf.js" not in inputs_of["replay.js"]


def test_csrf_token_is_read_in_one_module():
    readers = [p.name for p in SRC.glob("*.js") if "csrf_token" in p.read_text()]
    assert readers == ["csrf.js"]


def test_templates_load_built_scripts_and_served_css():
    refs = set()
    for template in (ROOT / "lab" / "templates").rglob("*.html"):
        refs |= set(re.findall(r"url_for\('static', filename='([^']+)'\)", template.read_text()))
    bundles = {ref for ref in refs if ref.startswith("dist/")}
    assert bundles == {f"dist/{name}" for name in ENTRIES}
    # Everything else (CSS, theme.js: it must run before the page is drawn, unbundled)
    # is served as it is from lab/static/, never from the bundles' sources.
    for ref in refs - bundles:
        assert not ref.startswith("src/") and (STATIC / ref).is_file(), ref
