#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpn_info
short_description: List Alibaba Cloud VPN gateways, customer gateways and IPsec-VPN connections
version_added: 0.1.0
description:
  - Reads the VPN gateways, customer gateways and IPsec-VPN connections of one region.
  - Pre-shared keys and BGP authentication keys are never returned.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  vpc_id:
    description: Only VPN gateways of this VPC, and only connections of those gateways.
    type: str
  vpn_gateway_ids:
    description: Only these VPN gateways, and only connections of these gateways.
    type: list
    elements: str
    default: []
  filters:
    description:
      - Extra parameters of the DescribeVpnGateways call, by their API names (PascalCase); see EXAMPLES.
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
- name: What the Tokyo VPN looks like
  multicloud.transit.alicloud_vpn_info:
    alicloud_region: ap-northeast-1
  register: vpn

- name: Every connection is up
  ansible.builtin.assert:
    that: vpn.ipsec_connections | map(attribute='status') | unique == ['ipsec_sa_established']

- name: Only active VPN gateways in a normal business state (DescribeVpnGateways parameters)
  multicloud.transit.alicloud_vpn_info:
    alicloud_region: ap-northeast-1
    filters:
      Status: active
      BusinessStatus: Normal
"""

RETURN = r"""
vpn_gateways:
  description: VPN gateways, in snake_case.
  returned: always
  type: list
  elements: dict
  sample: [{"vpn_gateway_id": "vpn-6we...", "internet_ip": "198.51.100.254", "status": "active", "vpc_id": "vpc-6we..."}]
customer_gateways:
  description: Customer gateways, in snake_case (no auth key).
  returned: always
  type: list
  elements: dict
  sample: [{"customer_gateway_id": "cgw-6we...", "ip_address": "203.0.113.10", "name": "aws-tunnel-1"}]
ipsec_connections:
  description: IPsec-VPN connections, in snake_case, without pre-shared keys.
  returned: always
  type: list
  elements: dict
  sample: [{"vpn_connection_id": "vco-6we...", "status": "ipsec_sa_established", "state": "active",
            "ike_config": {"ike_version": "ikev2"}, "ipsec_config": {"ipsec_lifetime": 3600}}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict, tags_to_dict

SECRET_KEYS = ("Psk", "AuthKey")


def scrub(value):
    if isinstance(value, dict):
        return dict((k, scrub(v)) for k, v in value.items() if k not in SECRET_KEYS)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def gateway_view(gw):
    view = snake_dict(dict((k, v) for k, v in gw.items() if k not in ("Tags", "Tag")))
    view["tags"] = tags_to_dict(((gw.get("Tags") or {}).get("Tag")) or [])
    return view


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            vpc_id=dict(type="str"),
            vpn_gateway_ids=dict(type="list", elements="str", default=[]),
            filters=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    params = mod.filter_params("vpc", "DescribeVpnGateways", p["filters"],
                               {"VpcId": p["vpc_id"]} if p["vpc_id"] else {})
    gateways = mod.paginate("vpc", "DescribeVpnGateways", params, "VpnGateways.VpnGateway")
    if p["vpn_gateway_ids"]:
        gateways = [g for g in gateways if g["VpnGatewayId"] in p["vpn_gateway_ids"]]
    customer = mod.paginate("vpc", "DescribeCustomerGateways", {}, "CustomerGateways.CustomerGateway")
    connections = mod.paginate("vpc", "DescribeVpnConnections", {}, "VpnConnections.VpnConnection")
    if p["vpc_id"] or p["vpn_gateway_ids"]:
        ids = set(g["VpnGatewayId"] for g in gateways)
        connections = [c for c in connections if c.get("VpnGatewayId") in ids]
    mod.exit(changed=False, vpn_gateways=[gateway_view(g) for g in gateways],
             customer_gateways=[snake_dict(scrub(c)) for c in customer],
             ipsec_connections=[snake_dict(scrub(c)) for c in connections])


if __name__ == "__main__":
    main()
