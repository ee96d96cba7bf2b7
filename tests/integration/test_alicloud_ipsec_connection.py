"""multicloud.transit.alicloud_ipsec_connection against the seed-tgw-cen twin (with the AWS side from boto3)."""

from __future__ import annotations

from twinhelpers import ok, run_module
from vpnhelpers import no_secret

TOKYO = "ap-northeast-1"
PSK = "Tunnel1.shared_key"
NEW_PSK = "Rotated.key_2"
AWS_PINNED = {"IKEVersions": [{"Value": "ikev2"}], "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
              "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase1DHGroupNumbers": [{"Value": 14}],
              "Phase2EncryptionAlgorithms": [{"Value": "AES256"}], "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
              "Phase2DHGroupNumbers": [{"Value": 14}], "Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600}
IKE = {"version": "ikev2", "enc_alg": "aes256", "auth_alg": "sha256", "pfs": "group14", "lifetime": 28800}
IPSEC = {"enc_alg": "aes256", "auth_alg": "sha256", "pfs": "group14", "lifetime": 3600}


def gateway(twin):
    return ok("alicloud_vpn_gateway", {"alicloud_region": TOKYO, "name": "tokyo-vpn", "vpc_name": "tokyo-vpc"})


def aws_vpn(twin, alibaba_ip, psks):
    ec2 = twin.ec2()
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=alibaba_ip, BgpAsn=65000)["CustomerGateway"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], TransitGatewayId=tgw,
                                    Options={"StaticRoutesOnly": True, "TunnelOptions": [
                                        dict(AWS_PINNED, PreSharedKey=psk) for psk in psks]})["VpnConnection"]
    described = ec2.describe_vpn_connections(VpnConnectionIds=[vpn["VpnConnectionId"]])["VpnConnections"][0]
    return vpn["VpnConnectionId"], [t["OutsideIpAddress"] for t in described["Options"]["TunnelOptions"]]


def customer_gateway(ip, name):
    return ok("alicloud_customer_gateway", {"alicloud_region": TOKYO, "name": name, "ip_address": ip})


def conn_args(gw, cgw, **extra):
    base = {"alicloud_region": TOKYO, "name": "to-aws-1", "vpn_gateway_id": gw["vpn_gateway_id"],
            "customer_gateway_id": cgw["customer_gateway_id"], "local_subnets": ["0.0.0.0/0"],
            "remote_subnets": ["172.16.0.0/12"], "effect_immediately": True, "pre_shared_key": PSK,
            "aws_compatible": True, "ike_config": IKE, "ipsec_config": IPSEC}
    base.update(extra)
    return base


def test_create_idempotent_update_delete_and_established(twin):
    gw = gateway(twin)
    vpn_id, outside = aws_vpn(twin, gw["internet_ip"], [PSK, "Tunnel2.shared_key"])
    cgw = customer_gateway(outside[0], "aws-tunnel-1")

    twin.clear_calls()
    created = ok("alicloud_ipsec_connection", conn_args(gw, cgw, wait_for_established=True, wait_timeout=20),
                 diff=True)
    assert created["changed"] and created["vpn_connection_id"].startswith("vco-")
    assert created["status"] == "ipsec_sa_established" and created["state"] == "active"
    assert created["ike_config"]["ike_version"] == "ikev2" and "psk" not in created["ike_config"]
    assert created["ipsec_config"]["ipsec_lifetime"] == 3600
    assert created["diff"]["after"]["pre_shared_key"] == "********"
    no_secret(created, PSK)
    assert twin.mutating_calls() == ["CreateVpnConnection"]
    telemetry = twin.ec2().describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["VgwTelemetry"]
    assert telemetry[0]["Status"] == "UP"

    twin.clear_calls()
    again = ok("alicloud_ipsec_connection", conn_args(gw, cgw))
    assert not again["changed"] and again["vpn_connection_id"] == created["vpn_connection_id"]
    assert twin.mutating_calls() == []

    # check mode: a changed key is reported, nothing is sent
    checked = ok("alicloud_ipsec_connection", conn_args(gw, cgw, pre_shared_key=NEW_PSK), check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert checked["diff"]["before"]["pre_shared_key"] == "********"
    no_secret(checked, PSK, NEW_PSK)

    # update: rotate the key on Alibaba only -> the tunnel drops, the module says so when asked to wait
    twin.clear_calls()
    rotated = run_module("alicloud_ipsec_connection", conn_args(gw, cgw, pre_shared_key=NEW_PSK,
                                                                wait_for_established=True, wait_timeout=1), diff=True)
    assert rotated["failed"] and rotated["status"] == "ike_sa_not_established"
    assert "ike_sa_not_established" in rotated["msg"]
    assert twin.mutating_calls() == ["ModifyVpnConnectionAttribute"]
    no_secret(rotated, PSK, NEW_PSK)
    updated = ok("alicloud_ipsec_connection", conn_args(gw, cgw, pre_shared_key=NEW_PSK, remote_subnets=["172.16.0.0/12"],
                                                        enable_dpd=False))
    assert updated["changed"] and updated["vpn_connection"]["enable_dpd"] is False

    twin.clear_calls()
    gone = ok("alicloud_ipsec_connection", conn_args(gw, cgw, state="absent"))
    assert gone["changed"] and twin.mutating_calls() == ["DeleteVpnConnection"]
    assert twin.ali_resources("VpnConnection") == []
    assert not ok("alicloud_ipsec_connection", conn_args(gw, cgw, state="absent"))["changed"]


def test_check_mode_creates_nothing(twin):
    gw = gateway(twin)
    cgw = customer_gateway("203.0.113.10", "aws-tunnel-1")
    twin.clear_calls()
    result = ok("alicloud_ipsec_connection", conn_args(gw, cgw), check_mode=True, diff=True)
    assert result["changed"] and result["vpn_connection_id"] is None
    assert twin.mutating_calls() == [] and twin.ali_resources("VpnConnection") == []
    no_secret(result, PSK)


def test_validation_names_the_field_and_the_fix(twin):
    gw = gateway(twin)
    cgw = customer_gateway("203.0.113.10", "aws-tunnel-1")
    twin.clear_calls()
    # Alibaba's defaults (md5, 86400) are what aws_compatible refuses when nothing is pinned.
    result = run_module("alicloud_ipsec_connection", conn_args(gw, cgw, ike_config=None, ipsec_config=None))
    assert result["failed"] and "ike_config.auth_alg=md5" in result["msg"] and "ike_config.lifetime=86400" in result["msg"]
    assert "ipsec_config.lifetime=86400" in result["msg"] and "use 3600" in result["msg"]
    result = run_module("alicloud_ipsec_connection", conn_args(gw, cgw, ipsec_config=dict(IPSEC, pfs="disabled")))
    assert result["failed"] and "ipsec_config.pfs" in result["msg"]
    result = run_module("alicloud_ipsec_connection", conn_args(gw, cgw, local_subnets=["10.0.0.0/33"]))
    assert result["failed"] and "local_subnets" in result["msg"]
    result = run_module("alicloud_ipsec_connection", conn_args(gw, cgw, pre_shared_key="has space"))
    assert result["failed"] and "pre_shared_key" in result["msg"]
    no_secret(result, "has space")
    result = run_module("alicloud_ipsec_connection", conn_args(gw, cgw, ike_config=dict(IKE, lifetime=90000),
                                                               aws_compatible=False))
    assert result["failed"] and "ike_config.lifetime" in result["msg"]
    assert twin.mutating_calls() == []
    # without aws_compatible, Alibaba's defaults are fine
    plain = ok("alicloud_ipsec_connection", conn_args(gw, cgw, ike_config=None, ipsec_config=None,
                                                      aws_compatible=False))
    assert plain["ike_config"]["ike_auth_alg"] == "md5" and plain["status"] == "ike_sa_not_established"


def test_vpn_info_lists_everything_without_secrets(twin):
    gw = gateway(twin)
    cgw = customer_gateway("203.0.113.10", "aws-tunnel-1")
    conn = ok("alicloud_ipsec_connection", conn_args(gw, cgw))
    info = ok("alicloud_vpn_info", {"alicloud_region": TOKYO})
    assert not info["changed"]
    assert [g["vpn_gateway_id"] for g in info["vpn_gateways"]] == [gw["vpn_gateway_id"]]
    assert info["vpn_gateways"][0]["internet_ip"] == gw["internet_ip"]
    assert [c["customer_gateway_id"] for c in info["customer_gateways"]] == [cgw["customer_gateway_id"]]
    assert [c["vpn_connection_id"] for c in info["ipsec_connections"]] == [conn["vpn_connection_id"]]
    assert info["ipsec_connections"][0]["ike_config"]["ike_version"] == "ikev2"
    assert "psk" not in info["ipsec_connections"][0]["ike_config"]
    no_secret(info, PSK)
    other = ok("alicloud_vpn_info", {"alicloud_region": TOKYO, "vpn_gateway_ids": ["vpn-other"]})
    assert other["vpn_gateways"] == [] and other["ipsec_connections"] == []


def established_connection(twin):
    gw = gateway(twin)
    vpn_id, outside = aws_vpn(twin, gw["internet_ip"], [PSK, "Tunnel2.shared_key"])
    cgw = customer_gateway(outside[0], "aws-tunnel-1")
    created = ok("alicloud_ipsec_connection", conn_args(gw, cgw, wait_for_established=True, wait_timeout=20))
    assert created["status"] == "ipsec_sa_established"
    return gw, cgw, vpn_id


def stored_psk(twin, vco_id):
    return twin.twin.backend.state.find("VpnConnection", vco_id)["IkeConfig"]["Psk"]


def test_a_change_of_ike_settings_only_resends_the_key(twin):
    # Bug: with only IKE settings changed, IkeConfig went out without Psk; the cloud then generates a random key
    # (ModifyVpnConnectionAttribute) and the tunnel drops.
    gw, cgw, vpn_id = established_connection(twin)
    twin.clear_calls()
    changed = ok("alicloud_ipsec_connection", conn_args(gw, cgw, ike_config=dict(IKE, lifetime=14400),
                                                        wait_for_established=True, wait_timeout=5))
    assert changed["changed"] and twin.mutating_calls() == ["ModifyVpnConnectionAttribute"]
    assert changed["status"] == "ipsec_sa_established" and changed["ike_config"]["ike_lifetime"] == 14400
    assert stored_psk(twin, changed["vpn_connection_id"]) == PSK
    # Without pre_shared_key in the task the current key is re-sent.
    no_key = conn_args(gw, cgw, ike_config=dict(IKE, lifetime=28800), enable_dpd=False)
    no_key.pop("pre_shared_key")
    again = ok("alicloud_ipsec_connection", dict(no_key, wait_for_established=True, wait_timeout=5))
    assert again["changed"] and again["status"] == "ipsec_sa_established"
    assert stored_psk(twin, again["vpn_connection_id"]) == PSK
    telemetry = twin.ec2().describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["VgwTelemetry"]
    assert telemetry[0]["Status"] == "UP"
    no_secret(changed, PSK)
    no_secret(again, PSK)


def test_tunnels_is_refused_on_a_single_tunnel_gateway(twin):
    gw = gateway(twin)
    assert gw["disaster_recovery_internet_ip"] is None
    cgw = customer_gateway("203.0.113.10", "aws-tunnel-1")
    twin.clear_calls()
    args = conn_args(gw, cgw, tunnels=[{"customer_gateway_id": cgw["customer_gateway_id"]}] * 2)
    for key in ("customer_gateway_id", "pre_shared_key", "ike_config", "ipsec_config"):
        args.pop(key)
    result = run_module("alicloud_ipsec_connection", args)
    assert result["failed"] and "single-tunnel" in result["msg"] and "customer_gateway_id" in result["msg"]
    assert twin.mutating_calls() == []


# --- dual tunnel (today's rules) ----------------------------------------------------------------------------------
DUAL_PSKS = ("Master.shared_key", "Slave.shared_key")


def dual_args(gw, cgw_ids, psks=DUAL_PSKS, **extra):
    base = {"alicloud_region": TOKYO, "name": "to-aws-a", "vpn_gateway_id": gw["vpn_gateway_id"],
            "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["0.0.0.0/0"], "effect_immediately": True,
            "aws_compatible": True,
            "tunnels": [{"customer_gateway_id": cgw, "pre_shared_key": psk, "ike_config": IKE, "ipsec_config": IPSEC}
                        for cgw, psk in zip(cgw_ids, psks)]}
    base.update(extra)
    return base


def test_single_tunnel_options_refused_on_a_dual_tunnel_gateway(today_twin):
    gw = gateway(today_twin)
    assert gw["disaster_recovery_internet_ip"] and gw["disaster_recovery_internet_ip"] != gw["internet_ip"]
    cgw = customer_gateway("203.0.113.10", "aws-tunnel-1")
    today_twin.clear_calls()
    result = run_module("alicloud_ipsec_connection", conn_args(gw, cgw))
    assert result["failed"] and "dual-tunnel" in result["msg"] and "Use tunnels" in result["msg"]
    assert "customer_gateway_id, pre_shared_key, ike_config, ipsec_config" in result["msg"]
    no_secret(result, PSK)
    assert today_twin.mutating_calls() == [] and today_twin.ali_resources("VpnConnection") == []


def test_dual_tunnel_create_idempotent_repoint_delete(today_twin):
    gw = gateway(today_twin)
    first = [customer_gateway(ip, "peer-%d" % n)["customer_gateway_id"]
             for n, ip in enumerate(("203.0.113.10", "203.0.113.11"), start=1)]
    today_twin.clear_calls()
    checked = ok("alicloud_ipsec_connection", dual_args(gw, first), check_mode=True, diff=True)
    assert checked["changed"] and checked["vpn_connection_id"] is None and today_twin.mutating_calls() == []
    assert checked["diff"]["after"]["tunnels"][1]["pre_shared_key"] == "********"

    today_twin.clear_calls()
    created = ok("alicloud_ipsec_connection", dual_args(gw, first), diff=True)
    assert created["changed"] and today_twin.mutating_calls() == ["CreateVpnConnection"]
    tunnels = created["tunnels"]
    assert [(t["role"], t["gateway_ip"], t["customer_gateway_id"]) for t in tunnels] == [
        ("master", gw["internet_ip"], first[0]), ("slave", gw["disaster_recovery_internet_ip"], first[1])]
    assert tunnels[0]["ike_config"]["ike_version"] == "ikev2" and "psk" not in tunnels[0]["ike_config"]
    no_secret(created, *DUAL_PSKS)

    today_twin.clear_calls()
    again = ok("alicloud_ipsec_connection", dual_args(gw, first))
    assert not again["changed"] and today_twin.mutating_calls() == []

    # the slave tunnel's customer gateway changes; both keys go out again and stay
    other = customer_gateway("203.0.113.12", "peer-3")["customer_gateway_id"]
    today_twin.clear_calls()
    moved = ok("alicloud_ipsec_connection", dual_args(gw, [first[0], other]), diff=True)
    assert moved["changed"] and today_twin.mutating_calls() == ["ModifyVpnConnectionAttribute"]
    assert [t["customer_gateway_id"] for t in moved["tunnels"]] == [first[0], other]
    assert moved["diff"]["before"]["tunnels"][1]["customer_gateway_id"] == first[1]
    stored = today_twin.twin.backend.state.find("VpnConnection", created["vpn_connection_id"])
    assert [t["TunnelIkeConfig"]["Psk"] for t in stored["TunnelOptionsSpecification"]["TunnelOptions"]] == \
        list(DUAL_PSKS)
    no_secret(moved, *DUAL_PSKS)

    today_twin.clear_calls()
    gone = ok("alicloud_ipsec_connection", dual_args(gw, [first[0], other], state="absent"))
    assert gone["changed"] and today_twin.mutating_calls() == ["DeleteVpnConnection"]
    assert today_twin.ali_resources("VpnConnection") == []


def test_dual_tunnel_validation_names_the_tunnel(today_twin):
    gw = gateway(today_twin)
    cgw = customer_gateway("203.0.113.10", "peer-1")["customer_gateway_id"]
    today_twin.clear_calls()
    result = run_module("alicloud_ipsec_connection", dual_args(gw, [cgw]))
    assert result["failed"] and "exactly 2 tunnels" in result["msg"]
    result = run_module("alicloud_ipsec_connection", dual_args(gw, [cgw, cgw], psks=(PSK, "has space")))
    assert result["failed"] and "tunnels[1].pre_shared_key" in result["msg"]
    no_secret(result, "has space")
    md5 = dual_args(gw, [cgw, cgw])
    md5["tunnels"][0]["ike_config"] = dict(IKE, auth_alg="md5")
    result = run_module("alicloud_ipsec_connection", md5)
    assert result["failed"] and "tunnels[0].ike_config.auth_alg=md5" in result["msg"]
    roles = dual_args(gw, [cgw, cgw])
    roles["tunnels"][0]["role"] = roles["tunnels"][1]["role"] = "master"
    result = run_module("alicloud_ipsec_connection", roles)
    assert result["failed"] and "role" in result["msg"]
    assert today_twin.mutating_calls() == []
