#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpc_info
short_description: List Alibaba Cloud VPCs with their vSwitches and route tables
version_added: 0.1.0
description:
  - Reads the VPCs of one region, each with its vSwitches and its system route table and
    route entries (custom, system and routes learned from CEN).
  - Roles use it to turn VPC names into IDs and to find the route table a route belongs in.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  vpc_ids:
    description: Only these VPCs.
    type: list
    elements: str
    default: []
  names:
    description: Only VPCs whose name is one of these.
    type: list
    elements: str
    default: []
  include_routes:
    description: Also read every route entry of each VPC's system route table.
    type: bool
    default: false
  filters:
    description:
      - Extra parameters of the DescribeVpcs call, by their API names (PascalCase); see EXAMPLES.
      - An unknown name fails, naming it. Combined with the other options (all must match).
    type: dict
    default: {}
attributes:
  diff_mode:
    description: Reads only; there is nothing to diff.
    support: N/A
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Find the Tokyo VPC by name
  multicloud.transit.alicloud_vpc_info:
    alicloud_region: ap-northeast-1
    names: [tokyo-vpc]
  register: tokyo

- name: Show its route table with learned CEN routes
  multicloud.transit.alicloud_vpc_info:
    alicloud_region: ap-northeast-1
    vpc_ids: ["{{ tokyo.vpcs[0].vpc_id }}"]
    include_routes: true

- name: Only the non-default VPCs of one resource group (DescribeVpcs parameters)
  multicloud.transit.alicloud_vpc_info:
    alicloud_region: ap-northeast-1
    filters:
      IsDefault: false
      ResourceGroupId: rg-acfmxazb4ph6aiy
"""

RETURN = r"""
vpcs:
  description: The VPCs found, in snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    vpc_id:
      description: VPC ID.
      type: str
      sample: vpc-6weq3zbjvyvwd1w2bhxqa
    vpc_name:
      description: VPC name.
      type: str
      sample: tokyo-vpc
    cidr_block:
      description: The VPC's CIDR block.
      type: str
      sample: 10.0.0.0/8
    region_id:
      description: Region.
      type: str
      sample: ap-northeast-1
    v_router_id:
      description: The VPC's vRouter.
      type: str
      sample: vrt-6we1x2jc7z1nsjzsmbdy4
    route_table_id:
      description: The VPC's system route table.
      type: str
      sample: vtb-6wehrmv6uihhwszrk8nm3
    vswitches:
      description: The VPC's vSwitches.
      type: list
      elements: dict
      sample: [{"v_switch_id": "vsw-6we...", "cidr_block": "10.0.0.0/24", "zone_id": "ap-northeast-1a"}]
    route_entries:
      description: Route entries of the system route table, when I(include_routes=true).
      type: list
      elements: dict
      sample: [{"destination_cidr_block": "172.16.0.0/12", "type": "Custom",
                "next_hops": {"next_hop": [{"next_hop_type": "VpnGateway", "next_hop_id": "vpn-..."}]}}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict


def describe(mod, vpc_ids, names, include_routes, filters=None):
    params = mod.filter_params("vpc", "DescribeVpcs", filters, {"VpcId": ",".join(vpc_ids)} if vpc_ids else {})
    vpcs = mod.paginate("vpc", "DescribeVpcs", params, "Vpcs.Vpc")
    out = []
    for vpc in vpcs:
        if names and vpc.get("VpcName") not in names:
            continue
        vswitches = mod.paginate("vpc", "DescribeVSwitches", {"VpcId": vpc["VpcId"]}, "VSwitches.VSwitch")
        table_ids = (vpc.get("RouterTableIds") or {}).get("RouterTableIds") or []
        item = dict(vpc, VSwitches=vswitches, RouteTableId=table_ids[0] if table_ids else None)
        if include_routes and item["RouteTableId"]:
            # NextToken paging, MaxResult at most 100 (DescribeRouteEntryList API reference).
            item["RouteEntries"] = mod.paginate_token("vpc", "DescribeRouteEntryList",
                                                      {"RouteTableId": item["RouteTableId"]}, "RouteEntrys.RouteEntry",
                                                      size_param="MaxResult", page_size=100)
        out.append(snake_dict(item))
    return out


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            vpc_ids=dict(type="list", elements="str", default=[]),
            names=dict(type="list", elements="str", default=[]),
            include_routes=dict(type="bool", default=False),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    mod.exit(changed=False, vpcs=describe(mod, p["vpc_ids"], p["names"], p["include_routes"], p["filters"]))


if __name__ == "__main__":
    main()
