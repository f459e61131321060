# Two commands do all the set-up on a fresh machine: `make demo` (the main job on the embedded
# defaults: the sandbox and SQLite) and `make test` (the whole test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
CHROMIUM ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: demo test bench chromium install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml setup.py
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium and ChromeDriver; never a browser downloaded by a test tool.
chromium:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium chromium-driver; \
	fi

demo: install
	$(BIN)/storysync demo --dir $(DEMO_DIR)

test: install chromium
	SE_OFFLINE=true $(BIN)/pytest

bench: install chromium
	$(BIN)/python tests/benchmarks/bench_sync.py
	$(BIN)/python tests/benchmarks/bench_sandbox.py

clean:
	rm -rf $(VENV) build *.egg-info $(DEMO_DIR)
