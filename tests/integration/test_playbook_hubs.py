"""playbooks/hubs.yml (after playbooks/preflight.yml) and the hub part of playbooks/destroy.yml, run by
ansible-playbook itself against the twin of today's clouds.

The first walkthrough's hubs: TGW + VPC attachments + subnet routes; CEN + Enterprise transit routers in Tokyo
and Beijing + VPC connections in two zones + one inter-region connection + route tables + VPC routes. A second
run changes nothing and makes no mutating call; the module invocations per host are counted (tests/callback_plugins)
and do not change with 4 VPCs per cloud; check mode on an unbuilt twin makes no mutating call; bad topology stops
before any mutating call on either cloud; the teardown leaves the world as the world file made it. Also: a VPC of
another Alibaba account (grant with its owner's credentials), and adopting a Basic CEN from before (edition basic).
"""

from __future__ import annotations

import copy
import json
import shutil

import pytest
import yaml

from playbookhelpers import ROOT, play

INVENTORY = ROOT / "inventories" / "seed-tgw-cen"
TOPOLOGY = yaml.safe_load((INVENTORY / "group_vars" / "all" / "topology.yml").read_text())
HUBS, DESTROY = "playbooks/hubs.yml", "playbooks/destroy.yml"
NO_BRIDGES = ("-e", json.dumps({"transit_vpn_bridges": []}))  # the bridge role is not this test's subject
TOKYO, BEIJING = "ap-northeast-1", "cn-beijing"
# One call each per hub, whatever the number of VPCs (the pre-flight's read included).
HUB_CALLS = {
    "aws_main": {"aws_vpc_info": 1, "aws_tgw": 1, "aws_tgw_attachment": 1, "aws_vpc_route": 1},
    "alicloud_main": {"alicloud_vpc_info": 1, "alicloud_cen": 1, "alicloud_transit_router": 1,
                      "alicloud_transit_router_vpc_attachment": 1, "alicloud_transit_router_peer_attachment": 1,
                      "alicloud_transit_router_route_table": 1, "alicloud_route_entry": 1},
}

pytestmark = pytest.mark.slow


def hub_calls(run):
    """The run's invocations of the hub modules, per host (other modules, e.g. a bridge's, left out)."""
    return dict((host, dict((m, n) for m, n in run.module_calls.get(host, {}).items() if m in HUB_CALLS[host]))
                for host in HUB_CALLS)


def world(handle):
    """What a teardown must restore: both clouds' resources (AWS by describe, Alibaba by kind and id)."""
    ec2 = handle.ec2()
    live = [a for a in ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
            if a["State"] not in ("deleted", "deleting")]
    routes = sorted((t["RouteTableId"], r.get("DestinationCidrBlock"), r.get("TransitGatewayId") or r.get("GatewayId"))
                    for t in ec2.describe_route_tables()["RouteTables"] for r in t["Routes"])
    tgws = [t for t in ec2.describe_transit_gateways()["TransitGateways"] if t["State"] != "deleted"]
    state = handle.twin.backend.state
    return {"aws": (len(tgws), len(live), routes),
            "alicloud": {kind: sorted(res) for kind, res in state.resources.items() if res},
            "vswitch_free_ips": {v.id: v["AvailableIpAddressCount"] for v in handle.ali_resources("VSwitch")}}


def delivered(handle, src, dst):
    trace = handle.twin.trace(src, dst)
    return trace["delivered"], trace.get("cause"), trace.get("reason")


def subnet_routes(handle):
    """{route table Name tag: sorted destinations toward a TGW} of the seeded AWS VPCs."""
    out = {}
    for table in handle.ec2().describe_route_tables()["RouteTables"]:
        name = dict((t["Key"], t["Value"]) for t in table.get("Tags", [])).get("Name")
        tgw = sorted(r["DestinationCidrBlock"] for r in table["Routes"] if r.get("TransitGatewayId"))
        if name:
            out[name] = tgw
    return out


def test_hubs_build_both_clouds_then_change_nothing_and_destroy_leaves_the_world(today_twin):
    before = world(today_twin)
    first = play(today_twin.env, INVENTORY, HUBS, "--diff", *NO_BRIDGES)
    assert first.recap["aws_main"]["failed"] == 0 and first.recap["alicloud_main"]["failed"] == 0
    assert first.changed()["aws_main"] > 0 and first.changed()["alicloud_main"] > 0
    assert hub_calls(first) == HUB_CALLS

    # AWS: the TGW, both VPCs attached, every other network toward the TGW in each subnet route table.
    ec2 = today_twin.ec2()
    tgws = [t for t in ec2.describe_transit_gateways()["TransitGateways"] if t["State"] == "available"]
    assert [dict((t["Key"], t["Value"]) for t in tgw["Tags"]) for tgw in tgws] == [
        {"Name": "seed-tgw", "transit:hub": "seed-tgw"}]
    attachments = [a for a in ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
                   if a["State"] == "available"]
    assert sorted(a["ResourceType"] for a in attachments) == ["vpc", "vpc"]
    assert subnet_routes(today_twin) == {"vpc-a-rtb": ["10.0.0.0/8", "172.17.0.0/16", "192.168.0.0/16"],
                                         "vpc-b-rtb": ["10.0.0.0/8", "172.16.0.0/16", "192.168.0.0/16"]}
    assert delivered(today_twin, "172.16.0.132", "172.17.0.111")[0]

    # Alibaba: an Enterprise CEN, a router per region, both VPCs in two zones, one inter-region connection, the
    # system tables associated with and learning from them, and the VPC routes toward each VPC's own connection.
    state = today_twin.twin.backend.state
    assert len(today_twin.ali_resources("Cen")) == 1
    routers = today_twin.ali_resources("TransitRouter")
    assert sorted((r["RegionId"], r["Type"], r["Status"]) for r in routers) == [
        (TOKYO, "Enterprise", "Active"), (BEIJING, "Enterprise", "Active")]
    vpc_atts = today_twin.ali_resources("TransitRouterVpcAttachment")
    assert sorted((a["Status"], len(set(m["ZoneId"] for m in a["ZoneMappings"]))) for a in vpc_atts) == [
        ("Attached", 2), ("Attached", 2)]
    peers = today_twin.ali_resources("TransitRouterPeerAttachment")
    assert len(peers) == 1 and peers[0]["Status"] == "Attached"
    tokyo_att = next(a.id for a in vpc_atts if a["RegionId"] == TOKYO)
    beijing_att = next(a.id for a in vpc_atts if a["RegionId"] == BEIJING)
    assert len(state.all("TransitRouterRouteTableAssociation")) == 4  # each router: its VPC + the peer connection
    assert len(state.all("TransitRouterRouteTablePropagation")) == 4
    for src, dst, att in (("10.0.0.17", "192.168.0.92", tokyo_att), ("192.168.0.92", "10.0.0.17", beijing_att)):
        ok, cause, reason = delivered(today_twin, src, dst)
        assert ok, (cause, reason)
        assert today_twin.twin.trace(src, dst)["hops"][0]["next"] == "Attachment " + att
    custom = sorted((e["NextHopId"], e["NextHopType"], e["DestinationCidrBlock"]) for e in state.all("RouteEntry"))
    assert custom == sorted([(tokyo_att, "Attachment", cidr) for cidr in ("192.168.0.0/16", "172.16.0.0/16",
                                                                          "172.17.0.0/16")]
                            + [(beijing_att, "Attachment", cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/16",
                                                                               "172.17.0.0/16")])

    # Second run: nothing changes, no mutating call, the same module invocations.
    today_twin.clear_calls()
    second = play(today_twin.env, INVENTORY, HUBS, "--diff", *NO_BRIDGES)
    assert second.changed() == {"aws_main": 0, "alicloud_main": 0}
    assert today_twin.mutating_calls() == []
    assert second.module_calls == first.module_calls

    # Teardown (destroy.yml: pre-flight, bridges and peerings absent (none here), hubs absent in reverse order).
    gone = play(today_twin.env, INVENTORY, DESTROY, *NO_BRIDGES)
    assert gone.changed()["aws_main"] > 0 and gone.changed()["alicloud_main"] > 0
    assert world(today_twin) == before
    today_twin.clear_calls()
    again = play(today_twin.env, INVENTORY, DESTROY, *NO_BRIDGES)
    assert again.changed() == {"aws_main": 0, "alicloud_main": 0} and today_twin.mutating_calls() == []


def test_check_mode_on_an_unbuilt_twin_reports_changes_and_makes_none(today_twin):
    before = world(today_twin)
    today_twin.clear_calls()
    run = play(today_twin.env, INVENTORY, HUBS, "--check", "--diff")
    assert run.changed()["aws_main"] > 0 and run.changed()["alicloud_main"] > 0
    assert run.recap["aws_main"]["failed"] == 0 and run.recap["alicloud_main"]["failed"] == 0
    assert today_twin.mutating_calls() == []
    assert world(today_twin) == before
    assert "Check mode: Transit Gateway seed-tgw does not exist yet" in run.output
    assert "Check mode: CEN seed-cen does not exist yet" in run.output


def _topology_with(change):
    topology = copy.deepcopy(TOPOLOGY)
    change(topology)
    return ("-e", json.dumps(dict((k, topology[k]) for k in ("transit_aws_hubs", "transit_alicloud_hubs"))))


@pytest.mark.parametrize("change,expected", [
    (lambda t: t["transit_alicloud_hubs"][0]["vpcs"][0].update(cidrr="10.0.0.0/8"),
     "transit_alicloud_hubs[0].vpcs[0].cidrr: unknown key; did you mean `cidr`?"),
    (lambda t: t["transit_alicloud_hubs"][0]["vpcs"][1].update(cidr="172.16.0.0/12"),
     "transit_aws_hubs[0].vpcs[0].cidr: 172.16.0.0/16 overlaps transit_alicloud_hubs[0].vpcs[1].cidr (172.16.0.0/12)"),
    # the AWS side reads fine; the Alibaba read finds no such VPC: neither cloud gets a change
    (lambda t: t["transit_alicloud_hubs"][0]["vpcs"][1].update(name="osaka-vpc"),
     "Alibaba hub seed-cen: vpcs[1] (osaka-vpc): there is no VPC named 'osaka-vpc' in cn-beijing"),
], ids=["typo", "overlap", "missing-vpc"])
def test_bad_topology_stops_before_any_mutating_call_on_either_cloud(today_twin, change, expected):
    today_twin.clear_calls()
    run = play(today_twin.env, INVENTORY, HUBS, *_topology_with(change), expect_rc=2)
    assert expected in run.output
    assert today_twin.mutating_calls() == []
    assert "AWS hub | Transit Gateway exists" not in run.output
    assert "Alibaba hub | CEN instance exists" not in run.output
    assert run.module_calls.get("aws_main", {}).keys() <= {"aws_vpc_info"}


def _inventory(tmp_path, topology, source=INVENTORY):
    """A copy of an inventory (its hosts and host vars) with another topology."""
    inventory = tmp_path / "inventory"
    shutil.copytree(source, inventory)
    shutil.rmtree(inventory / "group_vars")
    (inventory / "group_vars" / "all").mkdir(parents=True)
    (inventory / "group_vars" / "all" / "topology.yml").write_text(yaml.safe_dump(topology))
    return inventory


def _four_vpcs_per_cloud(tmp_path):
    """The seed world and topology with two more VPCs in each cloud (4 + 4)."""
    raw = yaml.safe_load((ROOT / "emulator" / "worlds" / "seed-tgw-cen.yml").read_text())
    topology = copy.deepcopy(TOPOLOGY)
    aws_vpcs = raw["aws"]["regions"]["us-east-1"]["vpcs"]
    for name, second in (("vpc-c", 18), ("vpc-d", 19)):
        cidr = "172.%d.0.0/16" % second
        aws_vpcs.append({"name": name, "cidr": cidr, "subnets": [
            {"name": name + "-subnet-1", "cidr": "172.%d.0.0/24" % second, "az": "us-east-1a"},
            {"name": name + "-subnet-2", "cidr": "172.%d.1.0/24" % second, "az": "us-east-1b"}]})
        topology["transit_aws_hubs"][0]["vpcs"].append({"name": name, "cidr": cidr})
    regions = raw["alicloud"]["accounts"][0]["regions"]
    for name, region, zones, second in (("tokyo-vpc-2", TOKYO, ("ap-northeast-1a", "ap-northeast-1c"), 20),
                                        ("beijing-vpc-2", BEIJING, ("cn-beijing-a", "cn-beijing-h"), 21)):
        cidr = "172.%d.0.0/16" % second
        regions[region]["vpcs"].append({"name": name, "cidr": cidr, "vswitches": [
            {"name": "%s-vsw-%d" % (name, i), "cidr": "172.%d.%d.0/24" % (second, i), "zone": zone}
            for i, zone in enumerate(zones)]})
        topology["transit_alicloud_hubs"][0]["vpcs"].append({"name": name, "region": region, "cidr": cidr})
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(raw))
    return path, topology


def test_module_invocations_per_host_do_not_grow_with_the_number_of_vpcs(world_twin, tmp_path):
    path, topology = _four_vpcs_per_cloud(tmp_path)
    handle = world_twin(path)
    run = play(handle.env, _inventory(tmp_path, topology), HUBS)
    assert hub_calls(run) == HUB_CALLS
    attachments = [a for a in handle.ec2().describe_transit_gateway_attachments()["TransitGatewayAttachments"]
                   if a["State"] == "available"]
    assert len(attachments) == 4
    assert len(handle.ali_resources("TransitRouterVpcAttachment")) == 4
    # each Alibaba VPC routes its 3 siblings and the 4 AWS VPCs, each AWS VPC its 3 siblings and the 4 Alibaba VPCs
    assert len(handle.twin.backend.state.all("RouteEntry")) == 4 * (3 + 4)
    assert sum(len(v) for v in subnet_routes(handle).values()) == 4 * (3 + 4)


def test_another_accounts_vpc_is_granted_with_its_owners_credentials(today_peering_twin, tmp_path):
    """Account A's CEN connects account B's VPC: granted by B, connected with B as owner, routes both ways."""
    topology = {"transit_alicloud_hubs": [{"name": "cross-cen", "host": "account-a", "vpcs": [
        {"name": "tokyo-vpc-a", "region": TOKYO, "cidr": "172.16.0.0/16"},
        {"name": "svalley-vpc-b", "region": "us-west-1", "cidr": "192.168.0.0/16", "account_host": "account-b"}]}]}
    inventory = _inventory(tmp_path, topology, ROOT / "inventories" / "cross-account-peering")
    before = world(today_peering_twin)
    run = play(today_peering_twin.env, inventory, HUBS)
    assert run.module_calls["account-a"].get("alicloud_cen_grant") == 1
    assert run.module_calls["account-b"] == {"alicloud_vpc_info": 1}
    grants = today_peering_twin.ali_resources("CenGrant")
    assert [(g.owner, str(g["CenOwnerId"])) for g in grants] == [("5222222222222222", "5111111111111111")]
    for src, dst in (("172.16.0.41", "192.168.0.147"), ("192.168.0.147", "172.16.0.41")):
        assert delivered(today_peering_twin, src, dst)[0], today_peering_twin.twin.trace(src, dst)
    today_peering_twin.clear_calls()
    assert play(today_peering_twin.env, inventory, HUBS).changed() == {"account-a": 0, "account-b": 0}
    assert today_peering_twin.mutating_calls() == []
    play(today_peering_twin.env, inventory, HUBS, "-e", "transit_hubs_state=absent")
    assert world(today_peering_twin) == before


def test_edition_basic_adopts_an_existing_basic_cen_the_2018_way(world_twin, tmp_path):
    """Today's clouds with a Basic CEN from before (world key cens): the hub adopts it, attaches the other VPC as a
    child (a new CEN would be Enterprise), changes nothing the second time, and its teardown takes the CEN."""
    raw = yaml.safe_load((ROOT / "emulator" / "worlds" / "seed-tgw-cen.yml").read_text())
    raw["alicloud"]["accounts"][0]["cens"] = [{"name": "seed-cen", "edition": "basic", "vpcs": ["tokyo-vpc"]}]
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(raw))
    handle = world_twin(path)
    topology = copy.deepcopy(TOPOLOGY)
    topology["transit_alicloud_hubs"][0]["edition"] = "basic"
    del topology["transit_vpn_bridges"]
    inventory = _inventory(tmp_path, topology)
    before = world(handle)
    run = play(handle.env, inventory, HUBS)
    assert run.module_calls["alicloud_main"] == {"alicloud_vpc_info": 1, "alicloud_cen": 1}
    state = handle.twin.backend.state
    assert [c.id for c in handle.ali_resources("Cen")] == before["alicloud"]["Cen"]  # adopted, not a new one
    assert sorted((c["ChildInstanceRegionId"], c["Status"]) for c in state.all("CenChildInstance")) == [
        (TOKYO, "Attached"), (BEIJING, "Attached")]
    assert not any(r.get("Type") == "Enterprise" for r in handle.ali_resources("TransitRouter"))
    assert "1 Kbps test bandwidth" in run.output
    assert delivered(handle, "10.0.0.17", "192.168.0.92")[0]
    handle.clear_calls()
    assert play(handle.env, inventory, HUBS).changed() == {"aws_main": 0, "alicloud_main": 0}
    assert handle.mutating_calls() == []
    play(handle.env, inventory, HUBS, "-e", "transit_hubs_state=absent")
    after = world(handle)
    assert "Cen" not in after["alicloud"] and "CenChildInstance" not in after["alicloud"]
    assert dict((k, v) for k, v in before["alicloud"].items() if not k.startswith("Cen")) == after["alicloud"]
    assert after["aws"] == before["aws"]
