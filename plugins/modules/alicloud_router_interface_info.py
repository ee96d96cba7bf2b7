#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_router_interface_info
short_description: List the caller's Alibaba Cloud router interfaces (Express Connect VPC peering)
version_added: 0.1.0
description:
  - Reads the router interfaces of one region that belong to the account of the credentials.
    Another account's interface is never listed; its status shows in the caller's own interface
    as C(opposite_interface_status) once both sides name each other.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  router_interface_ids:
    description: Only these interfaces.
    type: list
    elements: str
    default: []
  names:
    description: Only interfaces whose name is one of these.
    type: list
    elements: str
    default: []
  router_id:
    description: Only interfaces on this vRouter.
    type: str
  vpc_id:
    description: Only interfaces on this VPC's vRouter.
    type: str
  status:
    description: Only interfaces in these statuses (for example C(Active)).
    type: list
    elements: str
    default: []
  filters:
    description:
      - Extra parameters of the DescribeRouterInterfaces call, by their API names (PascalCase); see EXAMPLES.
      - A name that is not a DescribeRouterInterfaces parameter becomes an entry of its C(Filter) list
        (C(Key) and C(Value)).
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
- name: The peering interface of the Tokyo VPC
  multicloud.transit.alicloud_router_interface_info:
    alicloud_region: ap-northeast-1
    names: [tokyo-svalley-initiator]
  register: peering

- name: Every Active interface of a VPC
  multicloud.transit.alicloud_router_interface_info:
    alicloud_region: us-west-1
    vpc_id: vpc-rj9gt5nll27onu7ji2c2d
    status: [Active]

- name: Only interfaces facing one vRouter (a DescribeRouterInterfaces Filter key)
  multicloud.transit.alicloud_router_interface_info:
    alicloud_region: ap-northeast-1
    filters:
      OppositeRouterId: vrt-6we1x2jc7z1nsjzsmbdy4
"""

RETURN = r"""
router_interfaces:
  description: The interfaces found, in snake_case as the API returns them.
  returned: always
  type: list
  elements: dict
  contains:
    router_interface_id:
      description: ID.
      type: str
      sample: ri-6we8tgj9w4m3e6x3sq6ib
    name:
      description: Name.
      type: str
      sample: tokyo-svalley-initiator
    status:
      description: Status.
      type: str
      sample: Active
    role:
      description: InitiatingSide or AcceptingSide.
      type: str
      sample: InitiatingSide
    router_id:
      description: The local vRouter.
      type: str
      sample: vrt-6we1x2jc7z1nsjzsmbdy4
    vpc_instance_id:
      description: The local VPC.
      type: str
      sample: vpc-6weq3zbjvyvwd1w2bhxqa
    opposite_interface_id:
      description: The other side's interface.
      type: str
      sample: ri-rj9ebjc0nqxmr8i2vqrdk
    opposite_interface_status:
      description: The other side's status, once both sides name each other.
      type: str
      sample: Active
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            router_interface_ids=dict(type="list", elements="str", default=[]),
            names=dict(type="list", elements="str", default=[]),
            router_id=dict(type="str"),
            vpc_id=dict(type="str"),
            status=dict(type="list", elements="str", default=[]),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    router_id = p["router_id"]
    if p["vpc_id"]:
        vpcs = mod.paginate("vpc", "DescribeVpcs", {"VpcId": p["vpc_id"]}, "Vpcs.Vpc")
        if not vpcs:
            mod.fail("vpc_id %s was not found in region %s of this account." % (p["vpc_id"], mod.region))
        if router_id and router_id != vpcs[0]["VRouterId"]:
            mod.exit(changed=False, router_interfaces=[])
        router_id = vpcs[0]["VRouterId"]
    filters = [{"Key": "RouterInterfaceId", "Value": p["router_interface_ids"]},
               {"Key": "Name", "Value": p["names"]},
               {"Key": "RouterId", "Value": [router_id] if router_id else []},
               {"Key": "Status", "Value": p["status"]}]
    params = mod.filter_params("vpc", "DescribeRouterInterfaces", p["filters"],
                               {"Filter": [f for f in filters if f["Value"]]})
    items = mod.paginate("vpc", "DescribeRouterInterfaces", params, "RouterInterfaceSet.RouterInterfaceType")
    mod.exit(changed=False, router_interfaces=[snake_dict(i) for i in items])


if __name__ == "__main__":
    main()
