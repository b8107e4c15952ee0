"""inventory-cli: report the dependency pins the image was built with."""
from pathlib import Path

LOCK = Path(__file__).with_name("deps.lock")


def main():
    pins = LOCK.read_text(encoding="utf-8").split()
    print("inventory-cli ready with " + ", ".join(pins))


if __name__ == "__main__":
    main()
