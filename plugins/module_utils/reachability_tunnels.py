# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: pair every AWS tunnel with the Alibaba tunnel on its other end and check both.

The checks themselves (outside IPs, PSK, IKE version and mode, identities, proposals, lifetimes,
selectors) are the clouds' rules in ipsec.py (``compare_tunnel``); this file finds the pairs,
builds the two views ``compare_tunnel`` takes and adds what the clouds report (tunnel status).

An Alibaba *end* is one IKE peer: a single-tunnel IPsec connection (from its VPN gateway's public
IP, or its own IP when attached to a transit router) or one tunnel of a dual-tunnel connection
(TunnelOptionsSpecification: on a VPN gateway the master leaves from the gateway's IP and the
slave from its disaster-recovery IP; a TR-attached connection's tunnels have their own IPs). An
end pairs with the AWS tunnel whose outside IP is the end's customer gateway; ``compare_tunnel``
then checks that the AWS VPN's customer gateway is the end's own source IP. A connection carries
traffic while one of its ends works.

Each check is a dict (returned to users as ``ipsec_checks``): ids of both ends, ``ok``,
``checks`` (name -> True / False / None), ``problems`` (sentences) with ``problem_codes``
beside them, ``warnings`` with ``warning_codes``. ``tunnels`` lists every tunnel once, with its
status (``up``, ``down``, ``idle_by_design``, ``unpaired``) and ``warnings`` what a user should
know although nothing is broken (a dual-tunnel connection running on one tunnel).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes

ALI_DOWN = ("ike_sa_not_established", "ipsec_sa_not_established", "ike_sa_established")


def aws_view(vpn, tunnel, aws_cgw):
    """One AWS tunnel with what ``ipsec.compare_tunnel`` needs of its connection."""
    view = dict(tunnel)
    view.update(vpn_id=vpn["id"], customer_gateway_id=aws_cgw.get("id"), customer_gateway_ip=aws_cgw.get("ip"),
                local_cidr=vpn.get("local_cidr"), remote_cidr=vpn.get("remote_cidr"))
    return view


def alicloud_view(end):
    """One Alibaba end (connection, or one tunnel of it) in ``compare_tunnel``'s shape."""
    conn, tunnel = end["conn"], end["tunnel"]
    view = dict(conn)
    view.update(id=end["name"], gateway_id=end["source"], gateway_ip=end["ip"])
    if tunnel is not None:
        view.update(ike=tunnel.get("ike") or {}, ipsec=tunnel.get("ipsec") or {},
                    customer_gateway_id=tunnel.get("customer_gateway_id"))
    return view


def _check(fields, problems, warnings, checks):
    """The user-facing check dict; ``problems`` / ``warnings`` are (code, sentence) pairs."""
    out = dict(fields)
    out.update(ok=not problems, checks=checks,
               problems=[p[1] for p in problems], problem_codes=[p[0] for p in problems],
               warnings=[w[1] for w in warnings], warning_codes=[w[0] for w in warnings])
    return out


def _tunnel_order(tunnel):
    """Master (tunnel 1) first: the tunnel a connection sends by while it is up."""
    return (tunnel.get("role", "master") != "master", int(tunnel.get("index") or 0), tunnel.get("id") or "")


def connection_ends(index, conn):
    """The IKE peers of an Alibaba connection, in the order it sends by (master first)."""
    gw = index.vpn_gws.get(conn.get("vpn_gateway_id")) or {}
    tunnels = conn.get("tunnels") or []
    out = []
    for tunnel in sorted(tunnels, key=_tunnel_order):
        ip = tunnel.get("ip") or (gw.get("secondary_ip") if tunnel.get("role") == "slave" else gw.get("public_ip"))
        number = tunnel.get("index") or len(out) + 1
        out.append({"conn": conn, "tunnel": tunnel, "ip": ip, "key": (conn["id"], tunnel.get("id") or number),
                    "number": number, "name": "%s tunnel %s" % (conn["id"], number),
                    "source": gw.get("id") or "tunnel %s of %s" % (number, conn["id"]),
                    "cgw": index.ali_cgws.get(tunnel.get("customer_gateway_id")) or {}})
    if not tunnels:
        out.append({"conn": conn, "tunnel": None, "ip": gw.get("public_ip") or conn.get("ip"), "key": (conn["id"], ""),
                    "number": None, "name": conn["id"], "source": gw.get("id") or conn["id"],
                    "cgw": index.ali_cgws.get(conn.get("customer_gateway_id")) or {}})
    return out


def _status(end):
    return str((end["tunnel"] if end["tunnel"] is not None else end["conn"]).get("status") or "")


class TunnelPairing(object):
    """``checks`` (every pair checked), ``by_tunnel[(vpn id, outside ip)]``, ``by_end[end key]``,
    ``by_connection[conn id]`` (its best check), ``ends[conn id]`` (its ends in sending order), ``tunnels`` and
    ``warnings``."""

    def __init__(self, index):
        self.index = index
        self.checks = []
        self.by_tunnel = {}
        self.by_end = {}
        self.by_connection = {}
        self.ends = {}
        self.tunnels = []
        self.warnings = []
        self._pair()

    def _pair(self):
        index = self.index
        at_ip = {}   # customer gateway IP (an AWS tunnel's outside IP) -> the Alibaba ends pointing at it
        for conn in sorted(index.ipsecs.values(), key=lambda c: c["id"]):
            self.ends[conn["id"]] = connection_ends(index, conn)
            for end in self.ends[conn["id"]]:
                if end["cgw"].get("ip"):
                    at_ip.setdefault(end["cgw"]["ip"], []).append(end)
        seen = set()
        for vpn in sorted(index.vpns.values(), key=lambda v: v["id"]):
            aws_cgw = index.aws_cgws.get(vpn.get("customer_gateway_id")) or {}
            for number, tunnel in enumerate(vpn.get("tunnels") or [], 1):
                for end in at_ip.get(tunnel.get("outside_ip"), []):
                    seen.add(end["key"])
                    check = self._check_pair(vpn, number, tunnel, aws_cgw, end)
                    self.checks.append(check)
                    for table, key in ((self.by_tunnel, (vpn["id"], tunnel.get("outside_ip"))),
                                       (self.by_end, end["key"]), (self.by_connection, end["conn"]["id"])):
                        known = table.get(key)
                        if known is None or (check["ok"] and not known["ok"]):
                            table[key] = check
        aws_cgw_ips = set(c.get("ip") for c in index.aws_cgws.values() if c.get("ip"))
        for conn_id in sorted(self.ends):
            for end in self.ends[conn_id]:
                if end["key"] not in seen:
                    self._unpaired(end, aws_cgw_ips)
        self._list_tunnels(at_ip)
        self._redundancy()

    def _unpaired(self, end, aws_cgw_ips):
        """An Alibaba end toward AWS (its source IP is an AWS customer gateway) that no AWS tunnel answers."""
        index = self.index
        conn = end["conn"]
        vpns = [v for v in index.vpns.values()
                if (index.aws_cgws.get(v.get("customer_gateway_id")) or {}).get("ip") == end["ip"]]
        if not vpns and end["ip"] not in aws_cgw_ips:
            return  # an IPsec connection to somewhere we did not read (on-premises)
        tunnel_ips = [t.get("outside_ip") for v in vpns for t in v.get("tunnels") or []]
        problem = (causes.OUTSIDE_IP_MISMATCH,
                   "outside IPs do not cross-match: the Alibaba customer gateway of %s is %s, but the tunnel outside "
                   "IPs of %s are %s; set the customer gateway IP to a tunnel outside IP"
                   % (end["name"], end["cgw"].get("ip"), vpns[0]["id"] if vpns else "the AWS VPN",
                      ", ".join(str(i) for i in tunnel_ips) or "unknown"))
        check = _check(self._ends_fields(None, None, None, end), [problem], [], {"outside_ips": False})
        check["where"] = end["name"]
        self.checks.append(check)
        self.by_end[end["key"]] = check
        self.by_connection.setdefault(conn["id"], check)

    def _ends_fields(self, vpn, number, tunnel, end):
        conn = end["conn"]
        return {"aws_vpn_connection_id": vpn["id"] if vpn else None, "tunnel": number,
                "tunnel_outside_ip": tunnel.get("outside_ip") if tunnel else None,
                "alicloud_ipsec_connection_id": conn["id"], "alicloud_tunnel": end["number"],
                "alicloud_tunnel_ip": end["ip"], "alicloud_vpn_gateway_id": conn.get("vpn_gateway_id") or None,
                "alicloud_transit_router_id": conn.get("transit_router_id") or None}

    def _check_pair(self, vpn, number, tunnel, aws_cgw, end):
        compared = ipsec.compare_tunnel(aws_view(vpn, tunnel, aws_cgw), alicloud_view(end))
        problems, checks = list(compared["mismatches"]), compared["checks"]
        # what the clouds themselves report, once the configurations agree
        status = str(tunnel.get("status") or "").upper()
        ali_status = _status(end)
        checks["aws_status"] = status or None
        checks["alicloud_status"] = ali_status or None
        if not problems:
            if status == "DOWN":
                detail = (": " + tunnel["status_message"]) if tunnel.get("status_message") else ""
                problems.append((causes.TUNNEL_DOWN, "AWS reports tunnel %s of %s DOWN%s"
                                 % (tunnel.get("outside_ip"), vpn["id"], detail)))
            if ali_status in ALI_DOWN:
                problems.append((causes.TUNNEL_DOWN, "Alibaba reports %s %s" % (end["name"], ali_status)))
        other_end = end["name"] if end["tunnel"] is not None else "IPsec connection %s" % end["name"]
        where = "tunnel %s of %s <-> %s" % (tunnel.get("outside_ip"), vpn["id"], other_end)
        fields = self._ends_fields(vpn, number, tunnel, end)
        fields["where"] = where
        return _check(fields, problems, compared["warnings"], checks)

    # --- the tunnel list and its warnings ---------------------------------------------------------
    def _list_tunnels(self, at_ip):
        """Every AWS tunnel toward Alibaba and every Alibaba end, once, with its status and code."""
        index = self.index
        sources = {}   # Alibaba source IP -> its ends (what an AWS customer gateway may point at)
        for ends in self.ends.values():
            for end in ends:
                sources.setdefault(end["ip"], []).append(end)
        listed = set()
        for vpn in sorted(index.vpns.values(), key=lambda v: v["id"]):
            cgw_ip = (index.aws_cgws.get(vpn.get("customer_gateway_id")) or {}).get("ip")
            if cgw_ip not in sources:
                continue   # this VPN leads elsewhere (on-premises), not to the Alibaba side read
            answered = [t.get("outside_ip") in at_ip for t in vpn.get("tunnels") or []]
            for number, tunnel in enumerate(vpn.get("tunnels") or [], 1):
                check = self.by_tunnel.get((vpn["id"], tunnel.get("outside_ip")))
                item = {"aws_vpn_connection_id": vpn["id"], "aws_tunnel": number, "aws_outside_ip": tunnel.get(
                    "outside_ip"), "alicloud_ipsec_connection_id": None, "alicloud_tunnel": None,
                    "alicloud_tunnel_ip": cgw_ip}
                if check is not None:
                    listed.add((check["alicloud_ipsec_connection_id"], check["alicloud_tunnel"]))
                    item.update(alicloud_ipsec_connection_id=check["alicloud_ipsec_connection_id"],
                                alicloud_tunnel=check["alicloud_tunnel"], status="up" if check["ok"] else "down",
                                code=None if check["ok"] else check["problem_codes"][0],
                                reason="; ".join(check["problems"]) or None)
                elif any(answered) and not any(e["conn"].get("vpn_gateway_id") for e in sources[cgw_ip]):
                    # An AWS tunnel takes IKE from its customer gateway only; that IP is one TR-attached tunnel (its
                    # own IP, which no other connection can use) and it negotiates with another tunnel of this VPN:
                    # nothing can ever answer here. (A VPN gateway's IP could: with another IPsec connection.)
                    item.update(status="idle_by_design", code=causes.IDLE_BY_DESIGN,
                                reason="the customer gateway %s is one Alibaba tunnel, which pairs with another tunnel "
                                       "of %s" % (cgw_ip, vpn["id"]))
                else:
                    item.update(status="unpaired", code=causes.NO_IPSEC_PEER,
                                reason="no Alibaba tunnel has its customer gateway at %s" % tunnel.get("outside_ip"))
                self.tunnels.append(item)
        for conn_id in sorted(self.ends):
            for end in self.ends[conn_id]:
                check = self.by_end.get(end["key"])
                if check is None or (conn_id, end["number"]) in listed:
                    continue
                self.tunnels.append({"aws_vpn_connection_id": None, "aws_tunnel": None, "aws_outside_ip": None,
                                     "alicloud_ipsec_connection_id": conn_id, "alicloud_tunnel": end["number"],
                                     "alicloud_tunnel_ip": end["ip"], "status": "unpaired",
                                     "code": check["problem_codes"][0], "reason": "; ".join(check["problems"])})

    def _redundancy(self):
        """A dual-tunnel connection working on one tunnel: reachable, and one failure away from not."""
        for conn_id in sorted(self.ends):
            ends = self.ends[conn_id]
            checks = [self.by_end.get(end["key"]) for end in ends]
            if len(ends) < 2 or not any(c is not None and c["ok"] for c in checks):
                continue
            carrying = next(end for end, c in zip(ends, checks) if c and c["ok"])
            for end, check in zip(ends, checks):
                if check is not None and check["ok"]:
                    continue
                why = ("%s [%s]" % ("; ".join(check["problems"]), check["problem_codes"][0]) if check is not None
                       else "no AWS tunnel answers it")
                self.warnings.append({
                    "code": causes.TUNNEL_REDUNDANCY_LOST, "element": conn_id,
                    "message": "%s (%s) is down while %s (%s) carries the traffic: no redundancy left; %s"
                               % (end["name"], end["ip"], carrying["name"], carrying["ip"], why)})
