#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_vpc_route
short_description: Routes in existing VPC subnet route tables (toward a Transit Gateway or another target)
version_added: 0.1.0
description:
  - Reconciles a list of routes in each of several existing route tables in one call, with
    C(CreateRoute), C(ReplaceRoute) (when a route's target changes) and C(DeleteRoute).
  - Tables come from O(route_table_ids), or from O(vpc_id) (every route table the VPC's subnets use, that is
    their explicit association, else the main table, as M(multicloud.transit.aws_vpc_info) reports.)
  - Routes not listed are left alone unless O(purge_routes=true); the local route and routes that
    AWS manages (VGW propagation) are never deleted.
  - Everything is validated before any change (CIDRs, exactly one target per route, and no route for
    the VPC's own CIDR, which is the local route).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description:
      - V(present) makes the listed routes exist with their targets; V(absent) deletes routes with
        the listed destinations (their targets are not compared).
    type: str
    choices: [present, absent]
    default: present
  route_table_ids:
    description: Route tables to manage. One of O(route_table_ids) and O(vpc_id) is required.
    type: list
    elements: str
  vpc_id:
    description: Manage every route table that a subnet of this VPC uses.
    type: str
  routes:
    description: The routes, each with a destination and exactly one target.
    type: list
    elements: dict
    required: true
    suboptions:
      destination_cidr_block:
        description: IPv4 or IPv6 destination CIDR.
        type: str
        required: true
      transit_gateway_id:
        description: Transit Gateway target.
        type: str
      gateway_id:
        description: Internet, virtual private or gateway endpoint target.
        type: str
      nat_gateway_id:
        description: NAT gateway target.
        type: str
      vpc_peering_connection_id:
        description: VPC peering connection target.
        type: str
      network_interface_id:
        description: Network interface target.
        type: str
  purge_routes:
    description: Delete routes (created with C(CreateRoute)) that are not listed.
    type: bool
    default: false
extends_documentation_fragment:
  - multicloud.transit.aws
"""

EXAMPLES = r"""
- name: VPC A reaches VPC B and Alibaba through the Transit Gateway
  multicloud.transit.aws_vpc_route:
    vpc_id: "{{ vpc_a.vpc_id }}"
    routes:
      - {destination_cidr_block: 172.17.0.0/16, transit_gateway_id: "{{ tgw.transit_gateway_id }}"}
      - {destination_cidr_block: 10.0.0.0/8, transit_gateway_id: "{{ tgw.transit_gateway_id }}"}
      - {destination_cidr_block: 192.168.0.0/16, transit_gateway_id: "{{ tgw.transit_gateway_id }}"}

- name: Remove them again
  multicloud.transit.aws_vpc_route:
    vpc_id: "{{ vpc_a.vpc_id }}"
    state: absent
    routes:
      - {destination_cidr_block: 172.17.0.0/16}
      - {destination_cidr_block: 10.0.0.0/8}
      - {destination_cidr_block: 192.168.0.0/16}
"""

RETURN = r"""
route_tables:
  description: Each managed route table with its routes after the change.
  returned: always
  type: list
  elements: dict
  sample: [{"route_table_id": "rtb-1", "vpc_id": "vpc-1", "routes": [{"destination_cidr_block": "10.0.0.0/8",
            "transit_gateway_id": "tgw-1", "origin": "CreateRoute", "state": "active"}]}]
changes:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: dict
  sample: [{"route_table_id": "rtb-1", "action": "create", "destination_cidr_block": "10.0.0.0/8",
            "target": {"transit_gateway_id": "tgw-1"}}]
"""

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.aws import AwsModule, subnet_tables
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict

# option -> (API parameter, route field in DescribeRouteTables)
TARGETS = (
    ("transit_gateway_id", "TransitGatewayId"),
    ("gateway_id", "GatewayId"),
    ("nat_gateway_id", "NatGatewayId"),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId"),
    ("network_interface_id", "NetworkInterfaceId"),
)
# Route fields that name a target (a route has one of them).
TARGET_FIELDS = [field for dummy, field in TARGETS] + [
    "InstanceId", "EgressOnlyInternetGatewayId", "LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn"]


def validate(mod):
    """Static checks: no API call before they pass."""
    p = mod.params
    seen = {}
    for i, route in enumerate(p["routes"]):
        where = "routes[%d]" % i
        try:
            net = ipaddress.ip_network(route["destination_cidr_block"], strict=True)
        except ValueError as exc:
            mod.fail("%s.destination_cidr_block %r is not a valid CIDR (%s)." % (where, route["destination_cidr_block"], exc))
        targets = [opt for opt, dummy in TARGETS if route.get(opt)]
        if p["state"] == "present" and len(targets) != 1:
            mod.fail("%s (%s) needs exactly one target of %s; got %s."
                     % (where, net, ", ".join(opt for opt, dummy in TARGETS), ", ".join(targets) or "none"))
        if str(net) in seen:
            mod.fail("%s: destination_cidr_block %s is already listed in routes[%d]." % (where, net, seen[str(net)]))
        seen[str(net)] = i
        for opt, dummy in TARGETS:
            if route.get(opt) and opt == "transit_gateway_id" and not route[opt].startswith("tgw-"):
                mod.fail("%s.transit_gateway_id %r is not a Transit Gateway ID (tgw-...)." % (where, route[opt]))


def destination(route):
    return route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock") or route.get("DestinationPrefixListId")


def target_of(route):
    for field in TARGET_FIELDS:
        if route.get(field):
            return field, route[field]
    return None, None


def desired(mod):
    out = {}
    for route in mod.params["routes"]:
        cidr = str(ipaddress.ip_network(route["destination_cidr_block"]))
        target = [(field, route[opt]) for opt, field in TARGETS if route.get(opt)]
        out[cidr] = target[0] if target else (None, None)
    return out


def load_tables(mod):
    p = mod.params
    if p.get("vpc_id"):
        vpc_filter = [{"Name": "vpc-id", "Values": [p["vpc_id"]]}]
        subnets = mod.paginate("describe_subnets", "Subnets", Filters=vpc_filter)
        tables = mod.paginate("describe_route_tables", "RouteTables", Filters=vpc_filter)
        used = set(t for t in subnet_tables(tables, [s["SubnetId"] for s in subnets]).values() if t)
        if not used:
            mod.fail("vpc_id %s has no subnet route tables (no subnets, or not found)." % p["vpc_id"])
        return [t for t in tables if t["RouteTableId"] in used]
    tables = mod.paginate("describe_route_tables", "RouteTables",
                          Filters=[{"Name": "route-table-id", "Values": p["route_table_ids"]}])
    missing = sorted(set(p["route_table_ids"]) - set(t["RouteTableId"] for t in tables))
    if missing:
        mod.fail("route_table_ids: %s not found in this account and region." % ", ".join(missing))
    return tables


def check_local(mod, tables, wanted):
    """Refuse a route that is the VPC's own CIDR: that is the local route."""
    vpc_ids = sorted(set(t["VpcId"] for t in tables))
    vpcs = mod.paginate("describe_vpcs", "Vpcs", VpcIds=vpc_ids)
    for vpc in vpcs:
        cidrs = set([vpc.get("CidrBlock")])
        cidrs.update(a.get("CidrBlock") for a in vpc.get("CidrBlockAssociationSet") or [])
        cidrs.update(a.get("Ipv6CidrBlock") for a in vpc.get("Ipv6CidrBlockAssociationSet") or [])
        for i, route in enumerate(mod.params["routes"]):
            cidr = str(ipaddress.ip_network(route["destination_cidr_block"]))
            if cidr in cidrs:
                mod.fail("routes[%d].destination_cidr_block %s is the CIDR of VPC %s itself: that is the local route, "
                         "which cannot be managed here. Remove it from routes." % (i, cidr, vpc["VpcId"]))


def plan(mod, table, wanted):
    have = dict((destination(r), r) for r in table.get("Routes", []) if destination(r))
    changes = []
    if mod.params["state"] == "absent":
        for cidr in sorted(wanted):
            if cidr in have and have[cidr].get("Origin") == "CreateRoute":
                changes.append(("delete", cidr, None))
        return changes
    for cidr, (field, value) in sorted(wanted.items()):
        current = have.get(cidr)
        if current is None:
            changes.append(("create", cidr, (field, value)))
        elif target_of(current) != (field, value) or current.get("State") == "blackhole":
            if current.get("Origin") == "CreateRouteTable":
                mod.fail("%s in %s is the local route; it cannot be replaced." % (cidr, table["RouteTableId"]))
            changes.append(("replace", cidr, (field, value)))
    if mod.params["purge_routes"]:
        for cidr, route in sorted(have.items()):
            if cidr not in wanted and route.get("Origin") == "CreateRoute":
                changes.append(("delete", cidr, None))
    return changes


def apply_change(mod, table_id, action, cidr, target):
    net = ipaddress.ip_network(cidr)
    kwargs = {"RouteTableId": table_id}
    kwargs["DestinationIpv6CidrBlock" if net.version == 6 else "DestinationCidrBlock"] = cidr
    if action == "delete":
        mod.call("delete_route", **kwargs)
        return
    kwargs[target[0]] = target[1]
    mod.call("%s_route" % action, **kwargs)


def table_view(table):
    routes = []
    for r in table.get("Routes", []):
        view = snake_dict(r)
        view["destination_cidr_block"] = destination(r)
        routes.append(view)
    return {"route_table_id": table["RouteTableId"], "vpc_id": table.get("VpcId"), "routes": routes}


def diff_view(tables):
    out = {}
    for t in tables:
        routes = {}
        for r in t.get("Routes", []):
            field, value = target_of(r)
            if destination(r) and r.get("Origin") != "CreateRouteTable":
                routes[destination(r)] = "%s=%s" % (field, value) if field else r.get("State")
        out[t["RouteTableId"]] = routes
    return out


def main():
    route_spec = dict(
        destination_cidr_block=dict(type="str", required=True),
        transit_gateway_id=dict(type="str"),
        gateway_id=dict(type="str"),
        nat_gateway_id=dict(type="str"),
        vpc_peering_connection_id=dict(type="str"),
        network_interface_id=dict(type="str"),
    )
    mod = AwsModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            route_table_ids=dict(type="list", elements="str"),
            vpc_id=dict(type="str"),
            routes=dict(type="list", elements="dict", options=route_spec, required=True),
            purge_routes=dict(type="bool", default=False),
        ),
        required_one_of=[["route_table_ids", "vpc_id"]],
        mutually_exclusive=[["route_table_ids", "vpc_id"]],
        supports_check_mode=True,
    )
    validate(mod)
    wanted = desired(mod)
    tables = load_tables(mod)
    if mod.params["state"] == "present":
        check_local(mod, tables, wanted)
    plans = [(t, plan(mod, t, wanted)) for t in tables]  # every table planned (and refused) before any change
    changes = []
    for table, steps in plans:
        for action, cidr, target in steps:
            changes.append({"route_table_id": table["RouteTableId"], "action": action, "destination_cidr_block": cidr,
                            "target": snake_dict({target[0]: target[1]}) if target else {}})
    before = diff_view(tables)
    after = dict((k, dict(v)) for k, v in before.items())
    for c in changes:
        routes = after[c["route_table_id"]]
        if c["action"] == "delete":
            routes.pop(c["destination_cidr_block"], None)
        else:
            key, value = list(c["target"].items())[0]
            routes[c["destination_cidr_block"]] = "%s=%s" % (
                dict((opt, field) for opt, field in TARGETS)[key], value)
    if changes and not mod.check_mode:
        for table, steps in plans:
            for action, cidr, target in steps:
                apply_change(mod, table["RouteTableId"], action, cidr, target)
        tables = mod.paginate("describe_route_tables", "RouteTables",
                              Filters=[{"Name": "route-table-id", "Values": [t["RouteTableId"] for t in tables]}])
    result = dict(changed=bool(changes), changes=changes, route_tables=[table_view(t) for t in tables])
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
