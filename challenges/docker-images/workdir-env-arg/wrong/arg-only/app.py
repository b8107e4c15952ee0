"""Render template.txt (opened relative to the current directory) and print it."""
import os
from pathlib import Path


def main():
    template = Path("template.txt").read_text(encoding="utf-8")
    text = template.format(
        title=os.environ.get("REPORT_TITLE", "untitled"),
        version=os.environ.get("APP_VERSION", "unknown"),
        cwd=os.getcwd(),
    )
    print(text.rstrip())


if __name__ == "__main__":
    main()
