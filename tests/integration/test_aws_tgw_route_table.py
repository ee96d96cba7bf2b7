"""aws_tgw_route_table against the twin: associations, propagations, static/blackhole routes, purge."""

from __future__ import annotations

from twinhelpers import ok, run_module


def rtb(result):
    """The route table a result describes."""
    return result["transit_gateway_route_table"]


def _hub(twin):
    """A TGW with both seeded VPCs attached (default association and propagation) and a VPN."""
    tgw = ok("aws_tgw", {"name": "hub-tgw"})
    atts = {}
    for name in ("vpc-a", "vpc-b"):
        vpc = ok("aws_vpc_info", {"names": [name]})["vpcs"][0]
        atts[name] = ok("aws_tgw_attachment", {"name": name + "-att", "transit_gateway_id": "hub-tgw", "vpc_id": vpc["vpc_id"],
                                               "subnet_ids": [s["subnet_id"] for s in vpc["subnets"]]})
        atts[name]["vpc_id"] = vpc["vpc_id"]
    ec2 = twin.ec2()
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.9", BgpAsn=65000)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"],
                                    TransitGatewayId=tgw["transit_gateway_id"],
                                    Options={"StaticRoutesOnly": True})["VpnConnection"]
    atts["vpn"] = ok("aws_tgw_attachment", {"type": "vpn", "vpn_connection_id": vpn["VpnConnectionId"]})
    return tgw, atts, vpn["VpnConnectionId"]


def _static(result):
    return dict((r["destination_cidr_block"], "blackhole" if r["blackhole"] else r["attachment_id"])
                for r in rtb(result)["routes"] if r["type"] == "static")


def test_default_table_routes_create_replace_purge(twin):
    tgw, atts, vpn_id = _hub(twin)
    vpn_att = atts["vpn"]["transit_gateway_attachment_id"]
    args = {"transit_gateway_id": "hub-tgw", "default": True,
            "routes": [{"destination_cidr_block": "10.0.0.0/8", "vpn_connection_id": vpn_id},
                       {"destination_cidr_block": "192.168.0.0/16", "attachment_id": vpn_att}]}

    twin.clear_calls()
    checked = ok("aws_tgw_route_table", args, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert checked["diff"]["after"]["routes"] == {"10.0.0.0/8": vpn_att, "192.168.0.0/16": vpn_att}
    assert checked["diff"]["before"]["routes"] == {}

    done = ok("aws_tgw_route_table", args)
    assert done["changed"]
    assert done["transit_gateway_route_table_id"] == tgw["transit_gateway"]["association_default_route_table_id"]
    assert _static(done) == {"10.0.0.0/8": vpn_att, "192.168.0.0/16": vpn_att}
    propagated = dict((r["destination_cidr_block"], r["attachment_id"]) for r in rtb(done)["routes"]
                      if r["type"] == "propagated")
    assert propagated == {"172.16.0.0/16": atts["vpc-a"]["transit_gateway_attachment_id"],
                          "172.17.0.0/16": atts["vpc-b"]["transit_gateway_attachment_id"]}
    assert sorted(a["transit_gateway_attachment_id"] for a in rtb(done)["associations"]) == sorted(
        a["transit_gateway_attachment_id"] for a in atts.values())
    vpn_route = [r for r in rtb(done)["routes"] if r["destination_cidr_block"] == "10.0.0.0/8"][0]
    assert vpn_route["resource_id"] == vpn_id and vpn_route["resource_type"] == "vpn" and vpn_route["state"] == "active"

    twin.clear_calls()
    assert not ok("aws_tgw_route_table", args)["changed"] and twin.mutating_calls() == []

    # A changed target is replaced; a route not listed stays unless purge_routes.
    update = {"transit_gateway_id": "hub-tgw", "default": True,
              "routes": [{"destination_cidr_block": "10.0.0.0/8", "blackhole": True}]}
    twin.clear_calls()
    replaced = ok("aws_tgw_route_table", update, diff=True)
    assert twin.mutating_calls() == ["ReplaceTransitGatewayRoute"]
    assert _static(replaced) == {"10.0.0.0/8": "blackhole", "192.168.0.0/16": vpn_att}
    assert replaced["diff"]["before"]["routes"]["10.0.0.0/8"] == vpn_att

    twin.clear_calls()
    purged = ok("aws_tgw_route_table", dict(update, purge_routes=True))
    assert twin.mutating_calls() == ["DeleteTransitGatewayRoute"]
    assert _static(purged) == {"10.0.0.0/8": "blackhole"}
    # Propagated routes survive a purge of static ones.
    assert {"172.16.0.0/16", "172.17.0.0/16"} <= set(r["destination_cidr_block"] for r in rtb(purged)["routes"])

    twin.clear_calls()
    emptied = ok("aws_tgw_route_table", {"transit_gateway_id": "hub-tgw", "default": True, "routes": [], "purge_routes": True})
    assert twin.mutating_calls() == ["DeleteTransitGatewayRoute"] and _static(emptied) == {}


def test_named_table_associations_and_propagations(twin):
    tgw, atts, dummy = _hub(twin)
    vpn_att = atts["vpn"]["transit_gateway_attachment_id"]
    vpc_a = atts["vpc-a"]["transit_gateway_attachment_id"]
    vpc_b = atts["vpc-b"]["transit_gateway_attachment_id"]
    args = {"transit_gateway_id": tgw["transit_gateway_id"], "name": "vpn-rtb", "associations": [vpn_att],
            "propagations": [vpc_a], "routes": [{"destination_cidr_block": "172.17.0.0/16", "vpc_id": atts["vpc-b"]["vpc_id"]}]}
    twin.clear_calls()
    assert ok("aws_tgw_route_table", args, check_mode=True)["changed"] and twin.mutating_calls() == []

    made = ok("aws_tgw_route_table", args)
    assert made["changed"] and rtb(made)["tags"] == {"Name": "vpn-rtb"}
    assert made["transit_gateway_route_table_id"] != tgw["transit_gateway"]["association_default_route_table_id"]
    assert [a["transit_gateway_attachment_id"] for a in rtb(made)["associations"]] == [vpn_att]
    assert [p["transit_gateway_attachment_id"] for p in rtb(made)["propagations"]] == [vpc_a]
    routes = dict((r["destination_cidr_block"], (r["type"], r["attachment_id"])) for r in rtb(made)["routes"])
    assert routes == {"172.16.0.0/16": ("propagated", vpc_a), "172.17.0.0/16": ("static", vpc_b)}
    # The VPN attachment moved here from the default table: one association per attachment.
    default = ok("aws_tgw_route_table", {"transit_gateway_id": "hub-tgw", "default": True})
    assert vpn_att not in [a["transit_gateway_attachment_id"] for a in rtb(default)["associations"]]

    twin.clear_calls()
    assert not ok("aws_tgw_route_table", args)["changed"] and twin.mutating_calls() == []

    # Not listed is not touched, unless purged.
    twin.clear_calls()
    assert not ok("aws_tgw_route_table", dict(args, associations=[], propagations=[]))["changed"]
    assert twin.mutating_calls() == []
    purged = ok("aws_tgw_route_table", dict(args, associations=[], propagations=[vpc_b],
                                            purge_associations=True, purge_propagations=True))
    assert rtb(purged)["associations"] == []
    assert [p["transit_gateway_attachment_id"] for p in rtb(purged)["propagations"]] == [vpc_b]
    routes = dict((r["destination_cidr_block"], r["type"]) for r in rtb(purged)["routes"])
    assert routes == {"172.17.0.0/16": "static"}  # vpc-b's own propagated CIDR hides behind the static route

    gone = ok("aws_tgw_route_table", {"transit_gateway_id": "hub-tgw", "name": "vpn-rtb", "state": "absent"})
    assert gone["changed"]
    twin.clear_calls()
    assert not ok("aws_tgw_route_table", {"transit_gateway_id": "hub-tgw", "name": "vpn-rtb", "state": "absent"})["changed"]
    assert twin.mutating_calls() == []


def test_validation_errors_name_the_field(twin):
    ok("aws_tgw", {"name": "hub-tgw"})
    base = {"transit_gateway_id": "hub-tgw", "default": True}
    twin.clear_calls()
    cases = [
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.1/8", "blackhole": True}]), "routes[0].destination_cidr_block"),
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8"}]), "exactly one target"),
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8", "blackhole": True, "vpc_id": "vpc-1"}]),
         "exactly one target"),
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8", "blackhole": True},
                            {"destination_cidr_block": "10.0.0.0/8", "blackhole": True}]), "routes[1]"),
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8", "vpn_connection_id": "vpn-0123"}]),
         "routes[0].vpn_connection_id"),
        (dict(base, associations=["vpc-123"]), "associations[0]"),
        ({"transit_gateway_id": "hub-tgw"}, "name"),
        ({"transit_gateway_id": "no-such-tgw", "name": "x"}, "transit_gateway_id"),
        (dict(base, state="absent"), "default"),
    ]
    for args, text in cases:
        result = run_module("aws_tgw_route_table", args)
        assert result["failed"], args
        assert text in result["msg"], (args, result["msg"])
    assert twin.mutating_calls() == []
