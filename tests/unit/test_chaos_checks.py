"""The live-state checks of `make chaos` (scripts/chaos.py): duplicates, orphans, tunnels down."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import chaos  # noqa: E402


def res(cloud, kind, rid, name="", region="r1", **attrs):
    return {"cloud": cloud, "kind": kind, "id": rid, "name": name, "region": region, "attrs": attrs}


WORLD_VPC = res("aws", "Vpc", "vpc-1", "vpc-a")


def test_two_of_a_kind_with_one_name_in_one_region_are_a_duplicate():
    state = [res("aws", "TransitGateway", "tgw-1", "hub"), res("aws", "TransitGateway", "tgw-2", "hub"),
             res("aws", "TransitGateway", "tgw-3", "hub", region="r2"), res("aws", "CustomerGateway", "cgw-1", "hub")]
    assert chaos.duplicates(state) == ["aws:TransitGateway 'r1/hub' x2"]


def test_identical_alibaba_routes_are_duplicates_whatever_their_names():
    route = dict(RouteTableId="vtb-1", DestinationCidrBlock="172.16.0.0/16")
    state = [res("alicloud", "RouteEntry", "rte-1", "seed", **route),
             res("alicloud", "RouteEntry", "rte-2", "seed", **route),
             res("alicloud", "RouteEntry", "rte-3", "seed", RouteTableId="vtb-1", DestinationCidrBlock="10.0.0.0/8")]
    assert chaos.duplicates(state) == ["alicloud:RouteEntry 'route vtb-1|172.16.0.0/16' x2"]


def test_a_resource_no_reference_chain_links_to_the_world_is_an_orphan():
    state = [WORLD_VPC,
             res("aws", "TransitGateway", "tgw-1", "hub"),
             res("aws", "TransitGatewayAttachment", "tgw-attach-1", TransitGatewayId="tgw-1", ResourceId="vpc-1"),
             res("aws", "TransitGateway", "tgw-2", "hub"),  # a second one nothing attaches
             res("aws", "TransitGatewayRouteTable", "tgw-rtb-2", TransitGatewayId="tgw-2"),
             res("aws", "CustomerGateway", "cgw-9", "left over")]
    world = {chaos.identity(WORLD_VPC)}
    assert chaos.orphans(state, world) == ["aws:TransitGateway tgw-2 'hub'", "aws:TransitGatewayRouteTable tgw-rtb-2",
                                           "aws:CustomerGateway cgw-9 'left over'"]


def test_a_route_is_linked_by_its_table():
    state = [WORLD_VPC, res("aws", "RouteTable", "rtb-1", VpcId="vpc-1"),
             res("aws", "Route", "rtb-1:10.0.0.0/8", RouteTableId="rtb-1", TransitGatewayId="tgw-x")]
    assert chaos.orphans(state, {chaos.identity(WORLD_VPC)}) == []


def test_tunnels_down_count_only_the_aws_tunnels_an_alibaba_customer_gateway_names():
    state = [res("alicloud", "CustomerGateway", "cgw-a", IpAddress="203.0.113.10"),
             res("aws", "VpnConnection", "vpn-1", VgwTelemetry=[
                 {"OutsideIpAddress": "203.0.113.10", "Status": "DOWN"},
                 {"OutsideIpAddress": "198.51.100.10", "Status": "DOWN"}]),  # idle by design
             res("alicloud", "VpnConnection", "vco-1", TunnelOptionsSpecification={"TunnelOptions": [
                 {"Status": "ipsec_sa_established"}, {"Status": "ipsec_sa_not_established"}]})]
    assert chaos.tunnels_down(state) == ["aws vpn-1 203.0.113.10 DOWN", "alicloud vco-1 ipsec_sa_not_established"]


def test_summary_line():
    rows = [{"mode": "faults", "converged": True, "destroy_clean": True, "dup": [], "orphan": []},
            {"mode": "kill", "converged": False, "destroy_clean": True, "dup": ["x"], "orphan": []}]
    assert chaos.summary(rows, ["faults", "kill"]) == (
        "chaos: faults 1/1 converged, kill 0/1 converged, 1 duplicates, 0 orphans, destroy clean 2/2")
