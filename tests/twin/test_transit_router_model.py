"""The twin's Enterprise Edition transit routers through the official cbn / vpc SDK clients over HTTP:
routers, VPC and inter-region attachments, route tables, associations, route learning, static routes,
VPC routes toward a router, teardown, and the rules on zones, idempotency and pagination."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import ANY

import pytest

from twinhelpers import api_error, cbn_call, seeded_vpc, seeded_vswitch, vpc_call

TOKYO, BEIJING = "ap-northeast-1", "cn-beijing"
TR_KINDS = ("TransitRouter", "TransitRouterVpcAttachment", "TransitRouterPeerAttachment", "TransitRouterVpnAttachment",
            "TransitRouterRouteTable", "TransitRouterRouteTableAssociation", "TransitRouterRouteTablePropagation",
            "TransitRouterRouteEntry")


def cbn(handle, action, **params):
    return cbn_call(handle, action, **params)


def free_ips(handle, vsw_name):
    vsw = seeded_vswitch(handle, vsw_name)
    body = vpc_call(handle, "DescribeVSwitches", region=vsw.region, VSwitchId=vsw.id)
    return body["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"]


def zones(handle, *vsw_names):
    return [{"ZoneId": seeded_vswitch(handle, n)["ZoneId"], "VSwitchId": seeded_vswitch(handle, n).id}
            for n in vsw_names]


def new_cen(handle):
    return cbn(handle, "CreateCen", Name="hub")["CenId"]


def new_router(handle, cen_id, region):
    return cbn(handle, "CreateTransitRouter", CenId=cen_id, RegionId=region,
               TransitRouterName=f"tr-{region}")["TransitRouterId"]


def attach_vpc(handle, tr_id, vpc_name, *vsw_names, **extra):
    vpc = seeded_vpc(handle, vpc_name)
    return cbn(handle, "CreateTransitRouterVpcAttachment", TransitRouterId=tr_id, RegionId=vpc.region, VpcId=vpc.id,
               ZoneMappings=zones(handle, *vsw_names), **extra)["TransitRouterAttachmentId"]


def system_table(handle, tr_id):
    tables = cbn(handle, "ListTransitRouterRouteTables", TransitRouterId=tr_id,
                 TransitRouterRouteTableType="System")["TransitRouterRouteTables"]
    assert len(tables) == 1
    return tables[0]["TransitRouterRouteTableId"]


def link(handle, attachment_id, table_id):
    """Associate and propagate: the attachment forwards by the table and the table learns its routes."""
    cbn(handle, "AssociateTransitRouterAttachmentWithRouteTable", TransitRouterAttachmentId=attachment_id,
        TransitRouterRouteTableId=table_id)
    cbn(handle, "EnableTransitRouterRouteTablePropagation", TransitRouterAttachmentId=attachment_id,
        TransitRouterRouteTableId=table_id)


def unlink(handle, attachment_id, table_id):
    cbn(handle, "DisableTransitRouterRouteTablePropagation", TransitRouterAttachmentId=attachment_id,
        TransitRouterRouteTableId=table_id)
    cbn(handle, "DissociateTransitRouterAttachmentFromRouteTable", TransitRouterAttachmentId=attachment_id,
        TransitRouterRouteTableId=table_id)


def routes(handle, table_id, **filters):
    body = cbn(handle, "ListTransitRouterRouteEntries", TransitRouterRouteTableId=table_id, **filters)
    return {e["TransitRouterRouteEntryDestinationCidrBlock"]: e for e in body["TransitRouterRouteEntries"]}


def vpc_routes(handle, vpc_name, account="main"):
    vpc = seeded_vpc(handle, vpc_name)
    body = vpc_call(handle, "DescribeRouteEntryList", account=account, region=vpc.region,
                    RouteTableId=vpc["RouteTableId"])
    return {e["DestinationCidrBlock"]: e for e in body["RouteEntrys"]["RouteEntry"]}


def build_hub(handle):
    """Both seed VPCs attached (two zones each) to one router per region, joined by an inter-region connection
    on a bandwidth package, every attachment associated with and propagating into its router's system table."""
    hub = SimpleNamespace(cen=new_cen(handle))
    hub.tr_tokyo, hub.tr_beijing = new_router(handle, hub.cen, TOKYO), new_router(handle, hub.cen, BEIJING)
    hub.att_tokyo = attach_vpc(handle, hub.tr_tokyo, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    hub.att_beijing = attach_vpc(handle, hub.tr_beijing, "beijing-vpc", "beijing-vsw-1", "beijing-vsw-2")
    hub.package = cbn(handle, "CreateCenBandwidthPackage", GeographicRegionAId="China",
                      GeographicRegionBId="Asia-Pacific", Bandwidth=10,
                      BandwidthPackageChargeType="POSTPAY")["CenBandwidthPackageId"]
    cbn(handle, "AssociateCenBandwidthPackage", CenId=hub.cen, CenBandwidthPackageId=hub.package)
    peer = dict(TransitRouterId=hub.tr_tokyo, RegionId=TOKYO, PeerTransitRouterId=hub.tr_beijing,
                PeerTransitRouterRegionId=BEIJING, BandwidthType="BandwidthPackage",
                CenBandwidthPackageId=hub.package)
    assert api_error(cbn, handle, "CreateTransitRouterPeerAttachment", Bandwidth=11, **peer).code == \
        "InvalidOperation.BwpBandwidthExceeded"
    hub.peer = cbn(handle, "CreateTransitRouterPeerAttachment", Bandwidth=5, **peer)["TransitRouterAttachmentId"]
    hub.table_tokyo, hub.table_beijing = system_table(handle, hub.tr_tokyo), system_table(handle, hub.tr_beijing)
    for attachment, table in ((hub.att_tokyo, hub.table_tokyo), (hub.peer, hub.table_tokyo),
                              (hub.att_beijing, hub.table_beijing), (hub.peer, hub.table_beijing)):
        link(handle, attachment, table)
    return hub


TOKYO_VSWITCHES = ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
BEIJING_VSWITCHES = ["192.168.0.0/24", "192.168.1.0/24"]


def test_an_enterprise_hub_across_two_regions(today_twin):
    twin = today_twin
    ips_before = {name: free_ips(twin, name) for name in ("tokyo-vsw-1", "tokyo-vsw-2", "beijing-vsw-2")}
    hub = build_hub(twin)

    routers = {r["TransitRouterId"]: r for r in cbn(twin, "ListTransitRouters", CenId=hub.cen)["TransitRouters"]}
    assert {(r["RegionId"], r["Type"], r["Status"]) for r in routers.values()} == \
        {(TOKYO, "Enterprise", "Active"), (BEIJING, "Enterprise", "Active")}
    assert api_error(new_router, twin, hub.cen, TOKYO).code == "InstanceExist.TransitRouterInstance"

    attachment = cbn(twin, "ListTransitRouterVpcAttachments", TransitRouterId=hub.tr_tokyo)["TransitRouterAttachments"]
    assert [(a["TransitRouterAttachmentId"], a["Status"], a["ResourceType"]) for a in attachment] == \
        [(hub.att_tokyo, "Attached", "VPC")]
    assert sorted(z["ZoneId"] for z in attachment[0]["ZoneMappings"]) == ["ap-northeast-1a", "ap-northeast-1c"]
    assert all(z["NetworkInterfaceId"].startswith("eni-") for z in attachment[0]["ZoneMappings"])
    # the router's ENI takes one address in each vSwitch of the attachment
    assert {n: free_ips(twin, n) for n in ips_before} == {n: c - 1 for n, c in ips_before.items()}

    peers = cbn(twin, "ListTransitRouterPeerAttachments", TransitRouterId=hub.tr_beijing)["TransitRouterAttachments"]
    assert [(p["TransitRouterAttachmentId"], p["Bandwidth"], p["GeographicSpanId"], p["Status"]) for p in peers] == \
        [(hub.peer, 5, "asia-pacific_china", "Attached")]
    from cloudtwin.alicloud.models.transit_router_attachments import peer_bandwidth

    assert peer_bandwidth(twin.twin.backend.state, hub.peer)["kbps"] == 5000

    # each region's table learns its own VPC's vSwitches and, over the inter-region connection, the other's
    tokyo = routes(twin, hub.table_tokyo)
    assert sorted(tokyo) == sorted(TOKYO_VSWITCHES + BEIJING_VSWITCHES)
    assert {tokyo[d]["TransitRouterRouteEntryNextHopId"] for d in TOKYO_VSWITCHES} == {hub.att_tokyo}
    learned = tokyo["192.168.1.0/24"]
    assert (learned["TransitRouterRouteEntryType"], learned["TransitRouterRouteEntryNextHopId"],
            learned["TransitRouterRouteEntryNextHopResourceType"], learned["TransitRouterRouteEntryNextHopResourceId"],
            learned["PathAttributes"]["OriginInstanceId"]) == \
        ("Propagated", hub.peer, "TR", hub.tr_beijing, seeded_vpc(twin, "beijing-vpc").id)
    beijing = routes(twin, hub.table_beijing)
    assert sorted(beijing) == sorted(TOKYO_VSWITCHES + BEIJING_VSWITCHES)
    assert beijing["10.0.0.0/24"]["TransitRouterRouteEntryNextHopId"] == hub.peer
    assert "10.0.0.0/8" not in beijing  # the vSwitch routes, not the VPC CIDR
    # nothing comes back over the connection it left by: Tokyo holds its own prefixes once, from its VPC
    held = cbn(twin, "ListTransitRouterRouteEntries", TransitRouterRouteTableId=hub.table_tokyo,
               TransitRouterRouteEntryStatus="All", MaxResults=100)["TransitRouterRouteEntries"]
    assert sorted((e["TransitRouterRouteEntryDestinationCidrBlock"], e["TransitRouterRouteEntryNextHopId"])
                  for e in held) == sorted([(d, hub.att_tokyo) for d in TOKYO_VSWITCHES] +
                                           [(d, hub.peer) for d in BEIJING_VSWITCHES])

    # a static route in Tokyo travels to Beijing; a blackhole stays where it is
    cbn(twin, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=hub.table_tokyo,
        TransitRouterRouteEntryDestinationCidrBlock="172.16.0.0/12", TransitRouterRouteEntryNextHopType="Attachment",
        TransitRouterRouteEntryNextHopId=hub.att_tokyo, TransitRouterRouteEntryName="to-aws")
    cbn(twin, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=hub.table_tokyo,
        TransitRouterRouteEntryDestinationCidrBlock="203.0.113.0/24", TransitRouterRouteEntryNextHopType="BlackHole")
    static = routes(twin, hub.table_tokyo, TransitRouterRouteEntryType="Static")
    assert sorted(static) == ["172.16.0.0/12", "203.0.113.0/24"]
    assert static["172.16.0.0/12"]["OperationalMode"] and static["172.16.0.0/12"]["TransitRouterRouteEntryId"]
    assert "172.16.0.0/12" in routes(twin, hub.table_beijing) and "203.0.113.0/24" not in routes(twin, hub.table_beijing)
    same = dict(TransitRouterRouteTableId=hub.table_tokyo, TransitRouterRouteEntryDestinationCidrBlock="172.16.0.0/12",
                TransitRouterRouteEntryNextHopType="BlackHole")
    assert api_error(cbn, twin, "CreateTransitRouterRouteEntry", **same).code == \
        "OperationFailed.CreateRouteEntryWithSameDestinationCidrBlock"
    # a static route beats the learned one for the same prefix: the learned one waits as a Candidate
    override = cbn(twin, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=hub.table_tokyo,
                   TransitRouterRouteEntryDestinationCidrBlock="192.168.1.0/24",
                   TransitRouterRouteEntryNextHopType="BlackHole")["TransitRouterRouteEntryId"]
    every = cbn(twin, "ListTransitRouterRouteEntries", TransitRouterRouteTableId=hub.table_tokyo,
                TransitRouterRouteEntryStatus="All",
                TransitRouterRouteEntryDestinationCidrBlock="192.168.1.0/24")["TransitRouterRouteEntries"]
    assert sorted((e["TransitRouterRouteEntryType"], e["TransitRouterRouteEntryStatus"]) for e in every) == \
        [("Propagated", "Candidate"), ("Static", "Active")]
    longest = routes(twin, hub.table_tokyo, RouteFilter=[{"Key": "LongestPrefixMatchCidrs", "Value": ["192.168.1.7"]}])
    assert [(d, e["TransitRouterRouteEntryNextHopType"]) for d, e in longest.items()] == \
        [("192.168.1.0/24", "BlackHole")]
    cbn(twin, "DeleteTransitRouterRouteEntry", TransitRouterRouteEntryId=override)
    assert routes(twin, hub.table_tokyo)["192.168.1.0/24"]["TransitRouterRouteEntryType"] == "Propagated"

    # VPC routes toward the routers: the VPC API's CreateRouteEntry and CBN's child-instance call
    tokyo_vpc, beijing_vpc = seeded_vpc(twin, "tokyo-vpc"), seeded_vpc(twin, "beijing-vpc")
    vpc_call(twin, "CreateRouteEntry", RouteTableId=tokyo_vpc["RouteTableId"], DestinationCidrBlock="192.168.0.0/16",
             NextHopType="Attachment", NextHopId=hub.att_tokyo)
    cbn(twin, "CreateCenChildInstanceRouteEntryToAttachment", CenId=hub.cen, RouteTableId=beijing_vpc["RouteTableId"],
        DestinationCidrBlock="10.0.0.0/8", TransitRouterAttachmentId=hub.att_beijing)
    assert vpc_routes(twin, "tokyo-vpc")["192.168.0.0/16"]["NextHops"]["NextHop"][0]["NextHopId"] == hub.att_tokyo
    to_tokyo = vpc_routes(twin, "beijing-vpc")["10.0.0.0/8"]
    assert (to_tokyo["Type"], to_tokyo["NextHops"]["NextHop"][0]["NextHopType"]) == ("Custom", "Attachment")
    err = api_error(vpc_call, twin, "CreateRouteEntry", RouteTableId=tokyo_vpc["RouteTableId"],
                    DestinationCidrBlock="192.168.5.0/24", NextHopType="Attachment", NextHopId=hub.att_beijing)
    assert err.code == "InvalidNextHop.NotInVpc"  # an attachment of another VPC

    # route synchronization: with AutoPublishRouteEnabled the VPC's table shows what the router's table holds
    assert [d for d, e in vpc_routes(twin, "tokyo-vpc").items() if e["Type"] == "CEN"] == []
    cbn(twin, "UpdateTransitRouterVpcAttachmentAttribute", TransitRouterAttachmentId=hub.att_tokyo,
        AutoPublishRouteEnabled=True)
    synced = {d: e for d, e in vpc_routes(twin, "tokyo-vpc").items() if e["Type"] == "CEN"}
    assert sorted(synced) == BEIJING_VSWITCHES  # not Tokyo's own, not the blackhole, not its own static route
    assert synced["192.168.0.0/24"]["NextHops"]["NextHop"][0]["NextHopId"] == hub.att_tokyo

    # deletes are refused while dependants remain
    refusals = [
        ("DeleteTransitRouter", dict(TransitRouterId=hub.tr_tokyo), "OperationFailed.TransitRouterAttachmentExist"),
        ("DeleteTransitRouterVpcAttachment", dict(TransitRouterAttachmentId=hub.att_tokyo),
         "OperationFailed.RouteTablePropagationExist"),
        ("DeleteTransitRouterPeerAttachment", dict(TransitRouterAttachmentId=hub.peer),
         "OperationFailed.RouteTablePropagationExist"),
        ("DeleteTransitRouterRouteTable", dict(TransitRouterRouteTableId=hub.table_tokyo),
         "OperationFailed.DeleteSystemRouteTable"),
        ("UnassociateCenBandwidthPackage", dict(CenId=hub.cen, CenBandwidthPackageId=hub.package),
         "InvalidOperation.BwpUsedByInterRegionConnection"),
        ("DeleteCen", dict(CenId=hub.cen), "InvalidOperation.TransitRouterExist"),
    ]
    for action, params, code in refusals:
        assert api_error(cbn, twin, action, **params).code == code, action
    unlink(twin, hub.att_tokyo, hub.table_tokyo)
    err = api_error(cbn, twin, "DeleteTransitRouterVpcAttachment", TransitRouterAttachmentId=hub.att_tokyo)
    assert err.code == "OperationFailed.RouteEntryExist"  # the static route toward it
    cbn(twin, "DeleteTransitRouterRouteEntry", TransitRouterRouteTableId=hub.table_tokyo,
        TransitRouterRouteEntryDestinationCidrBlock="172.16.0.0/12")
    err = api_error(cbn, twin, "DeleteTransitRouterVpcAttachment", TransitRouterAttachmentId=hub.att_tokyo)
    assert err.code == "OperationFailed.AttachmentReferencedVpcRouteEntryExisted"

    # teardown in reverse order leaves nothing behind
    vpc_call(twin, "DeleteRouteEntry", RouteTableId=tokyo_vpc["RouteTableId"], DestinationCidrBlock="192.168.0.0/16")
    cbn(twin, "DeleteCenChildInstanceRouteEntryToAttachment", CenId=hub.cen, RouteTableId=beijing_vpc["RouteTableId"],
        DestinationCidrBlock="10.0.0.0/8", TransitRouterAttachmentId=hub.att_beijing)
    cbn(twin, "DeleteTransitRouterRouteEntry", TransitRouterRouteTableId=hub.table_tokyo,
        TransitRouterRouteEntryDestinationCidrBlock="203.0.113.0/24")
    for attachment, table in ((hub.peer, hub.table_tokyo), (hub.att_beijing, hub.table_beijing),
                              (hub.peer, hub.table_beijing)):
        unlink(twin, attachment, table)
    cbn(twin, "DeleteTransitRouterPeerAttachment", TransitRouterAttachmentId=hub.peer)
    for attachment in (hub.att_tokyo, hub.att_beijing):
        cbn(twin, "DeleteTransitRouterVpcAttachment", TransitRouterAttachmentId=attachment)
    cbn(twin, "UnassociateCenBandwidthPackage", CenId=hub.cen, CenBandwidthPackageId=hub.package)
    cbn(twin, "DeleteCenBandwidthPackage", CenBandwidthPackageId=hub.package)
    for tr_id in (hub.tr_tokyo, hub.tr_beijing):
        cbn(twin, "DeleteTransitRouter", TransitRouterId=tr_id)
    cbn(twin, "DeleteCen", CenId=hub.cen)
    assert cbn(twin, "DescribeCens", Filter=[{"Key": "CenId", "Value": [hub.cen]}])["TotalCount"] == 0
    assert {kind: twin.ali_resources(kind) for kind in TR_KINDS} == {kind: [] for kind in TR_KINDS}
    assert {n: free_ips(twin, n) for n in ips_before} == ips_before
    assert [d for d, e in vpc_routes(twin, "tokyo-vpc").items() if e["Type"] in ("CEN", "Custom")] == []


def test_async_states_follow_the_kind_delays(today_twin):
    twin = today_twin
    twin.twin.faults.update({"delays": {"TransitRouter": 60, "TransitRouterVpcAttachment": 60}})
    cen = new_cen(twin)
    tr_id = new_router(twin, cen, TOKYO)
    assert cbn(twin, "ListTransitRouters", TransitRouterId=tr_id)["TransitRouters"][0]["Status"] == "Creating"
    err = api_error(attach_vpc, twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    assert err.code == "IncorrectStatus.TransitRouterInstance"
    for transition in twin.twin.backend.state.pending:
        transition.due = 0
    att = attach_vpc(twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    listed = cbn(twin, "ListTransitRouterVpcAttachments", TransitRouterAttachmentId=att)["TransitRouterAttachments"]
    assert listed[0]["Status"] == "Attaching"
    table = system_table(twin, tr_id)
    err = api_error(cbn, twin, "AssociateTransitRouterAttachmentWithRouteTable", TransitRouterAttachmentId=att,
                    TransitRouterRouteTableId=table)
    assert err.code == "IncorrectStatus.AttachmentOrRouteTable"


def test_zone_mappings_follow_the_region_rules(today_twin):
    twin = today_twin
    cen = new_cen(twin)
    tr_id = new_router(twin, cen, TOKYO)
    tokyo = seeded_vpc(twin, "tokyo-vpc")
    base = dict(TransitRouterId=tr_id, VpcId=tokyo.id)

    def refused(mappings, **extra):
        return api_error(cbn, twin, "CreateTransitRouterVpcAttachment", ZoneMappings=mappings,
                         **dict(base, **extra)).code

    vsw1, vsw2 = seeded_vswitch(twin, "tokyo-vsw-1"), seeded_vswitch(twin, "tokyo-vsw-2")
    assert refused(zones(twin, "tokyo-vsw-1")) == "IllegalParam.ZoneMappings"  # Tokyo has several zones
    assert refused([{"ZoneId": "ap-northeast-1a", "VSwitchId": vsw1.id},
                    {"ZoneId": "ap-northeast-1a", "VSwitchId": vsw2.id}]) == "Duplicated.ZoneMapping"
    assert refused([{"ZoneId": "ap-northeast-1a", "VSwitchId": vsw1.id},
                    {"ZoneId": "ap-northeast-1b", "VSwitchId": vsw2.id}]) == "IllegalParam.VSwitchId"
    assert refused([{"ZoneId": "ap-northeast-1a", "VSwitchId": vsw1.id},
                    {"ZoneId": "cn-beijing-h", "VSwitchId": vsw2.id}]) == "IllegalParam.ZoneId"
    beijing_vsw = seeded_vswitch(twin, "beijing-vsw-2")
    assert refused([{"ZoneId": "ap-northeast-1a", "VSwitchId": vsw1.id},
                    {"ZoneId": "ap-northeast-1c", "VSwitchId": beijing_vsw.id}]) == "IllegalParam.VSwitchId"
    assert refused([{"ZoneId": "ap-northeast-1a", "VSwitchId": vsw1.id},
                    {"ZoneId": "ap-northeast-1c", "VSwitchId": "vsw-doesnotexist"}]) == "InvalidVSwitchId.NotFound"
    assert refused(zones(twin, "tokyo-vsw-1", "tokyo-vsw-2"), DryRun=True) == "DryRunOperation"
    assert twin.ali_resources("TransitRouterVpcAttachment") == []

    # CenId + RegionId without a router in the region: the system creates the Enterprise router first
    beijing = seeded_vpc(twin, "beijing-vpc")
    att = cbn(twin, "CreateTransitRouterVpcAttachment", CenId=cen, RegionId=BEIJING, VpcId=beijing.id,
              ZoneMappings=zones(twin, "beijing-vsw-1", "beijing-vsw-2"))["TransitRouterAttachmentId"]
    created = cbn(twin, "ListTransitRouters", CenId=cen, RegionId=BEIJING)["TransitRouters"]
    assert [r["Type"] for r in created] == ["Enterprise"]
    listed = cbn(twin, "ListTransitRouterVpcAttachments", CenId=cen, RegionId=BEIJING)["TransitRouterAttachments"]
    assert [(a["TransitRouterAttachmentId"], a["TransitRouterId"]) for a in listed] == \
        [(att, created[0]["TransitRouterId"])]

    # changing zones keeps the rule: the connection never drops to one zone, but a zone's vSwitch can move
    zone_call = dict(TransitRouterAttachmentId=att)
    err = api_error(cbn, twin, "UpdateTransitRouterVpcAttachmentZones",
                    RemoveZoneMappings=zones(twin, "beijing-vsw-2"), **zone_call)
    assert err.code == "IllegalParam.ZoneMappings"
    tr_tokyo_att = attach_vpc(twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    ips = {n: free_ips(twin, n) for n in ("tokyo-vsw-2", "tokyo-vpn-vsw-2")}
    cbn(twin, "UpdateTransitRouterVpcAttachmentZones", TransitRouterAttachmentId=tr_tokyo_att,
        RemoveZoneMappings=zones(twin, "tokyo-vsw-2"), AddZoneMappings=zones(twin, "tokyo-vpn-vsw-2"))
    moved = cbn(twin, "ListTransitRouterVpcAttachments", TransitRouterAttachmentId=tr_tokyo_att)
    assert sorted(z["VSwitchId"] for z in moved["TransitRouterAttachments"][0]["ZoneMappings"]) == \
        sorted(seeded_vswitch(twin, n).id for n in ("tokyo-vsw-1", "tokyo-vpn-vsw-2"))
    assert {n: free_ips(twin, n) for n in ips} == {"tokyo-vsw-2": ips["tokyo-vsw-2"] + 1,
                                                   "tokyo-vpn-vsw-2": ips["tokyo-vpn-vsw-2"] - 1}
    assert api_error(cbn, twin, "CreateTransitRouterVpcAttachment", CenId=cen, RegionId="us-west-1",
                     VpcId=beijing.id, ZoneMappings=zones(twin, "beijing-vsw-1", "beijing-vsw-2")).code == \
        "InvalidVpcId.NotFound"


def test_client_token_replay_returns_the_same_attachment(today_twin):
    twin = today_twin
    tr_id = new_router(twin, new_cen(twin), TOKYO)
    before = free_ips(twin, "tokyo-vsw-1")
    first = attach_vpc(twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2", ClientToken="attach-tokyo-1")
    again = attach_vpc(twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2", ClientToken="attach-tokyo-1")
    assert first == again
    assert len(cbn(twin, "ListTransitRouterVpcAttachments", TransitRouterId=tr_id)["TransitRouterAttachments"]) == 1
    assert free_ips(twin, "tokyo-vsw-1") == before - 1
    err = api_error(attach_vpc, twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2", ClientToken="attach-tokyo-2")
    assert err.code == "InstanceExist.VpcAttachment"  # a new token is a new request: the VPC is already there


def test_pagination_styles_and_page_size_limits(today_twin):
    twin = today_twin
    cen = new_cen(twin)
    tr_id = new_router(twin, cen, TOKYO)
    made = [cbn(twin, "CreateTransitRouterRouteTable", TransitRouterId=tr_id,
                TransitRouterRouteTableName=f"rt-{i}")["TransitRouterRouteTableId"] for i in range(4)]
    seen, token, pages = [], None, 0
    while True:
        params = dict(TransitRouterId=tr_id, MaxResults=2, **({"NextToken": token} if token else {}))
        body = cbn(twin, "ListTransitRouterRouteTables", **params)
        seen += [t["TransitRouterRouteTableId"] for t in body["TransitRouterRouteTables"]]
        pages += 1
        token = body["NextToken"]
        if not token:
            break
    assert (pages, body["TotalCount"], len(seen)) == (3, 5, 5) and set(made) <= set(seen)
    assert api_error(cbn, twin, "ListTransitRouterRouteTables", TransitRouterId=tr_id, MaxResults=101).code == \
        "InvalidMaxResults"
    assert api_error(cbn, twin, "ListTransitRouterRouteTables", TransitRouterId=tr_id, NextToken="bogus").code == \
        "InvalidNextToken"
    # ListTransitRouters pages by PageNumber / PageSize, 1 to 50
    new_router(twin, cen, BEIJING)
    body = cbn(twin, "ListTransitRouters", CenId=cen, PageSize=1, PageNumber=2)
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"], len(body["TransitRouters"])) == (2, 2, 1, 1)
    assert api_error(cbn, twin, "ListTransitRouters", CenId=cen, PageSize=51).code == "InvalidPageSize"
    # the table with dependants cannot go; without them it can
    att = attach_vpc(twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    cbn(twin, "AssociateTransitRouterAttachmentWithRouteTable", TransitRouterAttachmentId=att,
        TransitRouterRouteTableId=made[0])
    err = api_error(cbn, twin, "AssociateTransitRouterAttachmentWithRouteTable", TransitRouterAttachmentId=att,
                    TransitRouterRouteTableId=made[1])
    assert err.code == "OperationFailed.RouteTableAssociationExist"  # one associated table per attachment
    assert api_error(cbn, twin, "DeleteTransitRouterRouteTable", TransitRouterRouteTableId=made[0]).code == \
        "OperationFailed.DeleteRouteTableWithAssociation"
    cbn(twin, "DeleteTransitRouterRouteTable", TransitRouterRouteTableId=made[3])
    assert cbn(twin, "ListTransitRouterRouteTables", TransitRouterId=tr_id)["TotalCount"] == 4
    assert api_error(cbn, twin, "DeleteTransitRouter", TransitRouterId=tr_id).code == \
        "OperationFailed.TransitRouterAttachmentExist"


def vpn_connection(handle, remote_subnet, region=TOKYO, account="main"):
    """An IPsec-VPN connection as the VPC API's CreateVpnAttachment leaves it (that call lives in the VPN
    model, another engineer's work: this stands in for it, with the attributes of the agreed contract)."""
    state = handle.twin.backend.state
    uid = next(a["uid"] for a in handle.twin.world.alicloud_accounts if a["name"] == account)
    vco_id = state.new_id("vco")
    state.add("VpnConnection", vco_id, str(uid), region, {
        "VpnConnectionId": vco_id, "Name": "to-aws", "AttachType": "CEN", "NetworkType": "public",
        "LocalSubnet": "0.0.0.0/0" if remote_subnet == "0.0.0.0/0" else "10.0.0.0/8", "RemoteSubnet": remote_subnet,
        "State": "active", "Status": "ike_sa_not_established", "VpnGatewayId": "", "CustomerGatewayId": "",
        "IkeConfig": {}, "IpsecConfig": {}, "TunnelOptionsSpecification": {"TunnelOptions": []},
    })
    return vco_id


def test_vpn_attachments_bind_the_ipsec_connection_and_propagate_its_peer_cidrs(today_twin):
    twin = today_twin
    cen = new_cen(twin)
    tr_id = new_router(twin, cen, TOKYO)
    table = system_table(twin, tr_id)
    flows = vpn_connection(twin, "172.16.0.0/16,172.17.0.0/16")  # protected data flows
    att = cbn(twin, "CreateTransitRouterVpnAttachment", CenId=cen, RegionId=TOKYO, VpnId=flows,
              Zone=[{"ZoneId": "ap-northeast-1a"}])["TransitRouterAttachmentId"]
    listed = cbn(twin, "ListTransitRouterVpnAttachments", TransitRouterId=tr_id)["TransitRouterAttachments"][0]
    assert (listed["VpnId"], listed["Status"], listed["AutoPublishRouteEnabled"], listed["ResourceType"]) == \
        (flows, "Attached", True, "VPN")
    bound = vpc_call(twin, "DescribeVpnConnection", VpnConnectionId=flows)
    assert (bound["TransitRouterId"], bound["AttachInstanceId"], bound["State"]) == (tr_id, cen, "attached")
    assert api_error(cbn, twin, "CreateTransitRouterVpnAttachment", TransitRouterId=tr_id, VpnId=flows).code == \
        "IncorrectStatus.VpnConnectionBound"
    link(twin, att, table)
    learned = routes(twin, table)
    assert sorted(learned) == ["172.16.0.0/16", "172.17.0.0/16"]
    assert learned["172.16.0.0/16"]["TransitRouterRouteEntryNextHopResourceType"] == "VPN"

    # destination routing (0.0.0.0/0 both sides): nothing is learned, a static route does the job
    dest_routing = vpn_connection(twin, "0.0.0.0/0")
    att2 = cbn(twin, "CreateTransitRouterVpnAttachment", TransitRouterId=tr_id, VpnId=dest_routing,
               AutoPublishRouteEnabled=False)["TransitRouterAttachmentId"]
    custom = cbn(twin, "CreateTransitRouterRouteTable", TransitRouterId=tr_id)["TransitRouterRouteTableId"]
    link(twin, att2, custom)
    assert routes(twin, custom) == {}
    cbn(twin, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=custom,
        TransitRouterRouteEntryDestinationCidrBlock="172.16.0.0/12", TransitRouterRouteEntryNextHopType="Attachment",
        TransitRouterRouteEntryNextHopId=att2)
    assert routes(twin, custom)["172.16.0.0/12"]["TransitRouterRouteEntryType"] == "Static"

    other_region = vpn_connection(twin, "172.18.0.0/16", region=BEIJING)
    assert api_error(cbn, twin, "CreateTransitRouterVpnAttachment", TransitRouterId=tr_id, VpnId=other_region).code \
        == "IllegalParam.RegionId"
    # deleting the attachment hands the connection back
    unlink(twin, att, table)
    assert api_error(cbn, twin, "DeleteTransitRouterVpnAttachment", TransitRouterAttachmentId=att,
                     DryRun=True).code == "DryRunOperation"
    cbn(twin, "DeleteTransitRouterVpnAttachment", TransitRouterAttachmentId=att)
    freed = vpc_call(twin, "DescribeVpnConnection", VpnConnectionId=flows)
    assert (freed["TransitRouterId"], freed["AttachInstanceId"], freed["State"]) == ("", "", "active")


def test_cross_account_vpc_attachment_needs_the_owners_grant(today_peering_twin):
    twin = today_peering_twin
    uid_a = next(a["uid"] for a in twin.twin.world.alicloud_accounts if a["name"] == "account-a")
    uid_b = next(a["uid"] for a in twin.twin.world.alicloud_accounts if a["name"] == "account-b")
    cen = cbn_call(twin, "CreateCen", account="account-a")["CenId"]
    tr_id = cbn_call(twin, "CreateTransitRouter", account="account-a", CenId=cen,
                     RegionId="us-west-1")["TransitRouterId"]
    vpc_b = seeded_vpc(twin, "svalley-vpc-b")
    attach = dict(TransitRouterId=tr_id, VpcId=vpc_b.id, VpcOwnerId=int(uid_b),
                  ZoneMappings=zones(twin, "svalley-vsw-b", "svalley-vsw-b2"))
    err = api_error(cbn_call, twin, "CreateTransitRouterVpcAttachment", account="account-a", **attach)
    assert (err.code, err.statusCode) == ("Forbbiden.AttachChildInstanceAcrossUid", 409)
    cbn_call(twin, "GrantInstanceToTransitRouter", account="account-b", CenId=cen, CenOwnerId=int(uid_a),
             InstanceId=vpc_b.id, InstanceType="VPC", RegionId="us-west-1")
    att = cbn_call(twin, "CreateTransitRouterVpcAttachment", account="account-a", **attach)["TransitRouterAttachmentId"]
    listed = cbn_call(twin, "ListTransitRouterVpcAttachments", account="account-a",
                      TransitRouterId=tr_id)["TransitRouterAttachments"]
    assert [(a["TransitRouterAttachmentId"], str(a["VpcOwnerId"]), a["Status"]) for a in listed] == \
        [(att, uid_b, "Attached")]
    # The VPC's owner routes its own table toward the CEN owner's attachment; nobody else's VPC can.
    vpc_call(twin, "CreateRouteEntry", account="account-b", region="us-west-1", RouteTableId=vpc_b["RouteTableId"],
             DestinationCidrBlock="172.16.0.0/16", NextHopType="Attachment", NextHopId=att)
    assert vpc_routes(twin, "svalley-vpc-b", "account-b")["172.16.0.0/16"]["NextHops"]["NextHop"][0]["NextHopId"] == att
    vpc_a = seeded_vpc(twin, "tokyo-vpc-a")
    err = api_error(vpc_call, twin, "CreateRouteEntry", account="account-a", RouteTableId=vpc_a["RouteTableId"],
                    DestinationCidrBlock="192.168.0.0/16", NextHopType="Attachment", NextHopId=att)
    assert err.code == "InvalidNextHop.NotInVpc"


def test_vpc_and_vswitches_stay_while_a_vpc_connection_has_enis_in_them(today_twin):
    twin = today_twin
    tr_id = new_router(twin, new_cen(twin), TOKYO)
    att = attach_vpc(twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    vsw2, spare = seeded_vswitch(twin, "tokyo-vsw-2"), seeded_vswitch(twin, "tokyo-vpn-vsw-1")
    err = api_error(vpc_call, twin, "DeleteVSwitch", VSwitchId=vsw2.id)
    assert err.code == "DependencyViolation" and att in err.message
    err = api_error(vpc_call, twin, "DeleteVpc", VpcId=seeded_vpc(twin, "tokyo-vpc").id)
    assert err.code == "DependencyViolation.Instance" and att in err.message
    vpc_call(twin, "DeleteVSwitch", VSwitchId=spare.id)  # a vSwitch without the router's ENI goes
    # moving the zone c ENI to another vSwitch frees tokyo-vsw-2; deleting the connection frees the rest
    cbn(twin, "UpdateTransitRouterVpcAttachmentZones", TransitRouterAttachmentId=att,
        AddZoneMappings=zones(twin, "tokyo-vpn-vsw-2"), RemoveZoneMappings=zones(twin, "tokyo-vsw-2"))
    cbn(twin, "ListTransitRouterVpcAttachments", TransitRouterId=tr_id)  # Modifying -> Attached
    vpc_call(twin, "DeleteVSwitch", VSwitchId=vsw2.id)
    cbn(twin, "DeleteTransitRouterVpcAttachment", TransitRouterAttachmentId=att)
    cbn(twin, "ListTransitRouterVpcAttachments", TransitRouterId=tr_id)  # Detaching -> gone
    vpc_call(twin, "DeleteVSwitch", VSwitchId=seeded_vswitch(twin, "tokyo-vpn-vsw-2").id)


def test_a_legacy_cens_basic_routers_are_listed_and_refuse_enterprise_calls(twin):
    cen = new_cen(twin)  # Basic on the legacy world
    for name in ("tokyo-vpc", "beijing-vpc"):
        vpc = seeded_vpc(twin, name)
        cbn(twin, "AttachCenChildInstance", CenId=cen, ChildInstanceId=vpc.id, ChildInstanceType="VPC",
            ChildInstanceRegionId=vpc.region)
    listed = cbn(twin, "ListTransitRouters", CenId=cen)["TransitRouters"]
    assert sorted((r["RegionId"], r["Type"], r["Status"]) for r in listed) == \
        [(TOKYO, "Basic", "Active"), (BEIJING, "Basic", "Active")]
    assert cbn(twin, "ListTransitRouters", CenId=cen) == dict(cbn(twin, "ListTransitRouters", CenId=cen),
                                                             RequestId=ANY)  # ids are stable
    assert cbn(twin, "ListTransitRouters", CenId=cen, Type="Enterprise")["TransitRouters"] == []
    tokyo_router = next(r["TransitRouterId"] for r in listed if r["RegionId"] == TOKYO)
    err = api_error(cbn, twin, "CreateTransitRouterRouteTable", TransitRouterId=tokyo_router)
    assert err.code == "OperationUnsupported.TransitRouterType"


@pytest.mark.parametrize("params, code", [
    (dict(BandwidthType="Bandwidth"), "IllegalParam.BandwidthType"),
    (dict(BandwidthType="BandwidthPackage", DefaultLinkType="Platinum"),
     "ParameterIllegal.BandwidthPackageDefaultLinkTypeOnlySupportGold"),
    (dict(BandwidthType="BandwidthPackage", Bandwidth=2), "IllegalParam.CenBandwidthPackageId"),
    (dict(PeerTransitRouterRegionId="us-west-1"), "IllegalParam.PeerRegionId"),
])
def test_inter_region_connection_bandwidth_rules(today_twin, params, code):
    twin = today_twin
    cen = new_cen(twin)
    tokyo, beijing = new_router(twin, cen, TOKYO), new_router(twin, cen, BEIJING)
    err = api_error(cbn, twin, "CreateTransitRouterPeerAttachment", TransitRouterId=tokyo,
                    PeerTransitRouterId=beijing, **params)
    assert err.code == code


def test_pay_by_data_transfer_needs_no_package(today_twin):
    from cloudtwin.alicloud.models.transit_router_attachments import peer_bandwidth

    twin = today_twin
    cen = new_cen(twin)
    tokyo, beijing = new_router(twin, cen, TOKYO), new_router(twin, cen, BEIJING)
    att = cbn(twin, "CreateTransitRouterPeerAttachment", TransitRouterId=tokyo, PeerTransitRouterId=beijing,
              BandwidthType="DataTransfer", Bandwidth=20, DefaultLinkType="Platinum")["TransitRouterAttachmentId"]
    assert peer_bandwidth(twin.twin.backend.state, att) == {"kbps": 20000, "source": "DataTransfer", "mbps": 20}
    assert api_error(cbn, twin, "CreateTransitRouterPeerAttachment", TransitRouterId=beijing,
                     PeerTransitRouterId=tokyo, BandwidthType="DataTransfer").code == \
        "InstanceExist.TransitRouterPeerAttachment"
