#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_tgw_info
short_description: Read Transit Gateways with their attachments and route tables
version_added: 0.1.0
description:
  - Reads Transit Gateways (by ID or C(Name) tag, or all of them), each with its attachments of every
    type (resource, state, association) and its route tables with associations, propagations and
    routes (static and propagated, from C(SearchTransitGatewayRoutes)).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  transit_gateway_ids:
    description: Only these Transit Gateways.
    type: list
    elements: str
    default: []
  names:
    description: Only Transit Gateways whose C(Name) tag is one of these.
    type: list
    elements: str
    default: []
  include_deleted:
    description: Also list deleted Transit Gateways and attachments.
    type: bool
    default: false
  filters:
    description:
      - Extra API filters for DescribeTransitGateways, the amazon.aws way. A dict of filter name to a value or a list of
        values, for example C(tag:Env) or C(state); see EXAMPLES and the AWS API reference of DescribeTransitGateways.
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
- name: Everything about the hub
  multicloud.transit.aws_tgw_info:
    names: [hub-tgw]
  register: hub

- name: Routes of its default table
  ansible.builtin.debug:
    msg: "{{ hub.transit_gateways[0].route_tables | selectattr('default_association_route_table') | map(attribute='routes') }}"

- name: Only available Transit Gateways of one environment (amazon.aws-style API filters)
  multicloud.transit.aws_tgw_info:
    region: us-east-1
    filters:
      state: available
      "tag:Env": [prod, staging]
"""

RETURN = r"""
transit_gateways:
  description: The Transit Gateways found.
  returned: always
  type: list
  elements: dict
  contains:
    transit_gateway_id:
      description: ID.
      type: str
      sample: tgw-0a1b2c3d4e5f60718
    name:
      description: C(Name) tag.
      type: str
      sample: hub-tgw
    state:
      description: State.
      type: str
      sample: available
    options:
      description: Options, snake_case.
      type: dict
      sample: {"amazon_side_asn": 64512, "association_default_route_table_id": "tgw-rtb-1"}
    tags:
      description: Tags.
      type: dict
      sample: {"Name": "hub-tgw"}
    attachments:
      description: Attachments of every type.
      type: list
      elements: dict
      sample: [{"transit_gateway_attachment_id": "tgw-attach-1", "resource_type": "vpc", "resource_id": "vpc-1",
                "state": "available", "association": {"transit_gateway_route_table_id": "tgw-rtb-1",
                                                      "state": "associated"}, "name": "vpc-a-att"}]
    route_tables:
      description: Route tables with associations, propagations and routes.
      type: list
      elements: dict
      sample: [{"transit_gateway_route_table_id": "tgw-rtb-1", "default_association_route_table": true,
                "associations": [], "propagations": [],
                "routes": [{"destination_cidr_block": "172.16.0.0/16", "type": "propagated", "state": "active",
                            "attachment_id": "tgw-attach-1", "resource_id": "vpc-1", "resource_type": "vpc"}]}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.aws import AwsModule, filter_list
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict, tags_to_dict
from ansible_collections.multicloud.transit.plugins.module_utils.tgw import (
    GONE_STATES,
    attachment_view,
    search_routes,
    table_associations,
    table_propagations,
)


def describe(mod):
    p = mod.params
    kwargs = {}
    if p["transit_gateway_ids"]:
        kwargs["TransitGatewayIds"] = p["transit_gateway_ids"]
    filters = filter_list(p["filters"], [{"Name": "tag:Name", "Values": p["names"]}] if p["names"] else [])
    if filters:
        kwargs["Filters"] = filters
    out = []
    for tgw in mod.paginate("describe_transit_gateways", "TransitGateways", **kwargs):
        if tgw.get("State") in GONE_STATES and not p["include_deleted"]:
            continue
        tgw_id = tgw["TransitGatewayId"]
        tgw_filter = [{"Name": "transit-gateway-id", "Values": [tgw_id]}]
        attachments = [attachment_view(a) for a in
                       mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments", Filters=tgw_filter)
                       if p["include_deleted"] or a.get("State") not in GONE_STATES]
        tables = []
        for table in mod.paginate("describe_transit_gateway_route_tables", "TransitGatewayRouteTables", Filters=tgw_filter):
            if table.get("State") in GONE_STATES:
                continue
            table_id = table["TransitGatewayRouteTableId"]
            tags = tags_to_dict(table.get("Tags"))
            tables.append({
                "transit_gateway_route_table_id": table_id,
                "name": tags.get("Name"),
                "state": table.get("State"),
                "tags": tags,
                "default_association_route_table": bool(table.get("DefaultAssociationRouteTable")),
                "default_propagation_route_table": bool(table.get("DefaultPropagationRouteTable")),
                "associations": table_associations(mod, table_id),
                "propagations": table_propagations(mod, table_id),
                "routes": search_routes(mod, table_id),
            })
        tags = tags_to_dict(tgw.get("Tags"))
        out.append({
            "transit_gateway_id": tgw_id,
            "name": tags.get("Name"),
            "state": tgw.get("State"),
            "description": tgw.get("Description") or "",
            "owner_id": tgw.get("OwnerId"),
            "transit_gateway_arn": tgw.get("TransitGatewayArn"),
            "options": snake_dict(tgw.get("Options") or {}),
            "tags": tags,
            "attachments": attachments,
            "route_tables": tables,
        })
    return out


def main():
    mod = AwsModule(
        argument_spec=dict(
            transit_gateway_ids=dict(type="list", elements="str", default=[]),
            names=dict(type="list", elements="str", default=[]),
            include_deleted=dict(type="bool", default=False),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    mod.exit(changed=False, transit_gateways=describe(mod))


if __name__ == "__main__":
    main()
