# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enterprise Edition transit routers (CBN 2017-09-12), shared by the alicloud_transit_router* modules.

Lookups (CEN, routers by region, attachments, route tables and what they hold), the snake_case views every
module returns (so alicloud_transit_router_info and the managing modules show the same shapes), waits by id,
the zone-mapping rules of VPC connections, and the edition guard that stops the Basic-edition modules
(alicloud_cen attachments, alicloud_cen_route) on an Enterprise CEN before any change.

Pagination: ListTransitRouters pages by PageNumber / PageSize (1 to 50, ListTransitRoutersRequest); the other
List calls of the family by NextToken / MaxResults (1 to 100 where the models give a maximum; 50 is within
every one of them).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import dig
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, tags_to_dict

ENTERPRISE, BASIC = "Enterprise", "Basic"  # ListTransitRouters "Type" (ListTransitRoutersResponseBody)
EDITION_CODE = "OperationUnsupported.TransitRouterType"  # the CBN reference's code for a call of the wrong edition
# AttachCenChildInstance's documented refusal when the region's transit router is not a Basic one.
ATTACH_REFUSED = "OperationFailed.InvalidTransitRouter"

# "In regions where Enterprise Edition transit routers are available in only one zone, such as China (Nanjing -
# Local Region), ... at least one vSwitch; in regions with more than one zone ... at least two vSwitches in
# different zones" ("How transit routers work").
SINGLE_ZONE_REGIONS = ("cn-nanjing",)
MAX_ZONES = 10  # "You can specify at most 10 zones" (CreateTransitRouterVpcAttachmentRequest)

PAGE_SIZE = 50
GONE_STATUSES = ("Detaching", "Detached", "Deleting", "Deleted", "Dissociating", "Disabling")
ATTACHMENT_LISTS = {
    "vpc": "ListTransitRouterVpcAttachments",
    "peer": "ListTransitRouterPeerAttachments",
    "vpn": "ListTransitRouterVpnAttachments",
}


# --- the CEN and its routers ----------------------------------------------------------------------

def find_cen(mod, cen_id=None, name=None):
    """The CEN instance with this id, or the only one with this name; None when there is none."""
    key, value = ("CenId", cen_id) if cen_id else ("Name", name)
    cens = [c for c in mod.paginate("cbn", "DescribeCens", {"Filter": [{"Key": key, "Value": [value]}]}, "Cens.Cen")
            if c.get(key) == value]
    if len(cens) > 1:
        mod.fail("Several CEN instances are named %s (%s); give cen_id to pick one."
                 % (name, ", ".join(c["CenId"] for c in cens)))
    return cens[0] if cens else None


def require_cen(mod, cen_id):
    cen = find_cen(mod, cen_id=cen_id)
    if cen is None:
        mod.fail("cen_id: CEN %s was not found in this account; create it first with multicloud.transit.alicloud_cen."
                 % cen_id)
    return cen


def list_transit_routers(mod, cen_id=None, region=None, transit_router_id=None):
    """Every transit router of the CEN (all regions unless ``region``), any edition and status."""
    return mod.paginate("cbn", "ListTransitRouters", {"CenId": cen_id, "RegionId": region,
                                                      "TransitRouterId": transit_router_id},
                        "TransitRouters", page_size=PAGE_SIZE)


def get_transit_router(mod, transit_router_id):
    """The live transit router with this id (any region), or None."""
    return next((tr for tr in list_transit_routers(mod, transit_router_id=transit_router_id)
                 if tr.get("TransitRouterId") == transit_router_id and tr.get("Status") not in GONE_STATUSES), None)


def routers_by_region(mod, cen_id):
    """{region: router} of the CEN's live Enterprise Edition transit routers."""
    return dict((tr["RegionId"], tr) for tr in list_transit_routers(mod, cen_id)
                if tr.get("Type", ENTERPRISE) == ENTERPRISE and tr.get("Status") not in GONE_STATUSES)


def enterprise_message(cen_id, what, module_name):
    return "CEN %s uses Enterprise Edition transit routers: %s with multicloud.transit.%s" % (cen_id, what, module_name)


def refuse_enterprise(mod, cen_id, what, module_name, regions=None):
    """Stop a Basic-edition module, before any change, on a CEN whose transit routers are Enterprise Edition.

    The edition belongs to a CEN's transit router in one region: ListTransitRouters "Type". ``regions`` limits
    the check to the regions the module would act in.
    """
    routers = [tr for tr in list_transit_routers(mod, cen_id)
               if tr.get("Type") == ENTERPRISE and (regions is None or tr.get("RegionId") in regions)]
    if routers:
        mod.fail("%s (its transit routers: %s)." % (
            enterprise_message(cen_id, what, module_name),
            ", ".join("%s in %s" % (tr["TransitRouterId"], tr["RegionId"]) for tr in routers)),
            error_code=EDITION_CODE)


def known_regions(mod):
    """Region ids of Alibaba Cloud (the VPC API's DescribeRegions)."""
    return set(r["RegionId"] for r in dig(mod.call("vpc", "DescribeRegions", {}) or {}, "Regions.Region") or [])


def fail_without_router(mod, cen_id, region, field, routers):
    """The error for a region the CEN has no transit router in (or that is no region at all)."""
    if region not in known_regions(mod):
        mod.fail("%s: %s is not an Alibaba Cloud region (DescribeRegions lists the region ids, e.g. ap-northeast-1)."
                 % (field, region))
    mod.fail("%s: CEN %s has no transit router in %s (it has: %s); create it first with "
             "multicloud.transit.alicloud_transit_router." % (
                 field, cen_id, region, ", ".join(sorted(routers)) or "none"))


# --- attachments, route tables, routes ---------------------------------------------------------

def list_attachments(mod, kind, region=None, **params):
    """VPC, inter-region (peer) or VPN connections (``kind``) matching ``params`` (CenId, TransitRouterId, ...)."""
    body = dict(params)
    body["RegionId"] = region  # none: every region
    items = mod.paginate_token("cbn", ATTACHMENT_LISTS[kind], body, "TransitRouterAttachments", page_size=PAGE_SIZE,
                               region=region)
    for att in items:  # VPC and VPN connections report the region as the VPC's / IPsec connection's (the same one)
        if not att.get("RegionId"):
            att["RegionId"] = att.get("VpcRegionId") or att.get("VpnRegionId")
    return items


def live(items, status_key="Status"):
    return [i for i in items if i.get(status_key) not in GONE_STATUSES]


def route_tables(mod, tr):
    return mod.paginate_token("cbn", "ListTransitRouterRouteTables", {"TransitRouterId": tr["TransitRouterId"]},
                              "TransitRouterRouteTables", page_size=PAGE_SIZE, region=tr["RegionId"])


def system_table_id(tables):
    return next((t["TransitRouterRouteTableId"] for t in tables if t.get("TransitRouterRouteTableType") == "System"),
                None)


def table_associations(mod, region, table_id=None, attachment_id=None):
    return mod.paginate_token("cbn", "ListTransitRouterRouteTableAssociations", {
        "TransitRouterRouteTableId": table_id, "TransitRouterAttachmentId": attachment_id},
        "TransitRouterAssociations", page_size=PAGE_SIZE, region=region)


def table_propagations(mod, region, table_id, attachment_id=None):
    return mod.paginate_token("cbn", "ListTransitRouterRouteTablePropagations", {
        "TransitRouterRouteTableId": table_id, "TransitRouterAttachmentId": attachment_id},
        "TransitRouterPropagations", page_size=PAGE_SIZE, region=region)


def table_routes(mod, region, table_id, static_only=False, status=None, **params):
    """Route entries of a table: Active ones (the API's default), or ``status`` ("All" for every state)."""
    body = dict(params, TransitRouterRouteTableId=table_id, TransitRouterRouteEntryStatus=status)
    if static_only:
        body["TransitRouterRouteEntryType"] = "Static"
    return mod.paginate_token("cbn", "ListTransitRouterRouteEntries", body, "TransitRouterRouteEntries",
                              page_size=PAGE_SIZE, region=region)


def attachment_blockers(mod, tr, attachment_id, tables=None):
    """What stops a delete of an attachment without Force on ``tr``: its association, route learning and static
    routes toward it (DeleteTransitRouterVpcAttachment's error table), as sentences."""
    out = []
    for table in tables if tables is not None else route_tables(mod, tr):
        table_id, region = table["TransitRouterRouteTableId"], tr["RegionId"]
        if live(table_associations(mod, region, table_id, attachment_id)):
            out.append("it is associated with route table %s" % table_id)
        if live(table_propagations(mod, region, table_id, attachment_id)):
            out.append("route table %s learns its routes" % table_id)
        routes = table_routes(mod, region, table_id, static_only=True, status="All",
                              TransitRouterRouteEntryNextHopId=attachment_id)
        if routes:
            out.append("route table %s has static routes toward it (%s)" % (
                table_id, ", ".join(r["TransitRouterRouteEntryDestinationCidrBlock"] for r in routes)))
    return out


# --- views (the snake_case shapes every module returns) ---------------------------------------------

def tags_of(item):
    tags = item.get("Tags")
    if isinstance(tags, dict):
        tags = tags.get("Tag")
    return tags_to_dict(tags or [])


def router_view(tr, system_route_table_id=None):
    return {
        "transit_router_id": tr.get("TransitRouterId"), "region_id": tr.get("RegionId"), "cen_id": tr.get("CenId"),
        "status": tr.get("Status"), "type": tr.get("Type"), "name": tr.get("TransitRouterName") or "",
        "description": tr.get("TransitRouterDescription") or "", "tags": tags_of(tr),
        "system_route_table_id": system_route_table_id,
    }


def zone_mappings_view(mappings):
    return sorted(({"zone_id": m.get("ZoneId"), "vswitch_id": m.get("VSwitchId"),
                    "network_interface_id": m.get("NetworkInterfaceId")} for m in mappings or []),
                  key=lambda m: m["zone_id"] or "")


def _attachment_common(att):
    return {
        "transit_router_attachment_id": att.get("TransitRouterAttachmentId"),
        "transit_router_id": att.get("TransitRouterId"), "region_id": att.get("RegionId"), "cen_id": att.get("CenId"),
        "status": att.get("Status"), "name": att.get("TransitRouterAttachmentName") or "",
        "description": att.get("TransitRouterAttachmentDescription") or "",
        "auto_publish_route_enabled": bool(att.get("AutoPublishRouteEnabled")), "tags": tags_of(att),
    }


def vpc_attachment_view(att):
    out = _attachment_common(att)
    out.update(vpc_id=att.get("VpcId"), vpc_owner_id=str(att.get("VpcOwnerId") or ""),
               zone_mappings=zone_mappings_view(att.get("ZoneMappings")))
    return out


def peer_attachment_view(att):
    out = _attachment_common(att)
    out.update(peer_transit_router_id=att.get("PeerTransitRouterId"),
               peer_region_id=att.get("PeerTransitRouterRegionId"), bandwidth_type=att.get("BandwidthType"),
               bandwidth=att.get("Bandwidth"), cen_bandwidth_package_id=att.get("CenBandwidthPackageId") or None,
               default_link_type=att.get("DefaultLinkType"), geographic_span_id=att.get("GeographicSpanId"))
    return out


def vpn_attachment_view(att):
    out = _attachment_common(att)
    out.update(vpn_id=att.get("VpnId"), vpn_owner_id=str(att.get("VpnOwnerId") or ""),
               zones=[z.get("ZoneId") for z in att.get("Zones") or []])
    return out


def route_entry_view(entry):
    hop_type = entry.get("TransitRouterRouteEntryNextHopType")
    return {
        "destination_cidr_block": entry.get("TransitRouterRouteEntryDestinationCidrBlock"),
        "transit_router_route_entry_id": entry.get("TransitRouterRouteEntryId") or None,
        "type": entry.get("TransitRouterRouteEntryType"), "status": entry.get("TransitRouterRouteEntryStatus"),
        "blackhole": hop_type == "BlackHole", "next_hop_type": hop_type,
        "next_hop": entry.get("TransitRouterRouteEntryNextHopId") or None,
        "next_hop_resource_type": entry.get("TransitRouterRouteEntryNextHopResourceType") or None,
        "next_hop_resource_id": entry.get("TransitRouterRouteEntryNextHopResourceId") or None,
        "name": entry.get("TransitRouterRouteEntryName") or "",
        "description": entry.get("TransitRouterRouteEntryDescription") or "",
    }


def route_table_view(table, associations, propagations, routes):
    return {
        "transit_router_route_table_id": table.get("TransitRouterRouteTableId"),
        "transit_router_id": table.get("TransitRouterId"), "region_id": table.get("RegionId"),
        "type": table.get("TransitRouterRouteTableType"), "status": table.get("TransitRouterRouteTableStatus"),
        "name": table.get("TransitRouterRouteTableName") or "",
        "description": table.get("TransitRouterRouteTableDescription") or "", "tags": tags_of(table),
        "associations": sorted(a["TransitRouterAttachmentId"] for a in live(associations)),
        "propagations": sorted(p["TransitRouterAttachmentId"] for p in live(propagations)),
        "routes": sorted((route_entry_view(r) for r in routes),
                         key=lambda r: (cidr_key(r["destination_cidr_block"]), r["type"] or "")),
    }


def describe_route_table(mod, table):
    """A route table with its associations, route learning and the routes it holds (static and learned)."""
    region, table_id = table["RegionId"], table["TransitRouterRouteTableId"]
    return route_table_view(table, table_associations(mod, region, table_id), table_propagations(mod, region, table_id),
                            [r for r in table_routes(mod, region, table_id, status="All")
                             if r.get("TransitRouterRouteEntryStatus") not in ("Deleting",)])


def cidr_key(cidr):
    try:
        net = ipaddress.ip_network(cidr)
        return (net.version, int(net.network_address), net.prefixlen)
    except ValueError:
        return (9, 0, 0)


# --- waits -------------------------------------------------------------------------------------

def wait_for(mod, fetch, ids, what, ready=None, gone=False, id_key="TransitRouterAttachmentId", status_key="Status"):
    """Wait until every id of ``ids`` is read back by ``fetch()`` (a list) in a ``ready`` status, or is gone.

    By the ids the creates returned: a fresh read that does not see a new resource yet keeps waiting
    (eventual consistency) instead of taking it for gone. Honours the module's ``wait``.
    """
    ids = sorted(set(i for i in ids if i))
    if not ids or not mod.params.get("wait", True):
        return

    def seen(items):
        return dict((i.get(id_key), i.get(status_key)) for i in items if i.get(id_key) in ids)

    def done(items):
        status = seen(items)
        if gone:
            return all(status.get(i) in (None, "Deleted", "Detached") for i in ids)
        return all(status.get(i) in ready for i in ids)

    mod.wait(fetch, done, "%s %s" % (what, ", ".join(ids)), "gone" if gone else " or ".join(ready))


# --- zone mappings of VPC connections ------------------------------------------------------------------

def vpc_vswitches(mod, vpc_id, region):
    return mod.paginate("vpc", "DescribeVSwitches", {"VpcId": vpc_id}, "VSwitches.VSwitch", region=region)


def zones_needed(region):
    return 1 if region in SINGLE_ZONE_REGIONS else 2


def choose_zone_mappings(mod, field, vpc_id, region, vswitches):
    """One vSwitch per zone, for two zones where the region has several: the vSwitch with the most free
    addresses in each zone (the router's ENI takes one), zones in name order. Fails, naming the fix, when the
    VPC has vSwitches in too few zones."""
    best = {}
    for vsw in vswitches:
        if vsw.get("Status", "Available") != "Available" or int(vsw.get("AvailableIpAddressCount") or 0) < 1:
            continue
        zone = vsw["ZoneId"]
        rank = (-int(vsw.get("AvailableIpAddressCount") or 0), vsw["VSwitchId"])
        if zone not in best or rank < best[zone][0]:
            best[zone] = (rank, vsw)
    needed = zones_needed(region)
    if len(best) < needed:
        zones = sorted(best) or sorted(set(v["ZoneId"] for v in vswitches))
        if not vswitches:
            mod.fail("%s.zone_mappings: VPC %s in %s has no vSwitch; a transit router connection needs a vSwitch in "
                     "%d zones of the region: create them (with at least one free address each) or give zone_mappings."
                     % (field, vpc_id, region, needed))
        mod.fail("%s.zone_mappings: VPC %s has usable vSwitches in %s only, and %s has several zones: a transit "
                 "router connection needs vSwitches in at least %d zones. Add a vSwitch in a second zone, e.g. a zone "
                 "of %s other than %s (DescribeZones lists them), or give zone_mappings."
                 % (field, vpc_id, ", ".join(zones) or "no zone", region, needed, region, ", ".join(zones)))
    return [{"ZoneId": zone, "VSwitchId": best[zone][1]["VSwitchId"]} for zone in sorted(best)[:2]]


def check_zone_mappings(mod, field, vpc_id, region, mappings, vswitches=None):
    """Given zone_mappings: one vSwitch per zone, zones of the region, at least the zones the region needs, and
    (when the VPC's vSwitches are known: this account's VPC) each vSwitch in that VPC and zone."""
    zones = [m["zone_id"] for m in mappings]
    if len(set(zones)) != len(zones):
        mod.fail("%s.zone_mappings: one vSwitch per zone; zone %s is listed twice."
                 % (field, next(z for z in zones if zones.count(z) > 1)))
    if len(zones) > MAX_ZONES:
        mod.fail("%s.zone_mappings: at most %d zones." % (field, MAX_ZONES))
    if len(zones) < zones_needed(region):
        mod.fail("%s.zone_mappings: %s has several zones, so a transit router connection needs vSwitches in at least "
                 "%d zones (%d given); add a vSwitch of another zone." % (
                     field, region, zones_needed(region), len(zones)))
    for i, mapping in enumerate(mappings):
        if not mapping["zone_id"].startswith(region):
            mod.fail("%s.zone_mappings[%d].zone_id %s is not a zone of %s." % (field, i, mapping["zone_id"], region))
        if vswitches is None:
            continue
        vsw = next((v for v in vswitches if v["VSwitchId"] == mapping["vswitch_id"]), None)
        if vsw is None:
            mod.fail("%s.zone_mappings[%d].vswitch_id %s is not a vSwitch of VPC %s in %s."
                     % (field, i, mapping["vswitch_id"], vpc_id, region))
        if vsw["ZoneId"] != mapping["zone_id"]:
            mod.fail("%s.zone_mappings[%d]: vSwitch %s is in zone %s, not %s." % (
                field, i, mapping["vswitch_id"], vsw["ZoneId"], mapping["zone_id"]))
    return [{"ZoneId": m["zone_id"], "VSwitchId": m["vswitch_id"]} for m in mappings]


# --- what the managing modules share: names, tags, delete checks, options, the exit -------------------------

ROUTER_TEXTS = (("name", "TransitRouterName", 128), ("description", "TransitRouterDescription", 256))
ATTACHMENT_TEXTS = (("name", "TransitRouterAttachmentName", 128),
                    ("description", "TransitRouterAttachmentDescription", 256))


def check_texts(mod, field, item, texts):
    """Names (1-128) and descriptions (1-256) "cannot start with http:// or https://" (the Create* models)."""
    for option, dummy, limit in texts:
        value = item.get(option)
        if value is not None and (len(value) > limit or value.startswith(("http://", "https://"))):
            mod.fail("%s.%s must be at most %d characters and not start with http:// or https://."
                     % (field, option, limit))


def text_changes(item, resource, texts):
    """{API field: value} of the names / descriptions an item gives that differ from the resource's."""
    return dict((key, item[option]) for option, key, dummy in texts
                if item.get(option) is not None and item[option] != (resource.get(key) or ""))


def warn_tags(mod, field, resource, tags, resource_id):
    """Tags go with the create call only: the CBN TagResources model takes CEN instances (ResourceType cen)."""
    if tags is not None and tags_of(resource) != dict((k, str(v)) for k, v in tags.items()):
        mod.module.warn("%s: the tags of %s differ from the tags given; tags are set only when it is created."
                        % (field, resource_id))


def fail_if_blocked(mod, field, att, ends, what):
    """Without ``force``, name what still depends on connection ``att`` (``what``: how to call it), on each router
    of ``ends``, and stop."""
    if mod.params.get("force"):
        return
    blockers = [b for tr in ends for b in attachment_blockers(mod, tr, att["TransitRouterAttachmentId"])]
    if blockers:
        mod.fail("%s: %s cannot be deleted while %s. Remove them with "
                 "multicloud.transit.alicloud_transit_router_route_table (purge_associations, purge_propagations, "
                 "purge_routes), or set force=true." % (field, what, "; ".join(blockers)))


def lifecycle_options(**options):
    """The argument spec's ``state`` / ``wait`` / ``wait_timeout`` (plus ``options``) of every managing module."""
    spec = dict(options)
    spec.update(state=dict(type="str", choices=["present", "absent"], default="present"),
                wait=dict(type="bool", default=True), wait_timeout=dict(type="int", default=600))
    return spec


def finish(mod, changed, before, after, **result):
    """Exit with ``changed``, ``result`` and, with --diff, the before / after views."""
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(changed=changed, **result)
