"""Greet each name given on the command line."""
import argparse
import os


def main(argv=None):
    parser = argparse.ArgumentParser(prog="greet")
    parser.add_argument("names", nargs="*", help="who to greet")
    parser.add_argument("--shout", action="store_true", help="print in capitals")
    parser.add_argument("--pid", action="store_true", help="also print the process id")
    args = parser.parse_args(argv)
    if not args.names:
        parser.error("give at least one name")
    for name in args.names:
        line = f"Hello, {name}!"
        print(line.upper() if args.shout else line)
    if args.pid:
        print(f"pid={os.getpid()}")


if __name__ == "__main__":
    main()
