# The README's commands. Each target sets up .venv itself, so a fresh clone needs only python3.
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.installed
SHARED ?= ../shared/realworld

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: run test lint eval lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --python $(PY) --quiet -r requirements.lock
	$(UV) pip install --python $(PY) --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)  ## one nightly run over the bundled sample inbox
	$(VENV)/bin/supplyline run

test: $(STAMP)  ## unit and integration tests
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

eval: $(STAMP)  ## extraction scores on ../shared/realworld (skipped when it is absent)
	$(PY) scripts/evaluate.py --shared $(SHARED)

lock:  ## re-resolve requirements.lock after changing pyproject.toml
	$(UV) pip compile pyproject.toml --extra dev --quiet -o requirements.lock

clean:
	rm -rf $(VENV) data
