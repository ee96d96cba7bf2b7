"""The reachability engine on today's Alibaba Cloud, on small hand-built snapshots: Enterprise transit routers
(route tables, associations, inter-region connections, VPN attachments), dual-tunnel and TR-attached IPsec paired
per tunnel, destination routing by VPN route entries, VPC peering connections; one breakage at a time, each with
its cause code on exactly the pairs it breaks, and the warnings that break nothing."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.multicloud.transit.plugins.module_utils import reachability as r
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_report as render
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_snapshot as snap
from test_reachability_engine import both_ways, broken_codes, pair, walkthrough1

A, B, T, BJ = "virginia-a", "virginia-b", "tokyo", "beijing"
ALI_T1, ALI_T2 = "198.51.100.20", "198.51.100.21"          # the TR-attached connection's tunnel IPs
AWS_1 = ("203.0.113.10", "203.0.113.11")                    # AWS VPN 1's tunnel outside IPs
AWS_2 = ("203.0.113.12", "203.0.113.13")                    # AWS VPN 2's
PHASE1 = {"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14], "lifetime": 28800}
PHASE2 = {"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14], "lifetime": 3600}
IPSEC = {"encryption": "aes256", "integrity": "sha256", "dh_group": "group14", "lifetime": 3600}


def ike(psk):
    return {"version": "ikev2", "encryption": "aes256", "integrity": "sha256", "dh_group": "group14",
            "lifetime": 28800, "psk_hash": psk, "mode": "main"}


def aws_tunnel(ip, psk, status="UP"):
    return {"outside_ip": ip, "status": status, "psk_hash": psk, "ike_versions": ["ikev2"], "phase1": PHASE1,
            "phase2": PHASE2}


def aws_side(vpns, cgws):
    """VPC A and B on one TGW; Alibaba prefixes routed to the first VPN; ``vpns``: (id, cgw id, tunnels)."""
    def vpc(name, cidr, other):
        return {"id": name, "name": name, "region": "us-east-1", "cidrs": [cidr],
                "subnets": [{"id": "subnet-" + name, "cidr": cidr.replace("/16", "/24"),
                             "route_table_id": "rtb-" + name}],
                "route_tables": [{"id": "rtb-" + name, "routes": [
                    {"destination": d, "target_type": "transit_gateway", "target_id": "tgw-1"}
                    for d in (other, "10.0.0.0/8", "192.168.0.0/16")]}]}
    atts = [{"id": "att-a", "tgw_id": "tgw-1", "type": "vpc", "resource_id": "vpc-a"},
            {"id": "att-b", "tgw_id": "tgw-1", "type": "vpc", "resource_id": "vpc-b"}]
    atts += [{"id": "att-" + vpn_id, "tgw_id": "tgw-1", "type": "vpn", "resource_id": vpn_id}
             for vpn_id, dummy_cgw, dummy_tunnels in vpns]
    return {
        "vpcs": [vpc("vpc-a", "172.16.0.0/16", "172.17.0.0/16"), vpc("vpc-b", "172.17.0.0/16", "172.16.0.0/16")],
        "transit_gateways": [{"id": "tgw-1", "name": "hub", "route_tables": [{
            "id": "tgw-rtb-1", "associations": [a["id"] for a in atts], "propagations": ["att-a", "att-b"],
            "routes": [{"destination": d, "type": "static", "attachment_id": "att-" + vpns[0][0]}
                       for d in ("10.0.0.0/8", "192.168.0.0/16")]}]}],
        "tgw_attachments": atts,
        "vpn_connections": [{"id": vpn_id, "tgw_id": "tgw-1", "attachment_id": "att-" + vpn_id,
                             "customer_gateway_id": cgw, "tunnels": tunnels} for vpn_id, cgw, tunnels in vpns],
        "customer_gateways": [{"id": cid, "ip": ip} for cid, ip in cgws],
    }


def tr_table(table_id, associations, routes):
    return {"id": table_id, "type": "System", "associations": associations, "propagations": list(associations),
            "routes": [{"destination": d, "type": kind, "status": "Active", "next_hop_type": "Attachment",
                        "next_hop_id": hop} for d, kind, hop in routes]}


def today_tr():
    """Today's first walkthrough: TGW + Tokyo/Beijing transit routers (inter-region connection on a bandwidth
    package) + one TR-attached dual-tunnel IPsec connection; Alibaba tunnel k <-> tunnel 1 of AWS VPN k."""
    vsw = lambda vpc, cidrs: [{"id": "vsw-%s-%d" % (vpc, i), "cidr": c} for i, c in enumerate(cidrs)]  # noqa: E731
    return {
        "aws": aws_side([("vpn-1", "cgw-1", [aws_tunnel(AWS_1[0], "k1"), aws_tunnel(AWS_1[1], "u1", "DOWN")]),
                         ("vpn-2", "cgw-2", [aws_tunnel(AWS_2[0], "k2"), aws_tunnel(AWS_2[1], "u2", "DOWN")])],
                        [("cgw-1", ALI_T1), ("cgw-2", ALI_T2)]),
        "alicloud": {
            "vpcs": [
                {"id": "vpc-t", "name": "tokyo-vpc", "region": "ap-northeast-1", "cidrs": ["10.0.0.0/8"],
                 "vswitches": vsw("t", ["10.0.0.0/24", "10.0.1.0/24"]),
                 "route_tables": [{"id": "vtb-t", "type": "System", "routes": [
                     {"destination": d, "type": "Custom", "next_hop_type": "Attachment", "next_hop_id": "tr-att-t"}
                     for d in ("192.168.0.0/16", "172.16.0.0/12")]}]},
                {"id": "vpc-b", "name": "beijing-vpc", "region": "cn-beijing", "cidrs": ["192.168.0.0/16"],
                 "vswitches": vsw("b", ["192.168.0.0/24", "192.168.1.0/24"]),
                 "route_tables": [{"id": "vtb-b", "type": "System", "routes": [
                     {"destination": d, "type": "Custom", "next_hop_type": "Attachment", "next_hop_id": "tr-att-b"}
                     for d in ("10.0.0.0/8", "172.16.0.0/12")]}]},
            ],
            "transit_routers": [
                {"id": "tr-t", "cen_id": "cen-1", "name": "tokyo", "region": "ap-northeast-1", "route_tables": [
                    tr_table("trt-t", ["tr-att-t", "tr-att-peer", "tr-att-vpn"], [
                        ("10.0.0.0/24", "Propagated", "tr-att-t"), ("10.0.1.0/24", "Propagated", "tr-att-t"),
                        ("192.168.0.0/24", "Propagated", "tr-att-peer"),
                        ("192.168.1.0/24", "Propagated", "tr-att-peer"),
                        ("172.16.0.0/12", "Static", "tr-att-vpn")])]},
                {"id": "tr-b", "cen_id": "cen-1", "name": "beijing", "region": "cn-beijing", "route_tables": [
                    tr_table("trt-b", ["tr-att-b", "tr-att-peer"], [
                        ("192.168.0.0/24", "Propagated", "tr-att-b"), ("192.168.1.0/24", "Propagated", "tr-att-b"),
                        ("10.0.0.0/24", "Propagated", "tr-att-peer"), ("10.0.1.0/24", "Propagated", "tr-att-peer"),
                        ("172.16.0.0/12", "Propagated", "tr-att-peer")])]},
            ],
            "tr_attachments": [
                {"id": "tr-att-t", "kind": "vpc", "tr_id": "tr-t", "status": "Attached", "vpc_id": "vpc-t"},
                {"id": "tr-att-b", "kind": "vpc", "tr_id": "tr-b", "status": "Attached", "vpc_id": "vpc-b"},
                {"id": "tr-att-peer", "kind": "peer", "tr_id": "tr-t", "peer_tr_id": "tr-b", "status": "Attached",
                 "bandwidth_type": "BandwidthPackage", "bandwidth": 10, "bandwidth_package_id": "cenbwp-1"},
                {"id": "tr-att-vpn", "kind": "vpn", "tr_id": "tr-t", "status": "Attached", "vpn_id": "vco-tr"},
            ],
            "customer_gateways": [{"id": "cgw-a1", "ip": AWS_1[0]}, {"id": "cgw-a2", "ip": AWS_2[0]}],
            "ipsec_connections": [{
                "id": "vco-tr", "name": "to-aws", "vpn_gateway_id": None, "attach_type": "CEN",
                "transit_router_id": "tr-t", "status": "ipsec_sa_established",
                "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["0.0.0.0/0"],
                "tunnels": [
                    {"id": "tun-1", "index": 1, "role": "master", "ip": ALI_T1, "customer_gateway_id": "cgw-a1",
                     "status": "ipsec_sa_established", "ike": ike("k1"), "ipsec": IPSEC},
                    {"id": "tun-2", "index": 2, "role": "slave", "ip": ALI_T2, "customer_gateway_id": "cgw-a2",
                     "status": "ipsec_sa_established", "ike": ike("k2"), "ipsec": IPSEC}]}],
        },
        "probes": [{"name": A, "ip": "172.16.0.132"}, {"name": B, "ip": "172.17.0.111"},
                   {"name": T, "ip": "10.0.0.17"}, {"name": BJ, "ip": "192.168.0.92"}],
    }


def tunnel_states(report):
    return dict(((t["aws_vpn_connection_id"], t["aws_tunnel"]), (t["status"], t["code"])) for t in report["tunnels"])


def ali(s):
    return s["alicloud"]


def tr_routes(s, tr_index):
    return ali(s)["transit_routers"][tr_index]["route_tables"][0]


def attachment(s, att_id):
    return next(a for a in ali(s)["tr_attachments"] if a["id"] == att_id)


def drop_routes(table, *destinations):
    table["routes"][:] = [x for x in table["routes"] if x["destination"] not in destinations]


AWS_SIDE, ALI_SIDE = [A, B], [T, BJ]
CROSS = both_ways(AWS_SIDE, ALI_SIDE)
BEIJING_PAIRS = both_ways([BJ], [A, B, T])


# --- built ------------------------------------------------------------------------------------------------

def test_today_all_pairs_reachable_through_transit_routers_and_tr_attached_tunnels():
    report = r.analyse(today_tr())
    assert report["reachable_count"] == 12, broken_codes(report)
    hops = pair(report, BJ, A)["hops"]
    assert [h["kind"] for h in hops] == ["ali-rtb", "tr-rtb", "tr-rtb", "ipsec", "vpn", "tgw-rtb", "aws-vpc"]
    assert hops[1]["route"] == {"destination": "172.16.0.0/12", "target": "tr-att-peer"}
    assert hops[2]["route"] == {"destination": "172.16.0.0/12", "target": "tr-att-vpn"}
    assert "tunnel 1 (%s)" % ALI_T1 in hops[3]["domain"] and hops[3]["route"]["target"] == "tunnel " + AWS_1[0]
    back = pair(report, A, BJ)["hops"]
    assert [h["kind"] for h in back] == ["aws-rtb", "tgw-rtb", "vpn", "ipsec", "tr-rtb", "tr-rtb", "ali-rtb"]
    assert not any(p["asymmetric"] for p in report["pairs"])
    checks = sorted((c["aws_vpn_connection_id"], c["tunnel"], c["alicloud_tunnel"], c["alicloud_tunnel_ip"], c["ok"])
                    for c in report["ipsec_checks"])
    assert checks == [("vpn-1", 1, 1, ALI_T1, True), ("vpn-2", 1, 2, ALI_T2, True)]
    # AWS tunnel 2 of each VPN: its customer gateway is one TR-attached tunnel, which answers tunnel 1
    assert tunnel_states(report) == {("vpn-1", 1): ("up", None), ("vpn-2", 1): ("up", None),
                                     ("vpn-1", 2): ("idle_by_design", causes.IDLE_BY_DESIGN),
                                     ("vpn-2", 2): ("idle_by_design", causes.IDLE_BY_DESIGN)}
    assert report["warnings"] == [] and report["blackholes"] == [] and report["overlaps"] == []
    assert all("warnings" not in p for p in report["pairs"])
    nodes = {n["id"]: n["kind"] for n in report["topology"]["nodes"]}
    assert nodes["tr-t"] == nodes["tr-b"] == "hub"
    links = {(l["a"], l["b"], l["kind"]) for l in report["topology"]["links"]}
    assert {("vpc-t", "tr-t", "attachment"), ("tr-t", "tr-b", "peering"), ("tgw-1", "tr-t", "bridge")} <= links
    json.dumps(report)


def _unassociate(s, table_index, att_id):
    tr_routes(s, table_index)["associations"].remove(att_id)


@pytest.mark.parametrize("name, breakage, expected", [
    ("Beijing's VPC connection not associated", lambda s: _unassociate(s, 1, "tr-att-b"),
     dict.fromkeys(BEIJING_PAIRS, causes.TR_NOT_ASSOCIATED)),
    ("the VPN attachment not associated", lambda s: _unassociate(s, 0, "tr-att-vpn"),
     dict.fromkeys(CROSS, causes.TR_NOT_ASSOCIATED)),
    ("the inter-region connection not associated on the Beijing side", lambda s: _unassociate(s, 1, "tr-att-peer"),
     dict.fromkeys(BEIJING_PAIRS, causes.TR_NOT_ASSOCIATED)),
    ("no static route toward the VPN attachment", lambda s: [drop_routes(tr_routes(s, i), "172.16.0.0/12")
                                                             for i in (0, 1)],
     dict.fromkeys(CROSS, causes.TR_NO_ROUTE)),
    ("Tokyo does not learn from the inter-region connection",
     lambda s: [drop_routes(tr_routes(s, 0), "192.168.0.0/24", "192.168.1.0/24"),
                tr_routes(s, 0)["propagations"].remove("tr-att-peer")],
     dict.fromkeys(BEIJING_PAIRS, causes.TR_NO_ROUTE)),
    ("the VPN attachment still attaching",
     lambda s: attachment(s, "tr-att-vpn").update(status="Attaching"),
     dict([((x, y), causes.IPSEC_NOT_ATTACHED) for x in AWS_SIDE for y in ALI_SIDE]
          + [((y, x), causes.ATTACHMENT_NOT_AVAILABLE) for x in AWS_SIDE for y in ALI_SIDE])),
    ("Tokyo's VPC route toward a connection that is gone",
     lambda s: [x.update(next_hop_id="tr-att-gone") for x in ali(s)["vpcs"][0]["route_tables"][0]["routes"]
                if x["destination"] == "172.16.0.0/12"],
     dict.fromkeys(both_ways([T], AWS_SIDE), causes.NEXT_HOP_MISSING)),
])
def test_each_transit_router_breakage_on_exactly_its_pairs(name, breakage, expected):
    s = today_tr()
    breakage(s)
    assert broken_codes(r.analyse(s)) == expected, name


def test_the_inter_region_connection_missing_names_both_routers():
    s = today_tr()
    ali(s)["tr_attachments"] = [a for a in ali(s)["tr_attachments"] if a["kind"] != "peer"]
    for i in (0, 1):
        table = tr_routes(s, i)
        for key in ("associations", "propagations"):
            table[key].remove("tr-att-peer")
        table["routes"][:] = [x for x in table["routes"] if x["next_hop_id"] != "tr-att-peer"]
    report = r.analyse(s)
    assert broken_codes(report) == dict.fromkeys(BEIJING_PAIRS, causes.INTER_REGION_MISSING)
    cause = pair(report, BJ, A)["cause"]
    assert "no inter-region connection joins transit router beijing (tr-b" in cause and "tr-t" in cause, cause
    assert "CreateTransitRouterPeerAttachment" in cause
    assert pair(report, T, BJ)["broken_hop"]["element"] == "trt-t"


def test_routes_the_router_synchronises_into_a_vpc_and_what_they_lack():
    """AutoPublishRouteEnabled: Beijing's VPC holds its router's routes as type CEN entries (next hop Attachment);
    Basic CEN entries listed in a table stay untrusted, these are followed like the VPC's own."""
    s = today_tr()
    attachment(s, "tr-att-b").update(auto_publish=True)
    beijing = ali(s)["vpcs"][1]["route_tables"][0]
    beijing["routes"] = [{"destination": d, "type": "CEN", "next_hop_type": "Attachment", "next_hop_id": "tr-att-b"}
                         for d in ("10.0.0.0/24", "10.0.1.0/24", "172.16.0.0/12")]
    report = r.analyse(s)
    assert report["reachable_count"] == 12, broken_codes(report)
    assert pair(report, BJ, A)["hops"][0]["note"] == "CEN"
    # the router's table loses the AWS prefix: so does the VPC, and the cause is the router's
    drop_routes(tr_routes(s, 0), "172.16.0.0/12")
    drop_routes(tr_routes(s, 1), "172.16.0.0/12")
    beijing["routes"] = [x for x in beijing["routes"] if x["destination"] != "172.16.0.0/12"]
    report = r.analyse(s)
    assert broken_codes(report) == dict.fromkeys(CROSS, causes.TR_NO_ROUTE)
    cause = pair(report, BJ, A)["cause"]
    assert "beijing-vpc" in cause and "AutoPublishRouteEnabled" in cause and "static route" in cause, cause


def test_a_blackhole_route_in_a_transit_router_table():
    s = today_tr()
    route = next(x for x in tr_routes(s, 0)["routes"] if x["destination"] == "172.16.0.0/12")
    route.update(next_hop_type="BlackHole", next_hop_id=None)
    drop_routes(tr_routes(s, 1), "172.16.0.0/12")   # a blackhole is not advertised over the connection
    report = r.analyse(s)
    codes = broken_codes(report)
    assert codes == {**dict.fromkeys(both_ways([T], AWS_SIDE), causes.TR_BLACKHOLE),
                     **dict.fromkeys(both_ways([BJ], AWS_SIDE), causes.TR_NO_ROUTE)}
    assert [(b["table"], b["destination"], b["code"]) for b in report["blackholes"]] == [
        ("trt-t", "172.16.0.0/12", causes.TR_BLACKHOLE)]


def test_a_transit_router_route_toward_a_connection_that_is_not_attached_is_listed():
    s = today_tr()
    attachment(s, "tr-att-vpn").update(status="Detaching")
    report = r.analyse(s)
    assert ("trt-t", "172.16.0.0/12", causes.ATTACHMENT_NOT_AVAILABLE) in [
        (b["table"], b["destination"], b["code"]) for b in report["blackholes"]]


# --- tunnels, one at a time ------------------------------------------------------------------------------------

def test_the_tunnel_in_use_broken_breaks_every_cross_pair_with_its_own_code_and_warns():
    s = today_tr()
    s["aws"]["vpn_connections"][0]["tunnels"][0]["psk_hash"] = "k-other"
    report = r.analyse(s)
    # the TGW sends to VPN 1 whose only possible tunnel is broken; the replies leave by tunnel 2 and arrive
    assert broken_codes(report) == dict.fromkeys(CROSS, causes.PSK_MISMATCH)
    assert pair(report, A, T)["broken_hop"]["element"] == "vpn-1"
    assert pair(report, T, A)["broken_hop"]["direction"] == "return"
    assert tunnel_states(report)[("vpn-1", 1)] == ("down", causes.PSK_MISMATCH)
    assert [(w["code"], w["element"]) for w in report["warnings"]] == [(causes.TUNNEL_REDUNDANCY_LOST, "vco-tr")]
    assert "vco-tr tunnel 1 (%s) is down while vco-tr tunnel 2" % ALI_T1 in report["warnings"][0]["message"]


def test_one_tunnel_down_with_its_partner_carrying_is_reachable_with_a_warning():
    s = today_tr()
    ali(s)["ipsec_connections"][0]["tunnels"][1]["status"] = "ike_sa_not_established"
    report = r.analyse(s)
    assert report["reachable_count"] == 12, broken_codes(report)
    assert [(w["code"], w["element"]) for w in report["warnings"]] == [(causes.TUNNEL_REDUNDANCY_LOST, "vco-tr")]
    assert {(p["from"], p["to"]) for p in report["pairs"] if p.get("warnings")} == CROSS
    assert {tuple(p["warnings"]) for p in report["pairs"] if p.get("warnings")} == {(causes.TUNNEL_REDUNDANCY_LOST,)}
    assert tunnel_states(report)[("vpn-2", 1)] == ("down", causes.TUNNEL_DOWN)
    assert causes.TUNNEL_REDUNDANCY_LOST in causes.WARNINGS
    text = render.matrix_text(report)
    assert u"\u2713!" in text and "[tunnel_redundancy_lost]" in text and "idle_by_design" in text
    page = render.html_page(report)
    assert "<h2>Tunnels</h2>" in page and "<h2>Warnings</h2>" in page and "warnings: tunnel_redundancy_lost" in page


def test_an_alibaba_tunnel_still_at_its_placeholder_customer_gateway():
    s = today_tr()
    ali(s)["customer_gateways"][1]["ip"] = "192.0.2.1"   # tunnel 2 still at the placeholder customer gateway
    report = r.analyse(s)
    assert report["reachable_count"] == 12
    states = tunnel_states(report)
    assert states[("vpn-2", 1)] == ("unpaired", causes.NO_IPSEC_PEER)
    assert states[("vpn-2", 2)] == ("unpaired", causes.NO_IPSEC_PEER)   # nothing answers either tunnel of VPN 2
    # the Alibaba tunnel is listed too: it comes from VPN 2's customer gateway IP but meets no tunnel of it
    assert [(t["alicloud_ipsec_connection_id"], t["alicloud_tunnel"], t["status"], t["code"])
            for t in report["tunnels"] if t["aws_vpn_connection_id"] is None] == [
        ("vco-tr", 2, "unpaired", causes.OUTSIDE_IP_MISMATCH)]
    assert [w["code"] for w in report["warnings"]] == [causes.TUNNEL_REDUNDANCY_LOST]
    assert "[outside_ip_mismatch]" in report["warnings"][0]["message"]


def test_a_single_tunnel_vpn_gateway_leaves_aws_tunnel_2_unpaired_not_idle_by_design():
    """A VPN gateway's IP could answer tunnel 2 with another IPsec connection: unused, not impossible."""
    report = r.analyse(walkthrough1())
    assert tunnel_states(report) == {("vpn-1", 1): ("up", None), ("vpn-1", 2): ("unpaired", causes.NO_IPSEC_PEER)}
    assert report["warnings"] == []


def test_an_inter_region_connection_on_the_test_bandwidth_warns_on_the_pairs_crossing_it():
    s = today_tr()
    attachment(s, "tr-att-peer").update(bandwidth=0, bandwidth_package_id=None)
    report = r.analyse(s)
    assert report["reachable_count"] == 12
    assert [(w["code"], w["element"]) for w in report["warnings"]] == [(causes.TEST_BANDWIDTH_ONLY, "tr-att-peer")]
    assert {(p["from"], p["to"]) for p in report["pairs"] if p.get("warnings")} == BEIJING_PAIRS
    attachment(s, "tr-att-peer").update(bandwidth_type="DataTransfer")
    assert r.analyse(s)["warnings"] == []


# --- destination routing on a dual-tunnel VPN gateway -----------------------------------------------------------

G1, G2 = "198.51.100.7", "198.51.100.8"


def vpn_gateway():
    """VPC A and B, the Tokyo VPC with a dual-tunnel VPN gateway in destination routing: connection A (master ->
    VPN 1 tunnel 1, slave -> VPN 2 tunnel 1) active, B (master -> VPN 1 tunnel 2, slave -> VPN 2 tunnel 2) standby."""
    psk = lambda k, t: "psk-%d-%d" % (k, t)  # noqa: E731
    vpns = [("vpn-%d" % k, "cgw-%d" % k, [aws_tunnel(ips[t - 1], psk(k, t)) for t in (1, 2)])
            for k, ips in ((1, AWS_1), (2, AWS_2))]
    conns = []
    for t, name in ((1, "vco-a"), (2, "vco-b")):
        conns.append({"id": name, "vpn_gateway_id": "vpn-gw", "status": "ipsec_sa_established",
                      "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["0.0.0.0/0"], "tunnels": [
                          {"id": "%s-%d" % (name, k), "index": k, "role": role,
                           "customer_gateway_id": "cgw-a%d%d" % (k, t), "status": "ipsec_sa_established",
                           "ike": ike(psk(k, t)), "ipsec": IPSEC}
                          for k, role in ((1, "master"), (2, "slave"))]})
    entries = [{"destination": d, "next_hop": conn, "weight": w} for d in ("172.16.0.0/16", "172.17.0.0/16")
               for conn, w in (("vco-a", 100), ("vco-b", 0))]
    return {
        "aws": aws_side(vpns, [("cgw-1", G1), ("cgw-2", G2)]),
        "alicloud": {
            "vpcs": [{"id": "vpc-t", "name": "tokyo-vpc", "region": "ap-northeast-1", "cidrs": ["10.0.0.0/8"],
                      "vswitches": [{"id": "vsw-t", "cidr": "10.0.0.0/24"}],
                      "route_tables": [{"id": "vtb-t", "type": "System", "routes": [
                          {"destination": "172.16.0.0/12", "type": "Custom", "next_hop_type": "VpnGateway",
                           "next_hop_id": "vpn-gw"}]}]}],
            "vpn_gateways": [{"id": "vpn-gw", "name": "tokyo-vpn", "vpc_id": "vpc-t", "public_ip": G1,
                              "secondary_ip": G2, "status": "active", "route_entries": entries}],
            "customer_gateways": [{"id": "cgw-a%d%d" % (k, t), "ip": ips[t - 1]}
                                  for k, ips in ((1, AWS_1), (2, AWS_2)) for t in (1, 2)],
            "ipsec_connections": conns,
        },
        "probes": [{"name": A, "ip": "172.16.0.132"}, {"name": B, "ip": "172.17.0.111"},
                   {"name": T, "ip": "10.0.0.17"}],
    }


def gw_entries(s):
    return ali(s)["vpn_gateways"][0]["route_entries"]


def test_destination_routing_all_four_tunnels_paired_and_the_active_route_used():
    report = r.analyse(vpn_gateway())
    assert report["reachable_count"] == 6, broken_codes(report)
    # master tunnels leave from the gateway's IP, slaves from its disaster-recovery IP
    assert sorted((c["aws_vpn_connection_id"], c["tunnel"], c["alicloud_ipsec_connection_id"], c["alicloud_tunnel"],
                   c["alicloud_tunnel_ip"], c["ok"]) for c in report["ipsec_checks"]) == [
        ("vpn-1", 1, "vco-a", 1, G1, True), ("vpn-1", 2, "vco-b", 1, G1, True),
        ("vpn-2", 1, "vco-a", 2, G2, True), ("vpn-2", 2, "vco-b", 2, G2, True)]
    hops = pair(report, T, B)["hops"]
    assert [h["kind"] for h in hops] == ["ali-rtb", "vpn-gw", "ipsec", "vpn", "tgw-rtb", "aws-vpc"]
    assert hops[1]["route"] == {"destination": "172.17.0.0/16", "target": "vco-a"}
    assert "weight 100" in hops[1]["note"]


def test_destination_routing_standby_takes_over_then_no_route_entry_drops():
    s = vpn_gateway()
    gw_entries(s)[:] = [e for e in gw_entries(s) if (e["destination"], e["next_hop"]) != ("172.17.0.0/16", "vco-a")]
    report = r.analyse(s)
    assert report["reachable_count"] == 6
    assert pair(report, T, B)["hops"][1]["route"]["target"] == "vco-b"
    gw_entries(s)[:] = [e for e in gw_entries(s) if e["destination"] != "172.17.0.0/16"]
    report = r.analyse(s)
    assert broken_codes(report) == dict.fromkeys(both_ways([B], [T]), causes.VPN_ROUTE_MISSING)
    cause = pair(report, T, B)["cause"]
    assert "vpn-gw" in cause and "172.17.0.0/16" in cause and "CreateVpnRouteEntry" in cause
    assert pair(report, B, T)["broken_hop"]["direction"] == "return"


def test_destination_routing_the_active_connection_down_uses_the_standby():
    s = vpn_gateway()
    for tunnel in ali(s)["ipsec_connections"][0]["tunnels"]:
        tunnel["status"] = "ipsec_sa_not_established"
    report = r.analyse(s)
    assert report["reachable_count"] == 6, broken_codes(report)
    assert pair(report, T, A)["hops"][1]["route"]["target"] == "vco-b"
    # AWS sends by VPN 1 tunnel 1 (down) then tunnel 2 (connection B): the same tunnel both ways
    assert not pair(report, A, T)["asymmetric"]
    assert report["warnings"] == []   # each connection is down or whole, no connection on one tunnel


def test_destination_routing_without_any_route_entry():
    s = vpn_gateway()
    gw_entries(s)[:] = []
    assert broken_codes(r.analyse(s)) == dict.fromkeys(both_ways([A, B], [T]), causes.VPN_ROUTE_MISSING)


def test_destination_routing_published_entries_gone_names_the_missing_vpn_route_entry():
    """The VPC's route toward AWS was the gateway's published entry (as roles/vpn_bridge builds it): delete VPC B's
    entries and the VPC has no route either; the cause is the missing VPN route entry, not a VPC route to add."""
    s = vpn_gateway()
    ali(s)["vpcs"][0]["route_tables"][0]["routes"] = [
        {"destination": d, "type": "Custom", "next_hop_type": "VpnGateway", "next_hop_id": "vpn-gw"}
        for d in ("172.16.0.0/16", "172.17.0.0/16")]
    assert r.analyse(s)["reachable_count"] == 6
    gw_entries(s)[:] = [e for e in gw_entries(s) if e["destination"] != "172.17.0.0/16"]
    ali(s)["vpcs"][0]["route_tables"][0]["routes"].pop()  # the published VPC route goes with its entries
    report = r.analyse(s)
    assert broken_codes(report) == dict.fromkeys(both_ways([B], [T]), causes.VPN_ROUTE_MISSING)
    cause = pair(report, T, B)["cause"]
    assert "tokyo-vpc" in cause and "has no route to 172.17.0.0/16" in cause and "CreateVpnRouteEntry" in cause


def test_policy_based_connection_before_destination_routes():
    """A connection with protected data flows holding the destination is used before the VPN route entries."""
    s = vpn_gateway()
    policy = copy.deepcopy(ali(s)["ipsec_connections"][1])
    policy.update(id="vco-p", remote_subnets=["172.17.0.0/16"])
    ali(s)["ipsec_connections"][1] = policy
    for e in gw_entries(s):
        if e["next_hop"] == "vco-b":
            e["next_hop"] = "vco-p"
    report = r.analyse(s)
    assert report["reachable_count"] == 6, broken_codes(report)
    assert [h["route"]["target"] for h in pair(report, T, B)["hops"]][1] == "IPsec vco-p"
    assert pair(report, T, A)["hops"][1]["route"]["target"] == "vco-a"


# --- VPC peering connections -------------------------------------------------------------------------------------

def vpc_peering():
    """The second walkthrough with today's VPC peering connection (VpcPeer) instead of router interfaces."""
    return {
        "alicloud": {
            "vpcs": [
                {"id": "vpc-ta", "name": "tokyo-vpc-a", "account": "5111", "region": "ap-northeast-1",
                 "cidrs": ["172.16.0.0/16"], "vswitches": [{"id": "vsw-a", "cidr": "172.16.0.0/24"}],
                 "route_tables": [{"id": "vtb-a", "type": "System", "routes": [
                     {"destination": "192.168.0.0/24", "type": "Custom", "next_hop_type": "VpcPeer",
                      "next_hop_id": "pcc-1"}]}]},
                {"id": "vpc-sb", "name": "svalley-vpc-b", "account": "5222", "region": "us-west-1",
                 "cidrs": ["192.168.0.0/16"], "vswitches": [{"id": "vsw-b", "cidr": "192.168.0.0/24"}],
                 "route_tables": [{"id": "vtb-b", "type": "System", "routes": [
                     {"destination": "172.16.0.0/24", "type": "Custom", "next_hop_type": "VpcPeer",
                      "next_hop_id": "pcc-1"}]}]},
            ],
            "vpc_peer_connections": [{"id": "pcc-1", "status": "Activated", "vpc_id": "vpc-ta", "account": "5111",
                                      "accepting_vpc_id": "vpc-sb", "accepting_account": "5222"}],
        },
        "probes": [{"name": "tokyo-a", "ip": "172.16.0.41"}, {"name": "svalley-b", "ip": "192.168.0.147"}],
    }


PEERS = both_ways(["tokyo-a"], ["svalley-b"])


def test_vpc_peering_activated_with_routes_on_both_sides():
    report = r.analyse(vpc_peering())
    assert report["reachable_count"] == 2, broken_codes(report)
    hops = pair(report, "tokyo-a", "svalley-b")["hops"]
    assert [h["kind"] for h in hops] == ["ali-rtb", "peering", "ali-rtb"]
    assert {(l["a"], l["b"], l["kind"], l["ok"]) for l in report["topology"]["links"]} == {
        ("vpc-ta", "vpc-sb", "peering", True)}


def test_vpc_peering_not_accepted():
    s = vpc_peering()
    ali(s)["vpc_peer_connections"][0]["status"] = "Accepting"
    report = r.analyse(s)
    assert broken_codes(report) == dict.fromkeys(PEERS, causes.PEERING_NOT_ACCEPTED)
    assert "account 5222 must accept it" in pair(report, "tokyo-a", "svalley-b")["cause"]
    # no route can point at it yet: the missing route is explained by the pending acceptance
    for vpc in ali(s)["vpcs"]:
        vpc["route_tables"][0]["routes"] = []
    assert broken_codes(r.analyse(s)) == dict.fromkeys(PEERS, causes.PEERING_NOT_ACCEPTED)


def test_vpc_peering_route_missing_on_one_side():
    s = vpc_peering()
    ali(s)["vpcs"][1]["route_tables"][0]["routes"] = []
    report = r.analyse(s)
    assert broken_codes(report) == dict.fromkeys(PEERS, causes.PEERING_ROUTE_MISSING)
    p = pair(report, "svalley-b", "tokyo-a")
    assert p["broken_hop"]["element"] == "vpc-sb" and "VpcPeer pcc-1" in p["cause"]
    assert pair(report, "tokyo-a", "svalley-b")["broken_hop"]["direction"] == "return"


def test_vpc_peering_route_toward_a_connection_that_is_gone():
    s = vpc_peering()
    ali(s)["vpc_peer_connections"] = []
    report = r.analyse(s)
    assert broken_codes(report) == dict.fromkeys(PEERS, causes.NEXT_HOP_MISSING)
    assert {(b["target"], b["code"]) for b in report["blackholes"]} == {("pcc-1", causes.NEXT_HOP_MISSING)}


# --- the reader: keys never enter the snapshot -----------------------------------------------------------------

def test_a_dual_tunnel_connection_is_read_per_tunnel_with_hashed_keys_only():
    hasher = snap.PskHasher(b"k" * 32)
    item = {"VpnConnectionId": "vco-1", "VpnGatewayId": "", "AttachType": "CEN", "TransitRouterId": "tr-1",
            "LocalSubnet": "0.0.0.0/0", "RemoteSubnet": "0.0.0.0/0", "Status": "ipsec_sa_established",
            "TunnelOptionsSpecification": {"TunnelOptions": [
                {"TunnelId": "tun-1", "TunnelIndex": "1", "Role": "master", "InternetIp": ALI_T1,
                 "CustomerGatewayId": "cgw-1", "Status": "ipsec_sa_established",
                 "TunnelIkeConfig": {"IkeVersion": "ikev2", "Psk": "Secret.tunnel_key", "IkeLifetime": "28800"},
                 "TunnelIpsecConfig": {"IpsecEncAlg": "aes256", "IpsecLifetime": "3600"}}]}}
    conn = snap.ipsec_connection(item, "main", "ap-northeast-1", hasher)
    assert "Secret.tunnel_key" not in json.dumps(conn)
    assert conn["tunnels"][0]["ike"]["psk_hash"] == hasher("Secret.tunnel_key")
    assert (conn["vpn_gateway_id"], conn["transit_router_id"], conn["tunnels"][0]["index"], conn["tunnels"][0]["ip"]) \
        == (None, "tr-1", 1, ALI_T1)


def test_a_dual_tunnel_connection_with_no_aws_end_at_all():
    s = today_tr()
    for cgw, ip in zip(ali(s)["customer_gateways"], ("192.0.2.1", "192.0.2.2")):
        cgw["ip"] = ip   # both tunnels still toward placeholders, and the AWS VPNs toward other IPs
    for cgw in s["aws"]["customer_gateways"]:
        cgw["ip"] = "198.51.100.99"
    report = r.analyse(s)
    codes = broken_codes(report)
    assert set(codes) == CROSS and set(codes.values()) == {causes.NO_IPSEC_PEER}
    assert "customer gateways 192.0.2.1, 192.0.2.2" in pair(report, T, A)["cause"]
    assert report["tunnels"] == [] and report["warnings"] == []
