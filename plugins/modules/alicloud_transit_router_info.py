#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_transit_router_info
short_description: Read an Alibaba Cloud CEN's transit routers with their connections and route tables
version_added: 0.2.0
description:
  - Reads, in one call, a CEN instance's Enterprise Edition transit routers in every region, each with its VPC,
    VPN and inter-region connections and its route tables (associations, route learning and the routes each table
    holds, static and learned).
  - The shapes are the ones the managing modules return (M(multicloud.transit.alicloud_transit_router),
    M(multicloud.transit.alicloud_transit_router_vpc_attachment),
    M(multicloud.transit.alicloud_transit_router_peer_attachment),
    M(multicloud.transit.alicloud_transit_router_route_table)).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  cen_id:
    description: ID of the CEN instance. Give this or O(name).
    type: str
  name:
    description: Name of the CEN instance, when O(cen_id) is not given (it must be unique).
    type: str
  regions:
    description: Only the routers of these regions. All regions when not given.
    type: list
    elements: str
  include_routes:
    description: Read the routes each route table holds (one more call per table).
    type: bool
    default: true
notes:
  - CEN is a global service; I(alicloud_region) only picks the default endpoint.
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Reads only; there is nothing to diff.
    support: N/A
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Everything the hub's transit routers hold
  multicloud.transit.alicloud_transit_router_info:
    alicloud_region: ap-northeast-1
    name: transit-cen
  register: hub

- name: The Beijing system table's routes
  ansible.builtin.debug:
    msg: >-
      {{ (hub.transit_routers | selectattr('region_id', 'equalto', 'cn-beijing') | first).route_tables
         | selectattr('type', 'equalto', 'System') | map(attribute='routes') | first }}
"""

RETURN = r"""
cen:
  description: The CEN instance (empty when it does not exist).
  returned: always
  type: dict
  contains:
    cen_id:
      description: CEN ID.
      type: str
      sample: cen-7qthudw0ll6jmc1234
    name:
      description: Its name.
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
    description:
      description: Its description.
      type: str
      sample: ""
    tags:
      description: Its tags.
      type: dict
      sample: {}
transit_routers:
  description: The CEN's transit routers, by region.
  returned: always
  type: list
  elements: dict
  contains:
    transit_router_id:
      description: Transit router ID.
      type: str
      sample: tr-6wehrmv6uihhwszrk8nm3
    region_id:
      description: Its region.
      type: str
      sample: ap-northeast-1
    status:
      description: Creating, Active, Modifying or Deleting.
      type: str
      sample: Active
    type:
      description: The edition.
      type: str
      sample: Enterprise
    name:
      description: Its name.
      type: str
      sample: tokyo-tr
    system_route_table_id:
      description: Its system route table.
      type: str
      sample: vtb-6wexwf0qncq6sdvzlk4m1
    vpc_attachments:
      description: Its VPC connections, as M(multicloud.transit.alicloud_transit_router_vpc_attachment) returns them.
      type: list
      elements: dict
      sample: [{"transit_router_attachment_id": "tr-attach-nls9fzkfat8934****", "vpc_id": "vpc-6we...",
                "status": "Attached", "zone_mappings": [{"zone_id": "ap-northeast-1a", "vswitch_id": "vsw-6we..."}]}]
    vpn_attachments:
      description: Its VPN connections (IPsec connections attached to the router).
      type: list
      elements: dict
      sample: [{"transit_router_attachment_id": "tr-attach-vpn0000000****", "vpn_id": "vco-6we...",
                "status": "Attached", "zones": ["ap-northeast-1a"]}]
    peer_attachments:
      description:
        - Its inter-region connections (either end), as
          M(multicloud.transit.alicloud_transit_router_peer_attachment) returns them.
      type: list
      elements: dict
      sample: [{"transit_router_attachment_id": "tr-attach-r6g0m3epjehw57****", "region_id": "ap-northeast-1",
                "peer_region_id": "cn-beijing", "status": "Attached", "bandwidth_type": "DataTransfer"}]
    route_tables:
      description: Its route tables, as M(multicloud.transit.alicloud_transit_router_route_table) returns them.
      type: list
      elements: dict
      sample: [{"transit_router_route_table_id": "vtb-6wexwf0qncq6sdvzlk4m1", "type": "System",
                "associations": ["tr-attach-nls9fzkfat8934****"], "propagations": ["tr-attach-nls9fzkfat8934****"],
                "routes": [{"destination_cidr_block": "192.168.0.0/24", "type": "Propagated", "status": "Active",
                            "next_hop": "tr-attach-r6g0m3epjehw57****", "blackhole": false}]}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.transit_router import (
    describe_route_table,
    find_cen,
    list_attachments,
    list_transit_routers,
    live,
    peer_attachment_view,
    route_table_view,
    route_tables,
    router_view,
    system_table_id,
    table_associations,
    table_propagations,
    tags_of,
    vpc_attachment_view,
    vpn_attachment_view,
)


def cen_view(cen):
    return {"cen_id": cen.get("CenId"), "name": cen.get("Name"), "status": cen.get("Status"),
            "protection_level": cen.get("ProtectionLevel"), "description": cen.get("Description") or "",
            "tags": tags_of(cen)}


def describe(mod):
    p = mod.params
    cen = find_cen(mod, cen_id=p["cen_id"], name=p["name"])
    if cen is None:
        return {}, []
    cen_id = cen["CenId"]
    peers = live(list_attachments(mod, "peer", CenId=cen_id))
    out = []
    for tr in sorted(list_transit_routers(mod, cen_id), key=lambda t: t.get("RegionId")):
        if p["regions"] and tr.get("RegionId") not in p["regions"]:
            continue
        tr_id, region = tr["TransitRouterId"], tr["RegionId"]
        tables = route_tables(mod, tr) if tr.get("Type", "Enterprise") == "Enterprise" else []
        view = router_view(tr, system_table_id(tables))
        view["vpc_attachments"] = [vpc_attachment_view(a)
                                   for a in list_attachments(mod, "vpc", region, TransitRouterId=tr_id)]
        view["vpn_attachments"] = [vpn_attachment_view(a)
                                   for a in list_attachments(mod, "vpn", region, TransitRouterId=tr_id)]
        view["peer_attachments"] = [peer_attachment_view(a) for a in peers
                                    if tr_id in (a.get("TransitRouterId"), a.get("PeerTransitRouterId"))]
        if p["include_routes"]:
            view["route_tables"] = [describe_route_table(mod, t) for t in tables]
        else:
            view["route_tables"] = [route_table_view(t, table_associations(mod, region, t["TransitRouterRouteTableId"]),
                                                     table_propagations(mod, region, t["TransitRouterRouteTableId"]),
                                                     []) for t in tables]
        out.append(view)
    return cen_view(cen), out


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            cen_id=dict(type="str"),
            name=dict(type="str"),
            regions=dict(type="list", elements="str"),
            include_routes=dict(type="bool", default=True),
        ),
        required_one_of=[["cen_id", "name"]],
        mutually_exclusive=[["cen_id", "name"]],
        supports_check_mode=True,
    )
    cen, routers = describe(mod)
    mod.exit(changed=False, cen=cen, transit_routers=routers)


if __name__ == "__main__":
    main()
