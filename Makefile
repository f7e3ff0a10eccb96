# Styra: `make run` starts the bot on :3978 with SQLite; `make test` runs every test.
# Another interpreter gets its own venv: `make test PYTHON=python3.13 VENV=.venv313`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PLAYGROUND_VERSION := 0.2.28
STAMP := $(VENV)/.installed

.PHONY: run test lint bench package migrate i18n e2e-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) -m bot.cli migrate

run: $(STAMP) migrate
	STYRA_ENV=$${STYRA_ENV:-development} $(PY) app.py

lint: $(STAMP)
	$(PY) -m ruff check .

# PostgreSQL-backed tests run when TEST_DATABASE_URL is set; the Playground test when node is present.
test: $(STAMP) lint
	@if command -v node >/dev/null 2>&1; then $(MAKE) --no-print-directory e2e-deps; \
	else echo "NOTE: node not found: the Agents Playground end-to-end test will be skipped"; fi
	@if [ -z "$$TEST_DATABASE_URL" ]; then echo "NOTE: TEST_DATABASE_URL not set: PostgreSQL variants are skipped"; fi
	$(PY) -m pytest

e2e-deps:
	@if [ ! -x .e2e/node_modules/.bin/agentsplayground ]; then \
	  npm install --silent --no-audit --no-fund --prefix .e2e @microsoft/m365agentsplayground@$(PLAYGROUND_VERSION) \
	  || echo "NOTE: could not install the Agents Playground; its test will be skipped"; fi

bench: $(STAMP)
	$(PY) benchmarks/run.py

package: $(STAMP)
	$(PY) scripts/package.py

i18n: $(STAMP)
	$(PY) scripts/i18n_check.py

clean:
	rm -rf $(VENV) .venv313 .e2e build
