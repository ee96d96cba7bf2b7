# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: address arithmetic, longest-prefix-match tables and every routing domain's table.

A routing domain is a key ``(kind, id)``; ``RoutingTables`` builds one ``Table`` per domain from
the snapshot index, each with a readable label, and collects the routes that drop traffic
(``blackholes``). What a route value looks like is up to the kind's step (reachability_steps.py):

- ``aws-rtb`` (subnet route tables): ``("aws", route)``; the VPC CIDRs are added as ``local``;
- ``tgw-rtb``: ``("tgw", route)``; propagations of VPC attachments are derived into routes;
- ``ali-rtb`` (VPC route tables): ``("ali", entry)``, vSwitch CIDRs as ``local`` and, in the
  system table of a VPC attached to a CEN, ``("cen", cen_id, learned)`` for what CEN learned;
- ``cen``: ``{"destination", "origin" (VPC id), "kind"}``;
- ``tr-rtb`` (Enterprise transit router route tables): ``("tr", route)`` of the table's Active routes;
- ``vpn-gw`` (a VPN gateway's destination routes): ``("vpn", [entries of one destination, weight 100 first])``.

A new kind plugs in with a builder ``build(routing, index)`` appended to ``TABLE_BUILDERS`` (it
calls ``routing.add(domain, table, label)`` and ``index.remember(cidr)`` for every prefix) and a
step in reachability_steps.STEPS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes

_NET_CACHE = {}
MASKS = [0] + [((1 << 32) - 1) ^ ((1 << (32 - n)) - 1) for n in range(1, 33)]


def net(cidr):
    """'10.0.0.0/8' -> (prefix length, network int); cached. Host bits are cleared."""
    found = _NET_CACHE.get(cidr)
    if found is None:
        n = ipaddress.ip_network(cidr if "/" in cidr else cidr + "/32", strict=False)
        found = (n.prefixlen, int(n.network_address))
        _NET_CACHE[cidr] = found
    return found


def ip_int(ip):
    return int(ipaddress.ip_address(ip))


def contains(cidr, ip_value):
    length, value = net(cidr)
    return ip_value & MASKS[length] == value


def within(inner, outer):
    """True when CIDR ``inner`` lies inside CIDR ``outer``."""
    li, vi = net(inner)
    lo, vo = net(outer)
    return li >= lo and vi & MASKS[lo] == vo


def overlap(a, b):
    la, va = net(a)
    lb, vb = net(b)
    m = MASKS[min(la, lb)]
    return va & m == vb & m


class Table(object):
    """A longest-prefix-match table: routes bucketed by prefix length, lengths longest first."""

    __slots__ = ("by_len", "lengths")

    def __init__(self):
        self.by_len = {}
        self.lengths = []

    def add(self, cidr, route, replace=False):
        length, value = net(cidr)
        bucket = self.by_len.setdefault(length, {})
        if value in bucket and not replace:
            return False
        bucket[value] = route
        if length not in self.lengths:
            self.lengths.append(length)
            self.lengths.sort(reverse=True)
        return True

    def lookup(self, ip_value):
        for length in self.lengths:
            route = self.by_len[length].get(ip_value & MASKS[length])
            if route is not None:
                return route
        return None

    def routes(self):
        return [route for length in self.lengths for route in self.by_len[length].values()]


def _ipv4(destination):
    return bool(destination) and ":" not in destination


class RoutingTables(object):
    """Every routing domain's table and label, the routes that drop traffic, CEN publication states."""

    def __init__(self, index, builders=None):
        self.tables = {}
        self.labels = {}
        self.blackholes = []      # {"cloud", "table", "destination", "target", "code", "reason", "vpc" | "tgw"}
        self.cen_published = {}   # cen id -> {(vpc id, destination): publish status}
        for build in TABLE_BUILDERS if builders is None else builders:
            build(self, index)

    def add(self, domain, table, label):
        self.tables[domain] = table
        self.labels[domain] = label

    def blackhole(self, code, reason, **where):
        self.blackholes.append(dict(where, code=code, reason=reason))


def _routes_table(index, routes, tag):
    """A Table of the IPv4 ``routes``, each as ``(tag, route)``; their destinations are remembered."""
    table = Table()
    for r in routes or []:
        dest = r.get("destination")
        if _ipv4(dest):
            index.remember(dest)
            table.add(dest, (tag, r))
    return table


def build_aws_subnet_tables(routing, index):
    for vpc in index.aws_vpcs.values():
        vkey = ("aws", vpc["id"])
        for rt in vpc.get("route_tables") or []:
            table = _routes_table(index, rt.get("routes"), "aws")
            for r in rt.get("routes") or []:
                if _ipv4(r.get("destination")) and str(r.get("state", "active")).lower() == "blackhole":
                    routing.blackhole(causes.BLACKHOLE, "route %s -> %s in %s is a blackhole (its target is gone)"
                                      % (r["destination"], r.get("target_id"), rt["id"]), cloud="aws", table=rt["id"],
                                      vpc=vpc["id"], destination=r["destination"], target=r.get("target_id"))
            for cidr in vpc.get("cidrs") or []:
                table.add(cidr, ("aws", {"destination": cidr, "target_type": "local", "target_id": "local",
                                         "state": "active"}))
            routing.add(("aws-rtb", rt["id"]), table, "%s route table %s" % (index.vpc_label(vkey), rt["id"]))


def build_tgw_tables(routing, index):
    for tgw in index.tgws.values():
        for rt in tgw.get("route_tables") or []:
            table = _routes_table(index, rt.get("routes"), "tgw")
            for r in rt.get("routes") or []:
                dest, att_id = r.get("destination"), r.get("attachment_id")
                if not _ipv4(dest):
                    continue
                att = index.attachments.get(att_id)
                blackhole = str(r.get("state", "active")).lower() == "blackhole" or r.get("type") == "blackhole"
                if blackhole or not att_id:
                    routing.blackhole(causes.BLACKHOLE, "TGW route %s in %s is a blackhole route" % (dest, rt["id"]),
                                      cloud="aws", table=rt["id"], tgw=tgw["id"], destination=dest, target=att_id)
                elif att is None or att.get("state", "available") != "available":
                    routing.blackhole(causes.ATTACHMENT_NOT_AVAILABLE, "TGW route %s in %s points at attachment %s "
                                      "which is %s" % (dest, rt["id"], att_id, (att or {}).get("state", "gone")),
                                      cloud="aws", table=rt["id"], tgw=tgw["id"], destination=dest, target=att_id)
            for att_id in rt.get("propagations") or []:
                att = index.attachments.get(att_id) or {}
                vpc = index.aws_vpcs.get(att.get("resource_id")) if att.get("type") == "vpc" else None
                for cidr in (vpc or {}).get("cidrs") or []:
                    table.add(cidr, ("tgw", {"destination": cidr, "type": "propagated", "state": "active",
                                             "attachment_id": att_id, "derived": True}))
            label = "TGW %s route table %s" % (tgw.get("name") or tgw["id"], rt["id"])
            routing.add(("tgw-rtb", rt["id"]), table, label)


# Alibaba next-hop kinds -> the index dict that must hold the next hop (else the route is a blackhole).
ALI_NEXT_HOP_KINDS = {"VpnGateway": "vpn_gws", "RouterInterface": "ris", "Attachment": "tr_attachments",
                      "VpcPeer": "vpc_peers"}
# Route entry types a VPC table holds as its own; CEN entries only when a transit router synchronised them
# (next hop Attachment); Basic CEN's learned entries are rebuilt from the CEN's attachments and publish states.
OWN_ENTRY_TYPES = ("Custom", "System", "Static")
SYNCHRONISED_NEXT_HOPS = ("Attachment",)


def _own_entry(r):
    kind = str(r.get("type", "Custom"))
    return kind in OWN_ENTRY_TYPES or (kind == "CEN" and r.get("next_hop_type") in SYNCHRONISED_NEXT_HOPS)


def build_alicloud_tables(routing, index):
    """Own entries of every Alibaba route table (vSwitch CIDRs delivered locally, custom entries)."""
    for vpc in index.ali_vpcs.values():
        vkey = ("ali", vpc["id"])
        system = index.system_table_id(vpc)
        for rt in vpc.get("route_tables") or []:
            table = Table()
            for vsw in vpc.get("vswitches") or []:
                table.add(vsw["cidr"], ("ali", {"destination": vsw["cidr"], "type": "System",
                                                "next_hop_type": "local", "next_hop_id": vsw["id"]}))
            for r in rt.get("routes") or []:
                dest = r.get("destination")
                if not _ipv4(dest) or not _own_entry(r):
                    continue
                if r.get("next_hop_type") in ("local", "service", None, ""):
                    continue
                index.remember(dest)
                table.add(dest, ("ali", r), replace=True)
                kind, hop_id = r.get("next_hop_type"), r.get("next_hop_id")
                if kind in ALI_NEXT_HOP_KINDS and hop_id not in getattr(index, ALI_NEXT_HOP_KINDS[kind]):
                    routing.blackhole(causes.NEXT_HOP_MISSING, "route %s -> %s %s in %s points at a next hop that does "
                                      "not exist" % (dest, kind, hop_id, rt["id"]), cloud="alicloud", table=rt["id"],
                                      vpc=vpc["id"], destination=dest, target=hop_id)
            label = index.vpc_label(vkey)
            if rt["id"] != system:
                label = "%s route table %s" % (label, rt["id"])
            routing.add(("ali-rtb", rt["id"]), table, label)


def build_cen_tables(routing, index):
    """One table per CEN (member vSwitch CIDRs, published entries); learned routes into members' system tables."""
    cen_tables = {}
    for cen in index.cens.values():
        table = Table()
        status = {}
        for p in cen.get("published_routes") or []:
            status[(p.get("vpc_id"), p.get("destination"))] = p.get("publish_status") or "NonPublished"
        routing.cen_published[cen["id"]] = status
        members = [a["instance_id"] for a in cen.get("attachments") or []
                   if a.get("status", "Attached") == "Attached" and a["instance_id"] in index.ali_vpcs]
        for vpc_id in sorted(members):
            vpc = index.ali_vpcs[vpc_id]
            for vsw in vpc.get("vswitches") or []:
                table.add(vsw["cidr"], {"destination": vsw["cidr"], "origin": vpc_id, "kind": "vSwitch"})
            system = index.system_table_id(vpc)
            for rt in vpc.get("route_tables") or []:
                if rt["id"] != system:
                    continue
                for r in rt.get("routes") or []:
                    published = status.get((vpc_id, r.get("destination"))) == "Published"
                    if r.get("type", "Custom") == "Custom" and published:
                        table.add(r["destination"], {"destination": r["destination"], "origin": vpc_id,
                                                     "kind": "%s %s" % (r.get("next_hop_type"), r.get("next_hop_id"))})
        cen_tables[cen["id"]] = table
        routing.add(("cen", cen["id"]), table, "CEN %s" % (cen.get("name") or cen["id"]))
    # learned routes: every CEN route not originating in the VPC; own entries win
    for vpc_id, cen_ids in index.vpc_cens.items():
        vpc = index.ali_vpcs.get(vpc_id)
        own = routing.tables.get(("ali-rtb", index.system_table_id(vpc))) if vpc else None
        if own is None:
            continue
        for cen_id in cen_ids:
            for route in cen_tables.get(cen_id, Table()).routes():
                if route["origin"] != vpc_id:
                    own.add(route["destination"], ("cen", cen_id, route))


def _live_attachment(att):
    return att is not None and att.get("status", "Attached") in ("Attached", "Modifying")


def build_tr_tables(routing, index):
    """One table per Enterprise transit router route table: the Active routes it holds (static and learned)."""
    for table_id, rt in index.tr_tables.items():
        tr_id = index.tr_table_router[table_id]
        table = Table()
        for r in rt.get("routes") or []:
            dest = r.get("destination")
            if not _ipv4(dest) or r.get("status", "Active") != "Active":
                continue
            index.remember(dest)
            table.add(dest, ("tr", r))
            hop_id = r.get("next_hop_id")
            where = dict(cloud="alicloud", table=table_id, transit_router=tr_id, destination=dest, target=hop_id)
            if r.get("next_hop_type") == "BlackHole":
                routing.blackhole(causes.TR_BLACKHOLE, "transit router route %s in %s is a blackhole route"
                                  % (dest, table_id), **where)
            elif not _live_attachment(index.tr_attachments.get(hop_id)):
                routing.blackhole(causes.ATTACHMENT_NOT_AVAILABLE, "transit router route %s in %s points at %s, "
                                  "which is %s" % (dest, table_id, hop_id, (index.tr_attachments.get(hop_id) or {})
                                                   .get("status", "gone")), **where)
        label = "%s route table %s" % (index.tr_label(tr_id), table_id)
        routing.add(("tr-rtb", table_id), table, label)


def build_vpn_gateway_tables(routing, index):
    """One table per VPN gateway: its destination routes (VPN route entries), active before standby."""
    for gw in index.vpn_gws.values():
        by_dest = {}
        for entry in gw.get("route_entries") or []:
            if _ipv4(entry.get("destination")):
                by_dest.setdefault(entry["destination"], []).append(entry)
        table = Table()
        for dest, entries in by_dest.items():
            index.remember(dest)
            table.add(dest, ("vpn", sorted(entries, key=lambda e: -int(e.get("weight") or 0))))
        routing.add(("vpn-gw", gw["id"]), table, "Alibaba VPN gateway %s (%s) destination routes"
                    % (gw.get("name") or gw["id"], gw.get("public_ip")))


# In build order: CEN last, it merges learned routes into the Alibaba tables.
TABLE_BUILDERS = [build_aws_subnet_tables, build_tgw_tables, build_alicloud_tables, build_tr_tables,
                  build_vpn_gateway_tables, build_cen_tables]
