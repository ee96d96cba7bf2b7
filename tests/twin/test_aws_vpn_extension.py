"""cloudtwin.aws.extensions.vpn: TGW-attached Site-to-Site VPN as AWS answers it.

The first tests pin what moto 5.2.5 does by itself (they fail when moto changes, so we
know when the patch can go or must follow); the others drive the twin through boto3.
"""

from __future__ import annotations

import inspect
import ipaddress
import re
import time

import pytest
from botocore.exceptions import ClientError

from cloudtwin.aws.extensions import vpn as vpn_ext

PINNED = {
    "TunnelInsideCidr": "169.254.10.0/30",
    "PreSharedKey": "Pinned_key.2024",
    "IKEVersions": [{"Value": "ikev2"}],
    "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
    "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}],
    "Phase1DHGroupNumbers": [{"Value": 14}],
    "Phase1LifetimeSeconds": 28800,
    "Phase2EncryptionAlgorithms": [{"Value": "AES256"}],
    "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
    "Phase2DHGroupNumbers": [{"Value": 14}],
    "Phase2LifetimeSeconds": 3600,
}


def _gateways(ec2, ip="192.0.2.10"):
    tgw = ec2.create_transit_gateway(Description="vpn test")["TransitGateway"]["TransitGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp=ip, BgpAsn=65000)["CustomerGateway"]
    return tgw, cgw["CustomerGatewayId"]


def _create(ec2, tgw, cgw, tunnels=None, **options):
    opts = {"StaticRoutesOnly": True}
    opts.update(options)
    if tunnels is not None:
        opts["TunnelOptions"] = tunnels
    return ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, TransitGatewayId=tgw, Options=opts,
                                     TagSpecifications=[{"ResourceType": "vpn-connection",
                                                         "Tags": [{"Key": "Name", "Value": "to-alibaba"}]}])["VpnConnection"]


def _describe(ec2, vpn_id):
    return ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]


def _wait_state(ec2, vpn_id, wanted, timeout=10.0):
    deadline = time.time() + timeout
    while True:
        vpn = _describe(ec2, vpn_id)
        if vpn["State"] == wanted or time.time() > deadline:
            return vpn
        time.sleep(0.05)


def _model(vpn_id):
    return next(v for _a, _r, v in vpn_ext.iter_vpn_connections() if v.id == vpn_id)


# --- what moto does without the extension ----------------------------------------------------------
def test_moto_alone_ignores_tunnel_options_and_lacks_modify():
    from moto.ec2.models.vpn_connections import VPNConnection

    vpn_ext.apply()  # idempotent; the twin applies it too
    create_src = inspect.getsource(vpn_ext.MOTO_ORIGINALS["create_vpn_connection"])
    assert "Options" not in create_src, "moto now reads Options: check whether the vpn extension can shrink"
    assert "create_transit_gateway_vpn_attachment" in create_src  # the TGW attachment is still moto's
    init_src = inspect.getsource(VPNConnection.__init__)
    assert "self.options = None" in init_src and 'self.state = "available"' in init_src
    assert vpn_ext.MOTO_ORIGINALS["had_modify_vpn_tunnel_options"] is False
    assert vpn_ext.MOTO_ORIGINALS["had_modify_vpn_connection_options"] is False
    for name in ("vgw_telemetry", "routes", "category", "vpn_connection_id"):
        assert name not in vpn_ext.MOTO_ORIGINALS["class_attributes"], f"moto now has VPNConnection.{name}"
    # moto's own configuration document is hard-coded and outside the documentation ranges.
    stub = type("Stub", (), {"vpn_gateway_id": None, "id": "vpn-x", "customer_gateway_id": "cgw-x", "type": "ipsec.1"})
    original_doc = vpn_ext.MOTO_ORIGINALS["customer_gateway_configuration"].fget(stub())
    assert "52.2.144.13" in original_doc and "Iw2IAN9XUsQeYUrkMGP3kP59ugFDkfHg" in original_doc


def test_moto_attaches_vpn_to_tgw_with_vpn_id_as_resource(twin):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    vpn = _create(ec2, tgw, cgw)
    attachments = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-id", "Values": [vpn["VpnConnectionId"]]}])["TransitGatewayAttachments"]
    assert [(a["ResourceType"], a["TransitGatewayId"], a["State"]) for a in attachments] == [("vpn", tgw, "available")]


# --- the extension through boto3 -------------------------------------------------------------------
def test_create_keeps_tunnel_options_and_fills_aws_defaults(twin):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    created = _create(ec2, tgw, cgw, [PINNED])
    assert created["State"] == "pending"  # AWS never answers a create with available
    vpn = _describe(ec2, created["VpnConnectionId"])
    assert vpn["State"] == "available"
    assert vpn["Category"] == "VPN" and vpn["TransitGatewayId"] == tgw and vpn["CustomerGatewayId"] == cgw
    assert vpn.get("Routes", []) == []  # an empty list is not serialised
    options = vpn["Options"]
    assert options["StaticRoutesOnly"] is True and options["TunnelInsideIpVersion"] == "ipv4"
    first, second = options["TunnelOptions"]
    for key, value in PINNED.items():
        assert first[{"IKEVersions": "IkeVersions"}.get(key, key)] == value
    assert ipaddress.ip_address(first["OutsideIpAddress"]) in ipaddress.ip_network("203.0.113.0/24")
    assert ipaddress.ip_address(second["OutsideIpAddress"]) in ipaddress.ip_network("198.51.100.0/24")
    # tunnel 2 had no options: AWS defaults, a random non-reserved /30 and a generated key
    assert [v["Value"] for v in second["IkeVersions"]] == ["ikev1", "ikev2"]
    assert [v["Value"] for v in second["Phase1EncryptionAlgorithms"]] == ["AES128", "AES256", "AES128-GCM-16",
                                                                          "AES256-GCM-16"]
    assert [v["Value"] for v in second["Phase2DHGroupNumbers"]] == [2, 5] + list(range(14, 25))
    assert (second["Phase1LifetimeSeconds"], second["Phase2LifetimeSeconds"]) == (28800, 3600)
    assert (second["DpdTimeoutSeconds"], second["DpdTimeoutAction"], second["StartupAction"]) == (30, "clear", "add")
    inside = ipaddress.ip_network(second["TunnelInsideCidr"])
    assert inside.prefixlen == 30 and inside.subnet_of(ipaddress.ip_network("169.254.0.0/16"))
    assert inside not in vpn_ext.RESERVED_INSIDE and str(inside) != first["TunnelInsideCidr"]
    assert re.fullmatch(r"[A-Za-z1-9._][A-Za-z0-9._]{7,63}", second["PreSharedKey"])
    telemetry = vpn["VgwTelemetry"]
    assert [(t["OutsideIpAddress"], t["Status"], t["StatusMessage"], t["AcceptedRouteCount"]) for t in telemetry] == [
        (first["OutsideIpAddress"], "DOWN", "no peer answered", 0),
        (second["OutsideIpAddress"], "DOWN", "no peer answered", 0)]
    assert all(t["LastStatusChange"] for t in telemetry)
    doc = vpn["CustomerGatewayConfiguration"]
    assert first["OutsideIpAddress"] in doc and "169.254.10.1" in doc and "169.254.10.2" in doc
    assert "52.2.144.13" not in doc


def test_outside_ips_are_unique_per_connection(twin):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    cgw2 = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="192.0.2.11", BgpAsn=65000)["CustomerGateway"]
    one = _describe(ec2, _create(ec2, tgw, cgw)["VpnConnectionId"])
    two = _describe(ec2, _create(ec2, tgw, cgw2["CustomerGatewayId"])["VpnConnectionId"])
    ips = [t["OutsideIpAddress"] for v in (one, two) for t in v["Options"]["TunnelOptions"]]
    assert len(set(ips)) == 4
    cidrs = [t["TunnelInsideCidr"] for v in (one, two) for t in v["Options"]["TunnelOptions"]]
    assert len(set(cidrs)) == 4


@pytest.mark.parametrize("tunnel, fragment", [
    ({"TunnelInsideCidr": "169.254.3.0/30"}, "reserved"),
    ({"TunnelInsideCidr": "169.254.169.252/30"}, "reserved"),
    ({"TunnelInsideCidr": "10.0.0.0/30"}, "169.254.0.0/16"),
    ({"TunnelInsideCidr": "169.254.10.0/29"}, "/30"),
    ({"PreSharedKey": "0startswithzero"}, "must not start with zero"),
    ({"PreSharedKey": "short"}, "8-64"),
    ({"PreSharedKey": "has-a-dash-inside"}, "underscores"),
    ({"Phase1EncryptionAlgorithms": [{"Value": "3DES"}]}, "3DES"),
    ({"Phase1DHGroupNumbers": [{"Value": 5}]}, "not supported"),
    ({"Phase1LifetimeSeconds": 86400}, "900-28800"),
    ({"Phase2LifetimeSeconds": 7200}, "900-3600"),
    ({"IKEVersions": [{"Value": "ikev3"}]}, "ikev1, ikev2"),
])
def test_create_refuses_what_aws_refuses_and_creates_nothing(twin, tunnel, fragment):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    with pytest.raises(ClientError) as err:
        _create(ec2, tgw, cgw, [tunnel])
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert fragment in err.value.response["Error"]["Message"]
    assert ec2.describe_vpn_connections()["VpnConnections"] == []
    assert ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-type", "Values": ["vpn"]}])["TransitGatewayAttachments"] == []


def test_modify_tunnel_options_by_outside_ip(twin):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    vpn_id = _create(ec2, tgw, cgw, [PINNED])["VpnConnectionId"]
    first, second = _describe(ec2, vpn_id)["Options"]["TunnelOptions"]
    answer = ec2.modify_vpn_tunnel_options(
        VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=second["OutsideIpAddress"],
        TunnelOptions={"PreSharedKey": "Second_key.2024", "IKEVersions": [{"Value": "ikev2"}],
                       "Phase2LifetimeSeconds": 1800, "DPDTimeoutSeconds": 40})["VpnConnection"]
    assert answer["State"] == "modifying"
    vpn = _wait_state(ec2, vpn_id, "available")
    assert vpn["State"] == "available"
    new_first, new_second = vpn["Options"]["TunnelOptions"]
    assert new_first == first
    assert new_second["PreSharedKey"] == "Second_key.2024" and new_second["IkeVersions"] == [{"Value": "ikev2"}]
    assert (new_second["Phase2LifetimeSeconds"], new_second["DpdTimeoutSeconds"]) == (1800, 40)
    assert new_second["Phase1EncryptionAlgorithms"] == second["Phase1EncryptionAlgorithms"]  # untouched: kept
    assert new_second["OutsideIpAddress"] == second["OutsideIpAddress"]

    with pytest.raises(ClientError) as err:
        ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress="192.0.2.99",
                                      TunnelOptions={"Phase2LifetimeSeconds": 1800})
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=first["OutsideIpAddress"],
                                      TunnelOptions={"TunnelInsideCidr": new_second["TunnelInsideCidr"]})
    assert "already in use" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        ec2.modify_vpn_tunnel_options(VpnConnectionId="vpn-00000000000000000",
                                      VpnTunnelOutsideIpAddress=first["OutsideIpAddress"], TunnelOptions={})
    assert err.value.response["Error"]["Code"] == "InvalidVpnConnectionID.NotFound"


def test_modify_connection_options(twin):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    vpn_id = _create(ec2, tgw, cgw)["VpnConnectionId"]
    answer = ec2.modify_vpn_connection_options(VpnConnectionId=vpn_id, RemoteIpv4NetworkCidr="172.16.0.0/12")
    assert answer["VpnConnection"]["State"] == "modifying"
    vpn = _wait_state(ec2, vpn_id, "available")
    assert vpn["Options"]["RemoteIpv4NetworkCidr"] == "172.16.0.0/12"
    assert vpn["Options"]["LocalIpv4NetworkCidr"] == "0.0.0.0/0"


def test_delays_keep_pending_and_refuse_modify_until_available(twin, monkeypatch):
    monkeypatch.setattr(vpn_ext, "_FAULTS", twin.twin.faults)  # what use_faults does (server.py calls it)
    twin.twin.faults.update({"delays": {"VpnConnection": 0.3}})
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    vpn_id = _create(ec2, tgw, cgw)["VpnConnectionId"]
    vpn = _describe(ec2, vpn_id)
    assert vpn["State"] == "pending"
    with pytest.raises(ClientError) as err:
        ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_id,
                                      VpnTunnelOutsideIpAddress=vpn["Options"]["TunnelOptions"][0]["OutsideIpAddress"],
                                      TunnelOptions={"Phase2LifetimeSeconds": 1800})
    assert err.value.response["Error"]["Code"] == "IncorrectState"
    assert _wait_state(ec2, vpn_id, "available")["State"] == "available"
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    assert _describe(ec2, vpn_id)["State"] == "deleting"
    assert _wait_state(ec2, vpn_id, "deleted")["State"] == "deleted"


def test_delete_marks_deleted_and_detaches(twin):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    vpn_id = _create(ec2, tgw, cgw)["VpnConnectionId"]
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    assert _describe(ec2, vpn_id)["State"] == "deleted"
    assert vpn_id not in [v.id for _a, _r, v in vpn_ext.iter_vpn_connections()]
    attachments = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-id", "Values": [vpn_id]}])["TransitGatewayAttachments"]
    # moto marks it deleted; the tgw extension forgets deleted attachments as AWS eventually does
    assert [a["State"] for a in attachments] in ([], ["deleted"])


# --- the contract cloudtwin.crosscloud builds on -----------------------------------------------------
def test_crosscloud_contract(twin, monkeypatch):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2, ip="192.0.2.44")
    vpn_id = _create(ec2, tgw, cgw, [PINNED])["VpnConnectionId"]
    found = [(a, r, v) for a, r, v in vpn_ext.iter_vpn_connections() if v.id == vpn_id]
    assert [(a, r) for a, r, _v in found] == [("123456789012", "us-east-1")]
    model = found[0][2]
    options = vpn_ext.tunnel_options(model)
    assert options == _describe(ec2, vpn_id)["Options"]["TunnelOptions"]
    assert options[0]["IkeVersions"] == [{"Value": "ikev2"}] and options[0]["Phase1DHGroupNumbers"] == [{"Value": 14}]
    options[0]["PreSharedKey"] = "changed_copy_only"
    assert vpn_ext.tunnel_options(model)[0]["PreSharedKey"] == PINNED["PreSharedKey"]
    assert vpn_ext.customer_gateway_ip(model) == "192.0.2.44"

    calls = []
    # Only this test's hook (cloudtwin.crosscloud installs its own, which would judge these tunnels).
    monkeypatch.setattr(vpn_ext, "BEFORE_DESCRIBE_HOOKS", [
        lambda: (calls.append(1), vpn_ext.set_tunnel_status(model, 0, "UP", ""))])
    telemetry = _describe(ec2, vpn_id)["VgwTelemetry"]
    assert calls == [1]
    monkeypatch.setattr(vpn_ext, "BEFORE_DESCRIBE_HOOKS", [])
    assert [(t["Status"], t["StatusMessage"]) for t in telemetry] == [("UP", ""), ("DOWN", "no peer answered")]
    vpn_ext.set_tunnel_status(model, 1, "DOWN", "IKE proposals do not match")
    assert _describe(ec2, vpn_id)["VgwTelemetry"][1]["StatusMessage"] == "IKE proposals do not match"
    with pytest.raises(ValueError):
        vpn_ext.set_tunnel_status(model, 0, "MAYBE", "")
    with pytest.raises(IndexError):
        vpn_ext.set_tunnel_status(model, 2, "UP", "")


def test_a_failing_hook_does_not_break_describe(twin, monkeypatch):
    ec2 = twin.ec2()
    tgw, cgw = _gateways(ec2)
    vpn_id = _create(ec2, tgw, cgw)["VpnConnectionId"]

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(vpn_ext, "BEFORE_DESCRIBE_HOOKS", [broken])
    assert _describe(ec2, vpn_id)["State"] == "available"


def test_generated_keys_follow_aws_rules():
    for _ in range(200):
        key = vpn_ext.generate_psk()
        assert vpn_ext._check_psk(key, "PreSharedKey") == key  # pylint: disable=protected-access
