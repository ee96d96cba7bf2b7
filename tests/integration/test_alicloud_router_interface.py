"""multicloud.transit.alicloud_router_interface(_info) against the cross-account-peering twin."""

from __future__ import annotations

import importlib

import pytest
from twinhelpers import ok, run_module

A_UID, B_UID = "5111111111111111", "5222222222222222"
TOKYO, SVALLEY = "ap-northeast-1", "us-west-1"


def vpc_id(twin, account, region):
    vpcs = ok("alicloud_vpc_info", dict(twin.alicloud_account(account), alicloud_region=region))["vpcs"]
    return vpcs[0]["vpc_id"]


@pytest.fixture
def sides(peering_twin):
    a = dict(peering_twin.alicloud_account("account-a"), alicloud_region=TOKYO)
    b = dict(peering_twin.alicloud_account("account-b"), alicloud_region=SVALLEY)
    a["vpc_id"] = vpc_id(peering_twin, "account-a", TOKYO)
    b["vpc_id"] = vpc_id(peering_twin, "account-b", SVALLEY)
    return a, b


def initiator(a, **extra):
    return dict(dict(a, name="tokyo-svalley-initiator", role="InitiatingSide", opposite_region_id=SVALLEY,
                     spec="Large.2"), **extra)


def acceptor(b, **extra):
    return dict(dict(b, name="tokyo-svalley-acceptor", role="AcceptingSide", opposite_region_id=TOKYO), **extra)


def opposite(res, owner):
    return {"interface_id": res["router_interface_id"], "owner_id": owner, "router_id": res["router_id"]}


def build(a, b):
    """The three module runs of a peering: initiator, acceptor naming it, initiator naming + connecting."""
    ia = ok("alicloud_router_interface", initiator(a))
    ib = ok("alicloud_router_interface", acceptor(b, opposite=opposite(ia, A_UID)))
    ia = ok("alicloud_router_interface", initiator(a, opposite=opposite(ib, B_UID), connect=True))
    return ia, ib


def test_create_idempotent_and_connect(peering_twin, sides):
    a, b = sides
    peering_twin.clear_calls()
    ia = ok("alicloud_router_interface", initiator(a))
    assert ia["changed"] and ia["status"] == "Idle" and ia["role"] == "InitiatingSide"
    assert ia["vpc_id"] == a["vpc_id"] and ia["router_id"].startswith("vrt-") and ia["spec"] == "Large.2"
    assert peering_twin.mutating_calls() == ["CreateRouterInterface"]
    # re-run: nothing to do, no mutating call
    peering_twin.clear_calls()
    again = ok("alicloud_router_interface", initiator(a))
    assert not again["changed"] and again["router_interface_id"] == ia["router_interface_id"]
    assert peering_twin.mutating_calls() == []

    ib = ok("alicloud_router_interface", acceptor(b, opposite=opposite(ia, A_UID)))
    assert ib["changed"] and ib["spec"] == "Negative" and ib["opposite_interface_id"] == ia["router_interface_id"]
    peering_twin.clear_calls()
    ia = ok("alicloud_router_interface", initiator(a, opposite=opposite(ib, B_UID), connect=True))
    assert ia["changed"] and ia["status"] == "Active" and ia["opposite_interface_status"] == "Active"
    assert peering_twin.mutating_calls() == ["ModifyRouterInterfaceAttribute", "ConnectRouterInterface"]
    assert ia["opposite_interface_owner_id"] == B_UID and ia["opposite_router_id"] == ib["router_id"]

    peering_twin.clear_calls()
    for args in (initiator(a, opposite=opposite(ib, B_UID), connect=True), acceptor(b, opposite=opposite(ia, A_UID))):
        assert not ok("alicloud_router_interface", args)["changed"]
    assert peering_twin.mutating_calls() == []

    info = ok("alicloud_router_interface_info", dict(b, names=["tokyo-svalley-acceptor"]))["router_interfaces"]
    assert [(i["router_interface_id"], i["status"]) for i in info] == [(ib["router_interface_id"], "Active")]
    # account B lists only its own interfaces, even when asked for A's id
    assert ok("alicloud_router_interface_info", {k: v for k, v in b.items() if k != "vpc_id"} | {
        "router_interface_ids": [ia["router_interface_id"]]})[
        "router_interfaces"] == []


def test_check_mode_on_unbuilt_peering(peering_twin, sides):
    a, b = sides
    peering_twin.clear_calls()
    res = ok("alicloud_router_interface", initiator(a), check_mode=True, diff=True)
    assert res["changed"] and res["router_interface_id"] == ""
    assert res["diff"]["before"] == {} and res["diff"]["after"]["Role"] == "InitiatingSide"
    res = ok("alicloud_router_interface", acceptor(b, opposite={"interface_id": "ri-not-yet", "owner_id": A_UID,
                                                                 "router_id": "vrt-not-yet"}), check_mode=True)
    assert res["changed"]
    res = ok("alicloud_router_interface", initiator(a, opposite={"interface_id": "ri-x", "owner_id": B_UID,
                                                                 "router_id": "vrt-x"}, connect=True),
             check_mode=True)
    assert res["changed"] and res["status"] == "Active"
    assert peering_twin.mutating_calls() == []
    assert peering_twin.ali_resources("RouterInterface") == []


def test_diff_and_update(peering_twin, sides):
    a, _ = sides
    ok("alicloud_router_interface", initiator(a, description="Tokyo side"))
    res = ok("alicloud_router_interface", initiator(a, description="Tokyo to Silicon Valley", spec="Middle.1"),
             diff=True)
    assert res["changed"] and res["spec"] == "Middle.1"
    assert res["diff"]["before"]["Description"] == "Tokyo side"
    assert res["diff"]["after"]["Description"] == "Tokyo to Silicon Valley"
    assert res["diff"]["after"]["Spec"] == "Middle.1"
    # check mode on a change: reported, not made
    peering_twin.clear_calls()
    res = ok("alicloud_router_interface", initiator(a, description="Something else"), check_mode=True)
    assert res["changed"] and peering_twin.mutating_calls() == []


def test_delete_order(peering_twin, sides):
    a, b = sides
    ia, ib = build(a, b)
    # a route through the interface blocks deletion, with the fix in the message
    state = peering_twin.twin.backend.state
    from cloudtwin.alicloud.models import vpc as vpc_model

    vpc = state.find("Vpc", a["vpc_id"])
    state.add("RouteEntry", "rte-test", vpc.owner, vpc.region, {
        "RouteTableId": vpc["RouteTableId"], "DestinationCidrBlock": "192.168.0.0/16",
        "NextHopType": "RouterInterface", "NextHopId": ia["router_interface_id"], "Status": "Available"})
    res = run_module("alicloud_router_interface", initiator(a, state="absent"))
    assert res["failed"] and res["error_code"] == "DependencyViolation.RouterInterfaceReferedByRouteEntry"
    assert "alicloud_route_entry" in res["msg"]
    # it was deactivated first: the cloud's order is routes, deactivate, delete
    assert state.find("RouterInterface", ia["router_interface_id"])["Status"] == "Inactive"
    state.remove(state.find("RouteEntry", "rte-test"))
    assert vpc_model  # imported for the route table layout
    peering_twin.clear_calls()
    res = ok("alicloud_router_interface", initiator(a, state="absent"), diff=True)
    assert res["changed"] and res["diff"]["after"] == {}
    assert peering_twin.mutating_calls() == ["DeleteRouterInterface"]
    peering_twin.clear_calls()
    res = ok("alicloud_router_interface", acceptor(b, state="absent"))
    assert res["changed"] and peering_twin.mutating_calls() == ["DeleteRouterInterface"]
    assert peering_twin.ali_resources("RouterInterface") == []
    assert not ok("alicloud_router_interface", acceptor(b, state="absent"))["changed"]


def test_absent_deactivates_then_deletes(peering_twin, sides):
    a, b = sides
    build(a, b)
    peering_twin.clear_calls()
    ok("alicloud_router_interface", acceptor(b, state="absent"))
    assert peering_twin.mutating_calls() == ["DeactivateRouterInterface", "DeleteRouterInterface"]


def test_inactive_and_reactivate(peering_twin, sides):
    a, b = sides
    ia, ib = build(a, b)
    res = ok("alicloud_router_interface", initiator(a, state="inactive"))
    assert res["changed"] and res["status"] == "Inactive"
    assert not ok("alicloud_router_interface", initiator(a, state="inactive"))["changed"]
    res = ok("alicloud_router_interface", initiator(a, opposite=opposite(ib, B_UID), connect=True))
    assert res["changed"] and res["status"] == "Active"


def test_connect_from_acceptor_is_refused_before_any_call(peering_twin, sides):
    _, b = sides
    peering_twin.clear_calls()
    res = run_module("alicloud_router_interface", acceptor(b, connect=True))
    assert res["failed"] and "only the initiating side connects" in res["msg"] and "InitiatingSide" in res["msg"]
    assert peering_twin.calls() == []


def test_connect_without_opposite_names_the_fix(peering_twin, sides):
    a, _ = sides
    res = run_module("alicloud_router_interface", initiator(a, connect=True))
    assert res["failed"] and "set opposite" in res["msg"]
    assert [r["Status"] for r in peering_twin.ali_resources("RouterInterface")] == ["Idle"]


def test_connect_before_acceptor_names_initiator(peering_twin, sides, monkeypatch):
    a, b = sides
    # The module retries NotSet for the cloud's two minutes of settling (the acceptor may not be visible yet);
    # here it never settles, so the test shortens that budget instead of waiting it out.
    utils = importlib.import_module("ansible_collections.multicloud.transit.plugins.module_utils.alicloud")
    monkeypatch.setattr(utils, "RETRY_RULES", tuple(
        (kind, value, 2 if value == "IncorrectOppositeInterfaceInfo.NotSet" else budget)
        for kind, value, budget in utils.RETRY_RULES))
    ib = ok("alicloud_router_interface", acceptor(b))
    res = run_module("alicloud_router_interface", initiator(a, opposite=opposite(ib, B_UID), connect=True))
    assert res["failed"] and res["error_code"] == "IncorrectOppositeInterfaceInfo.NotSet"
    assert "run this module on the other side" in res["msg"]


def test_wrong_owner_id_names_the_fix(peering_twin, sides):
    a, b = sides
    ia = ok("alicloud_router_interface", initiator(a))
    ib = ok("alicloud_router_interface", acceptor(b, opposite=opposite(ia, A_UID)))
    res = run_module("alicloud_router_interface", initiator(a, opposite=opposite(ib, A_UID), connect=True))
    assert res["failed"] and res["error_code"] == "IncorrectOppositeInterfaceInfo.OwnerMismatch"
    assert "opposite.owner_id" in res["msg"] and "alicloud_account_uid" in res["msg"]


def test_validation_errors_name_the_field(peering_twin, sides):
    a, b = sides
    peering_twin.clear_calls()
    cases = [
        (acceptor(b, spec="Large.2"), "spec"),
        (acceptor(b, instance_charge_type="PrePaid"), "instance_charge_type"),
        (initiator(a, instance_charge_type="PrePaid", period=12), "period"),
        (initiator(a, health_check_source_ip="172.16.0.9"), "health_check_target_ip"),
        (dict(a, name="x", role="InitiatingSide", opposite_region_id=SVALLEY, spec="Large.2"), "name"),
        ({k: v for k, v in a.items() if k != "vpc_id"} | {"name": "tokyo-side"}, "vpc_id or router_id"),
    ]
    for args, field in cases:
        res = run_module("alicloud_router_interface", args)
        assert res["failed"] and field in res["msg"], (field, res["msg"])
    assert peering_twin.mutating_calls() == []
    args = initiator(a)
    del args["spec"]
    res = run_module("alicloud_router_interface", args)
    assert res["failed"] and "spec is required" in res["msg"]
    res = run_module("alicloud_router_interface", dict(a, vpc_id="vpc-missing", name="tokyo-side"))
    assert res["failed"] and "vpc-missing" in res["msg"]
