# The two commands: `make run` starts everything on this laptop, `make test` runs every test.
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# Procfile.dev's commands (run by honcho) find flask in the virtualenv.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test install lint bench prerequisites

# A virtualenv with the pinned requirements; rebuilt only when a requirements file changes.
# The first run spends a few minutes here, so it says what it is doing before each quiet step.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@echo "==> setting up $(VENV): the pinned packages of requirements-dev.txt (a few minutes the first time)"
	test -x $(BIN)/python || python3 -m venv $(VENV)
	@echo "==> upgrading pip in $(VENV)"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> installing the packages (pip is quiet until it is done)"
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@echo "==> $(VENV) is ready"
	touch $@

# axe-core for the accessibility tests, pinned in package-lock.json (nothing of npm reaches the pages).
node_modules/.installed: package-lock.json
	@echo "==> installing axe-core for the accessibility tests (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

# Web and worker add up their metrics counters in files here (prometheus-client's multiprocess
# mode, see README "Watching it run"); emptied at each start, as both processes start afresh.
run: export PROMETHEUS_MULTIPROC_DIR := $(CURDIR)/instance/metrics
run: install
	rm -rf "$(PROMETHEUS_MULTIPROC_DIR)" && mkdir -p "$(PROMETHEUS_MULTIPROC_DIR)"
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	@echo
	@echo "  leadgen is starting at http://localhost:5000  (staff console: http://localhost:5000/admin/)"
	@echo "  mail is written as .eml files to $(CURDIR)/instance/mail/ (set MAIL_SERVER to use a relay)"
	@echo "  create a staff login:  $(BIN)/flask staff create you@clinic.example --role admin"
	@echo
	$(BIN)/honcho start -f Procfile.dev

# Names what is missing (Chromium, npm, PostgreSQL, SpamAssassin, LibreOffice) before anything runs.
prerequisites:
	@scripts/check-prerequisites

test: prerequisites install node_modules/.installed
	scripts/test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	bench/run
