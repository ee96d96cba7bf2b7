"""Connection plumbing of module_utils, driven through real modules against the twin.

An explicit ``null`` falls back like an absent option (both clouds, and ``for_account``); the
Alibaba credentials: the SDK's chain without keys, never with keys, a RAM role to assume, one
clear error when nothing is found; per-product endpoints; the vpcpeer product; one retry table
per cloud (classifier and real network failures on loopback); AWS profiles, amazon.aws aliases,
``validate_certs`` / ``aws_ca_bundle``; the ``filters`` option of the _info modules.
"""

from __future__ import annotations

import socket
import threading
from unittest import mock

import pytest

from conftest import ROOT
from twinhelpers import ok, run_module

UTILS = "ansible_collections.multicloud.transit.plugins.module_utils."
TOKYO = {"alicloud_region": "ap-northeast-1"}
ALI_NULLS = {"alicloud_access_key": None, "alicloud_secret_key": None, "alicloud_security_token": None,
             "alicloud_endpoint": None, "alicloud_assume_role_arn": None}
AWS_NULLS = {"access_key": None, "secret_key": None, "session_token": None, "profile": None,
             "endpoint_url": None, "region": None}


def alicloud():
    from ansible_collections.multicloud.transit.plugins.module_utils import alicloud as module

    return module


def aws():
    from ansible_collections.multicloud.transit.plugins.module_utils import aws as module

    return module


class Failed(Exception):
    pass


class HostModule:
    """Stands in for the AnsibleModule a cross-cloud module (reachability) hands to for_account."""

    check_mode = False
    params = {}

    def __init__(self):
        self.no_log_values = set()

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)


def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def sdk_env(monkeypatch, tmp_path):
    """The SDK's credentials chain as a fresh module process would see it, minus the ECS metadata address.

    alibabacloud_credentials reads its env vars once, at import; a module process is new each
    time, this test process is not. The ECS provider would reach 100.100.100.200, beyond loopback.
    """
    from alibabacloud_credentials.utils import auth_util

    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    for name in ("environment_access_key_id", "environment_access_key_secret", "environment_security_token"):
        monkeypatch.setattr(auth_util, name, None)
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_cli_profile_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", str(tmp_path / "absent.ini"))
    return auth_util


def tokyo_vpc_names(result):
    return sorted(v["vpc_name"] for v in result["vpcs"])


# --- null means "not set here" ---------------------------------------------------------------

def test_null_alibaba_options_fall_back_to_the_environment(twin):
    assert "tokyo-vpc" in tokyo_vpc_names(ok("alicloud_vpc_info", dict(TOKYO, **ALI_NULLS)))
    empty = dict((k, "") for k in ALI_NULLS)
    assert "tokyo-vpc" in tokyo_vpc_names(ok("alicloud_vpc_info", dict(TOKYO, **empty)))


def test_older_alibaba_env_names_fill_nulls_too(twin, monkeypatch):
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", twin.env["ALIBABA_CLOUD_ACCESS_KEY_ID"])
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", twin.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"])
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    with mock.patch(UTILS + "alicloud.DefaultCredentialsProvider", side_effect=AssertionError("chain consulted")):
        assert "tokyo-vpc" in tokyo_vpc_names(ok("alicloud_vpc_info", dict(TOKYO, **ALI_NULLS)))


def test_null_aws_options_fall_back_and_amazon_aws_aliases_work(twin, monkeypatch):
    assert ok("aws_vpc_info", dict(AWS_NULLS, names=["vpc-a"]))["vpcs"][0]["cidr_block"] == "172.16.0.0/16"
    key, secret = twin.env["AWS_ACCESS_KEY_ID"], twin.env["AWS_SECRET_ACCESS_KEY"]
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(ROOT / "tests" / "no-such-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(ROOT / "tests" / "no-such-config"))
    for args in ({"aws_access_key": key, "aws_secret_key": secret}, {"ec2_access_key": key, "ec2_secret_key": secret}):
        assert ok("aws_vpc_info", dict(args, names=["vpc-b"]))["vpcs"][0]["cidr_block"] == "172.17.0.0/16"
    monkeypatch.setenv("EC2_ACCESS_KEY", key)
    monkeypatch.setenv("EC2_SECRET_KEY", secret)
    assert ok("aws_vpc_info", dict(AWS_NULLS, names=["vpc-b"]))["vpcs"]


def test_for_account_fills_nulls_like_a_module(twin):
    ali = alicloud().AlicloudModule.for_account(HostModule(), dict(ALI_NULLS, alicloud_region="ap-northeast-1"))
    assert "tokyo-vpc" in [v["VpcName"] for v in ali.paginate("vpc", "DescribeVpcs", {}, "Vpcs.Vpc")]
    helper = aws().AwsModule.for_account(HostModule(), dict(AWS_NULLS, region="us-east-1"))
    assert len(helper.paginate("describe_vpcs", "Vpcs")) >= 2


def test_secret_from_the_environment_is_masked(twin):
    host = HostModule()
    alicloud().AlicloudModule.for_account(host, dict(ALI_NULLS, alicloud_region="ap-northeast-1"))
    assert twin.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] in host.no_log_values


# --- Alibaba credentials beyond a key pair -----------------------------------------------------

def test_without_keys_the_sdk_chain_reads_a_credentials_profile(twin, sdk_env, tmp_path, monkeypatch):
    profile = tmp_path / "credentials.ini"
    profile.write_text("[twin]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n" % (
        twin.env["ALIBABA_CLOUD_ACCESS_KEY_ID"], twin.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]))
    monkeypatch.setattr(sdk_env, "environment_credentials_file", str(profile))
    monkeypatch.setattr(sdk_env, "client_type", "twin")
    assert "tokyo-vpc" in tokyo_vpc_names(ok("alicloud_vpc_info", dict(TOKYO, **ALI_NULLS)))


def test_missing_credentials_name_every_way_to_give_them(twin, sdk_env):
    result = run_module("alicloud_vpc_info", TOKYO)
    assert result["failed"]
    for way in ("alicloud_access_key", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "config.json",
                "credentials.ini", "ALIBABA_CLOUD_PROFILE", "OIDC", "ECS", "ALIBABA_CLOUD_CREDENTIALS_URI",
                "alicloud_assume_role_arn"):
        assert way in result["msg"]
    assert twin.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] not in result["msg"]


class FakeAssumedRole:
    """Stands in for the SDK's RamRoleArnCredentialsProvider: the twin has no STS (on purpose).

    It records what the plumbing asked for and returns temporary credentials made of the base
    provider's keys plus a token, so the calls that follow still reach the twin for real.
    """

    made = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        FakeAssumedRole.made.append(self)

    def get_credentials(self):
        from alibabacloud_credentials.provider.refreshable import Credentials

        base = self.kwargs["credentials_provider"].get_credentials()
        return Credentials(access_key_id=base.get_access_key_id(), access_key_secret=base.get_access_key_secret(),
                           security_token="sts-token-for-test", provider_name="ram_role_arn")

    async def get_credentials_async(self):  # pragma: no cover - the modules are synchronous
        return self.get_credentials()

    def get_provider_name(self):
        return "ram_role_arn"


def test_assume_role_wraps_the_given_keys(twin, monkeypatch):
    FakeAssumedRole.made = []
    monkeypatch.setattr(alicloud(), "RamRoleArnCredentialsProvider", FakeAssumedRole)
    arn = "acs:ram::1234567890123456:role/network-admin"
    result = ok("alicloud_vpc_info", dict(TOKYO, alicloud_assume_role_arn=arn,
                                          alicloud_assume_role_session_expiration=1800))
    assert "tokyo-vpc" in tokyo_vpc_names(result)
    asked = FakeAssumedRole.made[-1].kwargs
    assert asked["role_arn"] == arn and asked["duration_seconds"] == 1800
    assert asked["role_session_name"] == "multicloud-transit" and asked["sts_endpoint"] is None
    base = asked["credentials_provider"].get_credentials()
    assert base.get_access_key_id() == twin.env["ALIBABA_CLOUD_ACCESS_KEY_ID"]

    monkeypatch.setenv("ALIBABA_CLOUD_ROLE_ARN", arn + "-from-env")
    monkeypatch.setenv("ALICLOUD_STS_ENDPOINT", "https://sts.ap-northeast-1.aliyuncs.com")
    ok("alicloud_vpc_info", dict(TOKYO, alicloud_assume_role_session_name="ci"))
    asked = FakeAssumedRole.made[-1].kwargs
    assert asked["role_arn"] == arn + "-from-env" and asked["role_session_name"] == "ci"
    assert asked["sts_endpoint"] == "sts.ap-northeast-1.aliyuncs.com"


def test_a_refused_assume_role_fails_naming_the_role(twin, monkeypatch):
    from alibabacloud_credentials.exceptions import CredentialException

    class Refused(FakeAssumedRole):
        def get_credentials(self):
            raise CredentialException("error refreshing credentials from ram_role_arn, http_code: 403")

    monkeypatch.setattr(alicloud(), "RamRoleArnCredentialsProvider", Refused)
    result = run_module("alicloud_vpc_info", dict(TOKYO, alicloud_assume_role_arn="acs:ram::1:role/nope"))
    assert result["failed"] and "acs:ram::1:role/nope" in result["msg"] and "trust policy" in result["msg"]


# --- endpoints and products --------------------------------------------------------------------

def test_a_product_endpoint_wins_over_the_single_one(twin, monkeypatch):
    dead = "http://127.0.0.1:%d" % closed_port()
    monkeypatch.setenv("ALICLOUD_ENDPOINT", dead)
    monkeypatch.setenv("ALICLOUD_VPC_ENDPOINT", twin.twin.alicloud_endpoint)
    assert "tokyo-vpc" in tokyo_vpc_names(ok("alicloud_vpc_info", TOKYO))
    with mock.patch("time.sleep"):
        result = run_module("alicloud_cen_info", TOKYO)  # CBN: no endpoint of its own -> the dead one
    assert result["failed"] and dead.split("//")[1] in result["msg"] and "alicloud_cbn_endpoint" in result["msg"]
    assert ok("alicloud_cen_info", dict(TOKYO, alicloud_cbn_endpoint=twin.twin.alicloud_endpoint))["cens"] == []


def test_vpcpeer_is_a_product_modules_can_call(twin):
    helper = alicloud().AlicloudModule.for_account(HostModule(), dict(TOKYO))
    try:
        body = helper.call("vpcpeer", "ListVpcPeerConnections", {})
    except Failed as exc:
        # The twin may not model VpcPeer yet: then it must at least have received the signed
        # call with VpcPeer's version, which only the vpcpeer SDK sends.
        assert "InvalidAction.NotFound" in str(exc) and "2022-01-01" in str(exc)
    else:
        assert "RequestId" in body


# --- one retry table ------------------------------------------------------------------------

def tea_error(code, status=400):
    from Tea.exceptions import TeaException

    return TeaException({"code": code, "message": "m", "data": {"statusCode": status, "Code": code}})


def test_every_busy_code_of_the_notes_is_retried_and_not_found_is_not():
    utils = alicloud()
    for code in ("IncorrectRouteEntryStatus", "IncorrectVpcStatus", "SystemBusy", "OperationFailed.DistibuteLock",
                 "InvalidOperation.ChildInstanceStatus", "InstanceStatus.NotSupport", "InvalidStatus.Resource",
                 "Rejected.Throttling", "Throttling.User", "ServiceUnavailable", "OperationConflict",
                 "IncorrectStatus.VpnGateway", "VpnGateway.Configuring", "Operation.Blocking"):
        assert utils.retry_budget(tea_error(code)) == utils.BUSY, code
    assert utils.retry_budget(tea_error("IncorrectOppositeInterfaceInfo.NotSet")) == 120 > utils.BUSY
    assert utils.retry_budget(tea_error("SomethingNew", status=503)) == utils.BUSY
    for code in ("InvalidVpcId.NotFound", "InvalidParameter", "Forbidden.RAM"):
        assert not utils.is_retryable(tea_error(code)), code


def sdk_error(endpoint, read_timeout=500):
    """The exception the real SDK raises for ``endpoint`` (loopback only)."""
    from alibabacloud_tea_openapi.utils_models import Config
    from alibabacloud_vpc20160428 import models
    from alibabacloud_vpc20160428.client import Client
    from darabonba.runtime import RuntimeOptions

    client = Client(Config(access_key_id="k", access_key_secret="s", region_id="cn-beijing", endpoint=endpoint,
                           protocol="http", connect_timeout=500, read_timeout=read_timeout))
    try:
        client.describe_vpcs_with_options(models.DescribeVpcsRequest(region_id="cn-beijing"), RuntimeOptions())
    except Exception as exc:  # pylint: disable=broad-except
        return exc
    raise AssertionError("no error")


def test_refused_connections_and_read_timeouts_are_retried():
    utils = alicloud()
    assert utils.retry_budget(sdk_error("127.0.0.1:%d" % closed_port())) == utils.NETWORK
    silent = socket.socket()  # accepts, never answers: a read time-out
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    held = []
    threading.Thread(target=lambda: held.append(silent.accept()), daemon=True).start()
    try:
        assert utils.retry_budget(sdk_error("127.0.0.1:%d" % silent.getsockname()[1])) == utils.NETWORK
    finally:
        silent.close()


def test_a_refused_endpoint_is_retried_within_its_budget_then_named(twin, monkeypatch):
    monkeypatch.setenv("ALICLOUD_ENDPOINT", "127.0.0.1:%d" % closed_port())
    slept = []
    with mock.patch("time.sleep", side_effect=slept.append):
        result = run_module("alicloud_vpc_info", TOKYO)
    assert result["failed"] and "Connection refused" in result["msg"] and "ALICLOUD_ENDPOINT" in result["msg"]
    assert len(slept) >= 3 and sum(slept) <= alicloud().NETWORK


def test_aws_retry_table():
    from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

    utils = aws()
    for exc in (EndpointConnectionError(endpoint_url="http://x"), ConnectTimeoutError(endpoint_url="http://x"),
                ReadTimeoutError(endpoint_url="http://x")):
        assert utils.retry_budget(exc) == utils.NETWORK, exc

    def client_error(code, status=400):
        return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")

    for code in ("RequestLimitExceeded", "Throttling", "IncorrectState", "DependencyViolation"):
        assert utils.retry_budget(client_error(code)) == utils.BUSY, code
    assert utils.retry_budget(client_error("Whatever", 503)) == utils.BUSY
    assert not utils.is_retryable(client_error("InvalidVpcID.NotFound"))


def test_aws_refused_endpoint_is_retried_then_named(twin, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:%d" % closed_port())
    slept = []
    with mock.patch("time.sleep", side_effect=slept.append):
        result = run_module("aws_vpc_info", {})
    assert result["failed"] and "Could not connect" in result["msg"] and "AWS_ENDPOINT_URL" in result["msg"]
    assert len(slept) >= 3 and sum(slept) <= aws().NETWORK


def test_retry_budgets_bound_the_backoff():
    from ansible_collections.multicloud.transit.plugins.module_utils.common import retry_within

    def attempts(budget):
        slept = []
        with pytest.raises(ValueError):
            retry_within(lambda: (_ for _ in ()).throw(ValueError("busy")), lambda e: budget, sleep=slept.append)
        assert sum(slept) <= budget
        return len(slept)

    assert attempts(120) > attempts(5) >= 1


# --- AWS options -------------------------------------------------------------------------------

def test_unknown_aws_profile_is_a_clear_error(twin, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    result = run_module("aws_vpc_info", {"profile": "no-such-profile"})
    assert result["failed"] and "'no-such-profile'" in result["msg"]
    assert str(tmp_path / "config") in result["msg"] and str(tmp_path / "credentials") in result["msg"]


def test_validate_certs_and_ca_bundle_reach_the_client(twin, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("placeholder\n")
    off = aws().AwsModule.for_account(HostModule(), {"region": "us-east-1", "validate_certs": False}).client()
    assert off._endpoint.http_session._verify is False  # pylint: disable=protected-access
    own = aws().AwsModule.for_account(HostModule(), {"region": "us-east-1", "aws_ca_bundle": str(bundle)}).client()
    assert own._endpoint.http_session._verify == str(bundle)  # pylint: disable=protected-access


# --- filters on the _info modules -------------------------------------------------------------

def test_info_filters(twin):
    assert [v["name"] for v in ok("aws_vpc_info", {"filters": {"cidr-block": "172.17.0.0/16"}})["vpcs"]] == ["vpc-b"]
    assert ok("aws_vpc_info", {"names": ["vpc-a"], "filters": {"cidr-block": ["172.17.0.0/16"]}})["vpcs"] == []
    assert ok("aws_tgw_info", {"filters": {"state": "available"}})["transit_gateways"] == []

    assert ok("alicloud_vpc_info", dict(TOKYO, filters={"IsDefault": False}))["vpcs"]
    unknown = run_module("alicloud_vpc_info", dict(TOKYO, filters={"NoSuchParam": 1}))
    assert unknown["failed"] and "NoSuchParam" in unknown["msg"] and "DescribeVpcs" in unknown["msg"]
    assert ok("alicloud_cen_info", dict(TOKYO, filters={"Status": "Active"}))["cens"] == []


def test_one_client_per_product_and_region(twin):
    """A hub spans regions: one module call reads VPCs of two regions, each through its own client."""
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule

    with patch_module_args({"alicloud_region": "ap-northeast-1"}):
        mod = AlicloudModule(argument_spec={}, supports_check_mode=True)
    tokyo = mod.paginate("vpc", "DescribeVpcs", {}, "Vpcs.Vpc")
    beijing = mod.paginate("vpc", "DescribeVpcs", {}, "Vpcs.Vpc", region="cn-beijing")
    assert [v["VpcName"] for v in tokyo] == ["tokyo-vpc"]
    assert [v["VpcName"] for v in beijing] == ["beijing-vpc"]
    assert sorted(region for _, region in mod._clients) == ["ap-northeast-1", "cn-beijing"]


def test_an_empty_env_var_is_unset_and_never_masks_the_output(monkeypatch):
    """AWX injects ALIBABA_CLOUD_SECURITY_TOKEN="" for a credential without an STS token."""
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule

    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "")
    with patch_module_args({"alicloud_region": "ap-northeast-1", "alicloud_security_token": None}):
        mod = AlicloudModule(argument_spec={}, supports_check_mode=True)
    assert mod.params["alicloud_security_token"] is None
    assert "" not in mod.module.no_log_values
