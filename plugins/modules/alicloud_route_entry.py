#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_route_entry
short_description: Reconcile the custom route entries of Alibaba Cloud VPC route tables, in every region of a hub
version_added: 0.1.0
description:
  - Makes route tables hold the listed routes in one call, identified by route table and destination CIDR block.
    One call covers every VPC of a hub in every region.
  - Each route goes into its O(routes[].route_table_id) in its O(routes[].region) (default O(alicloud_region));
    a route without a table goes into O(route_table_id), or the system route table of O(vpc_id), in
    O(alicloud_region).
  - A route whose next hop changed is replaced (deleted, then created). Name and description are
    changed in place.
  - With O(purge_routes=true), custom entries not listed are deleted, per table, in the tables this call
    names only. System entries and routes learned from CEN, a transit router or other sources are never touched.
  - With O(state=absent) the listed destinations are deleted (custom entries only).
  - Before any change, every new next hop is checked for O(routes[].next_hop_type) C(Attachment) (a transit
    router VPC attachment), C(VpcPeer), C(VpnGateway) and C(RouterInterface); it must exist in the route's region
    and belong to the route table's VPC; an ID of the wrong kind is refused for those and C(Instance) (an ECS
    instance is looked up by the cloud itself, as this collection carries no ECS SDK). So a refused run
    changes nothing.
  - Creation waits until the entries the creates returned are C(Available) (one wait for all), deletion until
    they are gone.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the listed routes should exist.
    type: str
    choices: [present, absent]
    default: present
  route_table_id:
    description: The route table (in O(alicloud_region)) of the routes that name none.
    type: str
  vpc_id:
    description: Like O(route_table_id), with the system route table of this VPC (in O(alicloud_region)).
    type: str
  routes:
    description: The routes.
    type: list
    elements: dict
    default: []
    suboptions:
      route_table_id:
        description:
          - The route table of this route. Without it, O(route_table_id) or the system table of O(vpc_id).
        type: str
      region:
        description:
          - Region of O(routes[].route_table_id) (and of the next hop). Default O(alicloud_region).
          - Needs O(routes[].route_table_id).
        type: str
      destination_cidr_block:
        description: Destination CIDR block.
        type: str
        required: true
      next_hop_type:
        description:
          - Kind of next hop (CreateRouteEntry C(NextHopType)). Needed with O(state=present).
          - C(Attachment) is a transit router VPC attachment (C(tr-attach-...)), C(VpcPeer) a VPC peering
            connection (C(pcc-...)), C(VpnGateway) a VPN gateway (C(vpn-...)), C(RouterInterface) an Express
            Connect router interface (C(ri-...)), C(Instance) an ECS instance (C(i-...)).
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
    description:
      - Delete custom entries not listed, in each table this call names (never system or learned ones, never in
        other tables).
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

- name: Every VPC of the hub, in every region, toward its transit router attachment, in one call
  multicloud.transit.alicloud_route_entry:
    alicloud_region: ap-northeast-1
    routes:
      - {route_table_id: vtb-tokyo, destination_cidr_block: 172.16.0.0/12, next_hop_type: Attachment,
         next_hop_id: tr-attach-tokyo}
      - {route_table_id: vtb-beijing, region: cn-beijing, destination_cidr_block: 172.16.0.0/12,
         next_hop_type: Attachment, next_hop_id: tr-attach-beijing}
    purge_routes: true

- name: Peering route over Express Connect
  multicloud.transit.alicloud_route_entry:
    alicloud_region: ap-northeast-1
    vpc_id: "{{ vpc_a }}"
    routes:
      - {destination_cidr_block: 192.168.0.0/24, next_hop_type: RouterInterface, next_hop_id: "{{ ri.router_interface_id }}"}
"""

RETURN = r"""
route_tables:
  description: Each route table this call names, with every entry after the run (system, custom and learned).
  returned: always
  type: list
  elements: dict
  contains:
    route_table_id:
      description: The route table.
      type: str
      sample: vtb-6wehrmv6uihhwszrk8nm3
    region_id:
      description: Its region.
      type: str
      sample: ap-northeast-1
    vpc_id:
      description: Its VPC.
      type: str
      sample: vpc-6weq3zbjvyvwd1w2bhxqa
    route_entries:
      description: Its entries, in snake_case.
      type: list
      elements: dict
      sample: [{"destination_cidr_block": "172.16.0.0/12", "type": "Custom", "status": "Available",
                "next_hops": {"next_hop": [{"next_hop_type": "VpnGateway", "next_hop_id": "vpn-6we..."}]}}]
changes:
  description: What was (or in check mode would be) done, one item per route.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "create", "route_table_id": "vtb-6we...", "region_id": "ap-northeast-1",
            "destination_cidr_block": "172.16.0.0/12", "next_hop_type": "VpnGateway", "next_hop_id": "vpn-6we..."}]
"""

import ipaddress

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict

HOP_TYPES = ["VpnGateway", "RouterInterface", "Instance", "HaVip", "NetworkInterface", "NatGateway", "IPv6Gateway",
             "Attachment", "VpcPeer", "Ipv4Gateway", "GatewayEndpoint", "Ecr"]
# The ID prefix of each next hop kind (CreateRouteEntryRequest NextHopType docstring; the others as the ID
# examples of CreateHaVip, CreateNetworkInterface, CreateNatGateway, CreateIpv6Gateway, CreateIpv4Gateway show
# them): a next hop of another kind is refused before CreateRouteEntry.
HOP_PREFIXES = {"Attachment": "tr-attach-", "VpcPeer": "pcc-", "VpnGateway": "vpn-", "RouterInterface": "ri-",
                "Instance": "i-", "HaVip": "havip-", "NetworkInterface": "eni-", "NatGateway": "ngw-",
                "IPv6Gateway": "ipv6gw-", "Ipv4Gateway": "ipv4gw-"}
GONE = ("InvalidRouteEntry.NotFound",)


def route_key(entry):
    return entry["DestinationCidrBlock"]


def hop_of(entry):
    hops = ((entry.get("NextHops") or {}).get("NextHop")) or [{}]
    return hops[0].get("NextHopType"), hops[0].get("NextHopId")


def entry_view(entry):
    hop_type, hop_id = hop_of(entry)
    return {"destination_cidr_block": entry["DestinationCidrBlock"], "next_hop_type": hop_type,
            "next_hop_id": hop_id, "name": entry.get("RouteEntryName") or "",
            "description": entry.get("Description") or ""}


# --- next hops: (kind) -> the VPC (or vRouter) it belongs to, read in the route's region ----------------
def vpn_gateway_owner(mod, hop_id, region):
    found = mod.paginate("vpc", "DescribeVpnGateways", {"VpnGatewayId": hop_id}, "VpnGateways.VpnGateway",
                         region=region)
    found = [g for g in found or [] if g.get("VpnGatewayId") == hop_id]
    return [found[0].get("VpcId")] if found else None


def router_interface_owner(mod, hop_id, region):
    found = mod.paginate("vpc", "DescribeRouterInterfaces",
                         {"Filter": [{"Key": "RouterInterfaceId", "Value": [hop_id]}]},
                         "RouterInterfaceSet.RouterInterfaceType", region=region)
    found = [r for r in found or [] if r.get("RouterInterfaceId") == hop_id]
    return [found[0].get("RouterId")] if found else None


def attachment_owner(mod, hop_id, region):
    found = mod.paginate_token("cbn", "ListTransitRouterVpcAttachments",
                               {"TransitRouterAttachmentId": hop_id, "RegionId": region}, "TransitRouterAttachments",
                               page_size=100, region=region)
    found = [a for a in found if a.get("TransitRouterAttachmentId") == hop_id]
    return [found[0].get("VpcId")] if found else None


def vpc_peer_owner(mod, hop_id, region):
    found = mod.paginate_token("vpcpeer", "ListVpcPeerConnections", {"InstanceId": hop_id}, "VpcPeerConnects",
                               page_size=100, region=region)
    found = [c for c in found if c.get("InstanceId") == hop_id]
    if not found:
        return None
    return [(found[0].get(side) or {}).get("VpcId") for side in ("Vpc", "AcceptingVpc")]


# kind -> (lookup, what the lookup returns: "vpc" ids or the "router" id of the table's VPC)
HOP_LOOKUPS = {
    "VpnGateway": (vpn_gateway_owner, "vpc"),
    "RouterInterface": (router_interface_owner, "router"),
    "Attachment": (attachment_owner, "vpc"),
    "VpcPeer": (vpc_peer_owner, "vpc"),
}


class RouteTables:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.tables = {}  # (region, table id) -> DescribeRouteTableList item

    # --- before any call ---------------------------------------------------------------------------
    def validate(self):
        p = self.p
        seen = {}
        for index, route in enumerate(p["routes"]):
            where = "routes[%d]" % index
            try:
                net = ipaddress.ip_network(to_text(route["destination_cidr_block"]).strip(), strict=True)
            except ValueError as exc:
                self.mod.fail("%s.destination_cidr_block %r is not a CIDR block (%s)."
                              % (where, route["destination_cidr_block"], exc))
            route["destination_cidr_block"] = str(net)
            if route.get("region") and not route.get("route_table_id"):
                self.mod.fail("%s.region needs %s.route_table_id: the default table (route_table_id / vpc_id) is in "
                              "alicloud_region." % (where, where))
            if not route.get("route_table_id") and not p.get("route_table_id") and not p.get("vpc_id"):
                self.mod.fail("%s.route_table_id is required: give it on the route, or route_table_id / vpc_id for "
                              "the routes that name no table." % where)
            key = (self.region_of(route), route.get("route_table_id") or p.get("route_table_id") or p.get("vpc_id"),
                   str(net))
            if key in seen:
                self.mod.fail("%s.destination_cidr_block %s is listed twice for one table (also routes[%d]); a table "
                              "has one route per destination." % (where, net, seen[key]))
            seen[key] = index
            if p["state"] != "present":
                continue
            if not route.get("next_hop_type") or not route.get("next_hop_id"):
                self.mod.fail("%s needs next_hop_type and next_hop_id (e.g. VpnGateway and the vpn-... id)." % where)
            prefix = HOP_PREFIXES.get(route["next_hop_type"])
            if prefix and not route["next_hop_id"].startswith(prefix):
                self.mod.fail("%s.next_hop_id %s is not a %s: a %s ID starts with %s. Fix next_hop_type or next_hop_id."
                              % (where, route["next_hop_id"], route["next_hop_type"], route["next_hop_type"], prefix))

    def region_of(self, route):
        return route.get("region") or self.mod.region

    # --- reads ----------------------------------------------------------------------------------------
    def resolve(self):
        """Give every route its (region, table id); read each table once (its VPC and vRouter)."""
        p = self.p
        default = p.get("route_table_id")
        if not default and p.get("vpc_id"):
            vpcs = self.mod.paginate("vpc", "DescribeVpcs", {"VpcId": p["vpc_id"]}, "Vpcs.Vpc")
            vpc = next((v for v in vpcs if v["VpcId"] == p["vpc_id"]), None)
            if vpc is None:
                self.mod.fail("vpc_id %s was not found in region %s of this account." % (p["vpc_id"], self.mod.region))
            tables = ((vpc.get("RouterTableIds") or {}).get("RouterTableIds")) or []
            if not tables:
                self.mod.fail("VPC %s has no route table." % p["vpc_id"])
            default = tables[0]
        if default:
            self.tables[(self.mod.region, default)] = None
        for route in p["routes"]:
            route["_table"] = (self.region_of(route), route.get("route_table_id") or default)
            self.tables[route["_table"]] = None
        for region, table_id in sorted(self.tables):
            found = self.mod.paginate("vpc", "DescribeRouteTableList", {"RouteTableId": table_id},
                                      "RouterTableList.RouterTableListType", region=region)
            found = [t for t in found or [] if t.get("RouteTableId") == table_id]
            if not found:
                self.mod.fail("Route table %s was not found in region %s of this account; check "
                              "routes[].route_table_id and routes[].region." % (table_id, region))
            self.tables[(region, table_id)] = found[0]

    def entries(self, region, table_id):
        # NextToken paging, MaxResult at most 100 (DescribeRouteEntryList API reference).
        return self.mod.paginate_token("vpc", "DescribeRouteEntryList", {"RouteTableId": table_id},
                                       "RouteEntrys.RouteEntry", size_param="MaxResult", page_size=100, region=region)

    def read_all(self, keys=None):
        return dict((key, self.entries(*key)) for key in (keys or sorted(self.tables)))

    # --- the plan -----------------------------------------------------------------------------------
    def plan(self, current):
        """``[(action, (region, table), route, entry)]`` from the listed routes and each table's custom entries."""
        steps = []
        wanted = {}
        for route in self.p["routes"]:
            wanted.setdefault(route["_table"], {})[route["destination_cidr_block"]] = route
        for key in sorted(self.tables):
            custom = dict((route_key(e), e) for e in current[key] if e.get("Type") == "Custom")
            for dest, route in sorted(wanted.get(key, {}).items()):
                have = custom.get(dest)
                if self.p["state"] == "absent":
                    if have is not None:
                        steps.append(("delete", key, route, have))
                elif have is None:
                    steps.append(("create", key, route, None))
                elif hop_of(have) != (route["next_hop_type"], route["next_hop_id"]):
                    steps.append(("replace", key, route, have))
                elif any(route.get(k) is not None and route[k] != (have.get(api) or "")
                         for k, api in (("name", "RouteEntryName"), ("description", "Description"))):
                    steps.append(("rename", key, route, have))
            if self.p["state"] == "present" and self.p["purge_routes"]:
                steps.extend(("delete", key, None, e) for dest, e in sorted(custom.items())
                             if dest not in wanted.get(key, {}))
        return steps

    def check_next_hops(self, steps):
        """Every new next hop exists in its region and belongs to the route table's VPC: refused before any call."""
        checked = {}
        for action, key, route, dummy in steps:
            if action not in ("create", "replace") or route["next_hop_type"] not in HOP_LOOKUPS:
                continue
            index = self.p["routes"].index(route)
            region, table_id = key
            table = self.tables[key]
            lookup, owner_kind = HOP_LOOKUPS[route["next_hop_type"]]
            cache = (route["next_hop_type"], route["next_hop_id"], region)
            if cache not in checked:
                checked[cache] = lookup(self.mod, route["next_hop_id"], region)
            owners = checked[cache]
            if owners is None:
                self.mod.fail("routes[%d].next_hop_id %s: no %s with this ID in region %s of this account; create "
                              "it first or fix next_hop_id / region."
                              % (index, route["next_hop_id"], route["next_hop_type"], region))
            mine = table.get("RouterId") if owner_kind == "router" else table.get("VpcId")
            if mine not in owners:
                self.mod.fail("routes[%d].next_hop_id %s (%s) belongs to %s, not to VPC %s of route table %s: a next "
                              "hop must be in the route table's VPC." % (
                                  index, route["next_hop_id"], route["next_hop_type"],
                                  ", ".join(o for o in owners if o) or "another VPC", table.get("VpcId"), table_id))

    # --- calls ------------------------------------------------------------------------------------------
    def wait_for(self, current, keys, ready, wanted):
        """One wait for every table in ``keys`` until ``ready({key: entries})``."""
        if not keys:
            return current
        state = dict(current)

        def fetch():
            state.update(self.read_all(sorted(keys)))
            return state

        return self.mod.wait(fetch, ready, "route entries of %s" % ", ".join(t for r, t in sorted(keys)), wanted)

    def delete(self, key, entry):
        region, table_id = key
        dummy, hop_id = hop_of(entry)
        self.mod.call("vpc", "DeleteRouteEntry", {"RouteEntryId": entry["RouteEntryId"], "RouteTableId": table_id,
                                                  "DestinationCidrBlock": entry["DestinationCidrBlock"],
                                                  "NextHopId": hop_id}, ignore_codes=GONE, region=region)

    def apply(self, steps, current):
        deletes = [(key, entry) for action, key, route, entry in steps if action in ("delete", "replace")]
        creates = [(key, route) for action, key, route, entry in steps if action in ("create", "replace")]
        # DeleteRouteEntry needs an Available entry: let pending ones settle first.
        pending = set(key for key, entry in deletes if entry.get("Status") == "Pending")
        current = self.wait_for(current, pending, lambda state: all(
            e.get("Status") != "Pending" for key in pending for e in state[key]), "settled")
        for key, entry in deletes:
            self.delete(key, entry)
        deleted = dict(((key, entry["RouteEntryId"]), True) for key, entry in deletes)
        if deletes and (self.p["wait"] or any(action == "replace" for action, k, r, e in steps)):
            # a replaced destination can be created again only once its old entry is gone
            current = self.wait_for(current, set(k for k, i in deleted), lambda state: not any(
                (key, e.get("RouteEntryId")) in deleted for key in state for e in state[key]), "deleted")
        created = []
        for key, route in creates:
            region, table_id = key
            body = self.mod.create("vpc", "CreateRouteEntry", {
                "RouteTableId": table_id, "DestinationCidrBlock": route["destination_cidr_block"],
                "NextHopType": route["next_hop_type"], "NextHopId": route["next_hop_id"],
                "RouteEntryName": route.get("name"), "Description": route.get("description")}, region=region)
            created.append((key, body.get("RouteEntryId")))
        for action, key, route, entry in steps:
            if action == "rename":
                self.mod.call("vpc", "ModifyRouteEntry", {"RouteEntryId": entry["RouteEntryId"],
                                                          "RouteEntryName": route.get("name"),
                                                          "Description": route.get("description")}, region=key[0])
        if created and self.p["wait"]:
            # by the IDs the creates returned: a fresh read may not list a new entry yet
            self.wait_for(current, set(k for k, i in created), lambda state: all(
                any(e.get("RouteEntryId") == entry_id and e.get("Status") == "Available" for e in state[key])
                for key, entry_id in created), "Available")
        return self.read_all()

    def run(self):
        self.resolve()
        current = self.read_all()
        steps = self.plan(current)
        if self.p["state"] == "present":
            self.check_next_hops(steps)
        changes = []
        for action, (region, table_id), route, entry in steps:
            hop = (route["next_hop_type"], route["next_hop_id"]) if route and action != "delete" else hop_of(entry)
            changes.append({"action": action, "route_table_id": table_id, "region_id": region,
                            "destination_cidr_block": (route or {}).get("destination_cidr_block") or route_key(entry),
                            "next_hop_type": hop[0], "next_hop_id": hop[1]})
        before, after = {}, {}
        for key in sorted(self.tables):
            views = dict((route_key(e), entry_view(e)) for e in current[key] if e.get("Type") == "Custom")
            before[key[1]] = sorted(views.values(), key=lambda v: v["destination_cidr_block"])
            for action, step_key, route, entry in steps:
                if step_key != key:
                    continue
                if action == "delete":
                    views.pop(route_key(entry), None)
                else:
                    view = dict(views.get(route["destination_cidr_block"]) or {"name": "", "description": ""})
                    view.update(dict((k, v) for k, v in route.items() if v is not None and not k.startswith("_")
                                     and k not in ("route_table_id", "region")))
                    views[route["destination_cidr_block"]] = view
            after[key[1]] = sorted(views.values(), key=lambda v: v["destination_cidr_block"])
        if steps and not self.mod.check_mode:
            current = self.apply(steps, current)
        tables = [{"route_table_id": key[1], "region_id": key[0], "vpc_id": self.tables[key].get("VpcId"),
                   "route_entries": [snake_dict(e) for e in current[key]]} for key in sorted(self.tables)]
        result = dict(changed=bool(steps), changes=changes, route_tables=tables)
        if self.mod.module._diff:
            result["diff"] = make_diff(before, after)
        return result


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            route_table_id=dict(type="str"),
            vpc_id=dict(type="str"),
            routes=dict(type="list", elements="dict", default=[], options=dict(
                route_table_id=dict(type="str"),
                region=dict(type="str"),
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
        mutually_exclusive=[["route_table_id", "vpc_id"]],
    )
    tables = RouteTables(mod)
    tables.validate()
    mod.exit(**tables.run())


if __name__ == "__main__":
    main()
