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


def test_list_mode_creates_several_in_one_call(today_twin):
    listed = {"alicloud_region": TOKYO, "customer_gateways": [
        {"name": "aws-vpn-1-tunnel-1", "ip_address": "203.0.113.10"},
        {"name": "aws-vpn-2-tunnel-1", "ip_address": "203.0.113.12", "auth_key": "bgp-md5-key"}]}
    checked = ok("alicloud_customer_gateway", listed, check_mode=True, diff=True)
    assert checked["changed"] and [c["customer_gateway_id"] for c in checked["customer_gateways"]] == [None, None]
    assert today_twin.mutating_calls() == []

    today_twin.clear_calls()
    created = ok("alicloud_customer_gateway", listed, diff=True)
    assert created["changed"] and today_twin.mutating_calls() == ["CreateCustomerGateway"] * 2
    ids = [c["customer_gateway_id"] for c in created["customer_gateways"]]
    assert all(i and i.startswith("cgw-") for i in ids) and len(set(ids)) == 2
    assert [c["ip_address"] for c in created["customer_gateways"]] == ["203.0.113.10", "203.0.113.12"]
    assert created["diff"]["after"]["customer_gateways"][1]["auth_key"] == "********"
    assert "bgp-md5-key" not in json.dumps(created)

    today_twin.clear_calls()
    again = ok("alicloud_customer_gateway", listed)
    assert not again["changed"] and [c["customer_gateway_id"] for c in again["customer_gateways"]] == ids
    assert today_twin.mutating_calls() == []

    gone = ok("alicloud_customer_gateway", dict(listed, state="absent"))
    assert gone["changed"] and today_twin.ali_resources("CustomerGateway") == []


def test_list_mode_validation_before_any_call(today_twin):
    result = run_module("alicloud_customer_gateway", {"alicloud_region": TOKYO, "customer_gateways": [
        {"ip_address": "203.0.113.10"}, {"ip_address": "169.254.10.1"}]})
    assert result["failed"] and "customer_gateways[1].ip_address" in result["msg"]
    result = run_module("alicloud_customer_gateway", {"alicloud_region": TOKYO, "customer_gateways": [
        {"ip_address": "203.0.113.10"}, {"ip_address": "203.0.113.10"}]})
    assert result["failed"] and "more than once" in result["msg"]
    assert today_twin.mutating_calls() == []


def test_create_waits_until_reads_see_the_new_gateway(today_twin):
    # Reads hide a new gateway for 2 s (eventual consistency): the module used to read once right after the
    # create and report success with customer_gateway_id null.
    today_twin.twin.faults.update({"consistency_delay": 2})
    created = ok("alicloud_customer_gateway", args())
    assert created["changed"] and created["customer_gateway_id"].startswith("cgw-")
    assert created["customer_gateway"]["ip_address"] == "203.0.113.10"
    listed = ok("alicloud_customer_gateway", {"alicloud_region": TOKYO, "wait_timeout": 30, "customer_gateways": [
        {"name": "second", "ip_address": "203.0.113.20"}]})
    assert listed["customer_gateways"][0]["customer_gateway_id"].startswith("cgw-")


def test_a_rerun_before_reads_see_the_gateway_adopts_it(today_twin):
    today_twin.twin.faults.update({"consistency_delay": 2})
    first = ok("alicloud_customer_gateway", args(wait=False))
    assert first["changed"] and first["customer_gateway_id"].startswith("cgw-")
    # Reads cannot see it yet, so the re-run tries to create it, is told the IP is taken, and waits for it.
    again = ok("alicloud_customer_gateway", args(wait_timeout=30))
    assert not again["changed"] and again["customer_gateway_id"] == first["customer_gateway_id"]
    assert len(today_twin.ali_resources("CustomerGateway")) == 1
