# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: what happens inside each kind of routing domain, and at each kind of next hop.

Three registries, each a plain dict, are where new kinds plug in:

- ``STEPS[domain kind](tracer, domain, label, route, dst_ip, cls, stack)``: a routing domain
  (``aws-rtb``, ``tgw-rtb``, ``ali-rtb``, ``cen``, ``tr-rtb`` an Enterprise transit router route table,
  ``vpn-gw`` a VPN gateway's destination routes); ``route`` is the table's longest-prefix match
  (None: no route). A new kind adds its table builder in reachability_tables.TABLE_BUILDERS and its
  step here.
- ``AWS_ROUTE_TARGETS[target_type]`` (same signature as a step): what an AWS subnet route leads
  to (``local``, ``transit_gateway``; a VPC peering connection would be ``vpc_peering``).
- ``TGW_ATTACHMENT_HOPS[attachment type](tracer, domain, label, hops, attachment, dst_ip, cls, stack)``:
  where a TGW route's attachment leads (``vpc``, ``peering``, ``vpn``).
- ``ALI_NEXT_HOPS[next_hop_type](tracer, hops, next_hop_id, dst_ip, cls, stack, vpc_id)``: where an
  Alibaba route entry of VPC ``vpc_id`` leads (``VpnGateway``, ``RouterInterface``, ``VpcPeer``,
  ``Attachment`` = a transit router connection).
- ``TR_ATTACHMENT_HOPS[kind](tracer, domain, label, hops, attachment, dst_ip, cls, stack)``: where a
  transit router route's connection leads (``vpc``, ``peer``, ``vpn``).

Leaving Alibaba over IPsec is one function whatever led there (a VPN gateway's selectors or VPN
route entries, a transit router's VPN attachment): ``ipsec_out`` takes the connection's first
working tunnel (master first) to the AWS VPN on its other end.

A handler ends the path (``tracer.delivered`` or ``fail`` with a reachability_causes code and a
sentence saying what to change) or continues it with ``tracer.follow(hops, constraints, via,
next_domain, dst_ip, cls, stack)``: ``constraints`` are source prefixes a selector allows (checked
once the source is known), ``via`` the transit pieces crossed (for asymmetry).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_hints as hints
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_tables import contains
from ansible_collections.multicloud.transit.plugins.module_utils.reachability_trace import fail, hop, prepend

ANY = "0.0.0.0/0"


def _blackhole(r):
    return str(r.get("state", "active")).lower() == "blackhole"


def _available(item):
    return item is not None and item.get("state", "available") == "available"


# --- AWS subnet route tables ----------------------------------------------------------------------
def step_aws_rtb(t, domain, label, route, dst_ip, cls, stack):
    vpc_id = t.index.aws_rtb_vpc.get(domain[1])
    if route is None:
        code, reason = hints.aws_no_route(t.index, vpc_id, domain[1], dst_ip)
        return fail([], label, code, reason, element=vpc_id)
    r = route[1]
    dest, ttype, target = r.get("destination"), r.get("target_type"), r.get("target_id")
    if _blackhole(r):
        return fail([hop(label, dest, target, "blackhole", "aws-rtb")], label, causes.BLACKHOLE,
                    "%s routes %s -> %s, a blackhole (the target no longer exists); point it at the Transit Gateway"
                    % (label, dest, target), element=domain[1])
    handler = AWS_ROUTE_TARGETS.get(ttype)
    if handler is None:
        return fail([hop(label, dest, target, ttype, "aws-rtb")], label, causes.UNSUPPORTED_TARGET,
                    "%s sends %s to %s (%s), which leaves the networks this report can follow"
                    % (label, t.index.describe_destination(dst_ip), target, ttype), element=domain[1])
    return handler(t, domain, label, route, dst_ip, cls, stack)


def aws_local(t, domain, label, route, dst_ip, cls, stack):
    vkey = ("aws", t.index.aws_rtb_vpc.get(domain[1]))
    return t.delivered([hop(label, route[1].get("destination"), "local", "delivered inside the VPC", "aws-rtb")],
                       vkey, dst_ip)


def aws_to_tgw(t, domain, label, route, dst_ip, cls, stack):
    index = t.index
    vpc_id = index.aws_rtb_vpc.get(domain[1])
    vkey = ("aws", vpc_id)
    dest, target = route[1].get("destination"), route[1].get("target_id")
    hops = (hop(label, dest, target, "to Transit Gateway", "aws-rtb"),)
    if target not in index.tgws:
        return fail(hops, label, causes.NOT_READ, "%s routes %s to Transit Gateway %s, which was not found"
                    % (label, dest, target), element=target)
    att = index.vpc_attachment.get((target, vpc_id))
    if not _available(att):
        return fail(hops, label, causes.TGW_ATTACHMENT_MISSING, "%s routes %s to %s, but the VPC is not attached to "
                    "it%s; attach the VPC" % (index.vpc_label(vkey), dest, target, "" if att is None else
                                              " (attachment %s is %s)" % (att["id"], att.get("state"))), element=target)
    rtb = index.association.get((target, att["id"]))
    if rtb is None:
        return fail(hops, "TGW %s" % target, causes.TGW_ASSOCIATION_MISSING, "attachment %s of %s has no TGW route "
                    "table association; associate it" % (att["id"], index.vpc_short(vkey)), element=target)
    t.transition(route, hops, (target,), ("tgw-rtb", rtb))
    return t.follow(hops, (), (target,), ("tgw-rtb", rtb), dst_ip, cls, stack)


AWS_ROUTE_TARGETS = {"local": aws_local, "transit_gateway": aws_to_tgw}


# --- Transit Gateway route tables ----------------------------------------------------------------------------
def step_tgw_rtb(t, domain, label, route, dst_ip, cls, stack):
    index = t.index
    if route is None:
        code, reason = hints.tgw_no_route(index, label, index.rtb_tgw.get(domain[1]), dst_ip)
        return fail([], label, code, reason, element=domain[1])
    r = route[1]
    dest, att_id = r.get("destination"), r.get("attachment_id")
    note = r.get("type", "static") + (" (from propagation)" if r.get("derived") else "")
    hops = [hop(label, dest, att_id or "blackhole", note, "tgw-rtb")]
    if _blackhole(r) or r.get("type") == "blackhole" or not att_id:
        return fail(hops, label, causes.BLACKHOLE, "%s drops traffic for %s: route %s is a blackhole; replace it with "
                    "a route to an attachment" % (label, index.describe_destination(dst_ip), dest), element=domain[1])
    att = index.attachments.get(att_id)
    if not _available(att):
        return fail(hops, label, causes.ATTACHMENT_NOT_AVAILABLE, "%s routes %s to attachment %s, which is %s" % (
            label, dest, att_id, "gone" if att is None else att.get("state")), element=att_id)
    handler = TGW_ATTACHMENT_HOPS.get(att["type"])
    if handler is None:
        return fail(hops, label, causes.UNSUPPORTED_TARGET, "attachment %s of type %s is not followed"
                    % (att_id, att["type"]), element=att_id)
    return handler(t, domain, label, hops, att, dst_ip, cls, stack)


def tgw_to_vpc(t, domain, label, hops, att, dst_ip, cls, stack):
    index = t.index
    vkey = ("aws", att.get("resource_id"))
    vpc = index.aws_vpcs.get(vkey[1])
    if vpc is None:
        return fail(hops, label, causes.NOT_READ, "attachment %s leads to VPC %s, which was not read"
                    % (att["id"], vkey[1]), element=att["id"])
    cidr = next((c for c in vpc.get("cidrs") or [] if contains(c, dst_ip)), None)
    if cidr is None:
        return fail(hops, label, causes.WRONG_ATTACHMENT, "%s sends %s to %s, whose CIDRs do not hold it" % (
            label, index.describe_destination(dst_ip), index.vpc_label(vkey)), element=domain[1])
    delivered = t.delivered([hop(index.vpc_label(vkey), cidr, "local", "delivered inside the VPC", "aws-vpc")],
                            vkey, dst_ip)
    return prepend(hops, (), (), delivered)


def tgw_peering(t, domain, label, hops, att, dst_ip, cls, stack):
    peer = att.get("peer_tgw_id") or att.get("resource_id")
    if peer == t.index.rtb_tgw.get(domain[1]):
        peer = att.get("tgw_id")
    rtb = t.index.association.get((peer, att["id"]))
    if rtb is None:
        return fail(hops, label, causes.TGW_ASSOCIATION_MISSING, "peering attachment %s has no route table association "
                    "on %s" % (att["id"], peer), element=att["id"])
    return t.follow(hops, (), (att["id"],), ("tgw-rtb", rtb), dst_ip, cls, stack)


def tgw_to_vpn(t, domain, label, hops, att, dst_ip, cls, stack):
    """Leave AWS through a VPN connection's tunnel into Alibaba: a VPN gateway's VPC or a transit router."""
    index = t.index
    vpn = index.vpn_by_attachment.get(att["id"])
    if vpn is None:
        return fail(hops, label, causes.NOT_READ, "VPN attachment %s has no VPN connection in the snapshot" % att["id"],
                    element=att["id"])
    label = "VPN connection %s" % (vpn.get("name") or vpn["id"])
    hops = list(hops)
    if not _available(vpn):
        return fail(hops, label, causes.VPN_NOT_AVAILABLE, "%s is %s" % (label, vpn.get("state")), element=vpn["id"])
    local_cidr = vpn.get("local_cidr") or ANY
    if not contains(local_cidr, dst_ip):
        return fail(hops, label, causes.DESTINATION_NOT_IN_SELECTORS, "%s only carries traffic to %s (its "
                    "customer-side network), not %s" % (label, local_cidr, index.describe_destination(dst_ip)),
                    element=vpn["id"])
    checks = [t.tunnels.by_tunnel.get((vpn["id"], tun.get("outside_ip"))) for tun in vpn.get("tunnels") or []]
    usable = []
    for check in checks:
        if check and check["ok"]:
            conn = index.ipsecs[check["alicloud_ipsec_connection_id"]]
            if any(contains(c, dst_ip) for c in conn.get("local_subnets") or [ANY]):
                usable.append((check, conn))
    if not usable:
        code, reason = hints.vpn_without_tunnel(index, label, vpn, checks, dst_ip)
        return fail(hops, label, code, reason, element=vpn["id"])
    check, conn = usable[0]
    end_label = "Alibaba IPsec connection %s" % (conn.get("name") or conn["id"])
    if check.get("alicloud_tunnel") is not None:
        end_label += " tunnel %s (%s)" % (check["alicloud_tunnel"], check["alicloud_tunnel_ip"])
    hops.append(hop(label, local_cidr, "tunnel %s" % check["tunnel_outside_ip"], "tunnel %d UP" % check["tunnel"],
                    "vpn"))
    constraints = [("AWS-side network %s of %s" % (vpn.get("remote_cidr") or ANY, vpn["id"]),
                    (vpn.get("remote_cidr") or ANY,), vpn["id"]),
                   ("remote networks %s of IPsec connection %s"
                    % (",".join(conn.get("remote_subnets") or []), conn["id"]),
                    tuple(conn.get("remote_subnets") or [ANY]), conn["id"])]
    via = (vpn["id"], "tunnel:" + str(check["tunnel_outside_ip"]), conn["id"])
    gw = index.vpn_gws.get(conn.get("vpn_gateway_id"))
    if gw is None and not conn.get("vpn_gateway_id"):
        return _into_transit_router(t, hops, end_label, conn, constraints, via, dst_ip, cls, stack)
    gw = gw or {}
    hops.append(hop(end_label, ",".join(conn.get("local_subnets") or []), gw.get("id"),
                    "on VPN gateway %s (%s)" % (gw.get("id"), gw.get("public_ip")), "ipsec"))
    vpc = index.ali_vpcs.get(gw.get("vpc_id"))
    if vpc is None:
        return fail(hops, "VPN gateway %s" % gw.get("id"), causes.NOT_READ, "the VPC %s of VPN gateway %s was not read"
                    % (gw.get("vpc_id"), gw.get("id")), element=gw.get("id"), constraints=constraints)
    return t.follow(hops, constraints, via, ("ali-rtb", index.system_table_id(vpc)), dst_ip, cls, stack)


def _into_transit_router(t, hops, end_label, conn, constraints, via, dst_ip, cls, stack):
    """An IPsec connection attached to a transit router forwards by the table associated with its VPN attachment."""
    index = t.index
    att = index.tr_vpn_attachment.get(conn["id"])
    if not _attached(att):
        hops.append(hop(end_label, ",".join(conn.get("local_subnets") or []), "?", "no VPN gateway", "ipsec"))
        return fail(hops, end_label, causes.IPSEC_NOT_ATTACHED, "IPsec connection %s has no VPN gateway and %s: "
                    "nothing forwards what it receives; attach it (CreateTransitRouterVpnAttachment)" % (
                        conn["id"], "is attached to no transit router" if att is None else
                        "its transit router VPN attachment %s is %s" % (att["id"], att.get("status"))),
                    element=conn["id"], constraints=constraints, via=via)
    hops.append(hop(end_label, ",".join(conn.get("local_subnets") or []), att["id"],
                    "VPN attachment on %s" % index.tr_label(att.get("tr_id")), "ipsec"))
    return _enter_transit_router(t, hops, att, att.get("tr_id"), constraints, via, dst_ip, cls, stack)


def _enter_transit_router(t, hops, att, tr_id, constraints, via, dst_ip, cls, stack):
    """Traffic arriving on ``att`` at transit router ``tr_id``: the route table associated with it there."""
    index = t.index
    if tr_id not in index.transit_routers:
        return fail(hops, "transit router %s" % tr_id, causes.NOT_READ, "transit router %s was not read (another "
                    "account or region? add it to the accounts and regions read)" % tr_id, element=tr_id,
                    constraints=constraints, via=via)
    table_id = index.tr_association.get((tr_id, att["id"]))
    if table_id is None:
        return fail(hops, index.tr_label(tr_id), causes.TR_NOT_ASSOCIATED, "%s %s is associated with no route table "
                    "of %s, which drops what arrives on it: associate it "
                    "(AssociateTransitRouterAttachmentWithRouteTable)" % (
                        TR_KINDS.get(att.get("kind"), "connection"), att["id"], index.tr_label(tr_id)),
                    element=att["id"], constraints=constraints, via=via)
    return t.follow(hops, constraints, tuple(via) + (tr_id,), ("tr-rtb", table_id), dst_ip, cls, stack)


TGW_ATTACHMENT_HOPS = {"vpc": tgw_to_vpc, "peering": tgw_peering, "vpn": tgw_to_vpn}


# --- Alibaba VPC route tables -------------------------------------------------------------------------------
def step_ali_rtb(t, domain, label, route, dst_ip, cls, stack):
    index = t.index
    vpc_id = index.ali_rtb_vpc.get(domain[1])
    if route is None:
        code, reason = hints.alicloud_no_route(index, t.routing, vpc_id, dst_ip)
        return fail([], label, code, reason, element=vpc_id)
    if route[0] == "cen":
        dummy, cen_id, learned = route
        hops = (hop(label, learned["destination"], cen_id, "learned from CEN (%s)"
                    % index.vpc_short(("ali", learned["origin"])), "ali-rtb"),)
        if ("cen", cen_id) in t.tables:
            t.transition(route, hops, (cen_id,), ("cen", cen_id))
        return t.follow(hops, (), (cen_id,), ("cen", cen_id), dst_ip, cls, stack)
    r = route[1]
    dest, kind, hop_id = r.get("destination"), r.get("next_hop_type"), r.get("next_hop_id")
    if kind == "local":
        return t.delivered([hop(label, dest, "local", "vSwitch %s" % hop_id, "ali-rtb")], ("ali", vpc_id), dst_ip)
    hops = [hop(label, dest, "%s %s" % (kind, hop_id), r.get("type", "Custom"), "ali-rtb")]
    if kind == "Attachment":
        att = index.tr_attachments.get(hop_id)
        ahead = _tr_table_of(t, att, att.get("tr_id")) if _attached(att) else None
        if ahead is not None:   # whatever the address, this route enters that table of the router
            t.transition(route, tuple(hops), (att.get("tr_id"),), ahead)
    handler = ALI_NEXT_HOPS.get(kind)
    if handler is None:
        return fail(hops, label, causes.UNSUPPORTED_TARGET, "%s sends %s to %s %s, which leaves the networks this "
                    "report can follow" % (label, index.describe_destination(dst_ip), kind, hop_id), element=vpc_id)
    return handler(t, hops, hop_id, dst_ip, cls, stack, vpc_id)


def _missing(hops, what, hop_id):
    return fail(hops, "%s %s" % (what, hop_id), causes.NEXT_HOP_MISSING, "route points at %s %s, which does not exist "
                "(or was not read)" % (what, hop_id), element=hop_id)


destination_routing = hints.destination_routing


def ali_to_aws(t, hops, gw_id, dst_ip, cls, stack, vpc_id=None):
    """Leave Alibaba through a VPN gateway: the IPsec connection whose selectors carry the destination, else (in
    destination routing) the gateway's VPN route entries."""
    index = t.index
    gw = index.vpn_gws.get(gw_id)
    if gw is None:
        return _missing(hops, "VPN gateway", gw_id)
    label = "Alibaba VPN gateway %s (%s)" % (gw.get("name") or gw_id, gw.get("public_ip"))
    own = index.ipsec_by_gw.get(gw_id, ())
    # policy-based routes (protected data flows) come before destination-based ones ("Manage destination-based routes")
    conns = [c for c in own if not destination_routing(c)
             and any(contains(s, dst_ip) for s in c.get("remote_subnets") or [ANY])]
    if not conns:
        if any(destination_routing(c) for c in own):
            return t.follow(hops, (), (), ("vpn-gw", gw_id), dst_ip, cls, stack)
        return fail(hops, label, causes.DESTINATION_NOT_IN_SELECTORS, "%s has no IPsec connection whose remote "
                    "networks hold %s; add it to the remote networks" % (label, index.describe_destination(dst_ip)),
                    element=gw_id)
    for conn in conns:
        if t.tunnels.by_connection.get(conn["id"], {}).get("ok"):
            break
    else:
        conn = conns[0]
    hops = list(hops) + [hop(label, ",".join(conn.get("remote_subnets") or []), "IPsec %s" % conn["id"],
                             "policy: remote networks", "vpn-gateway")]
    return ipsec_out(t, hops, label, conn, dst_ip, cls, stack)


def step_vpn_gw(t, domain, label, route, dst_ip, cls, stack):
    """A VPN gateway in destination routing: longest prefix; the active (weight 100) route unless its connection is
    down and the standby's (weight 0) works."""
    index = t.index
    gw_id = domain[1]
    if route is None:
        dest_conn = next((c["id"] for c in index.ipsec_by_gw.get(gw_id, ()) if destination_routing(c)), "?")
        dest = index.describe_destination(dst_ip)
        return fail([], label, causes.VPN_ROUTE_MISSING, "VPN gateway %s uses destination routing (IPsec connection "
                    "%s: 0.0.0.0/0 <-> 0.0.0.0/0) and has no VPN route entry for %s: the tunnel may be up, the "
                    "traffic is dropped; add one (CreateVpnRouteEntry RouteDest %s, NextHop %s, Weight 100)"
                    % (gw_id, dest_conn, dest, dest, dest_conn), element=gw_id)
    entries = route[1]

    def works(entry):
        return any((t.tunnels.by_end.get(end["key"]) or {}).get("ok")
                   for end in t.tunnels.ends.get(entry.get("next_hop"), []))

    chosen = entries[0]
    if not works(chosen):
        chosen = next((e for e in entries[1:] if works(e)), chosen)
    conn = index.ipsecs.get(chosen.get("next_hop"))
    hops = [hop(label, chosen.get("destination"), chosen.get("next_hop"), "VPN route entry, weight %s"
                % chosen.get("weight"), "vpn-gw")]
    if conn is None:
        return fail(hops, label, causes.NEXT_HOP_MISSING, "the VPN route entry %s of %s leads to IPsec connection %s, "
                    "which does not exist" % (chosen.get("destination"), gw_id, chosen.get("next_hop")), element=gw_id)
    return ipsec_out(t, hops, label, conn, dst_ip, cls, stack)


def ipsec_out(t, hops, label, conn, dst_ip, cls, stack):
    """Leave Alibaba through IPsec connection ``conn`` (on a VPN gateway or a transit router): its first working
    tunnel (master first), the AWS VPN connection on the other end, that VPN's TGW attachment."""
    index = t.index
    hops = list(hops)
    if not destination_routing(conn) and not any(contains(s, dst_ip) for s in conn.get("remote_subnets") or [ANY]):
        return fail(hops, label, causes.DESTINATION_NOT_IN_SELECTORS, "IPsec connection %s only carries traffic to its "
                    "remote networks %s, not %s" % (conn["id"], ",".join(conn.get("remote_subnets") or []),
                                                    index.describe_destination(dst_ip)), element=conn["id"])
    ends = t.tunnels.ends.get(conn["id"], [])
    checks = [t.tunnels.by_end.get(end["key"]) for end in ends]
    working = [(end, check) for end, check in zip(ends, checks) if check is not None and check["ok"]]
    if not working:
        first = next((c for c in checks if c is not None), None)
        code, reason = hints.ipsec_without_peer(index, label, conn, first, dst_ip)
        return fail(hops, label, code, reason, element=(first or {}).get("aws_vpn_connection_id") or conn["id"])
    end, check = working[0]
    vpn = index.vpns[check["aws_vpn_connection_id"]]
    remote_subnets = ",".join(conn.get("remote_subnets") or [])
    hops.append(hop("Alibaba IPsec connection %s" % (conn.get("name") or conn["id"])
                    + (" tunnel %s (%s)" % (end["number"], end["ip"]) if end["tunnel"] is not None else ""),
                    remote_subnets, "tunnel %s" % check["tunnel_outside_ip"], "IPsec SA up, peer %s" % vpn["id"],
                    "ipsec"))
    remote = vpn.get("remote_cidr") or ANY
    if not contains(remote, dst_ip):
        return fail(hops, "VPN connection %s" % vpn["id"], causes.DESTINATION_NOT_IN_SELECTORS, "VPN connection %s "
                    "only accepts traffic to %s (its AWS-side network)" % (vpn["id"], remote), element=vpn["id"])
    constraints = [("local networks %s of IPsec connection %s"
                    % (",".join(conn.get("local_subnets") or []), conn["id"]),
                    tuple(conn.get("local_subnets") or [ANY]), conn["id"]),
                   ("customer-side network %s of %s" % (vpn.get("local_cidr") or ANY, vpn["id"]),
                    (vpn.get("local_cidr") or ANY,), vpn["id"])]
    att_id = vpn.get("attachment_id")
    att = index.attachments.get(att_id) or {}
    vlabel = "VPN connection %s" % (vpn.get("name") or vpn["id"])
    hops.append(hop(vlabel, remote, att_id or "?", "TGW VPN attachment", "vpn"))
    via = (conn["id"], "tunnel:" + str(check["tunnel_outside_ip"]), vpn["id"])
    if not att_id or not _available(att):
        return fail(hops, vlabel, causes.TGW_ATTACHMENT_MISSING, "%s is not attached to a Transit Gateway (attachment "
                    "%s)" % (vlabel, att_id or "missing"), element=vpn["id"], constraints=constraints, via=via)
    rtb = index.association.get((att.get("tgw_id"), att_id))
    if rtb is None:
        return fail(hops, vlabel, causes.TGW_ASSOCIATION_MISSING, "VPN attachment %s has no TGW route table "
                    "association; associate it with the TGW route table" % att_id, element=att_id,
                    constraints=constraints, via=via)
    return t.follow(hops, constraints, via + (att.get("tgw_id"),), ("tgw-rtb", rtb), dst_ip, cls, stack)


def ali_peering(t, hops, ri_id, dst_ip, cls, stack, vpc_id=None):
    """Cross an Express Connect router-interface peering into the opposite VPC."""
    index = t.index
    ri = index.ris.get(ri_id)
    label = "router interface %s" % ri_id
    if ri is None:
        return _missing(hops, "router interface", ri_id)
    opp = index.ris.get(ri.get("opposite_interface_id"))
    hops = list(hops)
    if ri.get("status") != "Active":
        return fail(hops, label, causes.RI_NOT_ACTIVE, "router interface %s is %s, not Active: connect it "
                    "(ConnectRouterInterface from the initiating side)" % (ri_id, ri.get("status")), element=ri_id)
    if opp is None:
        return fail(hops, label, causes.NOT_READ, "the opposite interface %s of %s was not read (another account? add "
                    "it to the accounts read)" % (ri.get("opposite_interface_id"), ri_id), element=ri_id)
    if opp.get("status") != "Active" or opp.get("opposite_interface_id") != ri_id:
        return fail(hops, label, causes.RI_NOT_PAIRED, "the opposite interface %s is %s and points at %s, not %s"
                    % (opp["id"], opp.get("status"), opp.get("opposite_interface_id"), ri_id), element=ri_id)
    vpc = index.ali_vpcs.get(opp.get("vpc_id"))
    if vpc is None:
        return fail(hops, label, causes.NOT_READ, "the VPC behind %s was not read" % opp["id"], element=opp["id"])
    hops.append(hop("router interface %s" % (ri.get("name") or ri_id), "", opp["id"], "peering Active", "peering"))
    return t.follow(hops, (), ("peering:" + "|".join(sorted((ri_id, opp["id"]))),),
                    ("ali-rtb", index.system_table_id(vpc)), dst_ip, cls, stack)


def ali_vpc_peer(t, hops, conn_id, dst_ip, cls, stack, vpc_id=None):
    """Cross a VPC peering connection (VpcPeer) into the VPC at its other end; it must be Activated."""
    index = t.index
    conn = index.vpc_peers.get(conn_id)
    label = "VPC peering connection %s" % conn_id
    if conn is None:
        return _missing(hops, "VPC peering connection", conn_id)
    if conn.get("status") not in PEERING_ACTIVE:
        return fail(hops, label, causes.PEERING_NOT_ACCEPTED, hints.peering_not_active(index, conn), element=conn_id)
    far_id = conn.get("accepting_vpc_id") if vpc_id == conn.get("vpc_id") else conn.get("vpc_id")
    far = index.ali_vpcs.get(far_id)
    if far is None:
        return fail(hops, label, causes.NOT_READ, "the VPC %s at the other end of %s was not read (another account or "
                    "region? add it to the accounts and regions read)" % (far_id, conn_id), element=conn_id)
    hops = list(hops) + [hop(label if not conn.get("name") else "%s (%s)" % (label, conn["name"]), "", far_id,
                             "peering Activated", "peering")]
    return t.follow(hops, (), ("peering:" + conn_id,), ("ali-rtb", index.system_table_id(far)), dst_ip, cls, stack)


def ali_to_tr(t, hops, att_id, dst_ip, cls, stack, vpc_id=None):
    """A VPC route toward its transit router connection: the route table associated with that connection."""
    index = t.index
    att = index.tr_attachments.get(att_id)
    label = "transit router connection %s" % att_id
    if att is None:
        return _missing(hops, "transit router connection", att_id)
    if not _attached(att):
        return fail(hops, label, causes.ATTACHMENT_NOT_AVAILABLE, "route points at transit router connection %s, "
                    "which is %s, not Attached" % (att_id, att.get("status")), element=att_id)
    return _enter_transit_router(t, list(hops), att, att.get("tr_id"), (), (), dst_ip, cls, stack)


ALI_NEXT_HOPS = {"VpnGateway": ali_to_aws, "RouterInterface": ali_peering, "VpcPeer": ali_vpc_peer,
                 "Attachment": ali_to_tr}
PEERING_ACTIVE = ("Activated", "Updating")   # Updating: a bandwidth change keeps the old path (VpcPeer Status)


# --- CEN -------------------------------------------------------------------------------------------------
def step_cen(t, domain, label, route, dst_ip, cls, stack):
    index = t.index
    if route is None:
        return fail([], label, causes.CEN_NO_ROUTE, "%s has no route to %s"
                    % (label, index.describe_destination(dst_ip)), element=domain[1])
    origin = index.ali_vpcs[route["origin"]]
    hops = [hop(label, route["destination"], origin["id"], "published by %s (%s)" % (
        origin.get("name") or origin["id"], route["kind"]), "cen")]
    return t.follow(hops, (), (), ("ali-rtb", index.system_table_id(origin)), dst_ip, cls, stack)


# --- Enterprise transit routers --------------------------------------------------------------------------
TR_KINDS = {"vpc": "VPC connection", "peer": "inter-region connection", "vpn": "VPN attachment"}


def _attached(att):
    return att is not None and att.get("status", "Attached") in ("Attached", "Modifying")


def step_tr_rtb(t, domain, label, route, dst_ip, cls, stack):
    index = t.index
    if route is None:
        code, reason = hints.tr_no_route(index, domain[1], label, dst_ip)
        return fail([], label, code, reason, element=domain[1])
    r = route[1]
    dest, hop_type, att_id = r.get("destination"), r.get("next_hop_type"), r.get("next_hop_id")
    hops = [hop(label, dest, att_id or "blackhole", "%s route" % r.get("type", "Static"), "tr-rtb")]
    if hop_type == "BlackHole" or not att_id:
        return fail(hops, label, causes.TR_BLACKHOLE, "%s drops traffic for %s: route %s is a blackhole route; replace "
                    "it with a route to a connection" % (label, index.describe_destination(dst_ip), dest),
                    element=domain[1])
    att = index.tr_attachments.get(att_id)
    if not _attached(att):
        return fail(hops, label, causes.ATTACHMENT_NOT_AVAILABLE, "%s routes %s to connection %s, which is %s" % (
            label, dest, att_id, "gone" if att is None else att.get("status")), element=att_id)
    # VPC and inter-region connections lead to the same table whatever the address: follow them without this step
    if att.get("kind") == "peer":
        far = index.peer_end(att, index.tr_table_router.get(domain[1]))
        ahead = _tr_table_of(t, att, far)
        if ahead is not None:
            t.transition(route, tuple(hops), (att["id"], far), ahead)
    elif att.get("kind") == "vpc" and att.get("vpc_id") in index.ali_vpcs:
        ahead = ("ali-rtb", index.system_table_id(index.ali_vpcs[att["vpc_id"]]))
        if ahead in t.tables:
            t.transition(route, tuple(hops), (), ahead)
    handler = TR_ATTACHMENT_HOPS.get(att.get("kind"))
    if handler is None:
        return fail(hops, label, causes.UNSUPPORTED_TARGET, "connection %s of kind %s is not followed"
                    % (att_id, att.get("kind")), element=att_id)
    return handler(t, domain, label, hops, att, dst_ip, cls, stack)


def _tr_table_of(t, att, tr_id):
    """The route table traffic arriving on ``att`` at ``tr_id`` is forwarded by, as a domain; None if none is."""
    table_id = t.index.tr_association.get((tr_id, att["id"]))
    ahead = ("tr-rtb", table_id)
    return ahead if table_id is not None and ahead in t.tables else None


def tr_to_vpc(t, domain, label, hops, att, dst_ip, cls, stack):
    """Into a VPC through the router's ENIs: the VPC's system route table decides (it may route onward)."""
    vpc = t.index.ali_vpcs.get(att.get("vpc_id"))
    if vpc is None:
        return fail(hops, label, causes.NOT_READ, "connection %s leads to VPC %s, which was not read"
                    % (att["id"], att.get("vpc_id")), element=att["id"])
    return t.follow(hops, (), (), ("ali-rtb", t.index.system_table_id(vpc)), dst_ip, cls, stack)


def tr_peer(t, domain, label, hops, att, dst_ip, cls, stack):
    """Over an inter-region connection: the far router's table associated with that connection."""
    here = t.index.tr_table_router.get(domain[1])
    return _enter_transit_router(t, hops, att, t.index.peer_end(att, here), (), (att["id"],), dst_ip, cls, stack)


def tr_to_vpn(t, domain, label, hops, att, dst_ip, cls, stack):
    """Out through a VPN attachment: its IPsec connection's tunnels toward AWS."""
    conn = t.index.ipsecs.get(att.get("vpn_id"))
    if conn is None:
        return fail(hops, label, causes.NOT_READ, "VPN attachment %s leads to IPsec connection %s, which was not read"
                    % (att["id"], att.get("vpn_id")), element=att["id"])
    return ipsec_out(t, hops, "IPsec connection %s (VPN attachment %s)" % (conn["id"], att["id"]), conn, dst_ip,
                     cls, stack)


TR_ATTACHMENT_HOPS = {"vpc": tr_to_vpc, "peer": tr_peer, "vpn": tr_to_vpn}

STEPS = {"aws-rtb": step_aws_rtb, "tgw-rtb": step_tgw_rtb, "ali-rtb": step_ali_rtb, "cen": step_cen,
         "tr-rtb": step_tr_rtb, "vpn-gw": step_vpn_gw}
