# councilflow: `make run` starts the app with demo data; `make test` type-checks the engine and runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export COUNCILFLOW_FORMS_DIR ?= $(CURDIR)/forms

NODE_STAMP := node_modules/.installed

.PHONY: run test setup demo clean bench wheel lock translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# GOV.UK Frontend (and axe-core for the accessibility tests) from the npm registry, as locked.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# GOV.UK Frontend's Sass compiled with the council's font: GDS Transport is for GOV.UK only.
GOVUK_CSS := webui/static/build/govuk-frontend.css
$(GOVUK_CSS): webui/static/scss/govuk-frontend.scss $(NODE_STAMP)
	node_modules/.bin/sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps $< $@

# The files served from the npm packages, copied beside the compiled CSS so that the wheel carries them.
VENDORED := webui/static/build/vendor/.copied
$(VENDORED): $(NODE_STAMP) webui/assets.py $(STAMP)
	$(BIN)/python -m webui.assets node_modules
	touch $(VENDORED)

setup: $(STAMP) $(NODE_STAMP) $(GOVUK_CSS) $(VENDORED)

# The wheel (in dist/), with the compiled and copied static files inside.
wheel: setup
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

# Rewrites requirements.lock: every dependency, transitive ones too, pinned with its hashes.
# Install from it with `pip install --require-hashes -r requirements.lock` and then the wheel with --no-deps.
lock: $(STAMP)
	$(BIN)/pip install --quiet pip-tools==7.7.0
	$(BIN)/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras --output-file requirements.lock pyproject.toml

# The shipped maps call back-office systems, so `demo` and `run` start fake ones beside councilflow
# (examples/fake_backoffice.py, on 127.0.0.1 only) and stop them when the command ends. Four services
# are published for residents (/report) and partners' systems (Open311): docs/residents.md.
WITH_BACKOFFICE := $(BIN)/python examples/with_backoffice.py --

demo: setup
	$(WITH_BACKOFFICE) sh -c '$(BIN)/councilflow init && $(BIN)/councilflow deploy processes/ forms/ && \
		$(BIN)/councilflow directory import examples/directory.json && \
		$(BIN)/python examples/demo_data.py && \
		$(BIN)/councilflow services publish missed_bin_collection --channel web --channel open311 --lgsl 524 \
			--open311-code missed-bin --title "Report a missed bin collection" \
			--description "Tell us about a bin we did not empty on your collection day." \
			--title-cy "Rhoi gwybod am fin a fethwyd" \
			--description-cy "Rhowch wybod i ni am fin na wnaethom ei wagio ar eich diwrnod casglu." && \
		$(BIN)/councilflow services publish fly_tipping_report --channel web --channel open311 \
			--open311-code fly-tipping --title "Report fly-tipping" \
			--description "Tell us about rubbish dumped on a street or public land." \
			--title-cy "Rhoi gwybod am dipio anghyfreithlon" \
			--description-cy "Rhowch wybod i ni am sbwriel wedi’i adael ar stryd neu dir cyhoeddus." && \
		$(BIN)/councilflow services publish pothole_report --channel web --channel open311 \
			--open311-code pothole --title "Report a pothole" \
			--description "Tell us about a pothole or damaged road surface." \
			--title-cy "Rhoi gwybod am dwll yn y ffordd" \
			--description-cy "Rhowch wybod i ni am dwll neu wyneb ffordd wedi’i ddifrodi." && \
		$(BIN)/councilflow services publish blue_badge_document_check --channel web \
			--title "Book a Blue Badge document check" \
			--description "Choose a time to bring your Blue Badge documents to a hub." \
			--title-cy "Trefnu amser i ddangos dogfennau Bathodyn Glas" \
			--description-cy "Dewiswch amser i ddod â’ch dogfennau Bathodyn Glas i hyb."'
	$(BIN)/councilflow gazetteer import examples/demo_gazetteer.csv
	$(BIN)/councilflow appointments load examples/demo_appointments.json

# A local trial over plain HTTP on 127.0.0.1: session cookies without the Secure flag, and a secret key
# kept in instance/secret_key (COUNCILFLOW_DEVELOPMENT=1) instead of one given to every process (never in production).
run: demo
	COUNCILFLOW_INSECURE_COOKIES=1 COUNCILFLOW_DEVELOPMENT=1 $(WITH_BACKOFFICE) $(BIN)/councilflow serve --host 127.0.0.1 --port 5000

# mypy first (strict on engine/, configured in pyproject.toml's [tool.mypy]): a type error fails `make test`.
# The test files are spread over TEST_WORKERS processes (pytest-xdist; a file stays on one worker, so its
# module-wide servers start once): much of the suite waits on servers and browsers, not on the CPU.
# Each worker starts its own PostgreSQL server. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 3
test: setup
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Small sizes that finish in a few minutes; docs/performance.md has the full-size runs. scaleout.py uses
# COUNCILFLOW_BENCH_PG_URL, or starts a throwaway PostgreSQL server on 127.0.0.1 as the tests do.
bench: setup
	$(BIN)/python benchmarks/lifecycle.py
	$(BIN)/python benchmarks/inbox.py --tasks 100000
	$(BIN)/python benchmarks/api_completion.py --completions 200
	$(BIN)/python benchmarks/scaleout.py --seconds 5 --rounds 1

clean:
	rm -rf $(VENV) instance *.egg-info node_modules build dist webui/static/build

# The residents' words in Welsh: gather the words to translate, merge them into the Welsh catalogue,
# then (once translated) compile it. tests/webui/test_residents_welsh.py fails while a word lacks Welsh.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o webui/translations/messages.pot --no-location --sort-output \
		--project councilflow --copyright-holder "councilflow contributors" .
	$(BIN)/pybabel update -i webui/translations/messages.pot -d webui/translations -l cy --width 100 --no-fuzzy-matching
	$(BIN)/pybabel compile -d webui/translations -l cy
