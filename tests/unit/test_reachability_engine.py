"""module_utils/reachability.py: the pure engine on synthetic snapshots of both walkthroughs.

Each breakage must be reported as the cause of exactly the pairs it breaks, no more, with the
machine-readable cause code (reachability_causes) of what broke.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from ansible_collections.multicloud.transit.plugins.module_utils import reachability as r
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes

PSK = "psk-hash-aaaa"
AWS_TUNNEL_1 = "203.0.113.10"
AWS_TUNNEL_2 = "203.0.113.11"
ALI_GW_IP = "198.51.100.7"

A, B, T, BJ = "virginia-a", "virginia-b", "tokyo", "beijing"


def walkthrough1():
    """The first walkthrough, fully built (seeds/README.md: TGW <-> CEN over IPsec)."""
    aws_rt = lambda rtb, own, others: {  # noqa: E731
        "id": rtb, "routes": [{"destination": own, "target_type": "local", "target_id": "local", "state": "active"}]
        + [{"destination": d, "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"} for d in others]}
    return {
        "aws": {
            "vpcs": [
                {"id": "vpc-a", "name": "vpc-a", "region": "us-east-1", "cidrs": ["172.16.0.0/16"],
                 "subnets": [{"id": "subnet-a", "cidr": "172.16.0.0/24", "route_table_id": "rtb-a"}],
                 "route_tables": [aws_rt("rtb-a", "172.16.0.0/16", ["172.17.0.0/16", "10.0.0.0/8", "192.168.0.0/16"])]},
                {"id": "vpc-b", "name": "vpc-b", "region": "us-east-1", "cidrs": ["172.17.0.0/16"],
                 "subnets": [{"id": "subnet-b", "cidr": "172.17.0.0/24", "route_table_id": "rtb-b"}],
                 "route_tables": [aws_rt("rtb-b", "172.17.0.0/16", ["172.16.0.0/16", "10.0.0.0/8", "192.168.0.0/16"])]},
            ],
            "transit_gateways": [{"id": "tgw-1", "name": "hub", "region": "us-east-1", "state": "available",
                                  "route_tables": [{
                                      "id": "tgw-rtb-1", "associations": ["att-a", "att-b", "att-vpn"],
                                      "propagations": ["att-a", "att-b"],
                                      "routes": [
                                          {"destination": "172.16.0.0/16", "type": "propagated", "state": "active",
                                           "attachment_id": "att-a"},
                                          {"destination": "172.17.0.0/16", "type": "propagated", "state": "active",
                                           "attachment_id": "att-b"},
                                          {"destination": "10.0.0.0/8", "type": "static", "state": "active",
                                           "attachment_id": "att-vpn"},
                                          {"destination": "192.168.0.0/16", "type": "static", "state": "active",
                                           "attachment_id": "att-vpn"}]}]}],
            "tgw_attachments": [
                {"id": "att-a", "tgw_id": "tgw-1", "type": "vpc", "resource_id": "vpc-a", "state": "available"},
                {"id": "att-b", "tgw_id": "tgw-1", "type": "vpc", "resource_id": "vpc-b", "state": "available"},
                {"id": "att-vpn", "tgw_id": "tgw-1", "type": "vpn", "resource_id": "vpn-1", "state": "available"},
            ],
            "vpn_connections": [{
                "id": "vpn-1", "name": "to-tokyo", "state": "available", "tgw_id": "tgw-1", "attachment_id": "att-vpn",
                "customer_gateway_id": "cgw-1", "local_cidr": "0.0.0.0/0", "remote_cidr": "0.0.0.0/0",
                "tunnels": [
                    {"outside_ip": AWS_TUNNEL_1, "status": "UP", "psk_hash": PSK, "ike_versions": ["ikev2"],
                     "phase1": {"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14], "lifetime": 28800},
                     "phase2": {"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14], "lifetime": 3600}},
                    {"outside_ip": AWS_TUNNEL_2, "status": "DOWN", "psk_hash": "other", "ike_versions": ["ikev2"]},
                ]}],
            "customer_gateways": [{"id": "cgw-1", "ip": ALI_GW_IP, "state": "available"}],
        },
        "alicloud": {
            "vpcs": [
                {"id": "vpc-tokyo", "name": "tokyo-vpc", "region": "ap-northeast-1", "cidrs": ["10.0.0.0/8"],
                 "vswitches": [{"id": "vsw-t", "cidr": "10.0.0.0/24", "route_table_id": "vtb-t"}],
                 "route_tables": [{"id": "vtb-t", "type": "System", "routes": [
                     {"destination": "172.16.0.0/12", "type": "Custom", "next_hop_type": "VpnGateway",
                      "next_hop_id": "vpn-gw", "status": "Available"}]}]},
                {"id": "vpc-beijing", "name": "beijing-vpc", "region": "cn-beijing", "cidrs": ["192.168.0.0/16"],
                 "vswitches": [{"id": "vsw-b", "cidr": "192.168.0.0/24", "route_table_id": "vtb-b"}],
                 "route_tables": [{"id": "vtb-b", "type": "System", "routes": []}]},
            ],
            "cens": [{"id": "cen-1", "name": "cen", "status": "Active",
                      "attachments": [{"instance_id": "vpc-tokyo", "instance_type": "VPC", "region": "ap-northeast-1",
                                       "status": "Attached"},
                                      {"instance_id": "vpc-beijing", "instance_type": "VPC", "region": "cn-beijing",
                                       "status": "Attached"}],
                      "published_routes": [{"vpc_id": "vpc-tokyo", "route_table_id": "vtb-t", "destination": "172.16.0.0/12",
                                            "next_hop_type": "VpnGateway", "next_hop_id": "vpn-gw",
                                            "publish_status": "Published"}]}],
            "vpn_gateways": [{"id": "vpn-gw", "name": "tokyo-gw", "vpc_id": "vpc-tokyo", "region": "ap-northeast-1",
                              "public_ip": ALI_GW_IP, "status": "active"}],
            "customer_gateways": [{"id": "cgw-aws", "ip": AWS_TUNNEL_1}],
            "ipsec_connections": [{
                "id": "vco-1", "name": "to-aws", "vpn_gateway_id": "vpn-gw", "customer_gateway_id": "cgw-aws",
                "status": "ipsec_sa_established", "state": "active",
                "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["172.16.0.0/12"],
                "ike": {"version": "ikev2", "encryption": "aes256", "integrity": "sha256", "dh_group": "group14",
                        "lifetime": 28800, "psk_hash": PSK},
                "ipsec": {"encryption": "aes256", "integrity": "sha256", "dh_group": "group14", "lifetime": 3600}}],
            "router_interfaces": [],
        },
        "probes": [{"name": A, "ip": "172.16.0.132"}, {"name": B, "ip": "172.17.0.111"},
                   {"name": T, "ip": "10.0.0.17"}, {"name": BJ, "ip": "192.168.0.92"}],
    }


def walkthrough2():
    """The second walkthrough: two Alibaba accounts peered by router interfaces."""
    return {
        "alicloud": {
            "vpcs": [
                {"id": "vpc-ta", "name": "tokyo-vpc-a", "account": "5111", "region": "ap-northeast-1",
                 "cidrs": ["172.16.0.0/16"], "router_id": "vrt-a",
                 "vswitches": [{"id": "vsw-a", "cidr": "172.16.0.0/24", "route_table_id": "vtb-a"}],
                 "route_tables": [{"id": "vtb-a", "type": "System", "routes": [
                     {"destination": "192.168.0.0/16", "type": "Custom", "next_hop_type": "RouterInterface",
                      "next_hop_id": "ri-a"}]}]},
                {"id": "vpc-sb", "name": "svalley-vpc-b", "account": "5222", "region": "us-west-1",
                 "cidrs": ["192.168.0.0/16"], "router_id": "vrt-b",
                 "vswitches": [{"id": "vsw-b", "cidr": "192.168.0.0/24", "route_table_id": "vtb-b"}],
                 "route_tables": [{"id": "vtb-b", "type": "System", "routes": [
                     {"destination": "172.16.0.0/24", "type": "Custom", "next_hop_type": "RouterInterface",
                      "next_hop_id": "ri-b"}]}]},
            ],
            "router_interfaces": [
                {"id": "ri-a", "status": "Active", "role": "InitiatingSide", "router_id": "vrt-a",
                 "opposite_interface_id": "ri-b", "opposite_owner": "5222"},
                {"id": "ri-b", "status": "Active", "role": "AcceptingSide", "router_id": "vrt-b",
                 "opposite_interface_id": "ri-a", "opposite_owner": "5111"},
            ],
        },
        "probes": [{"name": "tokyo-a", "ip": "172.16.0.41"}, {"name": "svalley-b", "ip": "192.168.0.147"}],
    }


def broken_pairs(report):
    return {(p["from"], p["to"]): p["cause"] for p in report["pairs"] if not p["reachable"]}


def broken_codes(report):
    """(from, to) -> cause code of every unreachable pair; every code is a defined one and has its sentence."""
    out = {}
    for p in report["pairs"]:
        if not p["reachable"]:
            assert p["cause_code"] in causes.CAUSES and p["cause"], p
            out[(p["from"], p["to"])] = p["cause_code"]
    return out


def pair(report, src, dst):
    return next(p for p in report["pairs"] if (p["from"], p["to"]) == (src, dst))


def domains(hops):
    return [h["domain"] for h in hops]


ALL = [A, B, T, BJ]
AWS_SIDE, ALI_SIDE = [A, B], [T, BJ]


def both_ways(xs, ys):
    return {(x, y) for x in xs for y in ys} | {(y, x) for x in xs for y in ys}


# --- fully built ------------------------------------------------------------------------------------------

def test_walkthrough1_all_twelve_pairs_reachable_with_plausible_hops():
    report = r.analyse(walkthrough1())
    assert report["pair_count"] == 12
    assert report["reachable_count"] == 12, broken_pairs(report)
    assert report["broken"] == [] and report["overlaps"] == [] and report["blackholes"] == []
    assert all(p["cause"] is None and p["cause_code"] is None for p in report["pairs"])
    pair = next(p for p in report["pairs"] if (p["from"], p["to"]) == (BJ, A))
    path = domains(pair["hops"])
    # Beijing VPC -> CEN -> Tokyo VPC -> VPN gateway -> IPsec -> TGW VPN attachment -> TGW route table -> VPC A
    expected = ["beijing-vpc", "CEN", "tokyo-vpc", "VPN gateway", "IPsec connection", "VPN connection",
                "route table tgw-rtb-1"]
    at = 0
    for want in expected:
        while at < len(path) and want not in path[at]:
            at += 1
        assert at < len(path), "%s not found in order in %s" % (want, path)
    assert pair["hops"][-2]["route"] == {"destination": "172.16.0.0/16", "target": "att-a"}
    assert pair["hops"][-1]["route"] == {"destination": "172.16.0.0/16", "target": "local"}
    assert "tunnel 203.0.113.10" in json.dumps(pair["hops"])
    # and the reply retraces the same pieces
    assert not pair["asymmetric"]
    assert "CEN" in " ".join(domains(pair["return_hops"]))
    same = next(p for p in report["pairs"] if (p["from"], p["to"]) == (A, B))
    assert [h["route"]["target"] for h in same["hops"]] == ["tgw-1", "att-b", "local"]
    checks = report["ipsec_checks"]
    assert len(checks) == 1 and checks[0]["ok"] and checks[0]["checks"]["psk"] is True
    assert checks[0]["problem_codes"] == [] and checks[0]["warning_codes"] == []
    json.dumps(report)  # JSON-serialisable


def test_matrix_has_every_probe_and_no_self_pairs():
    report = r.analyse(walkthrough1())
    assert {(p["from"], p["to"]) for p in report["pairs"]} == {(x, y) for x in ALL for y in ALL if x != y}


# --- each breakage: exactly the pairs it breaks ---------------------------------------------------------------------

def test_tokyo_route_not_published_breaks_only_beijing_aws_pairs():
    snap = walkthrough1()
    snap["alicloud"]["cens"][0]["published_routes"][0]["publish_status"] = "NonPublished"
    report = r.analyse(snap)
    assert broken_codes(report) == dict.fromkeys(both_ways([BJ], AWS_SIDE), causes.CEN_ROUTE_NOT_PUBLISHED)
    assert pair(report, BJ, A)["broken_hop"]["element"] == "vpc-beijing"
    assert pair(report, A, BJ)["broken_hop"]["direction"] == "return"
    assert pair(report, A, BJ)["broken_hop"]["code"] == causes.CEN_ROUTE_NOT_PUBLISHED


def test_tgw_static_route_removed_breaks_only_aws_tokyo_pairs():
    snap = walkthrough1()
    routes = snap["aws"]["transit_gateways"][0]["route_tables"][0]["routes"]
    routes[:] = [x for x in routes if x["destination"] != "10.0.0.0/8"]
    report = r.analyse(snap)
    assert broken_codes(report) == dict.fromkeys(both_ways([T], AWS_SIDE), causes.TGW_NO_ROUTE)
    assert pair(report, A, T)["broken_hop"]["element"] == "tgw-rtb-1"
    assert pair(report, T, B)["broken_hop"]["direction"] == "return"


def test_psk_changed_on_one_side_breaks_every_cross_cloud_pair():
    snap = walkthrough1()
    snap["alicloud"]["ipsec_connections"][0]["ike"]["psk_hash"] = "psk-hash-bbbb"
    report = r.analyse(snap)
    assert broken_codes(report) == dict.fromkeys(both_ways(AWS_SIDE, ALI_SIDE), causes.PSK_MISMATCH)
    assert report["ipsec_checks"][0]["checks"]["psk"] is False and not report["ipsec_checks"][0]["ok"]
    assert report["ipsec_checks"][0]["problem_codes"] == [causes.PSK_MISMATCH]
    assert "psk-hash" not in json.dumps(report["ipsec_checks"][0]["problems"])


def test_phase1_without_common_proposal_breaks_every_cross_cloud_pair():
    snap = walkthrough1()
    snap["alicloud"]["ipsec_connections"][0]["ike"].update(encryption="aes", integrity="md5", dh_group="group2")
    report = r.analyse(snap)
    assert broken_codes(report) == dict.fromkeys(both_ways(AWS_SIDE, ALI_SIDE), causes.PROPOSAL_MISMATCH)
    assert report["ipsec_checks"][0]["problem_codes"] == [causes.PROPOSAL_MISMATCH]
    assert report["ipsec_checks"][0]["checks"]["phase1"] is False
    assert report["ipsec_checks"][0]["checks"]["phase2"] is True


def test_missing_subnet_route_on_one_aws_vpc_breaks_only_its_pairs_to_that_network():
    snap = walkthrough1()
    routes = snap["aws"]["vpcs"][1]["route_tables"][0]["routes"]
    routes[:] = [x for x in routes if x["destination"] != "10.0.0.0/8"]
    report = r.analyse(snap)
    assert broken_codes(report) == {(B, T): causes.NO_ROUTE, (T, B): causes.NO_ROUTE}
    assert pair(report, B, T)["broken_hop"]["element"] == "vpc-b"
    assert pair(report, T, B)["broken_hop"]["direction"] == "return"


def test_ike_version_mismatch_and_outside_ip_mismatch():
    snap = walkthrough1()
    snap["alicloud"]["ipsec_connections"][0]["ike"]["version"] = "ikev1"
    assert broken_codes(r.analyse(snap)) == dict.fromkeys(both_ways(AWS_SIDE, ALI_SIDE), causes.IKE_VERSION_MISMATCH)
    snap = walkthrough1()
    snap["aws"]["customer_gateways"][0]["ip"] = "198.51.100.99"
    report = r.analyse(snap)
    assert broken_codes(report) == dict.fromkeys(both_ways(AWS_SIDE, ALI_SIDE), causes.OUTSIDE_IP_MISMATCH)
    assert report["ipsec_checks"][0]["checks"]["outside_ips"] is False


def test_selectors_filter_sources_and_destinations():
    snap = walkthrough1()
    snap["alicloud"]["ipsec_connections"][0]["remote_subnets"] = ["172.16.0.0/16"]  # VPC B left out
    report = r.analyse(snap)
    # toward B: the Alibaba side has no IPsec connection for it; from B: its address is outside the selectors
    assert broken_codes(report) == {(T, B): causes.DESTINATION_NOT_IN_SELECTORS, (BJ, B): causes.DESTINATION_NOT_IN_SELECTORS,
                                    (B, T): causes.SOURCE_NOT_IN_SELECTORS, (B, BJ): causes.SOURCE_NOT_IN_SELECTORS}
    assert pair(report, B, T)["broken_hop"]["element"] == "vco-1"


def test_walkthrough2_peering_and_router_interface_route_removed():
    report = r.analyse(walkthrough2())
    assert report["reachable_count"] == 2, broken_pairs(report)
    hops = report["pairs"][0]["hops"]
    assert any(h["kind"] == "peering" for h in hops)
    snap = walkthrough2()
    snap["alicloud"]["vpcs"][1]["route_tables"][0]["routes"] = []
    report = r.analyse(snap)
    assert broken_codes(report) == {("tokyo-a", "svalley-b"): causes.NO_ROUTE, ("svalley-b", "tokyo-a"): causes.NO_ROUTE}
    assert pair(report, "svalley-b", "tokyo-a")["broken_hop"]["element"] == "vpc-sb"
    assert pair(report, "tokyo-a", "svalley-b")["broken_hop"]["direction"] == "return"


def test_router_interface_not_active():
    snap = walkthrough2()
    snap["alicloud"]["router_interfaces"][1]["status"] = "Inactive"
    report = r.analyse(snap)
    # from B its own interface is down; from A the opposite one is
    assert broken_codes(report) == {("svalley-b", "tokyo-a"): causes.RI_NOT_ACTIVE,
                                    ("tokyo-a", "svalley-b"): causes.RI_NOT_PAIRED}
    assert pair(report, "svalley-b", "tokyo-a")["broken_hop"]["element"] == "ri-b"


# --- overlaps, blackholes, loops, asymmetry ---------------------------------------------------------------------------

def test_overlapping_cidrs_among_connected_networks():
    snap = walkthrough1()
    snap["alicloud"]["vpcs"][1]["cidrs"] = ["172.17.0.0/16"]
    snap["alicloud"]["vpcs"][1]["vswitches"][0]["cidr"] = "172.17.5.0/24"
    report = r.analyse(snap, probes=[{"name": "x", "ip": "172.16.0.132"}])
    assert len(report["overlaps"]) == 1 and report["overlaps"][0]["code"] == causes.OVERLAPPING_CIDRS
    assert {report["overlaps"][0]["a_cidr"], report["overlaps"][0]["b_cidr"]} == {"172.17.0.0/16"}
    assert {report["overlaps"][0]["a"], report["overlaps"][0]["b"]} == {
        "AWS VPC vpc-b (vpc-b, us-east-1)", "Alibaba VPC beijing-vpc (vpc-beijing, cn-beijing)"}
    # unconnected VPCs may overlap freely
    snap["alicloud"]["cens"][0]["attachments"].pop()
    assert r.analyse(snap, probes=[])["overlaps"] == []


def test_blackhole_routes_reported_and_break_their_pairs():
    snap = walkthrough1()
    route = snap["aws"]["transit_gateways"][0]["route_tables"][0]["routes"][3]
    assert route["destination"] == "192.168.0.0/16"
    route["state"] = "blackhole"
    route["attachment_id"] = None
    report = r.analyse(snap)
    assert [(b["destination"], b["code"]) for b in report["blackholes"]] == [("192.168.0.0/16", causes.BLACKHOLE)]
    assert broken_codes(report) == dict.fromkeys(both_ways([BJ], AWS_SIDE), causes.BLACKHOLE)


def test_routing_loop_is_reported_not_followed_forever():
    snap = walkthrough2()
    # A sends 192.168/16 to B, B sends it back to A (its own vSwitch is only /24)
    snap["alicloud"]["vpcs"][1]["route_tables"][0]["routes"].append(
        {"destination": "192.168.128.0/17", "type": "Custom", "next_hop_type": "RouterInterface", "next_hop_id": "ri-b"})
    report = r.analyse(snap, probes=snap["probes"] + [{"name": "nowhere", "ip": "192.168.200.1", "vpc": "vpc-sb"}])
    assert [(u["probe"], u["code"]) for u in report["unplaced"]] == [("nowhere", causes.PROBE_UNPLACED)]
    assert broken_codes(report)[("nowhere", "tokyo-a")] == causes.PROBE_UNPLACED
    engine = r.Engine(snap)
    t = engine.trace(("ali-rtb", "vtb-a"), r.ip_int("192.168.200.1"))
    assert not t.ok and t.broken["code"] == causes.LOOP and t.broken["element"] == "vtb-a"


def test_asymmetric_paths_are_flagged():
    snap = walkthrough1()
    # a second, direct route from Beijing: CEN would say tokyo, but give Beijing its own VPN gateway path
    snap["alicloud"]["vpn_gateways"].append({"id": "vpn-gw2", "vpc_id": "vpc-beijing", "public_ip": "198.51.100.8"})
    snap["alicloud"]["customer_gateways"].append({"id": "cgw-aws2", "ip": AWS_TUNNEL_2})
    conn = copy.deepcopy(snap["alicloud"]["ipsec_connections"][0])
    conn.update(id="vco-2", vpn_gateway_id="vpn-gw2", customer_gateway_id="cgw-aws2")
    snap["alicloud"]["ipsec_connections"].append(conn)
    snap["aws"]["customer_gateways"].append({"id": "cgw-2", "ip": "198.51.100.8"})
    snap["aws"]["vpn_connections"].append({
        "id": "vpn-2", "state": "available", "tgw_id": "tgw-1", "attachment_id": "att-vpn2", "customer_gateway_id": "cgw-2",
        "tunnels": [dict(snap["aws"]["vpn_connections"][0]["tunnels"][0], outside_ip=AWS_TUNNEL_2)]})
    snap["aws"]["tgw_attachments"].append({"id": "att-vpn2", "tgw_id": "tgw-1", "type": "vpn", "resource_id": "vpn-2"})
    snap["aws"]["transit_gateways"][0]["route_tables"][0]["associations"].append("att-vpn2")
    snap["alicloud"]["vpcs"][1]["route_tables"][0]["routes"].append(
        {"destination": "172.16.0.0/12", "type": "Custom", "next_hop_type": "VpnGateway", "next_hop_id": "vpn-gw2"})
    report = r.analyse(snap)
    assert report["reachable_count"] == 12, broken_pairs(report)
    asym = {(p["from"], p["to"]) for p in report["asymmetric"]}
    assert (BJ, A) in asym and (A, BJ) in asym and (T, A) not in asym
    assert {p["code"] for p in report["asymmetric"]} == {causes.ASYMMETRIC_PATH}
    assert causes.ASYMMETRIC_PATH in causes.WARNINGS


def test_required_pairs_and_validation():
    snap = walkthrough1()
    snap["alicloud"]["cens"][0]["published_routes"][0]["publish_status"] = "NonPublished"
    report = r.analyse(snap, required=[[T, A], [BJ, A]])
    assert [(b["from"], b["to"], b["cause_code"]) for b in report["broken_required"]] == [
        (BJ, A, causes.CEN_ROUTE_NOT_PUBLISHED)]
    assert {b["cause_code"] for b in report["broken"]} == {causes.CEN_ROUTE_NOT_PUBLISHED}
    with pytest.raises(ValueError, match="unknown probe"):
        r.analyse(snap, required=[["nope", A]])


def test_ambiguous_probe_needs_its_vpc():
    snap = walkthrough2()
    snap["alicloud"]["vpcs"][1]["cidrs"] = ["172.16.0.0/16"]
    snap["alicloud"]["vpcs"][1]["vswitches"][0]["cidr"] = "172.16.0.0/24"
    report = r.analyse(snap, probes=[{"name": "x", "ip": "172.16.0.41"}, {"name": "y", "ip": "172.16.0.41", "vpc": "vpc-sb"}])
    assert [(u["probe"], u["code"]) for u in report["unplaced"]] == [("x", causes.PROBE_UNPLACED)]
    assert broken_codes(report) == {("x", "y"): causes.PROBE_UNPLACED, ("y", "x"): causes.PROBE_UNPLACED}


def test_normalisers():
    """The engine compares both clouds' names through ipsec.py's neutral names."""
    assert ipsec.canonical_encryption("aes") == "aes128" and ipsec.canonical_encryption("AES256-GCM-16") == "aes256-gcm16"
    assert ipsec.canonical_integrity("SHA2-256") == "sha256" and ipsec.canonical_dh_group("group14") == 14
    assert ipsec.canonical_dh_group("disabled") == 0 and ipsec.canonical_ike_version("IKEv2") == "ikev2"


# --- more breakages, one cause code each --------------------------------------------------------------------------

def _vpn(snap):
    return snap["aws"]["vpn_connections"][0]


def _tgw_table(snap):
    return snap["aws"]["transit_gateways"][0]["route_tables"][0]


def _attachment(snap, att_id):
    return next(a for a in snap["aws"]["tgw_attachments"] if a["id"] == att_id)


CROSS = both_ways(AWS_SIDE, ALI_SIDE)


@pytest.mark.parametrize("name, breakage, expected", [
    ("tunnel reported down", lambda s: _vpn(s)["tunnels"][0].update(status="DOWN", status_message="no IKE reply"),
     dict.fromkeys(CROSS, causes.TUNNEL_DOWN)),
    ("Alibaba connection not established",
     lambda s: s["alicloud"]["ipsec_connections"][0].update(status="ike_sa_not_established"),
     dict.fromkeys(CROSS, causes.TUNNEL_DOWN)),
    ("VPN connection pending", lambda s: _vpn(s).update(state="pending"), dict.fromkeys(CROSS, causes.VPN_NOT_AVAILABLE)),
    ("identity", lambda s: s["alicloud"]["ipsec_connections"][0]["ike"].update(local_id="tokyo-gw"),
     dict.fromkeys(CROSS, causes.IDENTITY_MISMATCH)),
    ("phase-1 lifetime", lambda s: s["alicloud"]["ipsec_connections"][0]["ike"].update(lifetime=86400),
     dict.fromkeys(CROSS, causes.LIFETIME_OUT_OF_RANGE)),
    ("VPN attachment not associated", lambda s: _tgw_table(s)["associations"].remove("att-vpn"),
     dict.fromkeys(CROSS, causes.TGW_ASSOCIATION_MISSING)),
    ("VPC B's attachment deleting", lambda s: _attachment(s, "att-b").update(state="deleting"),
     dict([((B, x), causes.TGW_ATTACHMENT_MISSING) for x in (A, T, BJ)]
          + [((x, B), causes.ATTACHMENT_NOT_AVAILABLE) for x in (A, T, BJ)])),
    ("Tokyo route to a VPN gateway that is gone",
     lambda s: s["alicloud"]["vpcs"][0]["route_tables"][0]["routes"][0].update(next_hop_id="vpn-gone"),
     dict.fromkeys(CROSS, causes.NEXT_HOP_MISSING)),
    ("VPC A sends Alibaba traffic to an internet gateway",
     lambda s: [x.update(target_type="gateway", target_id="igw-1") for x in s["aws"]["vpcs"][0]["route_tables"][0]["routes"]
                if x["destination"] == "10.0.0.0/8"],
     {(A, T): causes.UNSUPPORTED_TARGET, (T, A): causes.UNSUPPORTED_TARGET}),
    ("Beijing detached from CEN", lambda s: s["alicloud"]["cens"][0]["attachments"].pop(),
     {**dict.fromkeys(both_ways([BJ], AWS_SIDE), causes.NO_ROUTE), (BJ, T): causes.CEN_NOT_ATTACHED,
      (T, BJ): causes.NO_ROUTE}),
])
def test_each_breakage_has_its_cause_code_on_exactly_its_pairs(name, breakage, expected):
    snap = walkthrough1()
    breakage(snap)
    report = r.analyse(snap)
    assert broken_codes(report) == expected, name


def test_alibaba_route_to_a_missing_next_hop_is_a_listed_blackhole():
    snap = walkthrough1()
    snap["alicloud"]["vpcs"][0]["route_tables"][0]["routes"][0]["next_hop_id"] = "vpn-gone"
    report = r.analyse(snap)
    assert [(b["cloud"], b["target"], b["code"]) for b in report["blackholes"]] == [
        ("alicloud", "vpn-gone", causes.NEXT_HOP_MISSING)]


# --- extension points ----------------------------------------------------------------------------------------------

def test_a_new_routing_domain_kind_and_next_hop_plug_in(monkeypatch):
    """How an extension plugs in: a table builder, a step, a next-hop handler (a made-up "router" kind)."""
    from ansible_collections.multicloud.transit.plugins.module_utils import reachability_steps as steps
    from ansible_collections.multicloud.transit.plugins.module_utils import reachability_tables as tables
    from ansible_collections.multicloud.transit.plugins.module_utils.reachability_trace import fail, hop

    snap = walkthrough2()
    # svalley-b reaches tokyo-a through a made-up router "xr-1" instead of its router interface
    snap["alicloud"]["vpcs"][1]["route_tables"][0]["routes"] = [
        {"destination": "172.16.0.0/24", "type": "Custom", "next_hop_type": "MadeUpRouter", "next_hop_id": "xr-1"}]
    snap["alicloud"]["made_up_routers"] = [{"id": "xr-1", "routes": [{"destination": "172.16.0.0/16",
                                                                       "vpc_id": "vpc-ta"}]}]

    def build_xr_tables(routing, index):
        for xr in index.ali.get("made_up_routers") or []:
            table = tables.Table()
            for route in xr["routes"]:
                index.remember(route["destination"])
                table.add(route["destination"], route)
            routing.add(("xr-rtb", xr["id"]), table, "made-up router %s" % xr["id"])

    def step_xr(t, domain, label, route, dst_ip, cls, stack):
        if route is None:
            return fail([], label, causes.NO_ROUTE, "%s has no route" % label, element=domain[1])
        vpc = t.index.ali_vpcs[route["vpc_id"]]
        return t.follow([hop(label, route["destination"], vpc["id"], "to VPC", "xr-rtb")], (), (domain[1],),
                        ("ali-rtb", t.index.system_table_id(vpc)), dst_ip, cls, stack)

    def to_made_up_router(t, hops, xr_id, dst_ip, cls, stack, vpc_id):
        assert vpc_id == "vpc-sb"  # the VPC whose route led here
        return t.follow(hops, (), (xr_id,), ("xr-rtb", xr_id), dst_ip, cls, stack)

    monkeypatch.setitem(steps.ALI_NEXT_HOPS, "MadeUpRouter", to_made_up_router)
    engine = r.Engine(snap, steps=dict(steps.STEPS, **{"xr-rtb": step_xr}),
                      table_builders=tables.TABLE_BUILDERS + [build_xr_tables])
    t = engine.trace(("ali-rtb", "vtb-b"), r.ip_int("172.16.0.41"))
    assert t.ok and [h["kind"] for h in t.hops] == ["ali-rtb", "xr-rtb", "ali-rtb"]
    # without its step the kind is reported, not followed blindly
    engine = r.Engine(snap, table_builders=tables.TABLE_BUILDERS + [build_xr_tables])
    t = engine.trace(("ali-rtb", "vtb-b"), r.ip_int("172.16.0.41"))
    assert not t.ok and t.broken["code"] == causes.UNKNOWN_DOMAIN


# --- the cause codes -------------------------------------------------------------------------------------------------

def test_cause_codes_are_defined_once_and_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reachability.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", doc, re.MULTILINE))
    assert documented == set(causes.CAUSES), "docs/reachability.md and reachability_causes.CAUSES differ"
    for code, meaning in causes.CAUSES.items():
        assert re.match(r"^[a-z][a-z0-9_]+$", code) and meaning and "\n" not in meaning
        assert getattr(causes, code.upper()) == code
    assert causes.WARNINGS < set(causes.CAUSES)
