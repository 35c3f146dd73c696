# Everything a fresh machine with Python 3.11 and make needs: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint release bench isolation clean

demo: $(STAMP) isolation
	$(BIN)/rnnkit demo

# Without bytecode caches (and, see pyproject.toml, without .pytest_cache) a test run leaves
# the checkout as it found it; tests/conftest.py fails any test that writes in it.
test: $(STAMP) isolation
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

release: $(STAMP)
	$(BIN)/rnnkit release

bench: $(STAMP) isolation
	$(BIN)/python benchmarks/autograde_throughput.py

# The virtual environment, with every version pinned in requirements.lock.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Student code is sandboxed with bubblewrap; install it where we may, otherwise say how.
isolation:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (sandbox for student code)"; \
	    (apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq bubblewrap)) >/dev/null; \
	  else \
	    echo "bubblewrap is missing: install it (e.g. 'sudo apt-get install bubblewrap');"; \
	    echo "until then rnnkit refuses to run hidden suites without --insecure."; \
	  fi; }

clean:
	rm -rf $(VENV) .demo rnnkit.egg-info
