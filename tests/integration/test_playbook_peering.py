"""The second walkthrough end to end, run by ansible-playbook itself against today's twin (no legacy rules).

Both inventories join the same VPCs of two accounts - account A's Tokyo VPC and account B's Silicon Valley
VPC: inventories/cross-account-vpc-peer with a VPC peering connection (`method: vpc_peer`), and
inventories/cross-account-peering with the walkthrough's Express Connect router interfaces. For each, one
run of the whole sequence (a module-scoped fixture): site.yml --check --diff on the untouched world, site.yml,
site.yml again, playbooks/destroy.yml; the tests assert on what each step left. Bad inventories
(playbooks/peerings.yml alone) must stop before any call that changes anything, naming the fix.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from playbookhelpers import flat
from twinhelpers import TwinHandle, vpc_call

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "emulator" / "worlds" / "cross-account-peering.yml"
VPC_PEER = "cross-account-vpc-peer"
ROUTER_INTERFACE = "cross-account-peering"
UID_A, UID_B = "5111111111111111", "5222222222222222"
TOKYO, SVALLEY = "ap-northeast-1", "us-west-1"
HOST_A, HOST_B = "172.16.0.41", "192.168.0.147"
# The engine of roles/reachability learns VPC peering connections in another change (h12); until then it
# stops at the VpcPeer next hop with this cause and the twin's own data plane is the proof.
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def twin():
    """Today's cross-account-peering world (accounts A and B), one twin for this module."""
    from cloudtwin.server import Twin
    from cloudtwin.world import load_world

    handle = TwinHandle(Twin(load_world(str(WORLD)).without_legacy_rules()).start())
    yield handle
    handle.twin.stop()


def fresh(handle):
    """Back to the world, no faults, no recorded calls."""
    handle.twin.reset()
    handle.twin.faults.update({"throttle_rate": 0, "error_rate": 0, "latency_ms": 0, "count": None, "delays": {},
                               "consistency_delay": 0, "only_actions": []})
    handle.clear_calls()
    return handle


def play(handle, inventory, playbook, *extra, expect_rc=0):
    env = dict(os.environ, **handle.env)
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               PYTHONWARNINGS="ignore")
    ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
    proc = subprocess.run([str(ansible_playbook), "-i", str(inventory), str(ROOT / playbook), *extra], cwd=str(ROOT),
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == expect_rc, output[-6000:]
    return output


def recap(output):
    """PLAY RECAP -> {host: {"ok": n, "changed": n, ...}} (the last recap of the run)."""
    text = output.rsplit("PLAY RECAP", 1)[1]
    return dict((host, dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", fields)))
                for host, fields in re.findall(r"^(\S+)\s+:\s+(.*)$", text, re.M))


def inventory(name):
    return ROOT / "inventories" / name


def resources(handle):
    """Every Alibaba resource of the twin, by kind (what "only the world" means)."""
    state = handle.twin.backend.state
    return dict((kind, sorted(r.id for r in state.all(kind, include_invisible=True)))
                for kind in sorted(state.resources) if state.all(kind, include_invisible=True))


def mutating(handle):
    """(account UID, action) of every call that changed something, in order."""
    return [(c.get("account"), c["action"]) for c in handle.calls(mutating_only=True)]


def vpc_of(handle, name):
    return next(v for v in handle.twin.backend.state.all("Vpc") if v["VpcName"] == name)


def routes(handle, vpc_name, hop_type):
    """{destination: next hop id} of the custom entries of a VPC's tables toward ``hop_type``."""
    vpc = vpc_of(handle, vpc_name)
    tables = {t.id for t in handle.twin.backend.state.all("RouteTable") if t.get("VpcId") == vpc.id}
    return dict((e["DestinationCidrBlock"], e["NextHopId"])
                for e in handle.twin.backend.state.all("RouteEntry", include_invisible=True)
                if e["RouteTableId"] in tables and e.get("NextHopType") == hop_type)


def peering_state(handle):
    """What the build left, as plain values (the twin is torn down before the tests look)."""
    state = handle.twin.backend.state
    return {
        "connections": [dict(c.attrs, id=c.id, owner=c.owner, region=c.region)
                        for c in state.all("VpcPeerConnection", include_invisible=True)],
        "interfaces": dict((ri["Name"], dict(ri.attrs, id=ri.id, owner=ri.owner, region=ri.region))
                           for ri in state.all("RouterInterface", include_invisible=True)),
        "routes": {hop: {"a": routes(handle, "tokyo-vpc-a", hop), "b": routes(handle, "svalley-vpc-b", hop)}
                   for hop in ("VpcPeer", "RouterInterface")},
    }


def walkthrough(handle, name, report_dir):
    """The whole sequence on one inventory; everything the tests assert on."""
    fresh(handle)
    out = {"world": resources(handle)}
    out["check"] = play(handle, inventory(name), "site.yml", "--check", "--diff")
    out["check_calls"], out["after_check"] = mutating(handle), resources(handle)
    handle.clear_calls()
    out["build"] = play(handle, inventory(name), "site.yml", "-v", "--diff", "-e", "transit_report_dir=%s" % report_dir)
    out["build_calls"], out["built"] = mutating(handle), peering_state(handle)
    out["report"] = json.loads((Path(report_dir) / "report.json").read_text())
    out["traces"] = {(HOST_A, HOST_B): handle.twin.trace(HOST_A, HOST_B),
                     (HOST_B, HOST_A): handle.twin.trace(HOST_B, HOST_A)}
    handle.clear_calls()
    out["rerun"] = play(handle, inventory(name), "site.yml")
    out["rerun_calls"] = mutating(handle)
    out["destroy"] = play(handle, inventory(name), "playbooks/destroy.yml")
    out["after_destroy"] = resources(handle)
    return out


@pytest.fixture(scope="module")
def vpc_peer_run(twin, tmp_path_factory):
    return walkthrough(twin, VPC_PEER, tmp_path_factory.mktemp("vpc-peer-report"))


@pytest.fixture(scope="module")
def router_interface_run(twin, tmp_path_factory):
    return walkthrough(twin, ROUTER_INTERFACE, tmp_path_factory.mktemp("router-interface-report"))


@pytest.fixture(params=[VPC_PEER, ROUTER_INTERFACE])
def run(request):
    return request.getfixturevalue("vpc_peer_run" if request.param == VPC_PEER else "router_interface_run")


# --- both inventories ------------------------------------------------------------------------------------------

def test_check_mode_on_the_untouched_world_reports_the_peering_and_changes_nothing(run):
    result = recap(run["check"])
    assert result["account-a"]["failed"] == 0 and result["account-b"]["failed"] == 0
    assert result["account-a"]["changed"] > 0
    assert run["check_calls"] == []
    assert run["after_check"] == run["world"]


def test_second_run_changes_nothing_and_makes_no_mutating_call(run):
    assert {h: r["changed"] for h, r in recap(run["rerun"]).items()} == {"account-a": 0, "account-b": 0}
    assert run["rerun_calls"] == []


def test_destroy_leaves_only_the_world(run):
    assert recap(run["destroy"])["account-a"]["failed"] == 0
    assert run["after_destroy"] == run["world"]


def test_no_secret_key_in_any_output(run, twin):
    secrets = [a["access_key_secret"] for a in twin.twin.world.alicloud_accounts]
    assert len(secrets) == 2
    for step in ("check", "build", "rerun", "destroy"):
        assert not any(secret in run[step] for secret in secrets), step


def test_the_twins_data_plane_delivers_both_ways(run):
    for (src, dst), trace in run["traces"].items():
        assert trace["delivered"], (src, dst, trace["cause"], trace["reason"])


def test_reachability_proves_both_pairs(run):
    assert (run["report"]["reachable_count"], run["report"]["pair_count"]) == (2, 2), run["report"]["broken"]


# --- method vpc_peer ---------------------------------------------------------------------------------------

def test_vpc_peer_builds_the_connection_and_the_acceptors_account_accepts_it(vpc_peer_run):
    built = vpc_peer_run["built"]
    assert built["interfaces"] == {}
    [conn] = built["connections"]
    assert conn["Status"] == "Activated" and conn["Name"] == "tokyo-svalley"
    assert (conn["owner"], conn["region"]) == (UID_A, TOKYO)
    assert (str(conn["AcceptingAliUid"]), conn["AcceptingRegionId"]) == (UID_B, SVALLEY)
    # every change by the account that owns it: A requests and routes its VPC, B accepts and routes its own
    calls = vpc_peer_run["build_calls"]
    assert sorted(calls) == sorted([(UID_A, "CreateVpcPeerConnection"), (UID_B, "AcceptVpcPeerConnection"),
                                    (UID_A, "CreateRouteEntry"), (UID_B, "CreateRouteEntry")])
    assert calls.index((UID_A, "CreateVpcPeerConnection")) < calls.index((UID_B, "AcceptVpcPeerConnection")) \
        < calls.index((UID_A, "CreateRouteEntry"))


def test_vpc_peer_routes_each_side_into_the_connection(vpc_peer_run):
    built = vpc_peer_run["built"]
    conn_id = built["connections"][0]["id"]
    assert built["routes"]["VpcPeer"] == {"a": {"192.168.0.0/16": conn_id}, "b": {"172.16.0.0/16": conn_id}}
    assert built["routes"]["RouterInterface"] == {"a": {}, "b": {}}


def test_vpc_peer_check_mode_shows_the_request_it_would_make(vpc_peer_run):
    assert "status: Accepting" in vpc_peer_run["check"] and "accepting_region_id: us-west-1" in vpc_peer_run["check"]


# --- method router_interface (the walkthrough, unchanged) -------------------------------------------------------

def test_router_interfaces_connect_across_accounts_and_route_both_sides(router_interface_run):
    built = router_interface_run["built"]
    assert built["connections"] == []
    init, acc = built["interfaces"]["tokyo-svalley-initiator"], built["interfaces"]["tokyo-svalley-acceptor"]
    assert (init["Status"], acc["Status"]) == ("Active", "Active")
    assert (init["owner"], acc["owner"]) == (UID_A, UID_B)
    assert (init["region"], acc["region"]) == (TOKYO, SVALLEY)
    assert init["OppositeInterfaceId"] == acc["id"] and acc["OppositeInterfaceId"] == init["id"]
    assert built["routes"]["RouterInterface"] == {"a": {"192.168.0.0/16": init["id"]},
                                                  "b": {"172.16.0.0/16": acc["id"]}}
    assert "2 of 2 pairs reachable" in router_interface_run["build"]


# --- bad inventories: refused before any change, naming the fix ---------------------------------------------------

def variant(tmp_path, edit_peering=None, host_vars_b=None):
    """A copy of the vpc_peer inventory with its peering (and maybe account B's host vars) changed."""
    copy = tmp_path / "inventory"
    shutil.copytree(inventory(VPC_PEER), copy)
    group_vars = copy / "group_vars" / "all.yml"
    data = yaml.safe_load(group_vars.read_text())
    if edit_peering:
        edit_peering(data["vpc_peerings"][0])
    group_vars.write_text(yaml.safe_dump(data))
    if host_vars_b:
        path = copy / "host_vars" / "account-b.yml"
        path.write_text(host_vars_b(path.read_text()))
    return copy


def refused(twin, tmp_path, **changes):
    """Run the bad variant: it must fail, change nothing, make no mutating call; its output on one line."""
    before = resources(fresh(twin))
    out = play(twin, variant(tmp_path, **changes), "playbooks/peerings.yml", expect_rc=2)
    assert mutating(twin) == []
    assert resources(twin) == before
    return flat(out)


def test_the_acceptors_host_with_the_initiators_keys_is_refused_before_any_call(twin, tmp_path):
    out = refused(twin, tmp_path, host_vars_b=lambda text: text.replace("ACCOUNT_B_ACCESS_KEY", "ACCOUNT_A_ACCESS_KEY"))
    assert "vpc_peering.acceptor.account account-b has the same AccessKey as vpc_peering.initiator.account " \
           "account-a" in out
    assert "Give account-b the AccessKey pair of the account that owns svalley-vpc-b" in out
    assert twin.calls() == []  # found from the hostvars alone


def test_accepting_from_the_requesters_account_is_refused_before_any_change(twin, tmp_path):
    def acceptor_on_the_initiators_host(peering):
        peering["acceptor"]["account"] = "account-a"

    out = refused(twin, tmp_path, edit_peering=acceptor_on_the_initiators_host)
    assert "vpc_peering.acceptor.vpc svalley-vpc-b was not found in us-west-1 with the credentials of account-a" in out
    assert "acceptor.account names the inventory host of the account that owns this VPC" in out


def test_a_peer_vpc_that_does_not_exist_is_refused_before_any_change(twin, tmp_path):
    def missing(peering):
        peering["acceptor"]["vpc"] = "svalley-vpc-gone"

    out = refused(twin, tmp_path, edit_peering=missing)
    assert "vpc_peering.acceptor.vpc svalley-vpc-gone was not found in us-west-1 with the credentials of " \
           "account-b" in out


def test_overlapping_cidr_blocks_are_refused_before_any_change(twin, tmp_path):
    def overlapping(peering):
        peering["acceptor"].update(vpc="svalley-overlap", routes=[])

    fresh(twin)
    vpc_call(twin, "CreateVpc", account="account-b", region=SVALLEY, CidrBlock="172.16.0.0/16",
             VpcName="svalley-overlap")
    before = resources(twin)
    twin.clear_calls()
    out = play(twin, variant(tmp_path, edit_peering=overlapping), "playbooks/peerings.yml", expect_rc=2)
    assert mutating(twin) == [] and resources(twin) == before
    out = flat(out)
    assert "tokyo-vpc-a (vpc-" in out and "svalley-overlap (vpc-" in out
    assert "have overlapping CIDR blocks; a VPC peering connection joins VPCs whose CIDR blocks do not overlap" in out
    assert "Peer a VPC with another address range, or re-address one of them." in out
