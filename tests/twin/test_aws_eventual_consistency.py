"""AWS eventual consistency in the twin (cloudtwin/aws/extensions/eventual_consistency.py).

AWS, "Eventual consistency in the Amazon EC2 API": describing a resource just created may answer that it does not
exist. With ``consistency_delay`` set, a new resource is left out of listings and a Describe* by its id fails with
the kind's NotFound code, until the delay has passed; with no delay nothing changes.
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

DELAY = 6.0  # long enough for a loaded machine to make the reads inside it


def _code(call, **kwargs):
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def test_new_resources_are_invisible_for_the_delay_then_visible(today_twin):
    today_twin.twin.faults.update({"consistency_delay": DELAY})
    ec2 = today_twin.ec2()
    tgw_id = ec2.create_transit_gateway(Description="ec")["TransitGateway"]["TransitGatewayId"]
    cgw_id = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="192.0.2.10", BgpAsn=65010)[
        "CustomerGateway"]["CustomerGatewayId"]

    assert _code(ec2.describe_transit_gateways, TransitGatewayIds=[tgw_id]) == "InvalidTransitGatewayID.NotFound"
    assert _code(ec2.describe_customer_gateways, CustomerGatewayIds=[cgw_id]) == "InvalidCustomerGatewayID.NotFound"
    assert tgw_id not in [t["TransitGatewayId"] for t in ec2.describe_transit_gateways()["TransitGateways"]]
    assert ec2.describe_transit_gateway_route_tables(
        Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["TransitGatewayRouteTables"] == []

    time.sleep(DELAY + 0.2)
    assert ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["TransitGatewayId"] == tgw_id
    assert ec2.describe_customer_gateways(CustomerGatewayIds=[cgw_id])["CustomerGateways"]
    assert ec2.describe_transit_gateway_route_tables(
        Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}])["TransitGatewayRouteTables"]


def test_the_write_path_sees_what_reads_do_not_yet(today_twin):
    """The cloud's own checks are consistent: a second attachment of one VPC is refused while the first is hidden."""
    today_twin.twin.faults.update({"consistency_delay": 30})
    ec2 = today_twin.ec2()
    tgw_id = ec2.create_transit_gateway(Description="ec")["TransitGateway"]["TransitGatewayId"]
    vpc = ec2.describe_vpcs()["Vpcs"][0]  # the world's, visible
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"][0]
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc["VpcId"],
                                                    SubnetIds=[subnet["SubnetId"]])
    att_id = att["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    assert _code(ec2.describe_transit_gateway_attachments,
                 TransitGatewayAttachmentIds=[att_id]) == "InvalidTransitGatewayAttachmentID.NotFound"
    assert _code(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw_id, VpcId=vpc["VpcId"],
                 SubnetIds=[subnet["SubnetId"]]) == "DuplicateTransitGatewayAttachment"


def test_no_delay_no_effect(today_twin):
    ec2 = today_twin.ec2()
    tgw_id = ec2.create_transit_gateway(Description="ec")["TransitGateway"]["TransitGatewayId"]
    assert ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"]
