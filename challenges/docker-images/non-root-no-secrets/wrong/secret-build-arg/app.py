"""Nightly report job: needs an API token and caches its report on disk.

The token is read at run time from the file named by API_TOKEN_FILE (a mounted
secret), never from the image. The cache goes under CACHE_DIR, which is /tmp-based,
so the container can run with a read-only root file system.
"""
import os
import sys
from pathlib import Path


def read_token():
    path = Path(os.environ.get("API_TOKEN_FILE", "/run/secrets/api_token"))
    try:
        return path.read_text(encoding="utf-8").strip(), path
    except OSError:
        return "", path


def main():
    token, path = read_token()
    if not token:
        print(f"no API token: mount one at {path}", file=sys.stderr)
        return 3
    cache_dir = Path(os.environ.get("CACHE_DIR", "/tmp/report-cache"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    report = cache_dir / "report.txt"
    report.write_text("rows=42\n", encoding="utf-8")
    print(f"report cached at {report} (token of {len(token)} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
