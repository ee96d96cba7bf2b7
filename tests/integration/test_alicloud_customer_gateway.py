"""multicloud.transit.alicloud_customer_gateway against the seed-tgw-cen twin."""

from __future__ import annotations

import json

from twinhelpers import ok, run_module

TOKYO = "ap-northeast-1"


def args(**extra):
    base = {"alicloud_region": TOKYO, "name": "aws-tunnel-1", "ip_address": "203.0.113.10", "asn": 64512}
    base.update(extra)
    return base


def test_create_idempotent_update_delete(twin):
    twin.clear_calls()
    created = ok("alicloud_customer_gateway", args())
    assert created["changed"] and created["customer_gateway_id"].startswith("cgw-")
    assert created["customer_gateway"]["ip_address"] == "203.0.113.10"
    assert created["customer_gateway"]["asn"] == 64512
    assert twin.mutating_calls() == ["CreateCustomerGateway"]

    twin.clear_calls()
    again = ok("alicloud_customer_gateway", args())
    assert not again["changed"] and again["customer_gateway_id"] == created["customer_gateway_id"]
    assert twin.mutating_calls() == []

    updated = ok("alicloud_customer_gateway", args(description="AWS tunnel 1", auth_key="bgp-md5-key"), diff=True)
    assert updated["changed"] and updated["customer_gateway"]["description"] == "AWS tunnel 1"
    assert updated["diff"]["after"]["auth_key"] == "********"
    assert "bgp-md5-key" not in json.dumps(updated)

    refused = run_module("alicloud_customer_gateway", args(asn=65001))
    assert refused["failed"] and "asn" in refused["msg"]

    twin.clear_calls()
    gone = ok("alicloud_customer_gateway", args(state="absent"))
    assert gone["changed"] and twin.mutating_calls() == ["DeleteCustomerGateway"]
    assert not ok("alicloud_customer_gateway", args(state="absent"))["changed"]


def test_check_mode_and_diff(twin):
    result = ok("alicloud_customer_gateway", args(), check_mode=True, diff=True)
    assert result["changed"] and result["customer_gateway_id"] is None
    assert result["diff"]["after"]["ip_address"] == "203.0.113.10"
    assert twin.ali_resources("CustomerGateway") == []


def test_validation_names_the_field(twin):
    result = run_module("alicloud_customer_gateway", args(ip_address="203.0.113.300"))
    assert result["failed"] and "ip_address" in result["msg"]
    result = run_module("alicloud_customer_gateway", args(asn=45104))
    assert result["failed"] and "asn" in result["msg"]
    assert twin.mutating_calls() == []
