"""The twin's foundation: world seeding, both SDKs, VPC rules, ClientToken, faults, reset."""

from __future__ import annotations

import copy
import json
import urllib.request

import pytest
from alibabacloud_vpc20160428 import models as vpc_models
from Tea.exceptions import TeaException

from conftest import ROOT
from twinhelpers import ok, run_module


def _control(handle, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(handle.twin.alicloud_endpoint + "/_twin/" + path, data=data,
                                 method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
        return json.loads(resp.read() or b"{}")


def test_world_seeded_in_both_clouds_through_official_sdks(twin):
    vpcs = twin.ec2().describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["vpc-a", "vpc-b"]}])["Vpcs"]
    assert sorted(v["CidrBlock"] for v in vpcs) == ["172.16.0.0/16", "172.17.0.0/16"]
    ips = [i["PrivateIpAddress"] for r in twin.ec2().describe_instances()["Reservations"] for i in r["Instances"]]
    assert sorted(ips) == ["172.16.0.132", "172.17.0.111"]

    tokyo = twin.vpc_client(region="ap-northeast-1").describe_vpcs(
        vpc_models.DescribeVpcsRequest(region_id="ap-northeast-1")).body.vpcs.vpc
    beijing = twin.vpc_client(region="cn-beijing").describe_vpcs(
        vpc_models.DescribeVpcsRequest(region_id="cn-beijing")).body.vpcs.vpc
    assert [(v.vpc_name, v.cidr_block) for v in tokyo] == [("tokyo-vpc", "10.0.0.0/8")]
    assert [(v.vpc_name, v.cidr_block) for v in beijing] == [("beijing-vpc", "192.168.0.0/16")]


def test_v2_signature_client_lists_seeded_vpcs(twin):
    client = twin.vpc_client(region="ap-northeast-1", signature_algorithm="v2")
    body = client.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id="ap-northeast-1")).body
    assert body.total_count == 1


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_wrong_secret_is_refused_in_both_signature_versions(twin, algorithm):
    from alibabacloud_tea_openapi.utils_models import Config
    from alibabacloud_vpc20160428.client import Client

    host = twin.twin.alicloud_endpoint.split("://", 1)[1]
    creds = twin.alicloud_account("main")
    client = Client(Config(access_key_id=creds["alicloud_access_key"], access_key_secret="wrong-secret",
                           region_id="ap-northeast-1", endpoint=host, protocol="http",
                           signature_algorithm=algorithm))
    with pytest.raises(TeaException) as err:
        client.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id="ap-northeast-1"))
    assert err.value.code == "SignatureDoesNotMatch"
    assert err.value.statusCode == 400


def _tokyo(twin):
    vpc = ok("alicloud_vpc_info", {"alicloud_region": "ap-northeast-1", "names": ["tokyo-vpc"]})["vpcs"][0]
    return vpc


def test_route_entry_rules_and_client_token(twin):
    vpc = _tokyo(twin)
    client = twin.vpc_client()
    instance = twin.ali_resources("Instance")[0]
    # next hop must exist in the same VPC, destination must not sit inside a vSwitch.
    with pytest.raises(TeaException) as err:
        client.create_route_entry(vpc_models.CreateRouteEntryRequest(
            region_id="ap-northeast-1", route_table_id=vpc["route_table_id"],
            destination_cidr_block="10.0.0.0/25", next_hop_type="Instance", next_hop_id=instance.id))
    assert err.value.code == "InvalidDestinationCidrBlock.ContainedByVSwitch"
    request = vpc_models.CreateRouteEntryRequest(
        region_id="ap-northeast-1", route_table_id=vpc["route_table_id"], client_token="token-1",
        destination_cidr_block="172.16.0.0/12", next_hop_type="Instance", next_hop_id=instance.id)
    first = client.create_route_entry(request).body.route_entry_id
    again = client.create_route_entry(request).body.route_entry_id
    assert first == again  # same ClientToken -> same resource, no duplicate
    request.client_token = "token-2"
    with pytest.raises(TeaException) as err:
        client.create_route_entry(request)
    assert err.value.code == "RouterEntryConflict.Duplicated"
    with pytest.raises(TeaException) as err:
        client.create_route_entry(vpc_models.CreateRouteEntryRequest(
            region_id="ap-northeast-1", route_table_id=vpc["route_table_id"],
            destination_cidr_block="192.0.2.0/24", next_hop_type="Instance", next_hop_id="i-doesnotexist"))
    assert err.value.code == "InvalidInstanceId.NotFound"


def test_throttling_and_5xx_are_retried_by_module_utils(twin):
    _control(twin, "faults", {"throttle_rate": 1, "count": 2, "only_actions": ["DescribeVpcs"]})
    assert _tokyo(twin)["cidr_block"] == "10.0.0.0/8"
    assert _control(twin, "faults")["injected"]["throttle"] == 2
    _control(twin, "faults", {"throttle_rate": 0, "error_rate": 1, "count": 2, "only_actions": ["DescribeVpcs"]})
    assert _tokyo(twin)["cidr_block"] == "10.0.0.0/8"
    assert _control(twin, "faults")["injected"]["error"] == 2


def test_aws_faults_are_retried(twin):
    twin.twin.faults.update({"throttle_rate": 1, "count": 2, "only_actions": ["DescribeVpcs"]})
    vpcs = ok("aws_vpc_info", {"names": ["vpc-a"]})["vpcs"]
    assert vpcs[0]["cidr_block"] == "172.16.0.0/16"
    assert twin.twin.faults.to_dict()["injected"]["throttle"] == 2


def test_aws_5xx_is_retried_by_the_retry_table(twin):
    # botocore's own retries are off (module_utils/aws.py): the table alone must retry a 5xx.
    twin.twin.faults.update({"throttle_rate": 0, "error_rate": 1, "count": 2, "only_actions": ["DescribeVpcs"]})
    vpcs = ok("aws_vpc_info", {"names": ["vpc-b"]})["vpcs"]
    assert vpcs[0]["cidr_block"] == "172.17.0.0/16"
    assert twin.twin.faults.to_dict()["injected"]["error"] == 2


def test_throttled_create_is_retried_with_one_client_token(twin):
    twin.twin.faults.update({"throttle_rate": 1, "count": 2, "only_actions": ["CreateCen"]})
    cen = ok("alicloud_cen", {"alicloud_region": "ap-northeast-1", "name": "retried-cen"})["cen"]
    assert twin.twin.faults.to_dict()["injected"]["throttle"] == 2
    assert [c["CenId"] for c in twin.ali_resources("Cen") if c.get("Name") == "retried-cen"] == [cen["cen_id"]]


def test_persistent_errors_fail_with_code_and_request_id(twin):
    twin.twin.faults.update({"throttle_rate": 1, "count": 100, "only_actions": ["DescribeVpcs"]})
    from unittest import mock

    with mock.patch("time.sleep"):
        result = run_module("alicloud_vpc_info", {"alicloud_region": "ap-northeast-1"})
    assert result["failed"]
    assert result["error_code"] == "Throttling.User"
    assert result["request_id"]
    assert "re-run later" in result["msg"]


def test_missing_credentials_name_the_option(twin, monkeypatch):
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    # Without keys the SDK's own chain is consulted. It reads its env vars once, at import (a
    # module process is new each time; this test process is not), and must not reach for the
    # ECS metadata address beyond loopback: give it this test's environment.
    from alibabacloud_credentials.utils import auth_util
    monkeypatch.setattr(auth_util, "environment_access_key_id", None)
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_cli_profile_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", str(ROOT / "tests" / "no-such-credentials.ini"))
    result = run_module("alicloud_vpc_info", {"alicloud_region": "ap-northeast-1"})
    assert result["failed"] and "alicloud_access_key" in result["msg"]


def test_reset_forgets_created_resources(twin):
    ec2 = twin.ec2()
    ec2.create_vpc(CidrBlock="10.99.0.0/16")
    before = len(ec2.describe_vpcs()["Vpcs"])
    _control(twin, "reset", {})
    assert len(ec2.describe_vpcs()["Vpcs"]) == before - 1
    assert any(c["action"] == "DescribeVpcs" for c in twin.calls())


def test_world_legacy_rules_are_named_and_removable(tmp_path):
    """A world may switch 2018 rules back on by name; an unknown name is refused at load."""
    from cloudtwin.world import WorldError, load_world

    assert load_world(str(ROOT / "emulator" / "worlds" / "seed-tgw-cen.yml")).legacy_rules == []
    world = load_world(str(ROOT / "emulator" / "worlds" / "seed-tgw-cen-legacy.yml"))
    assert "basic_cen_by_api" in world.legacy_rules
    assert world.without_legacy_rules().legacy_rules == []
    bad = tmp_path / "bad.yml"
    bad.write_text("name: bad\nalicloud:\n  legacy_rules: [basic_cen_by_apii]\n  accounts: []\n")
    with pytest.raises(WorldError, match="unknown basic_cen_by_apii"):
        load_world(str(bad))


def test_world_account_site_sets_the_accounts_site():
    """``site: china`` on a world account reaches the model (vpn.account_site); anything else is refused."""
    from cloudtwin.alicloud.models.base import State
    from cloudtwin.alicloud.models.vpn import account_site
    from cloudtwin.world import World, WorldError, seed_alicloud, validate

    raw = load_world_raw()
    uid = raw["alicloud"]["accounts"][0]["uid"]
    state = State()
    seed_alicloud(World(raw), state)
    assert account_site(state, uid) == "international"  # no site declared
    raw["alicloud"]["accounts"][0]["site"] = "china"
    validate(World(raw))
    state = State()
    seed_alicloud(World(raw), state)
    assert account_site(state, uid) == "china"
    raw["alicloud"]["accounts"][0]["site"] = "mainland"
    with pytest.raises(WorldError, match="site must be one of china, international"):
        validate(World(raw))


def load_world_raw():
    from cloudtwin.world import load_world

    return copy.deepcopy(load_world(str(ROOT / "emulator" / "worlds" / "seed-tgw-cen.yml")).raw)


def test_today_twin_has_no_legacy_rules(today_twin, twin):
    assert today_twin.twin.backend.state.legacy_rules == set()
    assert twin.twin.backend.state.legacy("basic_cen_by_api")


# --- AWS request signatures ------------------------------------------------------------------------
def _ec2_with(twin, access_key_id, secret):
    import boto3

    return boto3.client("ec2", region_name="us-east-1", endpoint_url=twin.env["AWS_ENDPOINT_URL"],
                        aws_access_key_id=access_key_id, aws_secret_access_key=secret)


def _aws_error(call):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_aws_side_checks_signatures_with_the_world_key(twin):
    env = twin.env
    assert len(_ec2_with(twin, env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]).describe_vpcs()["Vpcs"]) == 3
    # EC2 answers a wrong secret and an unknown key alike: AuthFailure, HTTP 401.
    assert _aws_error(_ec2_with(twin, env["AWS_ACCESS_KEY_ID"], "not-the-secret").describe_vpcs) == \
        ("AuthFailure", 401)
    assert _aws_error(_ec2_with(twin, "AKIAUNKNOWNTWINKEY01", env["AWS_SECRET_ACCESS_KEY"]).describe_vpcs) == \
        ("AuthFailure", 401)
    # A refused call changes nothing; after a reset the world's key still works (seeded again).
    assert _aws_error(lambda: _ec2_with(twin, env["AWS_ACCESS_KEY_ID"], "x").create_vpc(CidrBlock="10.9.0.0/16"))[0] \
        == "AuthFailure"
    twin.twin.reset()
    assert len(twin.ec2().describe_vpcs()["Vpcs"]) == 3


def test_canary_moto_checks_no_signature_unless_the_twin_asks(twin):
    """moto's default (INITIAL_NO_AUTH_ACTION_COUNT = infinity) accepts any secret; the twin's
    switch (0) is what makes it check. Fails if moto renames or drops that mechanism."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    assert settings.INITIAL_NO_AUTH_ACTION_COUNT == 0 and hasattr(ActionAuthenticatorMixin, "request_count")
    wrong = _ec2_with(twin, twin.env["AWS_ACCESS_KEY_ID"], "not-the-secret")
    settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
    try:
        assert len(wrong.describe_vpcs()["Vpcs"]) == 3  # moto alone: a wrong secret goes through
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    assert _aws_error(wrong.describe_vpcs)[0] == "AuthFailure"
