# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read live state of both clouds into the snapshot ``reachability.analyse`` takes.

SDK calls go only through the ``AwsModule`` / ``AlicloudModule`` helpers (``call`` /
``paginate``), one helper per account and region. Reads are whole-region (never one call
per VPC) so a region costs a fixed handful of calls plus one per route table:

- AWS, per region: DescribeVpcs, DescribeSubnets, DescribeRouteTables,
  DescribeTransitGateways, DescribeTransitGatewayAttachments (associations come with them),
  DescribeTransitGatewayRouteTables, SearchTransitGatewayRoutes per TGW route table
  (static, propagated and blackhole routes), DescribeVpnConnections (tunnel options and
  telemetry), DescribeCustomerGateways.
- Alibaba, per region: DescribeVpcs, DescribeVSwitches, DescribeRouteTableList,
  DescribeRouteEntryList per route table, DescribeVpnGateways, DescribeCustomerGateways,
  DescribeVpnConnections (dual-tunnel and TR-attached connections with their tunnels),
  DescribeVpnRouteEntries per VPN gateway with a connection in destination routing,
  DescribeRouterInterfaces, ListVpcPeerConnections (VpcPeer), ListTransitRouters and, where the
  region has an Enterprise transit router, ListTransitRouter{Vpc,Peer,Vpn}Attachments, then per
  router ListTransitRouterRouteTables and per route table its associations, propagations and
  Active route entries (the listing helpers of transit_router.py); per account (CEN is
  global): DescribeCens, DescribeCenAttachedChildInstances per CEN,
  DescribePublishedRouteEntries per attached VPC.

Every list is paged to its end (PageNumber / NextToken, as each call pages).

Pre-shared keys never enter the snapshot: each is replaced by an HMAC-SHA256 under a key
drawn at random for this run (``PskHasher``), so the engine can compare both ends while the
report holds nothing that could be checked against a guessed key later.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import os

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from ansible_collections.multicloud.transit.plugins.module_utils import transit_router as tr_api
from ansible_collections.multicloud.transit.plugins.module_utils import vpc_peer as peer_api
from ansible_collections.multicloud.transit.plugins.module_utils.aws import subnet_tables
from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import dig

GONE = ("deleted", "deleting", "failed", "rejected", "Deleting", "Deleted")


class PskHasher(object):
    """Keyed hashes of pre-shared keys: equal keys give equal hashes within one run only."""

    def __init__(self, key=None):
        self._key = key or os.urandom(32)

    def __call__(self, psk):
        if not psk:
            return None
        return hmac.new(self._key, psk.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def _values(items):
    """[{"Value": "ikev2"}, ...] -> ["ikev2", ...] (TunnelOptions lists)."""
    return [i.get("Value") for i in items or [] if isinstance(i, dict) and i.get("Value") is not None]


def _name(tags):
    for tag in tags or []:
        if tag.get("Key") == "Name":
            return tag.get("Value")
    return None


# --- AWS ------------------------------------------------------------------------------------------------------

def _route_target(route):
    if route.get("TransitGatewayId"):
        return "transit_gateway", route["TransitGatewayId"]
    gateway = route.get("GatewayId")
    if gateway == "local":
        return "local", "local"
    for key, kind in (("VpcPeeringConnectionId", "vpc_peering"), ("NatGatewayId", "nat_gateway"),
                      ("NetworkInterfaceId", "network_interface"), ("InstanceId", "instance"),
                      ("EgressOnlyInternetGatewayId", "gateway"), ("LocalGatewayId", "gateway"),
                      ("CarrierGatewayId", "gateway"), ("CoreNetworkArn", "core_network")):
        if route.get(key):
            return kind, route[key]
    if gateway:
        return "gateway", gateway
    return "unknown", None


def read_aws(helper, account, region, hasher):
    """One AWS account and region -> the ``aws`` part of a snapshot."""
    out = {"vpcs": [], "transit_gateways": [], "tgw_attachments": [], "vpn_connections": [], "customer_gateways": []}
    vpcs = helper.paginate("describe_vpcs", "Vpcs")
    subnets = helper.paginate("describe_subnets", "Subnets")
    tables = helper.paginate("describe_route_tables", "RouteTables")
    subnets_by_vpc, tables_by_vpc = {}, {}
    for s in subnets:
        subnets_by_vpc.setdefault(s["VpcId"], []).append(s)
    for t in tables:
        tables_by_vpc.setdefault(t["VpcId"], []).append(t)
    for vpc in vpcs:
        cidrs = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet") or []
                 if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated"] or [vpc["CidrBlock"]]
        own_subnets = subnets_by_vpc.get(vpc["VpcId"], [])
        own_tables = tables_by_vpc.get(vpc["VpcId"], [])
        used = subnet_tables(own_tables, [s["SubnetId"] for s in own_subnets])
        out["vpcs"].append({
            "id": vpc["VpcId"], "name": _name(vpc.get("Tags")), "account": account, "region": region, "cidrs": cidrs,
            "subnets": [{"id": s["SubnetId"], "cidr": s["CidrBlock"], "route_table_id": used.get(s["SubnetId"])}
                        for s in own_subnets],
            "route_tables": [{"id": t["RouteTableId"], "routes": [
                dict(zip(("target_type", "target_id"), _route_target(r)), destination=r.get("DestinationCidrBlock"),
                     state=r.get("State", "active"))
                for r in t.get("Routes") or [] if r.get("DestinationCidrBlock")]} for t in own_tables],
        })
    tgws = [t for t in helper.paginate("describe_transit_gateways", "TransitGateways") if t.get("State") not in GONE]
    attachments = [a for a in helper.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments")
                   if a.get("State") not in GONE]
    associations = {}
    for a in attachments:
        assoc = a.get("Association") or {}
        if assoc.get("TransitGatewayRouteTableId") and assoc.get("State", "associated") == "associated":
            associations.setdefault(assoc["TransitGatewayRouteTableId"], []).append(a["TransitGatewayAttachmentId"])
        out["tgw_attachments"].append({
            "id": a["TransitGatewayAttachmentId"], "tgw_id": a["TransitGatewayId"], "type": a.get("ResourceType"),
            "resource_id": a.get("ResourceId"), "state": a.get("State")})
    rtbs_by_tgw = {}
    for rt in helper.paginate("describe_transit_gateway_route_tables", "TransitGatewayRouteTables"):
        if rt.get("State") in GONE:
            continue
        routes = helper.call("search_transit_gateway_routes", TransitGatewayRouteTableId=rt["TransitGatewayRouteTableId"],
                             Filters=[{"Name": "state", "Values": ["active", "blackhole"]}], MaxResults=1000) or {}
        if routes.get("AdditionalRoutesAvailable"):
            out.setdefault("warnings", []).append(
                {"code": causes.ROUTES_TRUNCATED,
                 "message": "TGW route table %s has more than 1000 routes; only the first 1000 were traced"
                            % rt["TransitGatewayRouteTableId"]})
        rtbs_by_tgw.setdefault(rt["TransitGatewayId"], []).append({
            "id": rt["TransitGatewayRouteTableId"], "name": _name(rt.get("Tags")),
            "associations": associations.get(rt["TransitGatewayRouteTableId"], []), "propagations": [],
            "routes": [{"destination": r.get("DestinationCidrBlock"), "type": r.get("Type"), "state": r.get("State"),
                        "attachment_id": ((r.get("TransitGatewayAttachments") or [{}])[0]).get("TransitGatewayAttachmentId")}
                       for r in routes.get("Routes") or [] if r.get("DestinationCidrBlock")]})
    for t in tgws:
        out["transit_gateways"].append({"id": t["TransitGatewayId"], "name": _name(t.get("Tags")), "account": account,
                                        "region": region, "state": t.get("State"),
                                        "route_tables": rtbs_by_tgw.get(t["TransitGatewayId"], [])})
    vpn_attachment = dict((a["resource_id"], a["id"]) for a in out["tgw_attachments"] if a["type"] == "vpn")
    for v in helper.call("describe_vpn_connections").get("VpnConnections") or []:
        if v.get("State") in GONE:
            continue
        options = v.get("Options") or {}
        telemetry = dict((t.get("OutsideIpAddress"), t) for t in v.get("VgwTelemetry") or [])
        tunnels = []
        for t in options.get("TunnelOptions") or []:
            tel = telemetry.get(t.get("OutsideIpAddress")) or {}
            tunnels.append({
                "outside_ip": t.get("OutsideIpAddress"), "inside_cidr": t.get("TunnelInsideCidr"),
                "status": tel.get("Status"), "status_message": tel.get("StatusMessage"),
                "psk_hash": hasher(t.get("PreSharedKey")),
                "ike_versions": _values(t.get("IkeVersions")),
                "phase1": {"encryption": _values(t.get("Phase1EncryptionAlgorithms")),
                           "integrity": _values(t.get("Phase1IntegrityAlgorithms")),
                           "dh_groups": _values(t.get("Phase1DHGroupNumbers")), "lifetime": t.get("Phase1LifetimeSeconds")},
                "phase2": {"encryption": _values(t.get("Phase2EncryptionAlgorithms")),
                           "integrity": _values(t.get("Phase2IntegrityAlgorithms")),
                           "dh_groups": _values(t.get("Phase2DHGroupNumbers")), "lifetime": t.get("Phase2LifetimeSeconds")},
            })
        out["vpn_connections"].append({
            "id": v["VpnConnectionId"], "name": _name(v.get("Tags")), "account": account, "region": region,
            "state": v.get("State"), "tgw_id": v.get("TransitGatewayId"),
            "attachment_id": vpn_attachment.get(v["VpnConnectionId"]), "customer_gateway_id": v.get("CustomerGatewayId"),
            "static_routes_only": options.get("StaticRoutesOnly"),
            "local_cidr": options.get("LocalIpv4NetworkCidr") or "0.0.0.0/0",
            "remote_cidr": options.get("RemoteIpv4NetworkCidr") or "0.0.0.0/0", "tunnels": tunnels})
    for c in helper.call("describe_customer_gateways").get("CustomerGateways") or []:
        if c.get("State") not in GONE:
            out["customer_gateways"].append({"id": c["CustomerGatewayId"], "ip": c.get("IpAddress"), "state": c.get("State")})
    return out


# --- Alibaba Cloud --------------------------------------------------------------------------------------------------

def _route_entries(helper, table_id, region):
    entries, token = [], None
    while True:
        params = {"RouteTableId": table_id, "MaxResult": 100, "RegionId": region}
        if token:
            params["NextToken"] = token
        body = helper.call("vpc", "DescribeRouteEntryList", params) or {}
        entries.extend(dig(body, "RouteEntrys.RouteEntry") or [])
        token = body.get("NextToken")
        if not token:
            return entries


def _subnet_list(value):
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def read_alicloud_region(helper, account, region, hasher):
    """One Alibaba account and region -> the regional part of the ``alicloud`` snapshot."""
    out = {"vpcs": [], "vpn_gateways": [], "customer_gateways": [], "ipsec_connections": [], "router_interfaces": []}
    rid = {"RegionId": region}
    vpcs = helper.paginate("vpc", "DescribeVpcs", rid, "Vpcs.Vpc")
    vswitches = helper.paginate("vpc", "DescribeVSwitches", rid, "VSwitches.VSwitch")
    tables = helper.paginate("vpc", "DescribeRouteTableList", rid, "RouterTableList.RouterTableListType")
    vsw_by_vpc, tables_by_vpc = {}, {}
    for v in vswitches:
        vsw_by_vpc.setdefault(v["VpcId"], []).append(v)
    for t in tables:
        tables_by_vpc.setdefault(t.get("VpcId"), []).append(t)
    for vpc in vpcs:
        system = ((vpc.get("RouterTableIds") or {}).get("RouterTableIds") or [None])[0]
        cidrs = [vpc["CidrBlock"]] + list((vpc.get("SecondaryCidrBlocks") or {}).get("SecondaryCidrBlock") or [])
        route_tables = []
        for t in tables_by_vpc.get(vpc["VpcId"], []):
            route_tables.append({"id": t["RouteTableId"], "type": t.get("RouteTableType") or "System", "routes": [
                {"destination": e.get("DestinationCidrBlock"), "type": e.get("Type"), "status": e.get("Status"),
                 "next_hop_type": (((e.get("NextHops") or {}).get("NextHop") or [{}])[0]).get("NextHopType"),
                 "next_hop_id": (((e.get("NextHops") or {}).get("NextHop") or [{}])[0]).get("NextHopId")}
                for e in _route_entries(helper, t["RouteTableId"], region)]})
        out["vpcs"].append({
            "id": vpc["VpcId"], "name": vpc.get("VpcName") or None, "account": account, "region": region,
            "cidrs": cidrs, "router_id": vpc.get("VRouterId"),
            "vswitches": [{"id": v["VSwitchId"], "cidr": v["CidrBlock"],
                           "route_table_id": (v.get("RouteTable") or {}).get("RouteTableId") or system}
                          for v in vsw_by_vpc.get(vpc["VpcId"], [])],
            "route_tables": route_tables})
    for g in helper.paginate("vpc", "DescribeVpnGateways", rid, "VpnGateways.VpnGateway"):
        out["vpn_gateways"].append({"id": g["VpnGatewayId"], "name": g.get("Name"), "vpc_id": g.get("VpcId"),
                                    "region": region, "account": account, "public_ip": g.get("InternetIp"),
                                    "secondary_ip": g.get("DisasterRecoveryInternetIp") or None,
                                    "status": g.get("Status")})
    for c in helper.paginate("vpc", "DescribeCustomerGateways", rid, "CustomerGateways.CustomerGateway"):
        out["customer_gateways"].append({"id": c["CustomerGatewayId"], "ip": c.get("IpAddress"), "region": region})
    for c in helper.paginate("vpc", "DescribeVpnConnections", rid, "VpnConnections.VpnConnection"):
        out["ipsec_connections"].append(ipsec_connection(c, account, region, hasher))
    destination_routed = set(c["vpn_gateway_id"] for c in out["ipsec_connections"]
                             if c["local_subnets"] == ANY and c["remote_subnets"] == ANY)
    for gw in out["vpn_gateways"]:
        if gw["id"] in destination_routed:
            gw["route_entries"] = vpn_route_entries(helper, gw["id"], region)
    for ri in helper.paginate("vpc", "DescribeRouterInterfaces", rid, "RouterInterfaceSet.RouterInterfaceType"):
        out["router_interfaces"].append({
            "id": ri["RouterInterfaceId"], "name": ri.get("Name"), "status": ri.get("Status"), "role": ri.get("Role"),
            "router_id": ri.get("RouterId"), "region": region, "account": account,
            "opposite_interface_id": ri.get("OppositeInterfaceId"), "opposite_owner": ri.get("OppositeInterfaceOwnerId"),
            "opposite_router_id": ri.get("OppositeRouterId")})
    out["vpc_peer_connections"] = [vpc_peer_connection(c) for c in peer_api.list_connections(helper, region=region)]
    out.update(read_transit_routers(helper, account, region))
    return out


ANY = ["0.0.0.0/0"]


def _ike(cfg, hasher):
    cfg = cfg or {}
    return {"version": cfg.get("IkeVersion"), "encryption": cfg.get("IkeEncAlg"), "integrity": cfg.get("IkeAuthAlg"),
            "dh_group": cfg.get("IkePfs"), "lifetime": cfg.get("IkeLifetime"), "psk_hash": hasher(cfg.get("Psk")),
            "mode": cfg.get("IkeMode"), "local_id": cfg.get("LocalId"), "remote_id": cfg.get("RemoteId")}


def _ipsec(cfg):
    cfg = cfg or {}
    return {"encryption": cfg.get("IpsecEncAlg"), "integrity": cfg.get("IpsecAuthAlg"), "dh_group": cfg.get("IpsecPfs"),
            "lifetime": cfg.get("IpsecLifetime")}


def ipsec_connection(c, account, region, hasher):
    """A DescribeVpnConnections item: single-tunnel, dual-tunnel (TunnelOptionsSpecification) or TR-attached.
    Pre-shared keys only as keyed hashes."""
    tunnels = []
    for t in dig(c, "TunnelOptionsSpecification.TunnelOptions") or []:
        tunnels.append({"id": t.get("TunnelId"), "index": int(t["TunnelIndex"]) if t.get("TunnelIndex") else None,
                        "role": t.get("Role"), "ip": t.get("InternetIp"), "customer_gateway_id": t.get(
                            "CustomerGatewayId"), "status": t.get("Status"), "state": t.get("State"),
                        "ike": _ike(t.get("TunnelIkeConfig"), hasher), "ipsec": _ipsec(t.get("TunnelIpsecConfig"))})
    return {
        "id": c["VpnConnectionId"], "name": c.get("Name"), "vpn_gateway_id": c.get("VpnGatewayId") or None,
        "customer_gateway_id": c.get("CustomerGatewayId") or None, "status": c.get("Status"), "state": c.get("State"),
        "region": region, "account": account, "attach_type": c.get("AttachType"),
        "transit_router_id": c.get("TransitRouterId") or None, "ip": c.get("InternetIp") or None,
        "local_subnets": _subnet_list(c.get("LocalSubnet")), "remote_subnets": _subnet_list(c.get("RemoteSubnet")),
        "ike": _ike(c.get("IkeConfig"), hasher), "ipsec": _ipsec(c.get("IpsecConfig")), "tunnels": tunnels}


def vpn_route_entries(helper, gateway_id, region):
    """A VPN gateway's destination routes (DescribeVpnRouteEntries, custom routes; PageSize at most 50)."""
    return [{"destination": e.get("RouteDest"), "next_hop": e.get("NextHop"), "weight": int(e.get("Weight") or 0),
             "state": e.get("State")}
            for e in helper.paginate("vpc", "DescribeVpnRouteEntries", {"VpnGatewayId": gateway_id, "RegionId": region},
                                     "VpnRouteEntries.VpnRouteEntry")]


def vpc_peer_connection(c):
    requester, accepter = peer_api.vpc_ids_of(c)
    return {"id": c.get("InstanceId"), "name": c.get("Name") or None, "status": c.get("Status"), "vpc_id": requester,
            "account": str(c.get("OwnerId") or ""), "region": c.get("RegionId"), "accepting_vpc_id": accepter,
            "accepting_account": str(c.get("AcceptingOwnerUid") or ""), "accepting_region": c.get("AcceptingRegionId")}


def _bindings(items):
    return sorted(i["TransitRouterAttachmentId"] for i in items if i.get("Status") == "Active")


def tr_attachment(att, kind):
    """A transit router connection (VPC, inter-region or VPN attachment) in the snapshot's shape."""
    out = {"id": att["TransitRouterAttachmentId"], "kind": kind, "tr_id": att.get("TransitRouterId"),
           "status": att.get("Status"), "region": att.get("RegionId"), "cen_id": att.get("CenId")}
    if kind == "vpc":
        out.update(vpc_id=att.get("VpcId"), vpc_owner=str(att.get("VpcOwnerId") or ""),
                   auto_publish=bool(att.get("AutoPublishRouteEnabled")))
    elif kind == "peer":
        out.update(peer_tr_id=att.get("PeerTransitRouterId"), peer_region=att.get("PeerTransitRouterRegionId"),
                   bandwidth_type=att.get("BandwidthType"), bandwidth=att.get("Bandwidth"),
                   bandwidth_package_id=att.get("CenBandwidthPackageId") or None)
    else:
        out.update(vpn_id=att.get("VpnId"))
    return out


def read_transit_routers(helper, account, region):
    """The Enterprise transit routers of one region: their connections, route tables, associations, route learning
    and Active routes. A region without one costs one call."""
    routers = [tr for tr in tr_api.list_transit_routers(helper, region=region)
               if tr.get("Type", tr_api.ENTERPRISE) == tr_api.ENTERPRISE
               and tr.get("Status") not in tr_api.GONE_STATUSES]
    if not routers:
        return {}
    attachments = []
    for kind in ("vpc", "peer", "vpn"):
        attachments.extend(tr_attachment(a, kind) for a in tr_api.live(tr_api.list_attachments(helper, kind, region)))
    out = []
    for tr in routers:
        tables = []
        for table in tr_api.route_tables(helper, tr):
            if table.get("TransitRouterRouteTableStatus") != "Active":
                continue
            table_id = table["TransitRouterRouteTableId"]
            tables.append({
                "id": table_id, "type": table.get("TransitRouterRouteTableType"),
                "associations": _bindings(tr_api.table_associations(helper, region, table_id)),
                "propagations": _bindings(tr_api.table_propagations(helper, region, table_id)),
                "routes": [{"destination": r.get("TransitRouterRouteEntryDestinationCidrBlock"),
                            "type": r.get("TransitRouterRouteEntryType"),
                            "status": r.get("TransitRouterRouteEntryStatus"),
                            "next_hop_type": r.get("TransitRouterRouteEntryNextHopType"),
                            "next_hop_id": r.get("TransitRouterRouteEntryNextHopId") or None}
                           for r in tr_api.table_routes(helper, region, table_id)]})
        out.append({"id": tr["TransitRouterId"], "cen_id": tr.get("CenId"), "name": tr.get("TransitRouterName") or None,
                    "region": tr.get("RegionId") or region, "account": account, "status": tr.get("Status"),
                    "route_tables": tables})
    return {"transit_routers": out, "tr_attachments": attachments}


def read_alicloud_cens(helper, account):
    """The CENs an Alibaba account owns, with attachments and the publish state of attached VPCs' routes."""
    cens = []
    for cen in helper.paginate("cbn", "DescribeCens", {}, "Cens.Cen"):
        if cen.get("Status") in GONE:
            continue
        children = helper.paginate("cbn", "DescribeCenAttachedChildInstances", {"CenId": cen["CenId"]},
                                   "ChildInstances.ChildInstance")
        published = []
        for child in children:
            if child.get("ChildInstanceType") != "VPC" or child.get("Status") != "Attached":
                continue
            params = {"CenId": cen["CenId"], "ChildInstanceId": child["ChildInstanceId"], "ChildInstanceType": "VPC",
                      "ChildInstanceRegionId": child.get("ChildInstanceRegionId")}
            for entry in helper.paginate("cbn", "DescribePublishedRouteEntries", params,
                                         "PublishedRouteEntries.PublishedRouteEntry"):
                published.append({"vpc_id": child["ChildInstanceId"], "route_table_id": entry.get("ChildInstanceRouteTableId"),
                                  "destination": entry.get("DestinationCidrBlock"), "next_hop_type": entry.get("NextHopType"),
                                  "next_hop_id": entry.get("NextHopId"), "publish_status": entry.get("PublishStatus")})
        cens.append({"id": cen["CenId"], "name": cen.get("Name") or None, "status": cen.get("Status"), "account": account,
                     "attachments": [{"instance_id": c["ChildInstanceId"], "instance_type": c.get("ChildInstanceType"),
                                      "region": c.get("ChildInstanceRegionId"), "owner": c.get("ChildInstanceOwnerId"),
                                      "status": c.get("Status")} for c in children],
                     "published_routes": published})
    return cens


# --- merging ------------------------------------------------------------------------------------------------------------

def merge(parts, probes=()):
    """Combine ``("aws"|"alicloud", part)`` pieces (several accounts and regions) into one snapshot."""
    snapshot = {"aws": {}, "alicloud": {}, "probes": list(probes)}
    seen = set()
    for cloud, part in parts:
        for kind, items in part.items():
            bucket = snapshot[cloud].setdefault(kind, [])
            for item in items:
                key = (cloud, kind, item.get("id"))
                if item.get("id") and key in seen:
                    continue
                seen.add(key)
                bucket.append(item)
    return snapshot
