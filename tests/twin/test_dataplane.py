"""The twin's own data plane (cloudtwin.dataplane): networks built through boto3 and the official Alibaba SDKs,
then packets traced both ways from the twin's internal state, delivered or dropped with the cause."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from test_crosscloud_tunnels import _build as walkthrough_vpn_gateway
from test_router_interface_model import Side as RouterInterfaceSide
from test_router_interface_model import create_pair, name_each_other
from test_transit_router_model import BEIJING, TOKYO, attach_vpc, cbn, link, new_cen, new_router, system_table
from test_vpc_peer_model import Side as VpcPeerSide
from test_vpc_peer_model import request_peering
from test_vpn_attachment import _bridge as tr_attached_ipsec
from twinhelpers import (ALI_MATCHING_IKE, ALI_MATCHING_IPSEC, aws_outside_ips, aws_vpn, aws_vpn_description,
                         seeded_vpc, seeded_vswitch, vpc_call)

VIRGINIA_A, VIRGINIA_B, TOKYO_HOST, BEIJING_HOST = "172.16.0.132", "172.17.0.111", "10.0.0.17", "192.168.0.92"
PEER_A, PEER_B = "172.16.0.41", "192.168.0.147"  # the second walkthrough's hosts (accounts A and B)


def both_ways(handle, a, b):
    return handle.twin.trace(a, b), handle.twin.trace(b, a)


def delivered(*traces):
    return [t["delivered"] for t in traces]


def nexts(trace):
    return [hop["next"] for hop in trace["hops"]]


# --- AWS: the world's VPCs and a transit gateway -----------------------------------------------------------

def aws_vpc(ec2, name):
    """(vpc id, the route table of its subnet) of a world VPC."""
    vpc_id = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"][0]["VpcId"]
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                               {"Name": "association.main", "Values": ["false"]}])["RouteTables"][0]
    return vpc_id, table["RouteTableId"]


def attach_to_tgw(ec2, tgw_id, vpc_name, *routes):
    """Attach a world VPC to the TGW and route ``routes`` from its subnet's table to the TGW."""
    vpc_id, table = aws_vpc(ec2, vpc_name)
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"][0]["SubnetId"]
    ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc_id, SubnetIds=[subnet])
    for cidr in routes:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=cidr, TransitGatewayId=tgw_id)
    return table


def tgw_table(ec2, tgw_id):
    return ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]


def tgw_of(ec2, vpn_id):
    return aws_vpn_description(ec2, vpn_id)["TransitGatewayId"]


def tgw_attachment(ec2, resource_id):
    """The TGW attachment of a VPC or VPN connection."""
    return ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-id", "Values": [resource_id]}])[
        "TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"]


def tgw_route(ec2, tgw_id, cidr, vpn_id):
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_table(ec2, tgw_id), DestinationCidrBlock=cidr,
                                     TransitGatewayAttachmentId=tgw_attachment(ec2, vpn_id))


def break_psk(ec2, vpn_id):
    """Tunnel 1 of an AWS VPN takes a key its Alibaba peer does not have."""
    ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=aws_outside_ips(ec2, vpn_id)[0],
                                  TunnelOptions={"PreSharedKey": "Broken.shared_key"})


def ali_route(handle, vpc_name, cidr, hop_type, hop_id, account="main"):
    vpc = seeded_vpc(handle, vpc_name)
    vpc_call(handle, "CreateRouteEntry", account=account, region=vpc.region, RouteTableId=vpc["RouteTableId"],
             DestinationCidrBlock=cidr, NextHopType=hop_type, NextHopId=hop_id)


# --- tests -----------------------------------------------------------------------------------------------------

def test_same_vpc_tgw_both_ways_missing_subnet_route_and_blackhole(twin):
    ec2 = twin.ec2()
    inside = twin.twin.trace(VIRGINIA_A, "172.16.0.50")
    assert inside["delivered"] and inside["hops"][0]["route"] == "172.16.0.0/16"
    assert inside["delivered_to"]["network"] == inside["source"]["network"]
    assert twin.twin.trace(TOKYO_HOST, "10.0.0.200")["delivered"]
    outside = twin.twin.trace(VIRGINIA_A, "172.16.9.9")  # in the VPC CIDR, in no subnet
    assert (outside["delivered"], outside["cause"]) == (False, "no_subnet")

    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    table_a = attach_to_tgw(ec2, tgw, "vpc-a", "172.17.0.0/16")
    table_b = attach_to_tgw(ec2, tgw, "vpc-b")
    there, back = both_ways(twin, VIRGINIA_A, VIRGINIA_B)
    assert there["delivered"] and nexts(there)[0] == tgw and nexts(there)[-1].startswith("local: subnet-")
    assert there["hops"][1]["table"] == tgw_table(ec2, tgw) and there["hops"][1]["route"] == "172.17.0.0/16"
    assert (back["delivered"], back["cause"], back["dropped_at"]) == (False, "no_route", table_b)

    ec2.create_route(RouteTableId=table_b, DestinationCidrBlock="172.16.0.0/16", TransitGatewayId=tgw)
    assert delivered(*both_ways(twin, VIRGINIA_A, VIRGINIA_B)) == [True, True]
    # The control endpoint answers the same trace.
    with urllib.request.urlopen(f"{twin.twin.alicloud_endpoint}/_twin/trace?src={VIRGINIA_B}&dst={VIRGINIA_A}") as r:
        assert json.loads(r.read()) == twin.twin.trace(VIRGINIA_B, VIRGINIA_A)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{twin.twin.alicloud_endpoint}/_twin/trace?src={VIRGINIA_B}&dst=not-an-ip")
    assert refused.value.code == 400 and "not an IP address" in json.loads(refused.value.read())["error"]

    ec2.delete_route(RouteTableId=table_a, DestinationCidrBlock="172.17.0.0/16")
    there = twin.twin.trace(VIRGINIA_A, VIRGINIA_B)
    assert (there["delivered"], there["cause"], there["dropped_at"]) == (False, "no_route", table_a)

    ec2.create_route(RouteTableId=table_a, DestinationCidrBlock="172.17.0.0/16", TransitGatewayId=tgw)
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_table(ec2, tgw),
                                     DestinationCidrBlock="172.17.0.0/24", Blackhole=True)
    there = twin.twin.trace(VIRGINIA_A, VIRGINIA_B)
    assert (there["delivered"], there["cause"], there["dropped_at"]) == (False, "blackhole", tgw_table(ec2, tgw))
    assert "172.17.0.0/24" in there["reason"]
    assert twin.twin.trace(VIRGINIA_A, "172.17.1.1")["cause"] == "no_subnet"  # the /16 still leads into VPC B

    att_b = tgw_attachment(ec2, aws_vpc(ec2, "vpc-b")[0])
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=tgw_table(ec2, tgw),
                                                 TransitGatewayAttachmentId=att_b)
    back = twin.twin.trace(VIRGINIA_B, VIRGINIA_A)
    assert (back["delivered"], back["cause"], back["dropped_at"]) == (False, "no_association", att_b)


def test_tokyo_beijing_through_an_enterprise_hub_until_the_association_goes(today_twin):
    twin = today_twin
    cen = new_cen(twin)
    tr_tokyo, tr_beijing = new_router(twin, cen, TOKYO), new_router(twin, cen, BEIJING)
    att_tokyo = attach_vpc(twin, tr_tokyo, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    # Beijing takes its routes from the router (route synchronisation), Tokyo gets an explicit one.
    att_beijing = attach_vpc(twin, tr_beijing, "beijing-vpc", "beijing-vsw-1", "beijing-vsw-2",
                             AutoPublishRouteEnabled=True)
    peer = cbn(twin, "CreateTransitRouterPeerAttachment", TransitRouterId=tr_tokyo, RegionId=TOKYO,
               PeerTransitRouterId=tr_beijing, PeerTransitRouterRegionId=BEIJING)["TransitRouterAttachmentId"]
    table_tokyo, table_beijing = system_table(twin, tr_tokyo), system_table(twin, tr_beijing)
    for attachment, table in ((att_tokyo, table_tokyo), (peer, table_tokyo), (att_beijing, table_beijing),
                              (peer, table_beijing)):
        link(twin, attachment, table)
    ali_route(twin, "tokyo-vpc", "192.168.0.0/16", "Attachment", att_tokyo)

    there, back = both_ways(twin, TOKYO_HOST, BEIJING_HOST)
    assert delivered(there, back) == [True, True]
    assert [h["table"] for h in there["hops"][1:3]] == [table_tokyo, table_beijing]
    assert nexts(there)[:3] == [f"Attachment {att_tokyo}", peer, att_beijing]
    assert there["delivered_to"]["vpc"] == seeded_vpc(twin, "beijing-vpc").id
    # No bandwidth package: the inter-region connection runs on the test bandwidth, which still carries ping.
    assert any("1 Kbps" in n and peer in n for n in there["notes"])
    # Beijing's VPC CIDR outside its vSwitches: the router sends it back to Tokyo, which sends it to the router.
    cbn(twin, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=table_tokyo,
        TransitRouterRouteEntryDestinationCidrBlock="192.168.0.0/16", TransitRouterRouteEntryNextHopType="Attachment",
        TransitRouterRouteEntryNextHopId=att_tokyo)
    looping = twin.twin.trace(TOKYO_HOST, "192.168.7.7")
    assert (looping["delivered"], looping["cause"]) == (False, "loop")
    assert looping["dropped_at"] == seeded_vpc(twin, "tokyo-vpc")["RouteTableId"]  # where it first comes back
    assert [h["table"] for h in looping["hops"]] == [looping["dropped_at"], table_tokyo]
    assert twin.twin.trace(TOKYO_HOST, BEIJING_HOST)["delivered"]  # the /24 learned from Beijing still wins

    cbn(twin, "DissociateTransitRouterAttachmentFromRouteTable", TransitRouterAttachmentId=att_tokyo,
        TransitRouterRouteTableId=table_tokyo)
    there, back = both_ways(twin, TOKYO_HOST, BEIJING_HOST)
    assert (there["delivered"], there["cause"], there["dropped_at"]) == (False, "no_association", att_tokyo)
    assert back["delivered"]  # Beijing's packets still arrive (the propagation stays); the replies are lost


def test_aws_to_tokyo_over_a_tr_attached_dual_tunnel_ipsec(today_twin):
    twin = today_twin
    _client, ec2, vco_id, vpns = tr_attached_ipsec(twin)  # Alibaba tunnel k <-> tunnel 1 of AWS VPN k
    tgw = tgw_of(ec2, vpns[0])
    attach_to_tgw(ec2, tgw, "vpc-a", "10.0.0.0/8")
    tgw_route(ec2, tgw, "10.0.0.0/8", vpns[0])
    cen = new_cen(twin)
    tr_id = new_router(twin, cen, TOKYO)
    table = system_table(twin, tr_id)
    att_tokyo = attach_vpc(twin, tr_id, "tokyo-vpc", "tokyo-vsw-1", "tokyo-vsw-2")
    att_vpn = cbn(twin, "CreateTransitRouterVpnAttachment", TransitRouterId=tr_id, VpnId=vco_id,
                  Zone=[{"ZoneId": "ap-northeast-1a"}])["TransitRouterAttachmentId"]
    link(twin, att_tokyo, table)
    link(twin, att_vpn, table)  # destination routing: the connection propagates nothing, a static route does it
    cbn(twin, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=table,
        TransitRouterRouteEntryDestinationCidrBlock="172.16.0.0/12", TransitRouterRouteEntryNextHopType="Attachment",
        TransitRouterRouteEntryNextHopId=att_vpn)
    ali_route(twin, "tokyo-vpc", "172.16.0.0/12", "Attachment", att_tokyo)

    there, back = both_ways(twin, VIRGINIA_A, TOKYO_HOST)
    assert delivered(there, back) == [True, True]
    assert any(h["where"].startswith(f"AWS VPN {vpns[0]} tunnel 1") for h in there["hops"])
    assert f"AWS VPN {vpns[0]} tunnel 1 ({aws_outside_ips(ec2, vpns[0])[0]})" in nexts(back)

    # Tunnel 1 of AWS VPN 1 breaks: the TGW still routes to VPN 1 and drops; the way back takes tunnel 2.
    break_psk(ec2, vpns[0])
    there, back = both_ways(twin, VIRGINIA_A, TOKYO_HOST)
    assert (there["delivered"], there["cause"], there["dropped_at"]) == (False, "tunnel_down", vpns[0])
    assert "pre-shared keys differ" in there["reason"] and "Broken.shared_key" not in json.dumps(there)
    assert back["delivered"] and f"AWS VPN {vpns[1]} tunnel 1 ({aws_outside_ips(ec2, vpns[1])[0]})" in nexts(back)
    ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=tgw_table(ec2, tgw), DestinationCidrBlock="10.0.0.0/8",
                                      TransitGatewayAttachmentId=tgw_attachment(ec2, vpns[1]))
    assert delivered(*both_ways(twin, VIRGINIA_A, TOKYO_HOST)) == [True, True]

    break_psk(ec2, vpns[1])
    there, back = both_ways(twin, VIRGINIA_A, TOKYO_HOST)
    assert (there["cause"], there["dropped_at"]) == ("tunnel_down", vpns[1])
    assert (back["delivered"], back["cause"], back["dropped_at"]) == (False, "tunnel_down", vco_id)
    assert "pre-shared keys differ" in back["reason"]


def test_destination_routing_gateway_drops_until_vpn_route_entries_exist(today_twin):
    twin, ec2 = today_twin, today_twin.ec2()
    tokyo = seeded_vpc(twin, "tokyo-vpc")
    gw_id = vpc_call(twin, "CreateVpnGateway", VpcId=tokyo.id, Bandwidth=10,
                     VSwitchId=seeded_vswitch(twin, "tokyo-vpn-vsw-1").id,
                     DisasterRecoveryVSwitchId=seeded_vswitch(twin, "tokyo-vpn-vsw-2").id)["VpnGatewayId"]
    gw = vpc_call(twin, "DescribeVpnGateway", VpnGatewayId=gw_id)
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    master = aws_vpn(ec2, gw["InternetIp"], ("Master.shared_key", "Unused.key_1"), tgw=tgw)
    slave = aws_vpn(ec2, gw["DisasterRecoveryInternetIp"], ("Slave.shared_key", "Unused.key_2"), tgw=tgw)
    tunnels = []
    for role, vpn_id, psk in (("master", master, "Master.shared_key"), ("slave", slave, "Slave.shared_key")):
        cgw = vpc_call(twin, "CreateCustomerGateway", IpAddress=aws_outside_ips(ec2, vpn_id)[0])["CustomerGatewayId"]
        tunnels.append({"CustomerGatewayId": cgw, "Role": role, "TunnelIkeConfig": dict(ALI_MATCHING_IKE, Psk=psk),
                        "TunnelIpsecConfig": ALI_MATCHING_IPSEC})
    vco_id = vpc_call(twin, "CreateVpnConnection", VpnGatewayId=gw_id, LocalSubnet="0.0.0.0/0",
                      RemoteSubnet="0.0.0.0/0", EffectImmediately=True,
                      TunnelOptionsSpecification=tunnels)["VpnConnectionId"]
    ali_route(twin, "tokyo-vpc", "172.16.0.0/12", "VpnGateway", gw_id)
    attach_to_tgw(ec2, tgw, "vpc-a", "10.0.0.0/8")
    tgw_route(ec2, tgw, "10.0.0.0/8", master)

    out, back = both_ways(twin, TOKYO_HOST, VIRGINIA_A)
    assert (out["delivered"], out["cause"], out["dropped_at"]) == (False, "no_vpn_route", gw_id)
    assert back["delivered"]  # inbound, the gateway forwards into its VPC; the replies are what is lost

    vpc_call(twin, "CreateVpnRouteEntry", VpnGatewayId=gw_id, RouteDest="172.16.0.0/12", NextHop=vco_id, Weight=100,
             PublishVpc=False)
    out = twin.twin.trace(TOKYO_HOST, VIRGINIA_A)
    assert out["delivered"] and out["hops"][1]["route"] == "172.16.0.0/12"
    assert f"AWS VPN {master} tunnel 1 ({aws_outside_ips(ec2, master)[0]})" in nexts(out)  # the master tunnel

    vpc_call(twin, "DeleteVpnRouteEntry", VpnGatewayId=gw_id, RouteDest="172.16.0.0/12", NextHop=vco_id, Weight=100)
    out = twin.twin.trace(TOKYO_HOST, VIRGINIA_A)
    assert (out["delivered"], out["cause"], out["dropped_at"]) == (False, "no_vpn_route", gw_id)


def test_legacy_walkthrough_beijing_reaches_aws_only_once_the_route_is_published(twin):
    _client, ec2, gw, vpn_id, _vcos = walkthrough_vpn_gateway(twin)  # selectors 0.0.0.0/0 <-> 172.16.0.0/12
    tgw = tgw_of(ec2, vpn_id)
    attach_to_tgw(ec2, tgw, "vpc-a", "10.0.0.0/8", "192.168.0.0/16")
    attach_to_tgw(ec2, tgw, "vpc-b", "10.0.0.0/8", "192.168.0.0/16")
    tgw_route(ec2, tgw, "10.0.0.0/8", vpn_id)
    tgw_route(ec2, tgw, "192.168.0.0/16", vpn_id)
    tokyo, beijing = seeded_vpc(twin, "tokyo-vpc"), seeded_vpc(twin, "beijing-vpc")
    ali_route(twin, "tokyo-vpc", "172.16.0.0/12", "VpnGateway", gw.vpn_gateway_id)
    cen = cbn(twin, "CreateCen", Name="transit-cen")["CenId"]  # Basic, as in 2018
    for vpc in (tokyo, beijing):
        cbn(twin, "AttachCenChildInstance", CenId=cen, ChildInstanceId=vpc.id, ChildInstanceType="VPC",
            ChildInstanceRegionId=vpc.region)

    for aws_host in (VIRGINIA_A, VIRGINIA_B):
        assert delivered(*both_ways(twin, TOKYO_HOST, aws_host)) == [True, True]
    up, down = both_ways(twin, BEIJING_HOST, VIRGINIA_A)
    assert (up["delivered"], up["cause"], up["dropped_at"]) == (False, "no_route", beijing["RouteTableId"])
    assert down["delivered"]  # AWS -> Beijing arrives (Tokyo learned Beijing's vSwitch); the replies do not
    assert any("1 Kbps" in n and cen in n for n in down["notes"])

    cbn(twin, "PublishRouteEntries", CenId=cen, ChildInstanceId=tokyo.id, ChildInstanceType="VPC",
        ChildInstanceRegionId=tokyo.region, ChildInstanceRouteTableId=tokyo["RouteTableId"],
        DestinationCidrBlock="172.16.0.0/12")
    for aws_host in (VIRGINIA_A, VIRGINIA_B):
        up, down = both_ways(twin, BEIJING_HOST, aws_host)
        assert delivered(up, down) == [True, True]
        assert up["hops"][1]["table"] == tokyo["RouteTableId"] and nexts(up)[1] == f"VpnGateway {gw.vpn_gateway_id}"


def test_vpc_peering_connection_delivers_once_activated_and_routed_both_ways(today_peering_twin):
    twin = today_peering_twin
    a, b = VpcPeerSide(twin, "account-a", TOKYO), VpcPeerSide(twin, "account-b", "us-west-1")
    rid = request_peering(a, b)
    assert twin.twin.trace(PEER_A, PEER_B)["cause"] == "no_route"  # no route can point at it while Accepting
    b.call("AcceptVpcPeerConnection", instance_id=rid)
    a.route("192.168.0.0/24", rid)
    there, back = both_ways(twin, PEER_A, PEER_B)
    assert there["delivered"] and nexts(there)[0] == f"VpcPeer {rid}"
    assert (back["delivered"], back["cause"], back["dropped_at"]) == (False, "no_route", b.table_id)
    b.route("172.16.0.0/24", rid)
    assert delivered(*both_ways(twin, PEER_A, PEER_B)) == [True, True]


def test_router_interfaces_deliver_only_while_the_pair_is_active(peering_twin):
    twin = peering_twin
    a, b = RouterInterfaceSide(twin, "account-a", TOKYO), RouterInterfaceSide(twin, "account-b", "us-west-1")
    ra, rb = create_pair(a, b)
    name_each_other(a, b, ra, rb)
    a.call("CreateRouteEntry", route_table_id=a.table_id, destination_cidr_block="192.168.0.0/16",
           next_hop_type="RouterInterface", next_hop_id=ra)
    b.call("CreateRouteEntry", route_table_id=b.table_id, destination_cidr_block="172.16.0.0/16",
           next_hop_type="RouterInterface", next_hop_id=rb)
    there = twin.twin.trace(PEER_A, PEER_B)
    assert (there["delivered"], there["cause"], there["dropped_at"]) == (False, "interface_inactive", ra)
    assert "Idle" in there["reason"]

    a.call("ConnectRouterInterface", router_interface_id=ra)
    there, back = both_ways(twin, PEER_A, PEER_B)
    assert delivered(there, back) == [True, True]
    assert nexts(there)[:2] == [f"RouterInterface {ra}", f"{rb} into {b.vpc_id}"]

    a.call("DeactivateRouterInterface", router_interface_id=ra)
    there, back = both_ways(twin, PEER_A, PEER_B)
    assert [(t["cause"], t["dropped_at"]) for t in (there, back)] == [("interface_inactive", ra)] * 2
