"""multicloud.transit.alicloud_route_entry against the seed-tgw-cen twin, and the first walkthrough's Alibaba VPN half."""

from __future__ import annotations

import json

from twinhelpers import ok, run_module

TOKYO = "ap-northeast-1"
PSKS = ("Tunnel1.shared_key", "Tunnel2.shared_key")
AWS_PINNED = {"IKEVersions": [{"Value": "ikev2"}], "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
              "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase1DHGroupNumbers": [{"Value": 14}],
              "Phase2EncryptionAlgorithms": [{"Value": "AES256"}], "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
              "Phase2DHGroupNumbers": [{"Value": 14}], "Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600}


def tokyo_vpc():
    return ok("alicloud_vpc_info", {"alicloud_region": TOKYO, "names": ["tokyo-vpc"]})["vpcs"][0]


def vpn_gateway():
    return ok("alicloud_vpn_gateway", {"alicloud_region": TOKYO, "name": "tokyo-vpn", "vpc_name": "tokyo-vpc"})


def entries(result):
    """Every entry of every route table a result names."""
    return [e for table in result["route_tables"] for e in table["route_entries"]]


def custom(result):
    return sorted((e["destination_cidr_block"], e["next_hops"]["next_hop"][0]["next_hop_type"],
                   e["next_hops"]["next_hop"][0]["next_hop_id"]) for e in entries(result) if e["type"] == "Custom")


def test_reconcile_replace_purge_and_absent(twin):
    vpc = tokyo_vpc()
    gw = vpn_gateway()
    instance = twin.ali_resources("Instance")[0].id
    routes = [{"destination_cidr_block": "172.16.0.0/12", "next_hop_type": "VpnGateway",
               "next_hop_id": gw["vpn_gateway_id"], "name": "to-aws"},
              {"destination_cidr_block": "192.0.2.0/24", "next_hop_type": "Instance", "next_hop_id": instance}]
    args = {"alicloud_region": TOKYO, "vpc_id": vpc["vpc_id"], "routes": routes}

    twin.clear_calls()
    created = ok("alicloud_route_entry", args, diff=True)
    assert created["changed"] and [t["route_table_id"] for t in created["route_tables"]] == [vpc["route_table_id"]]
    assert custom(created) == [("172.16.0.0/12", "VpnGateway", gw["vpn_gateway_id"]),
                               ("192.0.2.0/24", "Instance", instance)]
    assert all(e["status"] == "Available" for e in entries(created))
    assert sorted(twin.mutating_calls()) == ["CreateRouteEntry", "CreateRouteEntry"]
    assert [r["destination_cidr_block"] for r in created["diff"]["after"][vpc["route_table_id"]]] == [
        "172.16.0.0/12", "192.0.2.0/24"]
    assert any(e["type"] == "System" for e in entries(created))

    twin.clear_calls()
    again = ok("alicloud_route_entry", args)
    assert not again["changed"] and twin.mutating_calls() == []

    # next hop changed -> replaced; name changed -> modified in place
    moved = [dict(routes[0], next_hop_type="Instance", next_hop_id=instance), dict(routes[1], name="docs-net")]
    checked = ok("alicloud_route_entry", dict(args, routes=moved), check_mode=True)
    assert checked["changed"] and twin.mutating_calls() == []
    twin.clear_calls()
    replaced = ok("alicloud_route_entry", dict(args, routes=moved))
    assert replaced["changed"] and ("172.16.0.0/12", "Instance", instance) in custom(replaced)
    assert twin.mutating_calls() == ["DeleteRouteEntry", "CreateRouteEntry", "ModifyRouteEntry"]

    # purge keeps system entries, removes the unlisted custom one
    purged = ok("alicloud_route_entry", dict(args, routes=[moved[0]], purge_routes=True))
    assert custom(purged) == [("172.16.0.0/12", "Instance", instance)]
    assert any(e["type"] == "System" for e in entries(purged))

    gone = ok("alicloud_route_entry", dict(args, routes=[{"destination_cidr_block": "172.16.0.0/12"}],
                                           state="absent"))
    assert gone["changed"] and custom(gone) == []


def test_validation_names_the_field(twin):
    vpc = tokyo_vpc()
    result = run_module("alicloud_route_entry", {"alicloud_region": TOKYO, "vpc_id": vpc["vpc_id"], "routes": [
        {"destination_cidr_block": "172.16.0.0/33", "next_hop_type": "Instance", "next_hop_id": "i-x"}]})
    assert result["failed"] and "routes[0].destination_cidr_block" in result["msg"]
    result = run_module("alicloud_route_entry", {"alicloud_region": TOKYO, "vpc_id": vpc["vpc_id"], "routes": [
        {"destination_cidr_block": "172.16.0.0/12"}]})
    assert result["failed"] and "next_hop_type" in result["msg"]
    gw = vpn_gateway()
    twin.clear_calls()
    result = run_module("alicloud_route_entry", {"alicloud_region": TOKYO, "vpc_id": vpc["vpc_id"], "routes": [
        {"destination_cidr_block": "10.0.0.0/25", "next_hop_type": "VpnGateway", "next_hop_id": gw["vpn_gateway_id"]}]})
    assert result["failed"] and result["error_code"] == "InvalidDestinationCidrBlock.ContainedByVSwitch"
    assert twin.mutating_calls() == ["CreateRouteEntry"]  # refused by the cloud, nothing created
    assert twin.ali_resources("RouteEntry") == []


def test_walkthrough_alibaba_vpn_half_converges(twin):
    """Seed 000 step 4-5, Alibaba side: gateway, two customer gateways, two connections, Tokyo route."""
    ec2 = twin.ec2()

    def alibaba_half(outside_ips):
        gw = vpn_gateway()
        cgws = [ok("alicloud_customer_gateway", {"alicloud_region": TOKYO, "name": "aws-tunnel-%d" % (i + 1),
                                                 "ip_address": ip}) for i, ip in enumerate(outside_ips)]
        conns = [ok("alicloud_ipsec_connection", {
            "alicloud_region": TOKYO, "name": "to-aws-tunnel-%d" % (i + 1), "vpn_gateway_id": gw["vpn_gateway_id"],
            "customer_gateway_id": cgw["customer_gateway_id"], "local_subnets": ["0.0.0.0/0"],
            "remote_subnets": ["172.16.0.0/12"], "effect_immediately": True, "pre_shared_key": PSKS[i],
            "aws_compatible": True, "wait_for_established": True, "wait_timeout": 20,
            "ike_config": {"version": "ikev2", "enc_alg": "aes256", "auth_alg": "sha256", "pfs": "group14",
                           "lifetime": 28800},
            "ipsec_config": {"enc_alg": "aes256", "auth_alg": "sha256", "pfs": "group14", "lifetime": 3600}})
            for i, cgw in enumerate(cgws)]
        route = ok("alicloud_route_entry", {"alicloud_region": TOKYO, "vpc_id": tokyo_vpc()["vpc_id"], "routes": [
            {"destination_cidr_block": "172.16.0.0/12", "next_hop_type": "VpnGateway",
             "next_hop_id": gw["vpn_gateway_id"], "name": "to-aws"}]})
        return [gw] + cgws + conns + [route]

    gw = vpn_gateway()
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=gw["internet_ip"], BgpAsn=65000)["CustomerGateway"]
    vpn_id = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], TransitGatewayId=tgw,
        Options={"StaticRoutesOnly": True, "TunnelOptions": [dict(AWS_PINNED, PreSharedKey=p) for p in PSKS]},
    )["VpnConnection"]["VpnConnectionId"]
    tunnels = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["Options"]["TunnelOptions"]

    first = alibaba_half([t["OutsideIpAddress"] for t in tunnels])
    assert [c["status"] for c in first[3:5]] == ["ipsec_sa_established"] * 2
    assert ("172.16.0.0/12", "VpnGateway", gw["vpn_gateway_id"]) in custom(first[5])
    telemetry = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["VgwTelemetry"]
    assert [t["Status"] for t in telemetry] == ["UP", "UP"]

    twin.clear_calls()
    second = alibaba_half([t["OutsideIpAddress"] for t in tunnels])
    assert not any(r["changed"] for r in second)
    assert twin.mutating_calls() == []
    text = json.dumps(first + second)
    assert PSKS[0] not in text and PSKS[1] not in text


# --- one call for every VPC of a hub, in every region ----------------------------------------------------
BEIJING = "cn-beijing"
AWS_PREFIXES = ("172.16.0.0/16", "172.17.0.0/16")


def _enterprise_hub(twin):
    """Today's hub: a transit router in Tokyo and in Beijing, each VPC attached in two zones."""
    from twinhelpers import cbn_call, seeded_vpc, seeded_vswitch

    cen = cbn_call(twin, "CreateCen", Name="hub")["CenId"]
    out = {}
    for region, vpc_name, vswitches in ((TOKYO, "tokyo-vpc", ("tokyo-vsw-1", "tokyo-vsw-2")),
                                        (BEIJING, "beijing-vpc", ("beijing-vsw-1", "beijing-vsw-2"))):
        tr_id = cbn_call(twin, "CreateTransitRouter", CenId=cen, RegionId=region)["TransitRouterId"]
        vpc = seeded_vpc(twin, vpc_name)
        att = cbn_call(twin, "CreateTransitRouterVpcAttachment", TransitRouterId=tr_id, RegionId=region, VpcId=vpc.id,
                       ZoneMappings=[{"ZoneId": seeded_vswitch(twin, n)["ZoneId"],
                                      "VSwitchId": seeded_vswitch(twin, n).id} for n in vswitches]
                       )["TransitRouterAttachmentId"]
        out[region] = {"vpc_id": vpc.id, "route_table_id": vpc["RouteTableId"], "attachment_id": att}
    return out


def _hub_routes(hub, prefixes=AWS_PREFIXES, regions=(TOKYO, BEIJING)):
    return [{"route_table_id": hub[r]["route_table_id"], "region": r if r != TOKYO else None,
             "destination_cidr_block": p, "next_hop_type": "Attachment", "next_hop_id": hub[r]["attachment_id"],
             "name": "to-aws"} for r in regions for p in prefixes]


def test_every_region_of_a_hub_in_one_call(today_twin):
    twin = today_twin
    hub = _enterprise_hub(twin)
    args = {"alicloud_region": TOKYO, "routes": _hub_routes(hub)}

    twin.clear_calls()
    checked = ok("alicloud_route_entry", args, check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert sorted((c["region_id"], c["action"]) for c in checked["changes"]) == [(TOKYO, "create")] * 2 + [
        (BEIJING, "create")] * 2
    assert [r["destination_cidr_block"] for r in checked["diff"]["after"][hub[BEIJING]["route_table_id"]]] == list(
        AWS_PREFIXES)

    twin.clear_calls()
    built = ok("alicloud_route_entry", args)
    assert built["changed"] and twin.mutating_calls() == ["CreateRouteEntry"] * 4
    by_region = dict((t["region_id"], t) for t in built["route_tables"])
    assert sorted(by_region) == [TOKYO, BEIJING]
    for region in (TOKYO, BEIJING):
        table = by_region[region]
        assert (table["route_table_id"], table["vpc_id"]) == (hub[region]["route_table_id"], hub[region]["vpc_id"])
        mine = [e for e in table["route_entries"] if e["type"] == "Custom"]
        assert sorted((e["destination_cidr_block"], e["status"], e["next_hops"]["next_hop"][0]["next_hop_id"])
                      for e in mine) == [(p, "Available", hub[region]["attachment_id"]) for p in AWS_PREFIXES]

    twin.clear_calls()
    again = ok("alicloud_route_entry", args)
    assert not again["changed"] and again["changes"] == [] and twin.mutating_calls() == []

    # Purge works per table, and only in the tables this call names: Beijing is not named here.
    twin.clear_calls()
    purged = ok("alicloud_route_entry", {"alicloud_region": TOKYO, "purge_routes": True,
                                         "routes": _hub_routes(hub, prefixes=AWS_PREFIXES[:1], regions=(TOKYO,))})
    assert twin.mutating_calls() == ["DeleteRouteEntry"]
    assert [(c["action"], c["region_id"], c["destination_cidr_block"]) for c in purged["changes"]] == [
        ("delete", TOKYO, AWS_PREFIXES[1])]
    assert [t["region_id"] for t in purged["route_tables"]] == [TOKYO]
    assert len([e for e in twin.ali_resources("RouteEntry") if e.region == BEIJING]) == 2

    # state=absent removes the listed destinations in every region named.
    gone = ok("alicloud_route_entry", {"alicloud_region": TOKYO, "state": "absent", "routes": [
        dict((k, v) for k, v in r.items() if not k.startswith("next_hop")) for r in _hub_routes(hub)]})
    assert gone["changed"] and sorted(c["region_id"] for c in gone["changes"]) == [TOKYO, BEIJING, BEIJING]
    assert twin.ali_resources("RouteEntry") == []


def test_next_hops_refused_before_any_call(today_twin):
    from twinhelpers import vpc_call

    twin = today_twin
    hub = _enterprise_hub(twin)
    other_vpc = vpc_call(twin, "CreateVpc", CidrBlock="172.30.0.0/16", VpcName="other-vpc")
    good = _hub_routes(hub)
    tokyo_att = hub[TOKYO]["attachment_id"]

    def hop(kind, hop_id, table=hub[TOKYO]["route_table_id"], region=None):
        return {"route_table_id": table, "region": region, "destination_cidr_block": "192.0.2.0/24",
                "next_hop_type": kind, "next_hop_id": hop_id}

    twin.clear_calls()
    cases = [
        # the bad route comes last: every good one before it would have been created by a create-then-refuse module
        (good + [hop("Attachment", tokyo_att, table=other_vpc["RouteTableId"])],
         "routes[4].next_hop_id %s (Attachment) belongs to %s, not to VPC %s" % (tokyo_att, hub[TOKYO]["vpc_id"],
                                                                                 other_vpc["VpcId"])),
        (good + [hop("Attachment", tokyo_att, table=hub[BEIJING]["route_table_id"], region=BEIJING)],
         "no Attachment with this ID in region cn-beijing"),
        (good + [hop("Attachment", "tr-attach-0000nope")], "no Attachment with this ID"),
        (good + [hop("VpnGateway", "vpn-0000nope")], "no VpnGateway with this ID"),
        (good + [hop("RouterInterface", "ri-0000nope")], "no RouterInterface with this ID"),
        (good + [hop("VpcPeer", "pcc-0000nope")], "no VpcPeer with this ID"),
        # an ID of the wrong kind
        (good + [hop("VpnGateway", tokyo_att)], "routes[4].next_hop_id %s is not a VpnGateway" % tokyo_att),
        (good + [hop("Instance", "vpn-0000nope")], "is not a Instance"),
        (good + [hop("Attachment", "vpn-0000nope")], "is not a Attachment"),
        (good + [dict(good[0], route_table_id=None, region=BEIJING)],
         "routes[4].region needs routes[4].route_table_id"),
        (good + [good[1]], "listed twice for one table (also routes[1])"),
        (good + [hop("Attachment", tokyo_att, table="vtb-0000nope")], "Route table vtb-0000nope was not found"),
    ]
    for routes, text in cases:
        result = run_module("alicloud_route_entry", {"alicloud_region": TOKYO, "routes": routes})
        assert result["failed"], routes
        assert text in result["msg"], (routes, result["msg"])
    assert twin.mutating_calls() == [] and twin.ali_resources("RouteEntry") == []


def test_replace_waits_for_the_old_entry_then_creates(today_twin):
    twin = today_twin
    hub = _enterprise_hub(twin)
    gw_host = next(i for i in twin.ali_resources("Instance") if i["VpcId"] == hub[TOKYO]["vpc_id"])
    route = {"route_table_id": hub[TOKYO]["route_table_id"], "destination_cidr_block": "192.0.2.0/24",
             "next_hop_type": "Instance", "next_hop_id": gw_host.id}
    ok("alicloud_route_entry", {"alicloud_region": TOKYO, "routes": [route]})
    twin.twin.faults.update({"delays": {"RouteEntry": 0.3}})
    twin.clear_calls()
    moved = ok("alicloud_route_entry", {"alicloud_region": TOKYO, "routes": [
        dict(route, next_hop_type="Attachment", next_hop_id=hub[TOKYO]["attachment_id"])]})
    assert twin.mutating_calls() == ["DeleteRouteEntry", "CreateRouteEntry"]
    [entry] = [e for e in moved["route_tables"][0]["route_entries"] if e["type"] == "Custom"]
    assert entry["status"] == "Available" and entry["next_hops"]["next_hop"][0]["next_hop_type"] == "Attachment"
