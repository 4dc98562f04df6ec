# councilflow: `make run` starts the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export COUNCILFLOW_FORMS_DIR ?= $(CURDIR)/forms

NODE_STAMP := node_modules/.installed

.PHONY: run test setup demo clean bench

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# GOV.UK Frontend (and axe-core for the accessibility tests) from the npm registry, as locked.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

setup: $(STAMP) $(NODE_STAMP)

demo: setup
	$(BIN)/councilflow init
	$(BIN)/councilflow deploy processes/ forms/
	$(BIN)/python examples/demo_data.py

run: demo
	$(BIN)/councilflow serve --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python benchmarks/lifecycle.py
	$(BIN)/python benchmarks/inbox.py --tasks 100000

clean:
	rm -rf $(VENV) instance *.egg-info node_modules
