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


def _two_tables(twin):
    tgw_id, vpc_a = _setup(twin)
    vpc_b = ok("aws_vpc_info", {"names": ["vpc-b"]})["vpcs"][0]
    return tgw_id, vpc_a, vpc_b, vpc_a["route_table_ids"][0], vpc_b["route_table_ids"][0]


def _hub_routes(tgw_id, table_a, table_b, cidrs_a=("172.17.0.0/16", "10.0.0.0/8"),
                cidrs_b=("172.16.0.0/16", "10.0.0.0/8")):
    return ([{"route_table_id": table_a, "destination_cidr_block": c, "transit_gateway_id": tgw_id} for c in cidrs_a]
            + [{"route_table_id": table_b, "destination_cidr_block": c, "transit_gateway_id": tgw_id} for c in cidrs_b])


def test_items_carry_their_table_one_call_for_the_hub(twin):
    tgw_id, vpc_a, vpc_b, table_a, table_b = _two_tables(twin)
    args = {"routes": _hub_routes(tgw_id, table_a, table_b)}

    twin.clear_calls()
    checked = ok("aws_vpc_route", args, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert sorted((c["route_table_id"], c["destination_cidr_block"]) for c in checked["changes"]) == sorted(
        [(table_a, "172.17.0.0/16"), (table_a, "10.0.0.0/8"), (table_b, "172.16.0.0/16"), (table_b, "10.0.0.0/8")])
    assert checked["diff"]["after"][table_b]["172.16.0.0/16"] == "TransitGatewayId=%s" % tgw_id

    twin.clear_calls()
    done = ok("aws_vpc_route", args)
    assert done["changed"] and twin.mutating_calls() == ["CreateRoute"] * 4
    assert [c["action"] for c in twin.calls()].count("DescribeRouteTables") == 2  # one read before, one after
    assert _routes(twin, table_a)["172.17.0.0/16"] == tgw_id and _routes(twin, table_b)["172.16.0.0/16"] == tgw_id
    assert "172.16.0.0/16" not in [c for c, t in _routes(twin, table_a).items() if t == tgw_id]
    assert sorted(t["route_table_id"] for t in done["route_tables"]) == sorted([table_a, table_b])

    twin.clear_calls()
    again = ok("aws_vpc_route", args)
    assert not again["changed"] and twin.mutating_calls() == []
    assert [c["action"] for c in twin.calls()].count("DescribeRouteTables") == 1

    # Items with a table and a default table together: route_table_ids covers the routes without one.
    igw = twin.ec2().create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    twin.ec2().attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_b["vpc_id"])
    twin.clear_calls()
    mixed = ok("aws_vpc_route", {"route_table_ids": [table_a],
                                 "routes": [{"destination_cidr_block": "192.168.0.0/16", "transit_gateway_id": tgw_id},
                                            {"route_table_id": table_b, "destination_cidr_block": "0.0.0.0/0",
                                             "gateway_id": igw}]})
    assert sorted((c["route_table_id"], c["destination_cidr_block"]) for c in mixed["changes"]) == sorted([
        (table_a, "192.168.0.0/16"), (table_b, "0.0.0.0/0")])


def test_purge_is_per_table_and_only_tables_named(twin):
    tgw_id, vpc_a, vpc_b, table_a, table_b = _two_tables(twin)
    ok("aws_vpc_route", {"routes": _hub_routes(tgw_id, table_a, table_b)})
    twin.clear_calls()
    purged = ok("aws_vpc_route", {"purge_routes": True, "routes": _hub_routes(
        tgw_id, table_a, table_b, cidrs_a=("172.17.0.0/16",), cidrs_b=("172.16.0.0/16", "10.0.0.0/8"))})
    assert twin.mutating_calls() == ["DeleteRoute"]
    assert purged["changes"] == [{"route_table_id": table_a, "action": "delete", "destination_cidr_block": "10.0.0.0/8",
                                  "target": {}}]
    # A table this call does not name is never purged.
    twin.clear_calls()
    only_b = ok("aws_vpc_route", {"purge_routes": True, "routes": _hub_routes(tgw_id, table_a, table_b, cidrs_a=(),
                                                                              cidrs_b=("172.16.0.0/16",))})
    assert [(c["route_table_id"], c["destination_cidr_block"]) for c in only_b["changes"]] == [(table_b, "10.0.0.0/8")]
    assert _routes(twin, table_a)["172.17.0.0/16"] == tgw_id


def test_targets_checked_before_any_call(twin):
    tgw_id, vpc_a, vpc_b, table_a, table_b = _two_tables(twin)
    ec2 = twin.ec2()
    igw_b = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_b, VpcId=vpc_b["vpc_id"])
    good = _hub_routes(tgw_id, table_a, table_b)
    twin.clear_calls()
    cases = [
        # moto accepts an unknown Transit Gateway id: the module looks it up itself
        (good + [{"route_table_id": table_b, "destination_cidr_block": "192.168.0.0/16",
                  "transit_gateway_id": "tgw-0123456789abcdef0"}],
         "routes[4].transit_gateway_id tgw-0123456789abcdef0"),
        (good + [{"route_table_id": table_a, "destination_cidr_block": "0.0.0.0/0", "gateway_id": igw_b}],
         "does not belong to VPC %s" % vpc_a["vpc_id"]),
        (good + [{"route_table_id": table_a, "destination_cidr_block": "0.0.0.0/0",
                  "gateway_id": "igw-0123456789abcdef0"}], "routes[4].gateway_id igw-0123456789abcdef0 does not exist"),
        (good + [{"route_table_id": table_a, "destination_cidr_block": "0.0.0.0/0",
                  "nat_gateway_id": "nat-0123456789abcdef0"}], "routes[4].nat_gateway_id"),
        (good + [{"route_table_id": table_a, "destination_cidr_block": "0.0.0.0/0",
                  "vpc_peering_connection_id": "pcx-0123456789abcdef0"}], "routes[4].vpc_peering_connection_id"),
        (good + [{"route_table_id": table_a, "destination_cidr_block": "0.0.0.0/0",
                  "network_interface_id": "eni-0123456789abcdef0"}], "routes[4].network_interface_id"),
        (good + [good[0]], "routes[4]: destination_cidr_block 172.17.0.0/16 is already listed in routes[0]"),
        (good + [{"route_table_id": "rtb-00000000000000000", "destination_cidr_block": "0.0.0.0/0",
                  "gateway_id": igw_b}], "routes[].route_table_id: rtb-00000000000000000 not found"),
        (good + [{"route_table_id": table_b, "destination_cidr_block": "172.17.0.0/16", "transit_gateway_id": tgw_id}],
         "routes[4].destination_cidr_block 172.17.0.0/16 is the CIDR of VPC"),
        ([{"destination_cidr_block": "0.0.0.0/0", "gateway_id": igw_b}], "routes[0].route_table_id is required"),
    ]
    for routes, text in cases:
        result = run_module("aws_vpc_route", {"routes": routes})
        assert result["failed"], routes
        assert text in result["msg"], (routes, result["msg"])
    # duplicate across a default table and an item naming the same table
    result = run_module("aws_vpc_route", {"route_table_ids": [table_a], "routes": [
        {"destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": tgw_id},
        {"route_table_id": table_a, "destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": tgw_id}]})
    assert result["failed"] and "in %s is already listed" % table_a in result["msg"]
    assert twin.mutating_calls() == []
    assert tgw_id not in _routes(twin, table_a).values() and tgw_id not in _routes(twin, table_b).values()
