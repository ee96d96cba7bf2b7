"""The twin's CEN kind through the official cbn / vpc SDK clients: states, errors, learning,
cross-account grants, route publication, bandwidth packages and limits."""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path

import pytest

from twinhelpers import api_error as error
from twinhelpers import cbn_call as cbn
from twinhelpers import seeded_vpc as seeded
from twinhelpers import vpc_call as vpc

WORLDS = Path(__file__).resolve().parents[2] / "emulator" / "worlds"


def attach(handle, cen_id, vpc_res, account="main", **extra):
    cbn(handle, "AttachCenChildInstance", account=account, CenId=cen_id, ChildInstanceId=vpc_res.id,
        ChildInstanceType="VPC", ChildInstanceRegionId=vpc_res.region, **extra)


def children(handle, cen_id, account="main"):
    body = cbn(handle, "DescribeCenAttachedChildInstances", account=account, CenId=cen_id)
    return body["ChildInstances"]["ChildInstance"]


def route_entries(handle, vpc_res, account="main"):
    body = vpc(handle, "DescribeRouteEntryList", account=account, region=vpc_res.region,
               RouteTableId=vpc_res["RouteTableId"])
    return body["RouteEntrys"]["RouteEntry"]


def new_cen(handle, account="main", **params):
    cen_id = cbn(handle, "CreateCen", account=account, **params)["CenId"]
    return cen_id


@pytest.fixture
def tokyo_beijing(twin):
    tokyo, beijing = seeded(twin, "tokyo-vpc"), seeded(twin, "beijing-vpc")
    cen_id = new_cen(twin, Name="transit-cen")
    attach(twin, cen_id, tokyo)
    attach(twin, cen_id, beijing)
    return twin, cen_id, tokyo, beijing


def test_cen_lifecycle_tags_filters_and_modify(twin):
    twin.twin.faults.update({"delays": {"Cen": 60}})
    cen_id = new_cen(twin, Name="hub", Description="d1", Tag=[{"Key": "env", "Value": "demo"}])
    first = cbn(twin, "DescribeCens", Filter=[{"Key": "CenId", "Value": [cen_id]}])["Cens"]["Cen"][0]
    assert first["Status"] == "Creating"
    assert error(cbn, twin, "ModifyCenAttribute", CenId=cen_id, Name="x").code == "InvalidOperation.CenInstanceStatus"
    twin.twin.faults.update({"delays": {}})
    twin.twin.backend.state.pending[-1].due = 0  # let it finish now
    cen = cbn(twin, "DescribeCens", Filter=[{"Key": "Name", "Value": ["hub"]}])["Cens"]["Cen"][0]
    assert (cen["CenId"], cen["Status"], cen["ProtectionLevel"]) == (cen_id, "Active", "REDUCED")
    assert cen["Tags"]["Tag"] == [{"Key": "env", "Value": "demo"}]
    assert cbn(twin, "DescribeCens", Tag=[{"Key": "env", "Value": "prod"}])["TotalCount"] == 0
    cbn(twin, "ModifyCenAttribute", CenId=cen_id, Description="d2", ProtectionLevel="FULL")
    cbn(twin, "TagResources", ResourceType="cen", ResourceId=[cen_id], Tag=[{"Key": "team", "Value": "net"}])
    cbn(twin, "UntagResources", ResourceType="cen", ResourceId=[cen_id], TagKey=["env"])
    cen = cbn(twin, "DescribeCens", Filter=[{"Key": "CenId", "Value": [cen_id]}])["Cens"]["Cen"][0]
    assert (cen["Description"], cen["ProtectionLevel"]) == ("d2", "FULL")
    assert cen["Tags"]["Tag"] == [{"Key": "team", "Value": "net"}]
    # another account does not see it
    assert error(cbn, twin, "DescribeCenAttachedChildInstances", CenId="cen-doesnotexist").code == \
        "ParameterCenInstanceId"
    cbn(twin, "DeleteCen", CenId=cen_id)
    assert cbn(twin, "DescribeCens", Filter=[{"Key": "CenId", "Value": [cen_id]}])["TotalCount"] == 0


def test_attach_states_and_errors(tokyo_beijing):
    twin, cen_id, tokyo, beijing = tokyo_beijing
    states = {c["ChildInstanceId"]: c["Status"] for c in children(twin, cen_id)}
    assert states == {tokyo.id: "Attached", beijing.id: "Attached"}
    attr = cbn(twin, "DescribeCenAttachedChildInstanceAttribute", CenId=cen_id, ChildInstanceId=tokyo.id,
               ChildInstanceType="VPC", ChildInstanceRegionId=tokyo.region)
    assert attr["ChildInstanceAttributes"]["CidrBlock"] == "10.0.0.0/8"
    assert attr["ChildInstanceName"] == "tokyo-vpc"
    assert error(attach, twin, cen_id, tokyo).code == "InvalidOperation.ChildInstanceAlreadyAttached"
    other = new_cen(twin, Name="other")
    assert error(attach, twin, other, tokyo).code == "InvalidOperation.ChildInstanceAlreadyAttached"
    err = error(cbn, twin, "AttachCenChildInstance", CenId=other, ChildInstanceId="vpc-nope",
                ChildInstanceType="VPC", ChildInstanceRegionId="ap-northeast-1")
    assert err.code == "ParameterIllegal.ChildInstanceId"
    # refused while children are attached
    assert error(cbn, twin, "DeleteCen", CenId=cen_id).code == "InvalidOperation.AttachedChildInstanceExist"
    # a VPC attached to CEN cannot be deleted either
    assert error(vpc, twin, "DeleteVpc", VpcId=tokyo.id).code.startswith("DependencyViolation")
    twin.twin.faults.update({"delays": {"CenChildInstance": 60}})
    cbn(twin, "DetachCenChildInstance", CenId=cen_id, ChildInstanceId=tokyo.id, ChildInstanceType="VPC",
        ChildInstanceRegionId=tokyo.region)
    assert {c["ChildInstanceId"]: c["Status"] for c in children(twin, cen_id)}[tokyo.id] == "Detaching"
    twin.twin.faults.update({"delays": {}})
    twin.twin.backend.state.pending[-1].due = 0
    assert [c["ChildInstanceId"] for c in children(twin, cen_id)] == [beijing.id]
    err = error(cbn, twin, "DescribeCenAttachedChildInstanceAttribute", CenId=cen_id, ChildInstanceId=tokyo.id,
                ChildInstanceType="VPC", ChildInstanceRegionId=tokyo.region)
    assert err.code == "ParameterInstanceId"


def test_attaching_learns_nothing_until_attached(twin):
    tokyo, beijing = seeded(twin, "tokyo-vpc"), seeded(twin, "beijing-vpc")
    cen_id = new_cen(twin)
    twin.twin.faults.update({"delays": {"CenChildInstance": 60}})
    attach(twin, cen_id, tokyo)
    attach(twin, cen_id, beijing)
    assert {c["Status"] for c in children(twin, cen_id)} == {"Attaching"}
    assert [e for e in route_entries(twin, beijing) if e["Type"] == "CEN"] == []
    err = error(cbn, twin, "DetachCenChildInstance", CenId=cen_id, ChildInstanceId=tokyo.id, ChildInstanceType="VPC",
                ChildInstanceRegionId=tokyo.region)
    assert err.code == "InvalidOperation.ChildInstanceStatus"
    twin.twin.faults.update({"delays": {}})
    for transition in twin.twin.backend.state.pending:
        transition.due = 0
    assert {c["Status"] for c in children(twin, cen_id)} == {"Attached"}
    assert [e["DestinationCidrBlock"] for e in route_entries(twin, beijing) if e["Type"] == "CEN"] == ["10.0.0.0/24"]


def test_vpcs_learn_each_others_vswitches_across_regions(tokyo_beijing):
    twin, cen_id, tokyo, beijing = tokyo_beijing
    learned = [e for e in route_entries(twin, beijing) if e["Type"] == "CEN"]
    assert [e["DestinationCidrBlock"] for e in learned] == ["10.0.0.0/24"]  # the vSwitch, not the VPC CIDR
    hop = learned[0]["NextHops"]["NextHop"][0]
    assert (hop["NextHopType"], hop["NextHopId"], hop["NextHopRegionId"]) == ("CEN", cen_id, "ap-northeast-1")
    assert hop["NextHopRelatedInfo"]["InstanceId"] == tokyo.id
    assert [e["DestinationCidrBlock"] for e in route_entries(twin, tokyo) if e["Type"] == "CEN"] == \
        ["192.168.0.0/24"]
    domain = cbn(twin, "DescribeCenRegionDomainRouteEntries", CenId=cen_id, CenRegionId="cn-beijing")
    by_dest = {e["DestinationCidrBlock"]: e for e in domain["CenRouteEntries"]["CenRouteEntry"]}
    assert by_dest["10.0.0.0/24"]["Type"] == "CEN" and by_dest["10.0.0.0/24"]["NextHopInstanceId"] == tokyo.id
    assert by_dest["192.168.0.0/24"]["Type"] == "System"


def _tokyo_custom_route(twin, tokyo, dest="172.16.0.0/12"):
    instance = next(i for i in twin.ali_resources("Instance") if i["VpcId"] == tokyo.id)
    vpc(twin, "CreateRouteEntry", RouteTableId=tokyo["RouteTableId"], DestinationCidrBlock=dest,
        NextHopType="Instance", NextHopId=instance.id)
    return instance


def _publish(twin, action, cen_id, child, dest, **extra):
    return cbn(twin, action, CenId=cen_id, ChildInstanceId=child.id, ChildInstanceType="VPC",
               ChildInstanceRegionId=child.region, ChildInstanceRouteTableId=child["RouteTableId"],
               DestinationCidrBlock=dest, **extra)


def test_publish_and_withdraw_a_custom_route(tokyo_beijing):
    twin, cen_id, tokyo, beijing = tokyo_beijing
    _tokyo_custom_route(twin, tokyo)
    published = _publish(twin, "DescribePublishedRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    entry = published["PublishedRouteEntries"]["PublishedRouteEntry"][0]
    assert (entry["PublishStatus"], entry["RouteType"], entry["OperationalMode"]) == ("NonPublished", "Custom", True)
    assert "172.16.0.0/12" not in [e["DestinationCidrBlock"] for e in route_entries(twin, beijing)]

    _publish(twin, "PublishRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    _publish(twin, "PublishRouteEntries", cen_id, tokyo, "172.16.0.0/12")  # again: no error, no duplicate
    entry = _publish(twin, "DescribePublishedRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    assert entry["PublishedRouteEntries"]["PublishedRouteEntry"][0]["PublishStatus"] == "Published"
    learned = {e["DestinationCidrBlock"]: e for e in route_entries(twin, beijing) if e["Type"] == "CEN"}
    assert sorted(learned) == ["10.0.0.0/24", "172.16.0.0/12"]
    assert learned["172.16.0.0/12"]["NextHops"]["NextHop"][0]["NextHopId"] == cen_id
    child = cbn(twin, "DescribeCenChildInstanceRouteEntries", CenId=cen_id, ChildInstanceId=beijing.id,
                ChildInstanceType="VPC", ChildInstanceRegionId=beijing.region)
    cen_routes = {e["DestinationCidrBlock"]: e for e in child["CenRouteEntries"]["CenRouteEntry"] if e["Type"] == "CEN"}
    assert cen_routes["172.16.0.0/12"]["NextHopInstanceId"] == tokyo.id
    assert cen_routes["172.16.0.0/12"]["Status"] == "Active"

    _publish(twin, "WithdrawPublishedRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    entry = _publish(twin, "DescribePublishedRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    assert entry["PublishedRouteEntries"]["PublishedRouteEntry"][0]["PublishStatus"] == "NonPublished"
    assert [e["DestinationCidrBlock"] for e in route_entries(twin, beijing) if e["Type"] == "CEN"] == ["10.0.0.0/24"]


def test_publish_errors_and_deleted_route_disappears(tokyo_beijing):
    twin, cen_id, tokyo, beijing = tokyo_beijing
    assert error(_publish, twin, "PublishRouteEntries", cen_id, tokyo, "172.16.0.0/12").code == \
        "InvalidOperation.RouteEntryNotExist"
    _tokyo_custom_route(twin, tokyo)
    other = new_cen(twin)
    assert error(_publish, twin, "PublishRouteEntries", other, tokyo, "172.16.0.0/12").code == "ParameterInstanceId"
    _publish(twin, "PublishRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    vpc(twin, "DeleteRouteEntry", RouteTableId=tokyo["RouteTableId"], DestinationCidrBlock="172.16.0.0/12")
    route_entries(twin, tokyo)  # settles the deletion
    assert "172.16.0.0/12" not in [e["DestinationCidrBlock"] for e in route_entries(twin, beijing)]


def test_learned_route_equal_to_a_local_custom_route_is_rejected(tokyo_beijing):
    twin, cen_id, tokyo, beijing = tokyo_beijing
    _tokyo_custom_route(twin, tokyo)
    _publish(twin, "PublishRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    # Beijing has its own route for the same destination: it keeps it, CEN's is not installed
    host = next(i for i in twin.ali_resources("Instance") if i["VpcId"] == beijing.id)
    vpc(twin, "CreateRouteEntry", region="cn-beijing", RouteTableId=beijing["RouteTableId"],
        DestinationCidrBlock="172.16.0.0/12", NextHopType="Instance", NextHopId=host.id)
    entries = [e for e in route_entries(twin, beijing) if e["DestinationCidrBlock"] == "172.16.0.0/12"]
    assert [e["Type"] for e in entries] == ["Custom"]
    child = cbn(twin, "DescribeCenChildInstanceRouteEntries", CenId=cen_id, ChildInstanceId=beijing.id,
                ChildInstanceType="VPC", ChildInstanceRegionId=beijing.region, Status="Rejected")
    rejected = child["CenRouteEntries"]["CenRouteEntry"]
    assert [(e["DestinationCidrBlock"], e["Type"]) for e in rejected] == [("172.16.0.0/12", "CEN")]
    assert rejected[0]["Conflicts"]["Conflict"][0]["Status"] == "conflict"


def test_learned_routes_helper_matches_the_api(tokyo_beijing):
    from cloudtwin.alicloud.models.cen import inter_region_bandwidth, learned_routes_for_vpc

    twin, cen_id, tokyo, beijing = tokyo_beijing
    route_entries(twin, beijing)  # settle
    state = twin.twin.backend.state
    helper = learned_routes_for_vpc(state, beijing)
    api = [e for e in route_entries(twin, beijing) if e["Type"] == "CEN"]
    assert helper == api
    assert inter_region_bandwidth(state, cen_id, "ap-northeast-1", "cn-beijing") == {"kbps": 1, "source": "Test"}


def test_cross_account_attach_needs_a_grant(peering_twin):
    twin = peering_twin
    vpc_b = seeded(twin, "svalley-vpc-b")
    uid_a = next(a["uid"] for a in twin.twin.world.alicloud_accounts if a["name"] == "account-a")
    uid_b = next(a["uid"] for a in twin.twin.world.alicloud_accounts if a["name"] == "account-b")
    cen_id = new_cen(twin, account="account-a")
    err = error(attach, twin, cen_id, vpc_b, account="account-a", ChildInstanceOwnerId=int(uid_b))
    assert err.code == "Forbbiden.AttachChildInstanceAcrossUid" and err.statusCode == 409
    grant = dict(CenId=cen_id, CenOwnerId=int(uid_a), InstanceId=vpc_b.id, InstanceType="VPC")
    vpc(twin, "GrantInstanceToCen", account="account-b", region="us-west-1", **grant)
    vpc(twin, "GrantInstanceToCen", account="account-b", region="us-west-1", **grant)  # idempotent
    rules = vpc(twin, "DescribeGrantRulesToCen", account="account-b", region="us-west-1", InstanceId=vpc_b.id,
                InstanceType="VPC")["CenGrantRules"]["CbnGrantRule"]
    assert [(r["CenInstanceId"], str(r["CenOwnerId"])) for r in rules] == [(cen_id, uid_a)]
    owner_view = cbn(twin, "DescribeGrantRulesToCen", account="account-a", CenId=cen_id, ProductType="VPC",
                     RegionId="us-west-1")["GrantRules"]["GrantRule"]
    assert [r["ChildInstanceId"] for r in owner_view] == [vpc_b.id]
    attach(twin, cen_id, vpc_b, account="account-a", ChildInstanceOwnerId=int(uid_b))
    attached = children(twin, cen_id, account="account-a")
    assert [(c["ChildInstanceId"], str(c["ChildInstanceOwnerId"]), c["Status"]) for c in attached] == \
        [(vpc_b.id, uid_b, "Attached")]
    # the grant lets account A attach; account B's own route table learns nothing alone (one child)
    assert [e for e in route_entries(twin, vpc_b, account="account-b") if e["Type"] == "CEN"] == []
    vpc_a = seeded(twin, "tokyo-vpc-a")
    attach(twin, cen_id, vpc_a, account="account-a")
    assert [e["DestinationCidrBlock"] for e in route_entries(twin, vpc_b, account="account-b")
            if e["Type"] == "CEN"] == ["172.16.0.0/24"]
    vpc(twin, "RevokeInstanceFromCen", account="account-b", region="us-west-1", **grant)
    assert vpc(twin, "DescribeGrantRulesToCen", account="account-b", region="us-west-1", InstanceId=vpc_b.id,
               InstanceType="VPC")["TotalCount"] == 0


def test_bandwidth_package_and_region_limits(tokyo_beijing):
    twin, cen_id, tokyo, beijing = tokyo_beijing
    err = error(cbn, twin, "SetCenInterRegionBandwidthLimit", CenId=cen_id, LocalRegionId="ap-northeast-1",
                OppositeRegionId="cn-beijing", BandwidthLimit=5)
    assert err.code == "InvalidOperation.BwpNotExist"
    pkg = cbn(twin, "CreateCenBandwidthPackage", GeographicRegionAId="China", GeographicRegionBId="Asia-Pacific",
              Bandwidth=10, Name="cn-ap", BandwidthPackageChargeType="POSTPAY")["CenBandwidthPackageId"]
    cbn(twin, "AssociateCenBandwidthPackage", CenId=cen_id, CenBandwidthPackageId=pkg)
    same_span = cbn(twin, "CreateCenBandwidthPackage", GeographicRegionAId="Asia-Pacific",
                    GeographicRegionBId="China", Bandwidth=2)["CenBandwidthPackageId"]
    assert error(cbn, twin, "AssociateCenBandwidthPackage", CenId=cen_id, CenBandwidthPackageId=same_span).code \
        == "InvalidOperation.BwpForGeoSpanAlreadyAssociated"
    assert error(cbn, twin, "DeleteCenBandwidthPackage", CenBandwidthPackageId=same_span).code == "Forbidden.Release"
    err = error(cbn, twin, "SetCenInterRegionBandwidthLimit", CenId=cen_id, LocalRegionId="ap-northeast-1",
                OppositeRegionId="cn-beijing", BandwidthLimit=11)
    assert err.code == "ParameterIllegal.BandwidthLimit"
    err = error(cbn, twin, "SetCenInterRegionBandwidthLimit", CenId=cen_id, LocalRegionId="ap-northeast-1",
                OppositeRegionId="cn-hangzhou", BandwidthLimit=1)
    assert err.code == "ParameterIllegal.RegionId"
    cbn(twin, "SetCenInterRegionBandwidthLimit", CenId=cen_id, LocalRegionId="ap-northeast-1",
        OppositeRegionId="cn-beijing", BandwidthLimit=8)
    limits = cbn(twin, "DescribeCenInterRegionBandwidthLimits", CenId=cen_id)
    limit = limits["CenInterRegionBandwidthLimits"]["CenInterRegionBandwidthLimit"][0]
    assert (limit["BandwidthLimit"], limit["BandwidthPackageId"], limit["Status"]) == (8, pkg, "Active")
    from cloudtwin.alicloud.models.cen import inter_region_bandwidth

    assert inter_region_bandwidth(twin.twin.backend.state, cen_id, "cn-beijing", "ap-northeast-1")["kbps"] == 8000
    described = cbn(twin, "DescribeCenBandwidthPackages", Filter=[{"Key": "CenId", "Value": [cen_id]}])
    package = described["CenBandwidthPackages"]["CenBandwidthPackage"][0]
    assert (package["CenBandwidthPackageId"], package["Status"], package["CenIds"]["CenId"]) == (pkg, "InUse", [cen_id])
    assert error(cbn, twin, "UnassociateCenBandwidthPackage", CenId=cen_id, CenBandwidthPackageId=pkg).code == \
        "InvalidOperation.InterRegionBandwidthLimitExist"
    assert error(cbn, twin, "DeleteCen", CenId=cen_id).code == "InvalidOperation.AttachedChildInstanceExist"
    cbn(twin, "SetCenInterRegionBandwidthLimit", CenId=cen_id, LocalRegionId="ap-northeast-1",
        OppositeRegionId="cn-beijing", BandwidthLimit=0)
    assert cbn(twin, "DescribeCenInterRegionBandwidthLimits", CenId=cen_id)["TotalCount"] == 0
    cbn(twin, "UnassociateCenBandwidthPackage", CenId=cen_id, CenBandwidthPackageId=pkg)
    cbn(twin, "DeleteCenBandwidthPackage", CenBandwidthPackageId=pkg)
    assert cbn(twin, "DescribeCenBandwidthPackages",
               Filter=[{"Key": "CenBandwidthPackageId", "Value": [pkg]}])["TotalCount"] == 0


def test_route_to_a_vpn_gateway_is_published_like_the_walkthrough(tokyo_beijing):
    twin, cen_id, tokyo, beijing = tokyo_beijing
    gw_id = vpc(twin, "CreateVpnGateway", VpcId=tokyo.id, Bandwidth=10)["VpnGatewayId"]
    vpc(twin, "DescribeVpnGateways", VpnGatewayId=gw_id)  # settle: active
    vpc(twin, "CreateRouteEntry", RouteTableId=tokyo["RouteTableId"], DestinationCidrBlock="172.16.0.0/12",
        NextHopType="VpnGateway", NextHopId=gw_id)
    _publish(twin, "PublishRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    entry = _publish(twin, "DescribePublishedRouteEntries", cen_id, tokyo, "172.16.0.0/12")
    published = entry["PublishedRouteEntries"]["PublishedRouteEntry"][0]
    assert (published["NextHopType"], published["NextHopId"], published["PublishStatus"]) == \
        ("VpnGateway", gw_id, "Published")
    assert "172.16.0.0/12" in [e["DestinationCidrBlock"] for e in route_entries(twin, beijing) if e["Type"] == "CEN"]


# --- editions: today's CENs are Enterprise, a world may declare a legacy Basic one --------------------------

def test_a_cen_made_today_refuses_the_basic_calls(today_twin):
    tokyo, beijing = seeded(today_twin, "tokyo-vpc"), seeded(today_twin, "beijing-vpc")
    cen_id = new_cen(today_twin, Name="today-cen")
    err = error(attach, today_twin, cen_id, tokyo)
    assert (err.code, err.statusCode) == ("OperationFailed.InvalidTransitRouter", 400)
    assert "CreateTransitRouterVpcAttachment" in err.message
    assert children(today_twin, cen_id) == []
    _tokyo_custom_route(today_twin, tokyo)
    assert error(_publish, today_twin, "PublishRouteEntries", cen_id, tokyo, "172.16.0.0/12").code == \
        "OperationUnsupported.TransitRouterType"
    assert error(_publish, today_twin, "WithdrawPublishedRouteEntries", cen_id, tokyo, "172.16.0.0/12").code == \
        "OperationUnsupported.TransitRouterType"
    err = error(cbn, today_twin, "SetCenInterRegionBandwidthLimit", CenId=cen_id, LocalRegionId=tokyo.region,
                OppositeRegionId=beijing.region, BandwidthLimit=1)
    assert err.code == "OperationUnsupported.TransitRouterType"


def test_the_legacy_world_still_makes_basic_cens(twin):
    cen_id = new_cen(twin)
    attach(twin, cen_id, seeded(twin, "tokyo-vpc"))
    assert [c["Status"] for c in children(twin, cen_id)] == ["Attached"]


@contextlib.contextmanager
def world_with_cens(handle, cens):
    """The handle's twin re-seeded from its world plus ``cens`` in the first account (restored afterwards)."""
    from cloudtwin.world import World, validate

    original = handle.twin.world
    raw = copy.deepcopy(original.raw)
    raw["alicloud"]["accounts"][0]["cens"] = cens
    world = World(raw)
    validate(world)
    handle.twin.world = world
    handle.twin.reset()
    try:
        yield handle
    finally:
        handle.twin.world = original
        handle.twin.reset()


def test_a_world_declared_basic_cen_keeps_working_today(today_twin):
    with world_with_cens(today_twin, [{"name": "legacy-cen", "edition": "basic",
                                       "vpcs": ["tokyo-vpc", "beijing-vpc"]}]) as twin:
        cen = cbn(twin, "DescribeCens", Filter=[{"Key": "Name", "Value": ["legacy-cen"]}])["Cens"]["Cen"][0]
        assert cen["Status"] == "Active"
        tokyo, beijing = seeded(twin, "tokyo-vpc"), seeded(twin, "beijing-vpc")
        assert {c["ChildInstanceId"]: c["Status"] for c in children(twin, cen["CenId"])} == \
            {tokyo.id: "Attached", beijing.id: "Attached"}
        # Basic learning: today's world has Tokyo's extra vSwitches (today_only), and Beijing learns them all
        assert [e["DestinationCidrBlock"] for e in route_entries(twin, beijing) if e["Type"] == "CEN"] == \
            ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
        _tokyo_custom_route(twin, tokyo)
        _publish(twin, "PublishRouteEntries", cen["CenId"], tokyo, "172.16.0.0/12")
        assert "172.16.0.0/12" in [e["DestinationCidrBlock"] for e in route_entries(twin, beijing)]
        # the region's transit router is the Basic one: no Enterprise router next to it
        err = error(cbn, twin, "CreateTransitRouter", CenId=cen["CenId"], RegionId="ap-northeast-1")
        assert err.code == "InstanceExist.TransitRouterInstance"
        # where the legacy CEN has no Basic router, today's Enterprise one can be added
        tr_id = cbn(twin, "CreateTransitRouter", CenId=cen["CenId"], RegionId="cn-hangzhou")["TransitRouterId"]
        # ListTransitRouters lists both editions: the new Enterprise router and the Basic ones of the regions
        # with attached instances
        routers = cbn(twin, "ListTransitRouters", CenId=cen["CenId"])["TransitRouters"]
        assert sorted((r["RegionId"], r["Type"]) for r in routers) == \
            [("ap-northeast-1", "Basic"), ("cn-beijing", "Basic"), ("cn-hangzhou", "Enterprise")]
        assert [r["TransitRouterId"] for r in routers if r["Type"] == "Enterprise"] == [tr_id]


def test_today_only_vswitches_exist_in_todays_world_only(twin, today_twin):
    legacy = sorted(v["VSwitchName"] for v in twin.ali_resources("VSwitch"))
    today = sorted(v["VSwitchName"] for v in today_twin.ali_resources("VSwitch"))
    assert legacy == ["beijing-vsw-1", "tokyo-vsw-1"]
    assert today == ["beijing-vsw-1", "beijing-vsw-2", "tokyo-vpn-vsw-1", "tokyo-vpn-vsw-2", "tokyo-vsw-1",
                     "tokyo-vsw-2"]
    hosts = {i["InstanceName"]: i["VpcAttributes"]["PrivateIpAddress"]["IpAddress"] for i in
             today_twin.ali_resources("Instance")}
    assert hosts == {"tokyo-host": ["10.0.0.17"], "beijing-host": ["192.168.0.92"]}


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(cens=[{"name": "c", "edition": "basic", "vpcs": ["nope"]}]), "unknown vpc nope"),
    (lambda a: a.update(cens=[{"name": "c", "edition": "enterprise", "vpcs": ["tokyo-vpc"]}]), "only a basic cen"),
    (lambda a: a.update(cens=[{"name": "c", "edition": "premium"}]), "edition must be one of"),
    (lambda a: a.update(cens=[{"name": "c", "edition": "basic", "vpcs": ["tokyo-vpc"]},
                              {"name": "d", "edition": "basic", "vpcs": ["tokyo-vpc"]}]), "is in cen c and cen d"),
    (lambda a: a["regions"]["ap-northeast-1"]["vpcs"][0]["vswitches"].append(
        {"name": "x", "cidr": "10.0.0.128/25", "zone": "ap-northeast-1a"}), "overlaps tokyo-vsw-1"),
    (lambda a: a["regions"]["ap-northeast-1"]["vpcs"][0]["vswitches"].append(
        {"name": "x", "cidr": "172.31.0.0/24", "zone": "ap-northeast-1a"}), "outside 10.0.0.0/8"),
    (lambda a: a["regions"]["ap-northeast-1"]["vpcs"][0]["hosts"][0].update(vswitch="tokyo-vsw-2"),
     "today_only vswitch"),
])
def test_world_file_cens_and_vswitches_are_validated(change, message):
    from cloudtwin.world import World, WorldError, load_world, validate

    raw = copy.deepcopy(load_world(str(WORLDS / "seed-tgw-cen.yml")).raw)
    change(raw["alicloud"]["accounts"][0])
    with pytest.raises(WorldError, match=message):
        validate(World(raw))
