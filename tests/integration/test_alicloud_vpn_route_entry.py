"""multicloud.transit.alicloud_vpn_route_entry against today's twin, with the bridge's vpn_gateway-mode 2x2 pairing.

A dual-tunnel VPN gateway (IPs g1, g2) and two AWS VPN connections (customer gateways g1, g2): Alibaba connection
A = master(g1) -> VPN-1/T1 + slave(g2) -> VPN-2/T1, connection B = master(g1) -> VPN-1/T2 + slave(g2) -> VPN-2/T2
(/work/wave2-design.md, "The bridge"). Both are in destination-routing mode, so VPN route entries decide.
"""

from __future__ import annotations

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from twinhelpers import AWS_PINNED_TUNNEL, aws_outside_ips, aws_telemetry, aws_vpn, ok, run_module, vpc_call
from vpnhelpers import customer_gateways, no_secret, pinned_tunnels

TOKYO = "ap-northeast-1"
AWS_PREFIX = "172.16.0.0/12"
# PSKS[vpn][tunnel]: AWS VPN-1/VPN-2, tunnels 1 and 2
PSKS = [[ipsec.psk_from_seed("route-test", "vpn-%d" % v, t) for t in (1, 2)] for v in (1, 2)]


def gateway():
    return ok("alicloud_vpn_gateway", {"alicloud_region": TOKYO, "name": "tokyo-vpn", "vpc_name": "tokyo-vpc"})


def connection(gw, name, cgw_ids, psks, **extra):
    args = {"alicloud_region": TOKYO, "name": name, "vpn_gateway_id": gw["vpn_gateway_id"],
            "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["0.0.0.0/0"], "effect_immediately": True,
            "aws_compatible": True, "tunnels": pinned_tunnels(cgw_ids, psks, roles=("master", "slave"))}
    args.update(extra)
    return ok("alicloud_ipsec_connection", args)


def routes_args(gw, routes, **extra):
    return dict({"alicloud_region": TOKYO, "vpn_gateway_id": gw["vpn_gateway_id"], "routes": routes}, **extra)


def weights(result):
    return sorted((r["route_dest"], r["next_hop"], r["weight"]) for r in result["routes"])


def test_two_by_two_pairing_four_tunnels_and_destination_routes(today_twin):
    gw = gateway()
    g1, g2 = gw["internet_ip"], gw["disaster_recovery_internet_ip"]
    assert g1 and g2 and g1 != g2
    ec2 = today_twin.ec2()
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    vpns = [aws_vpn(ec2, ip, PSKS[n], tgw=tgw, tunnel=AWS_PINNED_TUNNEL) for n, ip in enumerate((g1, g2))]
    (o11, o12), (o21, o22) = [aws_outside_ips(ec2, v) for v in vpns]
    c11, c21, c12, c22 = customer_gateways(TOKYO, [o11, o21, o12, o22])

    conn_a = connection(gw, "to-aws-a", [c11, c21], [PSKS[0][0], PSKS[1][0]], wait_for_established=True,
                        wait_timeout=20)
    conn_b = connection(gw, "to-aws-b", [c12, c22], [PSKS[0][1], PSKS[1][1]], wait_for_established=True,
                        wait_timeout=20)
    for conn in (conn_a, conn_b):
        assert [(t["role"], t["gateway_ip"], t["status"]) for t in conn["tunnels"]] == [
            ("master", g1, "ipsec_sa_established"), ("slave", g2, "ipsec_sa_established")]
    assert [[status for status, message in aws_telemetry(ec2, v)] for v in vpns] == [["UP", "UP"], ["UP", "UP"]]
    a, b = conn_a["vpn_connection_id"], conn_b["vpn_connection_id"]

    # destination routes: A active, B standby, published, in one call
    wanted = [{"route_dest": AWS_PREFIX, "next_hop": a, "weight": 100, "publish_vpc": True},
              {"route_dest": AWS_PREFIX, "next_hop": b, "weight": 0, "publish_vpc": True, "description": "standby"}]
    today_twin.clear_calls()
    created = ok("alicloud_vpn_route_entry", routes_args(gw, wanted), diff=True)
    assert created["changed"] and today_twin.mutating_calls() == ["CreateVpnRouteEntry"] * 2
    assert weights(created) == sorted([(AWS_PREFIX, a, 100), (AWS_PREFIX, b, 0)])
    assert [r["state"] for r in created["routes"]] == ["published", "published"]
    assert created["diff"]["before"] == {"routes": []} and len(created["diff"]["after"]["routes"]) == 2
    vpc = vpc_call(today_twin, "DescribeVpcs", VpcName="tokyo-vpc")["Vpcs"]["Vpc"][0]
    table = vpc_call(today_twin, "DescribeRouteEntryList", RouteTableId=vpc["RouterTableIds"]["RouterTableIds"][0])
    published = [e for e in table["RouteEntrys"]["RouteEntry"] if e["DestinationCidrBlock"] == AWS_PREFIX]
    assert [h["NextHopId"] for h in published[0]["NextHops"]["NextHop"]] == [gw["vpn_gateway_id"]]

    today_twin.clear_calls()
    again = ok("alicloud_vpn_route_entry", routes_args(gw, wanted))
    assert not again["changed"] and today_twin.mutating_calls() == []

    info = ok("alicloud_vpn_info", {"alicloud_region": TOKYO, "vpn_gateway_ids": [gw["vpn_gateway_id"]]})
    assert sorted((r["next_hop"], r["weight"]) for r in info["vpn_route_entries"]) == sorted([(a, 100), (b, 0)])
    assert [[t["status"] for t in c["tunnels"]] for c in info["ipsec_connections"]] == \
        [["ipsec_sa_established"] * 2] * 2
    no_secret(info, *[psk for pair in PSKS for psk in pair])

    # swapping the pair: the cloud changes a weight only without the other route, so both are replaced
    swapped = [dict(wanted[0], weight=0), dict(wanted[1], weight=100)]
    today_twin.clear_calls()
    result = ok("alicloud_vpn_route_entry", routes_args(gw, swapped))
    assert result["changed"] and weights(result) == sorted([(AWS_PREFIX, a, 0), (AWS_PREFIX, b, 100)])
    assert sorted(today_twin.mutating_calls()) == ["CreateVpnRouteEntry"] * 2 + ["DeleteVpnRouteEntry"] * 2

    # purge: only the listed route stays; a lone route changes weight in place
    today_twin.clear_calls()
    purged = ok("alicloud_vpn_route_entry", routes_args(gw, [dict(swapped[0], weight=100)], purge_routes=True))
    assert purged["changed"] and weights(purged) == [(AWS_PREFIX, a, 100)]
    assert today_twin.mutating_calls() == ["DeleteVpnRouteEntry", "ModifyVpnRouteEntryWeight"]

    today_twin.clear_calls()
    gone = ok("alicloud_vpn_route_entry", routes_args(gw, [dict(swapped[0], weight=100)], state="absent"))
    assert gone["changed"] and today_twin.mutating_calls() == ["DeleteVpnRouteEntry"]
    assert today_twin.ali_resources("VpnRouteEntry") == []


def test_refusals_before_any_call_and_check_mode(today_twin):
    gw = gateway()
    cgws = customer_gateways(TOKYO, ["203.0.113.10", "203.0.113.11"])
    conn = connection(gw, "to-aws-a", cgws, PSKS[0])["vpn_connection_id"]
    route = {"route_dest": AWS_PREFIX, "next_hop": conn, "weight": 100}
    today_twin.clear_calls()
    cases = [
        ([dict(route, weight=50)], "routes[0].weight 50"),
        ([dict(route, next_hop="vco-notthisgateway")], "routes[0].next_hop vco-notthisgateway is not an IPsec-VPN "
                                                       "connection of the VPN gateway"),
        ([dict(route, route_dest="0.0.0.0/0")], "routes[0].route_dest: a destination route cannot be 0.0.0.0/0"),
        ([dict(route, route_dest="100.64.1.0/24")], "overlaps 100.64.0.0/10"),
        ([dict(route, route_dest="172.16.0.1/12")], "routes[0].route_dest"),
        ([route, route], "listed more than once"),
    ]
    for routes, expected in cases:
        result = run_module("alicloud_vpn_route_entry", routes_args(gw, routes))
        assert result["failed"] and expected in result["msg"], result["msg"]
    assert today_twin.mutating_calls() == []

    checked = ok("alicloud_vpn_route_entry", routes_args(gw, [route]), check_mode=True, diff=True)
    assert checked["changed"] and checked["routes"][0]["state"] is None
    assert checked["diff"]["after"]["routes"][0]["next_hop"] == conn
    assert today_twin.mutating_calls() == [] and today_twin.ali_resources("VpnRouteEntry") == []

    # an unlisted route of the same destination and weight: refused unless purge_routes takes it away
    ok("alicloud_vpn_route_entry", routes_args(gw, [route]))
    other = customer_gateways(TOKYO, ["203.0.113.12", "203.0.113.13"])
    conn_b = connection(gw, "to-aws-b", other, PSKS[1])["vpn_connection_id"]
    today_twin.clear_calls()
    clash = run_module("alicloud_vpn_route_entry", routes_args(gw, [dict(route, next_hop=conn_b)]))
    assert clash["failed"] and "two routes with weight 100" in clash["msg"] and "purge_routes" in clash["msg"]
    assert today_twin.mutating_calls() == []
    moved = ok("alicloud_vpn_route_entry", routes_args(gw, [dict(route, next_hop=conn_b)], purge_routes=True))
    assert moved["changed"] and weights(moved) == [(AWS_PREFIX, conn_b, 100)]
