"""multicloud.transit.reachability on today's clouds, held against the twin's own data plane.

The first walkthrough is built the way it is built today (tests/builders.py: TGW + Enterprise transit-router hub in
Tokyo and Beijing joined by an inter-region connection + a TR-attached dual-tunnel IPsec connection paired with two
AWS VPN connections; or the walkthrough's VPN gateway, dual-tunnel, in destination routing). The module reads both
clouds and traces every probe pair; for every ordered pair its verdict must equal what ``Twin.trace`` decides from
the twin's internal state, in both directions (cloudtwin/dataplane.py). Then one thing at a time is broken: the
engine must name exactly the broken pairs with the right cause code, and the data plane must drop exactly those.

The read-only tests share one built network (module scope, and first in this file); each breakage test builds its
own.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from builders import AWS_VPCS, HOSTS, TR_PSKS, build_today, cbn, ordered_pairs, reachability_args
from twinhelpers import aws_outside_ips, ok, vpc_call

AWS_SIDE, ALI_SIDE = ["virginia-a", "virginia-b"], ["tokyo", "beijing"]


def both_ways(xs, ys):
    return {(x, y) for x in xs for y in ys} | {(y, x) for x in xs for y in ys}


def fresh(handle):
    """The world again, every fault off (what the function-scoped fixtures do, for a module-scoped network)."""
    handle.twin.reset()
    handle.twin.faults.injected.update(throttle=0, error=0)
    handle.twin.faults.update({"throttle_rate": 0, "error_rate": 0, "latency_ms": 0, "count": None, "delays": {},
                               "consistency_delay": 0, "only_actions": []})
    return handle


def prove(handle):
    return ok("reachability", reachability_args(handle))


def verdicts(result):
    return dict(((p["from"], p["to"]), p) for p in result["pairs"])


def dataplane(handle):
    """(from, to) -> (the request delivered, the reply delivered), as the twin's data plane decides."""
    out = {}
    for a, b in ordered_pairs():
        there, back = handle.twin.trace(HOSTS[a], HOSTS[b]), handle.twin.trace(HOSTS[b], HOSTS[a])
        out[(a, b)] = (there, back)
    return out


def assert_agrees_with_dataplane(handle, result):
    """Every ordered pair: reachable exactly when the data plane delivers the request and the reply."""
    traced = dataplane(handle)
    pairs = verdicts(result)
    disagree = dict((pair, (pairs[pair]["reachable"], there["cause"] or back["cause"]))
                    for pair, (there, back) in traced.items()
                    if pairs[pair]["reachable"] != (there["delivered"] and back["delivered"]))
    assert disagree == {}, disagree
    return traced


def broken(result):
    return dict(((p["from"], p["to"]), p["cause_code"]) for p in result["pairs"] if not p["reachable"])


def dropped(traced):
    return set(pair for pair, (there, back) in traced.items() if not (there["delivered"] and back["delivered"]))


@pytest.fixture(scope="module")
def transit_router_network(today_seed_twin):
    handle = fresh(today_seed_twin)
    net = build_today(handle)
    return handle, net, prove(handle)


# --- read-only: the shared network (keep these first: the breakage tests rebuild the twin) ---------------------

def test_today_walkthrough_every_pair_reachable_and_agrees_with_the_data_plane(transit_router_network):
    handle, net, result = transit_router_network
    assert (result["pair_count"], result["reachable_count"]) == (12, 12), broken(result)
    traced = assert_agrees_with_dataplane(handle, result)
    assert dropped(traced) == set()
    pair = verdicts(result)[("beijing", "virginia-a")]
    kinds = [h["kind"] for h in pair["hops"]]
    # Beijing VPC -> Beijing router -> inter-region -> Tokyo router -> VPN attachment -> tunnel -> TGW -> VPC A
    assert kinds == ["ali-rtb", "tr-rtb", "tr-rtb", "ipsec", "vpn", "tgw-rtb", "aws-vpc"], kinds
    assert not pair["asymmetric"]
    assert all(p["cause_code"] is None for p in result["pairs"]) and result["broken"] == []
    assert TR_PSKS[0] not in json.dumps(result)
    # a read changes nothing, and costs whole-region calls plus a few per transit router table, none per probe
    handle.clear_calls()
    assert prove(handle)["reachable_count"] == 12
    assert handle.mutating_calls() == [] and len(handle.calls()) < 60


def test_tunnels_pair_per_tunnel_and_tunnel_2s_are_idle_by_design(transit_router_network):
    handle, net, result = transit_router_network
    checks = [(c["aws_vpn_connection_id"], c["tunnel"], c["alicloud_ipsec_connection_id"], c["alicloud_tunnel"],
               c["ok"]) for c in result["ipsec_checks"]]
    assert sorted(checks) == sorted([(net.vpns[0], 1, net.vco, 1, True), (net.vpns[1], 1, net.vco, 2, True)])
    tunnels = dict(((t["aws_vpn_connection_id"], t["aws_tunnel"]), (t["status"], t["code"])) for t in result["tunnels"])
    assert tunnels == {(net.vpns[0], 1): ("up", None), (net.vpns[1], 1): ("up", None),
                       (net.vpns[0], 2): ("idle_by_design", causes.IDLE_BY_DESIGN),
                       (net.vpns[1], 2): ("idle_by_design", causes.IDLE_BY_DESIGN)}
    # idle by design is not a warning; the only warning is the test bandwidth of the inter-region connection
    assert [(w["code"], w["element"]) for w in result["warning_details"]] == [(causes.TEST_BANDWIDTH_ONLY, net.peer)]


def test_test_bandwidth_warning_is_on_exactly_the_pairs_the_data_plane_notes(transit_router_network):
    handle, net, result = transit_router_network
    traced = dataplane(handle)
    noted = set(pair for pair, (there, back) in traced.items()
                if any("1 Kbps" in n for n in there["notes"] + back["notes"]))
    warned = set(pair for pair, p in verdicts(result).items() if causes.TEST_BANDWIDTH_ONLY in p.get("warnings", ()))
    assert warned == noted and noted  # every pair with Beijing on one end and anything but Beijing on the other
    assert noted == set(p for p in ordered_pairs() if "beijing" in p)


# --- one thing broken at a time (each on its own network) ----------------------------------------------------

@pytest.fixture
def transit_router_built(today_twin):
    return today_twin, build_today(today_twin)


@pytest.fixture
def vpn_gateway_built(today_twin):
    return today_twin, build_today(today_twin, bridge="vpn_gateway")


def assert_broken_exactly(handle, pairs, code):
    """The engine breaks exactly ``pairs``, each with ``code``; the data plane drops exactly those."""
    result = prove(handle)
    assert broken(result) == dict.fromkeys(pairs, code)
    traced = assert_agrees_with_dataplane(handle, result)
    assert dropped(traced) == set(pairs)
    return result, traced


def test_a_vpc_connection_without_its_route_table_association(transit_router_built):
    handle, net = transit_router_built
    cbn(handle, "DissociateTransitRouterAttachmentFromRouteTable", TransitRouterAttachmentId=net.vpc_attachment[
        "beijing-vpc"], TransitRouterRouteTableId=net.table["beijing-vpc"])
    beijing = both_ways(["beijing"], ["virginia-a", "virginia-b", "tokyo"])
    result, traced = assert_broken_exactly(handle, beijing, causes.TR_NOT_ASSOCIATED)
    pair = verdicts(result)[("tokyo", "beijing")]
    # the request arrives (the router still learns Beijing's vSwitches); the reply is dropped where it enters
    assert pair["broken_hop"]["direction"] == "return" and pair["broken_hop"]["element"] == net.vpc_attachment[
        "beijing-vpc"]
    assert "associate it" in pair["cause"]
    there, back = traced[("tokyo", "beijing")]
    assert there["delivered"] and (back["cause"], back["dropped_at"]) == ("no_association",
                                                                          net.vpc_attachment["beijing-vpc"])


def test_the_inter_region_connection_deleted_under_a_vpc_that_takes_its_routes_from_the_router(today_twin):
    """Beijing's VPC has no route entries of its own: its router synchronises them (AutoPublishRouteEnabled)."""
    handle = today_twin
    net = build_today(handle, synchronised=("beijing-vpc",))
    result = prove(handle)
    assert result["reachable_count"] == 12, broken(result)
    assert_agrees_with_dataplane(handle, result)
    assert verdicts(result)[("beijing", "virginia-a")]["hops"][0]["note"] == "CEN"  # the synchronised entry's type
    cbn(handle, "DeleteTransitRouterPeerAttachment", TransitRouterAttachmentId=net.peer, Force=True)
    beijing = both_ways(["beijing"], ["virginia-a", "virginia-b", "tokyo"])
    result, traced = assert_broken_exactly(handle, beijing, causes.INTER_REGION_MISSING)
    cause = verdicts(result)[("beijing", "virginia-a")]["cause"]
    assert "no inter-region connection joins" in cause and net.tr["tokyo-vpc"] in cause, cause
    assert "AutoPublishRouteEnabled" in cause  # Beijing's VPC lost the routes with its router's table
    assert result["warning_details"] == []  # the test-bandwidth connection is gone with it
    assert {traced[p][0]["cause"] or traced[p][1]["cause"] for p in beijing} == {"no_route"}


def test_the_psk_of_the_tunnel_in_use_broken(transit_router_built):
    """AWS VPN 1's tunnel 1 takes another key: the TGW still sends Alibaba's prefixes to VPN 1, which has no other
    working tunnel; the replies from Alibaba leave by tunnel 2 (VPN 2) and arrive, the requests do not."""
    handle, net = transit_router_built
    net.ec2.modify_vpn_tunnel_options(VpnConnectionId=net.vpns[0],
                                      VpnTunnelOutsideIpAddress=aws_outside_ips(net.ec2, net.vpns[0])[0],
                                      TunnelOptions={"PreSharedKey": "Broken.shared_key"})
    cross = both_ways(AWS_SIDE, ALI_SIDE)
    result, traced = assert_broken_exactly(handle, cross, causes.PSK_MISMATCH)
    assert "Broken.shared_key" not in json.dumps(result)
    tunnels = dict(((t["aws_vpn_connection_id"], t["aws_tunnel"]), (t["status"], t["code"])) for t in result["tunnels"])
    assert tunnels[(net.vpns[0], 1)] == ("down", causes.PSK_MISMATCH) and tunnels[(net.vpns[1], 1)] == ("up", None)
    assert [w["element"] for w in result["warning_details"] if w["code"] == causes.TUNNEL_REDUNDANCY_LOST] == [net.vco]
    there, back = traced[("virginia-a", "tokyo")]
    assert (there["cause"], there["dropped_at"], back["delivered"]) == ("tunnel_down", net.vpns[0], True)


def test_one_tunnel_down_while_its_partner_carries_the_traffic(transit_router_built):
    """Alibaba tunnel 2 takes another key (its AWS peer, VPN 2 tunnel 1, goes down): everything still flows over
    tunnel 1, reachable, with a warning on every pair that crosses the connection."""
    handle, net = transit_router_built
    vpc_call(handle, "ModifyVpnAttachmentAttribute", VpnConnectionId=net.vco, TunnelOptionsSpecification=[
        {"TunnelIndex": 2, "TunnelIkeConfig": {"Psk": "Another.tunnel_key"}}])
    result = prove(handle)
    assert result["reachable_count"] == 12, broken(result)
    traced = assert_agrees_with_dataplane(handle, result)
    assert dropped(traced) == set()
    warned = [w for w in result["warning_details"] if w["code"] == causes.TUNNEL_REDUNDANCY_LOST]
    assert [w["element"] for w in warned] == [net.vco] and "tunnel 2" in warned[0]["message"]
    assert "Another.tunnel_key" not in json.dumps(result)
    cross = both_ways(AWS_SIDE, ALI_SIDE)
    assert set(pair for pair, p in verdicts(result).items()
               if causes.TUNNEL_REDUNDANCY_LOST in p.get("warnings", ())) == cross
    tunnels = dict(((t["aws_vpn_connection_id"], t["aws_tunnel"]), (t["status"], t["code"])) for t in result["tunnels"])
    assert tunnels[(net.vpns[1], 1)] == ("down", causes.PSK_MISMATCH)


def test_vpn_gateway_design_destination_routes_active_then_standby_then_none(vpn_gateway_built):
    handle, net = vpn_gateway_built
    result = prove(handle)
    assert result["reachable_count"] == 12, broken(result)
    assert_agrees_with_dataplane(handle, result)
    assert sorted((t["aws_tunnel"], t["alicloud_ipsec_connection_id"], t["alicloud_tunnel"], t["status"])
                  for t in result["tunnels"]) == sorted(
        (t, net.connections[t - 1], k, "up") for k in (1, 2) for t in (1, 2))
    vpc_b = AWS_VPCS["vpc-b"]
    # the active route to VPC B goes: the standby connection B carries it
    vpc_call(handle, "DeleteVpnRouteEntry", VpnGatewayId=net.gateway, RouteDest=vpc_b, NextHop=net.connections[0],
             Weight=100)
    result = prove(handle)
    assert result["reachable_count"] == 12, broken(result)
    assert_agrees_with_dataplane(handle, result)
    hops = verdicts(result)[("tokyo", "virginia-b")]["hops"]
    assert any(h["kind"] == "vpn-gw" and h["route"]["target"] == net.connections[1] for h in hops)
    # and the standby too: the gateway has no route to VPC B, its tunnels all up
    vpc_call(handle, "DeleteVpnRouteEntry", VpnGatewayId=net.gateway, RouteDest=vpc_b, NextHop=net.connections[1],
             Weight=0)
    result, traced = assert_broken_exactly(handle, both_ways(["virginia-b"], ALI_SIDE), causes.VPN_ROUTE_MISSING)
    cause = verdicts(result)[("beijing", "virginia-b")]["cause"]
    assert net.gateway in cause and "172.17.0.0/16" in cause and "CreateVpnRouteEntry" in cause, cause
    assert traced[("tokyo", "virginia-b")][0]["cause"] == "no_vpn_route"
