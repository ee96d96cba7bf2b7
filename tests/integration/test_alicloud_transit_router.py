"""The walkthrough's Enterprise Edition hub, built with the transit router modules against today's twin.

CEN -> transit routers in Tokyo and Beijing (one call) -> both seed VPCs connected with automatic two-zone
mappings (one call) -> one inter-region connection (one call) -> both system route tables with associations
and route learning (one call). Every call runs first in check mode (no mutating call, the same plan), then for
real with --diff, then again (changed false, no mutating call). Then each region's table must hold the other
region's vSwitch routes, and the teardown in reverse order must leave the world as it was.
"""

from __future__ import annotations

from cloudtwin.alicloud.models.transit_router_routes import route_table_entries
from twinhelpers import ok, seeded_vpc

REGION = {"alicloud_region": "ap-northeast-1"}
TOKYO, BEIJING = "ap-northeast-1", "cn-beijing"
TOKYO_VSWITCHES = ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
BEIJING_VSWITCHES = ["192.168.0.0/24", "192.168.1.0/24"]
TR_KINDS = ("Cen", "TransitRouter", "TransitRouterVpcAttachment", "TransitRouterPeerAttachment",
            "TransitRouterRouteTable", "TransitRouterRouteTableAssociation", "TransitRouterRouteTablePropagation",
            "TransitRouterRouteEntry")


def converge(handle, module, args, compare=None):
    """Check mode (changed, no mutating call), the real run with --diff, then a second run that changes nothing.

    ``compare(planned, done)`` checks that check mode predicted what the real run did.
    """
    handle.clear_calls()
    planned = ok(module, args, check_mode=True, diff=True)
    assert planned["changed"], module
    assert handle.mutating_calls() == [], module
    done = ok(module, args, diff=True)
    assert done["changed"] and done["diff"]["before"] != done["diff"]["after"], module
    if compare is not None:
        compare(planned, done)
    handle.clear_calls()
    again = ok(module, args)
    assert not again["changed"], module
    assert handle.mutating_calls() == [], (module, handle.mutating_calls())
    return done


def world(handle):
    """What the teardown must restore: every resource id by kind, and each vSwitch's free addresses."""
    state = handle.twin.backend.state
    return ({kind: sorted(res) for kind, res in state.resources.items() if res},
            {v.id: v["AvailableIpAddressCount"] for v in handle.ali_resources("VSwitch")})


def hub_args(handle, cen_id=None):
    """The five calls of the hub, as (module, args) builders that take the ids created so far."""
    tokyo, beijing = seeded_vpc(handle, "tokyo-vpc"), seeded_vpc(handle, "beijing-vpc")
    return {
        "routers": dict(REGION, cen_id=cen_id, transit_routers=[{"region": TOKYO, "name": "tokyo-tr"},
                                                                {"region": BEIJING, "name": "beijing-tr"}]),
        "vpcs": dict(REGION, cen_id=cen_id, attachments=[{"vpc_id": tokyo.id, "region": TOKYO, "name": "tokyo"},
                                                         {"vpc_id": beijing.id, "region": BEIJING, "name": "beijing"}]),
        "peer": dict(REGION, cen_id=cen_id, peer_attachments=[{"region": TOKYO, "peer_region": BEIJING,
                                                               "name": "tokyo-beijing",
                                                               "bandwidth_type": "DataTransfer"}]),
    }


def table_args(routers, vpc_attachments, peer_id):
    items = []
    for tr in routers:
        att = next(a["transit_router_attachment_id"] for a in vpc_attachments if a["region_id"] == tr["region_id"])
        items.append({"transit_router_id": tr["transit_router_id"], "system": True,
                      "associations": [att, peer_id], "propagations": [att, peer_id]})
    return dict(REGION, route_tables=items)


def build_hub(handle, checked=False):
    """The hub; ``checked`` runs every call through ``converge``. Returns the ids and the results."""
    run = (lambda module, args, compare=None: converge(handle, module, args, compare)) if checked else \
        (lambda module, args, compare=None: ok(module, args))
    cen = run("alicloud_cen", dict(REGION, name="transit-hub"))["cen"]
    args = hub_args(handle, cen["cen_id"])
    routers = run("alicloud_transit_router", args["routers"], same_regions)["transit_routers"]
    vpcs = run("alicloud_transit_router_vpc_attachment", args["vpcs"], same_zone_mappings)["attachments"]
    peer = run("alicloud_transit_router_peer_attachment", args["peer"])["peer_attachments"][0]
    tables = run("alicloud_transit_router_route_table",
                 table_args(routers, vpcs, peer["transit_router_attachment_id"]),
                 same_bindings)["route_tables"]
    return {"cen_id": cen["cen_id"], "routers": routers, "vpcs": vpcs, "peer": peer, "tables": tables,
            "args": args}


def same_regions(planned, done):
    assert [(t["region_id"], t["transit_router_id"]) for t in planned["transit_routers"]] == \
        [(TOKYO, None), (BEIJING, None)]
    assert [t["region_id"] for t in done["transit_routers"]] == [TOKYO, BEIJING]


def same_zone_mappings(planned, done):
    def zones(result):
        return [[(m["zone_id"], m["vswitch_id"]) for m in a["zone_mappings"]] for a in result["attachments"]]
    assert zones(planned) == zones(done)  # check mode chose the mappings the real run used


def same_bindings(planned, done):
    def bindings(result):
        return [(t["associations"], t["propagations"]) for t in result["route_tables"]]
    assert bindings(planned) == bindings(done)


def learned(table):
    return sorted(r["destination_cidr_block"] for r in table["routes"] if r["type"] == "Propagated")


def test_walkthrough_hub_converges_routes_both_ways_and_tears_down(today_twin):
    start = world(today_twin)
    hub = build_hub(today_twin, checked=True)
    routers, vpcs, peer = hub["routers"], hub["vpcs"], hub["peer"]
    assert [(t["region_id"], t["status"], t["type"], t["name"]) for t in routers] == [
        (TOKYO, "Active", "Enterprise", "tokyo-tr"), (BEIJING, "Active", "Enterprise", "beijing-tr")]
    assert all(t["system_route_table_id"].startswith("vtb-") for t in routers)
    # automatic mappings: one vSwitch in each of two zones of the VPC's region
    assert [sorted(m["zone_id"] for m in a["zone_mappings"]) for a in vpcs] == [
        ["ap-northeast-1a", "ap-northeast-1c"], ["cn-beijing-a", "cn-beijing-h"]]
    assert all(a["status"] == "Attached" and a["transit_router_attachment_id"].startswith("tr-attach-") for a in vpcs)
    assert (peer["region_id"], peer["peer_region_id"], peer["bandwidth_type"], peer["status"]) == (
        TOKYO, BEIJING, "DataTransfer", "Attached")

    # each region's system table holds its own vSwitches and the other region's, learned over the connection
    info = ok("alicloud_transit_router_info", dict(REGION, name="transit-hub"))
    assert info["cen"]["cen_id"] == hub["cen_id"]
    by_region = dict((t["region_id"], t) for t in info["transit_routers"])
    tokyo_table, beijing_table = (next(t for t in by_region[r]["route_tables"] if t["type"] == "System")
                                  for r in (TOKYO, BEIJING))
    assert learned(tokyo_table) == sorted(TOKYO_VSWITCHES + BEIJING_VSWITCHES)
    assert learned(beijing_table) == sorted(TOKYO_VSWITCHES + BEIJING_VSWITCHES)
    peer_id = peer["transit_router_attachment_id"]
    assert {r["next_hop"] for r in tokyo_table["routes"] if r["destination_cidr_block"] in BEIJING_VSWITCHES} == \
        {peer_id}
    assert {r["next_hop"] for r in beijing_table["routes"] if r["destination_cidr_block"] in TOKYO_VSWITCHES} == \
        {peer_id}
    assert [a["vpc_id"] for a in by_region[TOKYO]["vpc_attachments"]] == [vpcs[0]["vpc_id"]]
    assert [p["transit_router_attachment_id"] for p in by_region[BEIJING]["peer_attachments"]] == [peer_id]
    assert sorted(tokyo_table["associations"]) == sorted([vpcs[0]["transit_router_attachment_id"], peer_id])
    # the twin's own view agrees with what the API returned
    state = today_twin.twin.backend.state
    for table, other in ((tokyo_table, BEIJING_VSWITCHES), (beijing_table, TOKYO_VSWITCHES)):
        held = {e["TransitRouterRouteEntryDestinationCidrBlock"]: e["TransitRouterRouteEntryNextHopId"]
                for e in route_table_entries(state, table["transit_router_route_table_id"])}
        assert all(held[cidr] == peer_id for cidr in other)
    assert hub["tables"][0]["routes"] == tokyo_table["routes"]

    # teardown, in reverse order; the route tables are emptied by purging, not deleted (system tables)
    args = hub["args"]
    emptied = ok("alicloud_transit_router_route_table", dict(REGION, route_tables=[
        {"transit_router_id": t["transit_router_id"], "system": True, "associations": [], "propagations": []}
        for t in routers], purge_associations=True, purge_propagations=True), diff=True)
    assert emptied["changed"] and all(not t["associations"] and not t["propagations"] and not learned(t)
                                      for t in emptied["route_tables"])
    assert emptied["diff"]["after"][routers[0]["transit_router_id"] + "/system"]["associations"] == []
    for module, key in (("alicloud_transit_router_peer_attachment", "peer"),
                        ("alicloud_transit_router_vpc_attachment", "vpcs"),
                        ("alicloud_transit_router", "routers")):
        gone = ok(module, dict(args[key], state="absent"), diff=True)
        assert gone["changed"] and gone["diff"]["after"] == {}, module
        today_twin.clear_calls()
        assert not ok(module, dict(args[key], state="absent"))["changed"], module
        assert today_twin.mutating_calls() == [], module
    assert ok("alicloud_cen", dict(REGION, name="transit-hub", state="absent"))["changed"]
    assert world(today_twin) == start
    assert not any(today_twin.ali_resources(kind) for kind in TR_KINDS)


def test_updates_in_place_rename_republish_rezone_and_throttle(today_twin):
    from cloudtwin.alicloud.models.transit_router_routes import vpc_routes_from_transit_router

    hub = build_hub(today_twin)
    args = hub["args"]
    routers = ok("alicloud_transit_router", dict(args["routers"], transit_routers=[
        {"region": TOKYO, "name": "tokyo-hub", "description": "Tokyo"}, {"region": BEIJING}]), diff=True)
    assert routers["changed"] and routers["transit_routers"][0]["name"] == "tokyo-hub"
    assert routers["diff"]["after"][TOKYO]["description"] == "Tokyo"
    assert [t["transit_router_id"] for t in routers["transit_routers"]] == [
        t["transit_router_id"] for t in hub["routers"]]  # the same routers, renamed in place

    # the other vSwitch of zone a takes the router's ENI; the zone c mapping stays; routes are advertised
    tokyo = hub["vpcs"][0]
    zone_a, zone_c = tokyo["zone_mappings"]
    other_a = next(v for v in today_twin.ali_resources("VSwitch") if v["VpcId"] == tokyo["vpc_id"]
                   and v["ZoneId"] == "ap-northeast-1a" and v.id != zone_a["vswitch_id"])
    free_before = other_a["AvailableIpAddressCount"]
    item = dict(args["vpcs"]["attachments"][0], auto_publish_route_enabled=True, zone_mappings=[
        {"zone_id": "ap-northeast-1a", "vswitch_id": other_a.id},
        {"zone_id": "ap-northeast-1c", "vswitch_id": zone_c["vswitch_id"]}])
    planned = ok("alicloud_transit_router_vpc_attachment", dict(args["vpcs"], attachments=[item]), check_mode=True)
    today_twin.clear_calls()
    moved = ok("alicloud_transit_router_vpc_attachment", dict(args["vpcs"], attachments=[item]), diff=True)
    assert sorted(today_twin.mutating_calls()) == ["UpdateTransitRouterVpcAttachmentAttribute",
                                                   "UpdateTransitRouterVpcAttachmentZones"]
    att = moved["attachments"][0]
    assert att["transit_router_attachment_id"] == tokyo["transit_router_attachment_id"] and att["status"] == "Attached"
    assert [(m["zone_id"], m["vswitch_id"]) for m in att["zone_mappings"]] == [
        (m["zone_id"], m["vswitch_id"]) for m in planned["attachments"][0]["zone_mappings"]] == [
        ("ap-northeast-1a", other_a.id), ("ap-northeast-1c", zone_c["vswitch_id"])]
    assert att["auto_publish_route_enabled"] and other_a["AvailableIpAddressCount"] == free_before - 1
    state = today_twin.twin.backend.state
    advertised = sorted(r["DestinationCidrBlock"] for r in vpc_routes_from_transit_router(
        state, seeded_vpc(today_twin, "tokyo-vpc")))
    assert advertised == BEIJING_VSWITCHES
    # without zone_mappings a re-run keeps what the connection has
    today_twin.clear_calls()
    kept = ok("alicloud_transit_router_vpc_attachment", args["vpcs"])
    assert not kept["changed"] and today_twin.mutating_calls() == []
    assert kept["attachments"][0]["zone_mappings"] == att["zone_mappings"]

    peer = ok("alicloud_transit_router_peer_attachment", dict(args["peer"], peer_attachments=[
        dict(args["peer"]["peer_attachments"][0], bandwidth=5)]), diff=True)
    assert peer["changed"] and peer["peer_attachments"][0]["bandwidth"] == 5
    assert peer["peer_attachments"][0]["status"] == "Attached"
    assert peer["diff"]["before"]["ap-northeast-1 <-> cn-beijing"]["bandwidth"] == 0


def test_hub_converges_with_slow_states_late_reads_and_throttling(today_twin):
    """Async states that take their time, resources that reads see late, and throttled calls: the modules wait by
    the ids the creates returned and retry, so the hub still converges in one run and a re-run changes nothing."""
    kinds = ("TransitRouter", "TransitRouterVpcAttachment", "TransitRouterPeerAttachment", "TransitRouterRouteTable",
             "TransitRouterRouteTableAssociation", "TransitRouterRouteTablePropagation", "TransitRouterRouteEntry")
    today_twin.twin.faults.update({"consistency_delay": 0.2, "delays": dict((k, 0.1) for k in kinds),
                                   "throttle_rate": 0.05, "seed": 7})
    hub = build_hub(today_twin)
    assert all(t["status"] == "Active" and t["system_route_table_id"] for t in hub["routers"])
    assert learned(hub["tables"][1]) == sorted(TOKYO_VSWITCHES + BEIJING_VSWITCHES)
    assert len(today_twin.ali_resources("TransitRouter")) == 2  # no duplicate from a retried create
    assert len(today_twin.ali_resources("TransitRouterVpcAttachment")) == 2
    assert today_twin.twin.faults.injected["throttle"] > 0
    today_twin.clear_calls()
    again = build_hub(today_twin)
    assert again["cen_id"] == hub["cen_id"] and today_twin.mutating_calls() == []
