"""plugins/filter/peering.py: the filters roles/vpc_peering and playbooks/peerings.yml use, their
messages and their documentation."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.transit.plugins.filter.peering import FilterModule

ROOT = Path(__file__).resolve().parents[2]
FILTERS = FilterModule().filters()

PEERING = {
    "name": "tokyo-svalley", "method": "vpc_peer",
    "initiator": {"account": "account-a", "region": "ap-northeast-1", "vpc": "tokyo-vpc-a",
                  "routes": ["192.168.0.0/16"]},
    "acceptor": {"account": "account-b", "region": "us-west-1", "vpc": "svalley-vpc-b", "routes": ["172.16.0.0/16"]},
}
HOSTVARS = {
    "account-a": {"alicloud_access_key": "LTAI-A", "alicloud_secret_key": "secret-a", "alicloud_account_uid": 5111},
    "account-b": {"alicloud_access_key": "LTAI-B", "alicloud_secret_key": "secret-b", "alicloud_account_uid": "5222",
                  "alicloud_endpoint": "http://127.0.0.1:1"},
}
TOKYO = {"vpc_id": "vpc-a", "vpc_name": "tokyo-vpc-a", "cidr_block": "172.16.0.0/16", "owner_id": 5111,
         "region_id": "ap-northeast-1", "route_table_id": "vtb-a", "route_table_ids": ["vtb-a", "vtb-a2"],
         "secondary_cidr_blocks": {"secondary_cidr_block": []}}
SVALLEY = {"vpc_id": "vpc-b", "vpc_name": "svalley-vpc-b", "cidr_block": "192.168.0.0/16", "owner_id": 5222,
           "region_id": "us-west-1", "route_table_id": "vtb-b", "route_table_ids": ["vtb-b"],
           "secondary_cidr_blocks": {"secondary_cidr_block": ["10.8.0.0/16"]}}


def peering(**changes):
    out = copy.deepcopy(PEERING)
    for key, value in changes.items():
        if isinstance(value, dict) and key in ("initiator", "acceptor"):
            out[key].update(value)
        else:
            out[key] = value
    return out


def problems(value=None, hostvars=None):
    return FILTERS["vpc_peering_problems"](value or PEERING, HOSTVARS if hostvars is None else hostvars)


def vpc_problems(value=None, found=None, hostvars=None):
    found = {"initiator": [TOKYO], "acceptor": [SVALLEY]} if found is None else found
    return FILTERS["vpc_peering_vpc_problems"](value or PEERING, found, HOSTVARS if hostvars is None else hostvars)


def test_the_filters_and_their_doc_files():
    assert sorted(FILTERS) == ["vpc_peering_account", "vpc_peering_connection", "vpc_peering_lookup",
                               "vpc_peering_problems", "vpc_peering_routes", "vpc_peering_routes_via",
                               "vpc_peering_vpc_problems", "vpc_peerings_problems"]
    for name in FILTERS:
        assert (ROOT / "plugins" / "filter" / ("%s.yml" % name)).exists(), name


def test_the_list_names_each_peering_once_and_only_inventory_hosts():
    check = FILTERS["vpc_peerings_problems"]
    assert check([PEERING], ["account-a", "account-b"]) == []
    assert check(None, []) == []
    assert check({"name": "x"}, []) == ["vpc_peerings must be a list of peerings, not dict."]
    found = check([PEERING, peering(acceptor={"account": "account-c"}), "oops", {"initiator": {}}],
                  ["account-a", "account-b"])
    assert found[0].startswith("vpc_peerings[tokyo-svalley]: the name is used twice (also vpc_peerings[0])")
    assert "vpc_peerings[tokyo-svalley].acceptor.account account-c is not an inventory host (known: account-a, " \
           "account-b); the peering would never run." in found
    assert "vpc_peerings[2] must be a dictionary with name, initiator and acceptor." in found
    assert "vpc_peerings[3]: name is missing." in found
    assert "vpc_peerings[3].acceptor is missing: give account, region, vpc and routes." in found


def test_a_good_peering_has_no_problem_with_either_method():
    assert problems() == []
    assert problems(peering(method=None)) == []  # vpc_peer is the default
    assert problems(peering(method="router_interface", spec="Large.2", instance_charge_type="PostPaid")) == []
    same_account = peering(acceptor={"account": "account-a"})
    assert problems(same_account) == []  # one account on both sides: the cloud accepts by itself


def test_options_of_the_other_method_and_bad_values_are_named():
    found = problems(peering(spec="Large.2", bandwidth=0, name="9lives"))
    assert "vpc_peering.name '9lives' must be 2-100 letters, digits, '.', '_' or '-', starting with a letter." in found
    assert any(p.startswith("vpc_peering.spec applies to method router_interface only; with method vpc_peer leave "
                            "it out") for p in found)
    assert "vpc_peering.bandwidth must be a whole number of Mbit/s, at least 1 (not 0)." in found
    found = problems(peering(method="router_interface", bandwidth=100, link_type="Gold"))
    assert any(p.startswith("vpc_peering.bandwidth applies to method vpc_peer only") for p in found)
    assert any(p.startswith("vpc_peering.link_type applies to method vpc_peer only") for p in found)
    assert problems(peering(method="express"))[0].startswith("vpc_peering.method 'express' must be vpc_peer")
    found = problems(peering(initiator={"routes": ["192.168.0.1/16", "nowhere"]}))
    assert len(found) == 2 and all(p.startswith("vpc_peering.initiator.routes: ") for p in found)


def test_accounts_must_be_hosts_with_keys_and_a_numeric_uid():
    hostvars = {"account-a": {"alicloud_access_key": "LTAI-A", "alicloud_account_uid": "51x"}}
    found = problems(hostvars=hostvars)
    assert found == [
        "vpc_peering.initiator.account account-a: its hostvars need alicloud_access_key and alicloud_secret_key "
        "(that account's AccessKey pair, from a vault).",
        "vpc_peering.initiator.account account-a: alicloud_account_uid '51x' must be the account ID (digits).",
        "vpc_peering.acceptor.account account-b is not an inventory host: name the host whose hostvars hold that "
        "account's credentials.",
    ]
    no_uid = {h: dict((k, v) for k, v in hv.items() if k != "alicloud_account_uid") for h, hv in HOSTVARS.items()}
    assert problems(hostvars=no_uid) == []  # the module reads the owner with the accepter's credentials
    assert len(problems(peering(method="router_interface"), hostvars=no_uid)) == 2


def test_the_acceptors_host_holding_the_initiators_keys_is_refused():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["account-b"]["alicloud_access_key"] = "LTAI-A"
    found = problems(hostvars=hostvars)
    assert found == [
        "vpc_peering.acceptor.account account-b has the same AccessKey as vpc_peering.initiator.account account-a, "
        "so the acceptor's steps would run in the initiator's account, and a request accepted by the account that "
        "made it is refused by the cloud. Give account-b the AccessKey pair of the account that owns svalley-vpc-b; "
        "for a peering inside one account name the same host on both sides."]
    assert not any("secret" in p or "LTAI-A" in p for p in found)


def test_account_gives_the_module_options_of_a_host():
    assert FILTERS["vpc_peering_account"](HOSTVARS, "account-a") == {"alicloud_access_key": "LTAI-A",
                                                                     "alicloud_secret_key": "secret-a"}
    assert FILTERS["vpc_peering_account"](HOSTVARS, "account-b")["alicloud_endpoint"] == "http://127.0.0.1:1"
    with pytest.raises(AnsibleFilterError, match="account-c is not an inventory host"):
        FILTERS["vpc_peering_account"](HOSTVARS, "account-c")


def test_lookup_by_id_or_name():
    assert FILTERS["vpc_peering_lookup"]("vpc-6weq3zbjvyvwd1w2bhxqa") == {"vpc_ids": ["vpc-6weq3zbjvyvwd1w2bhxqa"],
                                                                         "names": []}
    assert FILTERS["vpc_peering_lookup"]("tokyo-vpc-a") == {"vpc_ids": [], "names": ["tokyo-vpc-a"]}
    with pytest.raises(AnsibleFilterError, match="empty"):
        FILTERS["vpc_peering_lookup"]("")


def test_vpcs_found_once_in_the_declared_accounts_pass():
    assert vpc_problems() == []
    assert vpc_problems(hostvars={}) == []  # no declared UIDs: nothing to compare


def test_a_missing_or_ambiguous_vpc_names_the_fix():
    found = vpc_problems(found={"initiator": [TOKYO, dict(TOKYO, vpc_id="vpc-a2")], "acceptor": []})
    assert found == [
        "vpc_peering.initiator.vpc tokyo-vpc-a matched 2 VPCs in ap-northeast-1 (vpc-a, vpc-a2): give the VPC ID "
        "instead of the name.",
        "vpc_peering.acceptor.vpc svalley-vpc-b was not found in us-west-1 with the credentials of account-b: check "
        "vpc and region, and that acceptor.account names the inventory host of the account that owns this VPC."]


def test_an_owner_other_than_the_declared_uid_is_named():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["account-b"]["alicloud_account_uid"] = "5111"
    assert vpc_problems(hostvars=hostvars) == [
        "vpc_peering.acceptor.vpc svalley-vpc-b belongs to account 5222, but the hostvars of account-b declare "
        "alicloud_account_uid 5111: set alicloud_account_uid to 5222 or give account-b that account's credentials."]


def test_overlapping_vpcs_are_refused_for_a_vpc_peering_connection():
    overlap = dict(SVALLEY, vpc_name="svalley-overlap", cidr_block="192.168.0.0/16",
                   secondary_cidr_blocks={"secondary_cidr_block": ["172.16.128.0/17"]})
    no_routes = peering(acceptor={"routes": []})
    found = vpc_problems(no_routes, found={"initiator": [TOKYO], "acceptor": [overlap]})
    assert found == [
        "vpc_peering tokyo-svalley: tokyo-vpc-a (vpc-a, 172.16.0.0/16) and svalley-overlap (vpc-b, 172.16.128.0/17) "
        "have overlapping CIDR blocks; a VPC peering connection joins VPCs whose CIDR blocks do not overlap (VPC "
        "peering connections overview). Peer a VPC with another address range, or re-address one of them."]
    # router interfaces keep their behaviour: the VPC overlap is the VpcPeer rule
    assert vpc_problems(dict(no_routes, method="router_interface"),
                        found={"initiator": [TOKYO], "acceptor": [overlap]}) == []
    # the side's own routes are checked against every block of its VPC, the secondary ones too
    assert vpc_problems(found={"initiator": [TOKYO], "acceptor": [overlap]})[0].startswith(
        "vpc_peering.acceptor.routes: 172.16.0.0/16 overlaps the side's own VPC svalley-overlap (vpc-b, "
        "172.16.128.0/17)")


def test_a_route_into_the_sides_own_vpc_and_bandwidth_within_a_region():
    found = vpc_problems(peering(acceptor={"routes": ["192.168.1.0/24"]}))
    assert found == ["vpc_peering.acceptor.routes: 192.168.1.0/24 overlaps the side's own VPC svalley-vpc-b (vpc-b, "
                     "192.168.0.0/16); a side routes the other side's CIDR blocks into the peering."]
    same_region = peering(bandwidth=100, acceptor={"region": "ap-northeast-1"})
    in_tokyo = dict(SVALLEY, region_id="ap-northeast-1")
    assert vpc_problems(same_region, found={"initiator": [TOKYO], "acceptor": [in_tokyo]}) == [
        "vpc_peering.bandwidth applies to an inter-region connection only; both VPCs are in ap-northeast-1. Leave "
        "it out."]


def test_routes_go_into_every_route_table_of_the_vpc():
    items = FILTERS["vpc_peering_routes"](["192.168.0.0/16"], TOKYO, "VpcPeer", "pcc-1")
    assert items == [
        {"route_table_id": "vtb-a", "region": "ap-northeast-1", "destination_cidr_block": "192.168.0.0/16",
         "next_hop_type": "VpcPeer", "next_hop_id": "pcc-1"},
        {"route_table_id": "vtb-a2", "region": "ap-northeast-1", "destination_cidr_block": "192.168.0.0/16",
         "next_hop_type": "VpcPeer", "next_hop_id": "pcc-1"}]
    only_system = dict(TOKYO, route_table_ids=[])
    assert [i["route_table_id"] for i in FILTERS["vpc_peering_routes"](["10.0.0.0/8"], only_system, "VpcPeer", "p")] \
        == ["vtb-a"]
    assert FILTERS["vpc_peering_routes"]([], {}, "VpcPeer", "p") == []
    with pytest.raises(AnsibleFilterError, match="list of CIDR blocks"):
        FILTERS["vpc_peering_routes"]("192.168.0.0/16", TOKYO, "VpcPeer", "p")
    with pytest.raises(AnsibleFilterError, match="has no route table"):
        FILTERS["vpc_peering_routes"](["192.168.0.0/16"], {"vpc_id": "vpc-x"}, "VpcPeer", "p")


def test_routes_via_pick_only_the_entries_toward_the_peering():
    def entry(table, dest, hop_type, hop_id, kind="Custom"):
        return {"route_table_id": table, "destination_cidr_block": dest, "type": kind,
                "next_hops": {"next_hop": [{"next_hop_type": hop_type, "next_hop_id": hop_id}]}}

    vpc = dict(TOKYO, route_entries=[
        entry("vtb-a", "192.168.0.0/16", "VpcPeer", "pcc-1"),
        entry("vtb-a2", "192.168.0.0/16", "VpcPeer", "pcc-1"),
        entry("vtb-a", "10.0.0.0/8", "VpcPeer", "pcc-other"),
        entry("vtb-a", "172.16.0.0/24", "local", "", kind="System"),
        entry("vtb-a", "192.168.9.0/24", "RouterInterface", "pcc-1"),
    ])
    assert FILTERS["vpc_peering_routes_via"](vpc, "VpcPeer", "pcc-1") == [
        {"route_table_id": "vtb-a", "region": "ap-northeast-1", "destination_cidr_block": "192.168.0.0/16"},
        {"route_table_id": "vtb-a2", "region": "ap-northeast-1", "destination_cidr_block": "192.168.0.0/16"}]
    assert FILTERS["vpc_peering_routes_via"](vpc, "VpcPeer", "") == []
    assert FILTERS["vpc_peering_routes_via"](TOKYO, "VpcPeer", "pcc-1") == []


def test_connection_between_two_vpcs_either_way_activated_first():
    listed = [
        {"vpc_peer_connection_id": "pcc-other", "vpc_id": "vpc-a", "accepting_vpc_id": "vpc-z", "status": "Activated"},
        {"vpc_peer_connection_id": "pcc-old", "vpc_id": "vpc-b", "accepting_vpc_id": "vpc-a", "status": "Rejected"},
        {"vpc_peer_connection_id": "pcc-1", "vpc_id": "vpc-a", "accepting_vpc_id": "vpc-b", "status": "Accepting"},
    ]
    pick = FILTERS["vpc_peering_connection"]
    assert pick(listed, "vpc-a", "vpc-b")["vpc_peer_connection_id"] == "pcc-1"
    assert pick(listed[:2], "vpc-b", "vpc-a")["vpc_peer_connection_id"] == "pcc-old"
    assert pick(listed + [dict(listed[2], vpc_peer_connection_id="pcc-2", status="Activated")],
                "vpc-a", "vpc-b")["vpc_peer_connection_id"] == "pcc-2"
    assert pick([], "vpc-a", "vpc-b") == {}
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        pick({}, "vpc-a", "vpc-b")
