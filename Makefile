# costplane — the two commands are `make demo` and `make test`.
PYTHON ?= python3.11
# focus-validator 2.x needs Python >= 3.12; pyenv provides it on our machines.
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.12)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS := .venv-tools
export SAM_CLI_TELEMETRY := 0
export BC_SKIP_MAPPING := TRUE
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test bench lint typecheck tools lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

# Linters that pin their own boto3 or need another Python live in venvs of their own.
$(TOOLS)/%/.installed: requirements/%.lock
	rm -rf $(TOOLS)/$*
	$(if $(findstring focus-validator,$*),$(PYTHON312),$(PYTHON)) -m venv $(TOOLS)/$*
	$(TOOLS)/$*/bin/pip install -q -r $<
	touch $@

tools: $(TOOLS)/sam/.installed $(TOOLS)/checkov/.installed $(TOOLS)/focus-validator/.installed

demo: $(STAMP)
	$(BIN)/costplane demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared functions
	$(BIN)/lint-imports --no-cache

test: $(STAMP) tools lint
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m tests.bench

lock:
	rm -rf /tmp/costplane-lock && $(PYTHON) -m venv /tmp/costplane-lock
	/tmp/costplane-lock/bin/pip install -q -e '.[dev]'
	/tmp/costplane-lock/bin/pip freeze --exclude-editable | grep -v '^costplane' > requirements.lock

clean:
	rm -rf $(VENV) $(TOOLS) .costplane .pytest_cache .mypy_cache .ruff_cache
