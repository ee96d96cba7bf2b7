# multicloud.transit — the two commands: `make demo` and `make test`.
# Everything runs from a local .venv built with python3 -m venv and pinned requirements.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COLL   := .collections/ansible_collections/multicloud/transit
WORLD  ?= seed-tgw-cen
INVENTORY ?= inventories/$(WORLD)
TWIN_DIR := .twin/$(WORLD)
PYTEST_ARGS ?=

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: all demo demo-peering test unit integration molecule sanity lint twin venv collection clean bench

all: test

$(STAMP): requirements.txt requirements-dev.txt emulator/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e emulator
	touch $(STAMP)

venv: $(STAMP)

# Ansible finds the collection through this link (ansible.cfg collections_path).
$(COLL):
	mkdir -p $(dir $(COLL))
	ln -sfn ../../.. $(COLL)

collection: $(COLL)

# `make twin` serves the twin in the foreground (Ctrl-C stops it); WORLD=cross-account-peering for the other one.
twin: venv
	$(BIN)/cloudtwin serve --world emulator/worlds/$(WORLD).yml --aws-port 4566 --alicloud-port 4567

# The main job against the twin: start it, run site.yml, print the result, stop it.
demo: venv collection
	@scripts/demo.sh $(WORLD) $(INVENTORY)

demo-peering:
	@$(MAKE) --no-print-directory demo WORLD=cross-account-peering

test: venv collection
	$(BIN)/python -m pytest -n 2 tests $(PYTEST_ARGS)
	scripts/molecule.sh $(VENV)
	scripts/sanity.sh $(VENV)
	scripts/lint.sh $(VENV)

# One molecule scenario per role (extensions/molecule/), each against its own twin.
molecule: venv collection
	scripts/molecule.sh $(VENV)

unit: venv collection
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

integration: venv collection
	$(BIN)/python -m pytest -n 2 tests/integration tests/twin $(PYTEST_ARGS)

sanity: venv collection
	scripts/sanity.sh $(VENV)

lint: venv collection
	scripts/lint.sh $(VENV)

bench: venv collection
	$(BIN)/python scripts/bench_reachability.py

clean:
	rm -rf $(VENV) .collections .twin build tests/output .pytest_cache
