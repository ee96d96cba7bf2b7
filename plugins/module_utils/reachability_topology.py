# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: what connects to what (components), overlapping CIDRs among connected VPCs, and the
nodes and links of the topology picture.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_tables import net


def components(index, ipsec_checks):
    """VPC keys grouped by what connects them (attachments, CEN, VPN bridges, peerings)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a, b):
        parent[find(a)] = find(b)

    for vpc_id in index.aws_vpcs:
        find(("aws", vpc_id))
    for vpc_id in index.ali_vpcs:
        find(("ali", vpc_id))
    for att in index.attachments.values():
        if att.get("type") == "vpc" and att.get("resource_id") in index.aws_vpcs:
            union(("aws", att["resource_id"]), ("tgw", att["tgw_id"]))
        if att.get("type") == "peering":
            peer = att.get("peer_tgw_id") or att.get("resource_id")
            if peer:
                union(("tgw", att["tgw_id"]), ("tgw", peer))
    for vpc_id, cens in index.vpc_cens.items():
        for cen in cens:
            union(("ali", vpc_id), ("cen", cen))
    for check in ipsec_checks:
        vpn = index.vpns.get(check.get("aws_vpn_connection_id")) or {}
        gw = index.vpn_gws.get(check.get("alicloud_vpn_gateway_id")) or {}
        if vpn.get("tgw_id") and gw.get("vpc_id"):
            union(("tgw", vpn["tgw_id"]), ("ali", gw["vpc_id"]))
    for ri in index.ris.values():
        opp = index.ris.get(ri.get("opposite_interface_id"))
        if opp and ri.get("vpc_id") and opp.get("vpc_id"):
            union(("ali", ri["vpc_id"]), ("ali", opp["vpc_id"]))
    for att in index.tr_attachments.values():
        if att.get("kind") == "vpc" and att.get("vpc_id"):
            union(("ali", att["vpc_id"]), ("tr", att.get("tr_id")))
        elif att.get("kind") == "peer":
            union(("tr", att.get("tr_id")), ("tr", att.get("peer_tr_id")))
    for check in ipsec_checks:
        vpn = index.vpns.get(check.get("aws_vpn_connection_id")) or {}
        att = index.tr_vpn_attachment.get(check.get("alicloud_ipsec_connection_id"))
        if vpn.get("tgw_id") and att is not None:
            union(("tgw", vpn["tgw_id"]), ("tr", att.get("tr_id")))
    for conn in index.vpc_peers.values():
        if conn.get("vpc_id") and conn.get("accepting_vpc_id"):
            union(("ali", conn["vpc_id"]), ("ali", conn["accepting_vpc_id"]))
    groups = {}
    for node in list(parent):
        if node[0] in ("aws", "ali"):
            groups.setdefault(find(node), []).append(node)
    return list(groups.values())


def overlaps(index, ipsec_checks):
    """Overlapping CIDRs among VPCs that are connected to each other (sweep over intervals)."""
    out = []
    for group in components(index, ipsec_checks):
        if len(group) < 2:
            continue
        intervals = []
        for vkey in group:
            vpc = index.vpc(vkey)
            for cidr in vpc.get("cidrs") or []:
                length, value = net(cidr)
                intervals.append((value, value + (1 << (32 - length)) - 1, cidr, vkey))
        intervals.sort()
        active = []
        for start, end, cidr, vkey in intervals:
            active = [a for a in active if a[1] >= start]
            for a in active:
                if a[3] != vkey:
                    out.append({"a": index.vpc_label(a[3]), "a_cidr": a[2], "b": index.vpc_label(vkey), "b_cidr": cidr,
                                "code": causes.OVERLAPPING_CIDRS,
                                "message": "%s (%s) overlaps %s (%s): traffic between connected networks becomes "
                                           "ambiguous; renumber one or stop connecting them"
                                           % (index.vpc_short(a[3]), a[2], index.vpc_short(vkey), cidr)})
            active.append((start, end, cidr, vkey))
    return out


def link_warnings(index):
    """Warnings about links that work but cannot carry real traffic: inter-region connections on the test bandwidth."""
    out = []
    for att in sorted(index.tr_attachments.values(), key=lambda a: a["id"]):
        if att.get("kind") != "peer" or att.get("status", "Attached") != "Attached":
            continue
        if att.get("bandwidth_type") != "DataTransfer" and not att.get("bandwidth_package_id"):
            out.append({"code": causes.TEST_BANDWIDTH_ONLY, "element": att["id"],
                        "message": "inter-region connection %s between %s and %s has no bandwidth package: it runs on "
                                   "the 1 Kbps test bandwidth, enough for ping, not for real traffic; give it "
                                   "Bandwidth from a bandwidth package or BandwidthType DataTransfer" % (
                                       att["id"], index.tr_label(att.get("tr_id")),
                                       index.tr_label(att.get("peer_tr_id")))})
    return out


def topology(index, ipsec_checks, blamed=()):
    """Nodes and links for the picture: clouds, hubs, VPCs, bridges (tunnels), peerings.

    A link is ``ok: false`` (drawn red) when its own state is bad or a broken pair blames a
    piece on it (``blamed``: element ids from the first broken hops).
    """
    blamed = set(blamed)
    nodes, links = [], []
    for vpc in index.aws_vpcs.values():
        nodes.append({"id": vpc["id"], "kind": "vpc", "cloud": "aws", "label": vpc.get("name") or vpc["id"],
                      "detail": ",".join(vpc.get("cidrs") or []), "region": vpc.get("region")})
    for vpc in index.ali_vpcs.values():
        nodes.append({"id": vpc["id"], "kind": "vpc", "cloud": "alicloud", "label": vpc.get("name") or vpc["id"],
                      "detail": ",".join(vpc.get("cidrs") or []), "region": vpc.get("region")})
    for tgw in index.tgws.values():
        nodes.append({"id": tgw["id"], "kind": "hub", "cloud": "aws", "label": "TGW " + (tgw.get("name") or tgw["id"]),
                      "detail": tgw.get("region") or "", "region": tgw.get("region")})
    for cen in index.cens.values():
        nodes.append({"id": cen["id"], "kind": "hub", "cloud": "alicloud",
                      "label": "CEN " + (cen.get("name") or cen["id"]), "detail": "global", "region": ""})
    for tr in index.transit_routers.values():
        nodes.append({"id": tr["id"], "kind": "hub", "cloud": "alicloud",
                      "label": "TR " + (tr.get("name") or tr["id"]), "detail": tr.get("region") or "",
                      "region": tr.get("region")})
    for att in sorted(index.tr_attachments.values(), key=lambda a: a["id"]):
        ok = att.get("status", "Attached") == "Attached" and att["id"] not in blamed
        if att.get("kind") == "vpc" and att.get("vpc_id") in index.ali_vpcs:
            ok = ok and (att.get("tr_id"), att["id"]) in index.tr_association
            links.append({"a": att["vpc_id"], "b": att.get("tr_id"), "kind": "attachment", "label": att["id"],
                          "ok": ok and att.get("tr_id") not in blamed})
        elif att.get("kind") == "peer":
            links.append({"a": att.get("tr_id"), "b": att.get("peer_tr_id"), "kind": "peering", "label": att["id"],
                          "ok": ok})
    for conn in sorted(index.vpc_peers.values(), key=lambda c: c["id"]):
        if conn.get("vpc_id") in index.ali_vpcs and conn.get("accepting_vpc_id") in index.ali_vpcs:
            links.append({"a": conn["vpc_id"], "b": conn["accepting_vpc_id"], "kind": "peering", "label": conn["id"],
                          "ok": conn.get("status") in ("Activated", "Updating") and conn["id"] not in blamed})
    for att in index.attachments.values():
        if att.get("type") == "vpc" and att.get("resource_id") in index.aws_vpcs:
            ok = att.get("state", "available") == "available" and (att["tgw_id"], att["id"]) in index.association
            links.append({"a": att["resource_id"], "b": att["tgw_id"], "kind": "attachment", "label": att["id"],
                          "ok": ok and att["id"] not in blamed and att["tgw_id"] not in blamed})
        elif att.get("type") == "peering":
            peer = att.get("peer_tgw_id") or att.get("resource_id")
            links.append({"a": att["tgw_id"], "b": peer, "kind": "peering", "label": att["id"],
                          "ok": att.get("state", "available") == "available" and att["id"] not in blamed})
    for cen in index.cens.values():
        for a in cen.get("attachments") or []:
            if a["instance_id"] in index.ali_vpcs:
                links.append({"a": a["instance_id"], "b": cen["id"], "kind": "attachment", "label": a.get("status", ""),
                              "ok": a.get("status", "Attached") == "Attached" and a["instance_id"] not in blamed
                              and cen["id"] not in blamed})
    for check in ipsec_checks:
        vpn = index.vpns.get(check.get("aws_vpn_connection_id")) or {}
        gw = index.vpn_gws.get(check.get("alicloud_vpn_gateway_id")) or {}
        far = gw.get("vpc_id") or (index.tr_vpn_attachment.get(check.get("alicloud_ipsec_connection_id")) or {}).get(
            "tr_id")
        if vpn.get("tgw_id") and far:
            links.append({"a": vpn["tgw_id"], "b": far, "kind": "bridge",
                          "label": "%s tunnel %s" % (vpn["id"], check.get("tunnel_outside_ip")),
                          "ok": check["ok"] and vpn["id"] not in blamed,
                          "problem": "; ".join(check["problems"]),
                          "code": (check["problem_codes"] or [None])[0]})
    seen = set()
    for ri in index.ris.values():
        opp = index.ris.get(ri.get("opposite_interface_id"))
        pair = tuple(sorted((ri["id"], ri.get("opposite_interface_id") or "?")))
        if pair in seen:
            continue
        seen.add(pair)
        if ri.get("vpc_id") and opp and opp.get("vpc_id"):
            ok = ri.get("status") == "Active" and opp.get("status") == "Active" \
                and opp.get("opposite_interface_id") == ri["id"] and not (set(pair) & blamed)
            links.append({"a": ri["vpc_id"], "b": opp["vpc_id"], "kind": "peering", "label": "%s <-> %s" % pair,
                          "ok": ok})
    return {"nodes": nodes, "links": links}
