# Shortcuts for the README's commands (the README's lines work without make, too).
.PHONY: setup run test test-slow test-all lint bench docs index

setup:
	bash scripts/setup.sh --test

run:
	bash scripts/setup.sh && .venv/bin/coopt reproduce all --quick --out out/reproduce

test:
	bash scripts/setup.sh --test && .venv/bin/python -m pytest -m "not slow" -q && .venv/bin/ruff check .

test-slow:
	.venv/bin/python -m pytest -m slow -q

test-all: test test-slow

lint:
	.venv/bin/ruff check .

# every benchmark runs; the target fails when any of them missed a printed target (benchmarks/_target.py)
bench:
	@failed=""; for b in benchmarks/bench_*.py; do echo "== $$b"; .venv/bin/python $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "missed targets in:$$failed"; exit 1; fi

docs: index
	bash scripts/docs.sh

# the problem index `coopt list` / `coopt show` read without importing the models (tests/test_problems.py)
index:
	.venv/bin/python -m coopt.problems --write-index
