"""`lab up` rebuilds the editor bundle when its sources are newer than it."""

import os

from lab.ops import launcher


def test_bundle_is_stale_when_a_source_is_newer(tmp_path, monkeypatch):
    (tmp_path / "lab" / "static" / "src").mkdir(parents=True)
    source = tmp_path / "lab" / "static" / "src" / "editor.js"
    bundle = tmp_path / "editor.js"
    source.write_text("src")
    bundle.write_text("bundle")
    (tmp_path / "package.json").write_text("{}")
    monkeypatch.setattr(launcher, "ROOT", tmp_path)
    monkeypatch.setattr(launcher, "EDITOR_BUNDLE", bundle)
    os.utime(source, (1000, 1000))
    os.utime(tmp_path / "package.json", (1000, 1000))
    os.utime(bundle, (2000, 2000))
    assert not launcher._bundle_is_stale()
    assert launcher.build_editor_assets() == "present"
    os.utime(source, (3000, 3000))
    assert launcher._bundle_is_stale()
