"""aws_tgw_attachment against the twin: VPC attachments, peering request/accept, VPN lookup."""

from __future__ import annotations

from twinhelpers import ok, run_module


def att_of(result):
    """The attachment a result describes."""
    return result["transit_gateway_attachment"]


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
    assert created["changed"] and att_of(created)["state"] == "available"
    assert att_of(created)["transit_gateway_id"] == tgw["transit_gateway_id"]
    assert att_of(created)["resource_id"] == vpc["vpc_id"] and att_of(created)["subnet_ids"] == [subnet]
    assert att_of(created)["tags"] == {"Name": "vpc-a-attachment", "team": "net"}
    default_table = tgw["transit_gateway"]["association_default_route_table_id"]
    assert att_of(created)["association"] == {"transit_gateway_route_table_id": default_table,
                                      "state": "associated"}
    assert att_of(created)["options"]["dns_support"] == "enable"

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
    assert updated["changed"] and att_of(updated)["subnet_ids"] == [other]
    assert att_of(updated)["options"]["appliance_mode_support"] == "enable"
    assert twin.mutating_calls() == ["ModifyTransitGatewayVpcAttachment"]
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", update)["changed"] and twin.mutating_calls() == []

    gone = ok("aws_tgw_attachment", dict(update, state="absent"))
    assert gone["changed"] and att_of(gone)["state"] == "deleted"
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
    assert created["changed"] and att_of(created)["state"] == "pendingAcceptance"
    assert att_of(created)["accepter_tgw_info"]["transit_gateway_id"] == peer["transit_gateway_id"]
    assert att_of(created)["association"] == {}  # peering attachments are not associated by default
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", request)["changed"] and twin.mutating_calls() == []

    accept = {"type": "peering", "accept": True, "region": "us-west-2", "transit_gateway_id": peer["transit_gateway_id"],
              "peer_transit_gateway_id": hub["transit_gateway_id"]}
    twin.clear_calls()
    assert ok("aws_tgw_attachment", accept, check_mode=True)["changed"] and twin.mutating_calls() == []
    accepted = ok("aws_tgw_attachment", accept)
    assert accepted["changed"] and att_of(accepted)["state"] == "available"
    assert accepted["transit_gateway_attachment_id"] == created["transit_gateway_attachment_id"]
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", accept)["changed"] and twin.mutating_calls() == []

    gone = ok("aws_tgw_attachment", dict(request, state="absent"))
    assert gone["changed"] and att_of(gone)["state"] == "deleted"
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
    assert att_of(found)["resource_type"] == "vpn" and att_of(found)["resource_id"] == vpn["VpnConnectionId"]
    assert att_of(found)["transit_gateway_id"] == tgw["transit_gateway_id"] and att_of(found)["state"] == "available"
    assert att_of(found)["tags"] == {"Name": "alibaba-vpn"}
    default_table = tgw["transit_gateway"]["association_default_route_table_id"]
    assert att_of(found)["association"]["transit_gateway_route_table_id"] == default_table
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", args)["changed"] and twin.mutating_calls() == []
    result = run_module("aws_tgw_attachment", dict(args, state="absent"))
    assert result["failed"] and "VPN connection" in result["msg"]


# --- list mode: every VPC of a hub in one call ------------------------------------------------------
SCOPE = {"transit:hub": "hub-tgw"}


def _extra_vpcs(twin, count):
    """``count`` more VPCs with one subnet each (the seed has two): ``[(vpc_id, subnet_id)]``."""
    ec2 = twin.ec2()
    out = []
    for index in range(count):
        vpc = ec2.create_vpc(CidrBlock="10.%d.0.0/16" % (100 + index))["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.%d.0.0/24" % (100 + index),
                                   AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        out.append((vpc, subnet))
    return out


def _hub_items(twin, extra=2):
    seeded = [(v["vpc_id"], v["subnets"][0]["subnet_id"]) for v in (_vpc(twin, "vpc-a"), _vpc(twin, "vpc-b"))]
    return [{"name": "hub-%d" % i, "vpc_id": vpc, "subnet_ids": [subnet]}
            for i, (vpc, subnet) in enumerate(seeded + _extra_vpcs(twin, extra))]


def _actions(twin):
    return [c["action"] for c in twin.calls()]


def test_list_mode_builds_every_attachment_in_one_call(twin):
    from cloudtwin.aws.extensions import tgw as tgw_extension

    tgw = ok("aws_tgw", {"name": "hub-tgw"})
    default_table = tgw["transit_gateway"]["association_default_route_table_id"]
    items = _hub_items(twin)
    args = {"transit_gateway_id": "hub-tgw", "vpc_attachments": items, "scope_tags": SCOPE, "tags": {"team": "net"}}

    twin.clear_calls()
    checked = ok("aws_tgw_attachment", args, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == [] and _live_attachments(twin) == []
    assert [c["action"] for c in checked["changes"]] == ["create"] * 4
    assert [a["transit_gateway_attachment_id"] for a in checked["vpc_attachments"]] == [None] * 4
    assert checked["diff"]["after"][items[0]["vpc_id"]]["tags"] == {"Name": "hub-0", "team": "net",
                                                                    "transit:hub": "hub-tgw"}

    # Attachments settle slowly: every create goes out first, then one wait covers them all.
    tgw_extension.use_faults(twin.twin.faults)  # the session may have started another twin since
    twin.twin.faults.update({"delays": {"TransitGatewayAttachment": 0.3}})
    twin.clear_calls()
    built = ok("aws_tgw_attachment", args)
    actions = _actions(twin)
    assert twin.mutating_calls() == ["CreateTransitGatewayVpcAttachment"] * 4
    last_create = max(i for i, a in enumerate(actions) if a == "CreateTransitGatewayVpcAttachment")
    first_create = actions.index("CreateTransitGatewayVpcAttachment")
    assert "DescribeTransitGatewayVpcAttachments" not in actions[first_create:last_create]
    assert built["changed"] and [a["vpc_id"] for a in built["vpc_attachments"]] == [i["vpc_id"] for i in items]
    for item, att in zip(items, built["vpc_attachments"]):
        assert att["state"] == "available" and att["subnet_ids"] == item["subnet_ids"]
        assert att["tags"] == {"Name": item["name"], "team": "net", "transit:hub": "hub-tgw"}
        assert att["association"] == {"transit_gateway_route_table_id": default_table, "state": "associated"}
    twin.twin.faults.update({"delays": {}})

    # A re-run reads once and changes nothing, however many VPCs the hub has.
    twin.clear_calls()
    again = ok("aws_tgw_attachment", args)
    assert not again["changed"] and again["changes"] == [] and twin.mutating_calls() == []
    assert _actions(twin).count("DescribeTransitGatewayVpcAttachments") == 1
    assert [a["transit_gateway_attachment_id"] for a in again["vpc_attachments"]] == [
        a["transit_gateway_attachment_id"] for a in built["vpc_attachments"]]

    # One item changed: options in place, tags added; the others untouched.
    changed = [dict(items[0], appliance_mode_support=True, tags={"tier": "a"})] + items[1:]
    twin.clear_calls()
    updated = ok("aws_tgw_attachment", dict(args, vpc_attachments=changed))
    assert sorted(twin.mutating_calls()) == ["CreateTags", "ModifyTransitGatewayVpcAttachment"]
    assert updated["vpc_attachments"][0]["options"]["appliance_mode_support"] == "enable"
    assert updated["vpc_attachments"][0]["tags"]["tier"] == "a"

    # state=absent in list mode deletes the listed VPCs' attachments, in one call.
    twin.clear_calls()
    gone = ok("aws_tgw_attachment", dict(args, vpc_attachments=items[2:], state="absent"))
    assert gone["changed"] and gone["vpc_attachments"] == []
    assert twin.mutating_calls() == ["DeleteTransitGatewayVpcAttachment"] * 2
    assert sorted(a["ResourceId"] for a in _live_attachments(twin)) == sorted(i["vpc_id"] for i in items[:2])


def test_list_mode_purges_only_its_scope(twin):
    ok("aws_tgw", {"name": "hub-tgw"})
    items = _hub_items(twin, extra=3)
    mine, outsider = items[:4], items[4]
    ec2 = twin.ec2()
    foreign = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=ok("aws_tgw", {"name": "hub-tgw"})["transit_gateway_id"], VpcId=outsider["vpc_id"],
        SubnetIds=outsider["subnet_ids"])["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    args = {"transit_gateway_id": "hub-tgw", "vpc_attachments": mine, "scope_tags": SCOPE}
    built = ok("aws_tgw_attachment", args)
    kept = dict(args, vpc_attachments=mine[:2], purge_vpc_attachments=True)

    twin.clear_calls()
    checked = ok("aws_tgw_attachment", kept, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert sorted(c["vpc_id"] for c in checked["changes"] if c["action"] == "delete") == sorted(
        i["vpc_id"] for i in mine[2:])
    assert set(checked["diff"]["before"]) - set(checked["diff"]["after"]) == set(i["vpc_id"] for i in mine[2:])

    purged = ok("aws_tgw_attachment", kept)
    assert purged["changed"] and twin.mutating_calls() == ["DeleteTransitGatewayVpcAttachment"] * 2
    live = dict((a["ResourceId"], a["TransitGatewayAttachmentId"]) for a in _live_attachments(twin))
    # The attachment made outside this scope (no scope tags) survives the purge.
    assert live == dict([(i["vpc_id"], a["transit_gateway_attachment_id"])
                         for i, a in zip(mine[:2], built["vpc_attachments"][:2])] + [(outsider["vpc_id"], foreign)])
    twin.clear_calls()
    assert not ok("aws_tgw_attachment", kept)["changed"] and twin.mutating_calls() == []

    # Listing the outsider adopts it: it gets the scope tags (and so falls in scope from then on).
    adopted = ok("aws_tgw_attachment", dict(kept, vpc_attachments=mine[:2] + [dict(outsider, subnet_ids=None)]))
    assert twin.mutating_calls() == ["CreateTags"]
    assert adopted["vpc_attachments"][2]["transit_gateway_attachment_id"] == foreign
    assert adopted["vpc_attachments"][2]["tags"]["transit:hub"] == "hub-tgw"


def test_list_mode_refuses_before_any_call(twin):
    ok("aws_tgw", {"name": "hub-tgw"})
    items = _hub_items(twin, extra=1)
    vpc_b_subnet = items[1]["subnet_ids"][0]
    base = {"transit_gateway_id": "hub-tgw", "vpc_attachments": items}
    twin.clear_calls()
    cases = [
        (dict(base, purge_vpc_attachments=True), "scope_tags"),
        (dict(base, vpc_id=items[0]["vpc_id"]), "cannot be combined with vpc_id"),
        (dict(base, type="peering"), "type=vpc"),
        (dict(base, transit_gateway_id=None), "transit_gateway_id"),
        (dict(base, vpc_attachments=items + [items[0]]), "vpc_attachments[3].vpc_id"),
        # the third item is wrong: nothing is created for the first two either
        (dict(base, vpc_attachments=items[:2] + [dict(items[2], subnet_ids=[vpc_b_subnet])]),
         "vpc_attachments[2].subnet_ids"),
        (dict(base, vpc_attachments=[dict(items[0], subnet_ids=None)]), "vpc_attachments[0].subnet_ids"),
        ({"transit_gateway_id": "hub-tgw", "vpc_id": items[0]["vpc_id"], "subnet_ids": items[0]["subnet_ids"],
          "scope_tags": SCOPE}, "list mode only"),
    ]
    for args, text in cases:
        result = run_module("aws_tgw_attachment", args)
        assert result["failed"], args
        assert text in result["msg"], (args, result["msg"])
    assert twin.mutating_calls() == [] and _live_attachments(twin) == []
