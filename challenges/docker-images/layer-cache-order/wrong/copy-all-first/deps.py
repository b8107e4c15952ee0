"""Stand-in for `pip install -r`: check each requirement is installed and pin it.

Usage: python3 deps.py requirements.txt deps.lock
"""
import sys
from importlib import metadata


def main(manifest, lock):
    pins = []
    with open(manifest, encoding="utf-8") as handle:
        for line in handle:
            name = line.split("#", 1)[0].strip()
            if not name:
                continue
            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                sys.exit(f"deps: {name} is not available (nothing is downloaded in this lab)")
            pins.append(f"{name.lower()}=={version}")
    with open(lock, "w", encoding="utf-8") as handle:
        handle.write("\n".join(sorted(pins)) + "\n")
    print(f"deps: pinned {len(pins)} packages")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
