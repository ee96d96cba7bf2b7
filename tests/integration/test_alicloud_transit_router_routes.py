"""alicloud_transit_router_route_table on the walkthrough hub: static and blackhole routes, purge_routes,
purge_propagations, associations moved between tables, custom tables created and deleted."""

from __future__ import annotations

from cloudtwin.alicloud.models.transit_router_routes import route_table_entries
from test_alicloud_transit_router import REGION, build_hub
from twinhelpers import ok

MODULE = "alicloud_transit_router_route_table"


def statics(table):
    return dict((r["destination_cidr_block"], "blackhole" if r["blackhole"] else r["next_hop"])
                for r in table["routes"] if r["type"] == "Static")


def twin_route(handle, table_id, cidr):
    """The route the twin's table holds for ``cidr`` (static or learned), or None."""
    return next((e for e in route_table_entries(handle.twin.backend.state, table_id)
                 if e["TransitRouterRouteEntryDestinationCidrBlock"] == cidr
                 and e["TransitRouterRouteEntryStatus"] == "Active"), None)


def test_static_and_blackhole_routes_replace_rename_and_purge(today_twin):
    hub = build_hub(today_twin)
    tokyo_tr = hub["routers"][0]["transit_router_id"]
    table_id = hub["routers"][0]["system_route_table_id"]
    peer_id = hub["peer"]["transit_router_attachment_id"]
    tokyo_att = hub["vpcs"][0]["transit_router_attachment_id"]
    routes = [{"destination_cidr_block": "172.16.0.0/12", "next_hop": peer_id, "name": "to-aws"},
              {"destination_cidr_block": "10.99.0.0/16", "blackhole": True, "description": "never"},
              # a static route wins over the learned route of the same destination
              {"destination_cidr_block": "192.168.1.0/24", "next_hop": tokyo_att}]
    args = dict(REGION, route_tables=[{"transit_router_id": tokyo_tr, "system": True, "routes": routes}])
    planned = ok(MODULE, args, check_mode=True)
    done = ok(MODULE, args, diff=True)
    assert statics(planned["route_tables"][0]) == statics(done["route_tables"][0]) == {
        "172.16.0.0/12": peer_id, "10.99.0.0/16": "blackhole", "192.168.1.0/24": tokyo_att}
    assert done["diff"]["after"][tokyo_tr + "/system"]["routes"]["10.99.0.0/16"] == "blackhole"
    blackhole = next(r for r in done["route_tables"][0]["routes"] if r["destination_cidr_block"] == "10.99.0.0/16")
    assert (blackhole["next_hop"], blackhole["next_hop_type"], blackhole["description"]) == (None, "BlackHole", "never")
    assert twin_route(today_twin, table_id, "192.168.1.0/24")["TransitRouterRouteEntryType"] == "Static"
    today_twin.clear_calls()
    assert not ok(MODULE, args)["changed"] and today_twin.mutating_calls() == []

    # a new next hop replaces the route (delete, then create); a new name updates it in place
    routes[0] = dict(routes[0], next_hop=tokyo_att)
    routes[1] = dict(routes[1], name="sink")
    today_twin.clear_calls()
    changed = ok(MODULE, args)
    assert changed["changed"]
    assert sorted(today_twin.mutating_calls()) == [
        "CreateTransitRouterRouteEntry", "DeleteTransitRouterRouteEntry", "UpdateTransitRouterRouteEntry"]
    assert statics(changed["route_tables"][0])["172.16.0.0/12"] == tokyo_att
    assert next(r for r in changed["route_tables"][0]["routes"]
                if r["destination_cidr_block"] == "10.99.0.0/16")["name"] == "sink"

    # without purge_routes an unlisted route stays; with it, it goes
    kept = ok(MODULE, dict(args, route_tables=[dict(args["route_tables"][0], routes=routes[1:2])]))
    assert not kept["changed"] and len(statics(kept["route_tables"][0])) == 3
    purged = ok(MODULE, dict(args, route_tables=[dict(args["route_tables"][0], routes=routes[1:2])],
                             purge_routes=True), diff=True)
    assert statics(purged["route_tables"][0]) == {"10.99.0.0/16": "blackhole"}
    assert twin_route(today_twin, table_id, "172.16.0.0/12") is None
    # the learned route is back once the static one is gone
    assert twin_route(today_twin, table_id, "192.168.1.0/24")["TransitRouterRouteEntryNextHopId"] == peer_id


def test_associations_move_between_tables_and_custom_tables_go(today_twin):
    hub = build_hub(today_twin)
    tokyo = hub["routers"][0]
    tokyo_att = hub["vpcs"][0]["transit_router_attachment_id"]
    peer_id = hub["peer"]["transit_router_attachment_id"]
    custom = {"transit_router_id": tokyo["transit_router_id"], "name": "vpc-table", "description": "Tokyo VPC",
              "associations": [tokyo_att], "propagations": [peer_id]}
    args = dict(REGION, route_tables=[custom])
    planned = ok(MODULE, args, check_mode=True)
    assert planned["route_tables"][0]["transit_router_route_table_id"] is None
    assert planned["route_tables"][0]["associations"] == [tokyo_att]
    assert len(today_twin.ali_resources("TransitRouterRouteTable")) == 2  # check mode: still the system tables only
    moved = ok(MODULE, args, diff=True)["route_tables"][0]
    assert (moved["type"], moved["name"], moved["associations"], moved["propagations"]) == (
        "Custom", "vpc-table", [tokyo_att], [peer_id])
    # the Tokyo VPC now forwards by the custom table: it learns Beijing over the connection, not Tokyo itself
    assert sorted(r["destination_cidr_block"] for r in moved["routes"]) == ["192.168.0.0/24", "192.168.1.0/24"]
    system = ok("alicloud_transit_router_info", dict(REGION, cen_id=hub["cen_id"], regions=["ap-northeast-1"]))
    system = next(t for t in system["transit_routers"][0]["route_tables"] if t["type"] == "System")
    assert system["associations"] == [peer_id]
    today_twin.clear_calls()
    assert not ok(MODULE, args)["changed"] and today_twin.mutating_calls() == []

    # one call moves it back: the system table takes it, the custom table is purged of it
    back = ok(MODULE, dict(REGION, route_tables=[
        {"transit_router_id": tokyo["transit_router_id"], "system": True, "associations": [tokyo_att, peer_id]},
        dict(custom, associations=[], propagations=[])], purge_associations=True, purge_propagations=True),
        diff=True)
    assert [(t["type"], t["associations"], t["propagations"]) for t in back["route_tables"]] == [
        ("System", sorted([tokyo_att, peer_id]), sorted([tokyo_att, peer_id])), ("Custom", [], [])]
    assert back["diff"]["before"][tokyo["transit_router_id"] + "/vpc-table"]["associations"] == [tokyo_att]

    gone = ok(MODULE, dict(args, state="absent"), diff=True)
    assert gone["changed"] and gone["route_tables"] == [] and gone["diff"]["after"] == {}
    assert len(today_twin.ali_resources("TransitRouterRouteTable")) == 2
    today_twin.clear_calls()
    assert not ok(MODULE, dict(args, state="absent"))["changed"] and today_twin.mutating_calls() == []


def test_state_absent_takes_a_custom_table_with_everything_bound_to_it(today_twin):
    hub = build_hub(today_twin)
    beijing = hub["routers"][1]
    beijing_att = hub["vpcs"][1]["transit_router_attachment_id"]
    table = {"transit_router_id": beijing["transit_router_id"], "name": "spare", "propagations": [beijing_att],
             "routes": [{"destination_cidr_block": "10.99.0.0/16", "blackhole": True}]}
    made = ok(MODULE, dict(REGION, route_tables=[table]))["route_tables"][0]
    assert made["propagations"] == [beijing_att] and statics(made) == {"10.99.0.0/16": "blackhole"}
    ok(MODULE, dict(REGION, route_tables=[table], state="absent"))
    assert [t["TransitRouterRouteTableType"] for t in today_twin.ali_resources("TransitRouterRouteTable")] == [
        "System", "System"]
    assert today_twin.ali_resources("TransitRouterRouteEntry") == []
