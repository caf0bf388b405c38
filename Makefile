# ecgtoolkit: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ecgtoolkit-installed
# The CPU build of PyTorch; an unpinned torch pulls a multi-GB CUDA build.
TORCH  := torch==2.13.0

.PHONY: setup demo test test-fast docs lint bench bench-kernels bench-measure bench-realism train-segmenter clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH) -e ".[dev,notebooks,scale,docs]"
	touch $(STAMP)

# The main job: 200 fakes measured, checked and compared; REAL=folder adds your records.
demo: setup
	$(BIN)/ecgtoolkit demo -o demo_output --overwrite $(if $(REAL),--real "$(REAL)")

test: setup
	$(BIN)/python -m pytest

# The quick subset (a minute or two): everything but the tests marked slow.
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

# The API reference from the docstrings, offline; any Sphinx warning fails the build.
docs: setup
	rm -rf docs/_build docs/api/generated
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

lint: setup
	$(BIN)/ruff check ecgtoolkit tests benchmarks

bench: setup
	$(BIN)/python benchmarks/bench_generate.py

# The hand-written kernels against the library routines they stand in for.
bench-kernels: setup
	$(BIN)/python benchmarks/bench_kernels.py

# Measurement accuracy (5-fold cross-validation on LUDB), robustness and speed against
# NeuroKit2 and ecgdeli (GPL-3.0: installed into the benchmark environment only, never a
# dependency of the package). Needs the shared data and the fold networks (train-segmenter).
bench-measure: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "ecgdeli==1.0.0"
	$(BIN)/python benchmarks/bench_delineation.py
	$(BIN)/python benchmarks/bench_robustness.py
	$(BIN)/python benchmarks/bench_batch.py

# Realism validation: lead checks (LUDB swaps), interpretation and the normal filter
# against the cardiologists' labels (needs the fold networks), 500 fakes against the
# embedded reference (writes benchmarks/_out/realism_report.html).
bench-realism: setup
	$(BIN)/python benchmarks/bench_lead_checks.py
	$(BIN)/python benchmarks/bench_interpret.py
	$(BIN)/python benchmarks/bench_realism.py 500

# The five cross-validation networks (benchmarks/folds/segmenter_fold{0..4}.pt, committed)
# and the shipped one, ecgtoolkit/signal/_weights/segmenter.pt, trained on all shared LUDB
# records with the same recipe (about 13 minutes each on two cores; all six in 5 minutes
# on a GPU machine: benchmarks/gpu/segmenters.sh).
train-segmenter: setup
	for k in 0 1 2 3 4; do $(BIN)/python benchmarks/train_segmenter.py --fold $$k || exit 1; done
	$(BIN)/python benchmarks/train_segmenter.py --all

clean:
	rm -rf $(VENV) demo_output benchmarks/_out .pytest_cache docs/_build docs/api/generated
