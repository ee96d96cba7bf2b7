"""site.yml / playbooks/destroy.yml on the seed-tgw-cen inventory, run by ansible-playbook itself.

The first walkthrough end to end against the twin: hubs, VPN bridge, verify; a second run that
changes nothing; check mode on an empty twin that makes no call that changes anything; --diff
output without any pre-shared key; bad input stopped before any cloud call; and a destroy that
leaves both clouds as the world file made them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from twinhelpers import ok

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "inventories" / "seed-tgw-cen"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / "plugins" / "modules" / "alicloud_ipsec_connection.py").exists(),
                       reason="the VPN modules have not landed yet"),
]

ALIBABA_BUILT_KINDS = ("VpnGateway", "CustomerGateway", "VpnConnection", "Cen", "CenChildInstance",
                       "CenPublishedRoute", "CenBandwidthPackage")


def play(twin, playbook, *extra, expect_rc=0):
    env = dict(os.environ, **twin.env)
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               PYTHONWARNINGS="ignore")
    ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
    proc = subprocess.run([str(ansible_playbook), "-i", str(INVENTORY), str(ROOT / playbook), *extra],
                          cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=1200, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == expect_rc, output[-6000:]
    return output


def recap(output):
    """PLAY RECAP -> {host: {"ok": n, "changed": n, ...}} (the last recap of the run)."""
    text = output.rsplit("PLAY RECAP", 1)[1]
    out = {}
    for host, fields in re.findall(r"^(\S+)\s+:\s+(.*)$", text, re.M):
        out[host] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", fields))
    return out


def live(items, key="State"):
    return [i for i in items if i.get(key) not in ("deleted", "deleting", "failed")]


def aws_snapshot(twin):
    ec2 = twin.ec2()
    return {
        "tgws": live(ec2.describe_transit_gateways()["TransitGateways"]),
        "attachments": live(ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]),
        "vpns": live(ec2.describe_vpn_connections()["VpnConnections"]),
        "cgws": live(ec2.describe_customer_gateways()["CustomerGateways"]),
        "tgw_routes": sorted((t["RouteTableId"], r["DestinationCidrBlock"])
                             for t in ec2.describe_route_tables()["RouteTables"] for r in t["Routes"]
                             if r.get("TransitGatewayId")),
    }


def ali_counts(twin):
    return {kind: len(twin.ali_resources(kind)) for kind in ALIBABA_BUILT_KINDS}


def psks(twin):
    keys = []
    for vpn in twin.ec2().describe_vpn_connections()["VpnConnections"]:
        keys += [t.get("PreSharedKey") for t in vpn.get("Options", {}).get("TunnelOptions", [])]
    return [k for k in keys if k]


def test_check_mode_on_an_empty_twin_reports_changes_and_makes_none(twin):
    twin.clear_calls()
    out = play(twin, "site.yml", "--check", "--diff")
    result = recap(out)
    assert result["aws_main"]["failed"] == 0 and result["alicloud_main"]["failed"] == 0
    assert result["aws_main"]["changed"] > 0 and result["alicloud_main"]["changed"] > 0
    assert twin.mutating_calls() == []
    assert aws_snapshot(twin)["tgws"] == [] and ali_counts(twin)["Cen"] == 0


def test_bad_input_stops_before_any_cloud_call(twin):
    bridge = {"name": "tgw-tokyo", "aws_hub": "seed-tgw", "alicloud_hub": "seed-cen", "alicloud_vpc": "tokyo-vpc",
              "ike": {"dh_group": 5}}
    twin.clear_calls()
    out = play(twin, "playbooks/bridges.yml", "-e", json.dumps({"transit_vpn_bridges": [bridge]}), expect_rc=2)
    assert "dh_group" in out
    assert twin.mutating_calls() == []

    bridge = dict(bridge, ike={}, routing="bgp")
    out = play(twin, "playbooks/bridges.yml", "-e", json.dumps({"transit_vpn_bridges": [bridge]}), expect_rc=2)
    assert "bgp is not supported" in out
    assert twin.mutating_calls() == []


def test_site_builds_both_clouds_then_is_idempotent_then_destroy_restores_the_world(twin):
    before_aws, before_ali = aws_snapshot(twin), ali_counts(twin)

    first = play(twin, "site.yml", "--diff")
    result = recap(first)
    assert result["aws_main"]["failed"] == 0 and result["alicloud_main"]["failed"] == 0
    assert result["aws_main"]["changed"] > 0 and result["alicloud_main"]["changed"] > 0

    # AWS: TGW, two VPC attachments + one VPN attachment, both tunnels UP, subnet routes.
    aws = aws_snapshot(twin)
    assert len(aws["tgws"]) == 1 and aws["tgws"][0]["State"] == "available"
    tgw_id = aws["tgws"][0]["TransitGatewayId"]
    kinds = sorted(a["ResourceType"] for a in aws["attachments"] if a["TransitGatewayId"] == tgw_id)
    assert kinds == ["vpc", "vpc", "vpn"]
    assert len(aws["vpns"]) == 1
    assert [t["Status"] for t in aws["vpns"][0]["VgwTelemetry"]] == ["UP", "UP"]
    options = aws["vpns"][0]["Options"]["TunnelOptions"]
    assert all([v["Value"] for v in t["IkeVersions"]] == ["ikev2"] for t in options)
    assert all(t["Phase1LifetimeSeconds"] == 28800 and t["Phase2LifetimeSeconds"] == 3600 for t in options)
    routes = {cidr for _, cidr in aws["tgw_routes"]}
    assert {"172.16.0.0/16", "172.17.0.0/16", "10.0.0.0/8", "192.168.0.0/16"} <= routes

    # Alibaba: CEN with both VPCs, VPN gateway, two IPsec connections established, routes published.
    state = twin.twin.backend.state
    assert len(twin.ali_resources("Cen")) == 1
    assert len(state.all("CenChildInstance")) == 2
    connections = state.all("VpnConnection")
    assert sorted(c["Status"] for c in connections) == ["ipsec_sa_established"] * 2
    beijing = ok("alicloud_vpc_info", {"alicloud_region": "cn-beijing", "names": ["beijing-vpc"],
                                       "include_routes": True})["vpcs"][0]
    learned = {e["destination_cidr_block"] for e in beijing["route_entries"]}
    assert {"172.16.0.0/16", "172.17.0.0/16"} <= learned or "172.16.0.0/12" in learned

    # No pre-shared key anywhere in the output, --diff included.
    keys = psks(twin)
    assert len(keys) == 2
    assert not any(k in first for k in keys)

    # Second run: nothing changes, no mutating call.
    twin.clear_calls()
    second = play(twin, "site.yml", "--diff")
    assert {h: r["changed"] for h, r in recap(second).items()} == {"aws_main": 0, "alicloud_main": 0}
    assert twin.mutating_calls() == []
    assert psks(twin) == keys
    assert not any(k in second for k in keys)

    # Destroy: only what the world file made is left, in both clouds.
    play(twin, "playbooks/destroy.yml")
    after = aws_snapshot(twin)
    assert after == before_aws
    assert ali_counts(twin) == before_ali
