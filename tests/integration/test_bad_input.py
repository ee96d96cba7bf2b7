"""Bad input is refused before anything changes (issue 14): one table of bad inputs across the modules and the
topology, each asserting that it is refused, that the message names the field and says the fix, and that the
twin's call log holds no mutating call on either cloud for that input.

- Modules: each case runs one module in-process (tests/twinhelpers.run_module) against today's twin, with the
  resources it needs made beforehand by the SDKs (a Transit Gateway, a CEN with a Tokyo transit router).
- Topology through the real entry points: ansible-playbook playbooks/site.yml (or preflight.yml) on the
  inventories with `-e` overrides: the pre-flight and its barrier stop every host before any host changes
  anything, whether the plan refused the topology or a host's read-only call to its cloud did.
- Topology through the plan filter: more cases in one ansible-playbook run, each in its own block/rescue so that
  each case's message is asserted by itself (the plan filter makes no cloud call at all; the zero-mutation
  check covers the whole run).
"""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

from conftest import _fresh
from playbookhelpers import ROOT, play
from twinhelpers import cbn_call, run_module, seeded_vpc

SEED = ROOT / "inventories" / "seed-tgw-cen"
PEER = ROOT / "inventories" / "cross-account-vpc-peer"
SITE, PREFLIGHT = "playbooks/site.yml", "playbooks/preflight.yml"
TOPOLOGY = yaml.safe_load((SEED / "group_vars" / "all" / "topology.yml").read_text())
PEERINGS = yaml.safe_load((PEER / "group_vars" / "all.yml").read_text())
TOKYO, BEIJING = "ap-northeast-1", "cn-beijing"
NO_TGW = "tgw-0123456789abcdef0"
PSK2 = "Tunnel2.key_for_test"


def _pcase(case_id, *values, xfail=None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(*values, id=case_id, marks=marks)


# --- modules ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(today_seed_twin):
    """Today's twin, reset once, with what the module cases refer to: a Transit Gateway and a CEN with a Tokyo
    transit router (made by the SDKs, before the call log is cleared). No case changes anything, so one setup
    serves every case (each asserts that)."""
    with pytest.MonkeyPatch.context() as patch:
        handle = _fresh(today_seed_twin, patch)
        ec2 = handle.ec2()
        tgw = ec2.create_transit_gateway(Description="bad input", TagSpecifications=[{
            "ResourceType": "transit-gateway", "Tags": [{"Key": "Name", "Value": "bad-input-tgw"}]}])
        cen = cbn_call(handle, "CreateCen", Name="bad-input-cen")["CenId"]
        router = cbn_call(handle, "CreateTransitRouter", CenId=cen, RegionId=TOKYO)["TransitRouterId"]
        vpcs = dict((v["Tags"][0]["Value"], v["VpcId"]) for v in ec2.describe_vpcs()["Vpcs"] if v.get("Tags"))
        subnet_a = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs["vpc-a"]]}])["Subnets"][0]
        yield handle, {"tgw": tgw["TransitGateway"]["TransitGatewayId"], "cen": cen, "router": router,
                       "vpc_a": vpcs["vpc-a"], "subnet_a": subnet_a["SubnetId"],
                       "tokyo_vpc": seeded_vpc(handle, "tokyo-vpc").id}


def _tokyo(**args):
    return dict(args, alicloud_region=TOKYO)


def _route_entry(cidr="172.16.0.0/16", hop_type="Attachment", hop_id="tr-attach-abc", vpc_id=None):
    """alicloud_route_entry's args for one route in the Tokyo VPC (or ``vpc_id``)."""
    return lambda ids: _tokyo(vpc_id=vpc_id or ids["tokyo_vpc"], routes=[{
        "destination_cidr_block": cidr, "next_hop_type": hop_type, "next_hop_id": hop_id}])


# (id, module, args from the ids of `built`, texts the message must hold: the field and the fix)
MODULE_CASES = [
    _pcase("aws_tgw_attachment-missing-tgw", "aws_tgw_attachment",
           lambda ids: dict(name="a", transit_gateway_id=NO_TGW, vpc_id=ids["vpc_a"]),
           ["transit_gateway_id", NO_TGW, "was not found", "create it first (aws_tgw)"]),
    _pcase("aws_tgw_attachment-missing-vpc", "aws_tgw_attachment",
           lambda ids: dict(name="a", transit_gateway_id=ids["tgw"], vpc_id="vpc-0123456789abcdef0",
                            subnet_ids=[ids["subnet_a"]]),
           ["vpc_id: VPC vpc-0123456789abcdef0 was not found", "correct vpc_id"]),
    _pcase("aws_tgw_attachment-list-missing-vpc", "aws_tgw_attachment",
           lambda ids: dict(transit_gateway_id=ids["tgw"], vpc_attachments=[
               {"vpc_id": ids["vpc_a"], "subnet_ids": [ids["subnet_a"]]}, {"vpc_id": "vpc-0123456789abcdef0"}]),
           ["vpc_attachments[1].vpc_id: VPC vpc-0123456789abcdef0 was not found", "correct vpc_attachments[1].vpc_id"]),
    _pcase("aws_tgw-unknown-region", "aws_tgw", lambda ids: dict(name="h", region="us-east-7"),
           ["region: 'us-east-7' is not an AWS region; did you mean 'us-east-", "the region option, or AWS_REGION"]),
    _pcase("aws_tgw-asn", "aws_tgw", lambda ids: dict(name="h", amazon_side_asn=65535),
           ["amazon_side_asn 65535", "use 64512-65534 or 4200000000-4294967294"]),
    _pcase("aws_tgw-wrong-secret-key", "aws_tgw", lambda ids: dict(name="h", secret_key="not-the-secret"),
           ["AuthFailure", "Check the access key, secret key and region"]),
    _pcase("aws_vpn_connection-psk-starts-with-zero", "aws_vpn_connection",
           lambda ids: dict(name="v", transit_gateway_id=ids["tgw"], customer_gateway_id="cgw-0123456789abcdef0",
                            tunnels=[{"pre_shared_key": "0Tunnel1.key"}, {"pre_shared_key": PSK2}]),
           ["tunnels[0].pre_shared_key", "must not start with zero", "leave it unset"]),
    _pcase("aws_vpn_connection-reserved-inside-cidr", "aws_vpn_connection",
           lambda ids: dict(name="v", transit_gateway_id=ids["tgw"], customer_gateway_id="cgw-0123456789abcdef0",
                            tunnels=[{"tunnel_inside_cidr": "169.254.169.252/30"}, {}]),
           ["tunnels[0].tunnel_inside_cidr", "169.254.169.252/30", "reserved"]),
    _pcase("aws_vpn_connection-phase1-lifetime", "aws_vpn_connection",
           lambda ids: dict(name="v", transit_gateway_id=ids["tgw"], customer_gateway_id="cgw-0123456789abcdef0",
                            tunnels=[{"phase1_lifetime_seconds": 86400}, {}]),
           ["tunnels[0].phase1_lifetime_seconds", "86400", "28800"]),
    _pcase("aws_customer_gateway-ip", "aws_customer_gateway", lambda ids: dict(name="c", ip_address="300.1.1.1"),
           ["ip_address '300.1.1.1' is not an IPv4 address", "give the public IPv4 address"]),
    _pcase("aws_vpc_route-cidr", "aws_vpc_route",
           lambda ids: dict(vpc_id=ids["vpc_a"], routes=[{"destination_cidr_block": "10.0.0.0/33",
                                                          "transit_gateway_id": ids["tgw"]}]),
           ["routes[0].destination_cidr_block '10.0.0.0/33' is not a valid CIDR"]),
    _pcase("aws_vpc_route-missing-tgw", "aws_vpc_route",
           lambda ids: dict(vpc_id=ids["vpc_a"], routes=[{"destination_cidr_block": "10.0.0.0/8",
                                                          "transit_gateway_id": NO_TGW}]),
           ["routes[0].transit_gateway_id", NO_TGW, "create it first or fix the id"]),
    _pcase("alicloud_route_entry-hop-of-the-wrong-kind", "alicloud_route_entry", _route_entry(hop_id="vpn-abc"),
           ["routes[0].next_hop_id vpn-abc is not a Attachment", "Fix next_hop_type or next_hop_id"]),
    _pcase("alicloud_route_entry-havip-given-an-attachment", "alicloud_route_entry", _route_entry(hop_type="HaVip"),
           ["routes[0].next_hop_id tr-attach-abc is not a HaVip", "Fix next_hop_type or next_hop_id"]),
    _pcase("alicloud_route_entry-missing-hop", "alicloud_route_entry", _route_entry(),
           ["routes[0].next_hop_id tr-attach-abc", "no Attachment with this ID", "create it first"]),
    _pcase("alicloud_route_entry-cidr", "alicloud_route_entry", _route_entry(cidr="172.16.0.1/16"),
           ["routes[0].destination_cidr_block '172.16.0.1/16' is not a CIDR block", "host bits set"]),
    _pcase("alicloud_route_entry-missing-vpc", "alicloud_route_entry", _route_entry(vpc_id="vpc-nope"),
           ["vpc_id vpc-nope was not found in region ap-northeast-1"]),
    _pcase("alicloud_ipsec_connection-psk", "alicloud_ipsec_connection",
           lambda ids: _tokyo(name="conn", vpn_gateway_id="vpn-abc", customer_gateway_id="cgw-abc",
                              local_subnets=["10.0.0.0/8"], remote_subnets=["172.16.0.0/16"],
                              pre_shared_key="has a space"),
           ["pre_shared_key", "(no spaces"]),
    _pcase("alicloud_vpn_attachment-psk", "alicloud_vpn_attachment",
           lambda ids: _tokyo(name="conn", cen_id=ids["cen"], transit_router_id=ids["router"], tunnels=[
               {"customer_gateway_id": "cgw-a", "pre_shared_key": "has a space"},
               {"customer_gateway_id": "cgw-b", "pre_shared_key": PSK2}]),
           ["tunnels[0].pre_shared_key", "(no spaces"]),
    _pcase("alicloud_transit_router_peer_attachment-negative-bandwidth", "alicloud_transit_router_peer_attachment",
           lambda ids: _tokyo(cen_id=ids["cen"], peer_attachments=[{
               "region": TOKYO, "peer_region": BEIJING, "bandwidth_type": "DataTransfer", "bandwidth": -5}]),
           ["peer_attachments[0].bandwidth must be 0 or more"]),
    _pcase("alicloud_transit_router_peer_attachment-bandwidth-without-plan",
           "alicloud_transit_router_peer_attachment",
           lambda ids: _tokyo(cen_id=ids["cen"], peer_attachments=[{
               "region": TOKYO, "peer_region": BEIJING, "bandwidth": 10}]),
           ["peer_attachments[0].bandwidth 10 Mbit/s of a bandwidth plan needs cen_bandwidth_package_id",
            "or set bandwidth_type DataTransfer"]),
    _pcase("alicloud_transit_router_peer_attachment-no-router-in-peer-region",
           "alicloud_transit_router_peer_attachment",
           lambda ids: _tokyo(cen_id=ids["cen"], peer_attachments=[{
               "region": TOKYO, "peer_region": BEIJING, "bandwidth_type": "DataTransfer", "bandwidth": 10}]),
           ["peer_attachments[0]", BEIJING]),
    _pcase("alicloud_transit_router_vpc_attachment-missing-vpc", "alicloud_transit_router_vpc_attachment",
           lambda ids: _tokyo(cen_id=ids["cen"], attachments=[{"vpc_id": "vpc-nope", "region": TOKYO}]),
           ["attachments[0]", "vpc-nope"]),
    _pcase("alicloud_transit_router_vpc_attachment-missing-cen", "alicloud_transit_router_vpc_attachment",
           lambda ids: _tokyo(cen_id="cen-nope", attachments=[{"vpc_id": ids["tokyo_vpc"], "region": TOKYO}]),
           ["cen_id: CEN cen-nope was not found", "create it first"]),
    _pcase("alicloud_transit_router-unknown-region", "alicloud_transit_router",
           lambda ids: dict(cen_id=ids["cen"], alicloud_region="ap-northeast-01"),
           ["alicloud_region: 'ap-northeast-01' is not an Alibaba Cloud region; did you mean 'ap-northeast-1'?"]),
    _pcase("alicloud_vpn_gateway-bandwidth-0", "alicloud_vpn_gateway",
           lambda ids: _tokyo(name="gw", vpc_id=ids["tokyo_vpc"], bandwidth=0),
           ["bandwidth must be one of: 5, 10", "got: 0"]),
    _pcase("alicloud_vpn_gateway-missing-vpc", "alicloud_vpn_gateway",
           lambda ids: _tokyo(name="gw", vpc_name="osaka-vpc"),
           ["vpc_name", "osaka-vpc"]),
    _pcase("alicloud_customer_gateway-ip", "alicloud_customer_gateway",
           lambda ids: _tokyo(name="cgw", ip_address="10.0.0.300"),
           ["ip_address '10.0.0.300' is not an IPv4 address", "give the peer's static public IP"]),
    _pcase("alicloud_cen-wrong-secret-key", "alicloud_cen",
           lambda ids: _tokyo(name="c", alicloud_secret_key="not-the-secret"),
           ["SignatureDoesNotMatch", "Check the AccessKey ID and secret"]),
]


@pytest.mark.parametrize("module,args,expected", MODULE_CASES)
def test_a_module_refuses_bad_input_before_any_mutating_call(built, module, args, expected):
    handle, ids = built
    handle.clear_calls()
    result = run_module(module, args(ids))
    assert result.get("failed"), result
    for text in expected:
        assert text in result["msg"], result["msg"]
    assert handle.mutating_calls() == []
