"""multicloud.transit.reachability against the twin: the first walkthrough built with boto3 and the
official Alibaba SDK, proved reachable from live state, then broken one piece at a time.

Each breakage must be reported as the cause of exactly the pairs it breaks, with its cause code.
"""

from __future__ import annotations

import json

from alibabacloud_cbn20170912 import models as cbn
from alibabacloud_vpc20160428 import models as m

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes
from builders import PROBES, reachability_args
from twinhelpers import ok, run_module

TOKYO, BEIJING, VIRGINIA = "ap-northeast-1", "cn-beijing", "us-east-1"
PSK = "walkthrough.shared_key1"
PINNED = {"IKEVersions": [{"Value": "ikev2"}], "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
          "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase1DHGroupNumbers": [{"Value": 14}],
          "Phase2EncryptionAlgorithms": [{"Value": "AES256"}], "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
          "Phase2DHGroupNumbers": [{"Value": 14}], "Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600}
IKE = {"IkeVersion": "ikev2", "IkeMode": "main", "IkeEncAlg": "aes256", "IkeAuthAlg": "sha256",
       "IkePfs": "group14", "IkeLifetime": 28800}
IPSEC = {"IpsecEncAlg": "aes256", "IpsecAuthAlg": "sha256", "IpsecPfs": "group14", "IpsecLifetime": 3600}

A, B, T, BJ = "virginia-a", "virginia-b", "tokyo", "beijing"


def both_ways(xs, ys):
    return {(x, y) for x in xs for y in ys} | {(y, x) for x in xs for y in ys}


class Built:
    """Ids of what ``build`` created, for the breakages."""


def build(handle):
    """The first walkthrough, steps 2-5, straight through the clouds' APIs."""
    b = Built()
    ec2 = handle.ec2(VIRGINIA)
    tokyo_client = handle.vpc_client(region=TOKYO)
    cen_client = handle.cbn_client(region=TOKYO)
    vpcs = {_name(v): v for v in ec2.describe_vpcs()["Vpcs"]}
    ali = {v["VpcName"]: v for v in handle.ali_resources("Vpc")}
    b.tokyo, b.beijing = ali["tokyo-vpc"], ali["beijing-vpc"]
    # 2. CEN with both Alibaba VPCs
    b.cen = cen_client.create_cen(cbn.CreateCenRequest(name="transit-cen")).body.cen_id
    cen_client.describe_cens(cbn.DescribeCensRequest())  # Creating -> Active
    for vpc in (b.tokyo, b.beijing):
        cen_client.attach_cen_child_instance(cbn.AttachCenChildInstanceRequest(
            cen_id=b.cen, child_instance_id=vpc.id, child_instance_type="VPC", child_instance_region_id=vpc.region))
    # 3. TGW, both VPCs attached, subnet routes
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    b.tgw = tgw["TransitGatewayId"]
    b.tgw_rtb = ec2.describe_transit_gateways(TransitGatewayIds=[b.tgw])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    b.subnet_tables = {}
    for name, others in (("vpc-a", ["172.17.0.0/16"]), ("vpc-b", ["172.16.0.0/16"])):
        vpc_id = vpcs[name]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]]
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=b.tgw, VpcId=vpc_id, SubnetIds=subnets)
        tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": subnets}])["RouteTables"]
        b.subnet_tables[name] = tables[0]["RouteTableId"]
        for dest in others + ["10.0.0.0/8", "192.168.0.0/16"]:
            ec2.create_route(RouteTableId=tables[0]["RouteTableId"], DestinationCidrBlock=dest, TransitGatewayId=b.tgw)
    # 4. VPN: Alibaba VPN gateway first, then the AWS VPN on the TGW, then the IPsec connection
    b.gw = tokyo_client.create_vpn_gateway(m.CreateVpnGatewayRequest(
        region_id=TOKYO, vpc_id=b.tokyo.id, v_switch_id=_vswitch(handle, b.tokyo), bandwidth=10,
        name="tokyo-vpn")).body.vpn_gateway_id
    gw = None
    for _ in range(3):
        gw = tokyo_client.describe_vpn_gateways(m.DescribeVpnGatewaysRequest(
            region_id=TOKYO, vpn_gateway_id=b.gw)).body.vpn_gateways.vpn_gateway[0]
    assert gw.status == "active"
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=gw.internet_ip, BgpAsn=65000)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], TransitGatewayId=b.tgw,
                                    Options={"StaticRoutesOnly": True,
                                             "TunnelOptions": [dict(PINNED, PreSharedKey=PSK),
                                                               dict(PINNED, PreSharedKey=PSK + "2")]})["VpnConnection"]
    b.vpn = vpn["VpnConnectionId"]
    tunnel_ip = ec2.describe_vpn_connections(VpnConnectionIds=[b.vpn])["VpnConnections"][0]["Options"][
        "TunnelOptions"][0]["OutsideIpAddress"]
    ali_cgw = tokyo_client.create_customer_gateway(m.CreateCustomerGatewayRequest(
        region_id=TOKYO, ip_address=tunnel_ip, name="aws-tunnel-1")).body.customer_gateway_id
    b.vco = tokyo_client.create_vpn_connection(m.CreateVpnConnectionRequest(
        region_id=TOKYO, vpn_gateway_id=b.gw, customer_gateway_id=ali_cgw, name="to-aws", local_subnet="0.0.0.0/0",
        remote_subnet="172.16.0.0/12", effect_immediately=True, ike_config=json.dumps(dict(IKE, Psk=PSK)),
        ipsec_config=json.dumps(IPSEC))).body.vpn_connection_id
    # 5. routes again: TGW -> VPN attachment, Tokyo -> VPN gateway, published to CEN
    b.vpn_attachment = ec2.describe_transit_gateway_attachments(Filters=[
        {"Name": "resource-id", "Values": [b.vpn]}])["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"]
    for dest in ("10.0.0.0/8", "192.168.0.0/16"):
        ec2.create_transit_gateway_route(DestinationCidrBlock=dest, TransitGatewayRouteTableId=b.tgw_rtb,
                                         TransitGatewayAttachmentId=b.vpn_attachment)
    tokyo_client.create_route_entry(m.CreateRouteEntryRequest(
        region_id=TOKYO, route_table_id=b.tokyo["RouteTableId"], destination_cidr_block="172.16.0.0/12",
        next_hop_type="VpnGateway", next_hop_id=b.gw))
    tokyo_client.describe_route_entry_list(m.DescribeRouteEntryListRequest(
        region_id=TOKYO, route_table_id=b.tokyo["RouteTableId"]))  # Pending -> Available
    cen_client.publish_route_entries(cbn.PublishRouteEntriesRequest(
        cen_id=b.cen, child_instance_id=b.tokyo.id, child_instance_region_id=TOKYO, child_instance_type="VPC",
        child_instance_route_table_id=b.tokyo["RouteTableId"], destination_cidr_block="172.16.0.0/12"))
    b.ec2, b.tokyo_client, b.cen_client = ec2, tokyo_client, cen_client
    return b


def _name(vpc):
    return next((t["Value"] for t in vpc.get("Tags") or [] if t["Key"] == "Name"), None)


def _vswitch(handle, vpc):
    return next(v.id for v in handle.ali_resources("VSwitch") if v["VpcId"] == vpc.id)


args = reachability_args  # the walkthrough's accounts and hosts as probes


def broken(result):
    """(from, to) -> cause code of every unreachable pair."""
    return dict(((p["from"], p["to"]), p["cause_code"]) for p in result["pairs"] if not p["reachable"])


def broken_hop(result, src, dst):
    return next(p for p in result["pairs"] if (p["from"], p["to"]) == (src, dst))["broken_hop"]


def test_walkthrough1_all_pairs_reachable_then_each_breakage_names_its_cause(twin, tmp_path):
    b = build(twin)
    twin.clear_calls()
    result = ok("reachability", args(twin, report_dir=str(tmp_path / "r")))
    assert result["pair_count"] == 12
    assert result["reachable_count"] == 12, broken(result)
    assert twin.mutating_calls() == []
    assert not result["changed"]
    check = result["ipsec_checks"][0]
    assert check["ok"] and check["checks"]["psk"] is True and check["alicloud_ipsec_connection_id"] == b.vco
    assert check["problem_codes"] == [] and all(p["cause_code"] is None for p in result["pairs"])
    assert PSK not in json.dumps(result)
    pair = next(p for p in result["pairs"] if (p["from"], p["to"]) == (BJ, A))
    kinds = [h["kind"] for h in pair["hops"]]
    assert kinds == ["ali-rtb", "cen", "ali-rtb", "vpn-gateway", "ipsec", "vpn", "tgw-rtb", "aws-vpc"]
    assert u"\u2717" not in result["matrix"]
    assert sorted(result["report_files"]) == ["html", "json", "txt"]
    assert "<svg" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    # reads are whole-region calls: a handful per region, none per probe
    assert len(twin.calls()) < 40

    aws_side, ali_side = [A, B], [T, BJ]

    # 1. the Tokyo route is withdrawn from CEN: only Beijing <-> AWS breaks
    b.cen_client.withdraw_published_route_entries(cbn.WithdrawPublishedRouteEntriesRequest(
        cen_id=b.cen, child_instance_id=b.tokyo.id, child_instance_region_id=TOKYO, child_instance_type="VPC",
        child_instance_route_table_id=b.tokyo["RouteTableId"], destination_cidr_block="172.16.0.0/12"))
    result = ok("reachability", args(twin))
    assert broken(result) == dict.fromkeys(both_ways([BJ], aws_side), causes.CEN_ROUTE_NOT_PUBLISHED)
    assert broken_hop(result, BJ, A)["element"] == b.beijing.id
    b.cen_client.publish_route_entries(cbn.PublishRouteEntriesRequest(
        cen_id=b.cen, child_instance_id=b.tokyo.id, child_instance_region_id=TOKYO, child_instance_type="VPC",
        child_instance_route_table_id=b.tokyo["RouteTableId"], destination_cidr_block="172.16.0.0/12"))
    assert ok("reachability", args(twin))["reachable_count"] == 12

    # 2. a TGW static route deleted: only AWS <-> Tokyo breaks
    b.ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=b.tgw_rtb, DestinationCidrBlock="10.0.0.0/8")
    result = ok("reachability", args(twin))
    assert broken(result) == dict.fromkeys(both_ways([T], aws_side), causes.TGW_NO_ROUTE)
    assert broken_hop(result, A, T)["element"] == b.tgw_rtb
    b.ec2.create_transit_gateway_route(DestinationCidrBlock="10.0.0.0/8", TransitGatewayRouteTableId=b.tgw_rtb,
                                       TransitGatewayAttachmentId=b.vpn_attachment)
    assert ok("reachability", args(twin))["reachable_count"] == 12

    # 3. the PSK changed on the Alibaba side only: every cross-cloud pair breaks
    b.tokyo_client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=TOKYO, vpn_connection_id=b.vco, ike_config=json.dumps(dict(IKE, Psk="another.shared_key"))))
    result = ok("reachability", args(twin))
    assert broken(result) == dict.fromkeys(both_ways(aws_side, ali_side), causes.PSK_MISMATCH)
    assert result["ipsec_checks"][0]["problem_codes"] == [causes.PSK_MISMATCH]
    assert "another.shared_key" not in json.dumps(result)
    b.tokyo_client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=TOKYO, vpn_connection_id=b.vco, ike_config=json.dumps(dict(IKE, Psk=PSK))))
    assert ok("reachability", args(twin))["reachable_count"] == 12

    # 4. a phase-1 proposal with no overlap (Alibaba's defaults: aes/md5/group2)
    b.tokyo_client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=TOKYO, vpn_connection_id=b.vco,
        ike_config=json.dumps(dict(IKE, IkeEncAlg="aes", IkeAuthAlg="md5", IkePfs="group2", Psk=PSK))))
    result = ok("reachability", args(twin))
    assert broken(result) == dict.fromkeys(both_ways(aws_side, ali_side), causes.PROPOSAL_MISMATCH)
    assert result["ipsec_checks"][0]["problem_codes"] == [causes.PROPOSAL_MISMATCH]
    assert result["ipsec_checks"][0]["checks"]["phase1"] is False
    b.tokyo_client.modify_vpn_connection_attribute(m.ModifyVpnConnectionAttributeRequest(
        region_id=TOKYO, vpn_connection_id=b.vco, ike_config=json.dumps(dict(IKE, Psk=PSK))))
    assert ok("reachability", args(twin))["reachable_count"] == 12

    # 5. a subnet route deleted in VPC B: only B <-> Tokyo breaks
    b.ec2.delete_route(RouteTableId=b.subnet_tables["vpc-b"], DestinationCidrBlock="10.0.0.0/8")
    result = run_module("reachability", args(twin, fail_on_unreachable=True, required=[[A, T], [B, T]]))
    assert result["failed"]
    assert broken(result) == {(B, T): causes.NO_ROUTE, (T, B): causes.NO_ROUTE}
    assert "1 required pair(s) unreachable" in result["msg"]
    assert "virginia-b -> tokyo [%s]: " % causes.NO_ROUTE in result["msg"]


def test_validation_errors_name_the_field(twin):
    result = run_module("reachability", args(twin, required=[["virginia-a", "nowhere"]]))
    assert result["failed"] and "required" in result["msg"] and "nowhere" in result["msg"]
    result = run_module("reachability", args(twin, probes=PROBES + [{"name": A, "ip": "10.0.0.1"}]))
    assert result["failed"] and "unique" in result["msg"]
    result = run_module("reachability", args(twin, probes=[{"name": "x", "ip": "300.1.1.1"}]))
    assert result["failed"] and "not an IPv4 address" in result["msg"]


def test_bad_credentials_fail_once_with_the_cloud_error(twin):
    bad = args(twin)
    bad["alicloud"][0]["secret_key"] = "wrong"
    result = run_module("reachability", bad)
    assert result["failed"] and "Could not read" in result["msg"] and "Alibaba Cloud account main" in result["msg"]
    assert "wrong" not in result["msg"]
