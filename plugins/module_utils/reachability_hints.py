# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: why a hop has nowhere to go, and what to change; each as ``(cause code, sentence)``.

The steps (reachability_steps.py) call these only on a failure, so they may search the whole
index: they run once per (routing domain, address class), not once per pair.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_tables import contains


def _holds(vpc, dst_ip):
    return any(contains(c, dst_ip) for c in (vpc or {}).get("cidrs") or [])


def aws_no_route(index, vpc_id, rtb_id, dst_ip):
    """An AWS subnet route table without a route: name the Transit Gateway to route to."""
    dest = index.describe_destination(dst_ip)
    attached = sorted(t for (t, v) in index.vpc_attachment if v == vpc_id)
    hint = (" add %s -> %s (the Transit Gateway it is attached to)" % (dest, attached[0])) if attached else \
        " attach the VPC to a Transit Gateway and add a route %s -> it" % dest
    return causes.NO_ROUTE, "%s has no route to %s in route table %s:%s" % (
        index.vpc_label(("aws", vpc_id)), dest, rtb_id, hint)


def tgw_no_route(index, label, tgw_id, dst_ip):
    """A TGW route table without a route: the attachment to propagate, or the VPN attachment to route to."""
    dest = index.describe_destination(dst_ip)
    for (t, v), att in sorted(index.vpc_attachment.items()):
        if t == tgw_id and _holds(index.aws_vpcs.get(v), dst_ip):
            return causes.TGW_NO_ROUTE, ("%s has no route to %s: propagate attachment %s (%s) into it or add a static "
                                         "route" % (label, dest, att["id"], index.vpc_short(("aws", v))))
    vpns = sorted(a["id"] for a in index.attachments.values() if a.get("tgw_id") == tgw_id and a.get("type") == "vpn")
    if vpns:
        return causes.TGW_NO_ROUTE, "%s has no route to %s: add a static route %s -> %s (the VPN attachment)" % (
            label, dest, dest, vpns[0])
    return causes.TGW_NO_ROUTE, "%s has no route to %s: add a static route toward the attachment that leads there" % (
        label, dest)


def _unpublished(index, routing, vpc_id, dst_ip):
    """(cen id, member VPC, route) of a custom route toward ``dst_ip`` in another CEN member, not published."""
    for cen_id in index.vpc_cens.get(vpc_id, []):
        status = routing.cen_published.get(cen_id, {})
        for att in index.cens[cen_id].get("attachments") or []:
            other = index.ali_vpcs.get(att["instance_id"])
            if other is None or other["id"] == vpc_id:
                continue
            for rt in other.get("route_tables") or []:
                for r in rt.get("routes") or []:
                    dest = r.get("destination")
                    if r.get("type", "Custom") == "Custom" and dest and ":" not in dest and contains(dest, dst_ip) \
                            and status.get((other["id"], dest)) != "Published":
                        return cen_id, other, r
    return None


def alicloud_no_route(index, routing, vpc_id, dst_ip):
    """An Alibaba route table without a route: an unpublished CEN route, a peering, a VPN gateway or a CEN."""
    dest = index.describe_destination(dst_ip)
    head = "%s has no route to %s" % (index.vpc_label(("ali", vpc_id)), dest)
    unpublished = _unpublished(index, routing, vpc_id, dst_ip)
    if unpublished:
        cen_id, other, r = unpublished
        return causes.CEN_ROUTE_NOT_PUBLISHED, (
            "%s: the %s route %s -> %s is not published to CEN %s; publish it (PublishRouteEntries)"
            % (head, other.get("name") or other["id"], r["destination"], r.get("next_hop_id"), cen_id))
    for ri in sorted(index.ris.values(), key=lambda x: x["id"]):
        opp = index.ris.get(ri.get("opposite_interface_id")) or {}
        other = index.ali_vpcs.get(opp.get("vpc_id")) or {}
        if ri.get("vpc_id") == vpc_id and _holds(other, dst_ip):
            return causes.NO_ROUTE, "%s: add a route entry %s -> router interface %s (the peering to %s)" % (
                head, dest, ri["id"], other.get("name") or other.get("id"))
    gws = sorted(g["id"] for g in index.vpn_gws.values() if g.get("vpc_id") == vpc_id)
    if gws and not any(_holds(v, dst_ip) for v in index.ali_vpcs.values()):
        return causes.NO_ROUTE, "%s: add a route entry %s -> VPN gateway %s" % (head, dest, gws[0])
    others = [v for v in index.ali_vpcs.values() if v["id"] != vpc_id and _holds(v, dst_ip)]
    if others and not index.vpc_cens.get(vpc_id):
        return causes.CEN_NOT_ATTACHED, "%s: it is not attached to a CEN and has no route entry toward %s" % (
            head, index.vpc_short(("ali", others[0]["id"])))
    if gws:
        return causes.NO_ROUTE, "%s: add a route entry %s -> VPN gateway %s" % (head, dest, gws[0])
    return causes.NO_ROUTE, "%s: add a route entry toward it (VPN gateway, router interface or CEN)" % head


def vpn_without_tunnel(index, label, vpn, checks, dst_ip):
    """An AWS VPN connection with no tunnel that may carry ``dst_ip``: no peer, selectors, or the first problem."""
    paired = [c for c in checks if c]
    good = [c for c in paired if c["ok"]]
    if not paired:
        return causes.NO_IPSEC_PEER, ("%s has no tunnel whose other end is an Alibaba IPsec connection: create the "
                                      "IPsec connection with a customer gateway at a tunnel outside IP (%s)"
                                      % (label, ", ".join(str(t.get("outside_ip")) for t in vpn.get("tunnels") or [])))
    if good:
        conn = index.ipsecs[good[0]["alicloud_ipsec_connection_id"]]
        return causes.DESTINATION_NOT_IN_SELECTORS, (
            "%s: the IPsec connection on the other end does not carry %s (its local networks are %s)"
            % (label, index.describe_destination(dst_ip), ", ".join(conn.get("local_subnets") or [])))
    first = paired[0]
    return first["problem_codes"][0], "%s has no working tunnel: %s: %s" % (
        label, first["where"], "; ".join(first["problems"]))


def ipsec_without_peer(index, label, conn, check, dst_ip):
    """An Alibaba IPsec connection toward ``dst_ip`` whose tunnel does not work: no AWS end, or its first problem."""
    if check is None:
        code, reason = causes.NO_IPSEC_PEER, (
            "IPsec connection %s leads to customer gateway %s, which is not a tunnel of any AWS VPN connection read"
            % (conn["id"], (index.ali_cgws.get(conn.get("customer_gateway_id")) or {}).get("ip")))
    else:
        code, reason = check["problem_codes"][0], "%s: %s" % (
            check.get("where") or conn["id"], "; ".join(check["problems"]))
    return code, "%s has no working IPsec tunnel toward %s: %s" % (label, index.describe_destination(dst_ip), reason)
