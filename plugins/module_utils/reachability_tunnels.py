# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: pair every AWS tunnel with the Alibaba IPsec connection on its other end and check both.

The checks themselves (outside IPs, PSK, IKE version and mode, identities, proposals, lifetimes,
selectors) are the clouds' rules in ipsec.py (``compare_tunnel``); this file finds the pairs,
builds the two views ``compare_tunnel`` takes and adds what the clouds report (tunnel status).

Each check is a dict (returned to users as ``ipsec_checks``): ids of both ends, ``ok``,
``checks`` (name -> True / False / None), ``problems`` (sentences) with ``problem_codes``
beside them, ``warnings`` with ``warning_codes``.

Extension point: a dual-tunnel Alibaba connection (TunnelOptionsSpecification) or a
TR-attached VPN attachment pairs per tunnel: give each Alibaba tunnel a view like
``alicloud_view`` and index it by its customer gateway IP in ``_alicloud_ends``.
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


def alicloud_view(conn, gw):
    """One Alibaba IPsec connection with its VPN gateway's id and public IP."""
    view = dict(conn)
    view.update(gateway_id=gw.get("id"), gateway_ip=gw.get("public_ip"))
    return view


def _check(fields, problems, warnings, checks):
    """The user-facing check dict; ``problems`` / ``warnings`` are (code, sentence) pairs."""
    out = dict(fields)
    out.update(ok=not problems, checks=checks,
               problems=[p[1] for p in problems], problem_codes=[p[0] for p in problems],
               warnings=[w[1] for w in warnings], warning_codes=[w[0] for w in warnings])
    return out


class TunnelPairing(object):
    """``checks`` (every pair checked), ``by_tunnel[(vpn id, outside ip)]`` and ``by_connection[conn id]``."""

    def __init__(self, index):
        self.index = index
        self.checks = []
        self.by_tunnel = {}
        self.by_connection = {}
        self._pair()

    def _alicloud_ends(self):
        """Alibaba IPsec connections by the IP of their customer gateway (an AWS tunnel's outside IP)."""
        ends = {}
        for conn in self.index.ipsecs.values():
            cgw = self.index.ali_cgws.get(conn.get("customer_gateway_id")) or {}
            if cgw.get("ip"):
                ends.setdefault(cgw["ip"], []).append(conn)
        return ends

    def _pair(self):
        index = self.index
        ends = self._alicloud_ends()
        seen = set()
        for vpn in sorted(index.vpns.values(), key=lambda v: v["id"]):
            aws_cgw = index.aws_cgws.get(vpn.get("customer_gateway_id")) or {}
            for number, tunnel in enumerate(vpn.get("tunnels") or [], 1):
                for conn in ends.get(tunnel.get("outside_ip"), []):
                    seen.add(conn["id"])
                    check = self._check_pair(vpn, number, tunnel, aws_cgw, conn)
                    self.checks.append(check)
                    self.by_tunnel.setdefault((vpn["id"], tunnel.get("outside_ip")), check)
                    known = self.by_connection.get(conn["id"])
                    if known is None or (check["ok"] and not known["ok"]):
                        self.by_connection[conn["id"]] = check
        aws_cgw_ips = set(c.get("ip") for c in index.aws_cgws.values() if c.get("ip"))
        for conn in sorted(index.ipsecs.values(), key=lambda c: c["id"]):
            if conn["id"] not in seen:
                self._unpaired(conn, aws_cgw_ips)

    def _unpaired(self, conn, aws_cgw_ips):
        """An Alibaba connection toward AWS (its VPN gateway is an AWS customer gateway) that no tunnel answers."""
        index = self.index
        gw = index.vpn_gws.get(conn.get("vpn_gateway_id")) or {}
        cgw = index.ali_cgws.get(conn.get("customer_gateway_id")) or {}
        vpns = [v for v in index.vpns.values()
                if (index.aws_cgws.get(v.get("customer_gateway_id")) or {}).get("ip") == gw.get("public_ip")]
        if not vpns and gw.get("public_ip") not in aws_cgw_ips:
            return  # an IPsec connection to somewhere we did not read (on-premises)
        tunnel_ips = [t.get("outside_ip") for v in vpns for t in v.get("tunnels") or []]
        problem = (causes.OUTSIDE_IP_MISMATCH,
                   "outside IPs do not cross-match: the Alibaba customer gateway of IPsec connection %s is %s, but the "
                   "tunnel outside IPs of %s are %s; set the customer gateway IP to a tunnel outside IP"
                   % (conn["id"], cgw.get("ip"), vpns[0]["id"] if vpns else "the AWS VPN",
                      ", ".join(str(i) for i in tunnel_ips) or "unknown"))
        check = _check({"aws_vpn_connection_id": vpns[0]["id"] if vpns else None, "tunnel": None,
                        "tunnel_outside_ip": None, "alicloud_ipsec_connection_id": conn["id"],
                        "alicloud_vpn_gateway_id": gw.get("id")}, [problem], [], {"outside_ips": False})
        self.checks.append(check)
        self.by_connection[conn["id"]] = check

    def _check_pair(self, vpn, number, tunnel, aws_cgw, conn):
        gw = self.index.vpn_gws.get(conn.get("vpn_gateway_id")) or {}
        compared = ipsec.compare_tunnel(aws_view(vpn, tunnel, aws_cgw), alicloud_view(conn, gw))
        problems, checks = list(compared["mismatches"]), compared["checks"]
        # what the clouds themselves report, once the configurations agree
        status = str(tunnel.get("status") or "").upper()
        ali_status = str(conn.get("status") or "")
        checks["aws_status"] = status or None
        checks["alicloud_status"] = ali_status or None
        if not problems:
            if status == "DOWN":
                detail = (": " + tunnel["status_message"]) if tunnel.get("status_message") else ""
                problems.append((causes.TUNNEL_DOWN, "AWS reports tunnel %s DOWN%s"
                                 % (tunnel.get("outside_ip"), detail)))
            if ali_status in ALI_DOWN:
                problems.append((causes.TUNNEL_DOWN, "Alibaba reports IPsec connection %s %s"
                                 % (conn["id"], ali_status)))
        where = "tunnel %s of %s <-> IPsec connection %s" % (tunnel.get("outside_ip"), vpn["id"], conn["id"])
        return _check({"aws_vpn_connection_id": vpn["id"], "tunnel": number,
                       "tunnel_outside_ip": tunnel.get("outside_ip"), "alicloud_ipsec_connection_id": conn["id"],
                       "alicloud_vpn_gateway_id": gw.get("id"), "where": where},
                      problems, compared["warnings"], checks)
