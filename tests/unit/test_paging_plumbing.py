"""Paging of the real cloud, which the modules must follow: every entry comes back.

- DescribePublishedRouteEntries: PageSize 1-50 (SDK model DescribePublishedRouteEntriesRequest).
- DescribeRouteEntryList: NextToken paging, MaxResult 1-100 (SDK model DescribeRouteEntryListRequest).

The twin, before its own paging change, answers every entry in one page and accepts any
size, which hid both defects. ``documented_paging`` applies the documented rules at the SDK
boundary (a mock of the server's paging only, because the twin cannot express it yet); the
requests still reach the twin and its answers are only cut into pages. When the twin pages
by itself, its answers pass through untouched.
"""

from __future__ import annotations

import pytest
from alibabacloud_vpc20160428 import models as vpc_models

from twinhelpers import ok

TOKYO = {"alicloud_region": "ap-northeast-1"}
SHIM = "paging-shim-"


def refuse(name, value, most):
    from Tea.exceptions import TeaException

    return TeaException({"code": "InvalidParameter.%s" % name, "message": "%s %s is not in 1-%d." % (name, value, most),
                         "data": {"statusCode": 400, "Code": "InvalidParameter.%s" % name}})


@pytest.fixture
def documented_paging(monkeypatch):
    from alibabacloud_cbn20170912.client import Client as Cbn
    from alibabacloud_vpc20160428.client import Client as Vpc

    published = Cbn.describe_published_route_entries_with_options
    route_list = Vpc.describe_route_entry_list_with_options

    def published_pages(self, request, runtime):
        if (request.page_size or 10) > 50:
            raise refuse("PageSize", request.page_size, 50)
        return published(self, request, runtime)

    def route_list_pages(self, request, runtime):
        size = request.max_result or 10
        if size > 100:
            raise refuse("MaxResult", size, 100)
        start = 0
        if (request.next_token or "").startswith(SHIM):
            start, request.next_token = int(request.next_token[len(SHIM):]), None
        response = route_list(self, request, runtime)
        body = response.body
        entries = body.route_entrys.route_entry or []
        if body.next_token or (start == 0 and len(entries) <= size):
            return response  # the twin paged by itself, or one page holds everything
        body.route_entrys.route_entry = entries[start:start + size]
        body.next_token = SHIM + str(start + size) if start + size < len(entries) else ""
        return response

    monkeypatch.setattr(Cbn, "describe_published_route_entries_with_options", published_pages)
    monkeypatch.setattr(Vpc, "describe_route_entry_list_with_options", route_list_pages)


def tokyo_with_routes(handle, count):
    """The Tokyo VPC with ``count`` custom route entries (172.20.N.0/24 -> the Tokyo host)."""
    tokyo = next(v for v in handle.ali_resources("Vpc") if v["VpcName"] == "tokyo-vpc")
    host = next(i for i in handle.ali_resources("Instance") if i["VpcId"] == tokyo.id)
    client = handle.vpc_client(region="ap-northeast-1")
    dests = ["172.20.%d.0/24" % n for n in range(count)]
    for dest in dests:
        client.create_route_entry(vpc_models.CreateRouteEntryRequest(
            region_id="ap-northeast-1", route_table_id=tokyo["RouteTableId"], destination_cidr_block=dest,
            next_hop_type="Instance", next_hop_id=host.id))
    return tokyo, dests


def test_vpc_info_reads_every_page_of_route_entries(twin, documented_paging):
    tokyo, dests = tokyo_with_routes(twin, 120)
    vpc = ok("alicloud_vpc_info", dict(TOKYO, vpc_ids=[tokyo.id], include_routes=True))["vpcs"][0]
    found = [e["destination_cidr_block"] for e in vpc["route_entries"]]
    assert sorted(d for d in found if d.startswith("172.20.")) == sorted(dests)
    assert len(found) == len(set(found))


def test_cen_route_publishes_beyond_the_first_page(twin, documented_paging):
    tokyo, dests = tokyo_with_routes(twin, 60)
    cen = ok("alicloud_cen", dict(TOKYO, name="paging-cen", attachments=[
        {"instance_id": tokyo.id, "region_id": "ap-northeast-1"}]))["cen"]
    args = dict(TOKYO, cen_id=cen["cen_id"], vpc_id=tokyo.id, destinations=dests)
    published = ok("alicloud_cen_route", args)
    assert published["changed"] and len(published["routes"]) == 60
    assert set(r["publish_status"] for r in published["routes"]) == {"Published"}
    twin.clear_calls()
    assert not ok("alicloud_cen_route", args)["changed"] and twin.mutating_calls() == []
