#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpn_route_entry
short_description: Reconcile the destination routes (VPN route entries) of an Alibaba Cloud VPN gateway
version_added: 0.2.0
description:
  - An IPsec-VPN connection whose local and remote subnets are both C(0.0.0.0/0) is in destination-routing
    mode - its tunnels may be up, but the VPN gateway sends it traffic only for the VPN route entries that
    name it as next hop. This module makes a VPN gateway hold the listed routes, in one call.
  - A route is identified by its destination and next hop. Two routes for one destination form an
    active (weight 100) / standby (weight 0) pair - different next hops, different weights.
  - With O(purge_routes=true), destination routes of the gateway that are not listed are deleted. With
    O(state=absent), the listed routes are deleted.
  - Every value is checked before any call - a weight other than 100 or 0, a next hop that is not an
    IPsec-VPN connection of this VPN gateway, C(0.0.0.0/0) or a block overlapping C(100.64.0.0/10), two
    routes with the same destination and weight.
  - A weight change uses ModifyVpnRouteEntryWeight when the route is alone on its destination, else the
    route is deleted and created again (the cloud changes a weight only without the pair's other route).
    O(routes[].publish_vpc) changes in place (PublishVpnRouteEntry).
  - The gateway applies each change asynchronously (C(updating)); the module waits for C(active) between
    changes.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the listed routes should exist.
    type: str
    choices: [present, absent]
    default: present
  vpn_gateway_id:
    description: The VPN gateway.
    type: str
    required: true
  routes:
    description: The destination routes.
    type: list
    elements: dict
    default: []
    suboptions:
      route_dest:
        description: Destination CIDR block (not C(0.0.0.0/0), not overlapping C(100.64.0.0/10)).
        type: str
        required: true
      next_hop:
        description: ID of an IPsec-VPN connection of this VPN gateway.
        type: str
        required: true
      weight:
        description: C(100) for the active route, C(0) for the standby one.
        type: int
        default: 100
      publish_vpc:
        description: Publish the route to the VPC's system route table (next hop the VPN gateway).
        type: bool
        default: true
      description:
        description:
          - Description, 1-100 characters, set when the route is created. DescribeVpnRouteEntries does not
            return it, so it is not compared afterwards (a route is replaced only for its weight).
        type: str
  purge_routes:
    description: Delete the gateway's destination routes that O(routes) does not list.
    type: bool
    default: false
  wait:
    description: Wait for the gateway to apply each change (C(active)) before the next one and at the end.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
notes:
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: AWS prefixes through connection A (active) and B (standby), published to the VPC
  multicloud.transit.alicloud_vpn_route_entry:
    alicloud_region: ap-northeast-1
    vpn_gateway_id: "{{ vpn_gw.vpn_gateway_id }}"
    routes:
      - {route_dest: 172.16.0.0/12, next_hop: "{{ conn_a.vpn_connection_id }}", weight: 100}
      - {route_dest: 172.16.0.0/12, next_hop: "{{ conn_b.vpn_connection_id }}", weight: 0}
    purge_routes: true
"""

RETURN = r"""
vpn_gateway_id:
  description: The VPN gateway.
  returned: always
  type: str
  sample: vpn-6we2f7ut0h4k2tw0bwbvs
routes:
  description: The listed routes as the gateway holds them (in check mode, as they would be), in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    route_dest:
      description: Destination CIDR block.
      type: str
      sample: 172.16.0.0/12
    next_hop:
      description: The IPsec-VPN connection.
      type: str
      sample: vco-6we1x8p2tjtgxhkcqddo5
    weight:
      description: 100 (active) or 0 (standby).
      type: int
      sample: 100
    publish_vpc:
      description: Whether the route is published to the VPC.
      type: bool
      sample: true
    description:
      description: Description, where the API returns it (null otherwise).
      type: str
      sample: AWS prefixes
    state:
      description: C(published) or C(normal) (null when absent or in check mode before creation).
      type: str
      sample: published
  sample: [{"route_dest": "172.16.0.0/12", "next_hop": "vco-6we...", "weight": 100, "publish_vpc": true,
            "state": "published"}]
"""

import ipaddress

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.multicloud.transit.plugins.module_utils import alicloud_vpn as vpn
from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, dig
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff

OVERLAY = "Ipsec"  # OverlayMode: "Set the value to Ipsec"
PUBLISHED = "published"


def key(route):
    return (route["route_dest"], route["next_hop"])


class VpnRoutes:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.gateway_id = self.p["vpn_gateway_id"]

    # --- reading ----------------------------------------------------------------------------------------
    def gateway(self):
        body = self.mod.call("vpc", "DescribeVpnGateways", {"VpnGatewayId": self.gateway_id}) or {}
        found = [g for g in dig(body, "VpnGateways.VpnGateway") or [] if g["VpnGatewayId"] == self.gateway_id]
        if not found:
            self.mod.fail("vpn_gateway_id %s was not found in region %s of this account."
                          % (self.gateway_id, self.mod.region))
        return found[0]

    def current(self):
        entries = self.mod.paginate("vpc", "DescribeVpnRouteEntries",
                                    {"VpnGatewayId": self.gateway_id, "RouteEntryType": "custom"},
                                    "VpnRouteEntries.VpnRouteEntry")
        return [{"route_dest": e["RouteDest"], "next_hop": e["NextHop"], "weight": int(e.get("Weight") or 0),
                 "publish_vpc": e.get("State") == PUBLISHED, "description": e.get("Description"),
                 "state": e.get("State")} for e in entries]

    # --- validation (before any call that changes anything) ------------------------------------------------
    def normalize(self):
        out = []
        for position, route in enumerate(self.p["routes"]):
            where = "routes[%d]." % position
            out.append(dict(route, route_dest=route_dest(self.mod, where, route["route_dest"])))
            if route["weight"] not in vpn.ROUTE_WEIGHTS:
                self.mod.fail("%sweight %s is invalid: use 100 (active route) or 0 (standby route)."
                              % (where, route["weight"]))
            text = route.get("description")
            if text is not None and (not 1 <= len(text) <= vpn.ROUTE_DESCRIPTION_MAX
                                     or text.startswith(("http://", "https://"))):
                self.mod.fail("%sdescription must be 1-%d characters, not starting with http:// or https://."
                              % (where, vpn.ROUTE_DESCRIPTION_MAX))
        keys = [key(r) for r in out]
        twice = sorted(set(k for k in keys if keys.count(k) > 1))
        if twice:
            self.mod.fail("routes: %s via %s is listed more than once." % twice[0])
        return out

    def check_next_hops(self, routes):
        connections = set(c["VpnConnectionId"] for c in vpn.describe_connections(self.mod,
                                                                                 VpnGatewayId=self.gateway_id))
        for position, route in enumerate(routes):
            if route["next_hop"] not in connections:
                self.mod.fail("routes[%d].next_hop %s is not an IPsec-VPN connection of the VPN gateway %s; give one "
                              "of %s." % (position, route["next_hop"], self.gateway_id,
                                          ", ".join(sorted(connections)) or "its connections (it has none yet)"))

    @staticmethod
    def check_pairs(final):
        """(destination, weight) taken twice in the routes the gateway would hold, or None."""
        seen = {}
        for route in final:
            slot = (route["route_dest"], route["weight"])
            if slot in seen and seen[slot] != route["next_hop"]:
                return route, seen[slot]
            seen[slot] = route["next_hop"]
        return None

    # --- plan ---------------------------------------------------------------------------------------------
    def plan(self, wanted, current):
        by_key = dict((key(r), r) for r in current)
        if self.p["state"] == "absent":
            return [by_key[key(r)] for r in wanted if key(r) in by_key], [], [], []
        wanted_keys = set(key(r) for r in wanted)
        removed = [r for r in current if key(r) not in wanted_keys] if self.p["purge_routes"] else []
        final = [r for r in current if r not in removed and key(r) not in wanted_keys] + wanted
        clash = self.check_pairs(final)
        if clash:
            route, other = clash
            self.mod.fail("%s would have two routes with weight %d (via %s and %s); an active/standby pair needs "
                          "weights 100 and 0. Change a weight%s." % (
                              route["route_dest"], route["weight"], other, route["next_hop"],
                              "" if self.p["purge_routes"] else ", or set purge_routes: true to drop the unlisted one"))
        deletes, modifies, publishes, creates = list(removed), [], [], []
        for want in wanted:
            have = by_key.get(key(want))
            if have is None:
                creates.append(want)
                continue
            reweighted = want["weight"] != have["weight"]
            # ModifyVpnRouteEntryWeight works on a route with no partner then (purged routes go first) or later.
            alone = [r["route_dest"] for r in current if r not in removed].count(want["route_dest"]) == 1 and \
                [r["route_dest"] for r in final].count(want["route_dest"]) == 1
            if reweighted and not alone:
                deletes.append(have)
                creates.append(dict(want, description=want.get("description") or have["description"]))
                continue
            if reweighted:
                modifies.append((want, have))
            if want["publish_vpc"] != have["publish_vpc"]:
                publishes.append(want)
        return deletes, modifies, publishes, creates

    # --- actions ------------------------------------------------------------------------------------------------
    def idle(self):
        if self.p["wait"]:
            vpn.wait_gateway_idle(self.mod, self.gateway_id)

    def apply(self, deletes, modifies, publishes, creates):
        base = {"VpnGatewayId": self.gateway_id, "OverlayMode": OVERLAY}
        for route in deletes:
            self.idle()
            self.mod.call("vpc", "DeleteVpnRouteEntry", dict(base, RouteDest=route["route_dest"],
                                                             NextHop=route["next_hop"], Weight=route["weight"]))
        for want, have in modifies:
            self.idle()
            self.mod.call("vpc", "ModifyVpnRouteEntryWeight", dict(base, RouteDest=want["route_dest"],
                                                                   NextHop=want["next_hop"], Weight=have["weight"],
                                                                   NewWeight=want["weight"]))
        for route in publishes:
            self.idle()
            self.mod.call("vpc", "PublishVpnRouteEntry", {"VpnGatewayId": self.gateway_id, "RouteType": "dbr",
                                                          "RouteDest": route["route_dest"],
                                                          "NextHop": route["next_hop"],
                                                          "PublishVpc": route["publish_vpc"]})
        for route in creates:
            self.idle()
            self.mod.create("vpc", "CreateVpnRouteEntry", dict(base, RouteDest=route["route_dest"],
                                                               NextHop=route["next_hop"], Weight=route["weight"],
                                                               PublishVpc=route["publish_vpc"],
                                                               Description=route.get("description")))
        self.idle()

    def run(self):
        wanted = self.normalize()
        self.gateway()
        if self.p["state"] == "present" and wanted:
            self.check_next_hops(wanted)
        current = self.current()
        steps = self.plan(wanted, current)
        changed = any(steps)
        if changed and not self.mod.check_mode:
            self.apply(*steps)
            after = self.current()
        else:
            after = projected(current, steps)
        shown = dict((key(r), r) for r in after)
        listed = [dict(shown.get(key(r)) or dict(r, state=None), vpn_gateway_id=self.gateway_id)
                  for r in wanted if key(r) in shown or self.p["state"] == "absent"]
        return changed, current, after, listed


def projected(current, steps):
    """The routes the gateway would hold after ``steps`` (check mode and unchanged runs)."""
    deletes, modifies, publishes, creates = steps
    gone = set(key(r) for r in deletes)
    out = dict((key(r), dict(r)) for r in current if key(r) not in gone)
    for want, have in modifies:
        out[key(want)]["weight"] = want["weight"]
    for route in publishes:
        out[key(route)]["publish_vpc"] = route["publish_vpc"]
    for route in creates:
        out[key(route)] = dict(route, state=None)
    return list(out.values())


def route_dest(mod, where, value):
    try:
        net = ipaddress.ip_network(to_text(value).strip(), strict=True)
    except ValueError as exc:
        mod.fail("%sroute_dest: %r is not a CIDR block (%s); write it like 172.16.0.0/12." % (where, value, exc))
    if net.prefixlen == 0:
        mod.fail("%sroute_dest: a destination route cannot be 0.0.0.0/0; list the peer's CIDR blocks." % where)
    if net.version == 4 and net.overlaps(vpn.ROUTE_RESERVED):
        mod.fail("%sroute_dest: %s overlaps %s, which VPN Gateway reserves; use another block."
                 % (where, net, vpn.ROUTE_RESERVED))
    return str(net)


def diff_view(routes):
    keys = ("route_dest", "next_hop", "weight", "publish_vpc", "description")
    return {"routes": sorted([dict((k, r.get(k)) for k in keys) for r in routes],
                             key=lambda r: (r["route_dest"], -r["weight"], r["next_hop"]))}


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            vpn_gateway_id=dict(type="str", required=True),
            routes=dict(type="list", elements="dict", default=[], options=dict(
                route_dest=dict(type="str", required=True),
                next_hop=dict(type="str", required=True),
                weight=dict(type="int", default=100),
                publish_vpc=dict(type="bool", default=True),
                description=dict(type="str"),
            )),
            purge_routes=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    manager = VpnRoutes(mod)
    changed, before, after, listed = manager.run()
    result = dict(changed=changed, vpn_gateway_id=mod.params["vpn_gateway_id"], routes=listed)
    if mod.module._diff:
        result["diff"] = make_diff(diff_view(before), diff_view(after))
    mod.exit(**result)


if __name__ == "__main__":
    main()
