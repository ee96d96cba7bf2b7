"""multicloud.transit.alicloud_vpn_gateway against the seed-tgw-cen twin."""

from __future__ import annotations

import ipaddress

from twinhelpers import ok, run_module

TOKYO = "ap-northeast-1"


def args(**extra):
    base = {"alicloud_region": TOKYO, "name": "tokyo-vpn", "vpc_name": "tokyo-vpc", "bandwidth": 10}
    base.update(extra)
    return base


def test_create_idempotent_update_delete(twin):
    twin.clear_calls()
    created = ok("alicloud_vpn_gateway", args())
    assert created["changed"] and created["status"] == "active"
    assert created["vpn_gateway_id"].startswith("vpn-")
    assert ipaddress.ip_address(created["internet_ip"]) in ipaddress.ip_network("198.51.100.0/24")
    assert created["vpn_gateway"]["spec"] == "10M" and created["vpn_gateway"]["ipsec_vpn"] == "enable"
    assert twin.mutating_calls() == ["CreateVpnGateway"]

    twin.clear_calls()
    again = ok("alicloud_vpn_gateway", args())
    assert not again["changed"] and again["vpn_gateway_id"] == created["vpn_gateway_id"]
    assert twin.mutating_calls() == []

    # update: description and tags, shown in the diff
    updated = ok("alicloud_vpn_gateway", args(description="to AWS", tags={"env": "demo"}), diff=True)
    assert updated["changed"]
    assert updated["diff"]["before"]["description"] == "" and updated["diff"]["after"]["description"] == "to AWS"
    assert updated["vpn_gateway"]["tags"] == {"env": "demo"} and updated["vpn_gateway"]["description"] == "to AWS"
    twin.clear_calls()
    assert not ok("alicloud_vpn_gateway", args(description="to AWS", tags={"env": "demo"}))["changed"]
    assert twin.mutating_calls() == []

    # bandwidth is an order change: refused with the reason
    refused = run_module("alicloud_vpn_gateway", args(bandwidth=100))
    assert refused["failed"] and "bandwidth" in refused["msg"]

    twin.clear_calls()
    gone = ok("alicloud_vpn_gateway", args(state="absent"))
    assert gone["changed"] and gone["vpn_gateway_id"] is None
    assert twin.mutating_calls() == ["DeleteVpnGateway"]
    assert twin.ali_resources("VpnGateway") == []
    assert not ok("alicloud_vpn_gateway", args(state="absent"))["changed"]


def test_check_mode_creates_nothing(twin):
    result = ok("alicloud_vpn_gateway", args(), check_mode=True, diff=True)
    assert result["changed"] and result["vpn_gateway_id"] is None
    assert result["diff"]["before"] == {} and result["diff"]["after"]["name"] == "tokyo-vpn"
    assert twin.ali_resources("VpnGateway") == []
    assert twin.mutating_calls() == []


def test_validation_names_the_field(twin):
    result = run_module("alicloud_vpn_gateway", args(enable_ssl=True, ssl_connections=3))
    assert result["failed"] and "ssl_connections" in result["msg"]
    result = run_module("alicloud_vpn_gateway", args(name="9bad name"))
    assert result["failed"] and "name" in result["msg"]
    result = run_module("alicloud_vpn_gateway", args(vpc_name="nope-vpc"))
    assert result["failed"] and "vpc_name" in result["msg"]
    assert twin.mutating_calls() == []
