"""Bad input is refused before anything changes (issue 14): one table of bad inputs across the modules and the
topology, each asserting that it is refused, that the message names the field and says the fix, and that the
twin's call log holds no mutating call on either cloud for that input.

- Modules (MODULE_CASES): each case runs one module in-process (tests/twinhelpers.run_module) against today's
  twin, with what it refers to made beforehand by the SDKs (a Transit Gateway, a CEN with a Tokyo transit router).
- Topology through the real entry point (SITE_CASES): ansible-playbook playbooks/site.yml on the seed inventory
  with `-e` overrides (peerings: playbooks/peerings.yml on cross-account-vpc-peer). The pre-flight and its barrier
  stop every host before any host changes anything, whether the plan refused the topology or a host's read-only
  call to its cloud did: no changed task, only *_info modules invoked, no mutating call.
- Topology through the plan filter (PLAN_CASES): one ansible-playbook run plans every case in a loop whose failures
  are kept per case (ignore_errors), so each case's own message is asserted by itself; the plan calls no cloud.
"""

from __future__ import annotations

import copy
import json
import sys

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


def _pcase(case_id, *values):
    return pytest.param(*values, id=case_id)


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


# --- topology, through the real entry point ---------------------------------------------------------------------
def _seed_with(change):
    """`-e` with the seed inventory's topology keys after ``change(topology)``."""
    topology = copy.deepcopy(TOPOLOGY)
    change(topology)
    return ("-e", json.dumps(topology))


def _peerings_with(change):
    peerings = copy.deepcopy(PEERINGS["vpc_peerings"])
    change(peerings[0])
    return ("-e", json.dumps({"vpc_peerings": peerings}))


def _aws_hub(**values):
    return lambda t: t["transit_aws_hubs"][0].update(values)


def _aws_vpc(index, **values):
    return lambda t: t["transit_aws_hubs"][0]["vpcs"][index].update(values)


def _ali_vpc(index, **values):
    return lambda t: t["transit_alicloud_hubs"][0]["vpcs"][index].update(values)


def _bridge(**values):
    return lambda t: t["transit_vpn_bridges"][0].update(values)


ALICLOUD_KEYS = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY",
                 "ALICLOUD_SECRET_KEY")


def _site(case_id, options, expected, unset=(), twin="today_twin", inventory=SEED, playbook=SITE, xfail=None):
    """One run of ``playbook`` (site.yml) on ``inventory`` with ``options``; ``unset``: env vars to remove."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(twin, inventory, options, expected, unset, playbook, id=case_id, marks=marks)


# A peering of an inventory that also has a hub, whose acceptor VPC does not exist (the peering role reads the
# account's keys from its host vars: here from the twin's environment).
AWS_HUB_AND_A_PEERING = {
    "transit_alicloud_hubs": [], "transit_vpn_bridges": [], "transit_probes": [],
    "alicloud_access_key": "{{ lookup('ansible.builtin.env', 'ALIBABA_CLOUD_ACCESS_KEY_ID') }}",
    "alicloud_secret_key": "{{ lookup('ansible.builtin.env', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET') }}",
    "vpc_peerings": [{"name": "tokyo-osaka",
                      "initiator": {"account": "alicloud_main", "region": TOKYO, "vpc": "tokyo-vpc",
                                    "routes": ["192.168.0.0/16"]},
                      "acceptor": {"account": "alicloud_main", "region": BEIJING, "vpc": "osaka-vpc",
                                   "routes": ["10.0.0.0/8"]}}]}


PEERINGS_RUN = {"twin": "today_peering_twin", "inventory": PEER, "playbook": "playbooks/peerings.yml"}
SITE_CASES = [
    # refused by the plan (the first task, on the controller)
    _site("overlap-across-clouds", _seed_with(_ali_vpc(1, cidr="172.16.0.0/12")),
          ["transit_aws_hubs[0].vpcs[0].cidr: 172.16.0.0/16 overlaps transit_alicloud_hubs[0].vpcs[1].cidr "
           "(172.16.0.0/12)", "give every VPC a CIDR block of its own"]),
    _site("unknown-key-nearest", _seed_with(_aws_hub(regoin="us-east-1")),
          ["transit_aws_hubs[0].regoin: unknown key; did you mean `region`?"]),
    _site("unknown-topology-variable", ("-e", json.dumps({"transit_vpn_bridge": []})),
          ["transit_vpn_bridge: unknown variable, so it would be ignored; did you mean `transit_vpn_bridges`?"]),
    # refused by a host's read-only call to its cloud: the other host has read only, and stops at the barrier
    _site("aws-vpc-does-not-exist", _seed_with(_aws_vpc(1, name="vpc-z")),
          ["AWS hub seed-tgw: vpcs[1] (vpc-z): there is no VPC with Name tag 'vpc-z' in us-east-1; create it, or "
           "correct vpcs[1].name"]),
    _site("alicloud-vpc-does-not-exist", _seed_with(_ali_vpc(1, name="osaka-vpc")),
          ["Alibaba hub seed-cen: vpcs[1] (osaka-vpc): there is no VPC named 'osaka-vpc' in cn-beijing; create it, "
           "or correct vpcs[1].name"]),
    _site("cidr-not-as-declared", _seed_with(_aws_vpc(0, cidr="172.16.0.0/17")),
          ["vpcs[0] (vpc-a): its CIDR block is 172.16.0.0/16, not 172.16.0.0/17 as declared; correct vpcs[0].cidr"]),
    _site("wrong-aws-secret-key", ("-e", json.dumps({"transit_aws_connection": {"secret_key": "not-the-secret"}})),
          ["AuthFailure", "Check the access key, secret key and region of this AWS account"]),
    _site("missing-alicloud-credentials", (),
          ["Alibaba Cloud credentials are missing", "the alicloud_access_key and alicloud_secret_key options"],
          unset=ALICLOUD_KEYS),
    # the peerings of another inventory, through their own entry point: its first play checks every peering (each
    # VPC read with its own account's keys) before its second play changes anything
    _site("peering-vpc-does-not-exist", _peerings_with(lambda p: p["acceptor"].update(vpc="svalley-vpc-z")),
          ["acceptor", "svalley-vpc-z"], **PEERINGS_RUN),
    _site("peering-route-overlaps-its-own-vpc",
          _peerings_with(lambda p: p["initiator"].update(routes=["172.16.0.0/12"])),
          ["vpc_peering.initiator.routes: 172.16.0.0/12 overlaps the side's own VPC tokyo-vpc-a",
           "a side routes the other side's CIDR blocks into the peering"], **PEERINGS_RUN),
    # the pre-flight runs every peering's check, so the hubs phase never starts
    _site("peering-vpc-does-not-exist-next-to-a-hub", ("-e", json.dumps(AWS_HUB_AND_A_PEERING)),
          ["vpc_peering.acceptor", "osaka-vpc"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("twin_name,inventory,options,expected,unset,playbook", SITE_CASES)
def test_bad_topology_stops_site_yml_before_any_host_changes_anything(request, monkeypatch, twin_name, inventory,
                                                                       options, expected, unset, playbook):
    handle = request.getfixturevalue(twin_name)
    for name in unset:
        monkeypatch.delenv(name, raising=False)
    env = dict((k, v) for k, v in handle.env.items() if k not in unset)
    handle.clear_calls()
    run = play(env, inventory, playbook, *options, expect_rc=2)
    for text in expected:
        assert text in run.output, run.output[-6000:]
    assert handle.mutating_calls() == []
    assert set(run.changed().values()) == {0}
    called = set(m for host in run.module_calls.values() for m in host)
    assert all(m.endswith("_info") for m in called), called  # reads only, on every host


# --- topology, through the plan filter: many cases in one ansible-playbook run --------------------------------
PLAN_PLAYBOOK = """
- name: The plan of each bad topology, refused one by one (no cloud call)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Plan one case
      ansible.builtin.set_fact:
        __plan: "{{ item.topology | multicloud.transit.topology_plan(['aws_main', 'alicloud_main']) }}"
      loop: "{{ cases }}"
      loop_control:
        label: "{{ item.id }}"
      register: __refusals
      ignore_errors: true

    - name: Keep what each case said
      ansible.builtin.copy:
        content: "{{ dict(cases | map(attribute='id') | zip(__refusals.results)) | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""


def _seed_plan(change):
    topology = copy.deepcopy(TOPOLOGY)
    change(topology)
    return topology


def _peering(initiator_routes, acceptor="alicloud_main"):
    return lambda t: t.update(vpc_peerings=[{
        "name": "p", "initiator": {"account": "alicloud_main", "region": TOKYO, "vpc": "tokyo-vpc",
                                   "routes": initiator_routes},
        "acceptor": {"account": acceptor, "region": BEIJING, "vpc": "beijing-vpc", "routes": ["10.0.0.0/8"]}}])


B = "transit_vpn_bridges[0]"
# (id, the seed topology after a change, texts the refusal must hold)
PLAN_CASES = [
    ("psk-bad-characters", _bridge(psks=["has-a-dash-and space", PSK2]),
     [B + ".psks[0]: the pre-shared key must be 8 to 64 characters"]),
    ("psk-too-short", _bridge(psks=["short", PSK2]), [B + ".psks[0]: the pre-shared key must be 8 to 64 characters"]),
    ("psk-count", _bridge(psks=[PSK2]), [B + ".psks: mode transit_router uses 2 tunnels: give 2 keys (got 1)"]),
    ("reserved-tunnel-cidr", _bridge(tunnel_inside_cidrs=["169.254.6.0/30", "169.254.10.0/30"]),
     [B + ".tunnel_inside_cidrs[0]: 169.254.6.0/30 is reserved by Alibaba Cloud"]),
    ("tunnel-cidr-twice", _bridge(tunnel_inside_cidrs=["169.254.10.0/30", "169.254.10.0/30"]),
     [B + ".tunnel_inside_cidrs[1]: 169.254.10.0/30 is already used by " + B + ".tunnel_inside_cidrs[0]"]),
    ("phase1-lifetime-aws-refuses", _bridge(ike={"phase1_lifetime": 86400}),
     [B + ".ike.phase1_lifetime: 86400 s is outside what both clouds accept (900-28800 s)"]),
    ("phase2-lifetime", _bridge(ike={"phase2_lifetime": 28800}),
     [B + ".ike.phase2_lifetime: 28800 s is outside what both clouds accept (900-3600 s)"]),
    ("integrity-md5", _bridge(ike={"integrity": "md5"}),
     [B + ".ike.integrity: 'md5' is not accepted by both clouds in both phases; use one of"]),
    ("inter-region-bandwidth-0", lambda t: t["transit_alicloud_hubs"][0].update(inter_region={"bandwidth": 0}),
     ["transit_alicloud_hubs[0].inter_region.bandwidth: must be at least 1 (Mbit/s), got 0"]),
    ("gateway-bandwidth-0", _bridge(gateway_bandwidth=0), [B + ".gateway_bandwidth: must be at least 1"]),
    ("bridge-unknown-hub", _bridge(aws_hub="seed-tgw2"),
     [B + ".aws_hub: 'seed-tgw2' is not a hub of transit_aws_hubs (seed-tgw); did you mean 'seed-tgw'?"]),
    ("bridge-unknown-vpc", _bridge(mode="vpn_gateway", alicloud_vpc="osaka-vpc"),
     [B + ".alicloud_vpc: 'osaka-vpc' is not a VPC of Alibaba hub seed-cen"]),
    ("probe-not-an-address", lambda t: t["transit_probes"].append("10.0.0.300"),
     ["transit_probes[4]: '10.0.0.300' is not an IP address"]),
    ("probe-in-no-declared-vpc", lambda t: t["transit_probes"].append({"name": "osaka-host", "ip": "172.30.0.9"}),
     ["transit_probes[4]: 172.30.0.9 is in none of the networks the topology declares",
      "correct the address, or declare the VPC it is in"]),
    ("peering-route-overlaps-its-own-vpc", _peering(["10.1.0.0/16"]),
     ["vpc_peerings[0].initiator.routes[0]: 10.1.0.0/16 overlaps this side's own VPC tokyo-vpc (10.0.0.0/8)",
      "route the other side's CIDR instead"]),
    ("peering-account-not-in-inventory", _peering(["192.168.0.0/16"], acceptor="alicloud-main"),
     ["vpc_peerings[0].acceptor.account: 'alicloud-main' is not an inventory host; did you mean 'alicloud_main'?"]),
    ("unknown-topology-key", lambda t: t.update(vpc_peering=[]),
     ["vpc_peering: unknown topology key; did you mean `vpc_peerings`?"]),
    ("host-not-in-inventory", _aws_hub(host="aws-main"),
     ["transit_aws_hubs[0].host: 'aws-main' is not an inventory host; did you mean 'aws_main'?"]),
    ("alicloud-cidr-missing", lambda t: t["transit_alicloud_hubs"][0]["vpcs"][1].pop("cidr"),
     ["transit_alicloud_hubs[0].vpcs[1].cidr: is required: the AWS side routes toward this VPC",
      "add the VPC's CIDR block"]),
    ("unknown-aws-region", _aws_hub(region="us-east-7"),
     ["transit_aws_hubs[0].region: 'us-east-7' is not an AWS region; did you mean"]),
    ("unknown-alicloud-region", _ali_vpc(0, region="ap-northeast-01"),
     ["transit_alicloud_hubs[0].vpcs[0].region: 'ap-northeast-01' is not an Alibaba Cloud region; did you mean "
      "'ap-northeast-1'?"]),
]


@pytest.fixture(scope="module")
def plan_refusals(today_seed_twin, tmp_path_factory):
    """One ansible-playbook run of every PLAN_CASES topology through the plan filter: {case id: its result}, and
    the mutating calls the twin saw during the run (none: the plan calls no cloud)."""
    tmp = tmp_path_factory.mktemp("plan-cases")
    (tmp / "plan.yml").write_text(PLAN_PLAYBOOK)
    cases = [{"id": case_id, "topology": _seed_plan(change)} for case_id, change, dummy in PLAN_CASES]
    (tmp / "cases.json").write_text(json.dumps({"cases": cases, "out": str(tmp / "out.json"),
                                                "ansible_python_interpreter": sys.executable}))
    today_seed_twin.clear_calls()
    play(today_seed_twin.env, "localhost,", "-c", "local", str(tmp / "plan.yml"), "-e", "@" + str(tmp / "cases.json"))
    return json.loads((tmp / "out.json").read_text()), today_seed_twin.mutating_calls()


@pytest.mark.slow
@pytest.mark.parametrize("case_id,expected", [pytest.param(c[0], c[2], id=c[0]) for c in PLAN_CASES])
def test_the_plan_refuses_each_bad_topology_with_the_field_and_the_fix(plan_refusals, case_id, expected):
    results, mutating = plan_refusals
    result = results[case_id]
    assert result.get("failed"), result
    assert "nothing was changed" in result["msg"]
    for text in expected:
        assert text in result["msg"], result["msg"]
    assert mutating == []
