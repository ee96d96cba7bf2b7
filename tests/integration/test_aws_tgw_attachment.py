"""aws_tgw_attachment against the twin: VPC attachments, peering request/accept, VPN lookup."""

from __future__ import annotations

from twinhelpers import ok, run_module


def _vpc(twin, name):
    return ok("aws_vpc_info", {"names": [name]})["vpcs"][0]


def _live_attachments(twin):
    items = twin.ec2().describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    return [a for a in items if a["State"] not in ("deleted", "deleting")]


def test_vpc_attachment_lifecycle(twin):
    tgw = ok("aws_tgw", {"name": "hub-tgw"})
    vpc = _vpc(twin, "vpc-a")
    subnet = vpc["subnets"][0]["subnet_id"]
    args = {"name": "vpc-a-attachment", "transit_gateway_id": "hub-tgw", "vpc_id": vpc["vpc_id"],
            "subnet_ids": [subnet], "tags": {"team": "net"}}

    checked = ok("aws_tgw_attachment", args, check_mode=True, diff=True)
    assert checked["changed"] and _live_attachments(twin) == []
    assert checked["diff"]["after"]["subnet_ids"] == [subnet]

    created = ok("aws_tgw_attachment", args)
    assert created["changed"] and created["transit_gateway_attachment"]["state"] == "available"
    assert created["transit_gateway_attachment"]["transit_gateway_id"] == tgw["transit_gateway_id"]
    assert created["transit_gateway_attachment"]["resource_id"] == vpc["vpc_id"] and created["transit_gateway_attachment"]["subnet_ids"] == [subnet]
    assert created["transit_gateway_attachment"]["tags"] == {"Name": "vpc-a-attachment", "team": "net"}
    assert created["transit_gateway_attachment"]["association"] == {"transit_gateway_route_table_id": tgw["transit_gateway"]["association_default_route_table_id"],
                                      "state": "associated"}
    assert created["transit_gateway_attachment"]["options"]["dns_support"] == "enable"

    twin.clear_calls()
    again = ok("aws_tgw_attachment", args)
    assert not again["changed"] and again["transit_gateway_attachment_id"] == created["transit_gateway_attachment_id"]
    assert twin.mutating_calls() == []

    # Found by Name tag + TGW alone as well.
    byname = ok("aws_tgw_attachment", {"name": "vpc-a-attachment", "transit_gateway_id": tgw["transit_gateway_id"]})
    assert not byname["changed"] and byname["transit_gateway_attachment_id"] == created["transit_gateway_attachment_id"]

    # Subnets change with add/remove; options change in place.
    ec2 = twin.ec2()
    other = ec2.create_subnet(VpcId=vpc["vpc_id"], CidrBlock="172.16.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    update = dict(args, subnet_ids=[other], appliance_mode_support=True)
    twin.clear_calls()
    checked = ok("aws_tgw_attachment", update, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert checked["diff"]["before"]["subnet_ids"] == [subnet] and checked["diff"]["after"]["subnet_ids"] == [other]
    updated = ok("aws_tgw_attachment", update)
    assert updated["changed"] and updated["transit_gateway_attachment"]["subnet_ids"] == [other]
    assert updated["transit_gateway_attachment"]["options"]["appliance_mode_support"] == "enable"
    assert twin.mutating_calls() == ["ModifyTransitGatewayVpcAttachment"]
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", update)["changed"] and twin.mutating_calls() == []

    gone = ok("aws_tgw_attachment", dict(update, state="absent"))
    assert gone["changed"] and gone["transit_gateway_attachment"]["state"] == "deleted"
    assert _live_attachments(twin) == []
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", dict(update, state="absent"))["changed"]
    assert twin.mutating_calls() == []


def test_vpc_attachment_validation_names_the_field(twin):
    ok("aws_tgw", {"name": "hub-tgw"})
    vpc_a, vpc_b = _vpc(twin, "vpc-a"), _vpc(twin, "vpc-b")
    ec2 = twin.ec2()
    same_az = ec2.create_subnet(VpcId=vpc_a["vpc_id"], CidrBlock="172.16.2.0/24",
                                AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    base = {"transit_gateway_id": "hub-tgw", "vpc_id": vpc_a["vpc_id"]}
    twin.clear_calls()
    cases = [
        (dict(base, subnet_ids=[vpc_a["subnets"][0]["subnet_id"], same_az]), "one subnet per Availability Zone"),
        (dict(base, subnet_ids=[vpc_b["subnets"][0]["subnet_id"]]), "are not in VPC"),
        (dict(base, subnet_ids=["subnet-0000000000000000f"]), "not found"),
        (dict(base, subnet_ids=[]), "subnet_ids"),
        (dict(base, subnet_ids=[same_az], transit_gateway_id="nope-tgw"), "transit_gateway_id"),
        ({"vpc_id": vpc_a["vpc_id"], "subnet_ids": [same_az]}, "transit_gateway_id"),
        (dict(base, subnet_ids=[same_az], peer_region="eu-west-1"), "peer_region"),
        ({"type": "vpn"}, "vpn_connection_id"),
    ]
    for args, text in cases:
        result = run_module("aws_tgw_attachment", args)
        assert result["failed"], args
        assert text in result["msg"], (args, result["msg"])
    assert twin.mutating_calls() == []


def test_peering_request_and_accept(twin):
    hub = ok("aws_tgw", {"name": "hub-tgw"})
    peer = ok("aws_tgw", {"name": "eu-tgw", "region": "us-west-2"})
    request = {"type": "peering", "name": "hub-to-eu", "transit_gateway_id": "hub-tgw",
               "peer_transit_gateway_id": peer["transit_gateway_id"], "peer_region": "us-west-2"}
    assert ok("aws_tgw_attachment", request, check_mode=True)["changed"]
    created = ok("aws_tgw_attachment", request)
    assert created["changed"] and created["transit_gateway_attachment"]["state"] == "pendingAcceptance"
    assert created["transit_gateway_attachment"]["accepter_tgw_info"]["transit_gateway_id"] == peer["transit_gateway_id"]
    assert created["transit_gateway_attachment"]["association"] == {}  # peering attachments are not associated by default
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", request)["changed"] and twin.mutating_calls() == []

    accept = {"type": "peering", "accept": True, "region": "us-west-2", "transit_gateway_id": peer["transit_gateway_id"],
              "peer_transit_gateway_id": hub["transit_gateway_id"]}
    twin.clear_calls()
    assert ok("aws_tgw_attachment", accept, check_mode=True)["changed"] and twin.mutating_calls() == []
    accepted = ok("aws_tgw_attachment", accept)
    assert accepted["changed"] and accepted["transit_gateway_attachment"]["state"] == "available"
    assert accepted["transit_gateway_attachment_id"] == created["transit_gateway_attachment_id"]
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", accept)["changed"] and twin.mutating_calls() == []

    gone = ok("aws_tgw_attachment", dict(request, state="absent"))
    assert gone["changed"] and gone["transit_gateway_attachment"]["state"] == "deleted"
    assert not ok("aws_tgw_attachment", dict(request, state="absent"))["changed"]


def test_vpn_attachment_lookup(twin):
    tgw = ok("aws_tgw", {"name": "hub-tgw"})
    ec2 = twin.ec2()
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65000)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"],
                                    TransitGatewayId=tgw["transit_gateway_id"],
                                    Options={"StaticRoutesOnly": True})["VpnConnection"]
    args = {"type": "vpn", "vpn_connection_id": vpn["VpnConnectionId"], "name": "alibaba-vpn"}
    found = ok("aws_tgw_attachment", args)
    assert found["changed"]  # the Name tag was added
    assert found["transit_gateway_attachment"]["resource_type"] == "vpn" and found["transit_gateway_attachment"]["resource_id"] == vpn["VpnConnectionId"]
    assert found["transit_gateway_attachment"]["transit_gateway_id"] == tgw["transit_gateway_id"] and found["transit_gateway_attachment"]["state"] == "available"
    assert found["transit_gateway_attachment"]["tags"] == {"Name": "alibaba-vpn"}
    assert found["transit_gateway_attachment"]["association"]["transit_gateway_route_table_id"] == tgw["transit_gateway"]["association_default_route_table_id"]
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", args)["changed"] and twin.mutating_calls() == []
    result = run_module("aws_tgw_attachment", dict(args, state="absent"))
    assert result["failed"] and "VPN connection" in result["msg"]
