"""aws_vpc_route against the twin: routes toward a TGW in subnet route tables, per VPC or per table."""

from __future__ import annotations

from twinhelpers import ok, run_module


def _setup(twin):
    tgw = ok("aws_tgw", {"name": "hub-tgw"})
    vpc = ok("aws_vpc_info", {"names": ["vpc-a"]})["vpcs"][0]
    return tgw["transit_gateway_id"], vpc


def _routes(twin, table_id):
    table = twin.ec2().describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    return dict((r["DestinationCidrBlock"], r.get("TransitGatewayId") or r.get("GatewayId"))
                for r in table["Routes"] if r.get("DestinationCidrBlock"))


def test_routes_create_idempotent_replace_purge_absent(twin):
    tgw_id, vpc = _setup(twin)
    table_id = vpc["route_table_ids"][0]
    routes = [{"destination_cidr_block": c, "transit_gateway_id": tgw_id}
              for c in ("172.17.0.0/16", "10.0.0.0/8", "192.168.0.0/16")]
    args = {"vpc_id": vpc["vpc_id"], "routes": routes}

    twin.clear_calls()
    checked = ok("aws_vpc_route", args, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert len(checked["changes"]) == 3
    assert checked["diff"]["after"][table_id]["10.0.0.0/8"] == "TransitGatewayId=%s" % tgw_id

    done = ok("aws_vpc_route", args)
    assert done["changed"] and twin.mutating_calls() == ["CreateRoute"] * 3
    have = _routes(twin, table_id)
    assert {c: have[c] for c in ("172.17.0.0/16", "10.0.0.0/8", "192.168.0.0/16")} == dict.fromkeys(
        ("172.17.0.0/16", "10.0.0.0/8", "192.168.0.0/16"), tgw_id)
    assert have["172.16.0.0/16"] == "local"

    twin.clear_calls()
    again = ok("aws_vpc_route", args)
    assert not again["changed"] and again["changes"] == [] and twin.mutating_calls() == []

    # Target change -> ReplaceRoute; route_table_ids works like vpc_id.
    igw = twin.ec2().create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    twin.ec2().attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc["vpc_id"])
    twin.clear_calls()
    moved = ok("aws_vpc_route", {"route_table_ids": [table_id],
                                 "routes": [{"destination_cidr_block": "192.168.0.0/16", "gateway_id": igw}]})
    assert moved["changed"] and twin.mutating_calls() == ["ReplaceRoute"]
    assert _routes(twin, table_id)["192.168.0.0/16"] == igw

    # Unlisted routes stay unless purge_routes; the local route is never purged.
    twin.clear_calls()
    purged = ok("aws_vpc_route", dict(args, routes=routes[:1], purge_routes=True))
    assert sorted(twin.mutating_calls()) == ["DeleteRoute", "DeleteRoute"]
    assert sorted(c["destination_cidr_block"] for c in purged["changes"]) == ["10.0.0.0/8", "192.168.0.0/16"]
    assert set(_routes(twin, table_id)) == {"172.16.0.0/16", "172.17.0.0/16"}

    gone = ok("aws_vpc_route", {"vpc_id": vpc["vpc_id"], "state": "absent",
                                "routes": [{"destination_cidr_block": "172.17.0.0/16"}]})
    assert gone["changed"] and set(_routes(twin, table_id)) == {"172.16.0.0/16"}
    twin.clear_calls()
    assert not ok("aws_vpc_route", {"vpc_id": vpc["vpc_id"], "state": "absent",
                                    "routes": [{"destination_cidr_block": "172.17.0.0/16"}]})["changed"]
    assert twin.mutating_calls() == []


def test_many_tables_in_one_call(twin):
    tgw_id, vpc_a = _setup(twin)
    vpc_b = ok("aws_vpc_info", {"names": ["vpc-b"]})["vpcs"][0]
    tables = vpc_a["route_table_ids"] + vpc_b["route_table_ids"]
    result = ok("aws_vpc_route", {"route_table_ids": tables,
                                  "routes": [{"destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": tgw_id}]})
    assert sorted(c["route_table_id"] for c in result["changes"]) == sorted(tables)
    assert all(_routes(twin, t)["10.0.0.0/8"] == tgw_id for t in tables)


def test_validation_before_any_call(twin):
    tgw_id, vpc = _setup(twin)
    base = {"vpc_id": vpc["vpc_id"]}
    twin.clear_calls()
    cases = [
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.1/8", "transit_gateway_id": tgw_id}]),
         "routes[0].destination_cidr_block"),
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8"}]), "exactly one target"),
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": tgw_id,
                             "gateway_id": "igw-1"}]), "exactly one target"),
        (dict(base, routes=[{"destination_cidr_block": "172.16.0.0/16", "transit_gateway_id": tgw_id}]), "local route"),
        (dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": "hub-tgw"}]),
         "routes[0].transit_gateway_id"),
        ({"route_table_ids": ["rtb-00000000000000000"],
          "routes": [{"destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": tgw_id}]}, "route_table_ids"),
        ({"routes": [{"destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": tgw_id}]}, "route_table_ids"),
    ]
    for args, text in cases:
        result = run_module("aws_vpc_route", args)
        assert result["failed"], args
        assert text in result["msg"], (args, result["msg"])
    assert twin.mutating_calls() == []
    # An unknown TGW id is refused by the cloud (the twin now checks it too), with its code.
    result = run_module("aws_vpc_route", dict(base, routes=[{"destination_cidr_block": "10.0.0.0/8",
                                                              "transit_gateway_id": "tgw-0123456789abcdef0"}]))
    assert result["failed"] and result["error_code"] == "InvalidTransitGatewayID.NotFound"
