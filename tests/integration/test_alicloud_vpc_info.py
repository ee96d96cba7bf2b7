"""alicloud_vpc_info against the twin: several regions in one call, vSwitches with zones, route tables and entries."""

from __future__ import annotations

from twinhelpers import ok, seeded_vpc, vpc_call

TOKYO, BEIJING = "ap-northeast-1", "cn-beijing"


def test_several_regions_in_one_call_with_vswitch_zones(today_twin):
    result = ok("alicloud_vpc_info", {"alicloud_region": TOKYO, "regions": [TOKYO, BEIJING],
                                      "names": ["tokyo-vpc", "beijing-vpc"]})
    tokyo, beijing = result["vpcs"]
    assert (tokyo["vpc_name"], tokyo["region_id"]) == ("tokyo-vpc", TOKYO)
    assert (beijing["vpc_name"], beijing["region_id"]) == ("beijing-vpc", BEIJING)
    seeded = seeded_vpc(today_twin, "tokyo-vpc")
    assert tokyo["vpc_id"] == seeded.id and tokyo["route_table_id"] == seeded["RouteTableId"]
    assert tokyo["route_table_ids"] == [seeded["RouteTableId"]]
    # Today's world: four Tokyo vSwitches in two zones, each with its zone, CIDR, free addresses and table.
    assert sorted((v["name"], v["zone_id"], v["cidr_block"]) for v in tokyo["vswitches"]) == [
        ("tokyo-vpn-vsw-1", "ap-northeast-1a", "10.0.2.0/24"), ("tokyo-vpn-vsw-2", "ap-northeast-1c", "10.0.3.0/24"),
        ("tokyo-vsw-1", "ap-northeast-1a", "10.0.0.0/24"), ("tokyo-vsw-2", "ap-northeast-1c", "10.0.1.0/24")]
    assert all(v["vswitch_id"].startswith("vsw-") and v["available_ip_address_count"] > 0
               and v["route_table_id"] == seeded["RouteTableId"] for v in tokyo["vswitches"])
    assert sorted(v["zone_id"] for v in beijing["vswitches"]) == ["cn-beijing-a", "cn-beijing-h"]
    assert "route_entries" not in tokyo  # only with include_routes


def test_lookup_by_id_and_name_per_region(twin):
    beijing_id = seeded_vpc(twin, "beijing-vpc").id
    both = [TOKYO, BEIJING]
    by_id = ok("alicloud_vpc_info", {"alicloud_region": TOKYO, "regions": both, "vpc_ids": [beijing_id]})["vpcs"]
    assert [(v["vpc_id"], v["region_id"]) for v in by_id] == [(beijing_id, BEIJING)]
    # The module's own region alone does not hold it.
    assert ok("alicloud_vpc_info", {"alicloud_region": TOKYO, "vpc_ids": [beijing_id]})["vpcs"] == []
    by_name = ok("alicloud_vpc_info", {"regions": both, "names": ["beijing-vpc", "no-such-vpc"]})["vpcs"]
    assert [v["vpc_id"] for v in by_name] == [beijing_id]
    # The 2018 walkthrough world: one vSwitch per VPC.
    assert [v["name"] for v in by_name[0]["vswitches"]] == ["beijing-vsw-1"]


def test_route_entries_of_every_table_paged_to_the_end(twin):
    tokyo = seeded_vpc(twin, "tokyo-vpc")
    host = next(i for i in twin.ali_resources("Instance") if i["VpcId"] == tokyo.id)
    dests = ["172.21.%d.0/24" % n for n in range(25)]  # DescribeRouteEntryList pages 10 by default
    for dest in dests:
        vpc_call(twin, "CreateRouteEntry", RouteTableId=tokyo["RouteTableId"], DestinationCidrBlock=dest,
                 NextHopType="Instance", NextHopId=host.id)
    twin.clear_calls()
    vpcs = ok("alicloud_vpc_info", {"regions": [TOKYO, BEIJING], "include_routes": True})["vpcs"]
    assert twin.mutating_calls() == []
    tokyo_view = next(v for v in vpcs if v["vpc_id"] == tokyo.id)
    custom = [e for e in tokyo_view["route_entries"] if e["type"] == "Custom"]
    assert sorted(e["destination_cidr_block"] for e in custom) == sorted(dests)
    assert all(e["route_table_id"] == tokyo["RouteTableId"] for e in tokyo_view["route_entries"])
    assert any(e["type"] == "System" for e in tokyo_view["route_entries"])
    beijing_view = next(v for v in vpcs if v["region_id"] == BEIJING)
    assert [e["type"] for e in beijing_view["route_entries"] if e["type"] == "Custom"] == []
