"""multicloud.transit.alicloud_cen_route against the twin, including the first walkthrough's CEN."""

from __future__ import annotations

from alibabacloud_vpc20160428 import models as vpc_models

from twinhelpers import ok, run_module

REGION = {"alicloud_region": "ap-northeast-1"}


def vpc_by_name(handle, name):
    return next(v for v in handle.ali_resources("Vpc") if v["VpcName"] == name)


def learned(handle, vpc_res):
    body = handle.vpc_client(region=vpc_res.region).describe_route_entry_list(
        vpc_models.DescribeRouteEntryListRequest(region_id=vpc_res.region, route_table_id=vpc_res["RouteTableId"]))
    return sorted(e.destination_cidr_block for e in body.body.route_entrys.route_entry if e.type == "CEN")


def walkthrough_cen(handle):
    """Step 2 and 5 of the first walkthrough: CEN with Tokyo and Beijing, Tokyo's route to AWS."""
    tokyo, beijing = vpc_by_name(handle, "tokyo-vpc"), vpc_by_name(handle, "beijing-vpc")
    cen = ok("alicloud_cen", dict(REGION, name="transit-cen", attachments=[
        {"instance_id": tokyo.id, "region_id": "ap-northeast-1"},
        {"instance_id": beijing.id, "region_id": "cn-beijing"}]))["cen"]
    # next hop: the seeded Tokyo host (the VPN gateway model is another engineer's work)
    host = next(i for i in handle.ali_resources("Instance") if i["VpcId"] == tokyo.id)
    handle.vpc_client(region="ap-northeast-1").create_route_entry(vpc_models.CreateRouteEntryRequest(
        region_id="ap-northeast-1", route_table_id=tokyo["RouteTableId"], destination_cidr_block="172.16.0.0/12",
        next_hop_type="Instance", next_hop_id=host.id))
    return cen, tokyo, beijing


def test_walkthrough_publish_makes_beijing_learn_the_route(twin):
    cen, tokyo, beijing = walkthrough_cen(twin)
    assert learned(twin, beijing) == ["10.0.0.0/24"]  # Tokyo's vSwitch, learned without publishing
    assert learned(twin, tokyo) == ["192.168.0.0/24"]
    args = dict(REGION, cen_id=cen["cen_id"], vpc_id=tokyo.id, destinations=["172.16.0.0/12"])

    twin.clear_calls()
    planned = ok("alicloud_cen_route", args, check_mode=True, diff=True)
    assert planned["changed"] and planned["diff"]["after"] == {"172.16.0.0/12": "Published"}
    assert twin.mutating_calls() == [] and learned(twin, beijing) == ["10.0.0.0/24"]

    published = ok("alicloud_cen_route", args, diff=True)
    assert published["changed"] and published["route_table_id"] == tokyo["RouteTableId"]
    assert published["routes"] == [{"destination_cidr_block": "172.16.0.0/12", "publish_status": "Published",
                                    "route_type": "Custom", "next_hop_type": "Instance",
                                    "next_hop_id": published["routes"][0]["next_hop_id"]}]
    assert published["diff"] == {"before": {"172.16.0.0/12": "NonPublished"},
                                 "after": {"172.16.0.0/12": "Published"}}
    assert learned(twin, beijing) == ["10.0.0.0/24", "172.16.0.0/12"]

    twin.clear_calls()
    assert not ok("alicloud_cen_route", args)["changed"] and twin.mutating_calls() == []

    info = ok("alicloud_cen_info", dict(REGION, cen_ids=[cen["cen_id"]], include_published_routes=True,
                                        include_learned_routes=True))["cens"][0]
    tokyo_routes = next(a for a in info["attachments"] if a["instance_id"] == tokyo.id)["published_routes"]
    assert {r["destination_cidr_block"]: r["publish_status"] for r in tokyo_routes} == {
        "10.0.0.0/24": "Published", "172.16.0.0/12": "Published"}
    beijing_domain = {r["destination_cidr_block"]: r for r in info["region_route_entries"]["cn-beijing"]}
    assert beijing_domain["172.16.0.0/12"]["next_hop_instance_id"] == tokyo.id

    withdrawn = ok("alicloud_cen_route", dict(args, state="absent"))
    assert withdrawn["changed"] and withdrawn["routes"][0]["publish_status"] == "NonPublished"
    assert learned(twin, beijing) == ["10.0.0.0/24"]
    twin.clear_calls()
    assert not ok("alicloud_cen_route", dict(args, state="absent"))["changed"] and twin.mutating_calls() == []


def test_errors_name_the_field_and_the_fix(twin):
    cen, tokyo, beijing = walkthrough_cen(twin)
    base = dict(REGION, cen_id=cen["cen_id"], vpc_id=tokyo.id)
    other = ok("alicloud_cen", dict(REGION, name="other-cen"))["cen"]
    twin.clear_calls()
    result = run_module("alicloud_cen_route", dict(base, destinations=["172.16.0.0/33"]))
    assert result["failed"] and "destinations[0]" in result["msg"]
    result = run_module("alicloud_cen_route", dict(base, destinations=["172.16.0.0/12", "198.51.100.0/24"]))
    assert result["failed"] and "destinations[1] 198.51.100.0/24 is not a route entry" in result["msg"]
    result = run_module("alicloud_cen_route", dict(base, destinations=["10.0.0.0/24"], state="absent"))
    assert result["failed"] and "vSwitch route" in result["msg"]
    assert not ok("alicloud_cen_route", dict(base, destinations=["10.0.0.0/24"]))["changed"]
    result = run_module("alicloud_cen_route", dict(base, cen_id=other["cen_id"], destinations=["172.16.0.0/12"]))
    assert result["failed"] and result["error_code"] == "ParameterInstanceId" and "alicloud_cen" in result["msg"]
    assert twin.mutating_calls() == []
