#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_vpc_info
short_description: List AWS VPCs with their subnets and subnet route tables
version_added: 0.1.0
description:
  - Reads VPCs (by ID or Name tag), each with its subnets and the route table each subnet
    actually uses (its explicit association, else the VPC's main table), with routes.
  - Roles use it to turn VPC names into IDs and to find every subnet route table that
    needs routes toward a Transit Gateway.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  vpc_ids:
    description: Only these VPCs.
    type: list
    elements: str
    default: []
  names:
    description: Only VPCs whose C(Name) tag is one of these.
    type: list
    elements: str
    default: []
  filters:
    description:
      - Extra API filters for DescribeVpcs, the amazon.aws way. A dict of filter name to a value or a list of
        values, for example C(tag:Env) or C(state); see EXAMPLES and the AWS API reference of DescribeVpcs.
      - Combined with the other options (all must match).
    type: dict
    default: {}
attributes:
  diff_mode:
    description: Reads only; there is nothing to diff.
    support: N/A
extends_documentation_fragment:
  - multicloud.transit.aws
"""

EXAMPLES = r"""
- name: Find both walkthrough VPCs by Name tag
  multicloud.transit.aws_vpc_info:
    region: us-east-1
    names: [vpc-a, vpc-b]
  register: aws_vpcs

- name: Only the VPCs of one environment (amazon.aws-style API filters)
  multicloud.transit.aws_vpc_info:
    region: us-east-1
    filters:
      "tag:Env": prod
      cidr-block: 172.16.0.0/16
  register: prod_vpcs

- name: Print each VPC's subnet route tables
  ansible.builtin.debug:
    msg: "{{ item.vpc_id }}: {{ item.route_table_ids }}"
  loop: "{{ aws_vpcs.vpcs }}"
"""

RETURN = r"""
vpcs:
  description: The VPCs found.
  returned: always
  type: list
  elements: dict
  contains:
    vpc_id:
      description: VPC ID.
      type: str
      sample: vpc-0a1b2c3d
    name:
      description: Value of the C(Name) tag.
      type: str
      sample: vpc-a
    cidr_block:
      description: Primary CIDR block.
      type: str
      sample: 172.16.0.0/16
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Name": "vpc-a"}
    subnets:
      description: Subnets with the route table each one uses.
      type: list
      elements: dict
      sample: [{"subnet_id": "subnet-1", "cidr_block": "172.16.0.0/24",
                "availability_zone": "us-east-1a", "route_table_id": "rtb-1"}]
    route_table_ids:
      description: The distinct route tables the VPC's subnets use.
      type: list
      elements: str
      sample: [rtb-1]
    route_tables:
      description: Those route tables with their routes.
      type: list
      elements: dict
      sample: [{"route_table_id": "rtb-1", "routes": [{"destination_cidr_block": "10.0.0.0/8",
                                                        "transit_gateway_id": "tgw-1"}]}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.aws import AwsModule, filter_list, subnet_tables
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict, tags_to_dict


def describe(mod, vpc_ids, names, extra_filters=None):
    filters = filter_list(extra_filters, [{"Name": "tag:Name", "Values": names}] if names else [])
    kwargs = {"Filters": filters}
    if vpc_ids:
        kwargs["VpcIds"] = vpc_ids
    out = []
    for vpc in mod.paginate("describe_vpcs", "Vpcs", **kwargs):
        vpc_filter = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
        subnets = mod.paginate("describe_subnets", "Subnets", Filters=vpc_filter)
        tables = mod.paginate("describe_route_tables", "RouteTables", Filters=vpc_filter)
        used = subnet_tables(tables, [s["SubnetId"] for s in subnets])
        tags = tags_to_dict(vpc.get("Tags"))
        out.append({
            "vpc_id": vpc["VpcId"],
            "name": tags.get("Name"),
            "cidr_block": vpc["CidrBlock"],
            "tags": tags,
            "subnets": [dict(subnet_id=s["SubnetId"], cidr_block=s["CidrBlock"],
                             availability_zone=s["AvailabilityZone"], route_table_id=used[s["SubnetId"]],
                             name=tags_to_dict(s.get("Tags")).get("Name")) for s in subnets],
            "route_table_ids": sorted(set(t for t in used.values() if t)),
            "route_tables": [snake_dict({"RouteTableId": t["RouteTableId"], "Routes": t.get("Routes", []),
                                         "Tags": tags_to_dict(t.get("Tags"))})
                             for t in tables if t["RouteTableId"] in used.values()],
        })
    return out


def main():
    mod = AwsModule(
        argument_spec=dict(
            vpc_ids=dict(type="list", elements="str", default=[]),
            names=dict(type="list", elements="str", default=[]),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    mod.exit(changed=False, vpcs=describe(mod, p["vpc_ids"], p["names"], p["filters"]))


if __name__ == "__main__":
    main()
