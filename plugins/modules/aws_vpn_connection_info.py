#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_vpn_connection_info
short_description: Read AWS Site-to-Site VPN connections with their tunnels and telemetry
version_added: 0.1.0
description:
  - Reads VPN connections by ID, C(Name) tag or Transit Gateway, each with its Transit Gateway
    attachment, tunnel options, inside addresses and tunnel status (C(UP)/C(DOWN)).
  - Pre-shared keys are masked unless O(return_secrets=true).
  - Connections in state C(deleted) or C(deleting) are left out unless O(include_deleted=true).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  vpn_connection_ids:
    description: Only these VPN connections.
    type: list
    elements: str
    default: []
  names:
    description: Only connections whose C(Name) tag is one of these.
    type: list
    elements: str
    default: []
  transit_gateway_id:
    description: Only connections attached to this Transit Gateway.
    type: str
  include_deleted:
    description: Also return C(deleted) and C(deleting) connections.
    type: bool
    default: false
  return_secrets:
    description:
      - Return the tunnels' pre-shared keys in clear (roles pass them to the other cloud's IPsec
        connection). Treat the registered result as sensitive.
    type: bool
    default: false
  filters:
    description:
      - Extra API filters for DescribeVpnConnections, the amazon.aws way. A dict of filter name to a value or a list of
        values, for example C(tag:Env) or C(state); see EXAMPLES and the AWS API reference of DescribeVpnConnections.
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
- name: Tunnels of the walkthrough VPN, with their status
  multicloud.transit.aws_vpn_connection_info:
    region: us-east-1
    names: [tgw-to-alibaba]
  register: vpn_info

- name: Show which tunnels are up
  ansible.builtin.debug:
    msg: "{{ vpn_info.vpn_connections[0].tunnels | map(attribute='status') | list }}"

- name: Only IPsec connections whose customer gateway is this one (API filters)
  multicloud.transit.aws_vpn_connection_info:
    region: us-east-1
    filters:
      customer-gateway-id: cgw-0123456789abcdef0
      state: available
"""

RETURN = r"""
vpn_connections:
  description: The VPN connections found.
  returned: always
  type: list
  elements: dict
  contains:
    vpn_connection_id:
      description: ID of the connection.
      type: str
      sample: vpn-0a1b2c3d4e5f60718
    name:
      description: Its C(Name) tag.
      type: str
      sample: tgw-to-alibaba
    state:
      description: Its state.
      type: str
      sample: available
    transit_gateway_id:
      description: Its Transit Gateway.
      type: str
      sample: tgw-0a1b2c3d4e5f60718
    customer_gateway_id:
      description: Its customer gateway.
      type: str
      sample: cgw-0a1b2c3d4e5f60718
    transit_gateway_attachment_id:
      description: The Transit Gateway attachment (type C(vpn)) of the connection.
      type: str
      sample: tgw-attach-0a1b2c3d4e5f60718
    static_routes_only:
      description: Whether it uses static routing.
      type: bool
      sample: true
    tags:
      description: Its tags.
      type: dict
      sample: {"Name": "tgw-to-alibaba"}
    routes:
      description: Its static routes (empty for a Transit Gateway VPN).
      type: list
      elements: dict
      sample: []
    tunnels:
      description: Both tunnels; C(pre_shared_key) is C(********) unless O(return_secrets=true).
      type: list
      elements: dict
      sample: [{"outside_ip_address": "203.0.113.10", "tunnel_inside_cidr": "169.254.10.0/30",
                "inside_aws_address": "169.254.10.1", "inside_customer_address": "169.254.10.2",
                "pre_shared_key": "********", "ike_versions": ["ikev2"], "status": "DOWN",
                "status_message": "no peer answered", "accepted_route_count": 0}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.aws import AwsModule, filter_list
from ansible_collections.multicloud.transit.plugins.module_utils.aws_vpn import (
    GONE_STATES,
    describe_vpns,
    vpn_attachment_id,
    vpn_view,
)
from ansible_collections.multicloud.transit.plugins.module_utils.common import tags_to_dict


def main():
    mod = AwsModule(
        argument_spec=dict(
            vpn_connection_ids=dict(type="list", elements="str", default=[]),
            names=dict(type="list", elements="str", default=[]),
            transit_gateway_id=dict(type="str"),
            include_deleted=dict(type="bool", default=False),
            return_secrets=dict(type="bool", default=False, no_log=False),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    filters = []
    if p["names"]:
        filters.append({"Name": "tag:Name", "Values": p["names"]})
    if p.get("transit_gateway_id"):
        filters.append({"Name": "transit-gateway-id", "Values": [p["transit_gateway_id"]]})
    found = describe_vpns(mod, vpn_ids=p["vpn_connection_ids"], filters=filter_list(p["filters"], filters))
    out = []
    for vpn in found:
        if p["vpn_connection_ids"] and vpn.get("VpnConnectionId") not in p["vpn_connection_ids"]:
            continue
        if p["names"] and tags_to_dict(vpn.get("Tags")).get("Name") not in p["names"]:
            continue
        if p.get("transit_gateway_id") and vpn.get("TransitGatewayId") != p["transit_gateway_id"]:
            continue
        if vpn.get("State") in GONE_STATES and not p["include_deleted"]:
            continue
        out.append(vpn_view(vpn, vpn_attachment_id(mod, vpn["VpnConnectionId"]), return_secrets=p["return_secrets"]))
    mod.exit(changed=False, vpn_connections=out)


if __name__ == "__main__":
    main()
