#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_route_entry
short_description: Reconcile the custom route entries of an Alibaba Cloud VPC route table
version_added: 0.1.0
description:
  - Makes a route table hold the listed routes in one call, identified by destination CIDR block.
  - The table is O(route_table_id), or the system route table of O(vpc_id).
  - A route whose next hop changed is replaced (deleted, then created). Name and description are
    changed in place.
  - With O(purge_routes=true), custom entries not listed are deleted. System entries and routes
    learned from CEN or other sources are never touched.
  - With O(state=absent) the listed destinations are deleted (custom entries only).
  - Creation waits for C(Pending) -> C(Available), deletion for the entry to be gone.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the listed routes should exist.
    type: str
    choices: [present, absent]
    default: present
  route_table_id:
    description: The route table. One of O(route_table_id) or O(vpc_id) is required.
    type: str
  vpc_id:
    description: VPC whose system route table is meant.
    type: str
  routes:
    description: The routes.
    type: list
    elements: dict
    default: []
    suboptions:
      destination_cidr_block:
        description: Destination CIDR block.
        type: str
        required: true
      next_hop_type:
        description: Kind of next hop. Needed with O(state=present).
        type: str
        choices: [VpnGateway, RouterInterface, Instance, HaVip, NetworkInterface, NatGateway, IPv6Gateway,
                  Attachment, VpcPeer, Ipv4Gateway, GatewayEndpoint, Ecr]
      next_hop_id:
        description: ID of the next hop. Needed with O(state=present).
        type: str
      name:
        description: Name of the route entry.
        type: str
      description:
        description: Description of the route entry.
        type: str
  purge_routes:
    description: Delete custom entries of the table that are not listed (never system or learned ones).
    type: bool
    default: false
  wait:
    description: Wait for new entries to be C(Available) and deleted ones to be gone.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Tokyo sends AWS prefixes to the VPN gateway
  multicloud.transit.alicloud_route_entry:
    alicloud_region: ap-northeast-1
    vpc_id: "{{ tokyo_vpc_id }}"
    routes:
      - destination_cidr_block: 172.16.0.0/12
        next_hop_type: VpnGateway
        next_hop_id: "{{ vpn_gw.vpn_gateway_id }}"
        name: to-aws

- name: Peering route over Express Connect
  multicloud.transit.alicloud_route_entry:
    alicloud_region: ap-northeast-1
    vpc_id: "{{ vpc_a }}"
    routes:
      - {destination_cidr_block: 192.168.0.0/24, next_hop_type: RouterInterface, next_hop_id: "{{ ri.router_interface_id }}"}
"""

RETURN = r"""
route_table_id:
  description: The route table reconciled.
  returned: always
  type: str
  sample: vtb-6wehrmv6uihhwszrk8nm3
route_entries:
  description: Every entry of the table after the run (system, custom and learned), in snake_case.
  returned: always
  type: list
  elements: dict
  sample: [{"destination_cidr_block": "172.16.0.0/12", "type": "Custom", "status": "Available",
            "next_hops": {"next_hop": [{"next_hop_type": "VpnGateway", "next_hop_id": "vpn-6we..."}]}}]
changes:
  description: What was (or in check mode would be) done, one line per route.
  returned: always
  type: list
  elements: str
  sample: ["create 172.16.0.0/12 -> VpnGateway vpn-6we..."]
"""

import ipaddress

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict

HOP_TYPES = ["VpnGateway", "RouterInterface", "Instance", "HaVip", "NetworkInterface", "NatGateway", "IPv6Gateway",
             "Attachment", "VpcPeer", "Ipv4Gateway", "GatewayEndpoint", "Ecr"]
GONE = ("InvalidRouteEntry.NotFound",)


class RouteTable:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.table_id = self.p["route_table_id"]

    def validate(self):
        seen = set()
        for index, route in enumerate(self.p["routes"]):
            where = "routes[%d]" % index
            try:
                net = ipaddress.ip_network(to_text(route["destination_cidr_block"]).strip(), strict=True)
            except ValueError as exc:
                self.mod.fail("%s.destination_cidr_block %r is not a CIDR block (%s)."
                              % (where, route["destination_cidr_block"], exc))
            route["destination_cidr_block"] = str(net)
            if str(net) in seen:
                self.mod.fail("%s.destination_cidr_block %s is listed twice; a table has one route per destination."
                              % (where, net))
            seen.add(str(net))
            if self.p["state"] == "present" and (not route.get("next_hop_type") or not route.get("next_hop_id")):
                self.mod.fail("%s needs next_hop_type and next_hop_id (e.g. VpnGateway and the vpn-... id)." % where)

    def resolve(self):
        if self.table_id:
            return
        vpcs = self.mod.paginate("vpc", "DescribeVpcs", {"VpcId": self.p["vpc_id"]}, "Vpcs.Vpc")
        vpc = next((v for v in vpcs if v["VpcId"] == self.p["vpc_id"]), None)
        if vpc is None:
            self.mod.fail("vpc_id %s was not found in region %s of this account." % (self.p["vpc_id"], self.mod.region))
        tables = ((vpc.get("RouterTableIds") or {}).get("RouterTableIds")) or []
        if not tables:
            self.mod.fail("VPC %s has no route table." % self.p["vpc_id"])
        self.table_id = tables[0]

    def entries(self):
        out, token = [], None
        while True:
            params = {"RouteTableId": self.table_id, "MaxResult": 100}
            if token:
                params["NextToken"] = token
            body = self.mod.call("vpc", "DescribeRouteEntryList", params) or {}
            out.extend(((body.get("RouteEntrys") or {}).get("RouteEntry")) or [])
            token = body.get("NextToken")
            if not token:
                return out

    @staticmethod
    def custom(entries):
        return dict((e["DestinationCidrBlock"], e) for e in entries if e.get("Type") == "Custom")

    @staticmethod
    def hop(entry):
        hops = ((entry.get("NextHops") or {}).get("NextHop")) or [{}]
        return hops[0].get("NextHopType"), hops[0].get("NextHopId")

    @classmethod
    def view(cls, entry):
        hop_type, hop_id = cls.hop(entry)
        return {"destination_cidr_block": entry["DestinationCidrBlock"], "next_hop_type": hop_type,
                "next_hop_id": hop_id, "name": entry.get("RouteEntryName") or "",
                "description": entry.get("Description") or ""}

    def plan(self, custom):
        """(creates, replaces, renames, deletes) from the listed routes and the table's custom entries."""
        creates, replaces, renames, deletes = [], [], [], []
        wanted = dict((r["destination_cidr_block"], r) for r in self.p["routes"])
        for dest, route in wanted.items():
            have = custom.get(dest)
            if self.p["state"] == "absent":
                if have is not None:
                    deletes.append(have)
                continue
            if have is None:
                creates.append(route)
            elif self.hop(have) != (route["next_hop_type"], route["next_hop_id"]):
                replaces.append((route, have))
            elif any(route.get(k) is not None and route[k] != (have.get(api) or "")
                     for k, api in (("name", "RouteEntryName"), ("description", "Description"))):
                renames.append((route, have))
        if self.p["state"] == "present" and self.p["purge_routes"]:
            deletes.extend(e for dest, e in custom.items() if dest not in wanted)
        return creates, replaces, renames, deletes

    # --- calls ---------------------------------------------------------------------------------
    def find_entry(self, dest):
        return next((e for e in self.entries() if e.get("Type") == "Custom" and e["DestinationCidrBlock"] == dest), None)

    def wait_entry(self, dest, wanted):
        if not self.p["wait"]:
            return
        if wanted == "gone":
            self.mod.wait(lambda: self.find_entry(dest), lambda e: e is None, "route entry %s" % dest, "deleted")
        else:
            self.mod.wait(lambda: self.find_entry(dest), lambda e: e is not None and e.get("Status") == "Available",
                          "route entry %s" % dest, "Available")

    def delete(self, entry):
        if entry.get("Status") == "Pending":
            self.wait_entry(entry["DestinationCidrBlock"], "Available")
        hop_type, hop_id = self.hop(entry)
        self.mod.call("vpc", "DeleteRouteEntry", {"RouteEntryId": entry["RouteEntryId"], "RouteTableId": self.table_id,
                                                  "DestinationCidrBlock": entry["DestinationCidrBlock"],
                                                  "NextHopId": hop_id}, ignore_codes=GONE)
        self.wait_entry(entry["DestinationCidrBlock"], "gone")

    def create(self, route):
        self.mod.create("vpc", "CreateRouteEntry", {
            "RouteTableId": self.table_id, "DestinationCidrBlock": route["destination_cidr_block"],
            "NextHopType": route["next_hop_type"], "NextHopId": route["next_hop_id"],
            "RouteEntryName": route.get("name"), "Description": route.get("description")})

    def run(self):
        self.resolve()
        entries = self.entries()
        custom = self.custom(entries)
        creates, replaces, renames, deletes = self.plan(custom)
        changes = (["create %s -> %s %s" % (r["destination_cidr_block"], r["next_hop_type"], r["next_hop_id"])
                    for r in creates]
                   + ["replace %s: %s %s -> %s %s" % ((r["destination_cidr_block"],) + self.hop(h)
                                                      + (r["next_hop_type"], r["next_hop_id"])) for r, h in replaces]
                   + ["update %s name/description" % r["destination_cidr_block"] for r, dummy in renames]
                   + ["delete %s -> %s %s" % ((e["DestinationCidrBlock"],) + self.hop(e)) for e in deletes])
        before = sorted((self.view(e) for e in custom.values()), key=lambda v: v["destination_cidr_block"])
        after_map = dict((v["destination_cidr_block"], v) for v in before)
        for entry in deletes:
            after_map.pop(entry["DestinationCidrBlock"], None)
        for route in creates + [r for r, dummy in replaces] + [r for r, dummy in renames]:
            view = dict(after_map.get(route["destination_cidr_block"]) or {"name": "", "description": ""})
            view.update(dict((k, v) for k, v in route.items() if v is not None))
            after_map[route["destination_cidr_block"]] = view
        after = sorted(after_map.values(), key=lambda v: v["destination_cidr_block"])
        if changes and not self.mod.check_mode:
            for entry in deletes:
                self.delete(entry)
            for route, have in replaces:
                self.delete(have)
                self.create(route)
            for route in creates:
                self.create(route)
            for route, have in renames:
                self.mod.call("vpc", "ModifyRouteEntry", {"RouteEntryId": have["RouteEntryId"],
                                                          "RouteEntryName": route.get("name"),
                                                          "Description": route.get("description")})
            for route in creates + [r for r, dummy in replaces]:
                self.wait_entry(route["destination_cidr_block"], "Available")
            entries = self.entries()
        return bool(changes), changes, entries, {"routes": before}, {"routes": after}


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            route_table_id=dict(type="str"),
            vpc_id=dict(type="str"),
            routes=dict(type="list", elements="dict", default=[], options=dict(
                destination_cidr_block=dict(type="str", required=True),
                next_hop_type=dict(type="str", choices=HOP_TYPES),
                next_hop_id=dict(type="str"),
                name=dict(type="str"),
                description=dict(type="str"),
            )),
            purge_routes=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
        required_one_of=[["route_table_id", "vpc_id"]],
    )
    table = RouteTable(mod)
    table.validate()
    changed, changes, entries, before, after = table.run()
    result = dict(changed=changed, changes=changes, route_table_id=table.table_id,
                  route_entries=[snake_dict(e) for e in entries])
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
