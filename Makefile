# ecgtoolkit: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ecgtoolkit-installed
# The CPU build of PyTorch; an unpinned torch pulls a multi-GB CUDA build.
TORCH  := torch==2.13.0

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH) -e ".[dev,notebooks,scale]"
	touch $(STAMP)

demo: setup
	$(BIN)/ecgtoolkit demo -o demo_output --overwrite

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check ecgtoolkit tests benchmarks

bench: setup
	$(BIN)/python benchmarks/bench_generate.py

clean:
	rm -rf $(VENV) demo_output benchmarks/_out .pytest_cache
