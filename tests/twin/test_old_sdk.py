"""The older aliyun-python-sdk-core (2.16.1; footmark and the alibaba.alicloud collection use it)
against the twin, unmodified: ``AcsClient`` + ``CommonRequest``, HMAC-SHA1 v2 signatures,
RegionId added by the SDK itself. A VPC / VPN / CEN walkthrough on the legacy world, today's transit
router hub, and the errors as its own ``ServerException`` / ``ClientException`` with the cloud's codes."""

from __future__ import annotations

import json
import socket
from xml.etree import ElementTree

import pytest
from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

VPC, CBN = "2016-04-28", "2017-09-12"
TOKYO = "ap-northeast-1"


def old_client(handle, account="main", region=TOKYO, secret=None):
    creds = handle.alicloud_account(account)
    # auto_retry off: a refused call must surface at once, not after the SDK's own back-off.
    return AcsClient(creds["alicloud_access_key"], secret or creds["alicloud_secret_key"], region,
                     auto_retry=False, timeout=10, connect_timeout=5)


def common_request(domain, version, action, params, accept=None):
    request = CommonRequest(domain=domain, version=version, action_name=action)
    request.set_protocol_type("http")
    request.set_method("POST")
    for key, value in params.items():
        request.add_query_param(key, value)
    if accept:
        request.set_accept_format(accept)
    return request


def call(handle, version, action, client=None, **params):
    """One CommonRequest; the JSON body as a dict."""
    domain = handle.twin.alicloud_endpoint.split("://", 1)[1]
    body = (client or old_client(handle)).do_action_with_exception(common_request(domain, version, action, params))
    return json.loads(body)


def server_error(handle, version, action, client=None, **params):
    with pytest.raises(ServerException) as info:
        call(handle, version, action, client=client, **params)
    return info.value


def test_vpc_vpn_cen_walkthrough(twin):
    vpc = call(twin, VPC, "DescribeVpcs")["Vpcs"]["Vpc"]
    assert [(v["VpcName"], v["CidrBlock"]) for v in vpc] == [("tokyo-vpc", "10.0.0.0/8")]
    vpc_id, table_id = vpc[0]["VpcId"], vpc[0]["RouterTableIds"]["RouterTableIds"][0]
    vswitches = call(twin, VPC, "DescribeVSwitches", VpcId=vpc_id)["VSwitches"]["VSwitch"]
    assert [s["CidrBlock"] for s in vswitches] == ["10.0.0.0/24"]
    assert call(twin, VPC, "DescribeVpcAttribute", VpcId=vpc_id)["VSwitchIds"]["VSwitchId"] == \
        [vswitches[0]["VSwitchId"]]

    # The first walkthrough's VPN side: gateway, customer gateway (the AWS tunnel IP), IPsec.
    gw_id = call(twin, VPC, "CreateVpnGateway", VpcId=vpc_id, VSwitchId=vswitches[0]["VSwitchId"], Bandwidth=10,
                 AutoPay="true", Name="tokyo-vpn")["VpnGatewayId"]
    call(twin, VPC, "DescribeVpnGateways", VpnGatewayId=gw_id)  # provisioning -> active (no delays)
    gateway = call(twin, VPC, "DescribeVpnGateways", VpnGatewayId=gw_id)["VpnGateways"]["VpnGateway"][0]
    assert gateway["Status"] == "active" and gateway["InternetIp"]
    cgw_id = call(twin, VPC, "CreateCustomerGateway", IpAddress="203.0.113.10", Name="aws-tunnel-1")[
        "CustomerGatewayId"]
    ike = json.dumps({"IkeVersion": "ikev2", "IkeEncAlg": "aes", "IkeAuthAlg": "sha1", "IkePfs": "group2",
                      "IkeLifetime": 28800})
    vco_id = call(twin, VPC, "CreateVpnConnection", VpnGatewayId=gw_id, CustomerGatewayId=cgw_id,
                  LocalSubnet="0.0.0.0/0", RemoteSubnet="172.16.0.0/12", IkeConfig=ike, Name="to-aws")[
        "VpnConnectionId"]
    connection = call(twin, VPC, "DescribeVpnConnection", VpnConnectionId=vco_id)
    assert (connection["VpnGatewayId"], connection["CustomerGatewayId"]) == (gw_id, cgw_id)
    assert connection["IkeConfig"]["IkeVersion"] == "ikev2"

    # The Tokyo route to AWS through the VPN gateway, then CEN (Basic on the legacy world).
    call(twin, VPC, "CreateRouteEntry", RouteTableId=table_id, DestinationCidrBlock="172.16.0.0/12",
         NextHopType="VpnGateway", NextHopId=gw_id)
    entries = call(twin, VPC, "DescribeRouteEntryList", RouteTableId=table_id, RouteEntryType="Custom")
    assert [(e["DestinationCidrBlock"], e["NextHops"]["NextHop"][0]["NextHopId"])
            for e in entries["RouteEntrys"]["RouteEntry"]] == [("172.16.0.0/12", gw_id)]
    # CEN calls are global: the RegionId the old SDK always adds is ignored.
    cen_id = call(twin, CBN, "CreateCen", Name="transit-cen")["CenId"]
    call(twin, CBN, "AttachCenChildInstance", CenId=cen_id, ChildInstanceId=vpc_id, ChildInstanceType="VPC",
         ChildInstanceRegionId=TOKYO)
    children = call(twin, CBN, "DescribeCenAttachedChildInstances", CenId=cen_id)
    assert [c["Status"] for c in children["ChildInstances"]["ChildInstance"]] == ["Attached"]
    route = dict(CenId=cen_id, ChildInstanceId=vpc_id, ChildInstanceType="VPC", ChildInstanceRegionId=TOKYO,
                 ChildInstanceRouteTableId=table_id, DestinationCidrBlock="172.16.0.0/12")
    call(twin, CBN, "PublishRouteEntries", **route)
    published = call(twin, CBN, "DescribePublishedRouteEntries", **route)
    assert published["PublishedRouteEntries"]["PublishedRouteEntry"][0]["PublishStatus"] == "Published"
    # Transit routers need today's world (a second zone for the VPC attachment): see the next test.


def test_transit_router_walkthrough(today_twin):
    """Today's hub through the old SDK's CommonRequest: an Enterprise CEN, its Tokyo transit router, the Tokyo
    VPC attached in two zones, a custom route table associated and learning from it, a static route."""
    tokyo = call(today_twin, VPC, "DescribeVpcs", VpcName="tokyo-vpc")["Vpcs"]["Vpc"][0]
    zones = {s["VSwitchName"]: (s["ZoneId"], s["VSwitchId"]) for s in call(
        today_twin, VPC, "DescribeVSwitches", VpcId=tokyo["VpcId"])["VSwitches"]["VSwitch"]}
    cen_id = call(today_twin, CBN, "CreateCen", Name="hub")["CenId"]
    call(today_twin, CBN, "DescribeCens")  # Creating -> Active
    # RegionId is required here; the old SDK sends the client's region (Tokyo).
    tr_id = call(today_twin, CBN, "CreateTransitRouter", CenId=cen_id, TransitRouterName="tokyo-tr")["TransitRouterId"]
    routers = call(today_twin, CBN, "ListTransitRouters", CenId=cen_id)["TransitRouters"]
    assert [(r["TransitRouterId"], r["Type"], r["Status"]) for r in routers] == [(tr_id, "Enterprise", "Active")]
    mappings = {}
    for index, name in enumerate(("tokyo-vsw-1", "tokyo-vsw-2"), start=1):  # flattened as the old SDK sends lists
        mappings[f"ZoneMappings.{index}.ZoneId"], mappings[f"ZoneMappings.{index}.VSwitchId"] = zones[name]
    att_id = call(today_twin, CBN, "CreateTransitRouterVpcAttachment", TransitRouterId=tr_id, VpcId=tokyo["VpcId"],
                  **mappings)["TransitRouterAttachmentId"]
    attachment = call(today_twin, CBN, "ListTransitRouterVpcAttachments", TransitRouterId=tr_id)[
        "TransitRouterAttachments"][0]
    assert (attachment["TransitRouterAttachmentId"], attachment["Status"]) == (att_id, "Attached")
    assert sorted(m["ZoneId"] for m in attachment["ZoneMappings"]) == ["ap-northeast-1a", "ap-northeast-1c"]

    table_id = call(today_twin, CBN, "CreateTransitRouterRouteTable", TransitRouterId=tr_id)[
        "TransitRouterRouteTableId"]
    call(today_twin, CBN, "ListTransitRouterRouteTables", TransitRouterId=tr_id)  # Creating -> Active
    binding = dict(TransitRouterAttachmentId=att_id, TransitRouterRouteTableId=table_id)
    call(today_twin, CBN, "AssociateTransitRouterAttachmentWithRouteTable", **binding)
    call(today_twin, CBN, "EnableTransitRouterRouteTablePropagation", **binding)
    call(today_twin, CBN, "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=table_id,
         TransitRouterRouteEntryDestinationCidrBlock="172.16.0.0/12", TransitRouterRouteEntryNextHopType="Attachment",
         TransitRouterRouteEntryNextHopId=att_id)
    entries = call(today_twin, CBN, "ListTransitRouterRouteEntries", TransitRouterRouteTableId=table_id)[
        "TransitRouterRouteEntries"]
    # learned: the VPC's vSwitch CIDRs; static: the route toward the attachment
    assert sorted((e["TransitRouterRouteEntryDestinationCidrBlock"], e["TransitRouterRouteEntryType"])
                  for e in entries) == [("10.0.0.0/24", "Propagated"), ("10.0.1.0/24", "Propagated"),
                                        ("10.0.2.0/24", "Propagated"), ("10.0.3.0/24", "Propagated"),
                                        ("172.16.0.0/12", "Static")]
    # A Basic-only call on today's CEN fails with the cloud's code, as the old SDK's ServerException.
    err = server_error(today_twin, CBN, "AttachCenChildInstance", CenId=cen_id, ChildInstanceId=tokyo["VpcId"],
                       ChildInstanceType="VPC", ChildInstanceRegionId=TOKYO)
    assert err.get_error_code() == "OperationFailed.InvalidTransitRouter"


def test_errors_are_the_old_sdks_server_exceptions_with_the_clouds_codes(twin):
    err = server_error(twin, VPC, "CreateVpnGateway", Bandwidth=10)
    assert (err.get_error_code(), err.get_http_status()) == ("MissingVpcId", 400)
    assert err.get_error_msg() == "VpcId is mandatory for this action." and err.get_request_id()
    err = server_error(twin, VPC, "DescribeVpcs", client=old_client(twin, region="cn-atlantis"))
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidRegionId.NotFound", 404)
    # DescribeVpnGateway is a VPC 2016-04-28 action (the SDK's describe_vpn_gateway): a missing gateway is the
    # VPN API's NotFound; an action the API does not have is the gateway's InvalidAction.NotFound.
    err = server_error(twin, VPC, "DescribeVpnGateway", VpnGatewayId="vpn-x")
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidVpnGatewayInstanceId.NotFound", 404)
    assert server_error(twin, VPC, "DescribeVpnTunnelz").get_error_code() == "InvalidAction.NotFound"
    assert server_error(twin, "2099-01-01", "DescribeVpcs").get_error_code() == "InvalidVersion"
    # A wrong secret: the message carries the server's string to sign after "is:", as the cloud's
    # does; the old SDK compares it with its own (with a typed request it then reports
    # InvalidAccessKeySecret; a CommonRequest keeps it on the inner request, so the code stays).
    domain = twin.twin.alicloud_endpoint.split("://", 1)[1]
    request = common_request(domain, VPC, "DescribeVpcs", {})
    with pytest.raises(ServerException) as info:
        old_client(twin, secret="not-the-secret").do_action_with_exception(request)
    assert (info.value.get_error_code(), info.value.get_http_status()) == ("SignatureDoesNotMatch", 400)
    assert info.value.get_error_msg().split(":")[1] == request.request.string_to_sign


def test_client_exception_when_nothing_listens(twin):
    with socket.socket() as probe:  # a loopback port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = common_request(f"127.0.0.1:{port}", VPC, "DescribeVpcs", {})
    with pytest.raises(ClientException) as info:
        old_client(twin).do_action_with_exception(request)
    assert info.value.get_error_code() == "SDK.HttpError"


def test_format_xml_through_the_old_sdk(twin):
    domain = twin.twin.alicloud_endpoint.split("://", 1)[1]
    client = old_client(twin)
    with pytest.warns(DeprecationWarning):  # do_action is the old SDK's call that keeps the format
        body = client.do_action(common_request(domain, VPC, "DescribeVpcs", {}, accept="XML"))
    root = ElementTree.fromstring(body)
    assert root.tag == "DescribeVpcsResponse" and root.findtext("Vpcs/Vpc/VpcName") == "tokyo-vpc"
