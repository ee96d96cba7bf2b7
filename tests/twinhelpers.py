"""Helpers for tests against the twin: run a module in-process, read the twin's state."""

from __future__ import annotations

import importlib
import json
from typing import Any, Dict, List, Optional
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

COLLECTION = "ansible_collections.multicloud.transit.plugins.modules."


class ModuleExit(Exception):
    def __init__(self, result: Dict[str, Any]):
        super().__init__(result.get("msg"))
        self.result = result


def _exit_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs.setdefault("changed", False)
    raise ModuleExit(dict(kwargs, failed=False))


def _fail_json(self, msg, **kwargs):  # pylint: disable=unused-argument
    raise ModuleExit(dict(kwargs, failed=True, msg=msg))


def run_module(name: str, args: Optional[Dict[str, Any]] = None, check_mode: bool = False,
               diff: bool = False) -> Dict[str, Any]:
    """Run ``multicloud.transit.<name>`` as Ansible would; return its result dict.

    Arguments are JSON round-tripped exactly like the controller sends them, so no_log,
    argument-spec validation and check/diff mode behave as in a real run.
    """
    module = importlib.import_module(COLLECTION + name)
    payload = dict(args or {})
    payload["_ansible_check_mode"] = check_mode
    payload["_ansible_diff"] = diff
    payload = json.loads(json.dumps(payload))
    with patch_module_args(payload), \
            mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), \
            mock.patch.object(basic.AnsibleModule, "fail_json", _fail_json):
        try:
            module.main()
        except ModuleExit as done:
            return done.result
    raise AssertionError(f"{name} returned without exit_json/fail_json")


def ok(name: str, args: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Dict[str, Any]:
    """``run_module`` that must succeed; the failure message is shown otherwise."""
    result = run_module(name, args, **kwargs)
    assert not result.get("failed"), result.get("msg")
    return result


class TwinHandle:
    """A running twin plus shortcuts tests need."""

    def __init__(self, twin):
        self.twin = twin

    @property
    def env(self) -> Dict[str, str]:
        return self.twin.env()

    def calls(self, mutating_only: bool = False) -> List[Dict[str, Any]]:
        return [c for c in self.twin.calls() if c["mutating"] or not mutating_only]

    def clear_calls(self) -> None:
        self.twin.clear_calls()

    def mutating_calls(self) -> List[str]:
        return [c["action"] for c in self.calls(mutating_only=True)]

    def alicloud_account(self, name: str) -> Dict[str, str]:
        """Module args for one Alibaba account of the world (keys + endpoint)."""
        for account in self.twin.world.alicloud_accounts:
            if account["name"] == name:
                return {"alicloud_access_key": account["access_key_id"],
                        "alicloud_secret_key": account["access_key_secret"],
                        "alicloud_endpoint": self.twin.alicloud_endpoint}
        raise KeyError(name)

    def ali_resources(self, kind: str) -> List[Any]:
        return list(self.twin.backend.state.resources.get(kind, {}).values())

    def ec2(self, region: str = "us-east-1"):
        import boto3

        env = self.env
        return boto3.client("ec2", region_name=region, endpoint_url=env["AWS_ENDPOINT_URL"],
                            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])

    def vpc_client(self, account: str = "main", region: str = "ap-northeast-1", **config: Any):
        from alibabacloud_tea_openapi.utils_models import Config
        from alibabacloud_vpc20160428.client import Client

        creds = self.alicloud_account(account)
        host = self.twin.alicloud_endpoint.split("://", 1)[1]
        return Client(Config(access_key_id=creds["alicloud_access_key"],
                             access_key_secret=creds["alicloud_secret_key"], region_id=region,
                             endpoint=host, protocol="http", **config))

    def cbn_client(self, account: str = "main", region: str = "ap-northeast-1"):
        from alibabacloud_cbn20170912.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        creds = self.alicloud_account(account)
        host = self.twin.alicloud_endpoint.split("://", 1)[1]
        return Client(Config(access_key_id=creds["alicloud_access_key"],
                             access_key_secret=creds["alicloud_secret_key"], region_id=region,
                             endpoint=host, protocol="http"))


# --- IPsec both clouds agree on (IKEv2, AES256, SHA2-256, DH 14, 28800 s / 3600 s) -------------------
AWS_PINNED_TUNNEL = {
    "IKEVersions": [{"Value": "ikev2"}], "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
    "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase1DHGroupNumbers": [{"Value": 14}],
    "Phase2EncryptionAlgorithms": [{"Value": "AES256"}], "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
    "Phase2DHGroupNumbers": [{"Value": 14}], "Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600,
}
ALI_MATCHING_IKE = {"IkeVersion": "ikev2", "IkeMode": "main", "IkeEncAlg": "aes256", "IkeAuthAlg": "sha256",
                    "IkePfs": "group14", "IkeLifetime": 28800}
ALI_MATCHING_IPSEC = {"IpsecEncAlg": "aes256", "IpsecAuthAlg": "sha256", "IpsecPfs": "group14", "IpsecLifetime": 3600}


def aws_vpn(ec2, customer_ip: str, psks=("Tunnel1.shared_key", "Tunnel2.shared_key"), tgw: Optional[str] = None,
            tunnel: Optional[Dict[str, Any]] = None, **options: Any) -> str:
    """A TGW-attached AWS VPN connection whose customer gateway is ``customer_ip``; returns its id.

    Its two tunnels take ``AWS_PINNED_TUNNEL`` (or ``tunnel``) with the pre-shared keys ``psks``.
    """
    if tgw is None:
        tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=customer_ip, BgpAsn=65000)["CustomerGateway"]
    opts = dict({"StaticRoutesOnly": True,
                 "TunnelOptions": [dict(tunnel or AWS_PINNED_TUNNEL, PreSharedKey=psk) for psk in psks]}, **options)
    return ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw["CustomerGatewayId"], TransitGatewayId=tgw,
                                     Options=opts)["VpnConnection"]["VpnConnectionId"]


def aws_vpn_description(ec2, vpn_id: str) -> Dict[str, Any]:
    return ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]


def aws_outside_ips(ec2, vpn_id: str) -> List[str]:
    return [t["OutsideIpAddress"] for t in aws_vpn_description(ec2, vpn_id)["Options"]["TunnelOptions"]]


def aws_telemetry(ec2, vpn_id: str) -> List[tuple]:
    """(Status, StatusMessage) of each tunnel of an AWS VPN connection."""
    return [(t["Status"], t["StatusMessage"]) for t in aws_vpn_description(ec2, vpn_id)["VgwTelemetry"]]


def tunnel_notes(handle: "TwinHandle") -> List[str]:
    """The twin's cross-cloud tunnel events (why a tunnel is up or down)."""
    return [e["message"] for e in handle.twin.backend.state.dump()["events"] if e.get("kind") == "tunnel"]


def ali_error(call) -> Any:
    """The TeaException an Alibaba SDK call raises (the test fails when it succeeds)."""
    import pytest
    from Tea.exceptions import TeaException

    with pytest.raises(TeaException) as err:
        call()
    return err.value


def ali_vpc(client, name: str = "tokyo-vpc", region: str = "ap-northeast-1") -> Any:
    """A world VPC by name, as DescribeVpcs returns it (``vpc_id``, ``v_switch_ids``, ``router_table_ids``)."""
    from alibabacloud_vpc20160428 import models

    return client.describe_vpcs(models.DescribeVpcsRequest(region_id=region, vpc_name=name)).body.vpcs.vpc[0]
