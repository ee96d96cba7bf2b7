#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpc_info
short_description: List Alibaba Cloud VPCs of one or several regions with their vSwitches and route tables
version_added: 0.1.0
description:
  - Reads the VPCs of one region (O(alicloud_region)) or of several (O(regions)) in one call, each with its
    vSwitches (zone, CIDR, free addresses, what a transit router attachment's zone mappings need), its route
    table IDs and, with O(include_routes=true), every entry of those tables (custom, system and learned from
    CEN or a transit router), paged to the end.
  - O(vpc_ids) and O(names) are looked up in every region read; a VPC is found in the region it lives in.
  - Roles use it to turn VPC names into IDs and to find the route tables a route belongs in.
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
  regions:
    description:
      - Regions to read, in this order; empty means O(alicloud_region) alone.
    type: list
    elements: str
    default: []
  include_routes:
    description: Also read every route entry of each VPC's route tables.
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

- name: Every VPC of a hub in two regions, by name, in one call
  multicloud.transit.alicloud_vpc_info:
    regions: [ap-northeast-1, cn-beijing]
    names: [tokyo-vpc, beijing-vpc]
  register: hub_vpcs

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
  description: The VPCs found, region by region in the order of O(regions), in snake_case.
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
      description: Its region.
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
    route_table_ids:
      description: Every route table of the VPC that is known from the VPC and its vSwitches (system first).
      type: list
      elements: str
      sample: [vtb-6wehrmv6uihhwszrk8nm3]
    vswitches:
      description: The VPC's vSwitches, each with its zone and the route table it uses.
      type: list
      elements: dict
      sample: [{"vswitch_id": "vsw-6we...", "zone_id": "ap-northeast-1a", "cidr_block": "10.0.0.0/24",
                "name": "tokyo-vsw-1", "available_ip_address_count": 252, "route_table_id": "vtb-6we...",
                "status": "Available"}]
    route_entries:
      description:
        - Route entries of every table in RV(vpcs[].route_table_ids), when O(include_routes=true); each names
          its C(route_table_id).
      type: list
      elements: dict
      sample: [{"route_table_id": "vtb-6we...", "destination_cidr_block": "172.16.0.0/12", "type": "Custom",
                "next_hops": {"next_hop": [{"next_hop_type": "VpnGateway", "next_hop_id": "vpn-..."}]}}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict


def vswitch_view(vsw):
    return {
        "vswitch_id": vsw.get("VSwitchId"),
        "zone_id": vsw.get("ZoneId"),
        "cidr_block": vsw.get("CidrBlock"),
        "name": vsw.get("VSwitchName") or "",
        "available_ip_address_count": vsw.get("AvailableIpAddressCount"),
        "route_table_id": (vsw.get("RouteTable") or {}).get("RouteTableId"),
        "status": vsw.get("Status"),
    }


def route_entries(mod, table_id, region):
    # NextToken paging, MaxResult at most 100 (DescribeRouteEntryList API reference).
    return mod.paginate_token("vpc", "DescribeRouteEntryList", {"RouteTableId": table_id}, "RouteEntrys.RouteEntry",
                              size_param="MaxResult", page_size=100, region=region)


def describe(mod, region, vpc_ids, names, include_routes, filters=None):
    params = mod.filter_params("vpc", "DescribeVpcs", filters, {"VpcId": ",".join(vpc_ids)} if vpc_ids else {})
    out = []
    for vpc in mod.paginate("vpc", "DescribeVpcs", params, "Vpcs.Vpc", region=region):
        if names and vpc.get("VpcName") not in names:
            continue
        found = mod.paginate("vpc", "DescribeVSwitches", {"VpcId": vpc["VpcId"]}, "VSwitches.VSwitch", region=region)
        vswitches = [vswitch_view(v) for v in found]
        system = ((vpc.get("RouterTableIds") or {}).get("RouterTableIds")) or []
        tables = []
        for table_id in system + [v["route_table_id"] for v in vswitches]:
            if table_id and table_id not in tables:
                tables.append(table_id)
        item = snake_dict(vpc)
        item.update(region_id=vpc.get("RegionId") or region, vswitches=vswitches,
                    route_table_id=system[0] if system else None, route_table_ids=tables)
        if include_routes:
            item["route_entries"] = [snake_dict(e) for table_id in tables for e in route_entries(mod, table_id, region)]
        out.append(item)
    return out


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            vpc_ids=dict(type="list", elements="str", default=[]),
            names=dict(type="list", elements="str", default=[]),
            regions=dict(type="list", elements="str", default=[]),
            include_routes=dict(type="bool", default=False),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    regions = p["regions"] or [mod.region]
    mod.region = mod.region or regions[0]  # the default client (filters are checked against its SDK models)
    vpcs = []
    for region in regions:
        vpcs.extend(describe(mod, region, p["vpc_ids"], p["names"], p["include_routes"], p["filters"]))
    mod.exit(changed=False, vpcs=vpcs)


if __name__ == "__main__":
    main()
