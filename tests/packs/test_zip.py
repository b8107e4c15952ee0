"""The zip attack corpus: refused whole, nothing written anywhere."""

import io
import stat
import zipfile

import pytest

from lab.packs.archive import MAX_FILES, ZipRefused, extract_pack_zip, zip_folder_files


def make_zip(entries, utf8=True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    raw = buffer.getvalue()
    return raw


REG = stat.S_IFREG | 0o644
BASE = [("pack/pack.yaml", b"name: x\n", REG)]


def non_utf8_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pack/pack.yaml", b"x")
        archive.writestr("pack/caf\u00e9.py", b"x")
    raw = bytearray(buffer.getvalue())
    # clear the UTF-8 flag (bit 11) in every header so the name is declared cp437
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (i := raw.find(sig, start)) != -1:
            offset = i + (6 if sig == b"PK\x03\x04" else 8)
            flags = int.from_bytes(raw[offset:offset + 2], "little") & ~0x800
            raw[offset:offset + 2] = flags.to_bytes(2, "little")
            start = i + 4
    return bytes(raw)


CORPUS = {
    "dot-dot": (make_zip(BASE + [("pack/../../evil.py", b"x", REG)]), "'..'"),
    "absolute": (make_zip(BASE + [("/etc/evil", b"x", REG)]), "absolute"),
    "backslash": (make_zip(BASE + [("pack\\..\\evil", b"x", REG)]), "backslash"),
    "symlink": (make_zip(BASE + [("pack/link", b"/etc/passwd", stat.S_IFLNK | 0o777)]),
                "symbolic link"),
    "fifo": (make_zip(BASE + [("pack/fifo", b"", stat.S_IFIFO | 0o644)]), "special file"),
    "bomb": (make_zip(BASE + [("pack/zeros", b"\0" * (40 * 1024 * 1024), REG)]), "over"),
    "many-small": (make_zip(BASE + [(f"pack/f{i}", b"x", REG) for i in range(MAX_FILES + 1)]),
                   "entries"),
    "duplicate": (make_zip(BASE + [("pack/a.py", b"1", REG), ("pack/a.py", b"2", REG)]), "twice"),
    "not-utf8": (non_utf8_zip(), "UTF-8"),
    "not-a-zip": (b"this is not a zip", "not a zip"),
    "no-pack-yaml": (make_zip([("a/b.py", b"x", REG), ("c/d.py", b"x", REG)]), "no pack.yaml"),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_attack_is_refused_and_nothing_is_written(case, tmp_path):
    data, words = CORPUS[case]
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(ZipRefused) as info:
        extract_pack_zip(data, dest)
    assert words in str(info.value)
    assert list(dest.iterdir()) == []
    assert not (tmp_path / "evil.py").exists()


def test_declared_size_lies_are_caught_while_inflating(tmp_path):
    data = bytearray(make_zip(BASE + [("pack/zeros", b"\0" * (6 * 1024 * 1024), REG)]))
    # forge the declared uncompressed size in both headers to look tiny
    real = (6 * 1024 * 1024).to_bytes(4, "little")
    data = bytes(data).replace(real, (10).to_bytes(4, "little"))
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises((ZipRefused, zipfile.BadZipFile)):
        extract_pack_zip(data, dest)
    assert list(dest.iterdir()) == []


def test_round_trip_of_a_folder(tmp_path):
    files = {"pack.yaml": b"name: x\n", "c/challenge.yaml": b"title: t\n"}
    out = extract_pack_zip(zip_folder_files(files, "mypack"), tmp_path)
    assert (out / "pack.yaml").read_bytes() == b"name: x\n"
    assert (out / "c" / "challenge.yaml").read_bytes() == b"title: t\n"
