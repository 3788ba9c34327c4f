# Two entry points for a fresh machine with only Python and make:
#   make demo   set everything up and serve the demo database
#   make test   set everything up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001

.PHONY: install demo test test-plugins bench clean plugins-md browser

$(BIN)/datasette: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(BIN)/datasette

install: $(BIN)/datasette

demo/demo.db: install demo/build_demo.py
	$(BIN)/python demo/build_demo.py demo/demo.db

demo: install demo/demo.db
	$(BIN)/datasette serve demo/demo.db -m demo/metadata.json --port $(PORT)

# The browser test needs Debian's chromium and chromium-driver; as root with apt-get
# they are installed here, otherwise that one test is skipped with a reason.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver) >/dev/null \
			|| echo "warning: could not install chromium; the browser test will be skipped"; \
	else echo "note: install chromium and chromium-driver to run the browser test"; fi

# Two processes (pytest-xdist) keep the suite near a minute on a 2-core machine.
test: install browser
	$(BIN)/python -m pytest -q -n auto

test-plugins: install
	$(BIN)/python -m pytest -q -m plugins --run-plugins

plugins-md: install
	$(BIN)/python tools/plugins_md.py > PLUGINS.md

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info demo/demo.db
