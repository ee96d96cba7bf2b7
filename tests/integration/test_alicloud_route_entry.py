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


def custom(result):
    return sorted((e["destination_cidr_block"], e["next_hops"]["next_hop"][0]["next_hop_type"],
                   e["next_hops"]["next_hop"][0]["next_hop_id"]) for e in result["route_entries"]
                  if e["type"] == "Custom")


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
    assert created["changed"] and created["route_table_id"] == vpc["route_table_id"]
    assert custom(created) == [("172.16.0.0/12", "VpnGateway", gw["vpn_gateway_id"]),
                               ("192.0.2.0/24", "Instance", instance)]
    assert all(e["status"] == "Available" for e in created["route_entries"])
    assert sorted(twin.mutating_calls()) == ["CreateRouteEntry", "CreateRouteEntry"]
    assert [r["destination_cidr_block"] for r in created["diff"]["after"]["routes"]] == ["172.16.0.0/12", "192.0.2.0/24"]
    assert any(e["type"] == "System" for e in created["route_entries"])

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
    assert any(e["type"] == "System" for e in purged["route_entries"])

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
    result = run_module("alicloud_route_entry", {"alicloud_region": TOKYO, "vpc_id": vpc["vpc_id"], "routes": [
        {"destination_cidr_block": "10.0.0.0/25", "next_hop_type": "VpnGateway", "next_hop_id": "vpn-nope"}]})
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
