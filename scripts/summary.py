#!/usr/bin/env python3
"""What `make demo` prints after the playbook: what was built in both clouds, read back live.

    scripts/summary.py --inventory inventories/seed-tgw-cen [--report reports/report.txt]

Reads the clouds through boto3 and the official Alibaba Cloud SDK with the standard env vars
(what `cloudtwin serve` exports: AWS_*, ALIBABA_CLOUD_*, ALICLOUD_ENDPOINT, and for several
Alibaba accounts CLOUDTWIN_ALICLOUD_<ACCOUNT>_ACCESS_KEY_ID/_SECRET). The inventory's topology
says which regions and resources to look at. Then the reachability matrix, if the report exists.

Never prints a pre-shared key or a secret key: only names, IDs, addresses and states.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys
from typing import Any, Dict, List, Optional

import yaml

GONE = ("deleted", "deleting", "failed", "rejected")


# --- topology -------------------------------------------------------------------------------------
def load_topology(inventory: str) -> Dict[str, Any]:
    """Merge every group_vars/all YAML file of the inventory (plain values only, no templating)."""
    merged: Dict[str, Any] = {}
    paths = sorted(glob.glob(os.path.join(inventory, "group_vars", "all", "*.y*ml")))
    paths += sorted(glob.glob(os.path.join(inventory, "group_vars", "all.y*ml")))
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            merged.update(yaml.safe_load(handle) or {})
    return merged


# --- Alibaba SDK ----------------------------------------------------------------------------------
class Ali:
    """Minimal read-only caller: ``Ali(...).call("vpc", "DescribeVpcs", {...})`` -> body dict."""

    PACKAGES = {"vpc": "alibabacloud_vpc20160428", "cbn": "alibabacloud_cbn20170912",
                "vpcpeer": "alibabacloud_vpcpeer20220101"}

    def __init__(self, key: str, secret: str, token: Optional[str] = None):
        self.key, self.secret, self.token = key, secret, token
        self.endpoint = os.environ.get("ALICLOUD_ENDPOINT")
        self._clients: Dict[Any, Any] = {}

    def _client(self, product: str, region: str):
        import importlib

        from alibabacloud_tea_openapi.utils_models import Config

        if (product, region) not in self._clients:
            package = self.PACKAGES[product]
            client_mod = importlib.import_module(package + ".client")
            models = importlib.import_module(package + ".models")
            config = Config(access_key_id=self.key, access_key_secret=self.secret, security_token=self.token,
                            region_id=region, read_timeout=30000, connect_timeout=10000)
            if self.endpoint:
                scheme, _, host = self.endpoint.rpartition("://")
                config.endpoint, config.protocol = host.rstrip("/"), scheme or "https"
            self._clients[(product, region)] = (client_mod.Client(config), models)
        return self._clients[(product, region)]

    def call(self, product: str, action: str, region: str, params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        client, models = self._client(product, region)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
        request = getattr(models, action + "Request")().from_map(dict(params or {}, RegionId=region))
        return getattr(client, snake)(request).body.to_map()


def dig(body: Any, path: str) -> Any:
    for part in path.split("."):
        body = (body or {}).get(part)
    return body


def ali_accounts(topology: Dict[str, Any]) -> Dict[str, Ali]:
    """Account (inventory host) name -> caller. Twin accounts come as CLOUDTWIN_ALICLOUD_<NAME>_*."""
    out: Dict[str, Ali] = {}
    default = None
    if os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID") and os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        default = Ali(os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"], os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                      os.environ.get("ALIBABA_CLOUD_SECURITY_TOKEN"))
    names = {h.get("host") for h in topology.get("transit_alicloud_hubs") or []}
    for peering in topology.get("vpc_peerings") or []:
        names |= {peering.get("initiator", {}).get("account"), peering.get("acceptor", {}).get("account")}
    for name in sorted(n for n in names if n):
        env = re.sub(r"[^A-Z0-9]", "_", name.upper())
        key = os.environ.get(f"CLOUDTWIN_ALICLOUD_{env}_ACCESS_KEY_ID")
        secret = os.environ.get(f"CLOUDTWIN_ALICLOUD_{env}_ACCESS_KEY_SECRET")
        if key and secret:
            out[name] = Ali(key, secret)
        elif default is not None:
            out[name] = default
    return out


# --- AWS ------------------------------------------------------------------------------------------
def aws_section(topology: Dict[str, Any], lines: List[str]) -> None:
    hubs = topology.get("transit_aws_hubs") or []
    if not hubs:
        return
    import boto3

    for hub in hubs:
        ec2 = boto3.client("ec2", region_name=hub["region"])
        tgws = [t for t in ec2.describe_transit_gateways(Filters=[{"Name": "tag:Name", "Values": [hub["name"]]}])
                ["TransitGateways"] if t["State"] not in GONE]
        lines.append(f"AWS {hub['region']}")
        if not tgws:
            lines.append(f"  Transit Gateway {hub['name']}: not found")
            continue
        tgw = tgws[0]
        tgw_id = tgw["TransitGatewayId"]
        lines.append(f"  Transit Gateway {hub['name']} {tgw_id} {tgw['State']} "
                     f"(ASN {tgw.get('Options', {}).get('AmazonSideAsn')})")
        vpc_names = {}
        for vpc in ec2.describe_vpcs()["Vpcs"]:
            vpc_names[vpc["VpcId"]] = next((t["Value"] for t in vpc.get("Tags", []) if t["Key"] == "Name"), vpc["VpcId"])
        atts = [a for a in ec2.describe_transit_gateway_attachments(
            Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["TransitGatewayAttachments"]
            if a["State"] not in GONE]
        for att in atts:
            what = vpc_names.get(att["ResourceId"], att["ResourceId"]) if att["ResourceType"] == "vpc" else att["ResourceId"]
            lines.append(f"    attachment {att['TransitGatewayAttachmentId']} {att['ResourceType']:<4} {what} "
                         f"{att['State']}")
        vpns = [v for v in ec2.describe_vpn_connections(
            Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["VpnConnections"] if v["State"] not in GONE]
        for vpn in vpns:
            name = next((t["Value"] for t in vpn.get("Tags", []) if t["Key"] == "Name"), "")
            lines.append(f"    VPN {vpn['VpnConnectionId']} {name} {vpn['State']}")
            for i, tel in enumerate(vpn.get("VgwTelemetry") or [], 1):
                lines.append(f"      tunnel {i} {tel.get('OutsideIpAddress')} {tel.get('Status')}")
        rtb_id = tgw.get("Options", {}).get("AssociationDefaultRouteTableId")
        if rtb_id:
            routes = ec2.search_transit_gateway_routes(
                TransitGatewayRouteTableId=rtb_id,
                Filters=[{"Name": "state", "Values": ["active", "blackhole"]}])["Routes"]
            lines.append(f"    TGW route table {rtb_id}:")
            for route in sorted(routes, key=lambda r: r["DestinationCidrBlock"]):
                targets = ", ".join(f"{a.get('ResourceType')} {vpc_names.get(a.get('ResourceId'), a.get('ResourceId'))}"
                                    for a in route.get("TransitGatewayAttachments", []))
                lines.append(f"      {route['DestinationCidrBlock']:<18} -> {targets or route['State']} ({route['Type']})")
        for vpc_id, name in sorted(vpc_names.items(), key=lambda kv: kv[1]):
            tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
            dests = sorted({r["DestinationCidrBlock"] for t in tables for r in t["Routes"]
                            if r.get("TransitGatewayId") == tgw_id})
            if dests:
                lines.append(f"    {name} subnet routes -> TGW: {', '.join(dests)}")
        lines.append("")


# --- Alibaba --------------------------------------------------------------------------------------
def alicloud_section(topology: Dict[str, Any], lines: List[str]) -> None:
    hubs = topology.get("transit_alicloud_hubs") or []
    accounts = ali_accounts(topology)
    for hub in hubs:
        ali = accounts.get(hub["host"])
        if ali is None:
            lines.append(f"Alibaba Cloud: no credentials for {hub['host']}")
            continue
        regions = sorted({v["region"] for v in hub.get("vpcs") or []})
        lines.append("Alibaba Cloud " + ", ".join(regions))
        vpcs = {}
        for region in regions:
            for vpc in dig(ali.call("vpc", "DescribeVpcs", region, {"PageSize": 50}), "Vpcs.Vpc") or []:
                vpcs[vpc["VpcId"]] = dict(vpc, Region=region)
        cens = [c for c in dig(ali.call("cbn", "DescribeCens", regions[0], {"PageSize": 50}), "Cens.Cen") or []
                if c.get("Name") == hub["name"]]
        if not cens:
            lines.append(f"  CEN {hub['name']}: not found")
        for cen in cens:
            lines.append(f"  CEN {cen['Name']} {cen['CenId']} {cen.get('Status')}")
            transit_router_lines(ali, cen["CenId"], regions, vpcs, lines)
            children = dig(ali.call("cbn", "DescribeCenAttachedChildInstances", regions[0],
                                    {"CenId": cen["CenId"], "PageSize": 50}), "ChildInstances.ChildInstance") or []
            for child in children:
                name = vpcs.get(child["ChildInstanceId"], {}).get("VpcName", child["ChildInstanceId"])
                lines.append(f"    child {child['ChildInstanceType']} {name} ({child['ChildInstanceRegionId']}) "
                             f"{child.get('Status')}")
                published = dig(ali.call("cbn", "DescribePublishedRouteEntries", regions[0], {
                    "CenId": cen["CenId"], "ChildInstanceId": child["ChildInstanceId"],
                    "ChildInstanceType": child["ChildInstanceType"],
                    "ChildInstanceRegionId": child["ChildInstanceRegionId"], "PageSize": 50}),
                    "PublishedRouteEntries.PublishedRouteEntry") or []
                for entry in published:
                    if entry.get("PublishStatus") == "Published" and entry.get("RouteType") != "System":
                        lines.append(f"      published {entry['DestinationCidrBlock']} -> "
                                     f"{entry.get('NextHopType')} {entry.get('NextHopId')}")
        for region in regions:
            gateways = dig(ali.call("vpc", "DescribeVpnGateways", region, {"PageSize": 50}), "VpnGateways.VpnGateway") or []
            connections = dig(ali.call("vpc", "DescribeVpnConnections", region, {"PageSize": 50}),
                              "VpnConnections.VpnConnection") or []
            cgws = {c["CustomerGatewayId"]: c for c in dig(ali.call("vpc", "DescribeCustomerGateways", region,
                                                                    {"PageSize": 50}), "CustomerGateways.CustomerGateway") or []}
            for conn in connections:
                if conn.get("AttachType") != "CEN":
                    continue
                lines.append(f"  IPsec {conn.get('Name')} {conn['VpnConnectionId']} attached to transit router "
                             f"{conn.get('TransitRouterId')} ({region}) {conn.get('State') or conn.get('Status')}")
                tunnel_lines(conn, cgws, lines)
            for gw in gateways:
                vpc = vpcs.get(gw.get("VpcId"), {}).get("VpcName", gw.get("VpcId"))
                lines.append(f"  VPN gateway {gw.get('Name')} {gw['VpnGatewayId']} {gw.get('InternetIp')} "
                             f"in {vpc} ({region}) {gw.get('Status')}")
                for conn in connections:
                    if conn.get("VpnGatewayId") != gw["VpnGatewayId"]:
                        continue
                    peer = cgws.get(conn.get("CustomerGatewayId"), {}).get("IpAddress", conn.get("CustomerGatewayId"))
                    lines.append(f"    IPsec {conn.get('Name')} {conn['VpnConnectionId']} -> {peer} {conn.get('Status')}")
                    tunnel_lines(conn, cgws, lines, indent="      ")
        for vpc_id, vpc in sorted(vpcs.items(), key=lambda kv: kv[1].get("VpcName", "")):
            tables = (vpc.get("RouterTableIds") or {}).get("RouterTableIds") or []
            if not tables:
                continue
            entries = dig(ali.call("vpc", "DescribeRouteEntryList", vpc["Region"],
                                   {"RouteTableId": tables[0], "MaxResult": 100}), "RouteEntrys.RouteEntry") or []
            shown = []
            for entry in entries:
                if entry.get("Type") == "System":
                    continue
                hops = (entry.get("NextHops") or {}).get("NextHop") or [{}]
                shown.append(f"{entry['DestinationCidrBlock']} -> {hops[0].get('NextHopType')} ({entry.get('Type')})")
            if shown:
                lines.append(f"    {vpc.get('VpcName')} routes: " + "; ".join(sorted(shown)))
        lines.append("")


def transit_router_lines(ali: Ali, cen_id: str, regions: List[str], vpcs: Dict[str, Any], lines: List[str]) -> None:
    """An Enterprise CEN: its transit routers, their connections (VPC, VPN, inter-region) and route tables."""
    names = dict((vpc_id, vpc.get("VpcName", vpc_id)) for vpc_id, vpc in vpcs.items())
    for region in regions:
        routers = dig(ali.call("cbn", "ListTransitRouters", region, {"CenId": cen_id, "PageSize": 50}),
                      "TransitRouters") or []
        for router in routers:
            if router.get("Type") == "Basic" or router.get("RegionId") != region:
                continue
            tr_id = router["TransitRouterId"]
            lines.append(f"    transit router {router.get('TransitRouterName')} {tr_id} ({region}) {router.get('Status')}")
            query = {"CenId": cen_id, "TransitRouterId": tr_id, "MaxResults": 50}
            for att in dig(ali.call("cbn", "ListTransitRouterVpcAttachments", region, query),
                           "TransitRouterAttachments") or []:
                zones = ", ".join(z.get("ZoneId", "") for z in att.get("ZoneMappings") or [])
                lines.append(f"      VPC connection {att['TransitRouterAttachmentId']} {names.get(att.get('VpcId'), att.get('VpcId'))}"
                             f" (zones {zones}) {att.get('Status')}")
            for att in dig(ali.call("cbn", "ListTransitRouterVpnAttachments", region, query),
                           "TransitRouterAttachments") or []:
                lines.append(f"      VPN connection {att['TransitRouterAttachmentId']} -> IPsec {att.get('VpnId')} "
                             f"{att.get('Status')}")
            for att in dig(ali.call("cbn", "ListTransitRouterPeerAttachments", region, query),
                           "TransitRouterAttachments") or []:
                if att.get("TransitRouterId") != tr_id:
                    continue
                lines.append(f"      inter-region connection {att['TransitRouterAttachmentId']} -> "
                             f"{att.get('PeerTransitRouterId')} ({att.get('PeerTransitRouterRegionId')}) "
                             f"{att.get('BandwidthType')} {att.get('Bandwidth')} Mbit/s {att.get('Status')}")
            tables = dig(ali.call("cbn", "ListTransitRouterRouteTables", region,
                                  {"TransitRouterId": tr_id, "MaxResults": 50}), "TransitRouterRouteTables") or []
            for table in tables:
                table_id = table["TransitRouterRouteTableId"]
                entries = dig(ali.call("cbn", "ListTransitRouterRouteEntries", region,
                                       {"TransitRouterRouteTableId": table_id, "MaxResults": 50}),
                              "TransitRouterRouteEntries") or []
                lines.append(f"      route table {table_id} ({table.get('TransitRouterRouteTableType')}):")
                for entry in sorted(entries, key=lambda e: e["TransitRouterRouteEntryDestinationCidrBlock"]):
                    hop = entry.get("TransitRouterRouteEntryNextHopResourceId") or entry.get(
                        "TransitRouterRouteEntryNextHopId") or entry.get("TransitRouterRouteEntryNextHopType")
                    lines.append(f"        {entry['TransitRouterRouteEntryDestinationCidrBlock']:<18} -> "
                                 f"{entry.get('TransitRouterRouteEntryNextHopResourceType') or ''} "
                                 f"{names.get(hop, hop)} ({entry.get('TransitRouterRouteEntryType')})")


def tunnel_lines(conn: Dict[str, Any], cgws: Dict[str, Any], lines: List[str], indent: str = "    ") -> None:
    """The tunnels of a dual-tunnel IPsec connection: role, Alibaba IP, the peer, state."""
    for tunnel in dig(conn, "TunnelOptionsSpecification.TunnelOptions") or []:
        peer = cgws.get(tunnel.get("CustomerGatewayId"), {}).get("IpAddress", tunnel.get("CustomerGatewayId"))
        lines.append(f"{indent}tunnel {tunnel.get('Role')} {tunnel.get('TunnelId')} {tunnel.get('InternetIp')} -> "
                     f"{peer} {tunnel.get('State') or tunnel.get('Status')}")


def vpc_peer_lines(ali: Ali, peering: Dict[str, Any], spec: Dict[str, Any], lines: List[str]) -> None:
    """A VPC peering connection (product VpcPeer) seen from one side."""
    body = ali.call("vpcpeer", "ListVpcPeerConnections", spec["region"], {"MaxResults": 100})
    for conn in body.get("VpcPeerConnects") or []:
        if conn.get("Name") != peering.get("name"):
            continue
        lines.append(f"    {spec.get('account')} {spec['region']}: VPC peering {conn['InstanceId']} "
                     f"{dig(conn, 'Vpc.VpcId')} -> {dig(conn, 'AcceptingVpc.VpcId')} ({conn.get('AcceptingRegionId')}) "
                     f"{conn.get('Status')}")


def peering_section(topology: Dict[str, Any], lines: List[str]) -> None:
    peerings = topology.get("vpc_peerings") or []
    if not peerings:
        return
    accounts = ali_accounts(topology)
    lines.append("Alibaba Cloud VPC peerings")
    for peering in peerings:
        lines.append(f"  {peering.get('name')}")
        for side in ("initiator", "acceptor"):
            spec = peering.get(side) or {}
            ali = accounts.get(spec.get("account"))
            if ali is None:
                lines.append(f"    {side}: no credentials for {spec.get('account')}")
                continue
            region = spec["region"]
            if (peering.get("method") or topology.get("vpc_peering_method") or "vpc_peer") == "vpc_peer":
                if side == "initiator":
                    vpc_peer_lines(ali, peering, spec, lines)
            interfaces = dig(ali.call("vpc", "DescribeRouterInterfaces", region, {"PageSize": 50}),
                             "RouterInterfaceSet.RouterInterfaceType") or []
            for ri in interfaces:
                if not str(ri.get("Name", "")).startswith(str(peering.get("name"))):
                    continue
                lines.append(f"    {side} {spec.get('account')} {region}: {ri.get('Name')} {ri['RouterInterfaceId']} "
                             f"{ri.get('Role')} {ri.get('Status')} -> {ri.get('OppositeInterfaceId')}")
            vpcs = dig(ali.call("vpc", "DescribeVpcs", region, {"PageSize": 50}), "Vpcs.Vpc") or []
            for vpc in vpcs:
                if spec.get("vpc") not in (vpc.get("VpcName"), vpc.get("VpcId")):
                    continue
                tables = (vpc.get("RouterTableIds") or {}).get("RouterTableIds") or []
                entries = dig(ali.call("vpc", "DescribeRouteEntryList", region,
                                       {"RouteTableId": tables[0], "MaxResult": 100}), "RouteEntrys.RouteEntry") or []
                for entry in entries:
                    hops = (entry.get("NextHops") or {}).get("NextHop") or [{}]
                    if hops[0].get("NextHopType") in ("RouterInterface", "VpcPeer"):
                        lines.append(f"      {vpc.get('VpcName')} route {entry['DestinationCidrBlock']} -> "
                                     f"{hops[0].get('NextHopId')}")
    lines.append("")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", required=True, help="inventory directory (its group_vars/all topology)")
    parser.add_argument("--report", default="reports/report.txt", help="reachability matrix to show if it exists")
    args = parser.parse_args(argv)
    topology = load_topology(args.inventory)
    lines: List[str] = [f"== what exists now ({os.path.basename(os.path.normpath(args.inventory))})", ""]
    failed = False
    for section in (aws_section, alicloud_section, peering_section):
        try:
            section(topology, lines)
        except Exception as exc:  # a summary never hides what it could read because of one failure
            lines.append(f"  ({section.__name__.replace('_section', '')}: could not read: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:200]})")
            lines.append("")
            failed = True
    if os.path.exists(args.report):
        lines.append("== reachability (" + args.report + ")")
        with open(args.report, encoding="utf-8") as handle:
            lines.append(handle.read().rstrip())
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
