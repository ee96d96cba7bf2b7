"""multicloud.transit.alicloud_vpn_attachment against today's twin: the bridge's transit-router pairing.

Alibaba tunnel k (TR-attached, dual tunnel) meets tunnel 1 of AWS VPN connection k, whose customer gateway is
Alibaba tunnel k's IP (/work/wave2-design.md, "The bridge", transit_router mode). The AWS side is boto3.
"""

from __future__ import annotations

import ipaddress
import time

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from twinhelpers import AWS_PINNED_TUNNEL, aws_outside_ips, aws_telemetry, aws_vpn, cbn_call, ok, run_module
from vpnhelpers import customer_gateways, no_secret, pinned_tunnels

TOKYO = "ap-northeast-1"
DOC_RANGES = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
PSKS = tuple(ipsec.psk_from_seed("test-seed", "to-aws", n) for n in (1, 2))
NEW_PSK = ipsec.psk_from_seed("test-seed", "to-aws", 3)
PLACEHOLDER_IP = "192.0.2.50"  # the peer before AWS has tunnel IPs


def hub(twin):
    """An Enterprise transit router in Tokyo (raw CBN API)."""
    cen = cbn_call(twin, "CreateCen", Name="hub")["CenId"]
    router = cbn_call(twin, "CreateTransitRouter", CenId=cen, RegionId=TOKYO, TransitRouterName="tokyo-hub")
    return cen, router["TransitRouterId"]


def attachment(cen, router, cgw_ids, psks=PSKS, **extra):
    args = {"alicloud_region": TOKYO, "name": "to-aws", "cen_id": cen, "transit_router_id": router,
            "aws_compatible": True, "effect_immediately": True, "tunnels": pinned_tunnels(cgw_ids, psks)}
    args.update(extra)
    return args


def statuses(result):
    return [t["status"] for t in result["tunnels"]]


def test_transit_router_pairing_end_to_end(today_twin):
    cen, router = hub(today_twin)
    placeholder = customer_gateways(TOKYO, [PLACEHOLDER_IP])[0]

    # 1. attached to the TR toward a placeholder: the two tunnel IPs are known
    today_twin.clear_calls()
    created = ok("alicloud_vpn_attachment", attachment(cen, router, [placeholder] * 2), diff=True)
    assert created["changed"] and created["vpn_connection_id"].startswith("vco-")
    assert today_twin.mutating_calls() == ["CreateVpnAttachment", "CreateTransitRouterVpnAttachment"]
    assert created["transit_router_attachment_id"].startswith("tr-attach-")
    assert created["vpn_attachment"]["transit_router_attachment"]["status"] == "Attached"
    assert created["vpn_attachment"]["transit_router_id"] == router and created["vpn_attachment"]["state"] == "attached"
    tunnels = created["tunnels"]
    assert [(t["tunnel_index"], t["role"]) for t in tunnels] == [(1, "master"), (2, "slave")]
    gateway_ips = [t["gateway_ip"] for t in tunnels]
    assert gateway_ips[0] != gateway_ips[1]
    assert all(any(ipaddress.ip_address(ip) in net for net in DOC_RANGES) for ip in gateway_ips)
    assert created["diff"]["after"]["tunnels"][0]["pre_shared_key"] == "********"
    no_secret(created, *PSKS)

    # 2. AWS: one VPN connection per Alibaba tunnel IP on one TGW; tunnel 1 of each carries the key
    ec2 = today_twin.ec2()
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    vpns = [aws_vpn(ec2, ip, (psk, "Unused.key_1"), tgw=tgw, tunnel=AWS_PINNED_TUNNEL)
            for ip, psk in zip(gateway_ips, PSKS)]
    aws_cgws = customer_gateways(TOKYO, [aws_outside_ips(ec2, v)[0] for v in vpns])

    # 3. the tunnels re-pointed at AWS's tunnel-1 outside IPs: both come up
    today_twin.clear_calls()
    repointed = ok("alicloud_vpn_attachment", attachment(cen, router, aws_cgws, wait_for_established=True,
                                                        wait_timeout=20), diff=True)
    assert repointed["changed"] and today_twin.mutating_calls() == ["ModifyVpnAttachmentAttribute"]
    assert repointed["vpn_connection_id"] == created["vpn_connection_id"]
    assert [t["customer_gateway_id"] for t in repointed["tunnels"]] == aws_cgws
    assert [t["gateway_ip"] for t in repointed["tunnels"]] == gateway_ips
    assert statuses(repointed) == ["ipsec_sa_established"] * 2
    assert [aws_telemetry(ec2, v)[0][0] for v in vpns] == ["UP", "UP"]
    assert repointed["diff"]["before"]["tunnels"][1]["customer_gateway_id"] == placeholder
    no_secret(repointed, *PSKS)

    # 4. a re-run changes nothing and makes no mutating call
    today_twin.clear_calls()
    again = ok("alicloud_vpn_attachment", attachment(cen, router, aws_cgws))
    assert not again["changed"] and today_twin.mutating_calls() == []
    assert again["transit_router_attachment_id"] == created["transit_router_attachment_id"]

    # 5. another key on tunnel 2 only: exactly that tunnel drops (tunnel 1's key is re-sent, so it stays up)
    today_twin.clear_calls()
    rekeyed = ok("alicloud_vpn_attachment", attachment(cen, router, aws_cgws, psks=(PSKS[0], NEW_PSK)))
    assert rekeyed["changed"] and today_twin.mutating_calls() == ["ModifyVpnAttachmentAttribute"]
    assert statuses(rekeyed) == ["ipsec_sa_established", "ike_sa_not_established"]
    assert [aws_telemetry(ec2, v)[0][0] for v in vpns] == ["UP", "DOWN"]
    no_secret(rekeyed, PSKS[0], NEW_PSK)

    # 6. vpn_info sees the attachment and each tunnel's status
    info = ok("alicloud_vpn_info", {"alicloud_region": TOKYO})
    listed = info["vpn_attachments"]
    assert [a["vpn_connection_id"] for a in listed] == [created["vpn_connection_id"]]
    assert listed[0]["transit_router_attachment_id"] == created["transit_router_attachment_id"]
    assert [t["status"] for t in listed[0]["tunnels"]] == ["ipsec_sa_established", "ike_sa_not_established"]
    assert info["ipsec_connections"] == []
    no_secret(info, PSKS[0], NEW_PSK)

    # 7. delete: unbind, then delete, waiting for each
    today_twin.clear_calls()
    gone = ok("alicloud_vpn_attachment", attachment(cen, router, aws_cgws, state="absent"))
    assert gone["changed"] and gone["vpn_connection_id"] is None
    assert today_twin.mutating_calls() == ["DeleteTransitRouterVpnAttachment", "DeleteVpnAttachment"]
    assert today_twin.ali_resources("VpnConnection") == []
    assert today_twin.ali_resources("TransitRouterVpnAttachment") == []
    today_twin.clear_calls()
    assert not ok("alicloud_vpn_attachment", attachment(cen, router, aws_cgws, state="absent"))["changed"]
    assert today_twin.mutating_calls() == []


def test_check_mode_on_an_empty_twin_makes_no_call(today_twin):
    cen, router = hub(today_twin)
    placeholder = customer_gateways(TOKYO, [PLACEHOLDER_IP])[0]
    today_twin.clear_calls()
    result = ok("alicloud_vpn_attachment", attachment(cen, router, [placeholder] * 2), check_mode=True, diff=True)
    assert result["changed"] and result["vpn_connection_id"] is None and result["transit_router_attachment_id"] is None
    assert today_twin.mutating_calls() == [] and today_twin.ali_resources("VpnConnection") == []
    assert result["diff"]["before"] == {} and result["diff"]["after"]["tunnels"][0]["pre_shared_key"] == "********"
    no_secret(result, *PSKS)


def test_eventual_consistency_waits_by_the_new_id(today_twin):
    cen, router = hub(today_twin)
    placeholder = customer_gateways(TOKYO, [PLACEHOLDER_IP])[0]
    time.sleep(1.1)  # the hub and the placeholder stay visible; only what the module creates is hidden for 1 s
    today_twin.twin.faults.update({"consistency_delay": 1})
    created = ok("alicloud_vpn_attachment", attachment(cen, router, [placeholder] * 2, wait_timeout=30))
    assert created["vpn_connection_id"] and created["transit_router_attachment_id"]
    assert len(created["tunnels"]) == 2


def test_validation_names_the_field_and_the_fix(today_twin):
    cen, router = hub(today_twin)
    placeholder = customer_gateways(TOKYO, [PLACEHOLDER_IP])[0]
    today_twin.clear_calls()
    one = attachment(cen, router, [placeholder])
    result = run_module("alicloud_vpn_attachment", one)
    assert result["failed"] and "tunnels" in result["msg"] and "exactly 2" in result["msg"]
    defaults = attachment(cen, router, [placeholder] * 2)
    for tunnel in defaults["tunnels"]:
        tunnel.pop("ike_config"), tunnel.pop("ipsec_config")
    result = run_module("alicloud_vpn_attachment", defaults)
    assert result["failed"] and "tunnels[0].ike_config.lifetime=86400" in result["msg"]
    assert "tunnels[1].ipsec_config.auth_alg=md5" in result["msg"] and "aws_compatible" in result["msg"]
    result = run_module("alicloud_vpn_attachment", attachment(cen, router, [placeholder] * 2,
                                                              psks=(PSKS[0], "has space")))
    assert result["failed"] and "tunnels[1].pre_shared_key" in result["msg"]
    no_secret(result, "has space")
    result = run_module("alicloud_vpn_attachment", attachment(None, None, [placeholder] * 2))
    assert result["failed"] and "cen_id or transit_router_id" in result["msg"]
    result = run_module("alicloud_vpn_attachment", attachment(cen, router, [placeholder] * 2, name="to aws"))
    assert result["failed"] and "name" in result["msg"]
    result = run_module("alicloud_vpn_attachment", attachment(cen, router, [placeholder] * 2,
                                                              remote_subnets=["172.16.0.0/33"]))
    assert result["failed"] and "remote_subnets" in result["msg"]
    assert today_twin.mutating_calls() == []
