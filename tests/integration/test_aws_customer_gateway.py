"""aws_customer_gateway against the twin: create, reuse, check mode, diff, tags, refusals, delete."""

from __future__ import annotations

from twinhelpers import ok, run_module


def cgw_of(result):
    """The customer gateway a result describes."""
    return result["customer_gateway"]


def _live(twin):
    return [c for c in twin.ec2().describe_customer_gateways()["CustomerGateways"] if c["State"] != "deleted"]


def test_create_idempotent_tags_and_delete(twin):
    args = {"ip_address": "192.0.2.10", "bgp_asn": 65000, "name": "alibaba-vpngw"}
    checked = ok("aws_customer_gateway", args, check_mode=True, diff=True)
    assert checked["changed"] and _live(twin) == []
    assert checked["diff"]["after"]["ip_address"] == "192.0.2.10"

    created = ok("aws_customer_gateway", args)
    assert created["changed"] and created["customer_gateway_id"].startswith("cgw-")
    gateway = cgw_of(created)
    assert (gateway["ip_address"], gateway["bgp_asn"], gateway["type"], gateway["state"]) == (
        "192.0.2.10", 65000, "ipsec.1", "available")
    assert cgw_of(created)["tags"] == {"Name": "alibaba-vpngw"} and cgw_of(created)["name"] == "alibaba-vpngw"

    twin.clear_calls()
    again = ok("aws_customer_gateway", args)
    assert not again["changed"] and again["customer_gateway_id"] == created["customer_gateway_id"]
    assert twin.mutating_calls() == []
    assert len(_live(twin)) == 1

    # Same IP and ASN without a name: the same gateway is reused.
    assert ok("aws_customer_gateway", {"ip_address": "192.0.2.10"})["customer_gateway_id"] == created["customer_gateway_id"]

    tagged = ok("aws_customer_gateway", dict(args, tags={"env": "demo"}), diff=True)
    assert tagged["changed"] and cgw_of(tagged)["tags"] == {"Name": "alibaba-vpngw", "env": "demo"}
    assert tagged["diff"]["before"]["tags"] == {"Name": "alibaba-vpngw"}
    twin.clear_calls()
    assert not ok("aws_customer_gateway", dict(args, tags={"env": "demo"}))["changed"]
    assert twin.mutating_calls() == []

    twin.clear_calls()
    assert ok("aws_customer_gateway", dict(args, state="absent"), check_mode=True)["changed"]
    assert twin.mutating_calls() == [] and len(_live(twin)) == 1
    gone = ok("aws_customer_gateway", {"customer_gateway_id": created["customer_gateway_id"], "state": "absent"})
    assert gone["changed"] and cgw_of(gone)["state"] == "deleted" and _live(twin) == []
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


# --- list mode ----------------------------------------------------------------------------------------
SCOPE = {"transit:bridge": "aws-alibaba"}
ENDS = [{"name": "alibaba-tunnel-%d" % n, "ip_address": "198.51.100.%d" % (10 + n)} for n in range(1, 4)]


def test_list_mode_builds_reruns_and_purges_its_scope(twin):
    args = {"customer_gateways": ENDS, "scope_tags": SCOPE}
    outsider = ok("aws_customer_gateway", {"ip_address": "203.0.113.99", "name": "someone-else"})

    twin.clear_calls()
    checked = ok("aws_customer_gateway", args, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == [] and len(_live(twin)) == 1
    assert [c["action"] for c in checked["changes"]] == ["create"] * 3
    assert [g["customer_gateway_id"] for g in checked["customer_gateways"]] == [None] * 3

    twin.clear_calls()
    built = ok("aws_customer_gateway", args)
    assert built["changed"] and twin.mutating_calls() == ["CreateCustomerGateway"] * 3
    assert [(g["ip_address"], g["state"], g["name"]) for g in built["customer_gateways"]] == [
        (e["ip_address"], "available", e["name"]) for e in ENDS]
    assert all(g["tags"]["transit:bridge"] == "aws-alibaba" for g in built["customer_gateways"])

    twin.clear_calls()
    again = ok("aws_customer_gateway", args)
    assert not again["changed"] and twin.mutating_calls() == []
    assert [c["action"] for c in twin.calls()].count("DescribeCustomerGateways") == 1
    assert [g["customer_gateway_id"] for g in again["customer_gateways"]] == [
        g["customer_gateway_id"] for g in built["customer_gateways"]]

    # Purge: only gateways carrying the scope tags, and only those not listed.
    kept = dict(args, customer_gateways=ENDS[:1], purge_customer_gateways=True)
    twin.clear_calls()
    assert ok("aws_customer_gateway", kept, check_mode=True)["changed"] and twin.mutating_calls() == []
    purged = ok("aws_customer_gateway", kept)
    assert purged["changed"] and twin.mutating_calls() == ["DeleteCustomerGateway"] * 2
    assert sorted(c["CustomerGatewayId"] for c in _live(twin)) == sorted(
        [outsider["customer_gateway_id"], built["customer_gateways"][0]["customer_gateway_id"]])

    gone = ok("aws_customer_gateway", dict(args, customer_gateways=ENDS[:1], state="absent"))
    assert gone["changed"] and gone["customer_gateways"] == []
    assert [c["CustomerGatewayId"] for c in _live(twin)] == [outsider["customer_gateway_id"]]


def test_list_mode_refuses_before_any_call(twin):
    in_use = ok("aws_customer_gateway", {"customer_gateways": ENDS[:2], "scope_tags": SCOPE})["customer_gateways"][1]
    ec2 = twin.ec2()
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=in_use["customer_gateway_id"],
                                    TransitGatewayId=tgw)["VpnConnection"]["VpnConnectionId"]
    twin.clear_calls()
    cases = [
        ({"customer_gateways": ENDS, "purge_customer_gateways": True}, "scope_tags"),
        ({"customer_gateways": ENDS + [dict(ENDS[0], name="again")]}, "customer_gateways[3].ip_address"),
        ({"customer_gateways": ENDS + [{"ip_address": "198.51.100.300"}]}, "customer_gateways[3].ip_address"),
        ({"customer_gateways": [dict(ENDS[0], bgp_asn=0)]}, "customer_gateways[0].bgp_asn"),
        ({"customer_gateways": ENDS, "ip_address": "192.0.2.1"}, "cannot be combined with ip_address"),
        ({"ip_address": "192.0.2.1", "scope_tags": SCOPE}, "list mode only"),
        # purging the gateway a VPN uses is refused, and the other purge (none here) and creates do not happen
        ({"customer_gateways": [ENDS[2]], "scope_tags": SCOPE, "purge_customer_gateways": True}, vpn),
    ]
    for args, text in cases:
        result = run_module("aws_customer_gateway", args)
        assert result["failed"], args
        assert text in result["msg"], (args, result["msg"])
    assert twin.mutating_calls() == [] and len(_live(twin)) == 2
