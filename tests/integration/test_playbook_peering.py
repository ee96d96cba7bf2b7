"""playbooks/peerings.yml on the cross-account-peering inventory, run by ansible-playbook itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "inventories" / "cross-account-peering"
PLAYBOOK = ROOT / "playbooks" / "peerings.yml"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / "plugins" / "modules" / "alicloud_route_entry.py").exists(),
                       reason="multicloud.transit.alicloud_route_entry has not landed yet"),
]


def play(twin, *extra):
    env = dict(os.environ, **twin.env)
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               PYTHONWARNINGS="ignore")
    ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
    proc = subprocess.run([str(ansible_playbook), "-i", str(INVENTORY), str(PLAYBOOK), *extra], cwd=str(ROOT),
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return proc.stdout


def recap(output):
    """PLAY RECAP -> {host: {"ok": n, "changed": n, ...}}."""
    text = output.split("PLAY RECAP", 1)[1]
    out = {}
    for host, fields in re.findall(r"^(\S+)\s+:\s+(.*)$", text, re.M):
        out[host] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", fields))
    return out


def routes_via(state, vpc, interface_id):
    return sorted(e["DestinationCidrBlock"] for e in state.all("RouteEntry", include_invisible=True)
                  if e["RouteTableId"] == vpc["RouteTableId"] and e["NextHopType"] == "RouterInterface"
                  and e["NextHopId"] == interface_id)


def test_peering_playbook_builds_is_idempotent_and_tears_down(peering_twin):
    state = peering_twin.twin.backend.state
    first = recap(play(peering_twin))
    assert first["account-a"]["changed"] > 0 and first["account-a"]["failed"] == 0

    state = peering_twin.twin.backend.state
    interfaces = {ri["Name"]: ri for ri in state.all("RouterInterface")}
    init, acc = interfaces["tokyo-svalley-initiator"], interfaces["tokyo-svalley-acceptor"]
    assert (init["Status"], acc["Status"]) == ("Active", "Active")
    assert (init.owner, acc.owner) == ("5111111111111111", "5222222222222222")
    assert (init.region, acc.region) == ("ap-northeast-1", "us-west-1")
    assert init["OppositeInterfaceId"] == acc.id and acc["OppositeInterfaceId"] == init.id
    vpc_a = next(v for v in state.all("Vpc") if v["VpcName"] == "tokyo-vpc-a")
    vpc_b = next(v for v in state.all("Vpc") if v["VpcName"] == "svalley-vpc-b")
    assert routes_via(state, vpc_a, init.id) == ["192.168.0.0/16"]
    assert routes_via(state, vpc_b, acc.id) == ["172.16.0.0/16"]

    second = recap(play(peering_twin))
    assert {h: r["changed"] for h, r in second.items()} == {"account-a": 0, "account-b": 0}

    play(peering_twin, "-e", "vpc_peerings_state=absent")
    state = peering_twin.twin.backend.state
    assert state.all("RouterInterface", include_invisible=True) == []
    assert [e for e in state.all("RouteEntry", include_invisible=True) if e["NextHopType"] == "RouterInterface"] == []
