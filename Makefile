# Everything a fresh machine with Python 3.11 and make needs: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint release bench bytecode isolation browser clean

demo: $(STAMP) bytecode isolation
	$(BIN)/rnnkit demo

# Without bytecode caches (and, see pyproject.toml, without .pytest_cache) a test run leaves
# the checkout as it found it; tests/conftest.py fails any test that writes in it.
test: $(STAMP) bytecode isolation browser
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

release: $(STAMP)
	$(BIN)/rnnkit release

# Options go in BENCH, e.g. `make bench BENCH=--quick` (a smoke run at a tiny size) or
# `make bench BENCH="--assignments rnn --class-sizes 100"`: see benchmarks/autograde_throughput.py.
BENCH ?=
bench: $(STAMP) bytecode isolation
	$(BIN)/python benchmarks/autograde_throughput.py $(BENCH)

# The virtual environment, with every version pinned in requirements.lock.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# The kit's own modules compiled ahead, as pip compiles the packages it installs: every rnnkit
# command would otherwise compile them again (tests run with PYTHONDONTWRITEBYTECODE, and so
# may the shell), about 0.1 s of each command's start. Only what changed is compiled again.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q autograder solutions

# $(call apt-install,COMMAND,PACKAGE,WHAT FOR,WITHOUT IT): when COMMAND is missing, install
# Debian's PACKAGE where we may (as root, with apt-get), otherwise say how and what happens.
apt-install = command -v $(1) >/dev/null 2>&1 || { \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
    echo "installing $(2) ($(3))"; \
    (apt-get install -y -qq $(2) >/dev/null 2>&1 || \
     (apt-get update -qq && apt-get install -y -qq $(2))) >/dev/null; \
  else \
    echo "$(2) is missing: install it (e.g. 'sudo apt-get install $(2)');"; \
    echo "until then $(strip $(4))."; \
  fi; }

# Student code is sandboxed with bubblewrap.
isolation:
	@$(call apt-install,bwrap,bubblewrap,sandbox for student code,\
	  rnnkit refuses to run hidden suites without --insecure)

# tests/test_browser.py drives Debian's Chromium with Playwright (whose own browser download
# needs the internet); without it that test is skipped, except on CI, where it fails.
browser:
	@$(call apt-install,chromium,chromium,browser for tests/test_browser.py,\
	  tests/test_browser.py is skipped)

clean:
	rm -rf $(VENV) .demo rnnkit.egg-info
