"""plugins/filter/topology.py and module_utils/topology*.py: the pre-flight's checks (every one refused with the
field path and the fix, all problems at once), the plan, the VPC match, the lists the hub roles hand to one
module call each, and the roles' argument specs against the schemas they are checked with."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.transit.plugins.filter import topology as topology_filters
from ansible_collections.multicloud.transit.plugins.module_utils import topology, topology_hubs
from playbookhelpers import filter_docs, localhost_play, play

ROOT = Path(__file__).resolve().parents[2]
FILTERS = topology_filters.FilterModule().filters()
HOSTS = ["aws_main", "alicloud_main"]
SEED = yaml.safe_load((ROOT / "inventories" / "seed-tgw-cen" / "group_vars" / "all" / "topology.yml").read_text())
PSK = "Tunnel1.key_for_test"


def plan(topo=None, hosts=HOSTS, variables=None):
    return FILTERS["topology_plan"](SEED if topo is None else topo, hosts, variables)


def refused(topo, hosts=HOSTS, variables=None):
    """The problems the plan refuses ``topo`` with (it must refuse it)."""
    with pytest.raises(AnsibleFilterError) as caught:
        plan(topo, hosts, variables)
    return str(caught.value)


def seed():
    return copy.deepcopy(SEED)


def change(path, value):
    """A copy of the seed topology with ``value`` at ``path`` (keys and list indexes; None deletes)."""
    topo = seed()
    *parents, last = path
    here = topo
    for key in parents:
        here = here[key]
    if value is None:
        del here[last]
    else:
        here[last] = value
    return topo


# --- the plan of the seed inventory -------------------------------------------------------------------------
def test_the_seed_plan_resolves_hubs_and_bridges_with_every_default():
    result = plan()
    assert result["hosts"] == {"aws_main": {"clouds": ["aws"]}, "alicloud_main": {"clouds": ["alicloud"]}}
    tgw = result["aws_hubs"]["seed-tgw"]
    assert (tgw["host"], tgw["region"], tgw["asn"], tgw["description"]) == (
        "aws_main", "us-east-1", 64512, "multicloud.transit hub seed-tgw")
    assert [(v["key"], v["cidr"], v["routes"], v["subnets"]) for v in tgw["vpcs"]] == [
        ("vpc-a", "172.16.0.0/16", True, []), ("vpc-b", "172.17.0.0/16", True, [])]
    assert tgw["remote_cidrs"] == ["10.0.0.0/8", "192.168.0.0/16"]
    cen = result["alicloud_hubs"]["seed-cen"]
    assert (cen["edition"], cen["regions"], cen["account_hosts"], cen["remote_cidrs"]) == (
        "enterprise", ["ap-northeast-1", "cn-beijing"], ["alicloud_main"], ["172.16.0.0/16", "172.17.0.0/16"])
    assert cen["inter_region"] == {"bandwidth_type": "DataTransfer", "bandwidth": 10, "bandwidth_package": None}
    assert all(v["remote_routes"] for v in cen["vpcs"])
    bridge = result["bridges"]["tgw-tokyo"]
    assert bridge == {
        "name": "tgw-tokyo", "mode": "transit_router", "aws_hub": "seed-tgw", "alicloud_hub": "seed-cen",
        "aws_host": "aws_main", "alicloud_host": "alicloud_main", "aws_region": "us-east-1",
        "alicloud_region": "ap-northeast-1", "alicloud_vpc": None, "tgw": "seed-tgw", "cen": "seed-cen",
        "aws_prefixes": ["172.16.0.0/16", "172.17.0.0/16"], "alicloud_prefixes": ["10.0.0.0/8", "192.168.0.0/16"],
        "tunnels": 2, "psk_source": "generated",
        "ike": {"ike_version": "ikev2", "encryption": "aes256", "integrity": "sha256", "dh_group": 14,
                "phase1_lifetime": 28800, "phase2_lifetime": 3600},
        "tunnel_inside_cidrs": [], "placeholder_ip": "192.0.2.1", "tags": {},
        "gateway": {"bandwidth": 10, "instance_charge_type": None, "period": None}}
    assert result["probes"] == SEED["transit_probes"]
    assert result["order"] == {"aws_hubs": ["seed-tgw"], "alicloud_hubs": ["seed-cen"], "bridges": ["tgw-tokyo"],
                               "peerings": []}
    assert plan({}, HOSTS)["order"] == {"aws_hubs": [], "alicloud_hubs": [], "bridges": [], "peerings": []}


def test_the_plan_holds_no_secret_and_says_where_keys_come_from():
    topo = change(["transit_vpn_bridges", 0, "psks"], [PSK, "Tunnel2.key_for_test"])
    topo["transit_vpn_bridges"][0]["psk_seed"] = "my-secret-seed"
    result = plan(topo)
    text = json.dumps(result)
    assert PSK not in text and "my-secret-seed" not in text and "psk_seed" not in text
    assert result["bridges"]["tgw-tokyo"]["psk_source"] == "given"
    del topo["transit_vpn_bridges"][0]["psks"]
    assert plan(topo)["bridges"]["tgw-tokyo"]["psk_source"] == "seed"
    assert topology.bridge_secrets(topo["transit_vpn_bridges"], "tgw-tokyo") == {
        "psks": [], "psk_seed": "my-secret-seed"}


def test_a_vpn_gateway_bridge_resolves_its_vpc_region_host_and_vpc_routes():
    topo = change(["transit_vpn_bridges", 0], {"name": "gw", "aws_hub": "seed-tgw", "alicloud_hub": "seed-cen",
                                               "mode": "vpn_gateway", "alicloud_vpc": "beijing-vpc",
                                               "instance_charge_type": "PREPAY", "period": 1,
                                               "ike": {"encryption": "AES128", "integrity": "SHA2-256",
                                                       "dh_group": "group2"}})
    result = plan(topo)
    bridge = result["bridges"]["gw"]
    assert (bridge["alicloud_region"], bridge["alicloud_vpc"], bridge["tunnels"], bridge["gateway"]) == (
        "cn-beijing", "beijing-vpc", 4, {"bandwidth": 10, "instance_charge_type": "PREPAY", "period": 1})
    ike = bridge["ike"]
    assert (ike["encryption"], ike["integrity"], ike["dh_group"]) == ("aes128", "sha256", 2)
    # the gateway VPC's own VPN gateway publishes the AWS prefixes: the hub routes only the other VPCs from it
    assert [(v["key"], v["remote_routes"]) for v in result["alicloud_hubs"]["seed-cen"]["vpcs"]] == [
        ("tokyo-vpc", True), ("beijing-vpc", False)]


# --- every pre-flight check: refused with the field and the fix ---------------------------------------------
AWS, ALI, BR = ["transit_aws_hubs", 0], ["transit_alicloud_hubs", 0], ["transit_vpn_bridges", 0]
A, L, B = "transit_aws_hubs[0]", "transit_alicloud_hubs[0]", "transit_vpn_bridges[0]"
CHECKS = [
    # unknown keys, named with the nearest valid one
    (change([*AWS, "regoin"], "us-east-1"), [A + ".regoin: unknown key; did you mean `region`?"]),
    (change([*BR, "ike"], {"phase1_lifetme": 3600}),
     [B + ".ike.phase1_lifetme: unknown key; did you mean `phase1_lifetime`?"]),
    (change([*ALI, "vpcs", 0, "zone_mappings"], [{"zone_id": "ap-northeast-1a", "vsw": "x"}]),
     [L + ".vpcs[0].zone_mappings[0].vsw: unknown key; valid keys here"]),
    # missing keys and wrong types
    (change([*AWS, "region"], None), [A + ".region: is required"]),
    (change([*ALI, "vpcs", 1, "region"], None), [L + ".vpcs[1].region: is required"]),
    (change([*AWS, "vpcs", 0], {"cidr": "172.16.0.0/16"}),
     [A + ".vpcs[0]: needs `name` (its Name tag) or `id`"]),
    (change([*AWS, "asn"], "big"), [A + ".asn: must be an integer, got a string"]),
    (change([*AWS, "asn"], 65535), [A + ".asn: 65535 is outside the private ASN ranges"]),
    (change(["transit_vpn_bridges"], {"name": "x"}), ["transit_vpn_bridges: must be a list"]),
    (change([*ALI, "edition"], "Enterprise"), [L + ".edition: 'Enterprise' is spelt 'enterprise'"]),
    # malformed and overlapping CIDRs
    (change([*AWS, "vpcs", 1, "cidr"], "172.17.0.1/16"),
     [A + ".vpcs[1].cidr: 172.17.0.1/16 has host bits set; the network is 172.17.0.0/16"]),
    (change([*AWS, "remote_cidrs"], ["10.0.0.0/33"]), [A + ".remote_cidrs[0]: '10.0.0.0/33' is not a CIDR block"]),
    (change([*BR, "aws_prefixes"], ["fd00::/8"]), [B + ".aws_prefixes[0]: fd00::/8 is not IPv4"]),
    (change([*ALI, "vpcs", 1, "cidr"], "172.16.128.0/17"),
     [A + ".vpcs[0].cidr: 172.16.0.0/16 overlaps transit_alicloud_hubs[0].vpcs[1].cidr (172.16.128.0/17)",
      "give every VPC a CIDR block of its own"]),
    (change([*AWS, "vpcs", 1, "cidr"], "172.16.0.0/12"),
     [A + ".vpcs[0].cidr: 172.16.0.0/16 overlaps transit_aws_hubs[0].vpcs[1].cidr (172.16.0.0/12)"]),
    # unknown regions
    (change([*AWS, "region"], "us-east-7"), [A + ".region: 'us-east-7' is not an AWS region"]),
    (change([*ALI, "vpcs", 0, "region"], "ap-northeast-01"),
     [L + ".vpcs[0].region: 'ap-northeast-01' is not an Alibaba Cloud region; did you mean 'ap-northeast-1'?"]),
    (change([*BR, "alicloud_region"], "us-west-1"),
     [B + ".alicloud_region: us-west-1 has no transit router of hub seed-cen (its regions: ap-northeast-1, "
          "cn-beijing)"]),
    # pre-shared keys, counted per mode and valid on both clouds
    (change([*BR, "psks"], [PSK]),
     [B + ".psks: mode transit_router uses 2 tunnels: give 2 keys (got 1)"]),
    (change([*BR, "psks"], [PSK, "0starts_with_zero"]),
     [B + ".psks[1]: the pre-shared key must not start with zero (0)"]),
    (change([*BR, "psks"], [PSK, "has-a-dash-and space"]),
     [B + ".psks[1]: the pre-shared key must be 8 to 64 characters",
      "transit_vpn_bridges[0].psks[1]: the pre-shared key must be 1 to 100 characters"]),
    (change([*BR, "psk_seed"], " "), [B + ".psk_seed: is empty"]),
    # tunnel inside CIDRs: reserved, duplicate, counted
    (change([*BR, "tunnel_inside_cidrs"], ["169.254.6.0/30", "169.254.10.0/30"]),
     [B + ".tunnel_inside_cidrs[0]: 169.254.6.0/30 is reserved by Alibaba Cloud"]),
    (change([*BR, "tunnel_inside_cidrs"], ["169.254.10.0/30", "169.254.10.0/30"]),
     [B + ".tunnel_inside_cidrs[1]: 169.254.10.0/30 is already used by "
      "transit_vpn_bridges[0].tunnel_inside_cidrs[0]"]),
    (change([*BR, "tunnel_inside_cidrs"], ["169.254.10.0/30"]),
     [B + ".tunnel_inside_cidrs: mode transit_router uses 2 tunnels: give 2 /30s (got 1)"]),
    # IKE proposals and lifetimes both clouds accept
    (change([*BR, "ike"], {"phase1_lifetime": 86400}),
     [B + ".ike.phase1_lifetime: 86400 s is outside what both clouds accept (900-28800 s)"]),
    (change([*BR, "ike"], {"integrity": "md5"}),
     [B + ".ike.integrity: 'md5' is not accepted by both clouds in both phases; use one of"]),
    (change([*BR, "ike"], {"phase2_lifetime": 28800}),
     [B + ".ike.phase2_lifetime: 28800 s is outside what both clouds accept (900-3600 s)"]),
    # bandwidths
    (change([*ALI, "inter_region"], {"bandwidth": 0}),
     [L + ".inter_region.bandwidth: must be at least 1 (Mbit/s), got 0"]),
    (change([*ALI, "inter_region"], {"bandwidth_type": "BandwidthPackage"}),
     [L + ".inter_region.bandwidth_package: is required with bandwidth_type BandwidthPackage"]),
    (change([*ALI, "inter_region"], {"bandwidth_type": "BandwidthPackage", "bandwidth": 20,
                                                          "bandwidth_package": {"bandwidth": 10,
                                                                                "geographic_region_a": "Asia-Pacific",
                                                                                "geographic_region_b": "China"}}),
     [L + ".inter_region.bandwidth: 20 Mbit/s is more than the package's 10 Mbit/s"]),
    (change([*BR, "gateway_bandwidth"], 0), [B + ".gateway_bandwidth: must be at least 1"]),
    (change([*ALI, "bandwidth_package"], {"bandwidth": 10, "geographic_region_a": "Asia-Pacific",
                                                               "geographic_region_b": "China"}),
     [L + ".bandwidth_package: is for edition basic (region-pair limits)"]),
    # hosts not in the inventory
    (change([*AWS, "host"], "aws-main"),
     [A + ".host: 'aws-main' is not an inventory host; did you mean 'aws_main'?"]),
    (change([*ALI, "vpcs", 1, "account_host"], "account_b"),
     [L + ".vpcs[1].account_host: 'account_b' is not an inventory host"]),
    # an AWS hub routes toward every Alibaba VPC: each needs its cidr (and the other way round)
    (change([*ALI, "vpcs", 1, "cidr"], None),
     [L + ".vpcs[1].cidr: is required: the AWS side routes toward this VPC and cannot read "
      "Alibaba Cloud's API with its own credentials"]),
    (change([*AWS, "vpcs", 0, "cidr"], None), [A + ".vpcs[0].cidr: is required: the Alibaba Cloud side"]),
    # bridges naming unknown hubs or VPCs, modes
    (change([*BR, "aws_hub"], "seed-tgw2"),
     [B + ".aws_hub: 'seed-tgw2' is not a hub of transit_aws_hubs (seed-tgw); did you mean 'seed-tgw'?"]),
    (change([*BR, "alicloud_hub"], "cen"), [B + ".alicloud_hub: 'cen' is not a hub of transit_alicloud_hubs"]),
    (change([*BR, "mode"], "vpn_gateway"),
     [B + ".alicloud_vpc: is required in mode vpn_gateway: the VPC that holds the VPN gateway"]),
    (change([*BR, "alicloud_vpc"], "osaka-vpc"),
     [B + ".alicloud_vpc: 'osaka-vpc' is not a VPC of Alibaba hub seed-cen"]),
    (change([*BR, "mode"], "gateway"), [B + ".mode: 'gateway' is not one of transit_router, vpn_gateway"]),
    (change([*BR, "instance_charge_type"], "PREPAY"),
     [B + ".instance_charge_type: is for mode vpn_gateway"]),
    # BGP
    (change([*BR, "routing"], "bgp"), [B + ".routing: bgp is not supported yet; use static"]),
    # names, zones, probes, peerings
    (dict(seed(), transit_vpn_bridges=SEED["transit_vpn_bridges"] * 2),
     ["transit_vpn_bridges[1].name: 'tgw-tokyo' is already the name of transit_vpn_bridges[0]"]),
    (change([*ALI, "vpcs", 0, "zone_mappings"], [{"zone_id": "cn-beijing-a", "vswitch_name": "x"}]),
     [L + ".vpcs[0].zone_mappings[0].zone_id: 'cn-beijing-a' is not a zone of ap-northeast-1"]),
    (change([*ALI, "vpcs", 0, "zone_mappings"], [{"zone_id": "ap-northeast-1a"}]),
     [L + ".vpcs[0].zone_mappings[0]: give exactly one of `vswitch_id` and `vswitch_name`"]),
    (change(["transit_probes"], ["10.0.0.17", "10.0.0.300"]), ["transit_probes[1]: '10.0.0.300' is not an IP address"]),
    (change([*AWS, "route_tables"], [{"name": "t", "associations": ["vpc-c"], "routes": [{"cidr": "10.0.0.0/8"}]}]),
     [A + ".route_tables[0].associations[0]: 'vpc-c' is neither a VPC of this hub (vpc-a, vpc-b) nor an "
      "attachment id", A + ".route_tables[0].routes[0]: give exactly one of `target`"]),
    (dict(seed(), vpc_peerings=[{"name": "p", "initiator": {"account": "alicloud_main", "region": "ap-northeast-1",
                                                           "vpc": "tokyo-vpc", "routes": ["10.1.0.0/16"]},
                                 "acceptor": {"account": "account-b", "region": "us-west-1", "vpc": "v",
                                              "routes": ["10.0.0.0/8"]}}]),
     ["vpc_peerings[0].initiator.routes[0]: 10.1.0.0/16 overlaps this side's own VPC tokyo-vpc (10.0.0.0/8)",
      "vpc_peerings[0].acceptor.account: 'account-b' is not an inventory host"]),
    (dict(seed(), vpc_peering=[]), ["vpc_peering: unknown topology key; did you mean `vpc_peerings`?"]),
]


@pytest.mark.parametrize("topo,expected", CHECKS,
                         ids=["%s:%d" % (c[1][0].split(":")[0], i) for i, c in enumerate(CHECKS)])
def test_each_preflight_check_names_the_field_and_the_fix(topo, expected):
    message = refused(topo)
    assert "nothing was changed" in message
    for text in expected:
        assert text in message, message


def test_every_problem_is_reported_at_once_and_no_key_is_echoed():
    topo = change(["transit_vpn_bridges", 0, "psks"], ["bad key with spaces!", "0" + PSK])
    topo["transit_aws_hubs"][0]["region"] = "us-east-9"
    topo["transit_alicloud_hubs"][0]["vpcs"][0]["cidrr"] = "10.0.0.0/8"
    topo["transit_vpn_bridges"][0]["ike"] = {"dh_group": 5}
    message = refused(topo)
    assert message.startswith("topology_plan: The topology has 6 problems")  # psks[0]: both clouds refuse it
    for text in ("transit_aws_hubs[0].region", "vpcs[0].cidrr", "psks[0]", "psks[1]", "ike.dh_group"):
        assert text in message
    assert "bad key with spaces!" not in message and PSK not in message


def test_a_misspelt_topology_variable_is_named_not_ignored():
    message = refused(SEED, variables=["transit_vpn_bridge", "transit_cloud", "transit_aws_connection",
                                       "vpc_peerings_state", "transit_plan"])
    assert ("transit_vpn_bridge: unknown variable, so it would be ignored; did you mean `transit_vpn_bridges`?"
            in message)
    assert "transit_cloud" not in message and "vpc_peerings_state" not in message


def test_the_peering_schema_is_the_vpc_peering_roles_argument_spec():
    options = topology_filters.peering_options()
    role = yaml.safe_load((ROOT / "roles" / "vpc_peering" / "meta" / "argument_specs.yml").read_text())
    assert set(options) == set(role["argument_specs"]["main"]["options"]["vpc_peering"]["options"])
    peering = {"name": "p", "spec": "Large.2",
               "initiator": {"account": "alicloud_main", "region": "ap-northeast-1", "vpc": "tokyo-vpc",
                             "routes": ["192.168.0.0/16"]},
               "acceptor": {"account": "aws_main", "region": "us-west-1", "vpc": "v", "routes": ["10.0.0.0/8"]}}
    topo = dict(seed(), vpc_peerings=[peering])
    result = plan(topo)
    assert result["peerings"]["p"]["state"] == "present" and result["order"]["peerings"] == ["p"]
    assert topology.plan_items(result, "peerings", "alicloud_main") == [result["peerings"]["p"]]
    assert "vpc_peerings[0].spec: 'Huge' is not one of" in refused(
        dict(topo, vpc_peerings=[dict(topo["vpc_peerings"][0], spec="Huge")]))


def test_topology_items_pick_what_a_host_runs_in_order():
    topo = seed()
    topo["transit_aws_hubs"].append(dict(SEED["transit_aws_hubs"][0], name="second", region="us-west-2",
                                         vpcs=[{"name": "vpc-c", "cidr": "172.18.0.0/16"}]))
    result = plan(topo)
    assert [h["name"] for h in FILTERS["topology_items"](result, "aws_hubs", "aws_main")] == ["seed-tgw", "second"]
    backwards = FILTERS["topology_items"](result, "aws_hubs", "aws_main", True)
    assert [h["name"] for h in backwards] == ["second", "seed-tgw"]
    assert FILTERS["topology_items"](result, "aws_hubs", "alicloud_main") == []
    assert [b["name"] for b in FILTERS["topology_items"](result, "bridges", "aws_main")] == ["tgw-tokyo"]
    # every other network: the Alibaba VPCs and the other AWS hub's VPCs
    assert result["aws_hubs"]["seed-tgw"]["remote_cidrs"] == ["10.0.0.0/8", "192.168.0.0/16", "172.18.0.0/16"]
    assert result["aws_hubs"]["second"]["remote_cidrs"] == ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/16",
                                                            "172.17.0.0/16"]
    with pytest.raises(AnsibleFilterError, match="kind must be"):
        FILTERS["topology_items"](result, "hubs", "aws_main")


# --- a role's input -----------------------------------------------------------------------------------------
def test_topology_hub_completes_a_hand_written_hub_and_keeps_a_plan_entry():
    result = plan()
    for cloud, kind, name in (("aws", "aws_hubs", "seed-tgw"), ("alicloud", "alicloud_hubs", "seed-cen")):
        entry = result[kind][name]
        assert FILTERS["topology_hub"](entry, cloud) == entry
    hub = FILTERS["topology_hub"]({"name": "h", "host": "me", "vpcs": [{"id": "vpc-1", "region": "cn-beijing"},
                                                                      {"name": "b", "region": "ap-northeast-1"}]},
                                  "alicloud")
    assert (hub["regions"], hub["account_hosts"], hub["description"], hub["remote_cidrs"]) == (
        ["cn-beijing", "ap-northeast-1"], ["me"], "multicloud.transit hub h", [])
    assert [v["key"] for v in hub["vpcs"]] == ["vpc-1", "b"]
    with pytest.raises(AnsibleFilterError, match=r"aws_hub.vpcs\[0\].cidr: '10/8' is not a CIDR block"):
        FILTERS["topology_hub"]({"name": "h", "host": "me", "region": "us-east-1",
                                 "vpcs": [{"name": "a", "cidr": "10/8"}]}, "aws")
    with pytest.raises(AnsibleFilterError, match="aws_hub.regoin: unknown key; did you mean `region`"):
        FILTERS["topology_hub"]({"name": "h", "host": "me", "regoin": "us-east-1", "vpcs": [{"name": "a"}]}, "aws")
    with pytest.raises(AnsibleFilterError, match="cloud must be aws or alicloud"):
        FILTERS["topology_hub"]({}, "gcp")


# --- pre-flight reads and the VPC match ---------------------------------------------------------------------
def aws_found(*vpcs):
    return [dict(v, found_by="aws_main", region="us-east-1") for v in vpcs]


AWS_A = {"vpc_id": "vpc-a1", "name": "vpc-a", "cidr_block": "172.16.0.0/16", "route_table_ids": ["rtb-a"],
         "subnets": [{"subnet_id": "subnet-a2", "availability_zone": "us-east-1b"},
                     {"subnet_id": "subnet-a1", "availability_zone": "us-east-1a"},
                     {"subnet_id": "subnet-a3", "availability_zone": "us-east-1a"}],
         "route_tables": [{"route_table_id": "rtb-a", "routes": [
             {"destination_cidr_block": "172.17.0.0/16", "transit_gateway_id": "tgw-1"},
             {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]}]}
AWS_B = {"vpc_id": "vpc-b1", "name": "vpc-b", "cidr_block": "172.17.0.0/16", "route_table_ids": ["rtb-b"],
         "subnets": [{"subnet_id": "subnet-b1", "availability_zone": "us-east-1a"}], "route_tables": []}
TOKYO = {"vpc_id": "vpc-t1", "vpc_name": "tokyo-vpc", "cidr_block": "10.0.0.0/8", "region_id": "ap-northeast-1",
         "route_table_id": "vtb-t", "route_table_ids": ["vtb-t"], "owner_id": 5123,
         "vswitches": [{"vswitch_id": "vsw-t1", "name": "tokyo-vsw-1", "zone_id": "ap-northeast-1a"},
                       {"vswitch_id": "vsw-t2", "name": "tokyo-vsw-2", "zone_id": "ap-northeast-1c"}]}
BEIJING = {"vpc_id": "vpc-b2", "vpc_name": "beijing-vpc", "cidr_block": "192.168.0.0/16", "region_id": "cn-beijing",
           "route_table_id": "vtb-b", "route_table_ids": ["vtb-b"], "owner_id": 5123, "vswitches": []}


def ali_found(*vpcs, host="alicloud_main"):
    return FILTERS["topology_found_vpcs"]({"results": [{"item": {"account_host": host}, "vpcs": list(vpcs)},
                                                       {"skipped": True, "item": {"account_host": "x"}}]})


def test_the_preflight_reads_one_call_per_account_by_names_or_ids():
    result = plan()
    assert FILTERS["topology_vpc_reads"](result, "aws_main") == {
        "aws": [{"region": "us-east-1", "vpc_ids": [], "names": ["vpc-a", "vpc-b"]}], "alicloud": []}
    assert FILTERS["topology_vpc_reads"](result, "alicloud_main") == {"aws": [], "alicloud": [
        {"account_host": "alicloud_main", "regions": ["ap-northeast-1", "cn-beijing"], "vpc_ids": [],
         "names": ["tokyo-vpc", "beijing-vpc"]}]}
    # a VPC of another account is read by its own host; a mixed list reads every VPC and matches afterwards
    topo = seed()
    topo["transit_alicloud_hubs"][0]["vpcs"][1].update(account_host="other", id="vpc-b2")
    result = plan(topo, HOSTS + ["other"])
    reads = FILTERS["topology_vpc_reads"](result, "alicloud_main")["alicloud"]
    assert reads == [{"account_host": "alicloud_main", "regions": ["ap-northeast-1"], "vpc_ids": [],
                      "names": ["tokyo-vpc"]}]
    assert FILTERS["topology_vpc_reads"](result, "other")["alicloud"] == [
        {"account_host": "other", "regions": ["cn-beijing"], "vpc_ids": ["vpc-b2"], "names": []}]
    assert result["hosts"]["other"] == {"clouds": ["alicloud"]}
    assert topology_hubs.vpc_query([{"id": "vpc-1"}, {"name": "n"}]) == {"vpc_ids": [], "names": []}


def test_found_vpcs_are_marked_with_reader_and_region():
    registered = {"results": [{"item": {"region": "us-east-1"}, "vpcs": [AWS_A]}]}
    found = FILTERS["topology_found_vpcs"](registered, "aws_main")
    assert (found[0]["found_by"], found[0]["region"], found[0]["vpc_id"]) == ("aws_main", "us-east-1", "vpc-a1")
    assert FILTERS["topology_found_vpcs"]({"vpcs": [AWS_B]}, "h", "eu-west-1")[0]["region"] == "eu-west-1"
    assert ali_found(TOKYO)[0]["found_by"] == "alicloud_main" and ali_found(TOKYO)[0]["region"] == "ap-northeast-1"


def test_the_match_resolves_subnets_route_tables_zones_and_owners():
    result = plan()
    vpcs = FILTERS["topology_hub_vpcs"](aws_found(AWS_A, AWS_B), result["aws_hubs"]["seed-tgw"], "aws")
    assert [(v["key"], v["vpc_id"], v["subnet_ids"], v["route_table_ids"]) for v in vpcs] == [
        ("vpc-a", "vpc-a1", ["subnet-a1", "subnet-a2"], ["rtb-a"]), ("vpc-b", "vpc-b1", ["subnet-b1"], ["rtb-b"])]
    hub = copy.deepcopy(result["alicloud_hubs"]["seed-cen"])
    hub["vpcs"][0]["zone_mappings"] = [{"zone_id": "ap-northeast-1a", "vswitch_name": "tokyo-vsw-1"},
                                       {"zone_id": "ap-northeast-1c", "vswitch_id": "vsw-t2"}]
    vpcs = FILTERS["topology_hub_vpcs"](ali_found(TOKYO, BEIJING), hub, "alicloud")
    assert vpcs[0]["zone_mappings"] == [{"zone_id": "ap-northeast-1a", "vswitch_id": "vsw-t1"},
                                        {"zone_id": "ap-northeast-1c", "vswitch_id": "vsw-t2"}]
    assert (vpcs[1]["vpc_id"], vpcs[1]["route_table_ids"], vpcs[1]["owner_id"], vpcs[1]["zone_mappings"]) == (
        "vpc-b2", ["vtb-b"], "5123", None)


@pytest.mark.parametrize("found,change_hub,expected", [
    (aws_found(AWS_A), None, "AWS hub seed-tgw: vpcs[1] (vpc-b): there is no VPC with Name tag 'vpc-b' in us-east-1; "
                             "create it, or correct vpcs[1].name"),
    (aws_found(AWS_A, AWS_B, dict(AWS_B, vpc_id="vpc-b9")), None,
     "AWS hub seed-tgw: vpcs[1] (vpc-b): 2 VPCs in us-east-1 are named 'vpc-b' (vpc-b1, vpc-b9); give its `id` "
     "instead"),
    (aws_found(AWS_A, dict(AWS_B, cidr_block="172.18.0.0/16")), None,
     "vpcs[1] (vpc-b): its CIDR block is 172.18.0.0/16, not 172.17.0.0/16 as declared; correct vpcs[1].cidr"),
    (aws_found(AWS_A, dict(AWS_B, subnets=[])), None, "vpc-b1 has no subnet"),
    (aws_found(AWS_A, AWS_B), lambda h: h["vpcs"][0].update(subnets=["subnet-zz"]),
     "vpcs[0].subnets[0] subnet-zz is not a subnet of vpc-a1 (it has: subnet-a2, subnet-a1, subnet-a3)"),
    # found in another region or by another host: not a match
    ([dict(v, region="us-west-2") for v in aws_found(AWS_A, AWS_B)], None, "there is no VPC with Name tag 'vpc-a'"),
    ([dict(v, found_by="elsewhere") for v in aws_found(AWS_A, AWS_B)], None, "there is no VPC with Name tag 'vpc-a'"),
])
def test_the_match_refuses_missing_ambiguous_and_different_vpcs(found, change_hub, expected):
    hub = copy.deepcopy(plan()["aws_hubs"]["seed-tgw"])
    if change_hub:
        change_hub(hub)
    problems = topology_hubs.match_vpcs("aws", hub, found)[1]
    assert any(expected in p for p in problems), problems
    with pytest.raises(AnsibleFilterError, match="topology_hub_vpcs: "):
        FILTERS["topology_hub_vpcs"](found, hub, "aws")


def test_the_match_on_alibaba_names_the_account_and_the_vswitch():
    topo = seed()
    topo["transit_alicloud_hubs"][0]["vpcs"][1]["account_host"] = "other"
    topo["transit_alicloud_hubs"][0]["vpcs"][0]["zone_mappings"] = [
        {"zone_id": "ap-northeast-1c", "vswitch_name": "tokyo-vsw-1"},
        {"zone_id": "ap-northeast-1a", "vswitch_id": "vsw-x"}]
    result = plan(topo, HOSTS + ["other"])
    found = {"aws": [], "alicloud": ali_found(TOKYO, BEIJING)}  # Beijing read by the wrong account
    mine = FILTERS["topology_vpc_problems"](found, result, "alicloud_main")
    assert mine == [
        "Alibaba hub seed-cen: vpcs[0] (tokyo-vpc): vpcs[0].zone_mappings[0]: vSwitch tokyo-vsw-1 is in zone "
        "ap-northeast-1a, not ap-northeast-1c; correct zone_id",
        "Alibaba hub seed-cen: vpcs[0] (tokyo-vpc): vpcs[0].zone_mappings[1]: no vSwitch 'vsw-x' in vpc-t1 (its "
        "vSwitches: tokyo-vsw-1 vsw-t1, tokyo-vsw-2 vsw-t2)"]
    assert FILTERS["topology_vpc_problems"](found, result, "other") == [
        "Alibaba hub seed-cen: vpcs[1] (beijing-vpc): there is no VPC named 'beijing-vpc' in cn-beijing of the account "
        "of other; create it, or correct vpcs[1].name"]
    assert FILTERS["topology_vpc_problems"]({"aws": aws_found(AWS_A, AWS_B), "alicloud": []}, result, "aws_main") == []


# --- the lists each hub role hands to one module call --------------------------------------------------------
def aws_hub_and_vpcs():
    hub = plan()["aws_hubs"]["seed-tgw"]
    return hub, FILTERS["topology_hub_vpcs"](aws_found(AWS_A, AWS_B), hub, "aws")


def test_aws_lists_attachments_subnet_routes_route_tables_and_facts():
    hub, vpcs = aws_hub_and_vpcs()
    assert FILTERS["aws_hub_vpc_attachments"](vpcs, hub) == [
        {"vpc_id": "vpc-a1", "name": "seed-tgw-vpc-a", "subnet_ids": ["subnet-a1", "subnet-a2"]},
        {"vpc_id": "vpc-b1", "name": "seed-tgw-vpc-b", "subnet_ids": ["subnet-b1"]}]
    routes = FILTERS["aws_hub_subnet_routes"](vpcs, hub, "tgw-1")
    by_table = {}
    for route in routes:
        assert route["transit_gateway_id"] == "tgw-1"
        by_table.setdefault(route["route_table_id"], []).append(route["destination_cidr_block"])
    # the walkthrough's step 3: A's table gets 172.17/16 and the Alibaba prefixes, B's 172.16/16 and the same
    assert by_table == {"rtb-a": ["172.17.0.0/16", "10.0.0.0/8", "192.168.0.0/16"],
                        "rtb-b": ["172.16.0.0/16", "10.0.0.0/8", "192.168.0.0/16"]}
    assert FILTERS["aws_hub_subnet_routes"](vpcs, hub, "tgw-1", "absent") == [
        {"route_table_id": "rtb-a", "destination_cidr_block": "172.17.0.0/16"}]
    no_routes = [dict(vpcs[0], routes=False), vpcs[1]]
    assert {r["route_table_id"] for r in FILTERS["aws_hub_subnet_routes"](no_routes, hub, "tgw-1")} == {"rtb-b"}
    ids = FILTERS["hub_attachment_ids"](vpcs, [{"vpc_id": "vpc-b1", "transit_gateway_attachment_id": "att-b"},
                                               {"vpc_id": "vpc-a1", "transit_gateway_attachment_id": "att-a"}])
    assert ids == {"vpc-a": "att-a", "vpc-b": "att-b"}
    hub = dict(hub, route_tables=[{"name": "t", "associations": ["vpc-a", "tgw-attach-9"], "propagations": ["vpc-b"],
                                   "routes": [{"cidr": "10.0.0.0/8", "target": "vpc-b", "blackhole": False},
                                              {"cidr": "10.9.0.0/16", "target": None, "blackhole": True}]}])
    assert FILTERS["aws_hub_route_tables"](hub, ids) == [{
        "name": "t", "associations": ["att-a", "tgw-attach-9"], "propagations": ["att-b"],
        "routes": [{"destination_cidr_block": "10.0.0.0/8", "attachment_id": "att-b"},
                   {"destination_cidr_block": "10.9.0.0/16", "blackhole": True}]}]
    tgw = {"transit_gateway_id": "tgw-1", "transit_gateway": {"association_default_route_table_id": "tgw-rtb-1"}}
    built = FILTERS["aws_hub_built"](vpcs, hub, tgw, [{"vpc_id": "vpc-a1", "transit_gateway_attachment_id": "att-a"}])
    assert built == {"tgw_id": "tgw-1", "region": "us-east-1", "route_table_id": "tgw-rtb-1",
                     "attachment_ids": {"vpc-a": "att-a", "vpc-b": None},
                     "vpcs": [{"key": "vpc-a", "name": "vpc-a", "vpc_id": "vpc-a1", "cidr_block": "172.16.0.0/16",
                               "route_table_ids": ["rtb-a"]},
                              {"key": "vpc-b", "name": "vpc-b", "vpc_id": "vpc-b1", "cidr_block": "172.17.0.0/16",
                               "route_table_ids": ["rtb-b"]}],
                     "cidrs": ["172.16.0.0/16", "172.17.0.0/16"]}


def alicloud_hub_and_vpcs(topo=None, hosts=HOSTS, found=None):
    hub = plan(topo, hosts)["alicloud_hubs"]["seed-cen"]
    return hub, FILTERS["topology_hub_vpcs"](found or ali_found(TOKYO, BEIJING), hub, "alicloud")


ROUTERS = [{"transit_router_id": "tr-t", "region_id": "ap-northeast-1", "system_route_table_id": "vtb-trt"},
           {"transit_router_id": "tr-b", "region_id": "cn-beijing", "system_route_table_id": "vtb-trb"}]
ATTACHMENTS = [{"vpc_id": "vpc-t1", "region_id": "ap-northeast-1", "transit_router_attachment_id": "tr-attach-t"},
               {"vpc_id": "vpc-b2", "region_id": "cn-beijing", "transit_router_attachment_id": "tr-attach-b"}]
PEERS = [{"region_id": "ap-northeast-1", "peer_region_id": "cn-beijing", "transit_router_attachment_id": "tr-attach-p"}]


def test_alicloud_lists_routers_connections_route_tables_routes_and_facts():
    hub, vpcs = alicloud_hub_and_vpcs()
    assert FILTERS["alicloud_hub_transit_routers"](hub) == [
        {"region": "ap-northeast-1", "name": "seed-cen-ap-northeast-1"},
        {"region": "cn-beijing", "name": "seed-cen-cn-beijing"}]
    assert FILTERS["alicloud_hub_vpc_attachments"](vpcs, hub) == [
        {"vpc_id": "vpc-t1", "region": "ap-northeast-1", "name": "seed-cen-tokyo-vpc"},
        {"vpc_id": "vpc-b2", "region": "cn-beijing", "name": "seed-cen-beijing-vpc"}]
    assert FILTERS["alicloud_hub_peer_attachments"](hub) == [
        {"region": "ap-northeast-1", "peer_region": "cn-beijing", "name": "seed-cen-ap-northeast-1-cn-beijing",
         "bandwidth_type": "DataTransfer", "bandwidth": 10}]
    assert FILTERS["alicloud_hub_route_tables"](ROUTERS, ATTACHMENTS, PEERS) == [
        {"transit_router_id": "tr-t", "system": True, "associations": ["tr-attach-t", "tr-attach-p"],
         "propagations": ["tr-attach-t", "tr-attach-p"]},
        {"transit_router_id": "tr-b", "system": True, "associations": ["tr-attach-b", "tr-attach-p"],
         "propagations": ["tr-attach-b", "tr-attach-p"]}]
    routes = FILTERS["alicloud_hub_route_entries"](vpcs, hub, ATTACHMENTS)
    assert [(r["route_table_id"], r["region"], r["destination_cidr_block"], r["next_hop_type"], r["next_hop_id"])
            for r in routes] == [
        ("vtb-t", "ap-northeast-1", "192.168.0.0/16", "Attachment", "tr-attach-t"),
        ("vtb-t", "ap-northeast-1", "172.16.0.0/16", "Attachment", "tr-attach-t"),
        ("vtb-t", "ap-northeast-1", "172.17.0.0/16", "Attachment", "tr-attach-t"),
        ("vtb-b", "cn-beijing", "10.0.0.0/8", "Attachment", "tr-attach-b"),
        ("vtb-b", "cn-beijing", "172.16.0.0/16", "Attachment", "tr-attach-b"),
        ("vtb-b", "cn-beijing", "172.17.0.0/16", "Attachment", "tr-attach-b")]
    # check mode: a connection still to be made has no id, and no route is planned toward it
    assert {r["route_table_id"] for r in FILTERS["alicloud_hub_route_entries"](vpcs, hub, ATTACHMENTS[:1])} == {"vtb-t"}
    built = FILTERS["alicloud_hub_built"](vpcs, hub, {"cen_id": "cen-1"}, ROUTERS, ATTACHMENTS, PEERS)
    assert (built["cen_id"], built["edition"], built["transit_routers"]["cn-beijing"], built["vpc_attachment_ids"],
            built["peer_attachment_ids"], built["cidrs"]) == (
        "cen-1", "enterprise", {"transit_router_id": "tr-b", "system_route_table_id": "vtb-trb"},
        {"tokyo-vpc": "tr-attach-t", "beijing-vpc": "tr-attach-b"}, {"ap-northeast-1|cn-beijing": "tr-attach-p"},
        ["10.0.0.0/8", "192.168.0.0/16"])


def test_alicloud_route_teardown_takes_only_routes_toward_the_hubs_connections():
    entries = [{"route_table_id": "vtb-t", "destination_cidr_block": "192.168.0.0/16", "type": "Custom",
                "next_hops": {"next_hop": [{"next_hop_type": "Attachment", "next_hop_id": "tr-attach-t"}]}},
               {"route_table_id": "vtb-t", "destination_cidr_block": "172.16.0.0/12", "type": "Custom",
                "next_hops": {"next_hop": [{"next_hop_type": "VpnGateway", "next_hop_id": "vpn-1"}]}},
               {"route_table_id": "vtb-t", "destination_cidr_block": "10.0.0.0/24", "type": "System", "next_hops": {}}]
    hub, vpcs = alicloud_hub_and_vpcs(found=ali_found(dict(TOKYO, route_entries=entries), BEIJING))
    assert FILTERS["alicloud_hub_route_entries"](vpcs, hub, ATTACHMENTS, "absent") == [
        {"route_table_id": "vtb-t", "region": "ap-northeast-1", "destination_cidr_block": "192.168.0.0/16"}]
    assert FILTERS["alicloud_hub_route_entries"](vpcs, hub, ["tr-attach-other"], "absent") == []


def test_alicloud_lists_for_other_accounts_three_regions_packages_and_basic_hubs():
    topo = seed()
    topo["transit_alicloud_hubs"][0]["vpcs"][1]["account_host"] = "other"
    topo["transit_alicloud_hubs"][0]["vpcs"].append({"name": "sv", "region": "us-west-1", "cidr": "100.64.0.0/16"})
    package = {"bandwidth": 10, "geographic_region_a": "China", "geographic_region_b": "Asia-Pacific"}
    topo["transit_alicloud_hubs"][0]["inter_region"] = {"bandwidth_type": "BandwidthPackage", "bandwidth": 2,
                                                        "bandwidth_package": package}
    beijing = dict(BEIJING, owner_id=9999, vswitches=[
        {"vswitch_id": "vsw-b3", "zone_id": "cn-beijing-a"}, {"vswitch_id": "vsw-b1", "zone_id": "cn-beijing-a"},
        {"vswitch_id": "vsw-b2", "zone_id": "cn-beijing-h"}, {"vswitch_id": "vsw-b0", "zone_id": "cn-beijing-k"}])
    found = ali_found(TOKYO) + ali_found(beijing, host="other") + ali_found(
        {"vpc_id": "vpc-s", "vpc_name": "sv", "cidr_block": "100.64.0.0/16", "region_id": "us-west-1",
         "route_table_id": "vtb-s", "owner_id": 5123})
    hub, vpcs = alicloud_hub_and_vpcs(topo, HOSTS + ["other"], found)
    attachments = FILTERS["alicloud_hub_vpc_attachments"](vpcs, hub)
    # another account's VPC: its owner, the mappings this account cannot choose, the routes its connection publishes
    assert attachments[1] == {"vpc_id": "vpc-b2", "region": "cn-beijing", "name": "seed-cen-beijing-vpc",
                              "vpc_owner_id": "9999", "auto_publish_route_enabled": True,
                              "zone_mappings": [{"zone_id": "cn-beijing-a", "vswitch_id": "vsw-b1"},
                                                {"zone_id": "cn-beijing-h", "vswitch_id": "vsw-b2"}]}
    peers = FILTERS["alicloud_hub_peer_attachments"](hub, "cenbwp-1")
    assert [(p["region"], p["peer_region"], p["bandwidth_type"], p["bandwidth"], p["cen_bandwidth_package_id"])
            for p in peers] == [("ap-northeast-1", "cn-beijing", "BandwidthPackage", 2, "cenbwp-1"),
                                ("ap-northeast-1", "us-west-1", "BandwidthPackage", 2, "cenbwp-1"),
                                ("cn-beijing", "us-west-1", "BandwidthPackage", 2, "cenbwp-1")]
    connected = [dict(a, transit_router_attachment_id="att-" + a["vpc_id"]) for a in attachments]
    routes = FILTERS["alicloud_hub_route_entries"](vpcs, hub, connected)
    assert sorted({r["route_table_id"] for r in routes}) == ["vtb-s", "vtb-t"]  # the hub's own account's tables
    basic = dict(hub, edition="basic", bandwidth_package={"bandwidth": 10, "region_pairs": [
        {"local_region": "ap-northeast-1", "opposite_region": "cn-beijing", "bandwidth": 5}]})
    assert FILTERS["alicloud_hub_vpc_attachments"](vpcs, basic)[:2] == [
        {"instance_id": "vpc-t1", "region_id": "ap-northeast-1"},
        {"instance_id": "vpc-b2", "region_id": "cn-beijing", "owner_id": "9999"}]
    assert FILTERS["alicloud_hub_region_limits"](basic) == [
        {"local_region_id": "ap-northeast-1", "opposite_region_id": "cn-beijing", "bandwidth_limit": 5}]


def test_alicloud_connections_from_host_vars():
    hostvars = {"a": {"transit_alicloud_connection": {"alicloud_access_key": "AK", "alicloud_endpoint": None}},
                "b": {"alicloud_access_key": "AK2", "alicloud_secret_key": "S2", "alicloud_security_token": ""},
                "c": {}}
    assert FILTERS["alicloud_connections"](hostvars, ["a", "b", "c", None]) == {
        "a": {"alicloud_access_key": "AK"}, "b": {"alicloud_access_key": "AK2", "alicloud_secret_key": "S2"}, "c": {}}
    with pytest.raises(AnsibleFilterError, match="'d' is not an inventory host"):
        FILTERS["alicloud_connections"](hostvars, ["d"])


# --- the roles document exactly the schema they are checked with --------------------------------------------
def _spec_of(options):
    """An argument spec (or a topology schema) without descriptions, for comparing."""
    out = {}
    for name, spec in options.items():
        out[name] = dict((k, spec[k]) for k in ("type", "required", "default", "choices", "elements") if k in spec)
        if spec.get("options"):
            out[name]["options"] = _spec_of(spec["options"])
    return out


@pytest.mark.parametrize("role,cloud", [("aws_hub", "aws"), ("alicloud_hub", "alicloud")])
def test_role_argument_specs_match_the_schema_and_the_defaults(role, cloud):
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
    options = specs["argument_specs"]["main"]["options"]
    assert _spec_of(options[role]["options"]) == _spec_of(topology.HUB_ROLE_SCHEMAS[cloud])
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    assert set(defaults) == set(options) - {role}  # every input but the hub dict has a default
    for name, spec in options.items():
        assert spec.get("description"), name
        if "default" in spec:
            assert defaults[name] == spec["default"], name
        elif name != role:
            assert defaults[name] is None or "{{" in str(defaults[name]), name  # computed, or null on purpose


def test_filter_docs_exist_and_ansible_doc_renders_each():
    documented = {p.stem for p in (ROOT / "plugins" / "filter").glob("*.yml")}
    assert set(FILTERS) <= documented, set(FILTERS) - documented  # the other plugins' docs are theirs
    filter_docs(["multicloud.transit.%s" % name for name in sorted(FILTERS)])


def test_filters_by_fqcn_in_a_playbook(tmp_path):
    """The plan through Jinja and the collection loader, as preflight.yml calls it, refusing a typo."""
    playbook = tmp_path / "plan.yml"
    playbook.write_text("""
- hosts: localhost
  gather_facts: false
  vars:
    transit_aws_hubs: [{name: h, host: localhost, region: us-east-1, vpcs: [{name: a, cidr: 10.0.0.0/16}]}]
  tasks:
    - ansible.builtin.set_fact:
        plan: "{{ {'transit_aws_hubs': transit_aws_hubs} | multicloud.transit.topology_plan(groups['all']) }}"
    - ansible.builtin.assert:
        that:
          - plan.aws_hubs.h.vpcs[0].key == 'a'
          - (plan | multicloud.transit.topology_items('aws_hubs', 'localhost') | map(attribute='name') | list) == ['h']
""")
    assert localhost_play(playbook).recap["localhost"]["failed"] == 0
    typo = tmp_path / "typo.yml"
    typo.write_text("""
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.set_fact:
        plan: >-
          {{ {'transit_aws_hubs': [{'name': 'h', 'hots': 'x'}]} | multicloud.transit.topology_plan(['localhost']) }}
""")
    run = play({}, "localhost,", "-c", "local", str(typo), expect_rc=2)
    assert "transit_aws_hubs[0].hots: unknown key; did you mean `host`?" in run.output
