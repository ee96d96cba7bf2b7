# multicloud.transit — the two commands: `make demo` and `make test`.
# Everything runs from a local .venv built with python3 -m venv, pinned requirements and the
# lock file constraints.txt (every transitive dependency; `make lock` regenerates it).
# `make dist` builds the collection tarball and the cloudtwin wheel and sdist into dist/.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COLL   := .collections/ansible_collections/multicloud/transit
WORLD  ?= seed-tgw-cen
INVENTORY ?= inventories/$(WORLD)
TWIN_DIR := .twin/$(WORLD)
PYTEST_ARGS ?=
DIST   := dist
# ansible-core 2.19 runs on Python 3.11-3.13 on the controller; constraints.txt is locked on 3.11.
PYTHON_RANGE := (3, 11) <= sys.version_info[:2] <= (3, 13)

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: all demo demo-peering test checks unit integration molecule sanity lint twin venv collection clean bench chaos dist lock python-check

all: test

python-check:
	@$(PYTHON) -c 'import sys; sys.exit(0 if $(PYTHON_RANGE) else "Python %s.%s: this project needs 3.11-3.13 (ansible-core 2.19 needs >= 3.11); set PYTHON=python3.11" % sys.version_info[:2])'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt emulator/pyproject.toml
	@$(MAKE) --no-print-directory python-check
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e emulator
	touch $(STAMP)

venv: $(STAMP)

# Regenerate the lock file after changing requirements*.txt (needs the package index).
lock: venv
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	    --output-file constraints.txt requirements-dev.txt

# What users install: the collection tarball (ansible-galaxy collection install) and the
# twin as a wheel and an sdist (pip install). Built offline, without build isolation.
dist: venv
	rm -rf $(DIST) && mkdir -p $(DIST)
	$(BIN)/ansible-galaxy collection build --force --output-path $(DIST) .
	$(BIN)/python -m build --no-isolation --sdist --wheel --outdir $(DIST) emulator
	@ls -1 $(DIST)

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

# The second walkthrough: PEERING=router-interface (default, Express Connect router interfaces as the
# post built them) or PEERING=vpc-peer (a VPC peering connection, what Alibaba Cloud offers today).
PEERING ?= router-interface
PEERING_INVENTORY_router-interface := inventories/cross-account-peering
PEERING_INVENTORY_vpc-peer := inventories/cross-account-vpc-peer
demo-peering:
	@test -n "$(PEERING_INVENTORY_$(PEERING))" || { echo "PEERING=$(PEERING): use router-interface or vpc-peer" >&2; exit 2; }
	@$(MAKE) --no-print-directory demo WORLD=cross-account-peering INVENTORY=$(PEERING_INVENTORY_$(PEERING))

# pytest first (two workers fill both cores), then molecule, ansible-test sanity and ansible-lint side by side:
# sanity and lint are mostly single-threaded, so the three overlap; each one's output is printed when it ends.
test: venv collection
	$(BIN)/python -m pytest -n 2 --dist loadfile tests $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory -j3 --output-sync=target checks

checks: molecule sanity lint

# One molecule scenario per role (extensions/molecule/), each against its own twin.
molecule: venv collection
	scripts/molecule.sh $(VENV)

unit: venv collection
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

integration: venv collection
	$(BIN)/python -m pytest -n 2 --dist loadfile tests/integration tests/twin $(PYTEST_ARGS)

sanity: venv collection
	scripts/sanity.sh $(VENV)

lint: venv collection
	scripts/lint.sh $(VENV)

# Where a site.yml run's time goes (scripts/bench.py: walkthrough, N+N VPCs, Ansible's floor, latency mode), then
# the reachability engine. BENCH_ARGS=--quick for a short run; BENCH_ARGS="--json bench.json --profile-module".
BENCH_ARGS ?=
bench: venv collection
	$(BIN)/python scripts/bench_reachability.py
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# Does site.yml converge under faults? (scripts/chaos.py; not part of `make test`.) Per run a fresh twin:
# throttling, 5xx and eventual consistency in both clouds (mode faults), or ansible-playbook SIGKILLed mid-build and
# run again (mode kill); then duplicates, orphans, tunnels down, unreachable pairs, a fault-free re-run's changed=0
# and destroy.yml leaving only the world. A table, then one summary line. Bounded: --playbook-timeout per playbook.
# CHAOS_ARGS="--runs 2 --mode kill", "--throttle-rate 0.1 --error-rate 0.05 --consistency-delay 3",
# "--inventory inventories/seed-tgw-cen-vpn-gateway --world emulator/worlds/seed-tgw-cen.yml", "--keep chaos-logs".
CHAOS_ARGS ?= --runs 10 --mode both
chaos: venv collection
	$(BIN)/python scripts/chaos.py $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) .collections .twin build $(DIST) tests/output .pytest_cache emulator/build emulator/*.egg-info

# AWX execution environment (docs/execution-environment.yml): stage it with the collection
# tarball of galaxy.yml's version (`make dist` first when that tarball is missing or older than
# the collection's files) and the pinned Python requirements, write the build context with
# `ansible-builder create` (no container engine needed) and check it. Then, with podman or docker:
#   podman build -f build/ee/context/Containerfile -t multicloud-transit-ee:<version> build/ee/context
.PHONY: ee awx-collection
EE_CONTEXT ?= build/ee/context
COLL_VERSION = $(shell sed -n 's/^version: *//p' galaxy.yml)
COLL_TARBALL = $(DIST)/multicloud-transit-$(COLL_VERSION).tar.gz

$(COLL_TARBALL): galaxy.yml requirements.txt $(shell git ls-files meta plugins roles playbooks extensions/awx docs 2>/dev/null)
	@$(MAKE) --no-print-directory dist

ee: venv $(COLL_TARBALL)
	$(BIN)/python scripts/ee_context.py --dist $(DIST) --context $(EE_CONTEXT)

# awx.awx for checking extensions/awx/configure.yml offline (tests/integration/test_awx.py): its
# last release, 24.6.1, ships inside the `ansible` 12.3.0 package on PyPI; only that collection is
# unpacked, into build/awx-collections (nothing is installed into the venv).
AWX_COLLECTIONS := build/awx-collections
awx-collection: venv
	rm -rf build/awx-download $(AWX_COLLECTIONS)
	$(BIN)/pip download --quiet --no-deps --dest build/awx-download ansible==12.3.0
	$(BIN)/python -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("ansible_collections/awx/awx/")])' build/awx-download/ansible-12.3.0-py3-none-any.whl $(AWX_COLLECTIONS)
	rm -rf build/awx-download
	@ls -d $(AWX_COLLECTIONS)/ansible_collections/awx/awx
