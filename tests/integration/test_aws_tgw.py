"""aws_tgw against the twin: create, idempotence, check mode, diff, modify, refusals, delete."""

from __future__ import annotations

from twinhelpers import ok, run_module


def tgw_of(result):
    """The Transit Gateway a result describes."""
    return result["transit_gateway"]


def _tgws(twin, name="hub-tgw"):
    found = twin.ec2().describe_transit_gateways(Filters=[{"Name": "tag:Name", "Values": [name]}])["TransitGateways"]
    return [t for t in found if t["State"] not in ("deleted", "deleting")]


def test_create_idempotent_update_and_delete(twin):
    args = {"name": "hub-tgw", "description": "transit", "tags": {"env": "demo"}}
    checked = ok("aws_tgw", args, check_mode=True, diff=True)
    assert checked["changed"] and _tgws(twin) == []
    assert checked["diff"]["after"]["tags"] == {"env": "demo", "Name": "hub-tgw"}

    created = ok("aws_tgw", args)
    assert created["changed"] and tgw_of(created)["state"] == "available"
    assert created["transit_gateway_id"].startswith("tgw-")
    assert tgw_of(created)["options"]["dns_support"] == "enable"
    assert tgw_of(created)["association_default_route_table_id"].startswith("tgw-rtb-")
    assert tgw_of(created)["tags"] == {"Name": "hub-tgw", "env": "demo"}
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
    assert updated["changed"] and tgw_of(updated)["options"]["default_route_table_propagation"] == "disable"
    assert tgw_of(updated)["description"] == "transit 2"
    assert tgw_of(updated)["tags"] == {"Name": "hub-tgw", "env": "prod"}
    twin.clear_calls()
    assert not ok("aws_tgw", update)["changed"] and twin.mutating_calls() == []

    # By id works too, and options left unset are not touched.
    assert not ok("aws_tgw", {"transit_gateway_id": created["transit_gateway_id"]})["changed"]

    twin.clear_calls()
    assert ok("aws_tgw", {"name": "hub-tgw", "state": "absent"}, check_mode=True)["changed"]
    assert twin.mutating_calls() == [] and len(_tgws(twin)) == 1
    gone = ok("aws_tgw", {"name": "hub-tgw", "state": "absent"}, diff=True)
    assert gone["changed"] and tgw_of(gone)["state"] == "deleted" and gone["diff"]["after"] == {}
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
    assert tgw_of(tgw)["options"]["amazon_side_asn"] == 64600
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
    assert tgw_of(ok("aws_tgw", {"name": "hub-tgw", "amazon_side_asn": 64601}))["options"]["amazon_side_asn"] == 64601
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
    assert tgw_of(created)["state"] == "available"
    no_wait = ok("aws_tgw", {"name": "slow-tgw-2", "wait": False})
    assert tgw_of(no_wait)["state"] == "pending"


def _world(twin):
    """What the walkthrough may change in AWS, to compare before and after."""
    ec2 = twin.ec2()
    tables = sorted((t["RouteTableId"], sorted((r.get("DestinationCidrBlock"), r.get("GatewayId") or r.get("TransitGatewayId"))
                                               for r in t["Routes"]))
                    for t in ec2.describe_route_tables()["RouteTables"])
    tgws = [t["TransitGatewayId"] for t in ec2.describe_transit_gateways()["TransitGateways"] if t["State"] != "deleted"]
    atts = [a["TransitGatewayAttachmentId"] for a in ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
            if a["State"] != "deleted"]
    rtbs = [t["TransitGatewayRouteTableId"] for t in ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"]
            if t["State"] != "deleted"]
    vpns = [v["VpnConnectionId"] for v in ec2.describe_vpn_connections()["VpnConnections"] if v["State"] != "deleted"]
    return {"tables": tables, "tgws": tgws, "attachments": atts, "tgw_route_tables": rtbs, "vpns": vpns}


def test_walkthrough_aws_half_build_rerun_and_teardown(twin):
    """The first walkthrough's AWS steps 3 and 5 with these modules; the VPN itself via boto3."""
    seeded = _world(twin)
    vpcs = dict((v["name"], v) for v in ok("aws_vpc_info", {"names": ["vpc-a", "vpc-b"]})["vpcs"])
    assert vpcs["vpc-a"]["cidr_block"] == "172.16.0.0/16" and vpcs["vpc-b"]["cidr_block"] == "172.17.0.0/16"
    others = {"vpc-a": "172.17.0.0/16", "vpc-b": "172.16.0.0/16"}
    ec2 = twin.ec2()

    def build():
        tgw = ok("aws_tgw", {"name": "walkthrough-tgw", "description": "AWS <-> Alibaba transit"})
        atts = {}
        for name, vpc in sorted(vpcs.items()):
            atts[name] = ok("aws_tgw_attachment", {"name": name + "-attachment", "transit_gateway_id": "walkthrough-tgw",
                                                   "vpc_id": vpc["vpc_id"],
                                                   "subnet_ids": [s["subnet_id"] for s in vpc["subnets"]]})
            ok("aws_vpc_route", {"vpc_id": vpc["vpc_id"], "routes": [
                {"destination_cidr_block": cidr, "transit_gateway_id": tgw["transit_gateway_id"]}
                for cidr in (others[name], "10.0.0.0/8", "192.168.0.0/16")]})
        return tgw, atts

    tgw, atts = build()
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.20", BgpAsn=65000)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"],
                                    TransitGatewayId=tgw["transit_gateway_id"],
                                    Options={"StaticRoutesOnly": True})["VpnConnection"]
    vpn_id = vpn["VpnConnectionId"]

    def routes_to_vpn():
        vpn_att = ok("aws_tgw_attachment", {"type": "vpn", "vpn_connection_id": vpn_id, "name": "alibaba-vpn"})
        table = ok("aws_tgw_route_table", {"transit_gateway_id": "walkthrough-tgw", "default": True, "routes": [
            {"destination_cidr_block": "10.0.0.0/8", "vpn_connection_id": vpn_id},
            {"destination_cidr_block": "192.168.0.0/16", "vpn_connection_id": vpn_id}]})
        return vpn_att, table

    vpn_att, table = routes_to_vpn()

    # Re-running every step changes nothing and calls nothing mutating.
    twin.clear_calls()
    build()
    routes_to_vpn()
    assert twin.mutating_calls() == []

    default_table = tgw_of(tgw)["association_default_route_table_id"]
    found = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=default_table,
                                              Filters=[{"Name": "state", "Values": ["active"]}])["Routes"]
    got = dict((r["DestinationCidrBlock"], (r["Type"], r["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"],
                                            r["TransitGatewayAttachments"][0]["ResourceId"])) for r in found)
    vpn_att_id = vpn_att["transit_gateway_attachment_id"]
    assert got == {
        "172.16.0.0/16": ("propagated", atts["vpc-a"]["transit_gateway_attachment_id"], vpcs["vpc-a"]["vpc_id"]),
        "172.17.0.0/16": ("propagated", atts["vpc-b"]["transit_gateway_attachment_id"], vpcs["vpc-b"]["vpc_id"]),
        "10.0.0.0/8": ("static", vpn_att_id, vpn_id),
        "192.168.0.0/16": ("static", vpn_att_id, vpn_id),
    }
    for name, vpc in vpcs.items():
        table_routes = ok("aws_vpc_info", {"names": [name]})["vpcs"][0]["route_tables"][0]["routes"]
        to_tgw = sorted(r["destination_cidr_block"] for r in table_routes if r.get("transit_gateway_id") == tgw["transit_gateway_id"])
        assert to_tgw == sorted([others[name], "10.0.0.0/8", "192.168.0.0/16"])

    info = ok("aws_tgw_info", {"names": ["walkthrough-tgw"]})["transit_gateways"]
    assert len(info) == 1 and info[0]["transit_gateway_id"] == tgw["transit_gateway_id"]
    assert sorted((a["resource_type"], a["name"]) for a in info[0]["attachments"]) == [
        ("vpc", "vpc-a-attachment"), ("vpc", "vpc-b-attachment"), ("vpn", "alibaba-vpn")]
    assert all(a["association"]["state"] == "associated" for a in info[0]["attachments"])
    [default] = [t for t in info[0]["route_tables"] if t["default_association_route_table"]]
    assert len(default["associations"]) == 3 and len(default["propagations"]) == 3
    assert sorted((r["destination_cidr_block"], r["type"]) for r in default["routes"]) == [
        ("10.0.0.0/8", "static"), ("172.16.0.0/16", "propagated"), ("172.17.0.0/16", "propagated"),
        ("192.168.0.0/16", "static")]

    # Teardown in reverse dependency order leaves the seeded world.
    ok("aws_tgw_route_table", {"transit_gateway_id": "walkthrough-tgw", "default": True, "routes": [], "purge_routes": True})
    for name, vpc in sorted(vpcs.items()):
        ok("aws_vpc_route", {"vpc_id": vpc["vpc_id"], "state": "absent", "routes": [
            {"destination_cidr_block": cidr} for cidr in (others[name], "10.0.0.0/8", "192.168.0.0/16")]})
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    ec2.delete_customer_gateway(CustomerGatewayId=cgw["CustomerGatewayId"])
    for name, vpc in sorted(vpcs.items()):
        assert ok("aws_tgw_attachment", {"transit_gateway_id": "walkthrough-tgw", "vpc_id": vpc["vpc_id"],
                                         "state": "absent"})["changed"]
    assert ok("aws_tgw", {"name": "walkthrough-tgw", "state": "absent"})["changed"]
    assert _world(twin) == seeded
    assert ok("aws_tgw_info", {})["transit_gateways"] == []
