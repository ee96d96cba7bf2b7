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
          regions:
            ap-northeast-1:
              vpcs:
                - name: tokyo-vpc
                  cidr: 10.0.0.0/8
                  vswitches: [{name: tokyo-vsw, cidr: 10.0.0.0/24, zone: ap-northeast-1a}]
                  hosts: [{name: tokyo-host, ip: 10.0.0.17, vswitch: tokyo-vsw}]

AWS resources are created through boto3 against the twin's own AWS endpoint, so the
seed goes through exactly the code path users hit; Alibaba resources are created
directly on the model (they have no create API for hosts).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Dict, List

import yaml

from .alicloud.models import vpc as ali_vpc
from .alicloud.models.base import LEGACY_RULES, Account, State


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
        if account["uid"] in uids:
            raise WorldError(f"alicloud account uid {account['uid']} appears twice")
        uids.add(account["uid"])
        for region, spec in (account.get("regions") or {}).items():
            for vpc in spec.get("vpcs") or []:
                vsws = {s["name"]: s for s in vpc.get("vswitches") or []}
                for h in vpc.get("hosts") or []:
                    if h["vswitch"] not in vsws:
                        raise WorldError(f"alicloud {region} {vpc['name']}: host {h['name']} names unknown vswitch")
                    _check_host(f"alicloud {vpc['name']}", h["ip"], vsws[h["vswitch"]]["cidr"])


def seed_alicloud(world: World, state: State) -> None:
    state.legacy_rules = set(world.legacy_rules)
    for account in world.alicloud_accounts:
        uid = str(account["uid"])
        state.add_account(Account(account["name"], uid, account["access_key_id"], account["access_key_secret"]))
        for region, spec in (account.get("regions") or {}).items():
            for vpc_spec in spec.get("vpcs") or []:
                vpc = ali_vpc.create_vpc(state, uid, region, vpc_spec["cidr"], vpc_spec["name"],
                                         vpc_spec.get("description", ""), tags=vpc_spec.get("tags"))
                vsws = {}
                for vsw in vpc_spec.get("vswitches") or []:
                    vsws[vsw["name"]] = ali_vpc.create_vswitch(state, vpc, vsw["cidr"], vsw["zone"], vsw["name"])
                for host in vpc_spec.get("hosts") or []:
                    ali_vpc.create_instance(state, vsws[host["vswitch"]], host["ip"], host["name"])


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
