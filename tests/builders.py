"""Shared network builders: the first walkthrough on today's clouds, built on a twin through the clouds' own APIs
(boto3 and the official Alibaba SDKs over HTTP), for any test that needs the whole network.

``build_today(handle, bridge="transit_router" | "vpn_gateway")`` builds, on the seed-tgw-cen world under today's
rules (the ``today_twin`` fixture):

- AWS hub: a Transit Gateway with both Virginia VPCs attached; each VPC's subnet table routes every other network
  (the other AWS VPC, both Alibaba VPCs) to the TGW; the TGW routes the Alibaba prefixes to the first VPN;
- Enterprise hub: a CEN, a transit router in Tokyo and in Beijing, each VPC attached in two zones, one
  inter-region connection (no bandwidth package: the 1 Kbps test bandwidth, as in the walkthrough), every
  connection associated with and learning into its router's system table, each VPC routing every other network
  to its own connection;
- bridge ``transit_router`` (the default design): one dual-tunnel IPsec connection attached to the Tokyo router
  (CreateVpnAttachment + CreateTransitRouterVpnAttachment) paired with two AWS VPN connections: Alibaba tunnel k
  <-> tunnel 1 of AWS VPN k (AWS tunnel 2 is idle by design); the router routes the AWS prefix to the VPN
  attachment (destination routing advertises nothing);
- bridge ``vpn_gateway`` (the walkthrough's design, today): a dual-tunnel VPN gateway in the Tokyo VPC, two AWS
  VPN connections (customer gateways: the gateway's two IPs) and two dual-tunnel IPsec connections in destination
  routing, A = master -> VPN-1 tunnel 1 + slave -> VPN-2 tunnel 1, B = master -> VPN-1 tunnel 2 + slave -> VPN-2
  tunnel 2; VPN route entries for each AWS VPC (A weight 100, B weight 0); the Tokyo VPC routes the AWS prefix to
  the gateway, the Tokyo router to the Tokyo VPC.

Returns a ``Network`` holding every id a breakage needs. Hosts and probes are the walkthrough's.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, List

from twinhelpers import (ALI_MATCHING_IKE, ALI_MATCHING_IPSEC, aws_outside_ips, aws_vpn, cbn_call, seeded_vpc,
                         seeded_vswitch, vpc_call)

TOKYO, BEIJING, VIRGINIA = "ap-northeast-1", "cn-beijing", "us-east-1"
HOSTS = {"virginia-a": "172.16.0.132", "virginia-b": "172.17.0.111", "tokyo": "10.0.0.17", "beijing": "192.168.0.92"}
PROBES = [{"name": name, "ip": ip} for name, ip in HOSTS.items()]
AWS_VPCS = {"vpc-a": "172.16.0.0/16", "vpc-b": "172.17.0.0/16"}
ALIBABA_VPCS = {"tokyo-vpc": "10.0.0.0/8", "beijing-vpc": "192.168.0.0/16"}
AWS_PREFIX = "172.16.0.0/12"  # what the Alibaba side routes toward AWS (the walkthrough's remote network)
# two zones for each transit router connection (the world's today-only second vSwitches)
ZONE_VSWITCHES = {"tokyo-vpc": ("tokyo-vsw-1", "tokyo-vsw-2"), "beijing-vpc": ("beijing-vsw-1", "beijing-vsw-2")}
PLACEHOLDER_IP = "192.0.2.1"  # the Alibaba customer gateway before the AWS tunnels exist


class Network(SimpleNamespace):
    """Ids of what a builder made (``tgw``, ``tgw_table``, ``cen``, ``tr``/``table``/``vpc_attachment`` per VPC
    name, ``peer``, ``vpns``, and per bridge its own)."""


def cbn(handle, action: str, **params: Any) -> Dict[str, Any]:
    return cbn_call(handle, action, **params)


def tr_route(handle, table_id: str, cidr: str, attachment_id: str) -> None:
    cbn(handle, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=table_id,
        TransitRouterRouteEntryDestinationCidrBlock=cidr, TransitRouterRouteEntryNextHopType="Attachment",
        TransitRouterRouteEntryNextHopId=attachment_id)


def link(handle, attachment_id: str, table_id: str) -> None:
    """Associate and learn: the connection forwards by the table, the table learns the connection's routes."""
    cbn(handle, "AssociateTransitRouterAttachmentWithRouteTable", TransitRouterAttachmentId=attachment_id,
        TransitRouterRouteTableId=table_id)
    cbn(handle, "EnableTransitRouterRouteTablePropagation", TransitRouterAttachmentId=attachment_id,
        TransitRouterRouteTableId=table_id)


def ali_route(handle, vpc_name: str, cidr: str, hop_type: str, hop_id: str) -> None:
    vpc = seeded_vpc(handle, vpc_name)
    vpc_call(handle, "CreateRouteEntry", region=vpc.region, RouteTableId=vpc["RouteTableId"],
             DestinationCidrBlock=cidr, NextHopType=hop_type, NextHopId=hop_id)


def tgw_attachment(ec2, resource_id: str) -> str:
    """The TGW attachment of a VPC or VPN connection."""
    return ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-id", "Values": [resource_id]}])[
        "TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"]


# --- the hubs ---------------------------------------------------------------------------------------------

def aws_hub(handle, net: Network) -> None:
    """A TGW, both Virginia VPCs attached, every subnet table routing every other network to it."""
    ec2 = net.ec2
    net.tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    net.tgw_table = ec2.describe_transit_gateways(TransitGatewayIds=[net.tgw])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    net.subnet_tables = {}
    for name, cidr in AWS_VPCS.items():
        vpc_id = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
            "Subnets"]]
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=net.tgw, VpcId=vpc_id, SubnetIds=subnets)
        table = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": subnets}])[
            "RouteTables"][0]["RouteTableId"]
        net.subnet_tables[name] = table
        others = [c for n, c in AWS_VPCS.items() if n != name] + list(ALIBABA_VPCS.values())
        for dest in others:
            ec2.create_route(RouteTableId=table, DestinationCidrBlock=dest, TransitGatewayId=net.tgw)


def enterprise_hub(handle, net: Network, aws_via_router: bool = True, synchronised: tuple = ()) -> None:
    """CEN, one transit router per region, VPC connections in two zones, the inter-region connection, system tables
    associated with and learning from every connection, VPC routes toward each VPC's own connection.

    ``aws_via_router``: the VPCs route the AWS prefix to the router too (False: Tokyo routes it itself, to its VPN
    gateway). ``synchronised``: names of VPCs that take their routes from the router (AutoPublishRouteEnabled)
    instead of route entries of their own."""
    net.cen = cbn(handle, "CreateCen", Name="hub")["CenId"]
    net.tr, net.table, net.vpc_attachment = {}, {}, {}
    for name in ALIBABA_VPCS:
        vpc = seeded_vpc(handle, name)
        tr_id = cbn(handle, "CreateTransitRouter", CenId=net.cen, RegionId=vpc.region,
                    TransitRouterName=name.split("-")[0])["TransitRouterId"]
        net.tr[name] = tr_id
        net.table[name] = cbn(handle, "ListTransitRouterRouteTables", TransitRouterId=tr_id,
                              TransitRouterRouteTableType="System")["TransitRouterRouteTables"][0][
            "TransitRouterRouteTableId"]
        zones = [{"ZoneId": seeded_vswitch(handle, v)["ZoneId"], "VSwitchId": seeded_vswitch(handle, v).id}
                 for v in ZONE_VSWITCHES[name]]
        net.vpc_attachment[name] = cbn(handle, "CreateTransitRouterVpcAttachment", TransitRouterId=tr_id,
                                       RegionId=vpc.region, VpcId=vpc.id, ZoneMappings=zones,
                                       AutoPublishRouteEnabled=name in synchronised)["TransitRouterAttachmentId"]
        link(handle, net.vpc_attachment[name], net.table[name])
    net.peer = cbn(handle, "CreateTransitRouterPeerAttachment", TransitRouterId=net.tr["tokyo-vpc"], RegionId=TOKYO,
                   PeerTransitRouterId=net.tr["beijing-vpc"],
                   PeerTransitRouterRegionId=BEIJING)["TransitRouterAttachmentId"]
    for name in ALIBABA_VPCS:
        link(handle, net.peer, net.table[name])
        others = [c for n, c in ALIBABA_VPCS.items() if n != name]
        if aws_via_router or name != "tokyo-vpc":
            others.append(AWS_PREFIX)
        for dest in others if name not in synchronised else ():
            ali_route(handle, name, dest, "Attachment", net.vpc_attachment[name])


def _tgw_routes_to(net: Network, vpn_id: str) -> None:
    attachment = tgw_attachment(net.ec2, vpn_id)
    for dest in ALIBABA_VPCS.values():
        net.ec2.create_transit_gateway_route(TransitGatewayRouteTableId=net.tgw_table, DestinationCidrBlock=dest,
                                             TransitGatewayAttachmentId=attachment)


def _cgw(handle, ip: str) -> str:
    return vpc_call(handle, "CreateCustomerGateway", IpAddress=ip)["CustomerGatewayId"]


def _tunnel(cgw_id: str, psk: str, **where: Any) -> Dict[str, Any]:
    return dict(where, CustomerGatewayId=cgw_id, TunnelIkeConfig=dict(ALI_MATCHING_IKE, Psk=psk),
                TunnelIpsecConfig=ALI_MATCHING_IPSEC)


# --- the bridges ----------------------------------------------------------------------------------------------

TR_PSKS = ("Tunnel1.attach_key", "Tunnel2.attach_key")


def tr_ipsec_bridge(handle, net: Network) -> None:
    """Dual-tunnel IPsec attached to the Tokyo router <-> two AWS VPN connections (Alibaba tunnel k <-> tunnel 1 of
    AWS VPN k). The Alibaba tunnel IPs exist once the connection does: it starts toward a placeholder customer
    gateway and is pointed at the AWS tunnels afterwards."""
    placeholder = _cgw(handle, PLACEHOLDER_IP)
    net.vco = vpc_call(handle, "CreateVpnAttachment", Name="to-aws", LocalSubnet="0.0.0.0/0", RemoteSubnet="0.0.0.0/0",
                       EffectImmediately=True, TunnelOptionsSpecification=[
                           _tunnel(placeholder, psk, TunnelIndex=index) for index, psk in enumerate(TR_PSKS, 1)])[
        "VpnConnectionId"]
    tunnels = sorted(vpc_call(handle, "DescribeVpnConnection", VpnConnectionId=net.vco)["TunnelOptionsSpecification"][
        "TunnelOptions"], key=lambda t: int(t["TunnelIndex"]))
    net.tunnel_ips = [t["InternetIp"] for t in tunnels]
    net.vpns = [aws_vpn(net.ec2, ip, (psk, "Unused.key_%d" % k), tgw=net.tgw)
                for k, (ip, psk) in enumerate(zip(net.tunnel_ips, TR_PSKS), 1)]
    vpc_call(handle, "ModifyVpnAttachmentAttribute", VpnConnectionId=net.vco, TunnelOptionsSpecification=[
        {"TunnelIndex": k, "CustomerGatewayId": _cgw(handle, aws_outside_ips(net.ec2, vpn)[0])}
        for k, vpn in enumerate(net.vpns, 1)])
    vpc_call(handle, "DeleteCustomerGateway", CustomerGatewayId=placeholder)
    net.vpn_attachment = cbn(handle, "CreateTransitRouterVpnAttachment", TransitRouterId=net.tr["tokyo-vpc"],
                             VpnId=net.vco, Zone=[{"ZoneId": TOKYO + "a"}])["TransitRouterAttachmentId"]
    link(handle, net.vpn_attachment, net.table["tokyo-vpc"])
    tr_route(handle, net.table["tokyo-vpc"], AWS_PREFIX, net.vpn_attachment)
    _tgw_routes_to(net, net.vpns[0])


def vpn_gateway_bridge(handle, net: Network) -> None:
    """A dual-tunnel VPN gateway in the Tokyo VPC <-> two AWS VPN connections, four IPsec tunnels, destination
    routing by VPN route entries (A active, B standby)."""
    tokyo = seeded_vpc(handle, "tokyo-vpc")
    net.gateway = vpc_call(handle, "CreateVpnGateway", VpcId=tokyo.id, Bandwidth=10, Name="tokyo-vpn",
                           VSwitchId=seeded_vswitch(handle, "tokyo-vpn-vsw-1").id,
                           DisasterRecoveryVSwitchId=seeded_vswitch(handle, "tokyo-vpn-vsw-2").id)["VpnGatewayId"]
    gw = vpc_call(handle, "DescribeVpnGateway", VpnGatewayId=net.gateway)
    net.gateway_ips = [gw["InternetIp"], gw["DisasterRecoveryInternetIp"]]
    # keys: VPN k tunnel t meets connection (A, B)[t - 1], tunnel k
    net.psks = {(k, t): "Vpn%d.tunnel%d_key" % (k, t) for k in (1, 2) for t in (1, 2)}
    net.vpns = [aws_vpn(net.ec2, ip, (net.psks[(k, 1)], net.psks[(k, 2)]), tgw=net.tgw)
                for k, ip in enumerate(net.gateway_ips, 1)]
    outside = [aws_outside_ips(net.ec2, vpn) for vpn in net.vpns]
    net.connections = []
    for t, name in ((1, "A"), (2, "B")):
        net.connections.append(vpc_call(handle, "CreateVpnConnection", VpnGatewayId=net.gateway, Name=name,
                                        LocalSubnet="0.0.0.0/0", RemoteSubnet="0.0.0.0/0", EffectImmediately=True,
                                        TunnelOptionsSpecification=[
                                            _tunnel(_cgw(handle, outside[k - 1][t - 1]), net.psks[(k, t)], Role=role)
                                            for k, role in ((1, "master"), (2, "slave"))])["VpnConnectionId"])
    for dest in AWS_VPCS.values():
        for vco_id, weight in zip(net.connections, (100, 0)):
            vpc_call(handle, "CreateVpnRouteEntry", VpnGatewayId=net.gateway, RouteDest=dest, NextHop=vco_id,
                     Weight=weight, PublishVpc=False)
    ali_route(handle, "tokyo-vpc", AWS_PREFIX, "VpnGateway", net.gateway)
    tr_route(handle, net.table["tokyo-vpc"], AWS_PREFIX, net.vpc_attachment["tokyo-vpc"])
    _tgw_routes_to(net, net.vpns[0])


def build_today(handle, bridge: str = "transit_router", synchronised: tuple = ()) -> Network:
    """The first walkthrough on today's clouds with the ``bridge`` design (module docstring); ``synchronised``:
    the Alibaba VPCs that take their routes from their transit router instead of route entries."""
    net = Network(ec2=handle.ec2(VIRGINIA), bridge=bridge)
    aws_hub(handle, net)
    enterprise_hub(handle, net, aws_via_router=bridge == "transit_router", synchronised=synchronised)
    (tr_ipsec_bridge if bridge == "transit_router" else vpn_gateway_bridge)(handle, net)
    return net


def reachability_args(handle, **extra: Any) -> Dict[str, Any]:
    """multicloud.transit.reachability's arguments for the world's AWS account and Alibaba account ``main``."""
    env, main = handle.env, handle.alicloud_account("main")
    out: Dict[str, Any] = {
        "aws": [{"name": "virginia", "regions": [VIRGINIA], "access_key": env["AWS_ACCESS_KEY_ID"],
                 "secret_key": env["AWS_SECRET_ACCESS_KEY"], "endpoint_url": env["AWS_ENDPOINT_URL"]}],
        "alicloud": [{"name": "main", "regions": [TOKYO, BEIJING], "access_key": main["alicloud_access_key"],
                      "secret_key": main["alicloud_secret_key"], "endpoint": main["alicloud_endpoint"]}],
        "probes": PROBES, "fail_on_unreachable": False}
    out.update(extra)
    return out


def ordered_pairs(names: List[str] = None) -> List[tuple]:
    names = list(names or HOSTS)
    return [(a, b) for a in names for b in names if a != b]
