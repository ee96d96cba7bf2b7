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

ANY = "0.0.0.0/0"


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


def peering_not_active(index, conn):
    """Why a VPC peering connection carries nothing yet, and who must act."""
    status = conn.get("status")
    if status == "Accepting":
        return ("VPC peering connection %s (%s -> %s) is Accepting: account %s must accept it "
                "(AcceptVpcPeerConnection) before traffic flows"
                % (conn["id"], conn.get("vpc_id"), conn.get("accepting_vpc_id"),
                   conn.get("accepting_account") or "of the accepter"))
    return "VPC peering connection %s is %s, not Activated: %s" % (
        conn["id"], status, "request it again" if status in ("Rejected", "Expired") else "wait for it or check it")


def _peering_hint(index, vpc_id, dst_ip, head):
    """A VPC peering connection between this VPC and the one holding the destination, or None."""
    for conn in index.vpc_peers_of.get(vpc_id, []):
        far_id = conn.get("accepting_vpc_id") if conn.get("vpc_id") == vpc_id else conn.get("vpc_id")
        far = index.ali_vpcs.get(far_id)
        if far is None or not _holds(far, dst_ip):
            continue
        if conn.get("status") not in ("Activated", "Updating"):
            return causes.PEERING_NOT_ACCEPTED, "%s: %s" % (head, peering_not_active(index, conn))
        return causes.PEERING_ROUTE_MISSING, (
            "%s: VPC peering connection %s to %s is Activated, but this side has no route through it; add a route "
            "entry %s -> VpcPeer %s (a peering needs a route on both sides)"
            % (head, conn["id"], far.get("name") or far_id, index.describe_destination(dst_ip), conn["id"]))
    return None


def destination_routing(conn):
    """Both selectors 0.0.0.0/0: the gateway forwards by its VPN route entries (destination routing)."""
    return (conn.get("local_subnets") or [ANY]) == [ANY] and (conn.get("remote_subnets") or [ANY]) == [ANY]


def _vpn_route_entry_hint(index, routing, gw_ids, dst_ip, head):
    """A gateway of the VPC in destination routing without a VPN route entry for the destination: the entries it
    publishes are the VPC's routes toward the far side, so the missing entry is why the VPC has none."""
    for gw_id in gw_ids:
        conn = next((c["id"] for c in index.ipsec_by_gw.get(gw_id, ()) if destination_routing(c)), None)
        table = routing.tables.get(("vpn-gw", gw_id))
        if conn and (table is None or table.lookup(dst_ip) is None):
            dest = index.describe_destination(dst_ip)
            return causes.VPN_ROUTE_MISSING, (
                "%s: VPN gateway %s uses destination routing (IPsec connection %s) and has no VPN route entry for %s "
                "to publish to it; add one (CreateVpnRouteEntry RouteDest %s, NextHop %s, Weight 100, PublishVpc true)"
                % (head, gw_id, conn, dest, dest, conn))
    return None


def alicloud_no_route(index, routing, vpc_id, dst_ip):
    """An Alibaba route table without a route: an unpublished CEN route, a peering, a VPN gateway, a transit router
    connection or a CEN."""
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
    peering = _peering_hint(index, vpc_id, dst_ip, head)
    if peering:
        return peering
    gws = sorted(g["id"] for g in index.vpn_gws.values() if g.get("vpc_id") == vpc_id)
    if gws and not any(_holds(v, dst_ip) for v in index.ali_vpcs.values()):
        return _vpn_route_entry_hint(index, routing, gws, dst_ip, head) or (
            causes.NO_ROUTE, "%s: add a route entry %s -> VPN gateway %s" % (head, dest, gws[0]))
    connections = [a for a in index.vpc_tr_attachments.get(vpc_id, []) if a.get("status", "Attached") == "Attached"]
    if connections:
        att = connections[0]
        table_id = index.tr_association.get((att.get("tr_id"), att["id"]))
        if att.get("auto_publish") and table_id:
            # the router synchronises its table into the VPC: what that table lacks, the VPC lacks
            code, reason = tr_no_route(index, table_id, routing.labels.get(("tr-rtb", table_id), table_id), dst_ip)
            return code, "%s: it takes its routes from its transit router connection %s (AutoPublishRouteEnabled), " \
                         "and %s" % (head, att["id"], reason)
        return causes.NO_ROUTE, "%s: add a route entry %s -> Attachment %s (its connection to %s)" % (
            head, dest, att["id"], index.tr_label(att.get("tr_id")))
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
        cgw_ids = [t.get("customer_gateway_id") for t in conn.get("tunnels") or []] or [conn.get("customer_gateway_id")]
        ips = ", ".join(str((index.ali_cgws.get(c) or {}).get("ip")) for c in cgw_ids)
        code, reason = causes.NO_IPSEC_PEER, (
            "IPsec connection %s leads to customer gateway%s %s, which %s not a tunnel of any AWS VPN connection read"
            % (conn["id"], "s" if len(cgw_ids) > 1 else "", ips, "are" if len(cgw_ids) > 1 else "is"))
    else:
        code, reason = check["problem_codes"][0], "%s: %s" % (
            check.get("where") or conn["id"], "; ".join(check["problems"]))
    return code, "%s has no working IPsec tunnel toward %s: %s" % (label, index.describe_destination(dst_ip), reason)


# --- transit routers ----------------------------------------------------------------------------------

def _routes_to(table, dst_ip):
    return any(r.get("status", "Active") == "Active" and r.get("next_hop_type") == "Attachment" and r.get(
        "destination") and ":" not in r["destination"] and contains(r["destination"], dst_ip)
        for r in table.get("routes") or [])


def _between(index, tr_id, far_id, table_id, head, why):
    """This router lacks a route to something behind ``far_id`` (another region): the connection, or its learning."""
    peers = sorted((a for a in index.tr_attachments.values() if a.get("kind") == "peer"
                    and set((a.get("tr_id"), a.get("peer_tr_id"))) == set((tr_id, far_id))), key=lambda a: a["id"])
    live = [a for a in peers if a.get("status", "Attached") == "Attached"]
    if not live:
        return causes.INTER_REGION_MISSING, (
            "%s: it is behind %s (%s), and no inter-region connection joins %s and %s%s; create one "
            "(CreateTransitRouterPeerAttachment) and let both tables learn its routes" % (
                head, index.tr_label(far_id), why, index.tr_label(tr_id), index.tr_label(far_id),
                " (%s is %s)" % (peers[0]["id"], peers[0].get("status")) if peers else ""))
    peer = live[0]
    table = index.tr_tables.get(table_id) or {}
    if peer["id"] not in (table.get("propagations") or []):
        return causes.TR_NO_ROUTE, "%s: it is behind %s (%s): let this table learn the routes of inter-region " \
                                   "connection %s (EnableTransitRouterRouteTablePropagation)" % (
                                       head, index.tr_label(far_id), why, peer["id"])
    far_table = index.tr_association.get((far_id, peer["id"]))
    if far_table is None:
        return causes.TR_NOT_ASSOCIATED, "%s: inter-region connection %s is associated with no route table of %s, " \
                                         "so nothing is advertised over it; associate it there" % (
                                             head, peer["id"], index.tr_label(far_id))
    return causes.TR_NO_ROUTE, "%s: %s does not advertise it over %s: route table %s there has no route toward it " \
                               "(%s)" % (head, index.tr_label(far_id), peer["id"], far_table, why)


def tr_no_route(index, table_id, label, dst_ip):
    """A transit router route table without a route: the connection to learn from, the inter-region connection that
    is missing, or the static route toward the VPN attachment to add."""
    dest = index.describe_destination(dst_ip)
    head = "%s has no route to %s" % (label, dest)
    tr_id = index.tr_table_router.get(table_id)
    cen_id = (index.transit_routers.get(tr_id) or {}).get("cen_id")
    for vpc in sorted(index.ali_vpcs.values(), key=lambda v: v["id"]):
        if not _holds(vpc, dst_ip):
            continue
        for att in index.vpc_tr_attachments.get(vpc["id"], []):
            if att.get("tr_id") == tr_id:
                return causes.TR_NO_ROUTE, "%s: learn the routes of VPC connection %s (%s) " \
                                           "(EnableTransitRouterRouteTablePropagation) or add a static route %s -> %s" \
                                           % (head, att["id"], vpc.get("name") or vpc["id"], dest, att["id"])
        for att in index.vpc_tr_attachments.get(vpc["id"], []):
            if (index.transit_routers.get(att.get("tr_id")) or {}).get("cen_id") == cen_id:
                return _between(index, tr_id, att.get("tr_id"), table_id, head,
                                "VPC connection %s of %s" % (att["id"], vpc.get("name") or vpc["id"]))
    for other_id, other in sorted(index.transit_routers.items()):
        if other_id == tr_id or other.get("cen_id") != cen_id:
            continue
        if any(_routes_to(t, dst_ip) for t in other.get("route_tables") or []):
            return _between(index, tr_id, other_id, table_id, head, "its route tables route %s" % dest)
    vpns = sorted(a["id"] for a in index.tr_attachments.values() if a.get("kind") == "vpn" and a.get("tr_id") == tr_id)
    if vpns:
        return causes.TR_NO_ROUTE, "%s: add a static route %s -> %s (the VPN attachment; an IPsec connection in " \
                                   "destination routing advertises nothing)" % (head, dest, vpns[0])
    return causes.TR_NO_ROUTE, "%s: add a static route toward the connection that leads there" % head
