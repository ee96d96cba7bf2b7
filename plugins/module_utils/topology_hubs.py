# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the hub roles and the pre-flight compute from a plan and from what the clouds hold (pure, no SDK).

- which VPCs each host reads in the pre-flight (``vpc_reads``, one read-only call per account), and matching
  the declared VPCs with what ``aws_vpc_info`` / ``alicloud_vpc_info`` found (``match_vpcs``: missing,
  ambiguous, CIDR not as declared, unknown subnets or vSwitches, each naming the hub, the VPC and the fix);
- the lists the hub roles hand to one module call each (VPC attachments, subnet routes, transit routers,
  inter-region connections, route tables, VPC route entries), so no role task loops over VPCs;
- the ``transit_built`` facts of a hub.
The filters in plugins/filter/topology.py wrap these functions.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils.topology import region_pairs, unique, vpc_key

CLOUD_HUB_WORDS = {"aws": "AWS hub", "alicloud": "Alibaba hub"}
VPC_NAME_FIELD = {"aws": "name", "alicloud": "vpc_name"}  # the name field of each cloud's *_vpc_info result
HUB_TAG = "transit:hub"  # tag (AWS) that marks what a hub manages


class VpcMatchError(ValueError):
    """Declared VPCs that do not match what the cloud holds; ``problems`` lists each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(VpcMatchError, self).__init__("; ".join(self.problems))


def owner_of(cloud, hub, vpc):
    """The inventory host whose credentials see ``vpc`` (its account)."""
    return (vpc.get("account_host") if cloud == "alicloud" else None) or hub["host"]


def vpc_region(cloud, hub, vpc):
    return hub["region"] if cloud == "aws" else vpc["region"]


# --- what to read -----------------------------------------------------------------------------------------
def vpc_query(vpcs):
    """``{vpc_ids, names}`` for one read: by ids or by names when all VPCs are given one way, else everything
    (the *_vpc_info filters are combined with AND, so a mixed list reads every VPC and matches here)."""
    ids = unique(v["id"] for v in vpcs if v.get("id"))
    names = unique(v["name"] for v in vpcs if not v.get("id"))
    if not names:
        return {"vpc_ids": ids, "names": []}
    if not ids:
        return {"vpc_ids": [], "names": names}
    return {"vpc_ids": [], "names": []}


def hub_vpc_reads(cloud, hubs, host=None):
    """The reads of the VPCs of ``hubs`` (owned by ``host`` when given).

    AWS: ``[{region, vpc_ids, names}]``, one per region (aws_vpc_info reads one region); Alibaba:
    ``[{account_host, regions, vpc_ids, names}]``, one per account (alicloud_vpc_info takes ``regions``).
    """
    groups = {}
    order = []
    for hub in hubs:
        for vpc in hub["vpcs"]:
            owner = owner_of(cloud, hub, vpc)
            if host is not None and owner != host:
                continue
            group = vpc_region(cloud, hub, vpc) if cloud == "aws" else owner
            if group not in groups:
                order.append(group)
                groups[group] = []
            groups[group].append(dict(vpc, region=vpc_region(cloud, hub, vpc)))
    reads = []
    for group in order:
        read = vpc_query(groups[group])
        if cloud == "aws":
            read["region"] = group
        else:
            read["account_host"] = group
            read["regions"] = unique(v["region"] for v in groups[group])
        reads.append(read)
    return reads


def vpc_reads(plan, host):
    """What ``host`` reads in the pre-flight: ``{"aws": [...], "alicloud": [...]}`` (see ``hub_vpc_reads``)."""
    return {"aws": hub_vpc_reads("aws", [plan["aws_hubs"][n] for n in plan["order"]["aws_hubs"]], host),
            "alicloud": hub_vpc_reads("alicloud", [plan["alicloud_hubs"][n] for n in plan["order"]["alicloud_hubs"]],
                                      host)}


def found_vpcs(result, host=None, region=None):
    """The VPCs of a registered ``*_vpc_info`` result (or of a loop over them), each marked with the host that
    read it (``found_by``: the loop item's ``account_host``, else ``host``) and its ``region``."""
    out = []
    runs = result.get("results") if isinstance(result, dict) and "results" in result else [result]
    for run in runs or []:
        if not isinstance(run, dict) or run.get("skipped"):
            continue
        item = run.get("item") if isinstance(run.get("item"), dict) else {}
        for vpc in run.get("vpcs") or []:
            vpc = dict(vpc)
            vpc["found_by"] = item.get("account_host") or host
            vpc["region"] = vpc.get("region_id") or item.get("region") or region
            out.append(vpc)
    return out


# --- matching ---------------------------------------------------------------------------------------------
def match_vpcs(cloud, hub, found, host=None):
    """``(resolved, problems)``: each declared VPC of ``hub`` (owned by ``host`` when given) matched with the
    ``found`` VPCs (``found_vpcs``) read with its owner's credentials in its region."""
    resolved, problems = [], []
    for index, vpc in enumerate(hub["vpcs"]):
        owner = owner_of(cloud, hub, vpc)
        if host is not None and owner != host:
            continue
        region = vpc_region(cloud, hub, vpc)
        pool = [f for f in found if f.get("found_by") in (owner, None) and (f.get("region") or region) == region]
        if vpc.get("id"):
            hits = [f for f in pool if f.get("vpc_id") == vpc["id"]]
        else:
            hits = [f for f in pool if f.get(VPC_NAME_FIELD[cloud]) == vpc["name"]]
        where = "%s %s: vpcs[%d] (%s)" % (CLOUD_HUB_WORDS[cloud], hub["name"], index, vpc_key(vpc))
        account = "" if owner == hub["host"] else " of the account of %s" % owner
        if not hits:
            problems.append("%s: there is no VPC %s %r in %s%s; create it, or correct vpcs[%d].%s" % (
                where, "with id" if vpc.get("id") else ("named" if cloud == "alicloud" else "with Name tag"),
                vpc.get("id") or vpc["name"], region, account, index, "id" if vpc.get("id") else "name"))
            continue
        if len(hits) > 1:
            problems.append("%s: %d VPCs in %s%s are named %r (%s); give its `id` instead" % (
                where, len(hits), region, account, vpc["name"], ", ".join(h["vpc_id"] for h in hits)))
            continue
        live = hits[0]
        if vpc.get("cidr") and live.get("cidr_block") != vpc["cidr"]:
            problems.append("%s: its CIDR block is %s, not %s as declared; correct vpcs[%d].cidr (the other cloud "
                            "routes toward the declared one)" % (where, live.get("cidr_block"), vpc["cidr"], index))
        resolve = _resolve_aws if cloud == "aws" else _resolve_alicloud
        item, more = resolve(hub, vpc, live, index)
        problems.extend("%s: %s" % (where, p) for p in more)
        resolved.append(item)
    return resolved, problems


def hub_vpcs(cloud, hub, found, host=None):
    """``match_vpcs`` that raises VpcMatchError with every problem."""
    resolved, problems = match_vpcs(cloud, hub, found, host)
    if problems:
        raise VpcMatchError(problems)
    return resolved


def _resolve_aws(hub, vpc, live, index):
    problems = []
    subnets = live.get("subnets") or []
    known = [s["subnet_id"] for s in subnets]
    for position, subnet in enumerate(vpc.get("subnets") or []):
        if subnet not in known:
            problems.append("vpcs[%d].subnets[%d] %s is not a subnet of %s (it has: %s)" % (
                index, position, subnet, live["vpc_id"], ", ".join(known) or "none"))
    if not subnets:
        problems.append("%s has no subnet; a Transit Gateway attachment needs one subnet per Availability Zone"
                        % live["vpc_id"])
    first_per_zone = {}
    for subnet in sorted(subnets, key=lambda s: s["subnet_id"]):
        first_per_zone.setdefault(subnet.get("availability_zone"), subnet["subnet_id"])
    return {
        "key": vpc["key"], "name": live.get("name"), "vpc_id": live["vpc_id"], "cidr_block": live.get("cidr_block"),
        "region": hub["region"],
        "subnet_ids": list(vpc.get("subnets") or [first_per_zone[z] for z in sorted(first_per_zone, key=str)]),
        "route_table_ids": list(vpc.get("route_table_ids") or live.get("route_table_ids") or []),
        "routes": vpc.get("routes", True),
        "route_tables": live.get("route_tables") or [],
    }, problems


def _resolve_alicloud(hub, vpc, live, index):
    problems = []
    vswitches = live.get("vswitches") or []
    mappings = None
    if vpc.get("zone_mappings"):
        mappings = []
        for position, mapping in enumerate(vpc["zone_mappings"]):
            where = "vpcs[%d].zone_mappings[%d]" % (index, position)
            ref = mapping.get("vswitch_id") or mapping.get("vswitch_name")
            hits = [s for s in vswitches if ref in (s.get("vswitch_id"), s.get("name"), s.get("vswitch_name"))]
            if len(hits) != 1:
                problems.append("%s: %s vSwitch %r in %s (its vSwitches: %s)" % (
                    where, "no" if not hits else "more than one", ref, live["vpc_id"],
                    ", ".join("%s %s" % (s.get("name") or "", s.get("vswitch_id")) for s in vswitches) or "none"))
                continue
            if hits[0].get("zone_id") != mapping["zone_id"]:
                problems.append("%s: vSwitch %s is in zone %s, not %s; correct zone_id" % (
                    where, ref, hits[0].get("zone_id"), mapping["zone_id"]))
            mappings.append({"zone_id": mapping["zone_id"], "vswitch_id": hits[0]["vswitch_id"]})
    elif vpc.get("account_host"):
        # The CEN's account cannot read another account's vSwitches, so the module needs the mappings: the first
        # vSwitch (by id) of each of the VPC's first two zones, stable from run to run.
        first = {}
        for vsw in sorted(vswitches, key=lambda s: s.get("vswitch_id") or ""):
            first.setdefault(vsw.get("zone_id"), vsw["vswitch_id"])
        mappings = [{"zone_id": zone, "vswitch_id": first[zone]} for zone in sorted(first, key=str)[:2]]
        if not mappings:
            problems.append("%s has no vSwitch; a transit router connection needs one in each of two zones"
                            % live["vpc_id"])
    resolved = {
        "key": vpc["key"], "name": live.get("vpc_name"), "vpc_id": live["vpc_id"], "region": vpc["region"],
        "cidr_block": live.get("cidr_block"), "route_table_id": live.get("route_table_id"),
        "route_table_ids": list(live.get("route_table_ids") or [live.get("route_table_id")]),
        "account_host": vpc.get("account_host"),
        "owner_id": str(live["owner_id"]) if live.get("owner_id") is not None else None,
        "zone_mappings": mappings, "remote_routes": vpc.get("remote_routes", True),
    }
    if "route_entries" in live:
        resolved["route_entries"] = live["route_entries"]
    return resolved, problems


# --- AWS hub lists ----------------------------------------------------------------------------------------
def aws_vpc_attachments(hub, vpcs):
    """``aws_tgw_attachment`` ``vpc_attachments``: one per VPC, named ``<hub>-<vpc key>``."""
    return [{"vpc_id": v["vpc_id"], "name": "%s-%s" % (hub["name"], v["key"]), "subnet_ids": v["subnet_ids"]}
            for v in vpcs]


def _other_networks(vpc, vpcs, remote_cidrs):
    own = vpc.get("cidr_block")
    others = [v.get("cidr_block") for v in vpcs if v["vpc_id"] != vpc["vpc_id"]]
    return [c for c in unique(others + list(remote_cidrs or [])) if c and c != own]


def aws_subnet_routes(hub, vpcs, tgw_id):
    """``aws_vpc_route`` ``routes``: in every subnet route table of every VPC, each OTHER network (the hub's
    other VPCs and its remote_cidrs) toward the Transit Gateway."""
    routes = []
    for vpc in vpcs:
        if not vpc.get("routes", True):
            continue
        for table in vpc["route_table_ids"]:
            for cidr in _other_networks(vpc, vpcs, hub.get("remote_cidrs")):
                routes.append({"route_table_id": table, "destination_cidr_block": cidr, "transit_gateway_id": tgw_id})
    return routes


def aws_subnet_routes_toward(vpcs, tgw_id):
    """``aws_vpc_route`` ``routes`` to delete: what the VPCs' subnet route tables send to ``tgw_id`` now."""
    routes = []
    for vpc in vpcs:
        for table in vpc.get("route_tables") or []:
            if table.get("route_table_id") not in vpc["route_table_ids"]:
                continue
            for route in table.get("routes") or []:
                item = {"route_table_id": table["route_table_id"],
                        "destination_cidr_block": route.get("destination_cidr_block")}
                if route.get("transit_gateway_id") == tgw_id and item["destination_cidr_block"] and item not in routes:
                    routes.append(item)
    return routes


def attachment_ids(vpcs, attachments):
    """``{vpc key: attachment id}`` from a list module's result (``vpc_attachments`` / ``attachments``)."""
    by_vpc = dict((a.get("vpc_id"), a.get("transit_gateway_attachment_id") or a.get("transit_router_attachment_id"))
                  for a in attachments or [])
    return dict((v["key"], by_vpc.get(v["vpc_id"])) for v in vpcs)


def aws_route_tables(hub, ids):
    """One ``aws_tgw_route_table`` call's arguments per declared custom table, VPC keys resolved to attachments."""
    def ref(value):
        return ids.get(value, value)
    tables = []
    for table in hub.get("route_tables") or []:
        routes = []
        for route in table.get("routes") or []:
            if route.get("blackhole"):
                routes.append({"destination_cidr_block": route["cidr"], "blackhole": True})
            else:
                routes.append({"destination_cidr_block": route["cidr"], "attachment_id": ref(route["target"])})
        tables.append({"name": table["name"], "associations": [ref(a) for a in table.get("associations") or []],
                       "propagations": [ref(a) for a in table.get("propagations") or []], "routes": routes})
    return tables


def _slim(vpcs, keys):
    return [dict((k, v[k]) for k in keys if k in v) for v in vpcs]


def aws_built(hub, vpcs, tgw, attachments):
    """The ``transit_built.aws_hubs[<hub>]`` entry."""
    tgw = tgw or {}
    view = tgw.get("transit_gateway") or {}
    return {
        "tgw_id": tgw.get("transit_gateway_id"), "region": hub["region"],
        "route_table_id": view.get("association_default_route_table_id"),
        "attachment_ids": attachment_ids(vpcs, attachments),
        "vpcs": _slim(vpcs, ("key", "name", "vpc_id", "cidr_block", "route_table_ids")),
        "cidrs": unique(v["cidr_block"] for v in vpcs if v.get("cidr_block")),
    }


# --- Alibaba hub lists ------------------------------------------------------------------------------------
def alicloud_transit_routers(hub):
    """``alicloud_transit_router`` ``transit_routers``: one per region of the hub's VPCs."""
    return [{"region": region, "name": "%s-%s" % (hub["name"], region)} for region in hub["regions"]]


def alicloud_vpc_attachments(hub, vpcs):
    """``alicloud_transit_router_vpc_attachment`` ``attachments``: one per VPC (zones automatic unless given;
    another account's VPC names its owner, and its connection publishes the transit router's routes into it).
    A basic hub: ``alicloud_cen`` ``attachments`` (child instances)."""
    if hub.get("edition") == "basic":
        return [dict({"instance_id": v["vpc_id"], "region_id": v["region"]},
                     **({"owner_id": v["owner_id"]} if v.get("account_host") and v.get("owner_id") else {}))
                for v in vpcs]
    items = []
    for vpc in vpcs:
        item = {"vpc_id": vpc["vpc_id"], "region": vpc["region"], "name": "%s-%s" % (hub["name"], vpc["key"])}
        if vpc.get("zone_mappings"):
            item["zone_mappings"] = vpc["zone_mappings"]
        if vpc.get("account_host"):
            # Its route tables are another account's: it takes the routes its connection publishes instead.
            item.update(vpc_owner_id=vpc.get("owner_id"), auto_publish_route_enabled=True)
        items.append(item)
    return items


def alicloud_peer_attachments(hub, bandwidth_package_id=None):
    """``alicloud_transit_router_peer_attachment`` ``peer_attachments``: one per pair of the hub's regions."""
    inter = hub.get("inter_region") or {}
    items = []
    for region, peer in region_pairs(hub["regions"]):
        item = {"region": region, "peer_region": peer, "name": "%s-%s-%s" % (hub["name"], region, peer),
                "bandwidth_type": inter.get("bandwidth_type") or "DataTransfer", "bandwidth": inter.get("bandwidth")}
        if item["bandwidth_type"] == "BandwidthPackage":
            item["cen_bandwidth_package_id"] = bandwidth_package_id
        items.append(item)
    return items


def alicloud_region_limits(hub):
    """``alicloud_cen_bandwidth`` ``region_limits`` of a basic hub's bandwidth package (region pairs)."""
    package = hub.get("bandwidth_package") or {}
    return [{"local_region_id": p["local_region"], "opposite_region_id": p["opposite_region"],
             "bandwidth_limit": p["bandwidth"]} for p in package.get("region_pairs") or []]


def alicloud_route_tables(routers, vpc_attachments, peer_attachments):
    """``alicloud_transit_router_route_table`` ``route_tables``: each router's system table associated with and
    learning from the VPC connections of its region and the inter-region connections that touch it."""
    tables = []
    for router in routers:
        region = router.get("region_id")
        ids = [a["transit_router_attachment_id"] for a in vpc_attachments or [] if a.get("region_id") == region]
        ids += [p["transit_router_attachment_id"] for p in peer_attachments or []
                if region in (p.get("region_id"), p.get("peer_region_id"))]
        ids = unique(i for i in ids if i)
        tables.append({"transit_router_id": router["transit_router_id"], "system": True,
                       "associations": ids, "propagations": ids})
    return tables


def alicloud_route_entries(hub, vpcs, attachments):
    """``alicloud_route_entry`` ``routes``: in every route table of every VPC of the hub's own account, each OTHER
    network (the hub's other VPCs, and the hub's remote_cidrs unless the VPC's VPN gateway publishes them) toward
    its own transit router connection. (Another account's VPC takes the routes its connection publishes.)"""
    ids = attachment_ids(vpcs, attachments)
    routes = []
    for vpc in vpcs:
        if vpc.get("account_host") or not ids.get(vpc["key"]):
            continue
        remote = hub.get("remote_cidrs") if vpc.get("remote_routes", True) else []
        routes.extend({"route_table_id": table, "region": vpc["region"], "destination_cidr_block": cidr,
                       "next_hop_type": "Attachment", "next_hop_id": ids[vpc["key"]], "name": hub["name"]}
                      for table in vpc["route_table_ids"] for cidr in _other_networks(vpc, vpcs, remote))
    return routes


def _next_hops(entry):
    hops = ((entry.get("next_hops") or {}).get("next_hop") or [])
    hops = [(h.get("next_hop_type"), h.get("next_hop_id")) for h in hops]
    if entry.get("next_hop_type") or entry.get("instance_id"):
        hops.append((entry.get("next_hop_type"), entry.get("instance_id") or entry.get("next_hop_id")))
    return hops


def alicloud_route_entries_toward(vpcs, transit_router_attachment_ids):
    """``alicloud_route_entry`` ``routes`` to delete: the custom entries of the VPCs of the hub's own account (read
    with ``include_routes``) whose next hop is one of the hub's transit router connections."""
    ours = set(i for i in transit_router_attachment_ids or [] if i)
    routes = []
    for vpc in vpcs:
        if vpc.get("account_host"):
            continue
        for entry in vpc.get("route_entries") or []:
            if str(entry.get("type", "Custom")).lower() != "custom":
                continue
            if any(kind == "Attachment" and hop in ours for kind, hop in _next_hops(entry)):
                item = {"route_table_id": entry.get("route_table_id"), "region": vpc["region"],
                        "destination_cidr_block": entry.get("destination_cidr_block")}
                if item not in routes:
                    routes.append(item)
    return routes


def alicloud_built(hub, vpcs, cen, routers=None, attachments=None, peers=None):
    """The ``transit_built.alicloud_hubs[<hub>]`` entry."""
    cen = cen or {}
    return {
        "cen_id": cen.get("cen_id"), "edition": hub["edition"],
        "transit_routers": dict((r.get("region_id"), {"transit_router_id": r.get("transit_router_id"),
                                                      "system_route_table_id": r.get("system_route_table_id")})
                                for r in routers or []),
        "vpc_attachment_ids": attachment_ids(vpcs, attachments) if attachments else {},
        "peer_attachment_ids": dict(("%s|%s" % (p.get("region_id"), p.get("peer_region_id")),
                                     p.get("transit_router_attachment_id")) for p in peers or []),
        "vpcs": _slim(vpcs, ("key", "name", "vpc_id", "region", "cidr_block", "route_table_id", "account_host",
                             "owner_id")),
        "cidrs": unique(v["cidr_block"] for v in vpcs if v.get("cidr_block")),
    }
