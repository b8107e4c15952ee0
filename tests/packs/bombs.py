"""Hostile pack YAML for the tests, and a ceiling that keeps a regression from hurting
the machine (before the fix, a 700-byte alias bomb took gigabytes)."""

from __future__ import annotations

import contextlib
import resource
from pathlib import Path

from lab.packs.scaffold import scaffold

NAMES = "abcdefghijklmnop"


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs" pattern: each line aliases the one above nine times, so
    `levels` lines stand for 9**levels strings."""
    lines = [f'{NAMES[0]}: &{NAMES[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"{NAMES[n]}: &{NAMES[n]} [" + ",".join([f"*{NAMES[n - 1]}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def bomb_challenge_yaml(folder: Path, levels: int = 9) -> None:
    """Turn the scaffold's challenge.yaml into a bomb whose last level is its `topics`
    (so the schema checks walk it, as they did before the fix)."""
    path = folder / "challenge.yaml"
    text = path.read_text().replace("topics: [py.stdlib]\n", f"topics: *{NAMES[levels - 1]}\n")
    path.write_text(alias_bomb(levels) + text)


def bomb_pack(dest: Path, levels: int = 9) -> Path:
    """A scaffolded pack whose word-count/challenge.yaml is an alias bomb (about 700 bytes)."""
    folder = scaffold("bomb", "python", dest)
    bomb_challenge_yaml(folder / "word-count", levels)
    return folder


@contextlib.contextmanager
def memory_ceiling(extra_mb: int = 1024):
    """Cap this process's address space at its current size plus `extra_mb` while the
    block runs: a regression then ends in MemoryError instead of swapping the host."""
    with open("/proc/self/status") as status:
        size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = size_kb * 1024 + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling if hard == resource.RLIM_INFINITY
                                            else min(ceiling, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
