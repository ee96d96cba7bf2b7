"""multicloud.transit.alicloud_vpc_peer_connection(_info) against the cross-account-peering twin (today's rules).

Account A (Tokyo, 172.16.0.0/16) requests, account B (Silicon Valley, 192.168.0.0/16) accepts: the
second walkthrough's peering with today's product (VpcPeer 2022-01-01) instead of router interfaces.
"""

from __future__ import annotations

import json
import time

import pytest
from twinhelpers import ok, run_module, seeded_vpc, vpc_call

from ansible_collections.multicloud.transit.plugins.module_utils import vpc_peer

A_UID, B_UID = "5111111111111111", "5222222222222222"
TOKYO, SVALLEY = "ap-northeast-1", "us-west-1"
MODULE = "alicloud_vpc_peer_connection"


@pytest.fixture
def world(today_peering_twin):
    """(twin, A's module args, B's module args, A's VPC id, B's VPC id)."""
    twin = today_peering_twin
    a = dict(twin.alicloud_account("account-a"), alicloud_region=TOKYO)
    b = dict(twin.alicloud_account("account-b"), alicloud_region=SVALLEY)
    return twin, a, b, seeded_vpc(twin, "tokyo-vpc-a").id, seeded_vpc(twin, "svalley-vpc-b").id


def request(a, vpc_a, vpc_b, **extra):
    """A's request toward B's VPC (cross-account, cross-region)."""
    return dict(dict(a, name="tokyo-svalley", vpc_id=vpc_a, accepting_vpc_id=vpc_b, accepting_region=SVALLEY,
                     accepting_owner_uid=B_UID), **extra)


def answer(b, vpc_a, vpc_b, state="accepted", **extra):
    """B answers the request, found between the two VPCs in its own region."""
    return dict(b, state=state, vpc_id=vpc_a, accepting_vpc_id=vpc_b, **extra)


def connections(twin):
    return [c for c in twin.ali_resources("VpcPeerConnection") if not c.deleted]


def table_of(twin, vpc_id):
    return next(v for v in twin.ali_resources("Vpc") if v.id == vpc_id)["RouteTableId"]


def peer_routes(twin, conn_id):
    return sorted((e["RouteTableId"], e["DestinationCidrBlock"]) for e in twin.ali_resources("RouteEntry")
                  if not e.deleted and e.get("NextHopType") == "VpcPeer" and e.get("NextHopId") == conn_id)


def route_over(account, vpc_id, cidr, conn_id):
    """Today's alicloud_route_entry accepts next_hop_type VpcPeer."""
    return ok("alicloud_route_entry", dict(account, vpc_id=vpc_id, routes=[
        {"destination_cidr_block": cidr, "next_hop_type": "VpcPeer", "next_hop_id": conn_id}]))


def refused(twin, args, *words, check_mode=False):
    """The module fails before any mutating call, with every one of ``words`` in its message."""
    twin.clear_calls()
    res = run_module(MODULE, args, check_mode=check_mode)
    assert res["failed"], res
    for word in words:
        assert word in res["msg"], res["msg"]
    assert twin.mutating_calls() == []
    return res


def test_cross_account_request_accept_routes_and_delete(world):
    twin, a, b, vpc_a, vpc_b = world
    # Slow async states and eventual consistency: the module waits by the id the create returned.
    time.sleep(0.3)  # the world's own VPCs are older than the consistency delay
    twin.twin.faults.update({"delays": {"VpcPeerConnection": 0.3}, "consistency_delay": 0.3})
    twin.clear_calls()
    req = ok(MODULE, request(a, vpc_a, vpc_b, bandwidth=100, tags={"env": "demo"}), diff=True)
    conn_id = req["vpc_peer_connection_id"]
    conn = req["vpc_peer_connection"]
    assert req["changed"] and conn_id.startswith("pcc-") and conn["vpc_peer_connection_id"] == conn_id
    assert conn["status"] == "Accepting" and conn["bandwidth"] == 100 and conn["link_type"] == "Gold"
    assert (conn["vpc_id"], conn["accepting_vpc_id"], conn["accepting_region_id"]) == (vpc_a, vpc_b, SVALLEY)
    assert str(conn["accepting_owner_uid"]) == B_UID and conn["tags"] == {"env": "demo"}
    assert conn["accepting_vpc"]["ipv4_cidrs"] == ["192.168.0.0/16"]
    assert req["diff"]["before"] == {} and req["diff"]["after"]["status"] == "Accepting"
    assert twin.mutating_calls() == ["CreateVpcPeerConnection"]
    twin.twin.faults.update({"delays": {}, "consistency_delay": 0})

    twin.clear_calls()
    again = ok(MODULE, request(a, vpc_a, vpc_b, bandwidth=100, tags={"env": "demo"}))
    assert not again["changed"] and again["vpc_peer_connection_id"] == conn_id
    assert twin.mutating_calls() == []

    # B sees the pending request and accepts it, found between the two VPCs in its own region.
    pending = ok("alicloud_vpc_peer_connection_info", dict(b, status=["Accepting"]))["vpc_peer_connections"]
    assert [c["vpc_peer_connection_id"] for c in pending] == [conn_id]
    twin.clear_calls()
    accepted = ok(MODULE, answer(b, vpc_a, vpc_b), diff=True)
    assert accepted["changed"] and accepted["vpc_peer_connection_id"] == conn_id
    assert accepted["vpc_peer_connection"]["status"] == "Activated"
    assert accepted["diff"]["before"]["status"] == "Accepting" and accepted["diff"]["after"]["status"] == "Activated"
    assert twin.mutating_calls() == ["AcceptVpcPeerConnection"]
    twin.clear_calls()
    assert not ok(MODULE, answer(b, vpc_a, vpc_b))["changed"]
    assert not ok(MODULE, answer(b, None, None, vpc_peer_connection_id=conn_id))["changed"]
    assert twin.mutating_calls() == []

    # Routes on both sides over the connection.
    route_over(a, vpc_a, "192.168.0.0/16", conn_id)
    route_over(b, vpc_b, "172.16.0.0/16", conn_id)
    assert peer_routes(twin, conn_id) == sorted([(table_of(twin, vpc_a), "192.168.0.0/16"),
                                                 (table_of(twin, vpc_b), "172.16.0.0/16")])

    # Bandwidth changes in place once Activated (Updating -> Activated).
    twin.clear_calls()
    wider = ok(MODULE, request(a, vpc_a, vpc_b, bandwidth=200, description="Walkthrough two"))
    assert wider["changed"] and wider["vpc_peer_connection"]["bandwidth"] == 200
    assert wider["vpc_peer_connection"]["status"] == "Activated"
    assert wider["vpc_peer_connection"]["description"] == "Walkthrough two"
    assert twin.mutating_calls() == ["ModifyVpcPeerConnection"]

    # Delete from the accepter's side: refused while routes use it, then with force (routes go too).
    blocked = run_module(MODULE, dict(b, state="absent", vpc_peer_connection_id=conn_id))
    assert blocked["failed"] and "DependencyViolation.RouteEntry" in blocked["msg"] and "force" in blocked["msg"]
    assert [c.id for c in connections(twin)] == [conn_id]  # the cloud refused: nothing deleted
    twin.clear_calls()
    check = ok(MODULE, dict(b, state="absent", vpc_peer_connection_id=conn_id, force=True), check_mode=True)
    assert check["changed"] and twin.mutating_calls() == []
    gone = ok(MODULE, dict(b, state="absent", vpc_peer_connection_id=conn_id, force=True))
    assert gone["changed"] and gone["vpc_peer_connection"] == {} and gone["vpc_peer_connection_id"] == conn_id
    assert connections(twin) == [] and peer_routes(twin, conn_id) == []
    twin.clear_calls()
    assert not ok(MODULE, dict(b, state="absent", vpc_peer_connection_id=conn_id))["changed"]
    assert twin.mutating_calls() == []


def test_check_mode_on_an_empty_twin_makes_no_call(world):
    twin, a, b, vpc_a, vpc_b = world
    twin.clear_calls()
    res = ok(MODULE, request(a, vpc_a, vpc_b), check_mode=True, diff=True)
    assert res["changed"] and res["vpc_peer_connection_id"] is None
    assert res["vpc_peer_connection"]["status"] == "Accepting"
    assert res["diff"]["after"]["accepting_vpc_id"] == vpc_b
    # Accepting in check mode before the request exists: reported, not failed.
    assert ok(MODULE, answer(b, vpc_a, vpc_b), check_mode=True)["changed"]
    assert twin.mutating_calls() == [] and connections(twin) == []


def test_mix_ups_are_refused_before_any_mutating_call(world):
    twin, a, b, vpc_a, vpc_b = world
    # Requesting with the accepter's credentials.
    refused(twin, request(b, vpc_a, vpc_b, alicloud_region=TOKYO), "accepter's credentials", "state=accepted")
    # A peer VPC that is not there (read with the accepter's credentials) or not in this account.
    refused(twin, request(a, vpc_a, "vpc-doesnotexist", accepter=twin.alicloud_account("account-b")),
            "vpc-doesnotexist", "accepter account")
    refused(twin, request(a, vpc_a, vpc_b, accepting_owner_uid=None), vpc_b, "accepting_owner_uid")
    refused(twin, request(a, vpc_a, vpc_b, accepting_owner_uid="5333333333333333",
                          accepter=twin.alicloud_account("account-b")), "5333333333333333", B_UID)
    # Accepter credentials missing from accepter (the environment holds A's).
    refused(twin, request(a, vpc_a, vpc_b, accepter={"alicloud_endpoint": twin.twin.alicloud_endpoint}),
            "accepter needs")
    # Accepting with the requester's credentials, by id and by the VPC pair.
    conn_id = ok(MODULE, request(a, vpc_a, vpc_b))["vpc_peer_connection_id"]
    for args in (dict(a, state="accepted", vpc_peer_connection_id=conn_id),
                 dict(answer(a, vpc_a, vpc_b), accepting_region=SVALLEY)):
        refused(twin, args, "accepter account's credentials (UID %s)" % B_UID)
    refused(twin, dict(a, state="rejected", vpc_peer_connection_id=conn_id), "reject", B_UID)
    # The other side's request is answered, not requested again.
    refused(twin, dict(b, vpc_id=vpc_b, accepting_vpc_id=vpc_a, accepting_region=TOKYO, accepting_owner_uid=A_UID),
            conn_id, "state=accepted")
    assert [c["Status"] for c in connections(twin)] == ["Accepting"]


def test_overlapping_cidrs_are_refused(world):
    twin, a, b, vpc_a, vpc_b = world
    # Given by the user for a VPC this account cannot read...
    refused(twin, request(a, vpc_a, vpc_b, accepting_cidr_blocks=["172.16.8.0/22"]), "overlapping", "172.16.8.0/22")
    # ...or read with the accepter's credentials.
    clash = vpc_call(twin, "CreateVpc", account="account-b", region=SVALLEY, CidrBlock="172.16.0.0/12")["VpcId"]
    refused(twin, request(a, vpc_a, clash, accepter=twin.alicloud_account("account-b")),
            "overlapping", "172.16.0.0/16", "172.16.0.0/12")
    # ...or, within one account, read directly.
    own = vpc_call(twin, "CreateVpc", account="account-a", region=TOKYO, CidrBlock="172.16.0.0/20")["VpcId"]
    refused(twin, dict(a, vpc_id=vpc_a, accepting_vpc_id=own), "overlapping", "172.16.0.0/20")
    assert connections(twin) == []


def test_reject_then_requester_deletes(world):
    twin, a, b, vpc_a, vpc_b = world
    conn_id = ok(MODULE, request(a, vpc_a, vpc_b))["vpc_peer_connection_id"]
    twin.clear_calls()
    rejected = ok(MODULE, answer(b, vpc_a, vpc_b, state="rejected"))
    assert rejected["changed"] and rejected["vpc_peer_connection"]["status"] == "Rejected"
    assert twin.mutating_calls() == ["RejectVpcPeerConnection"]
    twin.clear_calls()
    assert not ok(MODULE, answer(b, vpc_a, vpc_b, state="rejected"))["changed"]
    assert twin.mutating_calls() == []
    refused(twin, answer(b, vpc_a, vpc_b), "Rejected", "state=absent")
    refused(twin, request(a, vpc_a, vpc_b), "Rejected", "state=absent")
    # The requester deletes it, found between the two VPCs.
    twin.clear_calls()
    gone = ok(MODULE, dict(a, state="absent", vpc_id=vpc_a, accepting_vpc_id=vpc_b, accepting_region=SVALLEY))
    assert gone["changed"] and gone["vpc_peer_connection_id"] == conn_id and connections(twin) == []
    assert twin.mutating_calls() == ["DeleteVpcPeerConnection"]
    # A fresh request is possible again.
    assert ok(MODULE, request(a, vpc_a, vpc_b))["vpc_peer_connection"]["status"] == "Accepting"


def test_both_sides_in_one_task_with_accepter_credentials(world):
    twin, a, b, vpc_a, vpc_b = world
    args = dict(a, name="tokyo-svalley", vpc_id=vpc_a, accepting_vpc_id=vpc_b, accepting_region=SVALLEY,
                accepter=twin.alicloud_account("account-b"), accept=True, link_type="Platinum")
    twin.clear_calls()
    res = ok(MODULE, args, diff=True)
    conn = res["vpc_peer_connection"]
    assert res["changed"] and conn["status"] == "Activated" and conn["link_type"] == "Platinum"
    assert str(conn["accepting_owner_uid"]) == B_UID  # read with the accepter's credentials
    assert args["accepter"]["alicloud_secret_key"] not in json.dumps(res)
    assert twin.mutating_calls() == ["CreateVpcPeerConnection", "AcceptVpcPeerConnection"]
    twin.clear_calls()
    assert not ok(MODULE, args)["changed"] and twin.mutating_calls() == []
    # Another connection may not take the same name.
    other = vpc_call(twin, "CreateVpc", account="account-a", region=TOKYO, CidrBlock="10.9.0.0/16")["VpcId"]
    refused(twin, dict(a, name="tokyo-svalley", vpc_id=other, accepting_vpc_id=vpc_a), "already used",
            res["vpc_peer_connection_id"])


def test_same_account_and_info_paging(world, monkeypatch):
    twin, a, b, vpc_a, vpc_b = world
    others = [vpc_call(twin, "CreateVpc", account="account-a", region=TOKYO, CidrBlock="10.%d.0.0/16" % i)["VpcId"]
              for i in range(1, 4)]
    ids = []
    for index, other in enumerate(others):
        res = ok(MODULE, dict(a, name="local-%d" % index, vpc_id=vpc_a, accepting_vpc_id=other))
        assert res["vpc_peer_connection"]["status"] == "Activated"  # same account: accepted by the cloud
        assert res["vpc_peer_connection"]["bandwidth"] == -1
        ids.append(res["vpc_peer_connection_id"])
    monkeypatch.setattr(vpc_peer, "PAGE_SIZE", 2)  # three connections over two pages
    twin.clear_calls()
    listed = ok("alicloud_vpc_peer_connection_info", a)["vpc_peer_connections"]
    assert sorted(c["vpc_peer_connection_id"] for c in listed) == sorted(ids)
    assert [c["action"] for c in twin.calls()] == ["ListVpcPeerConnections"] * 2
    by_vpc = ok("alicloud_vpc_peer_connection_info", dict(a, vpc_ids=[others[1]]))["vpc_peer_connections"]
    assert [c["vpc_peer_connection_id"] for c in by_vpc] == [ids[1]]
    by_name = ok("alicloud_vpc_peer_connection_info", dict(a, name="local-2"))["vpc_peer_connections"]
    assert [c["accepting_vpc_id"] for c in by_name] == [others[2]]
    two = ok("alicloud_vpc_peer_connection_info", dict(a, vpc_peer_connection_ids=ids[:2]))["vpc_peer_connections"]
    assert sorted(c["vpc_peer_connection_id"] for c in two) == sorted(ids[:2])
    assert ok("alicloud_vpc_peer_connection_info", dict(a, status=["Accepting"]))["vpc_peer_connections"] == []
    # bandwidth is for inter-region connections only: refused before any call.
    refused(twin, dict(a, vpc_id=vpc_a, accepting_vpc_id=others[0], bandwidth=50), "inter-region")
    # The requester deletes by name.
    twin.clear_calls()
    assert ok(MODULE, dict(a, state="absent", name="local-0"))["changed"]
    assert twin.mutating_calls() == ["DeleteVpcPeerConnection"]
    assert sorted(c.id for c in connections(twin)) == sorted(ids[1:])
