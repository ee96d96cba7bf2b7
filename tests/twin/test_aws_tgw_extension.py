"""The TGW extension (cloudtwin/aws/extensions/tgw.py).

Two kinds of tests:
- canaries call moto 5.2.5's own functions (kept in ``tgw.ORIGINALS``) and show that moto still
  lacks each behaviour; when one fails, moto has caught up: drop that part of the patch.
- behaviour tests go through boto3 against the twin, as the modules do.
"""

from __future__ import annotations

import inspect
import time

import pytest
from botocore.exceptions import ClientError

from cloudtwin.aws.extensions import tgw as ext

ACCOUNT, REGION = "123456789099", "eu-north-1"  # a backend no test uses


def _orig(name):
    return ext.ORIGINALS[name]


@pytest.fixture
def backend(twin):
    """A bare moto EC2 backend with a TGW, two VPC attachments and a VPN attachment."""
    from moto.ec2.models import ec2_backends

    b = ec2_backends[ACCOUNT][REGION]
    tgw = b.create_transit_gateway(description="canary")
    atts = []
    for cidr in ("10.1.0.0/16", "10.2.0.0/16"):
        vpc = b.create_vpc(cidr)
        subnet = b.create_subnet(vpc.id, cidr.replace("/16", "/24"), availability_zone=REGION + "a")
        atts.append(b.create_transit_gateway_vpc_attachment(tgw.id, vpc.id, [subnet.id]))
    cgw = b.create_customer_gateway(gateway_type="ipsec.1", ip_address="192.0.2.1", bgp_asn="65000")
    vpn = b.create_vpn_connection("ipsec.1", cgw.id, transit_gateway_id=tgw.id)
    vpn_att = _orig("models.TransitGatewayAttachmentBackend.create_transit_gateway_vpn_attachment")(b, vpn.id, tgw.id)
    return b, tgw, atts, vpn_att


# --- canaries: moto alone ------------------------------------------------------------------------------------------
def test_canary_moto_never_creates_propagated_routes(backend):
    b, tgw, atts, dummy = backend
    table = b.create_transit_gateway_route_table(tgw.id)
    _orig("models.TransitGatewayRouteTableBackend.enable_transit_gateway_route_table_propagation")(b, atts[0].id, table.id)
    routes = _orig("models.TransitGatewayRouteTableBackend.search_transit_gateway_routes")(b, table.id, {})
    assert routes == []


def test_canary_moto_route_loses_its_target_and_accepts_duplicates(backend):
    b, tgw, dummy, vpn_att = backend
    table = tgw.default_route_table
    create = _orig("models.TransitGatewayRouteTableBackend.create_transit_gateway_route")
    route = create(b, table.id, "10.9.0.0/16", vpn_att.id)
    # The API shape is a list; moto stores a dict, which its serializer cannot render as the list.
    assert isinstance(route["transitGatewayAttachments"], dict)
    create(b, table.id, "10.9.0.0/16", vpn_att.id)  # no RouteAlreadyExists


def test_canary_moto_lacks_replace_route_and_attachment_propagations():
    assert _orig("responses.TransitGatewayRouteTable.replace_transit_gateway_route") is None
    assert _orig("responses.TransitGatewayAttachment.get_transit_gateway_attachment_propagations") is None


def test_canary_moto_create_route_accepts_unknown_tgw(backend):
    b = backend[0]
    vpc = b.create_vpc("10.50.0.0/16")
    table = b.create_route_table(vpc.id)
    route = _orig("models.RouteBackend.create_route")(b, table.id, "10.0.0.0/8", transit_gateway_id="tgw-0123456789abcdef0")
    assert route.transit_gateway is None  # accepted, and the target silently dropped


def test_canary_moto_deletes_tgw_with_live_attachments(backend):
    b, tgw, atts, dummy = backend
    _orig("models.TransitGatewayBackend.delete_transit_gateway")(b, tgw.id)
    assert tgw.id not in b.transit_gateways and atts[0].id in b.transit_gateway_attachments


def test_canary_moto_drops_vpc_attachment_tags_and_ignores_tag_filter(backend):
    b, tgw, atts, dummy = backend
    source = inspect.getsource(_orig("responses.TransitGatewayAttachment.create_transit_gateway_vpc_attachment"))
    assert '.get("transit-gateway-route-table"' in source  # the wrong resource type: tags are dropped
    atts[0].add_tags({"Name": "one"})
    found = _orig("models.TransitGatewayAttachmentBackend.describe_transit_gateway_vpc_attachments")(
        b, filters={"tag:Name": ["nothing-has-this-name"]})
    assert len(found) >= 2


def test_canary_moto_association_bookkeeping(backend):
    b, tgw, dummy, vpn_att = backend
    table = tgw.default_route_table
    # The VPN attachment reads as associated, but the table does not list it...
    assert vpn_att.transit_gateway_route_table is table and vpn_att.id not in table.route_table_associations
    # ...and associating it again, anywhere, is accepted.
    other = b.create_transit_gateway_route_table(tgw.id)
    _orig("models.TransitGatewayRouteTableBackend.associate_transit_gateway_route_table")(b, vpn_att.id, other.id)


def test_canary_moto_states_are_immediate():
    source = inspect.getsource(_orig("models.TransitGateway.__init__"))
    assert 'self.state = "available"' in source
    assert _orig("models.TransitGateway.state") is None and _orig("models.TransitGatewayAttachment.state") is None


# --- behaviour through boto3 ------------------------------------------------------------------------------------------
@pytest.fixture
def hub(twin):
    ec2 = twin.ec2()
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    atts = {}
    for name in ("vpc-a", "vpc-b"):
        vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"][0]["VpcId"]
        subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
        atts[name] = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw["TransitGatewayId"], VpcId=vpc, SubnetIds=[subnet],
            TagSpecifications=[{"ResourceType": "transit-gateway-attachment", "Tags": [{"Key": "Name", "Value": name}]}],
        )["TransitGatewayVpcAttachment"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="192.0.2.50", BgpAsn=65000)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"],
                                    TransitGatewayId=tgw["TransitGatewayId"], Options={"StaticRoutesOnly": True})["VpnConnection"]
    vpn_att = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-id", "Values": [vpn["VpnConnectionId"]]}])
    return ec2, tgw, table, atts, vpn, vpn_att["TransitGatewayAttachments"][0]


def _search(ec2, table, **filters):
    filters = [{"Name": k.replace("_", "-"), "Values": v} for k, v in filters.items()] or [
        {"Name": "state", "Values": ["active", "blackhole"]}]
    return ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=filters)["Routes"]


def test_propagation_creates_and_removes_routes(hub):
    ec2, tgw, table, atts, dummy, vpn_att = hub
    routes = dict((r["DestinationCidrBlock"], r) for r in _search(ec2, table, type=["propagated"]))
    assert sorted(routes) == ["172.16.0.0/16", "172.17.0.0/16"]  # VPN (static) propagates nothing
    assert routes["172.16.0.0/16"]["TransitGatewayAttachments"] == [
        {"ResourceId": atts["vpc-a"]["VpcId"], "TransitGatewayAttachmentId": atts["vpc-a"]["TransitGatewayAttachmentId"],
         "ResourceType": "vpc"}]
    ec2.disable_transit_gateway_route_table_propagation(
        TransitGatewayAttachmentId=atts["vpc-a"]["TransitGatewayAttachmentId"], TransitGatewayRouteTableId=table)
    assert [r["DestinationCidrBlock"] for r in _search(ec2, table)] == ["172.17.0.0/16"]
    props = ec2.get_transit_gateway_attachment_propagations(
        TransitGatewayAttachmentId=atts["vpc-b"]["TransitGatewayAttachmentId"])["TransitGatewayAttachmentPropagations"]
    assert props == [{"TransitGatewayRouteTableId": table, "State": "enabled"}]
    assert ec2.get_transit_gateway_attachment_propagations(
        TransitGatewayAttachmentId=atts["vpc-a"]["TransitGatewayAttachmentId"])["TransitGatewayAttachmentPropagations"] == []


def test_static_routes_keep_target_refuse_duplicates_and_replace(hub):
    ec2, tgw, table, atts, vpn, vpn_att = hub
    att_id = vpn_att["TransitGatewayAttachmentId"]
    created = ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/8",
                                               TransitGatewayAttachmentId=att_id)["Route"]
    assert created["TransitGatewayAttachments"] == [{"ResourceId": vpn["VpnConnectionId"], "TransitGatewayAttachmentId": att_id,
                                                     "ResourceType": "vpn"}]
    with pytest.raises(ClientError) as err:
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/8",
                                         TransitGatewayAttachmentId=att_id)
    assert err.value.response["Error"]["Code"] == "RouteAlreadyExists"
    assert err.value.response["Error"]["Message"] == f"Route 10.0.0.0/8 already exists in Transit Gateway Route Table {table}."

    replaced = ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.0.0.0/8",
                                                 TransitGatewayAttachmentId=atts["vpc-b"]["TransitGatewayAttachmentId"])["Route"]
    assert replaced["TransitGatewayAttachments"][0]["ResourceId"] == atts["vpc-b"]["VpcId"]
    [route] = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "route-search.exact-match", "Values": ["10.0.0.0/8"]}])["Routes"]
    assert route["Type"] == "static" and route["TransitGatewayAttachments"][0]["ResourceType"] == "vpc"
    filtered = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "attachment.resource-type", "Values": ["vpc"]}, {"Name": "type", "Values": ["static"]}])["Routes"]
    assert [r["DestinationCidrBlock"] for r in filtered] == ["10.0.0.0/8"]
    with pytest.raises(ClientError) as err:
        ec2.replace_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="10.99.0.0/16", Blackhole=True)
    assert err.value.response["Error"]["Code"] == "InvalidRoute.NotFound"
    # A static route whose attachment is gone turns into a blackhole.
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock="192.168.0.0/16",
                                     TransitGatewayAttachmentId=att_id)
    ec2.delete_vpn_connection(VpnConnectionId=vpn["VpnConnectionId"])
    states = dict((r["DestinationCidrBlock"], r["State"]) for r in _search(ec2, table))
    assert states["192.168.0.0/16"] == "blackhole"


def test_create_route_refuses_unknown_tgw(hub):
    ec2 = hub[0]
    rtb = ec2.describe_route_tables(Filters=[{"Name": "tag:Name", "Values": ["vpc-a-rtb"]}])["RouteTables"][0]["RouteTableId"]
    with pytest.raises(ClientError) as err:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId="tgw-0123456789abcdef0")
    assert err.value.response["Error"]["Code"] == "InvalidTransitGatewayID.NotFound"
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=hub[1]["TransitGatewayId"])


def test_delete_tgw_refused_while_attached(hub):
    ec2, tgw, dummy, atts, vpn, vpn_att = hub
    with pytest.raises(ClientError) as err:
        ec2.delete_transit_gateway(TransitGatewayId=tgw["TransitGatewayId"])
    assert err.value.response["Error"]["Code"] == "IncorrectState"
    assert f"{tgw['TransitGatewayId']} has non-deleted Transit Gateway Attachments: " in err.value.response["Error"]["Message"]
    ec2.delete_vpn_connection(VpnConnectionId=vpn["VpnConnectionId"])
    for att in atts.values():
        ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att["TransitGatewayAttachmentId"])
    assert ec2.delete_transit_gateway(TransitGatewayId=tgw["TransitGatewayId"])["TransitGateway"]["State"] == "deleted"
    assert ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"] == []


def test_vpc_attachment_tags_and_filters(hub):
    ec2, dummy, dummy2, atts, dummy3, vpn_att = hub
    found = ec2.describe_transit_gateway_vpc_attachments(Filters=[{"Name": "tag:Name", "Values": ["vpc-b"]}])
    assert [a["TransitGatewayAttachmentId"] for a in found["TransitGatewayVpcAttachments"]] == [
        atts["vpc-b"]["TransitGatewayAttachmentId"]]
    assert found["TransitGatewayVpcAttachments"][0]["Tags"] == [{"Key": "Name", "Value": "vpc-b"}]
    vpc_only = ec2.describe_transit_gateway_vpc_attachments()["TransitGatewayVpcAttachments"]
    assert vpn_att["TransitGatewayAttachmentId"] not in [a["TransitGatewayAttachmentId"] for a in vpc_only]
    # moto's own duplicate check (one attachment per TGW and VPC) still works through the new filters.
    with pytest.raises(ClientError) as err:
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=atts["vpc-b"]["TransitGatewayId"], VpcId=atts["vpc-b"]["VpcId"],
                                                  SubnetIds=atts["vpc-b"]["SubnetIds"])
    assert err.value.response["Error"]["Code"] == "DuplicateTransitGatewayAttachment"


def test_association_bookkeeping(hub):
    ec2, tgw, table, atts, dummy, vpn_att = hub
    att_id = vpn_att["TransitGatewayAttachmentId"]
    listed = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table)["Associations"]
    assert att_id in [a["TransitGatewayAttachmentId"] for a in listed]
    other = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw["TransitGatewayId"])["TransitGatewayRouteTable"]
    other_id = other["TransitGatewayRouteTableId"]
    with pytest.raises(ClientError) as err:
        ec2.associate_transit_gateway_route_table(TransitGatewayAttachmentId=att_id, TransitGatewayRouteTableId=other_id)
    assert err.value.response["Error"]["Code"] == "Resource.AlreadyAssociated"
    ec2.disassociate_transit_gateway_route_table(TransitGatewayAttachmentId=att_id, TransitGatewayRouteTableId=table)
    assert "Association" not in ec2.describe_transit_gateway_attachments(
        TransitGatewayAttachmentIds=[att_id])["TransitGatewayAttachments"][0]
    ec2.associate_transit_gateway_route_table(TransitGatewayAttachmentId=att_id, TransitGatewayRouteTableId=other_id)
    att = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[att_id])["TransitGatewayAttachments"][0]
    assert att["Association"] == {"TransitGatewayRouteTableId": other_id, "State": "associated"}
    assert [a["TransitGatewayAttachmentId"] for a in ec2.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=other_id)["Associations"]] == [att_id]
    assert att_id not in [a["TransitGatewayAttachmentId"] for a in ec2.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=table)["Associations"]]


def _eventually(fetch, wanted, timeout=10.0):
    """Poll until ``fetch()`` equals ``wanted`` (no timing assertion: only the order of states)."""
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if got == wanted or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_pending_then_available_with_delays(twin):
    ext.use_faults(twin.twin.faults)  # the session may have started another twin since
    twin.twin.faults.update({"delays": {"TransitGateway": 0.5, "TransitGatewayAttachment": 1.0}})
    ec2 = twin.ec2()
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    assert tgw["State"] == "pending"
    tgw_state = lambda: ec2.describe_transit_gateways(TransitGatewayIds=[tgw["TransitGatewayId"]])["TransitGateways"][0]["State"]  # noqa: E731
    assert _eventually(tgw_state, "available") == "available"
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["vpc-a"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw["TransitGatewayId"], VpcId=vpc,
                                                    SubnetIds=[subnet])["TransitGatewayVpcAttachment"]
    assert att["State"] == "pending"
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    cidrs = lambda: [r["DestinationCidrBlock"] for r in _search(ec2, table)]  # noqa: E731
    # Its VPC's CIDR propagates only once the attachment is available.
    assert _eventually(cidrs, ["172.16.0.0/16"]) == ["172.16.0.0/16"]
    deleting = ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att["TransitGatewayAttachmentId"])
    assert deleting["TransitGatewayVpcAttachment"]["State"] == "deleting"
    remaining = lambda: ec2.describe_transit_gateway_vpc_attachments()["TransitGatewayVpcAttachments"]  # noqa: E731
    assert _eventually(remaining, []) == []
