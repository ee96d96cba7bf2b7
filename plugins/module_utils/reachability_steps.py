# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reachability: what happens inside each kind of routing domain, and at each kind of next hop.

Three registries, each a plain dict, are where new kinds plug in:

- ``STEPS[domain kind](tracer, domain, label, route, dst_ip, cls, stack)``: a routing domain
  (``aws-rtb``, ``tgw-rtb``, ``ali-rtb``, ``cen``); ``route`` is the table's longest-prefix match
  (None: no route). A new kind (an Enterprise transit router route table, a VPN gateway's
  route entries) adds its table builder in reachability_tables.TABLE_BUILDERS and its step here.
- ``AWS_ROUTE_TARGETS[target_type]`` (same signature as a step): what an AWS subnet route leads
  to (``local``, ``transit_gateway``; a VPC peering connection would be ``vpc_peering``).
- ``TGW_ATTACHMENT_HOPS[attachment type](tracer, domain, label, hops, attachment, dst_ip, cls, stack)``:
  where a TGW route's attachment leads (``vpc``, ``peering``, ``vpn``).
- ``ALI_NEXT_HOPS[next_hop_type](tracer, hops, next_hop_id, dst_ip, cls, stack)``: where an
  Alibaba route entry leads (``VpnGateway``, ``RouterInterface``; later ``Attachment`` toward a
  transit router, ``VpcPeer``).

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
    """Leave AWS through a VPN connection's tunnel into the Alibaba VPN gateway's VPC."""
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
    gw = index.vpn_gws.get(conn.get("vpn_gateway_id")) or {}
    hops.append(hop(label, local_cidr, "tunnel %s" % check["tunnel_outside_ip"], "tunnel %d UP" % check["tunnel"],
                    "vpn"))
    hops.append(hop("Alibaba IPsec connection %s" % (conn.get("name") or conn["id"]),
                    ",".join(conn.get("local_subnets") or []), gw.get("id"),
                    "on VPN gateway %s (%s)" % (gw.get("id"), gw.get("public_ip")), "ipsec"))
    constraints = [("AWS-side network %s of %s" % (vpn.get("remote_cidr") or ANY, vpn["id"]),
                    (vpn.get("remote_cidr") or ANY,), vpn["id"]),
                   ("remote networks %s of IPsec connection %s"
                    % (",".join(conn.get("remote_subnets") or []), conn["id"]),
                    tuple(conn.get("remote_subnets") or [ANY]), conn["id"])]
    vpc = index.ali_vpcs.get(gw.get("vpc_id"))
    if vpc is None:
        return fail(hops, "VPN gateway %s" % gw.get("id"), causes.NOT_READ, "the VPC %s of VPN gateway %s was not read"
                    % (gw.get("vpc_id"), gw.get("id")), element=gw.get("id"), constraints=constraints)
    via = (vpn["id"], "tunnel:" + str(check["tunnel_outside_ip"]), conn["id"])
    return t.follow(hops, constraints, via, ("ali-rtb", index.system_table_id(vpc)), dst_ip, cls, stack)


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
    handler = ALI_NEXT_HOPS.get(kind)
    if handler is None:
        return fail(hops, label, causes.UNSUPPORTED_TARGET, "%s sends %s to %s %s, which leaves the networks this "
                    "report can follow" % (label, index.describe_destination(dst_ip), kind, hop_id), element=vpc_id)
    return handler(t, hops, hop_id, dst_ip, cls, stack)


def ali_to_aws(t, hops, gw_id, dst_ip, cls, stack):
    """Leave Alibaba through a VPN gateway's IPsec connection into the AWS VPN attachment's TGW route table."""
    index = t.index
    gw = index.vpn_gws.get(gw_id)
    if gw is None:
        return fail(hops, "Alibaba VPN gateway %s" % gw_id, causes.NEXT_HOP_MISSING, "route points at VPN gateway %s, "
                    "which does not exist" % gw_id, element=gw_id)
    label = "Alibaba VPN gateway %s (%s)" % (gw.get("name") or gw_id, gw.get("public_ip"))
    conns = [c for c in sorted(index.ipsec_by_gw.get(gw_id, []), key=lambda c: c["id"])
             if any(contains(s, dst_ip) for s in c.get("remote_subnets") or [ANY])]
    if not conns:
        return fail(hops, label, causes.DESTINATION_NOT_IN_SELECTORS, "%s has no IPsec connection whose remote "
                    "networks hold %s; add it to the remote networks" % (label, index.describe_destination(dst_ip)),
                    element=gw_id)
    usable = [(c, t.tunnels.by_connection.get(c["id"])) for c in conns]
    ok = [(c, ch) for c, ch in usable if ch and ch["ok"]]
    if not ok:
        conn, check = usable[0]
        code, reason = hints.ipsec_without_peer(index, label, conn, check, dst_ip)
        element = (check or {}).get("aws_vpn_connection_id") or conn["id"]
        return fail(hops, label, code, reason, element=element)
    conn, check = ok[0]
    vpn = index.vpns[check["aws_vpn_connection_id"]]
    hops = list(hops)
    remote_subnets = ",".join(conn.get("remote_subnets") or [])
    hops.append(hop(label, remote_subnets, "IPsec %s" % conn["id"], "policy: remote networks", "vpn-gateway"))
    hops.append(hop("Alibaba IPsec connection %s" % (conn.get("name") or conn["id"]), remote_subnets,
                    "tunnel %s" % check["tunnel_outside_ip"], "IPsec SA up, peer %s" % vpn["id"], "ipsec"))
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


def ali_peering(t, hops, ri_id, dst_ip, cls, stack):
    """Cross an Express Connect router-interface peering into the opposite VPC."""
    index = t.index
    ri = index.ris.get(ri_id)
    label = "router interface %s" % ri_id
    if ri is None:
        return fail(hops, label, causes.NEXT_HOP_MISSING, "route points at router interface %s, which does not exist"
                    % ri_id, element=ri_id)
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


ALI_NEXT_HOPS = {"VpnGateway": ali_to_aws, "RouterInterface": ali_peering}


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


STEPS = {"aws-rtb": step_aws_rtb, "tgw-rtb": step_tgw_rtb, "ali-rtb": step_ali_rtb, "cen": step_cen}
