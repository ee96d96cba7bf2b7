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


def snake(name: str) -> str:
    """``CreateVpcPeerConnection`` -> ``create_vpc_peer_connection`` (SDK client method names)."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def sdk_error(func, *args: Any, **kwargs: Any) -> tuple:
    """Call an official-SDK method that must fail; return ``(code, the cloud's message)``."""
    err = api_error(func, *args, **kwargs)
    return err.code, (err.data or {}).get("Message", "")


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
        from alibabacloud_vpc20160428.client import Client

        return Client(self.sdk_config(account, region, **config))

    def cbn_client(self, account: str = "main", region: str = "ap-northeast-1"):
        from alibabacloud_cbn20170912.client import Client

        return Client(self.sdk_config(account, region))

    def vpcpeer_client(self, account: str = "main", region: str = "ap-northeast-1"):
        """The official VpcPeer (2022-01-01) SDK client for one account of the world."""
        from alibabacloud_vpcpeer20220101.client import Client

        return Client(self.sdk_config(account, region))

    def sdk_config(self, account: str = "main", region: str = "ap-northeast-1", **config: Any):
        """tea-openapi ``Config`` for one account, pointed at the twin."""
        from alibabacloud_tea_openapi.utils_models import Config

        creds = self.alicloud_account(account)
        host = self.twin.alicloud_endpoint.split("://", 1)[1]
        return Config(access_key_id=creds["alicloud_access_key"], access_key_secret=creds["alicloud_secret_key"],
                      region_id=region, endpoint=host, protocol="http", **config)


# --- calling the official Alibaba SDKs with wire-named parameters ------------------------------------

def _method(client, action: str):
    """The SDK client's ``<action>_with_options`` (snake case as the SDK spells it: DescribeVSwitches ->
    describe_vswitches)."""
    wanted = action.lower() + "withoptions"
    return next(getattr(client, name) for name in dir(client)
                if name.endswith("_with_options") and name.replace("_", "") == wanted)


def sdk_call(client, models, action: str, **params: Any) -> Dict[str, Any]:
    """Call ``action`` with wire-named params through the SDK's typed request; return the body dict."""
    from darabonba.runtime import RuntimeOptions

    request = getattr(models, action + "Request")().from_map(params)
    return _method(client, action)(request, RuntimeOptions()).body.to_map()


def cbn_call(handle: TwinHandle, action: str, account: str = "main", **params: Any) -> Dict[str, Any]:
    """A Cbn 2017-09-12 call (alibabacloud_cbn20170912) as ``account``."""
    from alibabacloud_cbn20170912 import models

    return sdk_call(handle.cbn_client(account), models, action, **params)


def vpc_call(handle: TwinHandle, action: str, account: str = "main", region: str = "ap-northeast-1",
             **params: Any) -> Dict[str, Any]:
    """A Vpc 2016-04-28 call (alibabacloud_vpc20160428) as ``account``; RegionId defaults to ``region``."""
    from alibabacloud_vpc20160428 import models

    params.setdefault("RegionId", region)
    return sdk_call(handle.vpc_client(account, region), models, action, **params)


def api_error(func, *args: Any, **kwargs: Any):
    """The TeaException ``func(*args, **kwargs)`` raises (the test fails if it raises none)."""
    from Tea.exceptions import TeaException

    try:
        func(*args, **kwargs)
    except TeaException as err:
        return err
    raise AssertionError(f"{getattr(func, '__name__', func)}{args} raised no API error")


def seeded_vpc(handle: TwinHandle, name: str):
    """The world's VPC named ``name`` (a Resource of the twin's state)."""
    return next(v for v in handle.ali_resources("Vpc") if v["VpcName"] == name)


def seeded_vswitch(handle: TwinHandle, name: str):
    return next(v for v in handle.ali_resources("VSwitch") if v["VSwitchName"] == name)


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


def ali_vpc(client, name: str = "tokyo-vpc", region: str = "ap-northeast-1") -> Any:
    """A world VPC by name, as DescribeVpcs returns it (``vpc_id``, ``v_switch_ids``, ``router_table_ids``)."""
    from alibabacloud_vpc20160428 import models

    return client.describe_vpcs(models.DescribeVpcsRequest(region_id=region, vpc_name=name)).body.vpcs.vpc[0]
