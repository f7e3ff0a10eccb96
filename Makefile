# Styra: `make run` starts the bot on :3978 with SQLite; `make test` runs every test.
# Another interpreter gets its own venv: `make test PYTHON=python3.13 VENV=.venv313`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PLAYGROUND_VERSION := 0.2.28
STAMP := $(VENV)/.installed
# Workers for the in-process tests; the real-process ones (crashes, timing bounds, the Playground)
# run after them, one at a time, so their time limits are not shared with a busy neighbour.
TEST_WORKERS ?= 2

.PHONY: run test soak lint bench package migrate i18n e2e-deps tab-test-deps tab-js clean

# The first install takes a minute or two: each step says what it does.
$(STAMP): pyproject.toml
	@echo "==> Creating the virtual environment $(VENV) with $(PYTHON) (first run only)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Upgrading pip"
	$(PY) -m pip install --quiet --upgrade pip
	@echo "==> Installing Styra and its dependencies into $(VENV) (about a minute, quiet)"
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)
	@echo "==> Installed"

# A .env for development, read by the app and by `styra` alike (bot/config.py): written once,
# never overwritten.
.env:
	@echo "==> Writing .env (STYRA_ENV=development): the app and the styra command both read it"
	@printf '# Written by make run; the app and `styra` read it (see README, Configuration).\nSTYRA_ENV=development\n' > .env

migrate: $(STAMP)
	@echo "==> Migrating the database (styra migrate)"
	$(PY) -m bot.cli migrate

run: $(STAMP) .env migrate
	@echo "==> Starting Styra on http://127.0.0.1:$${PORT:-3978} (Ctrl-C stops it)"
	STYRA_ENV=$${STYRA_ENV:-development} $(PY) app.py

lint: $(STAMP)
	$(PY) -m ruff check .

# PostgreSQL-backed tests run when TEST_DATABASE_URL is set; the Playground test and the tab's
# browser test when node is present (the latter also needs Debian's chromium).
test: $(STAMP) lint
	@if command -v node >/dev/null 2>&1; then $(MAKE) --no-print-directory e2e-deps tab-test-deps; \
	else echo "NOTE: node not found: the Agents Playground test and the tab's browser test will be skipped"; fi
	@if [ -z "$$TEST_DATABASE_URL" ]; then echo "NOTE: TEST_DATABASE_URL not set: PostgreSQL variants are skipped"; fi
	$(PY) -m pytest -n $(TEST_WORKERS) --ignore=tests/reliability --ignore=tests/e2e
	$(PY) -m pytest tests/reliability tests/e2e

# The real-process delivery scenarios (SIGKILL, SIGTERM, two instances, a database outage),
# each repeated STYRA_SOAK_RUNS times (10 by default); `make test` runs each once.
soak: $(STAMP)
	STYRA_SOAK_RUNS=$${STYRA_SOAK_RUNS:-10} $(PY) -m pytest tests/reliability -m soak -s -p no:randomly

e2e-deps:
	@if [ ! -x .e2e/node_modules/.bin/agentsplayground ]; then \
	  npm install --silent --no-audit --no-fund --prefix .e2e @microsoft/m365agentsplayground@$(PLAYGROUND_VERSION) \
	  || echo "NOTE: could not install the Agents Playground; its test will be skipped"; fi

# The portfolio tab's browser test: Debian's chromium (installed only when missing and when root)
# and playwright-core + axe-core from npm (web/package.json, pinned).
tab-test-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
	    || echo "NOTE: could not install chromium: the tab's browser test will be skipped"; \
	  else echo "NOTE: chromium is missing and this is not root: the tab's browser test will be skipped"; fi; fi
	@if [ ! -d web/node_modules/playwright-core ] || [ ! -d web/node_modules/axe-core ]; then \
	  (cd web && npm ci --silent --no-audit --no-fund) \
	  || echo "NOTE: could not install web/node_modules: the tab's browser test will be skipped"; fi

# TeamsJS for the tab, bundled from its npm package into cards/pages/static/teams.js (committed:
# production installs Styra without node). Run after changing web/package.json.
tab-js:
	cd web && npm ci --silent --no-audit --no-fund && node build.mjs

bench: $(STAMP)
	$(PY) benchmarks/run.py

package: $(STAMP)
	$(PY) scripts/package.py

i18n: $(STAMP)
	$(PY) scripts/i18n_check.py

clean:
	rm -rf $(VENV) .venv313 .e2e build web/node_modules
