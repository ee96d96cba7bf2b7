"""Shared fixtures: the twin on free loopback ports, and running modules as Ansible does.

Modules run in-process through ``run_module`` (ansible-core's own ``patch_module_args``),
so each test exercises the module's real ``main()``, module_utils, boto3 / the official
Alibaba SDK and HTTP to the twin — only the fork/exec of ansible-playbook is skipped.
Playbook-level tests (tests/integration/test_playbooks*.py) run ansible-playbook itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT / ".collections", ROOT / "emulator", ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

# Never let a proxy setting send loopback traffic elsewhere.
for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

from twinhelpers import TwinHandle  # noqa: E402

WORLDS = ROOT / "emulator" / "worlds"


def _start_file(path, today: bool = False) -> TwinHandle:
    """A running twin of a world file; ``today`` drops any legacy rule the world switches on."""
    from cloudtwin.server import Twin
    from cloudtwin.world import load_world

    loaded = load_world(str(path))
    return TwinHandle(Twin(loaded.without_legacy_rules() if today else loaded).start())


def _start(world: str, today: bool = False) -> TwinHandle:
    return _start_file(WORLDS / f"{world}.yml", today)


def _fresh(handle: TwinHandle, monkeypatch) -> TwinHandle:
    """Reset the twin to its world, switch every fault off, export its client env vars."""
    handle.twin.reset()
    handle.twin.faults.injected.update(throttle=0, error=0)
    handle.twin.faults.update({"throttle_rate": 0, "error_rate": 0, "latency_ms": 0, "count": None,
                               "delays": {}, "consistency_delay": 0, "only_actions": []})
    for key, value in handle.twin.env().items():
        monkeypatch.setenv(key, value)
    return handle


@pytest.fixture(scope="session")
def seed_twin():
    """The first walkthrough's networks under the 2018 rules (seed-tgw-cen-legacy), one per test worker."""
    handle = _start("seed-tgw-cen-legacy")
    yield handle
    handle.twin.stop()


@pytest.fixture(scope="session")
def peering_twin_session():
    handle = _start("cross-account-peering")
    yield handle
    handle.twin.stop()


@pytest.fixture(scope="session")
def today_seed_twin():
    """The first walkthrough's world (seed-tgw-cen): today's rules only, no legacy_rules."""
    handle = _start("seed-tgw-cen", today=True)
    yield handle
    handle.twin.stop()


@pytest.fixture(scope="session")
def today_peering_twin_session():
    handle = _start("cross-account-peering", today=True)
    yield handle
    handle.twin.stop()


@pytest.fixture
def world_twin(monkeypatch):
    """``world_twin(path)`` starts a twin of any world file (a test may generate one), exports its client env
    vars and stops it after the test."""
    started = []

    def start(path) -> TwinHandle:
        handle = _start_file(path)
        # moto's backends are one per process: a reset leaves only this world's AWS side (the other twins
        # of this worker are reset before each use, _fresh)
        handle.twin.reset()
        started.append(handle)
        for key, value in handle.twin.env().items():
            monkeypatch.setenv(key, value)
        return handle
    yield start
    for handle in started:
        handle.twin.stop()


@pytest.fixture
def twin(seed_twin, monkeypatch):
    """A freshly reset seed-tgw-cen-legacy twin (2018 rules) with the client env vars set for modules."""
    yield _fresh(seed_twin, monkeypatch)


@pytest.fixture
def today_twin(today_seed_twin, monkeypatch):
    """Like ``twin``, but the cloud of today: Enterprise CENs, dual-tunnel VPN gateways."""
    yield _fresh(today_seed_twin, monkeypatch)


@pytest.fixture
def today_peering_twin(today_peering_twin_session, monkeypatch):
    """Like ``peering_twin``, under today's rules only."""
    yield _fresh(today_peering_twin_session, monkeypatch)


@pytest.fixture
def peering_twin(peering_twin_session, monkeypatch):
    """A freshly reset cross-account-peering twin (accounts A and B)."""
    peering_twin_session.twin.reset()
    for key, value in peering_twin_session.twin.env().items():
        monkeypatch.setenv(key, value)
    yield peering_twin_session
