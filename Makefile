# Quick start: `make up` runs the lab, `make test` runs the tests.  Both set up what
# is missing first (system packages when root, .venv, Docker engine, runner images).
.PHONY: up test setup lint bench bench-live clean

up: setup
	.venv/bin/lab up

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/lint-imports

bench: setup
	.venv/bin/python bench/run.py

bench-live: setup
	.venv/bin/python bench/live_view.py

clean:
	rm -rf .venv instance
