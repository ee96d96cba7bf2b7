#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_cen_info
short_description: List Alibaba Cloud CEN instances with their attachments and routes
version_added: 0.1.0
description:
  - Reads the CEN instances of the account, each with its attached children and inter-region
    bandwidth limits; optionally the route entries each child publishes and the routes CEN
    holds per region (what the attached VPCs learn).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  cen_ids:
    description: Only these CEN instances.
    type: list
    elements: str
    default: []
  names:
    description: Only CEN instances whose name is one of these.
    type: list
    elements: str
    default: []
  include_published_routes:
    description: For each attached VPC, read its route entries and their C(publish_status).
    type: bool
    default: false
  include_learned_routes:
    description:
      - For each region with an attached child, read the CEN's route entries of that region
        (DescribeCenRegionDomainRouteEntries).
    type: bool
    default: false
  filters:
    description:
      - Extra parameters of the DescribeCens call, by their API names (PascalCase); see EXAMPLES.
      - A name that is not a DescribeCens parameter becomes an entry of its C(Filter) list
        (C(Key) and C(Value)).
      - An unknown name fails, naming it. Combined with the other options (all must match).
    type: dict
    default: {}
notes:
  - CEN is a global service; I(alicloud_region) only picks the API endpoint.
attributes:
  diff_mode:
    description: Reads only; there is nothing to diff.
    support: N/A
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Show the transit CEN with what every region learns
  multicloud.transit.alicloud_cen_info:
    alicloud_region: ap-northeast-1
    names: [transit-cen]
    include_published_routes: true
    include_learned_routes: true
  register: cen_info

- name: Only active CEN instances of one resource group (DescribeCens parameter and Filter key)
  multicloud.transit.alicloud_cen_info:
    alicloud_region: ap-northeast-1
    filters:
      ResourceGroupId: rg-acfmxazb4ph6aiy
      Status: Active
"""

RETURN = r"""
cens:
  description: The CEN instances found.
  returned: always
  type: list
  elements: dict
  contains:
    cen_id:
      description: CEN ID.
      type: str
      sample: cen-7qthudw0ll6jmc1234
    name:
      description: Name.
      type: str
      sample: transit-cen
    status:
      description: Creating, Active or Deleting.
      type: str
      sample: Active
    protection_level:
      description: REDUCED or FULL.
      type: str
      sample: REDUCED
    tags:
      description: Tags.
      type: dict
      sample: {"env": "demo"}
    bandwidth_package_ids:
      description: Associated bandwidth packages.
      type: list
      elements: str
      sample: ["cenbwp-4c2zaavbvh5f42abc"]
    attachments:
      description: Attached children; with I(include_published_routes) each has C(published_routes).
      type: list
      elements: dict
      sample: [{"instance_id": "vpc-6we...", "region_id": "ap-northeast-1", "status": "Attached",
                "published_routes": [{"destination_cidr_block": "172.16.0.0/12", "publish_status": "Published",
                                      "route_type": "Custom", "next_hop_type": "VpnGateway"}]}]
    inter_region_bandwidth_limits:
      description: Configured region-pair limits (Mbit/s). Pairs not listed have the 1 Kbps test bandwidth.
      type: list
      elements: dict
      sample: [{"local_region_id": "ap-northeast-1", "opposite_region_id": "cn-beijing", "bandwidth_limit": 10}]
    region_route_entries:
      description: With I(include_learned_routes), region -> the CEN route entries of that region.
      type: dict
      sample: {"cn-beijing": [{"destination_cidr_block": "10.0.0.0/24", "type": "CEN",
                               "next_hop_instance_id": "vpc-6we...", "next_hop_region_id": "ap-northeast-1"}]}
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, dig
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict, tags_to_dict


def describe(mod, p):
    filters = []
    if p["cen_ids"]:
        filters.append({"Key": "CenId", "Value": p["cen_ids"]})
    if p["names"]:
        filters.append({"Key": "Name", "Value": p["names"]})
    params = mod.filter_params("cbn", "DescribeCens", p["filters"], {"Filter": filters} if filters else {})
    out = []
    for cen in mod.paginate("cbn", "DescribeCens", params, "Cens.Cen"):
        cen_id = cen["CenId"]
        children = mod.paginate("cbn", "DescribeCenAttachedChildInstances", {"CenId": cen_id},
                                "ChildInstances.ChildInstance")
        attachments = []
        for child in children:
            item = {"instance_id": child["ChildInstanceId"], "region_id": child["ChildInstanceRegionId"],
                    "instance_type": child.get("ChildInstanceType"), "status": child.get("Status"),
                    "owner_id": str(child.get("ChildInstanceOwnerId") or ""),
                    "attach_time": child.get("ChildInstanceAttachTime")}
            if p["include_published_routes"] and child.get("Status") == "Attached":
                routes = mod.paginate("cbn", "DescribePublishedRouteEntries", {
                    "CenId": cen_id, "ChildInstanceId": child["ChildInstanceId"],
                    "ChildInstanceType": child.get("ChildInstanceType") or "VPC",
                    "ChildInstanceRegionId": child["ChildInstanceRegionId"]},
                    "PublishedRouteEntries.PublishedRouteEntry")
                item["published_routes"] = snake_dict(routes)
            attachments.append(item)
        limits = mod.paginate("cbn", "DescribeCenInterRegionBandwidthLimits", {"CenId": cen_id},
                              "CenInterRegionBandwidthLimits.CenInterRegionBandwidthLimit")
        item = {"cen_id": cen_id, "name": cen.get("Name"), "description": cen.get("Description"),
                "status": cen.get("Status"), "protection_level": cen.get("ProtectionLevel"),
                "creation_time": cen.get("CreationTime"), "tags": tags_to_dict(dig(cen, "Tags.Tag")),
                "bandwidth_package_ids": dig(cen, "CenBandwidthPackageIds.CenBandwidthPackageId") or [],
                "attachments": attachments, "inter_region_bandwidth_limits": snake_dict(limits)}
        if p["include_learned_routes"]:
            regions = sorted(set(a["region_id"] for a in attachments))
            item["region_route_entries"] = dict(
                (region, snake_dict(mod.paginate("cbn", "DescribeCenRegionDomainRouteEntries",
                                                 {"CenId": cen_id, "CenRegionId": region},
                                                 "CenRouteEntries.CenRouteEntry")))
                for region in regions)
        out.append(item)
    return out


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            cen_ids=dict(type="list", elements="str", default=[]),
            names=dict(type="list", elements="str", default=[]),
            include_published_routes=dict(type="bool", default=False),
            include_learned_routes=dict(type="bool", default=False),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    mod.exit(changed=False, cens=describe(mod, mod.params))


if __name__ == "__main__":
    main()
