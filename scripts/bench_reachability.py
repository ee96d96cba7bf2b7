#!/usr/bin/env python3
"""Benchmark the reachability engine: 500 VPCs, 1,000 probes, every ordered pair (999,000).

usage: scripts/bench_reachability.py [--vpcs 500] [--probes-per-vpc 2] [--hops] [--enterprise]

The synthetic world (everything reachable, so every trace walks its full path):
- AWS: 5 Transit Gateways with 50 VPCs each (172.(16+t).(4k).0/22), TGW 0 peered with the
  other four, each TGW with a VPN attachment to its own Alibaba hub VPC.
- Alibaba: 2 CENs, 125 VPCs each (10.0.0.0/9 and 10.128.0.0/9); hubs publish the AWS
  block behind their tunnel; one exchange VPC per CEN, joined by router interfaces, carries
  traffic between the two CENs.
- ``--enterprise``: the Alibaba side as it is built today instead: one Enterprise transit router
  per half (Tokyo, Beijing) joined by an inter-region connection, every VPC attached and routing
  10.0.0.0/8 and 172.16.0.0/12 to its own connection; each router learns its VPCs' vSwitches and
  routes each AWS block to its hub VPC (whose VPN gateway tunnel carries it).
Prints timings only; no assertion (the Makefile's `bench` target may call it).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_engine():
    """This checkout's engine (its modules import each other as ansible_collections.multicloud.transit)."""
    sys.path.insert(0, os.path.join(ROOT, ".collections"))  # `make collection` links the checkout there
    return importlib.import_module("ansible_collections.multicloud.transit.plugins.module_utils.reachability")


TUNNEL = dict(status="UP", psk_hash="h", ike_versions=["ikev2"],
              phase1={"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14]},
              phase2={"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14]})
IKE = {"version": "ikev2", "encryption": "aes256", "integrity": "sha256", "dh_group": "group14", "psk_hash": "h"}
IPSEC = {"encryption": "aes256", "integrity": "sha256", "dh_group": "group14"}


def synthesise(total_vpcs=500, per_vpc=2):
    tgws_n, cens_n = 5, 2
    aws_n = total_vpcs // 2
    ali_n = total_vpcs - aws_n
    per_tgw = aws_n // tgws_n
    aws = {"vpcs": [], "transit_gateways": [], "tgw_attachments": [], "vpn_connections": [], "customer_gateways": []}
    ali = {"vpcs": [], "cens": [], "vpn_gateways": [], "customer_gateways": [], "ipsec_connections": [],
           "router_interfaces": []}
    probes = []
    per_cen = ali_n // cens_n
    hubs = {0: 0, 1: 1, 2: 2, 3: per_cen, 4: per_cen + 1}       # TGW -> Alibaba hub VPC index
    exchange = {0: 3, 1: per_cen + 2}                           # CEN -> exchange VPC index

    def ali_block(idx):
        return idx if idx < per_cen else idx - per_cen + 128

    # AWS
    for t in range(tgws_n):
        tgw_id = "tgw-%d" % t
        table = {"id": "tgw-rtb-%d" % t, "associations": [], "propagations": [], "routes": []}
        aws["transit_gateways"].append({"id": tgw_id, "name": "hub-%d" % t, "region": "us-east-1", "route_tables": [table]})
        for k in range(per_tgw):
            vpc_id = "vpc-%d-%d" % (t, k)
            cidr = "172.%d.%d.0/22" % (16 + t, 4 * k)
            sub = "172.%d.%d.0/24" % (16 + t, 4 * k)
            rtb = "rtb-%d-%d" % (t, k)
            aws["vpcs"].append({"id": vpc_id, "name": "aws-%d-%d" % (t, k), "region": "us-east-1", "cidrs": [cidr],
                                "subnets": [{"id": "subnet-%d-%d" % (t, k), "cidr": sub, "route_table_id": rtb}],
                                "route_tables": [{"id": rtb, "routes": [
                                    {"destination": cidr, "target_type": "local", "target_id": "local"},
                                    {"destination": "172.16.0.0/12", "target_type": "transit_gateway", "target_id": tgw_id},
                                    {"destination": "10.0.0.0/8", "target_type": "transit_gateway", "target_id": tgw_id}]}]})
            att = "att-%d-%d" % (t, k)
            aws["tgw_attachments"].append({"id": att, "tgw_id": tgw_id, "type": "vpc", "resource_id": vpc_id})
            table["associations"].append(att)
            table["propagations"].append(att)   # the engine derives the propagated routes
            for n in range(per_vpc):
                probes.append({"name": "aws-%d-%d-%d" % (t, k, n), "ip": "172.%d.%d.%d" % (16 + t, 4 * k, 10 + n)})
        vpn_att = "att-vpn-%d" % t
        aws["tgw_attachments"].append({"id": vpn_att, "tgw_id": tgw_id, "type": "vpn", "resource_id": "vpn-%d" % t})
        table["associations"].append(vpn_att)
        table["routes"].append({"destination": "10.0.0.0/8", "type": "static", "attachment_id": vpn_att})
        aws["customer_gateways"].append({"id": "cgw-%d" % t, "ip": "198.51.100.%d" % (10 + t)})
        aws["vpn_connections"].append({"id": "vpn-%d" % t, "tgw_id": tgw_id, "attachment_id": vpn_att,
                                       "customer_gateway_id": "cgw-%d" % t,
                                       "tunnels": [dict(TUNNEL, outside_ip="203.0.113.%d" % (10 + 2 * t)),
                                                   dict(TUNNEL, outside_ip="203.0.113.%d" % (11 + 2 * t), status="DOWN")]})
    tables = dict((t["id"], t) for tgw in aws["transit_gateways"] for t in tgw["route_tables"])
    for t in range(1, tgws_n):
        peer = "att-peer-0-%d" % t
        aws["tgw_attachments"].append({"id": peer, "tgw_id": "tgw-0", "type": "peering", "peer_tgw_id": "tgw-%d" % t})
        tables["tgw-rtb-0"]["associations"].append(peer)
        tables["tgw-rtb-%d" % t]["associations"].append(peer)
        tables["tgw-rtb-0"]["routes"].append({"destination": "172.%d.0.0/16" % (16 + t), "type": "static", "attachment_id": peer})
        tables["tgw-rtb-%d" % t]["routes"].append({"destination": "172.16.0.0/12", "type": "static", "attachment_id": peer})
    # Alibaba
    for c in range(cens_n):
        ali["cens"].append({"id": "cen-%d" % c, "name": "cen-%d" % c, "attachments": [], "published_routes": []})
    for idx in range(ali_n):
        c = 0 if idx < per_cen else 1
        block = ali_block(idx)
        vpc_id = "vpc-ali-%d" % idx
        routes = []
        for t, hub in hubs.items():
            if hub == idx:
                gw = "vpn-gw-%d" % t
                aws_block = "172.%d.0.0/16" % (16 + t)
                ali["vpn_gateways"].append({"id": gw, "vpc_id": vpc_id, "public_ip": "198.51.100.%d" % (10 + t)})
                ali["customer_gateways"].append({"id": "cgw-ali-%d" % t, "ip": "203.0.113.%d" % (10 + 2 * t)})
                ali["ipsec_connections"].append({"id": "vco-%d" % t, "vpn_gateway_id": gw, "customer_gateway_id": "cgw-ali-%d" % t,
                                                 "status": "ipsec_sa_established", "local_subnets": ["0.0.0.0/0"],
                                                 "remote_subnets": [aws_block], "ike": IKE, "ipsec": IPSEC})
                routes.append({"destination": aws_block, "type": "Custom", "next_hop_type": "VpnGateway", "next_hop_id": gw})
        if exchange[c] == idx:
            ri, other = "ri-%d" % c, "ri-%d" % (1 - c)
            ali["router_interfaces"].append({"id": ri, "status": "Active", "router_id": "vrt-%d" % idx,
                                             "opposite_interface_id": other})
            far = [t for t, hub in hubs.items() if (hub < per_cen) != (c == 0)]
            for dest in ["10.128.0.0/9" if c == 0 else "10.0.0.0/9"] + ["172.%d.0.0/16" % (16 + t) for t in far]:
                routes.append({"destination": dest, "type": "Custom", "next_hop_type": "RouterInterface", "next_hop_id": ri})
        ali["vpcs"].append({"id": vpc_id, "name": "ali-%d" % idx, "region": "cn-beijing" if c else "ap-northeast-1",
                            "cidrs": ["10.%d.0.0/16" % block], "router_id": "vrt-%d" % idx,
                            "vswitches": [{"id": "vsw-%d" % idx, "cidr": "10.%d.0.0/24" % block, "route_table_id": "vtb-%d" % idx}],
                            "route_tables": [{"id": "vtb-%d" % idx, "type": "System", "routes": routes}]})
        cen = ali["cens"][c]
        cen["attachments"].append({"instance_id": vpc_id, "instance_type": "VPC", "status": "Attached"})
        for r in routes:
            cen["published_routes"].append({"vpc_id": vpc_id, "destination": r["destination"], "publish_status": "Published"})
        for n in range(per_vpc):
            probes.append({"name": "ali-%d-%d" % (idx, n), "ip": "10.%d.0.%d" % (block, 10 + n)})
    return {"aws": aws, "alicloud": ali, "probes": probes}


def enterprise(snapshot):
    """The Alibaba half of ``synthesise``'s world rebuilt on two Enterprise transit routers (see the docstring)."""
    ali = snapshot["alicloud"]
    halves = {}   # CEN id -> its VPCs (the half of the Alibaba side a transit router takes)
    for cen in ali["cens"]:
        halves[cen["id"]] = [a["instance_id"] for a in cen["attachments"]]
    vpcs = dict((v["id"], v) for v in ali["vpcs"])
    hub_of_block = dict((c["remote_subnets"][0], g["vpc_id"]) for c in ali["ipsec_connections"]
                        for g in ali["vpn_gateways"] if g["id"] == c["vpn_gateway_id"])
    routers, attachments = [], [{"id": "tr-peer", "kind": "peer", "tr_id": "tr-0", "peer_tr_id": "tr-1",
                                 "bandwidth_type": "DataTransfer"}]
    learned = {}
    for n, (cen_id, members) in enumerate(sorted(halves.items())):
        tr_id = "tr-%d" % n
        routes = learned.setdefault(tr_id, [])
        for vpc_id in members:
            att = "tr-att-%s" % vpc_id
            attachments.append({"id": att, "kind": "vpc", "tr_id": tr_id, "vpc_id": vpc_id})
            vpc = vpcs[vpc_id]
            own = [r for r in vpc["route_tables"][0]["routes"] if r["next_hop_type"] == "VpnGateway"]
            vpc["route_tables"][0]["routes"] = own + [
                {"destination": d, "type": "Custom", "next_hop_type": "Attachment", "next_hop_id": att}
                for d in ("10.0.0.0/8", "172.16.0.0/12")]
            routes.extend({"destination": v["cidr"], "type": "Propagated", "next_hop_type": "Attachment",
                           "next_hop_id": att, "vpc": vpc_id} for v in vpc["vswitches"])
    for tr_id, routes in learned.items():
        other = [r for t, rs in learned.items() if t != tr_id for r in rs]
        table = routes + [dict(r, next_hop_id="tr-peer") for r in other]
        for block, hub in sorted(hub_of_block.items()):
            local = any(r.get("vpc") == hub for r in routes)
            table.append({"destination": block, "type": "Static", "next_hop_type": "Attachment",
                          "next_hop_id": "tr-att-%s" % hub if local else "tr-peer"})
        routers.append({"id": tr_id, "cen_id": "cen-e", "region": "r-%s" % tr_id, "route_tables": [{
            "id": "trt-%s" % tr_id, "associations": [a["id"] for a in attachments if a.get("tr_id") == tr_id
                                                     or a["kind"] == "peer"], "routes": table}]})
    ali.update(cens=[], router_interfaces=[], transit_routers=routers, tr_attachments=attachments)
    return snapshot


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vpcs", type=int, default=500)
    parser.add_argument("--probes-per-vpc", type=int, default=2)
    parser.add_argument("--hops", action="store_true", help="keep the hop lists in every pair (more memory)")
    parser.add_argument("--enterprise", action="store_true",
                        help="the Alibaba side on Enterprise transit routers (today's build) instead of Basic CENs")
    parser.add_argument("--break-cen", action="store_true",
                        help="withdraw hub 0's route from CEN 0, so a quarter of the pairs break and need causes")
    args = parser.parse_args()
    engine = load_engine()
    t0 = time.perf_counter()
    snapshot = synthesise(args.vpcs, args.probes_per_vpc)
    if args.enterprise:
        snapshot = enterprise(snapshot)
    if args.break_cen:
        for route in snapshot["alicloud"]["cens"][0]["published_routes"]:
            if route["vpc_id"] == "vpc-ali-0":
                route["publish_status"] = "NonPublished"
    t1 = time.perf_counter()
    report = engine.analyse(snapshot, with_hops=args.hops)
    t2 = time.perf_counter()
    pairs = report["pair_count"]
    print("snapshot: %d VPCs (%d AWS, %d Alibaba), %d TGWs, %d CENs, %d transit routers, %d VPN connections, "
          "%d probes (built in %.2fs)" % (
              len(snapshot["aws"]["vpcs"]) + len(snapshot["alicloud"]["vpcs"]), len(snapshot["aws"]["vpcs"]),
              len(snapshot["alicloud"]["vpcs"]), len(snapshot["aws"]["transit_gateways"]),
              len(snapshot["alicloud"]["cens"]), len(snapshot["alicloud"].get("transit_routers") or []),
              len(snapshot["aws"]["vpn_connections"]), len(snapshot["probes"]), t1 - t0))
    print("analyse: %d ordered pairs in %.2fs (%.0f pairs/s); reachable %d, broken %d, overlaps %d" % (
        pairs, t2 - t1, pairs / max(t2 - t1, 1e-9), report["reachable_count"], len(report["broken"]),
        len(report["overlaps"])))
    if report["broken"]:
        print("first broken pair: %s -> %s: %s" % (report["broken"][0]["from"], report["broken"][0]["to"],
                                                   report["broken"][0]["cause"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
