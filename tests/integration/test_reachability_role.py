"""roles/reachability run by ansible-playbook on both walkthrough inventories against the twin.

Credentials and regions come from the inventories' hostvars and topology; the role runs the
module once, prints the matrix and fails the play on a broken required pair, naming its cause.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alibabacloud_vpc20160428 import models as m

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "reachability.yml"

pytestmark = pytest.mark.slow


def play(twin, inventory, extra_vars, playbook=PLAYBOOK):
    env = dict(os.environ, **twin.env)
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               PYTHONWARNINGS="ignore")
    ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
    proc = subprocess.run([str(ansible_playbook), "-i", str(ROOT / "inventories" / inventory), str(playbook),
                           "-e", json.dumps(extra_vars)], cwd=str(ROOT), env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def _live_module():
    spec = importlib.util.spec_from_file_location("reachability_live", Path(__file__).resolve().parent
                                                  / "test_reachability_live.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_role_proves_walkthrough1_then_fails_naming_the_cause(twin, tmp_path):
    live = _live_module()
    built = live.build(twin)
    rc, out = play(twin, "seed-tgw-cen", {"reachability_report_dir": str(tmp_path / "report")})
    assert rc == 0, out[-5000:]
    assert "12 of 12 pairs reachable" in out
    assert (tmp_path / "report" / "report.html").exists()
    assert live.PSK not in out and "twin-alicloud-secret" not in out and "twin-aws-secret" not in out

    built.ec2.delete_route(RouteTableId=built.subnet_tables["vpc-b"], DestinationCidrBlock="10.0.0.0/8")
    rc, out = play(twin, "seed-tgw-cen", {})
    assert rc != 0
    assert "2 required pair(s) unreachable" in out
    # the short failure message names each broken pair with its cause code (whitespace: the yaml callback folds)
    message = " ".join(out.split())
    assert "unreachable: 172.17.0.111 -> 10.0.0.17 [no_route]: " in message or \
        "unreachable: 10.0.0.17 -> 172.17.0.111 [no_route]: " in message
    assert "; 10.0.0.17 -> 172.17.0.111 [no_route]: " in message or \
        "; 172.17.0.111 -> 10.0.0.17 [no_route]: " in message
    # the matrix names each broken pair's cause code
    assert "172.17.0.111 -> 10.0.0.17 [no_route]" in out and "10.0.0.17 -> 172.17.0.111 [no_route]" in out


def test_role_on_the_peering_walkthrough_two_accounts(peering_twin):
    rc, out = play(peering_twin, "cross-account-peering", {}, playbook=ROOT / "playbooks" / "peerings.yml")
    assert rc == 0, out[-4000:]
    probes = {"transit_probes": [{"name": "tokyo-a", "ip": "172.16.0.41"}, {"name": "svalley-b", "ip": "192.168.0.147"}]}
    rc, out = play(peering_twin, "cross-account-peering", probes)
    assert rc == 0, out[-5000:]
    assert "2 of 2 pairs reachable" in out

    state = peering_twin.twin.backend.state
    vpc_b = next(v for v in state.all("Vpc") if v["VpcName"] == "svalley-vpc-b")
    entry = next(e for e in state.all("RouteEntry") if e["RouteTableId"] == vpc_b["RouteTableId"]
                 and e["NextHopType"] == "RouterInterface")
    client = peering_twin.vpc_client(account="account-b", region="us-west-1")
    client.delete_route_entry(m.DeleteRouteEntryRequest(region_id="us-west-1", route_entry_id=entry.id))
    rc, out = play(peering_twin, "cross-account-peering", probes)
    assert rc != 0
    assert "2 required pair(s) unreachable" in out
    assert "svalley-b -> tokyo-a [no_route]" in out and "tokyo-a -> svalley-b [no_route]" in out
