"""World files: the networks that exist before the playbook runs, in both clouds.

A world is YAML (see ``emulator/worlds/*.yml``)::

    name: seed-tgw-cen
    aws:
      account_id: "123456789012"
      access_key_id: ...          # the twin accepts any key; these are what `env` prints
      secret_access_key: ...
      regions:
        us-east-1:
          vpcs:
            - name: vpc-a
              cidr: 172.16.0.0/16
              subnets: [{name: vpc-a-subnet, cidr: 172.16.0.0/24, az: us-east-1a}]
              hosts: [{name: host-a, ip: 172.16.0.132, subnet: vpc-a-subnet}]
    alicloud:
      accounts:
        - name: main
          uid: "1234567890123456"
          access_key_id: ...
          access_key_secret: ...
          site: international         # optional: china | international (default), the site the account
                                      # was opened on: VPN gateway billing and sizes follow it
          regions:
            ap-northeast-1:
              vpcs:
                - name: tokyo-vpc
                  cidr: 10.0.0.0/8
                  vswitches:
                    - {name: tokyo-vsw, cidr: 10.0.0.0/24, zone: ap-northeast-1a}
                    - {name: tokyo-vsw-2, cidr: 10.0.1.0/24, zone: ap-northeast-1c, today_only: true}
                  hosts: [{name: tokyo-host, ip: 10.0.0.17, vswitch: tokyo-vsw}]
          cens:                       # optional: CENs that exist before the playbook runs
            - name: legacy-cen
              edition: basic          # basic (a 2018 CEN, child attachments) | enterprise
              protection_level: REDUCED
              vpcs: [tokyo-vpc]       # VPC names of this account, attached as Basic children

Rules the loader checks: an account's ``site`` is ``china`` or ``international``; a vSwitch lies
inside its VPC's CIDR and overlaps no other vSwitch of the VPC; a host sits on a vSwitch of its VPC, inside that vSwitch, and not on a ``today_only``
one; a CEN's ``vpcs`` name VPCs of the same account, each in at most one declared CEN; only a
Basic CEN can have ``vpcs`` (Enterprise attachments need transit routers, which the world file
does not declare).

``today_only: true`` marks a vSwitch that exists only when the world runs under today's rules
(no ``legacy_rules``): the 2018 walkthroughs had one vSwitch per VPC, and the tests of the legacy
world count on that, while today's Enterprise transit routers need a vSwitch in a second zone
and dual-tunnel VPN gateways a vSwitch pair ("How transit routers work"; VPN Gateway docs).

AWS resources are created through boto3 against the twin's own AWS endpoint, so the
seed goes through exactly the code path users hit; Alibaba resources are created
directly on the model (they have no create API for hosts).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, List

import yaml

from .alicloud.models import cen as ali_cen
from .alicloud.models import cen_basic as ali_cen_basic
from .alicloud.models import vpc as ali_vpc
from .alicloud.models.base import LEGACY_RULES, SITES, Account, State

CEN_EDITIONS = {"basic": ali_cen.BASIC, "enterprise": ali_cen.ENTERPRISE}


class WorldError(ValueError):
    """A world file that does not describe a valid network."""


@dataclass
class World:
    raw: Dict[str, Any]

    @property
    def name(self) -> str:
        return self.raw.get("name", "world")

    @property
    def aws(self) -> Dict[str, Any]:
        return self.raw.get("aws") or {}

    @property
    def alicloud_accounts(self) -> List[Dict[str, Any]]:
        return (self.raw.get("alicloud") or {}).get("accounts") or []

    @property
    def legacy_rules(self) -> List[str]:
        """2018 rules this world switches back on (names of ``LEGACY_RULES``); none by default."""
        return list((self.raw.get("alicloud") or {}).get("legacy_rules") or [])

    def without_legacy_rules(self) -> "World":
        """The same networks under today's rules only."""
        raw = dict(self.raw)
        raw["alicloud"] = {k: v for k, v in (raw.get("alicloud") or {}).items() if k != "legacy_rules"}
        return World(raw)


def load_world(path: str) -> World:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    world = World(raw)
    validate(world)
    return world


def _check_host(where: str, ip: str, cidr: str) -> None:
    if ipaddress.ip_address(ip) not in ipaddress.ip_network(cidr):
        raise WorldError(f"{where}: host {ip} is not inside {cidr}")


def validate(world: World) -> None:
    unknown = [r for r in world.legacy_rules if r not in LEGACY_RULES]
    if unknown:
        raise WorldError(f"alicloud.legacy_rules: unknown {', '.join(map(str, unknown))}; "
                         f"known: {', '.join(sorted(LEGACY_RULES))}")
    for region, spec in (world.aws.get("regions") or {}).items():
        for vpc in spec.get("vpcs") or []:
            subnets = {s["name"]: s for s in vpc.get("subnets") or []}
            for s in subnets.values():
                if not ipaddress.ip_network(s["cidr"]).subnet_of(ipaddress.ip_network(vpc["cidr"])):
                    raise WorldError(f"aws {region} {vpc['name']}: subnet {s['cidr']} outside {vpc['cidr']}")
            for h in vpc.get("hosts") or []:
                if h["subnet"] not in subnets:
                    raise WorldError(f"aws {region} {vpc['name']}: host {h['name']} names unknown subnet")
                _check_host(f"aws {vpc['name']}", h["ip"], subnets[h["subnet"]]["cidr"])
    uids = set()
    for account in world.alicloud_accounts:
        for key in ("name", "uid", "access_key_id", "access_key_secret"):
            if not account.get(key):
                raise WorldError(f"alicloud account {account.get('name')!r}: {key} is required")
        if str(account.get("site", "international")) not in SITES:
            raise WorldError(f"alicloud account {account['name']!r}: site must be one of {', '.join(SITES)}")
        if account["uid"] in uids:
            raise WorldError(f"alicloud account uid {account['uid']} appears twice")
        uids.add(account["uid"])
        vpc_names = set()
        for region, spec in (account.get("regions") or {}).items():
            for vpc in spec.get("vpcs") or []:
                vpc_names.add(vpc["name"])
                vsws = _check_vswitches(f"alicloud {region} {vpc['name']}", vpc)
                for h in vpc.get("hosts") or []:
                    if h["vswitch"] not in vsws:
                        raise WorldError(f"alicloud {region} {vpc['name']}: host {h['name']} names unknown vswitch")
                    if vsws[h["vswitch"]].get("today_only"):
                        raise WorldError(f"alicloud {region} {vpc['name']}: host {h['name']} sits on today_only "
                                         f"vswitch {h['vswitch']}, which the legacy world lacks")
                    _check_host(f"alicloud {vpc['name']}", h["ip"], vsws[h["vswitch"]]["cidr"])
        _check_cens(account, vpc_names)


def _check_vswitches(where: str, vpc: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    vsws: Dict[str, Dict[str, Any]] = {}
    for vsw in vpc.get("vswitches") or []:
        net = ipaddress.ip_network(vsw["cidr"])
        if not net.subnet_of(ipaddress.ip_network(vpc["cidr"])):
            raise WorldError(f"{where}: vswitch {vsw['name']} {net} is outside {vpc['cidr']}")
        for other in vsws.values():
            if net.overlaps(ipaddress.ip_network(other["cidr"])):
                raise WorldError(f"{where}: vswitch {vsw['name']} {net} overlaps {other['name']} {other['cidr']}")
        if not isinstance(vsw.get("today_only", False), bool):
            raise WorldError(f"{where}: vswitch {vsw['name']}: today_only must be true or false")
        vsws[vsw["name"]] = vsw
    return vsws


def _check_cens(account: Dict[str, Any], vpc_names: set) -> None:
    where = f"alicloud account {account['name']!r}"
    used: Dict[str, str] = {}
    for cen in account.get("cens") or []:
        if not cen.get("name"):
            raise WorldError(f"{where}: every cen needs a name")
        edition = str(cen.get("edition", "")).lower()
        if edition not in CEN_EDITIONS:
            raise WorldError(f"{where}: cen {cen['name']}: edition must be one of {', '.join(CEN_EDITIONS)}")
        if str(cen.get("protection_level", "REDUCED")) not in ali_cen.PROTECTION_LEVELS:
            raise WorldError(f"{where}: cen {cen['name']}: protection_level must be one of "
                             f"{', '.join(ali_cen.PROTECTION_LEVELS)}")
        if cen.get("vpcs") and edition != "basic":
            raise WorldError(f"{where}: cen {cen['name']}: only a basic cen lists vpcs (Enterprise attachments "
                             "need transit routers, which a world file does not declare)")
        for name in cen.get("vpcs") or []:
            if name not in vpc_names:
                raise WorldError(f"{where}: cen {cen['name']} names unknown vpc {name}")
            if name in used:
                raise WorldError(f"{where}: vpc {name} is in cen {used[name]} and cen {cen['name']}")
            used[name] = cen["name"]


def seed_alicloud(world: World, state: State) -> None:
    state.legacy_rules = set(world.legacy_rules)
    today = not state.legacy_rules
    for account in world.alicloud_accounts:
        uid = str(account["uid"])
        state.add_account(Account(account["name"], uid, account["access_key_id"], account["access_key_secret"],
                                  site=str(account.get("site", "international"))))
        vpcs = {}
        for region, spec in (account.get("regions") or {}).items():
            for vpc_spec in spec.get("vpcs") or []:
                vpc = ali_vpc.create_vpc(state, uid, region, vpc_spec["cidr"], vpc_spec["name"],
                                         vpc_spec.get("description", ""), tags=vpc_spec.get("tags"))
                vpcs[vpc_spec["name"]] = vpc
                vsws = {}
                for vsw in vpc_spec.get("vswitches") or []:
                    if vsw.get("today_only") and not today:
                        continue
                    vsws[vsw["name"]] = ali_vpc.create_vswitch(state, vpc, vsw["cidr"], vsw["zone"], vsw["name"])
                for host in vpc_spec.get("hosts") or []:
                    ali_vpc.create_instance(state, vsws[host["vswitch"]], host["ip"], host["name"])
        for cen_spec in account.get("cens") or []:
            cen = ali_cen.new_cen(state, uid, cen_spec["name"], cen_spec.get("description", ""),
                                  str(cen_spec.get("protection_level", "REDUCED")),
                                  edition=CEN_EDITIONS[str(cen_spec["edition"]).lower()], status="Active")
            for name in cen_spec.get("vpcs") or []:
                ali_cen_basic.attach_child(state, cen, vpcs[name])


def _tags(name: str) -> List[Dict[str, Any]]:
    return [{"Key": "Name", "Value": name}]


def seed_aws(world: World, endpoint_url: str) -> None:
    """Create the world's AWS networks through boto3 against the twin."""
    import boto3  # imported here: the twin's Alibaba side must not pay for it

    aws = world.aws
    for region, spec in (aws.get("regions") or {}).items():
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint_url,
                           aws_access_key_id=aws.get("access_key_id", "testing"),
                           aws_secret_access_key=aws.get("secret_access_key", "testing"))
        image_id = None
        for vpc_spec in spec.get("vpcs") or []:
            vpc_id = ec2.create_vpc(CidrBlock=vpc_spec["cidr"], TagSpecifications=[
                {"ResourceType": "vpc", "Tags": _tags(vpc_spec["name"])}])["Vpc"]["VpcId"]
            table_id = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=[
                {"ResourceType": "route-table", "Tags": _tags(vpc_spec["name"] + "-rtb")}])["RouteTable"]["RouteTableId"]
            subnets = {}
            for sub in vpc_spec.get("subnets") or []:
                subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=sub["cidr"], AvailabilityZone=sub["az"],
                                              TagSpecifications=[{"ResourceType": "subnet",
                                                                  "Tags": _tags(sub["name"])}])["Subnet"]["SubnetId"]
                ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)
                subnets[sub["name"]] = subnet_id
            for host in vpc_spec.get("hosts") or []:
                if image_id is None:
                    # The twin skips moto's default AMI catalogue (slow to load); register one.
                    images = ec2.describe_images(Owners=["self"], Filters=[
                        {"Name": "name", "Values": ["cloudtwin-test-host"]}])["Images"]
                    image_id = images[0]["ImageId"] if images else ec2.register_image(
                        Name="cloudtwin-test-host", RootDeviceName="/dev/xvda")["ImageId"]
                ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                  SubnetId=subnets[host["subnet"]], PrivateIpAddress=host["ip"],
                                  TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(host["name"])}])
