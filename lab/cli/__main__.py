"""`python -m lab.cli`: the `lab` command without its installed script."""

from lab.cli import main

main()
