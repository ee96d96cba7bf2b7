#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpn_info
short_description: List Alibaba Cloud VPN gateways, customer gateways, IPsec-VPN connections and VPN route entries
version_added: 0.1.0
description:
  - Reads the VPN gateways, customer gateways, IPsec-VPN connections (with each tunnel's status), IPsec-VPN
    connections attached to transit routers and the VPN gateways' route entries (destination routing) of one
    region.
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
  description:
    - IPsec-VPN connections of VPN gateways, in snake_case, without pre-shared keys. A dual-tunnel
      connection has C(tunnels) - per tunnel C(tunnel_id), C(role), C(tunnel_index), C(gateway_ip),
      C(customer_gateway_id), C(status), C(zone_no), C(ike_config), C(ipsec_config).
  returned: always
  type: list
  elements: dict
  sample: [{"vpn_connection_id": "vco-6we...", "status": "ipsec_sa_established", "state": "active",
            "ike_config": {"ike_version": "ikev2"}, "ipsec_config": {"ipsec_lifetime": 3600}}]
vpn_attachments:
  description:
    - IPsec-VPN connections attached to transit routers (AttachType C(CEN)), as RV(ipsec_connections) with
      C(tunnels), plus C(transit_router_attachment_id) (null while unbound). Not narrowed by O(vpc_id) or
      O(vpn_gateway_ids).
  returned: always
  type: list
  elements: dict
  sample: [{"vpn_connection_id": "vco-6we...", "transit_router_id": "tr-6we...", "transit_router_attachment_id":
            "tr-attach-...", "tunnels": [{"tunnel_index": 1, "gateway_ip": "198.51.100.254",
                                          "status": "ipsec_sa_established"}]}]
vpn_route_entries:
  description: Destination routes of the listed VPN gateways (DescribeVpnRouteEntries, custom), in snake_case.
  returned: always
  type: list
  elements: dict
  sample: [{"vpn_gateway_id": "vpn-6we...", "route_dest": "172.16.0.0/12", "next_hop": "vco-6we...", "weight": 100,
            "state": "published"}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.alicloud_vpn import (
    connection_view,
    describe_connections,
    scrub,
)
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict, tags_to_dict

ATTACHED_TO_ROUTER = "CEN"


def gateway_view(gw):
    view = snake_dict(dict((k, v) for k, v in gw.items() if k not in ("Tags", "Tag")))
    view["tags"] = tags_to_dict(((gw.get("Tags") or {}).get("Tag")) or [])
    return view


def attachment_views(mod, connections):
    """TR-attached connections with the id of the transit router attachment that binds each."""
    bound = {}
    for router_id in sorted(set(c["TransitRouterId"] for c in connections if c.get("TransitRouterId"))):
        for att in mod.paginate_token("cbn", "ListTransitRouterVpnAttachments", {"TransitRouterId": router_id},
                                      "TransitRouterAttachments"):
            bound[att.get("VpnId")] = att.get("TransitRouterAttachmentId")
    return [dict(connection_view(c), transit_router_attachment_id=bound.get(c["VpnConnectionId"]))
            for c in connections]


def route_entries(mod, gateway_id):
    entries = mod.paginate("vpc", "DescribeVpnRouteEntries", {"VpnGatewayId": gateway_id, "RouteEntryType": "custom"},
                           "VpnRouteEntries.VpnRouteEntry")
    return [dict(snake_dict(e), vpn_gateway_id=gateway_id) for e in entries]


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
    everything = describe_connections(mod)
    attached = [c for c in everything if c.get("AttachType") == ATTACHED_TO_ROUTER]
    connections = [c for c in everything if c.get("AttachType") != ATTACHED_TO_ROUTER]
    if p["vpc_id"] or p["vpn_gateway_ids"]:
        ids = set(g["VpnGatewayId"] for g in gateways)
        connections = [c for c in connections if c.get("VpnGatewayId") in ids]
    routes = []
    for gateway in gateways:
        routes.extend(route_entries(mod, gateway["VpnGatewayId"]))
    mod.exit(changed=False, vpn_gateways=[gateway_view(g) for g in gateways],
             customer_gateways=[snake_dict(scrub(c)) for c in customer],
             ipsec_connections=[connection_view(c) for c in connections],
             vpn_attachments=attachment_views(mod, attached), vpn_route_entries=routes)


if __name__ == "__main__":
    main()
