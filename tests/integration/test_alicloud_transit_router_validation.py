"""The transit router modules refuse bad input before any change, naming the field and the fix; the
Basic-edition modules (alicloud_cen attachments, alicloud_cen_route) point to them on an Enterprise CEN."""

from __future__ import annotations

from test_alicloud_transit_router import BEIJING, REGION, TOKYO, build_hub
from twinhelpers import ok, run_module, seeded_vpc, vpc_call


def refused(handle, module, args, *phrases):
    """``module`` fails with every phrase in its message and makes no mutating call."""
    handle.clear_calls()
    result = run_module(module, args)
    assert result["failed"], result
    for phrase in phrases:
        assert phrase in result["msg"], (phrase, result["msg"])
    assert handle.mutating_calls() == [], handle.mutating_calls()
    return result


def cen_with_routers(regions=(TOKYO,)):
    cen_id = ok("alicloud_cen", dict(REGION, name="hub"))["cen"]["cen_id"]
    routers = ok("alicloud_transit_router", dict(REGION, cen_id=cen_id, transit_routers=[
        {"region": r} for r in regions]))["transit_routers"]
    return cen_id, routers


def one_zone_vpc(handle):
    """A Tokyo VPC whose only vSwitch is in ap-northeast-1a, made through the VPC API."""
    vpc_id = vpc_call(handle, "CreateVpc", CidrBlock="172.20.0.0/16", VpcName="one-zone")["VpcId"]
    vsw_id = vpc_call(handle, "CreateVSwitch", VpcId=vpc_id, CidrBlock="172.20.0.0/24",
                      ZoneId="ap-northeast-1a")["VSwitchId"]
    return vpc_id, vsw_id


def test_zone_mappings_are_checked_before_anything_is_connected(today_twin):
    cen_id, dummy = cen_with_routers()
    tokyo = seeded_vpc(today_twin, "tokyo-vpc")
    vpc_id, vsw_id = one_zone_vpc(today_twin)
    items = [{"vpc_id": tokyo.id, "region": TOKYO}, {"vpc_id": vpc_id, "region": TOKYO}]
    refused(today_twin, "alicloud_transit_router_vpc_attachment", dict(REGION, cen_id=cen_id, attachments=items),
            "attachments[1].zone_mappings", vpc_id, "ap-northeast-1a only", "Add a vSwitch in a second zone")
    one_zone = [{"zone_id": "ap-northeast-1a", "vswitch_id": vsw_id}]
    refused(today_twin, "alicloud_transit_router_vpc_attachment", dict(REGION, cen_id=cen_id, attachments=[
        dict(items[1], zone_mappings=one_zone)]), "attachments[0].zone_mappings", "at least 2 zones")
    wrong_zone = one_zone + [{"zone_id": "ap-northeast-1c", "vswitch_id": vsw_id}]
    refused(today_twin, "alicloud_transit_router_vpc_attachment", dict(REGION, cen_id=cen_id, attachments=[
        dict(items[1], zone_mappings=wrong_zone)]), "attachments[0].zone_mappings[1]", "is in zone ap-northeast-1a")
    not_its_vswitch = [{"zone_id": "ap-northeast-1a", "vswitch_id": vsw_id},
                       {"zone_id": "ap-northeast-1c", "vswitch_id": vsw_id.replace("vsw-", "vsw-x")}]
    refused(today_twin, "alicloud_transit_router_vpc_attachment", dict(REGION, cen_id=cen_id, attachments=[
        dict(items[1], zone_mappings=not_its_vswitch)]), "zone_mappings[1].vswitch_id", "is not a vSwitch of VPC")
    assert today_twin.ali_resources("TransitRouterVpcAttachment") == []


def test_regions_without_a_router_and_unknown_regions(today_twin):
    cen_id, dummy = cen_with_routers()
    refused(today_twin, "alicloud_transit_router", dict(REGION, cen_id=cen_id, transit_routers=[
        {"region": BEIJING}, {"region": "ap-nowhere-1"}]), "transit_routers[1].region ap-nowhere-1",
        "not an Alibaba Cloud region")
    refused(today_twin, "alicloud_transit_router", dict(REGION, cen_id=cen_id, transit_routers=[
        {"region": TOKYO}, {"region": TOKYO}]), "transit_routers[1].region", "one router per CEN and region")
    beijing = seeded_vpc(today_twin, "beijing-vpc")
    refused(today_twin, "alicloud_transit_router_vpc_attachment", dict(REGION, cen_id=cen_id, attachments=[
        {"vpc_id": beijing.id, "region": BEIJING}]), "attachments[0].region", "has no transit router in cn-beijing",
        "alicloud_transit_router")
    refused(today_twin, "alicloud_transit_router_vpc_attachment", dict(REGION, cen_id=cen_id, attachments=[
        {"vpc_id": beijing.id, "region": TOKYO}]), "attachments[0].vpc_id", "not found in ap-northeast-1")
    refused(today_twin, "alicloud_transit_router_peer_attachment", dict(REGION, cen_id=cen_id, peer_attachments=[
        {"region": TOKYO, "peer_region": BEIJING}]), "peer_attachments[0].peer_region",
        "no transit router in cn-beijing")
    refused(today_twin, "alicloud_transit_router_peer_attachment", dict(REGION, cen_id=cen_id, peer_attachments=[
        {"region": TOKYO, "peer_region": "ap-nowhere-1"}]), "ap-nowhere-1 is not an Alibaba Cloud region")
    refused(today_twin, "alicloud_transit_router", dict(REGION, cen_id="cen-doesnotexist00000", transit_routers=[
        {"region": TOKYO}]), "cen_id", "alicloud_cen")


def test_peer_bandwidth_rules(today_twin):
    cen_id, dummy = cen_with_routers((TOKYO, BEIJING))
    pair = {"region": TOKYO, "peer_region": BEIJING}
    for item, phrases in (
            (dict(pair, bandwidth_type="DataTransfer", cen_bandwidth_package_id="cenbwp-1"),
             ("cen_bandwidth_package_id is for bandwidth_type BandwidthPackage",)),
            (dict(pair, bandwidth=10), ("peer_attachments[0].bandwidth 10", "cen_bandwidth_package_id")),
            (dict(pair, default_link_type="Platinum"), ("Platinum needs bandwidth_type DataTransfer",)),
            (dict(pair, peer_region=TOKYO), ("region and peer_region are both ap-northeast-1",))):
        refused(today_twin, "alicloud_transit_router_peer_attachment",
                dict(REGION, cen_id=cen_id, peer_attachments=[item]), *phrases)
    refused(today_twin, "alicloud_transit_router_peer_attachment", dict(REGION, cen_id=cen_id, peer_attachments=[
        pair, {"region": BEIJING, "peer_region": TOKYO}]), "peer_attachments[1] joins the same two routers")


def test_route_table_next_hops_and_bindings_are_checked(today_twin):
    hub = build_hub(today_twin)
    tokyo_tr = hub["routers"][0]["transit_router_id"]
    beijing_att = hub["vpcs"][1]["transit_router_attachment_id"]
    tokyo_att = hub["vpcs"][0]["transit_router_attachment_id"]
    system = {"transit_router_id": tokyo_tr, "system": True}

    def table(**fields):
        return dict(REGION, route_tables=[dict(system, **fields)])

    refused(today_twin, "alicloud_transit_router_route_table", table(routes=[
        {"destination_cidr_block": "10.0.0.0/8", "next_hop": tokyo_att},
        {"destination_cidr_block": "172.16.0.0/12", "next_hop": beijing_att}]),
        "route_tables[0].routes[1].next_hop %s is not a connection of transit router %s" % (beijing_att, tokyo_tr))
    refused(today_twin, "alicloud_transit_router_route_table", table(routes=[
        {"destination_cidr_block": "10.99.0.0/16", "blackhole": True, "next_hop": tokyo_att}]),
        "routes[0] (10.99.0.0/16): a blackhole route", "takes no next_hop")
    refused(today_twin, "alicloud_transit_router_route_table", table(routes=[
        {"destination_cidr_block": "10.99.0.0/16"}]), "needs next_hop", "or blackhole=true")
    refused(today_twin, "alicloud_transit_router_route_table", table(routes=[
        {"destination_cidr_block": "10.99.0.1/16", "blackhole": True}]), "routes[0].destination_cidr_block")
    refused(today_twin, "alicloud_transit_router_route_table", table(associations=[beijing_att]),
            "route_tables[0].associations[0] %s is not a connection" % beijing_att)
    other = {"transit_router_id": tokyo_tr, "name": "other", "associations": [tokyo_att]}
    refused(today_twin, "alicloud_transit_router_route_table", dict(REGION, route_tables=[
        dict(system, associations=[tokyo_att]), other]), "route_tables[1].associations", "forwards by one route table")
    refused(today_twin, "alicloud_transit_router_route_table", dict(REGION, route_tables=[system], state="absent"),
            "system route table goes only with its transit router")
    refused(today_twin, "alicloud_transit_router_route_table", dict(REGION, route_tables=[
        {"transit_router_id": "tr-doesnotexist0000000", "system": True}]), "route_tables[0].transit_router_id",
        "alicloud_transit_router")


def test_deletes_name_what_still_depends_on_them(today_twin):
    hub = build_hub(today_twin)
    args = hub["args"]
    tokyo_att = hub["vpcs"][0]["transit_router_attachment_id"]
    refused(today_twin, "alicloud_transit_router_vpc_attachment", dict(args["vpcs"], state="absent"),
            "attachments[0]", tokyo_att, "it is associated with route table", "learns its routes", "force=true")
    refused(today_twin, "alicloud_transit_router_peer_attachment", dict(args["peer"], state="absent"),
            "inter-region connection", "force=true")
    refused(today_twin, "alicloud_transit_router", dict(args["routers"], state="absent"),
            "transit_routers[0]", "cannot be deleted while it has VPC connections", tokyo_att,
            "alicloud_transit_router_vpc_attachment")
    refused(today_twin, "alicloud_cen", dict(REGION, name="transit-hub", state="absent"),
            "still has Enterprise Edition transit routers", "alicloud_transit_router")
    # force takes the associations and route learning with the connection
    gone = ok("alicloud_transit_router_vpc_attachment", dict(args["vpcs"], state="absent", force=True))
    assert gone["changed"] and today_twin.ali_resources("TransitRouterVpcAttachment") == []
    assert all(a["TransitRouterAttachmentId"] == hub["peer"]["transit_router_attachment_id"]
               for a in today_twin.ali_resources("TransitRouterRouteTableAssociation"))


def test_basic_edition_modules_point_to_the_transit_router_modules(today_twin):
    tokyo = seeded_vpc(today_twin, "tokyo-vpc")
    attach = dict(REGION, name="hub", attachments=[{"instance_id": tokyo.id, "region_id": TOKYO}])
    # a CEN of today without any transit router yet: the cloud refuses the Basic attachment, the module explains
    fresh = run_module("alicloud_cen", attach)
    assert fresh["failed"] and "uses Enterprise Edition transit routers" in fresh["msg"]
    assert "multicloud.transit.alicloud_transit_router_vpc_attachment" in fresh["msg"]
    assert today_twin.ali_resources("CenChildInstance") == []
    cen_id = ok("alicloud_cen", dict(REGION, name="hub"))["cen"]["cen_id"]
    ok("alicloud_transit_router", dict(REGION, cen_id=cen_id, transit_routers=[{"region": TOKYO}]))
    # with its transit router, the edition is known before any change: nothing is called, not even a rename
    refused(today_twin, "alicloud_cen", dict(attach, cen_id=cen_id, name="renamed"),
            "CEN %s uses Enterprise Edition transit routers: attach VPCs with "
            "multicloud.transit.alicloud_transit_router_vpc_attachment" % cen_id)
    refused(today_twin, "alicloud_cen_route", dict(REGION, cen_id=cen_id, vpc_id=tokyo.id,
                                                   destinations=["172.16.0.0/12"]),
            "CEN %s uses Enterprise Edition transit routers" % cen_id,
            "multicloud.transit.alicloud_transit_router_route_table")
    # the CEN instance itself is still managed: rename, then delete once its router is gone
    assert ok("alicloud_cen", dict(REGION, cen_id=cen_id, name="renamed"))["cen"]["name"] == "renamed"
    ok("alicloud_transit_router", dict(REGION, cen_id=cen_id, state="absent"))
    assert ok("alicloud_cen", dict(REGION, cen_id=cen_id, name="renamed", state="absent"))["changed"]
    assert today_twin.ali_resources("Cen") == []
