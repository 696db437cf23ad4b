# gkctl developer tasks. Quick start: `make demo`, `make test`.
PYTHON ?= python3.11
ifeq (, $(shell command -v $(PYTHON) 2>/dev/null))
PYTHON := python3
endif
VENV := .venv
BIN := $(VENV)/bin
# constraints.txt pins the versions the test run was last green with, so that CI is
# reproducible; pyproject.toml itself only states the lower bounds the code needs.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: demo test test-min lint bench golden clean constraints schemas wheelhouse wheelhouse-linux wheelhouse-windows

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP_INSTALL) -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/gkctl validate
	$(BIN)/gkctl due --unit 区经委 --as-of 2024-10-15

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

# The tests with the lowest versions pyproject.toml admits (constraints-min.txt), in a
# virtualenv of their own made afresh; the dev tools take their newest versions.
VENV_MIN := .venv-min
test-min:
	rm -rf $(VENV_MIN)
	$(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -c constraints-min.txt -e '.[dev]'
	$(VENV_MIN)/bin/python -m pytest -W ignore::DeprecationWarning

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check gkctl tests benchmarks
	$(BIN)/ruff format --check gkctl tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
	$(BIN)/check-jsonschema --check-metaschema gkctl/schemas/*.schema.json
	$(BIN)/check-jsonschema --schemafile gkctl/schemas/tasks.schema.json data/tasks.yaml
	$(BIN)/check-jsonschema --schemafile gkctl/schemas/units.schema.json data/units.yaml
	$(BIN)/zizmor --offline --quiet .github

# The editors' JSON Schema of tasks.yaml and units.yaml is generated from the loader's tables
# (gkctl/store/fileschema.py); tests/test_fileschema.py fails until this is run after a change.
schemas: $(VENV)/.installed
	$(BIN)/python -c 'from pathlib import Path; from gkctl.store import fileschema as s; \
	  [Path("gkctl/schemas", n).write_text(s.render(k), encoding="utf-8", newline="") \
	   for k, n in s.FILES.items()]'

# An offline install (README: 离线安装): gkctl and every dependency as wheels, at the versions
# of constraints.txt, which pip installs with no network (pip install --no-index
# --find-links DIR gkctl). wheelhouse/linux for this machine's Python; wheelhouse/windows for
# 64-bit Windows with Python 3.11-3.13. Downloading needs the package index; installing not.
WHEELHOUSE ?= wheelhouse
WINDOWS_PYTHONS ?= 3.11 3.12 3.13
# pip download --platform judges a dependency's environment marker by this machine, not by
# the target: what only Windows asks for is named here (typer's colorama).
# tests/test_wheelhouse.py keeps this equal to what the packages' metadata asks for there.
WINDOWS_ONLY := colorama
PIP_DOWNLOAD := $(BIN)/python -m pip download --quiet --disable-pip-version-check \
  --only-binary=:all: -c constraints.txt

wheelhouse: wheelhouse-linux wheelhouse-windows

$(WHEELHOUSE)/gkctl: $(VENV)/.installed-dev
	rm -rf $@
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps \
	  --no-build-isolation -w $@ .

wheelhouse-linux: $(WHEELHOUSE)/gkctl
	$(PIP_DOWNLOAD) -d $(WHEELHOUSE)/linux $(WHEELHOUSE)/gkctl/gkctl-*.whl

wheelhouse-windows: $(WHEELHOUSE)/gkctl
	for py in $(WINDOWS_PYTHONS); do \
	  $(PIP_DOWNLOAD) --platform win_amd64 --implementation cp --python-version $$py \
	    -d $(WHEELHOUSE)/windows $(WHEELHOUSE)/gkctl/gkctl-*.whl $(WINDOWS_ONLY) || exit 1; \
	done

golden: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q --update-golden

# make bench BENCH_ARGS=--large also measures 100,000 tasks (about fifteen minutes more on two
# cores: form --each-unit and the first site build alone take some eight).
BENCH_ARGS ?=
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(VENV_MIN) $(WHEELHOUSE) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Refresh the pinned versions after a deliberate upgrade (then run make test and commit).
constraints: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade -e '.[dev]'
	{ echo "# Versions the test run was last green with (make test installs with -c constraints.txt)."; \
	  echo "# pyproject.toml keeps the loose lower bounds; refresh this file with: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^gkctl'; } > constraints.txt
