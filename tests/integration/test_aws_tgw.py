"""aws_tgw against the twin: create, idempotence, check mode, diff, modify, refusals, delete."""

from __future__ import annotations

from twinhelpers import ok, run_module


def _tgws(twin, name="hub-tgw"):
    found = twin.ec2().describe_transit_gateways(Filters=[{"Name": "tag:Name", "Values": [name]}])["TransitGateways"]
    return [t for t in found if t["State"] not in ("deleted", "deleting")]


def test_create_idempotent_update_and_delete(twin):
    args = {"name": "hub-tgw", "description": "transit", "tags": {"env": "demo"}}
    checked = ok("aws_tgw", args, check_mode=True, diff=True)
    assert checked["changed"] and _tgws(twin) == []
    assert checked["diff"]["after"]["tags"] == {"env": "demo", "Name": "hub-tgw"}

    created = ok("aws_tgw", args)
    assert created["changed"] and created["state"] == "available"
    assert created["transit_gateway_id"].startswith("tgw-")
    assert created["options"]["dns_support"] == "enable"
    assert created["association_default_route_table_id"].startswith("tgw-rtb-")
    assert created["tags"] == {"Name": "hub-tgw", "env": "demo"}
    assert len(_tgws(twin)) == 1

    twin.clear_calls()
    again = ok("aws_tgw", args)
    assert not again["changed"] and again["transit_gateway_id"] == created["transit_gateway_id"]
    assert twin.mutating_calls() == []

    update = dict(args, default_route_table_propagation=False, description="transit 2", tags={"env": "prod"})
    twin.clear_calls()
    checked = ok("aws_tgw", update, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert checked["diff"]["before"]["options"]["default_route_table_propagation"] == "enable"
    assert checked["diff"]["after"]["options"]["default_route_table_propagation"] == "disable"
    updated = ok("aws_tgw", update)
    assert updated["changed"] and updated["options"]["default_route_table_propagation"] == "disable"
    assert updated["description"] == "transit 2" and updated["tags"] == {"Name": "hub-tgw", "env": "prod"}
    twin.clear_calls()
    assert not ok("aws_tgw", update)["changed"] and twin.mutating_calls() == []

    # By id works too, and options left unset are not touched.
    assert not ok("aws_tgw", {"transit_gateway_id": created["transit_gateway_id"]})["changed"]

    twin.clear_calls()
    assert ok("aws_tgw", {"name": "hub-tgw", "state": "absent"}, check_mode=True)["changed"]
    assert twin.mutating_calls() == [] and len(_tgws(twin)) == 1
    gone = ok("aws_tgw", {"name": "hub-tgw", "state": "absent"}, diff=True)
    assert gone["changed"] and gone["state"] == "deleted" and gone["diff"]["after"] == {}
    assert _tgws(twin) == []
    twin.clear_calls()
    assert not ok("aws_tgw", {"name": "hub-tgw", "state": "absent"})["changed"]
    assert twin.mutating_calls() == []


def test_unmodifiable_option_is_refused_by_name(twin):
    ok("aws_tgw", {"name": "hub-tgw"})
    twin.clear_calls()
    result = run_module("aws_tgw", {"name": "hub-tgw", "multicast_support": True})
    assert result["failed"] and "multicast_support" in result["msg"]
    assert twin.mutating_calls() == []


def test_asn_change_and_delete_refused_while_attached(twin):
    tgw = ok("aws_tgw", {"name": "hub-tgw", "amazon_side_asn": 64600})
    assert tgw["options"]["amazon_side_asn"] == 64600
    ec2 = twin.ec2()
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["vpc-a"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw["transit_gateway_id"], VpcId=vpc,
                                                    SubnetIds=[subnet])["TransitGatewayVpcAttachment"]
    att_id = att["TransitGatewayAttachmentId"]

    result = run_module("aws_tgw", {"name": "hub-tgw", "amazon_side_asn": 64601})
    assert result["failed"] and "amazon_side_asn" in result["msg"] and att_id in result["msg"]
    twin.clear_calls()
    result = run_module("aws_tgw", {"name": "hub-tgw", "state": "absent"})
    assert result["failed"] and att_id in result["msg"] and result["attachments"] == [att_id]
    assert twin.mutating_calls() == []

    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att_id)
    assert ok("aws_tgw", {"name": "hub-tgw", "amazon_side_asn": 64601})["options"]["amazon_side_asn"] == 64601
    assert ok("aws_tgw", {"name": "hub-tgw", "state": "absent"})["changed"]


def test_validation_errors_name_the_field(twin):
    result = run_module("aws_tgw", {"name": "hub-tgw", "amazon_side_asn": 65000 + 1000})
    assert result["failed"] and "amazon_side_asn" in result["msg"]
    result = run_module("aws_tgw", {"description": "no name"})
    assert result["failed"] and "name" in result["msg"]
    result = run_module("aws_tgw", {"transit_gateway_id": "tgw-0123456789abcdef0"})
    assert result["failed"] and "name" in result["msg"]
    assert twin.mutating_calls() == []


def test_waits_for_pending_transit_gateway(twin):
    from cloudtwin.aws.extensions import tgw as tgw_extension

    tgw_extension.use_faults(twin.twin.faults)  # the session may have started another twin since
    twin.twin.faults.update({"delays": {"TransitGateway": 0.3}})
    created = ok("aws_tgw", {"name": "slow-tgw"})
    assert created["state"] == "available"
    no_wait = ok("aws_tgw", {"name": "slow-tgw-2", "wait": False})
    assert no_wait["state"] == "pending"
