# The README's commands. Each target sets up .venv itself, so a fresh clone needs only python3.
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.installed
SHARED ?= ../shared/realworld
PRESET ?= small
BENCH_STAMP := $(VENV)/.bench-installed

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: run test lint eval bench bench-full soak serve server deploy worker lock clean docs

# Bytecode is compiled at install (uv does not by default): with PYTHONDONTWRITEBYTECODE set, or
# a read-only venv, every `supplyline run` would otherwise compile Prefect, pandas and the rest
# from source again (about 2.5 s of each run's start-up here). Our own packages too; an edited
# module is simply compiled again when imported.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --python $(PY) --quiet --compile-bytecode -r requirements.lock
	$(UV) pip install --python $(PY) --quiet --no-deps -e .
	$(PY) -m compileall -q supplyline flows transforms schemas warehouse
	touch $(STAMP)

run: $(STAMP)  ## one nightly run over the bundled sample inbox
	$(VENV)/bin/supplyline run

test: $(STAMP)  ## unit and integration tests
	$(PY) -m pytest

lint: $(STAMP)  ## ruff (with complexity rules), ruff format --check, mypy; the same as pre-commit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

EVAL_SETS := tests/data/heldout tests/data/heldout2 $(sort $(wildcard tests/data/blind-b*))

eval: $(STAMP)  ## extraction scores and every miss by stage: ../shared/realworld (skipped when absent) and our sets; the shared tables
	$(PY) scripts/eval_sets.py --shared $(SHARED) $(addprefix --set ,$(EVAL_SETS))
	$(PY) scripts/eval_tables.py --shared $(SHARED)

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(UV) pip install --python $(PY) --quiet --compile-bytecode -c requirements.lock -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)  ## benchmark on a generated archive (PRESET=small|full), peers included
	$(PY) bench/run.py --preset $(PRESET)

bench-full: $(BENCH_STAMP)  ## 100,000 reports and a 10-million-row ledger
	$(PY) bench/run.py --preset full --peer-limit 10000

docs: $(STAMP)  ## the dbt docs site of the published warehouse (data/dbt_docs/index.html)
	$(VENV)/bin/supplyline docs

soak: $(STAMP)  ## kill -9 runs at 20 random moments and count divergences from a clean run
	$(PY) scripts/soak.py --kills $(or $(KILLS),20)

serve: $(STAMP)  ## single machine: serve the nightly flow on its schedule, no worker needed
	$(VENV)/bin/supplyline serve

server: $(STAMP)  ## production: a Prefect server on this machine
	$(VENV)/bin/prefect server start --host 127.0.0.1

deploy: $(STAMP)  ## production: create the process pool and register prefect.yaml's deployments
	$(VENV)/bin/prefect work-pool create supplyline --type process --overwrite
	SUPPLYLINE_HOME=$(CURDIR) $(VENV)/bin/prefect --no-prompt deploy --all

worker: $(STAMP)  ## production: a worker that runs the scheduled flows
	$(VENV)/bin/prefect worker start --pool supplyline

lock:  ## re-resolve requirements.lock after changing pyproject.toml
	$(UV) pip compile pyproject.toml --extra dev --quiet -o requirements.lock

SCRATCH := tmp dbt dbt_docs data_docs

clean:  ## the venv and scratch folders; never a warehouse, its outbox or its log
	rm -rf $(VENV) $(foreach d,$(SCRATCH),data/$(d) data/*.d/$(d))
