"""aws_vpn_connection and aws_vpn_connection_info against the twin.

Create (TGW made with boto3 here), idempotent re-run, check mode, diff with keys masked,
tunnel option update through ModifyVpnTunnelOptions, validation before any call, delete.
"""

from __future__ import annotations

import json

import pytest

from twinhelpers import ok, run_module


def vpn_of(result):
    """The VPN connection a result describes."""
    return result["vpn_connection"]

PSK1 = "Tunnel_one.key2024"
PSK2 = "Tunnel_two.key2024"


def _pinned(cidr, psk):
    return {"tunnel_inside_cidr": cidr, "pre_shared_key": psk, "ike_versions": ["ikev2"],
            "phase1_encryption_algorithms": ["AES256"], "phase1_integrity_algorithms": ["SHA2-256"],
            "phase1_dh_group_numbers": [14], "phase1_lifetime_seconds": 28800,
            "phase2_encryption_algorithms": ["AES256"], "phase2_integrity_algorithms": ["SHA2-256"],
            "phase2_dh_group_numbers": [14], "phase2_lifetime_seconds": 3600}


@pytest.fixture
def gateways(twin):
    ec2 = twin.ec2()
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    cgw = ok("aws_customer_gateway", {"ip_address": "192.0.2.50", "name": "alibaba-vpngw"})["customer_gateway_id"]
    twin.clear_calls()
    return tgw, cgw


def _args(gateways, **extra):
    tgw, cgw = gateways
    args = {"name": "tgw-to-alibaba", "transit_gateway_id": tgw, "customer_gateway_id": cgw,
            "tunnels": [_pinned("169.254.10.0/30", PSK1), _pinned("169.254.11.0/30", PSK2)]}
    args.update(extra)
    return args


def _live(twin):
    return [v for v in twin.ec2().describe_vpn_connections()["VpnConnections"] if v["State"] not in ("deleted", "deleting")]


def _no_psk(result):
    text = json.dumps(result)
    return PSK1 not in text and PSK2 not in text


def test_create_idempotent_check_mode_and_diff(twin, gateways):
    args = _args(gateways)
    checked = ok("aws_vpn_connection", args, check_mode=True, diff=True)
    assert checked["changed"] and _live(twin) == [] and twin.mutating_calls() == []
    assert checked["diff"]["after"]["tunnels"][0]["pre_shared_key"] == "********"
    assert _no_psk(checked)

    created = ok("aws_vpn_connection", args, diff=True)
    assert created["changed"] and vpn_of(created)["state"] == "available"
    assert _no_psk(created)
    assert created["vpn_connection_id"].startswith("vpn-")
    assert vpn_of(created)["transit_gateway_attachment_id"].startswith("tgw-attach-")
    attachment = twin.ec2().describe_transit_gateway_attachments(
        TransitGatewayAttachmentIds=[vpn_of(created)["transit_gateway_attachment_id"]])["TransitGatewayAttachments"][0]
    assert (attachment["ResourceType"], attachment["ResourceId"]) == ("vpn", created["vpn_connection_id"])
    assert vpn_of(created)["static_routes_only"] is True and vpn_of(created)["tags"] == {"Name": "tgw-to-alibaba"}
    one, two = vpn_of(created)["tunnels"]
    assert one["outside_ip_address"].startswith("203.0.113.") and two["outside_ip_address"].startswith("198.51.100.")
    assert (one["tunnel_inside_cidr"], one["inside_aws_address"], one["inside_customer_address"]) == (
        "169.254.10.0/30", "169.254.10.1", "169.254.10.2")
    assert one["ike_versions"] == ["ikev2"] and one["phase1_dh_group_numbers"] == [14]
    assert (one["phase1_lifetime_seconds"], one["phase2_lifetime_seconds"]) == (28800, 3600)
    assert one["pre_shared_key"] == "********"
    assert one["status"] == "DOWN" and one["status_message"]
    assert created["diff"]["before"] == {} and created["diff"]["after"]["tunnels"][1]["pre_shared_key"] == "********"
    assert [c["action"] for c in twin.calls(mutating_only=True)] == ["CreateVpnConnection"]

    twin.clear_calls()
    again = ok("aws_vpn_connection", args, diff=True)
    assert not again["changed"] and again["vpn_connection_id"] == created["vpn_connection_id"]
    assert twin.mutating_calls() == [] and _no_psk(again)
    assert len(_live(twin)) == 1

    info = ok("aws_vpn_connection_info", {"names": ["tgw-to-alibaba"]})["vpn_connections"]
    assert [v["vpn_connection_id"] for v in info] == [created["vpn_connection_id"]]
    assert info[0]["transit_gateway_attachment_id"] == vpn_of(created)["transit_gateway_attachment_id"]
    assert _no_psk(info)
    secret = ok("aws_vpn_connection_info", {"transit_gateway_id": gateways[0], "return_secrets": True})
    assert [t["pre_shared_key"] for t in secret["vpn_connections"][0]["tunnels"]] == [PSK1, PSK2]
    with_secrets = ok("aws_vpn_connection", dict(args, return_secrets=True))
    assert [t["pre_shared_key"] for t in vpn_of(with_secrets)["tunnels"]] == [PSK1, PSK2]


def test_generated_keys_only_with_return_secrets(twin, gateways):
    tgw, cgw = gateways
    created = ok("aws_vpn_connection", {"name": "plain", "transit_gateway_id": tgw, "customer_gateway_id": cgw})
    assert [t["pre_shared_key"] for t in vpn_of(created)["tunnels"]] == ["********", "********"]
    keys = [t["pre_shared_key"] for t in ok("aws_vpn_connection", {
        "name": "plain", "transit_gateway_id": tgw, "customer_gateway_id": cgw,
        "return_secrets": True})["vpn_connection"]["tunnels"]]
    assert all(8 <= len(k) <= 64 and not k.startswith("0") for k in keys)
    assert vpn_of(created)["tunnels"][1]["ike_versions"] == ["ikev1", "ikev2"]  # AWS defaults


def test_tunnel_option_update_uses_modify_one_tunnel_at_a_time(twin, gateways):
    created = ok("aws_vpn_connection", _args(gateways))
    new_psk = "Rotated_key.2025"
    tunnels = [dict(_pinned("169.254.10.0/30", PSK1), phase2_lifetime_seconds=1800, dpd_timeout_seconds=40),
               dict(_pinned("169.254.11.0/30", PSK2), pre_shared_key=new_psk)]
    twin.clear_calls()
    checked = ok("aws_vpn_connection", _args(gateways, tunnels=tunnels), check_mode=True, diff=True)
    assert checked["changed"] and twin.mutating_calls() == []
    assert checked["diff"]["before"]["tunnels"][0]["phase2_lifetime_seconds"] == 3600
    assert checked["diff"]["after"]["tunnels"][0]["phase2_lifetime_seconds"] == 1800
    assert new_psk not in json.dumps(checked) and _no_psk(checked)

    updated = ok("aws_vpn_connection", _args(gateways, tunnels=tunnels), diff=True)
    assert updated["changed"] and updated["vpn_connection_id"] == created["vpn_connection_id"]
    assert twin.mutating_calls() == ["ModifyVpnTunnelOptions", "ModifyVpnTunnelOptions"]
    assert updated["modified_tunnels"] == [t["outside_ip_address"] for t in vpn_of(created)["tunnels"]]
    one, two = vpn_of(updated)["tunnels"]
    assert (one["phase2_lifetime_seconds"], one["dpd_timeout_seconds"]) == (1800, 40)
    assert two["phase2_lifetime_seconds"] == 3600
    assert new_psk not in json.dumps(updated) and updated["diff"]["after"]["tunnels"][1]["pre_shared_key"] == "********"
    live = twin.ec2().describe_vpn_connections(VpnConnectionIds=[created["vpn_connection_id"]])["VpnConnections"][0]
    assert live["Options"]["TunnelOptions"][1]["PreSharedKey"] == new_psk

    twin.clear_calls()
    assert not ok("aws_vpn_connection", _args(gateways, tunnels=tunnels))["changed"]
    assert twin.mutating_calls() == []


def test_changing_gateway_or_routing_is_refused(twin, gateways):
    ok("aws_vpn_connection", _args(gateways))
    other = twin.ec2().create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    twin.clear_calls()
    moved = run_module("aws_vpn_connection", _args(gateways, transit_gateway_id=other))
    assert moved["failed"] and "transit_gateway_id" in moved["msg"] and "state=absent" in moved["msg"]
    dynamic = run_module("aws_vpn_connection", _args(gateways, static_routes_only=False))
    assert dynamic["failed"] and "static_routes_only cannot be changed" in dynamic["msg"]
    assert twin.mutating_calls() == []


@pytest.mark.parametrize("tunnel, field", [
    ({"tunnel_inside_cidr": "169.254.5.0/30"}, "tunnels[1].tunnel_inside_cidr"),
    ({"tunnel_inside_cidr": "169.254.10.0/29"}, "tunnels[1].tunnel_inside_cidr"),
    ({"tunnel_inside_cidr": "10.0.0.0/30"}, "tunnels[1].tunnel_inside_cidr"),
    ({"pre_shared_key": "0bad_start_key"}, "tunnels[1].pre_shared_key"),
    ({"pre_shared_key": "bad-char-key!"}, "tunnels[1].pre_shared_key"),
    ({"pre_shared_key": "short"}, "tunnels[1].pre_shared_key"),
    ({"phase1_encryption_algorithms": ["3DES"]}, "tunnels[1].phase1_encryption_algorithms"),
    ({"phase1_integrity_algorithms": ["MD5"]}, "tunnels[1].phase1_integrity_algorithms"),
    ({"phase1_dh_group_numbers": [5]}, "tunnels[1].phase1_dh_group_numbers"),
    ({"phase1_lifetime_seconds": 86400}, "tunnels[1].phase1_lifetime_seconds"),
    ({"phase2_lifetime_seconds": 7200}, "tunnels[1].phase2_lifetime_seconds"),
    ({"ike_versions": ["ikev3"]}, "tunnels[1].ike_versions"),
    ({"dpd_timeout_seconds": 10}, "tunnels[1].dpd_timeout_seconds"),
    ({"startup_action": "now"}, "tunnels[1].startup_action"),
])
def test_validation_names_the_field_and_makes_no_call(twin, gateways, tunnel, field):
    args = _args(gateways, tunnels=[{}, tunnel])
    twin.clear_calls()
    result = run_module("aws_vpn_connection", args)
    assert result["failed"] and result["msg"].startswith(field), result["msg"]
    assert twin.calls() == []
    if "pre_shared_key" in tunnel:
        assert tunnel["pre_shared_key"] not in json.dumps(result)


def test_delete_waits_for_deleted(twin, gateways):
    created = ok("aws_vpn_connection", _args(gateways))
    twin.clear_calls()
    assert ok("aws_vpn_connection", {"name": "tgw-to-alibaba", "state": "absent"}, check_mode=True)["changed"]
    assert twin.mutating_calls() == []
    gone = ok("aws_vpn_connection", {"name": "tgw-to-alibaba", "state": "absent"}, diff=True)
    assert gone["changed"] and vpn_of(gone)["state"] == "deleted" and gone["diff"]["after"] == {}
    assert _no_psk(gone) and _live(twin) == []
    twin.clear_calls()
    assert not ok("aws_vpn_connection", {"name": "tgw-to-alibaba", "state": "absent"})["changed"]
    assert twin.mutating_calls() == []
    assert ok("aws_vpn_connection_info", {"vpn_connection_ids": [created["vpn_connection_id"]]})["vpn_connections"] == []
    assert ok("aws_vpn_connection_info", {"vpn_connection_ids": [created["vpn_connection_id"]],
                                          "include_deleted": True})["vpn_connections"][0]["state"] == "deleted"


def test_waits_through_pending_and_modifying_with_twin_delays(twin, gateways, monkeypatch):
    from cloudtwin.aws.extensions import vpn as vpn_ext

    monkeypatch.setattr(vpn_ext, "_FAULTS", twin.twin.faults)  # what vpn_ext.use_faults does
    twin.twin.faults.update({"delays": {"VpnConnection": 0.3}})
    created = ok("aws_vpn_connection", _args(gateways))
    assert vpn_of(created)["state"] == "available"
    tunnels = [dict(_pinned("169.254.10.0/30", PSK1), phase2_lifetime_seconds=1800),
               dict(_pinned("169.254.11.0/30", PSK2), phase2_lifetime_seconds=1800)]
    twin.clear_calls()
    updated = ok("aws_vpn_connection", _args(gateways, tunnels=tunnels))
    # the second tunnel is only modified once the first change has settled (no IncorrectState retry)
    assert twin.mutating_calls() == ["ModifyVpnTunnelOptions", "ModifyVpnTunnelOptions"]
    assert vpn_of(updated)["state"] == "available"
    assert [t["phase2_lifetime_seconds"] for t in vpn_of(updated)["tunnels"]] == [1800, 1800]
    not_waited = ok("aws_vpn_connection", {"name": "tgw-to-alibaba", "state": "absent", "wait": False})
    assert vpn_of(not_waited)["state"] == "deleting"
