"""The `lab` command (the installed script calls `lab.cli:main`)."""

from lab.cli.main import main

__all__ = ["main"]
