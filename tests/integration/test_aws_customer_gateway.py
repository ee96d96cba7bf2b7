"""aws_customer_gateway against the twin: create, reuse, check mode, diff, tags, refusals, delete."""

from __future__ import annotations

from twinhelpers import ok, run_module


def _live(twin):
    return [c for c in twin.ec2().describe_customer_gateways()["CustomerGateways"] if c["State"] != "deleted"]


def test_create_idempotent_tags_and_delete(twin):
    args = {"ip_address": "192.0.2.10", "bgp_asn": 65000, "name": "alibaba-vpngw"}
    checked = ok("aws_customer_gateway", args, check_mode=True, diff=True)
    assert checked["changed"] and _live(twin) == []
    assert checked["diff"]["after"]["ip_address"] == "192.0.2.10"

    created = ok("aws_customer_gateway", args)
    assert created["changed"] and created["customer_gateway_id"].startswith("cgw-")
    assert (created["ip_address"], created["bgp_asn"], created["type"], created["state"]) == (
        "192.0.2.10", 65000, "ipsec.1", "available")
    assert created["tags"] == {"Name": "alibaba-vpngw"} and created["name"] == "alibaba-vpngw"

    twin.clear_calls()
    again = ok("aws_customer_gateway", args)
    assert not again["changed"] and again["customer_gateway_id"] == created["customer_gateway_id"]
    assert twin.mutating_calls() == []
    assert len(_live(twin)) == 1

    # Same IP and ASN without a name: the same gateway is reused.
    assert ok("aws_customer_gateway", {"ip_address": "192.0.2.10"})["customer_gateway_id"] == created["customer_gateway_id"]

    tagged = ok("aws_customer_gateway", dict(args, tags={"env": "demo"}), diff=True)
    assert tagged["changed"] and tagged["tags"] == {"Name": "alibaba-vpngw", "env": "demo"}
    assert tagged["diff"]["before"]["tags"] == {"Name": "alibaba-vpngw"}
    twin.clear_calls()
    assert not ok("aws_customer_gateway", dict(args, tags={"env": "demo"}))["changed"]
    assert twin.mutating_calls() == []

    twin.clear_calls()
    assert ok("aws_customer_gateway", dict(args, state="absent"), check_mode=True)["changed"]
    assert twin.mutating_calls() == [] and len(_live(twin)) == 1
    gone = ok("aws_customer_gateway", {"customer_gateway_id": created["customer_gateway_id"], "state": "absent"})
    assert gone["changed"] and gone["state"] == "deleted" and _live(twin) == []
    twin.clear_calls()
    assert not ok("aws_customer_gateway", dict(args, state="absent"))["changed"]
    assert twin.mutating_calls() == []


def test_delete_refused_while_a_vpn_uses_it(twin):
    cgw = ok("aws_customer_gateway", {"ip_address": "192.0.2.20", "name": "peer"})
    ec2 = twin.ec2()
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["customer_gateway_id"],
                                    TransitGatewayId=tgw)["VpnConnection"]["VpnConnectionId"]
    twin.clear_calls()
    refused = run_module("aws_customer_gateway", {"customer_gateway_id": cgw["customer_gateway_id"], "state": "absent"})
    assert refused["failed"] and vpn in refused["msg"] and "Delete them first" in refused["msg"]
    assert twin.mutating_calls() == []
    ec2.delete_vpn_connection(VpnConnectionId=vpn)
    assert ok("aws_customer_gateway", {"customer_gateway_id": cgw["customer_gateway_id"], "state": "absent"})["changed"]


def test_validation_names_the_option_and_makes_no_call(twin):
    twin.clear_calls()
    bad_ip = run_module("aws_customer_gateway", {"ip_address": "192.0.2.300"})
    assert bad_ip["failed"] and "ip_address" in bad_ip["msg"]
    bad_asn = run_module("aws_customer_gateway", {"ip_address": "192.0.2.30", "bgp_asn": 0})
    assert bad_asn["failed"] and "bgp_asn" in bad_asn["msg"]
    missing = run_module("aws_customer_gateway", {"name": "x"})
    assert missing["failed"] and "ip_address is required" in missing["msg"]
    assert twin.calls() == []
    cgw = ok("aws_customer_gateway", {"ip_address": "192.0.2.31"})
    moved = run_module("aws_customer_gateway", {"customer_gateway_id": cgw["customer_gateway_id"],
                                                "ip_address": "192.0.2.32"})
    assert moved["failed"] and "ip_address cannot be changed" in moved["msg"]
