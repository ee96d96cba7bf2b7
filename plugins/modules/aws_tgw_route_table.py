#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_tgw_route_table
short_description: One Transit Gateway route table with its associations, propagations and static routes
version_added: 0.1.0
description:
  - Manages one route table of a Transit Gateway, found by O(transit_gateway_route_table_id), by the
    Transit Gateway's default (association) table with O(default=true), or by its C(Name) tag.
  - Reconciles associations, propagations and static routes (including blackhole routes) in one call.
    Nothing the play does not list is touched unless O(purge_associations), O(purge_propagations) or
    O(purge_routes) asks for it.
  - A route whose target changes is replaced in place (C(ReplaceTransitGatewayRoute)). Propagated routes
    are never deleted as if they were static.
  - An attachment listed in O(associations) that is associated with another table of the same Transit
    Gateway is moved here (disassociated there first), because an attachment has one association.
notes:
  - A VPN attachment with static routing propagates no routes (only BGP-learned prefixes propagate),
    so list the prefixes behind it in O(routes).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description:
      - Whether the route table should exist. The default table is never deleted (it goes with its
        Transit Gateway).
    type: str
    choices: [present, absent]
    default: present
  transit_gateway_id:
    description: The Transit Gateway (ID, or its C(Name) tag).
    type: str
    required: true
  name:
    description: C(Name) tag of the route table; finds it and is set on create.
    type: str
  default:
    description: Manage the Transit Gateway's default association route table.
    type: bool
    default: false
  transit_gateway_route_table_id:
    description: ID of an existing route table to manage.
    type: str
  associations:
    description: Attachment IDs to associate with this table. Unset leaves associations alone.
    type: list
    elements: str
  purge_associations:
    description: Disassociate attachments not listed in O(associations).
    type: bool
    default: false
  propagations:
    description: Attachment IDs whose routes propagate into this table. Unset leaves propagations alone.
    type: list
    elements: str
  purge_propagations:
    description: Disable propagations not listed in O(propagations).
    type: bool
    default: false
  routes:
    description:
      - Static routes. Each has O(routes[].destination_cidr_block) and exactly one target, one of
        O(routes[].attachment_id), O(routes[].vpn_connection_id), O(routes[].vpc_id) (the VPC's attachment
        to this Transit Gateway) or O(routes[].blackhole=true). Unset leaves routes alone.
    type: list
    elements: dict
    suboptions:
      destination_cidr_block:
        description: IPv4 or IPv6 CIDR of the route.
        type: str
        required: true
      attachment_id:
        description: Target attachment ID.
        type: str
      vpn_connection_id:
        description: Target VPN connection (its Transit Gateway attachment).
        type: str
      vpc_id:
        description: Target VPC (its attachment to this Transit Gateway).
        type: str
      blackhole:
        description: Drop traffic to the CIDR.
        type: bool
        default: false
  purge_routes:
    description: Delete static routes not listed in O(routes) (propagated routes are never deleted).
    type: bool
    default: false
  tags:
    description: Tags to set; C(Name) comes from O(name).
    type: dict
  purge_tags:
    description: Remove tags not listed in O(tags) (only when O(tags) is given).
    type: bool
    default: true
  wait:
    description: Wait for the table to be C(available) (or deleted) and associations to settle.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - multicloud.transit.aws
"""

EXAMPLES = r"""
- name: Alibaba prefixes over the VPN, in the TGW's default route table
  multicloud.transit.aws_tgw_route_table:
    transit_gateway_id: hub-tgw
    default: true
    routes:
      - {destination_cidr_block: 10.0.0.0/8, vpn_connection_id: "{{ vpn.vpn_connection_id }}"}
      - {destination_cidr_block: 192.168.0.0/16, vpn_connection_id: "{{ vpn.vpn_connection_id }}"}

- name: A separate table for the VPN attachment
  multicloud.transit.aws_tgw_route_table:
    transit_gateway_id: hub-tgw
    name: vpn-rtb
    associations: ["{{ vpn_attachment.transit_gateway_attachment_id }}"]
    propagations: ["{{ vpc_a_attachment.transit_gateway_attachment_id }}"]
    routes:
      - {destination_cidr_block: 172.17.0.0/16, vpc_id: "{{ vpc_b.vpc_id }}"}
      - {destination_cidr_block: 203.0.113.0/24, blackhole: true}
    purge_routes: true
"""

RETURN = r"""
transit_gateway_route_table_id:
  description: ID of the route table; null when it does not exist (check mode before creation, or absent).
  returned: always
  type: str
  sample: tgw-rtb-0a1b2c3d4e5f60718
transit_gateway_route_table:
  description: The route table after the run, snake_case; C({}) when it does not exist.
  returned: always
  type: dict
  contains:
    transit_gateway_route_table_id:
      description: ID of the route table.
      type: str
      sample: tgw-rtb-0a1b2c3d4e5f60718
    transit_gateway_id:
      description: Its Transit Gateway.
      type: str
      sample: tgw-0a1b2c3d4e5f60718
    name:
      description: Its C(Name) tag.
      type: str
      sample: vpn-rtb
    state:
      description: Its state.
      type: str
      sample: available
    default_association_route_table:
      description: Whether it is the Transit Gateway's default association table.
      type: bool
      sample: true
    tags:
      description: Its tags.
      type: dict
      sample: {"Name": "vpn-rtb"}
    associations:
      description: Associated attachments.
      type: list
      elements: dict
      sample: [{"transit_gateway_attachment_id": "tgw-attach-1", "resource_id": "vpc-1", "resource_type": "vpc",
                "state": "associated"}]
    propagations:
      description: Attachments propagating into it.
      type: list
      elements: dict
      sample: [{"transit_gateway_attachment_id": "tgw-attach-1", "resource_id": "vpc-1", "resource_type": "vpc",
                "state": "enabled"}]
    routes:
      description: Its routes, static and propagated.
      type: list
      elements: dict
      sample: [{"destination_cidr_block": "10.0.0.0/8", "type": "static", "state": "active", "blackhole": false,
                "attachment_id": "tgw-attach-2", "resource_id": "vpn-1", "resource_type": "vpn"}]
"""

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.aws import (
    AwsModule,
    resource_result,
    tag_specifications,
)
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, tags_to_dict
from ansible_collections.multicloud.transit.plugins.module_utils.tgw import (
    GONE_STATES,
    apply_tags,
    desired_tags,
    find_tgw,
    search_routes,
    table_associations,
    table_propagations,
    tag_changes,
    tgw_attachments,
)

TARGETS = ("attachment_id", "vpn_connection_id", "vpc_id")


# --- validation (before any call) ----------------------------------------------------------------
def validate(mod):
    p = mod.params
    if p["default"] and (p.get("name") or p.get("transit_gateway_route_table_id")):
        mod.fail("default=true selects the Transit Gateway's default table: do not also give name or "
                 "transit_gateway_route_table_id.")
    if not p["default"] and not p.get("name") and not p.get("transit_gateway_route_table_id"):
        mod.fail("name, transit_gateway_route_table_id or default=true is required to choose the route table.")
    if p["default"] and p["state"] == "absent":
        mod.fail("default=true with state=absent: the default route table goes only with its Transit Gateway (aws_tgw).")
    seen = {}
    for i, route in enumerate(p.get("routes") or []):
        where = "routes[%d]" % i
        try:
            net = ipaddress.ip_network(route["destination_cidr_block"], strict=True)
        except ValueError as exc:
            mod.fail("%s.destination_cidr_block %r is not a valid CIDR (%s)." % (where, route["destination_cidr_block"], exc))
        targets = [t for t in TARGETS if route.get(t)] + (["blackhole"] if route.get("blackhole") else [])
        if len(targets) != 1:
            mod.fail("%s (%s) needs exactly one target of attachment_id, vpn_connection_id, vpc_id, blackhole=true; got %s."
                     % (where, net, ", ".join(targets) or "none"))
        if str(net) in seen:
            mod.fail("%s: destination_cidr_block %s is already listed in routes[%d]." % (where, net, seen[str(net)]))
        seen[str(net)] = i
    for key in ("associations", "propagations"):
        for i, att in enumerate(p.get(key) or []):
            if not att.startswith("tgw-attach-"):
                mod.fail("%s[%d] %r is not a Transit Gateway attachment ID (tgw-attach-...)." % (key, i, att))


# --- lookups -----------------------------------------------------------------------------------------
def fetch_table(mod, table_id):
    found = mod.paginate("describe_transit_gateway_route_tables", "TransitGatewayRouteTables",
                         TransitGatewayRouteTableIds=[table_id])
    return found[0] if found else None


def find_table(mod, tgw):
    p = mod.params
    if p["default"]:
        table_id = (tgw.get("Options") or {}).get("AssociationDefaultRouteTableId")
        if not table_id:
            mod.fail("Transit Gateway %s has no default route table (default_route_table_association is off)."
                     % tgw["TransitGatewayId"])
        return fetch_table(mod, table_id)
    if p.get("transit_gateway_route_table_id"):
        table = fetch_table(mod, p["transit_gateway_route_table_id"])
        if table is not None and table.get("TransitGatewayId") != tgw["TransitGatewayId"]:
            mod.fail("transit_gateway_route_table_id %s belongs to %s, not to %s."
                     % (table["TransitGatewayRouteTableId"], table.get("TransitGatewayId"), tgw["TransitGatewayId"]))
        if (table is None or table.get("State") in GONE_STATES) and p["state"] == "present":
            mod.fail("transit_gateway_route_table_id %s was not found." % p["transit_gateway_route_table_id"])
        return table
    found = mod.paginate("describe_transit_gateway_route_tables", "TransitGatewayRouteTables",
                         Filters=[{"Name": "transit-gateway-id", "Values": [tgw["TransitGatewayId"]]},
                                  {"Name": "tag:Name", "Values": [p["name"]]}])
    found = [t for t in found if t.get("State") not in GONE_STATES and tags_to_dict(t.get("Tags")).get("Name") == p["name"]]
    if len(found) > 1:
        mod.fail("Several route tables of %s are named %r: %s. Give transit_gateway_route_table_id."
                 % (tgw["TransitGatewayId"], p["name"], ", ".join(t["TransitGatewayRouteTableId"] for t in found)))
    return found[0] if found else None


def resolve_targets(mod, tgw_id, routes):
    """Each route as ``{cidr: attachment_id or "blackhole"}`` with VPN/VPC targets looked up."""
    attachments = tgw_attachments(mod, tgw_id)
    by_id = dict((a["TransitGatewayAttachmentId"], a) for a in attachments)
    by_resource = dict(((a.get("ResourceType"), a.get("ResourceId")), a["TransitGatewayAttachmentId"]) for a in attachments)
    out = {}
    for i, route in enumerate(routes):
        cidr = str(ipaddress.ip_network(route["destination_cidr_block"]))
        if route.get("blackhole"):
            out[cidr] = "blackhole"
        elif route.get("attachment_id"):
            if route["attachment_id"] not in by_id:
                mod.fail("routes[%d].attachment_id %s is not a live attachment of %s." % (i, route["attachment_id"], tgw_id))
            out[cidr] = route["attachment_id"]
        else:
            kind, key = ("vpn", "vpn_connection_id") if route.get("vpn_connection_id") else ("vpc", "vpc_id")
            att_id = by_resource.get((kind, route[key]))
            if att_id is None:
                mod.fail("routes[%d].%s %s has no attachment to Transit Gateway %s; attach it first (aws_tgw_attachment)."
                         % (i, key, route[key], tgw_id))
            out[cidr] = att_id
    return out, by_id


# --- the reconcile ------------------------------------------------------------------------------------
def snapshot(mod, table):
    if not table:
        return {}
    table_id = table["TransitGatewayRouteTableId"]
    tags = tags_to_dict(table.get("Tags"))
    return {
        "transit_gateway_route_table_id": table_id,
        "transit_gateway_id": table.get("TransitGatewayId"),
        "name": tags.get("Name"),
        "state": table.get("State"),
        "default_association_route_table": bool(table.get("DefaultAssociationRouteTable")),
        "tags": tags,
        "associations": table_associations(mod, table_id),
        "propagations": table_propagations(mod, table_id),
        "routes": search_routes(mod, table_id),
    }


def diff_view(snap):
    if not snap:
        return {}
    return {
        "transit_gateway_route_table_id": snap.get("transit_gateway_route_table_id"),
        "associations": sorted(a["transit_gateway_attachment_id"] for a in snap["associations"]),
        "propagations": sorted(a["transit_gateway_attachment_id"] for a in snap["propagations"]),
        "routes": dict((r["destination_cidr_block"], "blackhole" if r["blackhole"] else r["attachment_id"])
                       for r in snap["routes"] if r["type"] == "static"),
        "tags": snap["tags"],
    }


def plan(mod, before, targets):
    """The calls that turn ``before`` (diff view) into what the play asks for, and the expected after."""
    p = mod.params
    after = dict(before, routes=dict(before.get("routes", {})), tags=dict(before.get("tags", {})))
    steps = []
    if p.get("associations") is not None:
        have = set(before.get("associations", []))
        want = set(p["associations"])
        for att in sorted(want - have):
            steps.append(("associate", att))
        if p["purge_associations"]:
            for att in sorted(have - want):
                steps.append(("disassociate", att))
        after["associations"] = sorted(want | (set() if p["purge_associations"] else have))
    if p.get("propagations") is not None:
        have = set(before.get("propagations", []))
        want = set(p["propagations"])
        for att in sorted(want - have):
            steps.append(("enable", att))
        if p["purge_propagations"]:
            for att in sorted(have - want):
                steps.append(("disable", att))
        after["propagations"] = sorted(want | (set() if p["purge_propagations"] else have))
    if p.get("routes") is not None:
        have = before.get("routes", {})
        for cidr, target in sorted(targets.items()):
            if cidr not in have:
                steps.append(("create_route", (cidr, target)))
            elif have[cidr] != target:
                steps.append(("replace_route", (cidr, target)))
            after["routes"][cidr] = target
        if p["purge_routes"]:
            for cidr in sorted(set(have) - set(targets)):
                steps.append(("delete_route", cidr))
                after["routes"].pop(cidr, None)
    to_set, to_remove = tag_changes(before.get("tags", {}), desired_tags(mod.params),
                                    p["purge_tags"] and p.get("tags") is not None)
    if to_set or to_remove:
        steps.append(("tags", (to_set, to_remove)))
        for k in to_remove:
            after["tags"].pop(k, None)
        after["tags"].update(to_set)
    return steps, after


def current_association(mod, att_id):
    found = mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                         TransitGatewayAttachmentIds=[att_id])
    return (found[0].get("Association") or {}) if found else {}


def run(mod, table_id, steps):
    for step, arg in steps:
        if step == "associate":
            other = current_association(mod, arg)
            if other.get("TransitGatewayRouteTableId") and other["TransitGatewayRouteTableId"] != table_id:
                mod.call("disassociate_transit_gateway_route_table", TransitGatewayAttachmentId=arg,
                         TransitGatewayRouteTableId=other["TransitGatewayRouteTableId"])
                if mod.params["wait"]:
                    mod.wait(lambda: current_association(mod, arg), lambda a: not a.get("TransitGatewayRouteTableId"),
                             "attachment %s" % arg, "disassociated")
            mod.call("associate_transit_gateway_route_table", TransitGatewayAttachmentId=arg, TransitGatewayRouteTableId=table_id)
        elif step == "disassociate":
            mod.call("disassociate_transit_gateway_route_table", TransitGatewayAttachmentId=arg, TransitGatewayRouteTableId=table_id)
        elif step == "enable":
            mod.call("enable_transit_gateway_route_table_propagation", TransitGatewayAttachmentId=arg,
                     TransitGatewayRouteTableId=table_id)
        elif step == "disable":
            mod.call("disable_transit_gateway_route_table_propagation", TransitGatewayAttachmentId=arg,
                     TransitGatewayRouteTableId=table_id)
        elif step in ("create_route", "replace_route"):
            cidr, target = arg
            kwargs = {"TransitGatewayRouteTableId": table_id, "DestinationCidrBlock": cidr}
            if target == "blackhole":
                kwargs["Blackhole"] = True
            else:
                kwargs["TransitGatewayAttachmentId"] = target
            mod.call("%s_transit_gateway_route" % step.split("_")[0], **kwargs)
        elif step == "delete_route":
            mod.call("delete_transit_gateway_route", TransitGatewayRouteTableId=table_id, DestinationCidrBlock=arg)
        elif step == "tags":
            apply_tags(mod, table_id, arg[0], arg[1])
    if mod.params["wait"] and any(s[0] in ("associate", "disassociate") for s in steps):
        mod.wait(lambda: table_associations(mod, table_id),
                 lambda items: all(a.get("state") == "associated" for a in items),
                 "associations of %s" % table_id, "associated")


def wait_table(mod, table_id, gone=False):
    if not mod.params["wait"]:
        return fetch_table(mod, table_id)
    if gone:
        return mod.wait(lambda: fetch_table(mod, table_id), lambda t: t is None or t.get("State") == "deleted",
                        "route table %s" % table_id, "deleted")
    return mod.wait(lambda: fetch_table(mod, table_id), lambda t: t is not None and t.get("State") == "available",
                    "route table %s" % table_id, "available")


def present(mod, tgw, table):
    p = mod.params
    targets = {}
    if p.get("routes") is not None:
        targets, dummy = resolve_targets(mod, tgw["TransitGatewayId"], p["routes"])
    snap = snapshot(mod, table)
    before = diff_view(snap)
    if table is None:
        tags = desired_tags(p) or {}
        base = {"associations": [], "propagations": [], "routes": {}, "tags": tags}
        steps, after = plan(mod, base, targets)
        steps = [s for s in steps if s[0] != "tags"]
        if mod.check_mode:
            return True, None, {}, after
        table = mod.call("create_transit_gateway_route_table", TransitGatewayId=tgw["TransitGatewayId"],
                         TagSpecifications=tag_specifications("transit-gateway-route-table", tags))["TransitGatewayRouteTable"]
        table_id = table["TransitGatewayRouteTableId"]
        table = wait_table(mod, table_id)
        run(mod, table_id, steps)
        return True, fetch_table(mod, table_id), {}, dict(after, transit_gateway_route_table_id=table_id)
    steps, after = plan(mod, before, targets)
    if not steps or mod.check_mode:
        return bool(steps), table, before, after
    run(mod, table["TransitGatewayRouteTableId"], steps)
    return True, fetch_table(mod, table["TransitGatewayRouteTableId"]), before, after


def absent(mod, table):
    if table is None or table.get("State") in GONE_STATES:
        return False, None, {}, {}
    table_id = table["TransitGatewayRouteTableId"]
    snap = snapshot(mod, table)
    if table.get("DefaultAssociationRouteTable") or table.get("DefaultPropagationRouteTable"):
        mod.fail("Route table %s is a default table of its Transit Gateway; it goes only with the Transit Gateway." % table_id)
    if mod.check_mode:
        return True, table, diff_view(snap), {}
    steps = [("disassociate", a["transit_gateway_attachment_id"]) for a in snap["associations"]]
    steps += [("disable", a["transit_gateway_attachment_id"]) for a in snap["propagations"]]
    run(mod, table_id, steps)
    mod.call("delete_transit_gateway_route_table", TransitGatewayRouteTableId=table_id)
    wait_table(mod, table_id, gone=True)
    return True, None, diff_view(snap), {}


def main():
    route_spec = dict(
        destination_cidr_block=dict(type="str", required=True),
        attachment_id=dict(type="str"),
        vpn_connection_id=dict(type="str"),
        vpc_id=dict(type="str"),
        blackhole=dict(type="bool", default=False),
    )
    mod = AwsModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            transit_gateway_id=dict(type="str", required=True),
            name=dict(type="str"),
            default=dict(type="bool", default=False),
            transit_gateway_route_table_id=dict(type="str"),
            associations=dict(type="list", elements="str"),
            purge_associations=dict(type="bool", default=False),
            propagations=dict(type="list", elements="str"),
            purge_propagations=dict(type="bool", default=False),
            routes=dict(type="list", elements="dict", options=route_spec),
            purge_routes=dict(type="bool", default=False),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    p = mod.params
    ref = p["transit_gateway_id"]
    tgw = find_tgw(mod, tgw_id=ref) if ref.startswith("tgw-") else find_tgw(mod, name=ref)
    if tgw is None:
        if p["state"] == "absent":
            mod.exit(**resource_result("transit_gateway_route_table", None, changed=False))
        mod.fail("transit_gateway_id: Transit Gateway %s was not found in this account and region; create it first (aws_tgw)." % ref)
    table = find_table(mod, tgw)
    if table is not None and table.get("State") in GONE_STATES:
        table = None
    if p["state"] == "present":
        changed, table, before, after = present(mod, tgw, table)
    else:
        changed, table, before, after = absent(mod, table)
    result = resource_result("transit_gateway_route_table", snapshot(mod, table), changed=changed)
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
