"""Safe extraction of an uploaded pack zip, and export of a pack to a zip.

Everything suspicious refuses the whole archive before a byte is written: absolute
paths, `..`, backslashes, symbolic links and other special files, names that are not
UTF-8, duplicates, too many files, too many bytes (counted while inflating, since the
sizes a zip declares can lie).  Paths are built by us below the destination, never
taken from the archive as they are.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

MAX_FILES = 2000
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_FILE_BYTES = 4 * 1024 * 1024
UTF8_FLAG = 0x800


class ZipRefused(ValueError):
    """The archive is refused; the message names the entry and the reason."""


def _safe_parts(name: str) -> tuple[str, ...]:
    if not name or "\x00" in name:
        raise ZipRefused(f"{name!r}: empty name or NUL byte")
    if "\\" in name:
        raise ZipRefused(f"{name!r}: backslashes are not allowed in paths")
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("/"):
        raise ZipRefused(f"{name!r}: absolute paths are not allowed")
    parts = tuple(p for p in path.parts if p not in ("", "."))
    if any(p == ".." for p in parts):
        raise ZipRefused(f"{name!r}: '..' is not allowed in paths")
    if any(len(p) > 200 for p in parts) or len(parts) > 12:
        raise ZipRefused(f"{name!r}: path too long or too deep")
    return parts


def check_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise ZipRefused(f"{len(infos)} entries, more than the {MAX_FILES} allowed")
    seen = set()
    declared = 0
    for info in infos:
        if not info.flag_bits & UTF8_FLAG and not info.filename.isascii():
            raise ZipRefused(f"{info.filename!r}: file names must be UTF-8")
        parts = _safe_parts(info.filename)
        kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the tool stored no Unix type
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise ZipRefused(f"{info.filename!r}: symbolic links and special files are not allowed")
        key = "/".join(parts)
        if key in seen and not info.is_dir():
            raise ZipRefused(f"{info.filename!r}: appears twice")
        seen.add(key)
        declared += info.file_size
        if info.file_size > MAX_FILE_BYTES:
            raise ZipRefused(f"{info.filename!r}: {info.file_size} bytes, over {MAX_FILE_BYTES}")
    if declared > MAX_TOTAL_BYTES:
        raise ZipRefused(f"{declared} bytes uncompressed, over the {MAX_TOTAL_BYTES} allowed")
    return infos


def extract_pack_zip(source: Path | bytes, dest: Path) -> Path:
    """Extract into dest/pack and return the folder holding pack.yaml."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ZipRefused(f"not a zip file ({exc})") from None
    with archive:
        infos = check_entries(archive)
        contents: dict[tuple[str, ...], bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            with archive.open(info) as handle:
                chunk = handle.read(MAX_FILE_BYTES + 1)
            if len(chunk) > MAX_FILE_BYTES:
                raise ZipRefused(f"{info.filename!r}: inflates past {MAX_FILE_BYTES} bytes")
            total += len(chunk)
            if total > MAX_TOTAL_BYTES:
                raise ZipRefused(f"the archive inflates past {MAX_TOTAL_BYTES} bytes")
            contents[_safe_parts(info.filename)] = chunk
    roots = {parts[0] for parts in contents}
    prefix: tuple[str, ...] = ()
    if ("pack.yaml",) not in contents:
        if len(roots) == 1 and (next(iter(roots)), "pack.yaml") in contents:
            prefix = (next(iter(roots)),)
        else:
            raise ZipRefused("no pack.yaml at the top of the archive (or inside one top folder)")
    target = dest / "pack"
    target.mkdir(parents=True)
    for parts, blob in contents.items():
        if parts[: len(prefix)] != prefix:
            continue
        out = target.joinpath(*parts[len(prefix):])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(blob)
    return target


def zip_folder_files(files: dict[str, bytes], top: str) -> bytes:
    """A zip of relative path -> bytes, under one top folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, blob in sorted(files.items()):
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blob)
    return buffer.getvalue()
