#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpc_peer_connection_info
short_description: List an Alibaba Cloud account's VPC peering connections
version_added: 0.1.0
description:
  - Lists the VPC peering connections (VpcPeer 2022-01-01) the caller's account sees in each of
    O(regions) - those it requested from a VPC of that region and those it is asked to accept into
    one - read to the last page (ListVpcPeerConnections, NextToken / MaxResults).
  - A connection seen in two of the regions (an inter-region connection within one account) is
    listed once.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  regions:
    description: Regions to read. Defaults to O(alicloud_region).
    type: list
    elements: str
    default: []
  vpc_peer_connection_ids:
    description: Only these connections (C(pcc-...)).
    type: list
    elements: str
    default: []
  name:
    description: Only connections with this name.
    type: str
  vpc_ids:
    description: Only connections whose requester or accepter VPC is one of these.
    type: list
    elements: str
    default: []
  status:
    description: Only connections in these statuses (for example V(Accepting) for requests waiting for an answer).
    type: list
    elements: str
    choices: [Creating, Accepting, Updating, Rejected, Expired, Activated, Deleting]
    default: []
  tags:
    description: Only connections that carry all these tags.
    type: dict
    default: {}
attributes:
  check_mode:
    description: Reads only.
    support: full
  diff_mode:
    description: Reads only; there is nothing to diff.
    support: N/A
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Requests waiting for account B in Silicon Valley
  multicloud.transit.alicloud_vpc_peer_connection_info:
    alicloud_region: us-west-1
    status: [Accepting]
  register: pending

- name: Every connection of two VPCs, in both their regions
  multicloud.transit.alicloud_vpc_peer_connection_info:
    regions: [ap-northeast-1, us-west-1]
    vpc_ids: [vpc-6weq3zbjvyvwd1w2bhxqa, vpc-rj9gt5nll27onu7ji2c2d]
"""

RETURN = r"""
vpc_peer_connections:
  description:
    - The connections found, each with the keys of C(vpc_peer_connection) returned by
      M(multicloud.transit.alicloud_vpc_peer_connection) (the API's fields in snake_case, both VPCs
      with their CIDR blocks, tags as a dict).
  returned: always
  type: list
  elements: dict
  contains:
    vpc_peer_connection_id:
      description: ID.
      type: str
      sample: pcc-90thmcpbm4ql3ui9v4y7a
    status:
      description: Creating, Accepting, Updating, Rejected, Expired, Activated or Deleting.
      type: str
      sample: Accepting
    vpc_id:
      description: The requester VPC (its account is C(owner_id), its region C(region_id)).
      type: str
      sample: vpc-6weq3zbjvyvwd1w2bhxqa
    accepting_vpc_id:
      description: The accepter VPC (C(accepting_owner_uid), C(accepting_region_id)).
      type: str
      sample: vpc-rj9gt5nll27onu7ji2c2d
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, tags_param
from ansible_collections.multicloud.transit.plugins.module_utils.vpc_peer import connection_facts, list_connections

STATUSES = ["Creating", "Accepting", "Updating", "Rejected", "Expired", "Activated", "Deleting"]


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            regions=dict(type="list", elements="str", default=[]),
            vpc_peer_connection_ids=dict(type="list", elements="str", default=[]),
            name=dict(type="str"),
            vpc_ids=dict(type="list", elements="str", default=[]),
            status=dict(type="list", elements="str", choices=STATUSES, default=[]),
            tags=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    ids = p["vpc_peer_connection_ids"]
    found = {}
    for region in p["regions"] or [mod.region]:
        # One id goes to the API's InstanceId filter; several are filtered here.
        for conn in list_connections(mod, region=region, VpcId=p["vpc_ids"], Name=p["name"],
                                     InstanceId=ids[0] if len(ids) == 1 else None, Tags=tags_param(p["tags"])):
            if (not ids or conn["InstanceId"] in ids) and (not p["status"] or conn["Status"] in p["status"]):
                found.setdefault(conn["InstanceId"], conn)
    mod.exit(changed=False, vpc_peer_connections=[connection_facts(c) for c in found.values()])


if __name__ == "__main__":
    main()
