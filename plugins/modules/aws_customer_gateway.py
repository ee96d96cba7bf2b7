#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_customer_gateway
short_description: Create or delete an AWS customer gateway (the other end of a Site-to-Site VPN)
version_added: 0.1.0
description:
  - Manages one customer gateway of type C(ipsec.1), that is the public IP and BGP ASN of the device
    on the other side of a VPN, such as an Alibaba Cloud VPN gateway.
  - A customer gateway is identified by its public IP and BGP ASN. An existing C(available) (or
    C(pending)) one with the same IP, ASN and type is reused, so re-runs never create duplicates.
  - Tags (and the C(Name) tag from O(name)) are applied to an existing gateway in place.
  - The IP address and ASN cannot change; give O(customer_gateway_id) with other values and the
    module refuses, saying to create a new gateway.
  - O(state=absent) is refused while a VPN connection that is not C(deleted)/C(deleting) uses it;
    the error lists those connections.
  - List mode (O(customer_gateways)) reconciles several gateways in one call (for example both tunnel ends
    of the other cloud), with one read of the customer gateways for all, the creates, then one wait for all.
  - Purge scope. O(purge_customer_gateways=true) deletes only customer gateways that carry every tag of
    O(scope_tags) and are not listed; every listed gateway gets the scope tags too. A gateway still used by a
    VPN connection is refused before anything is deleted.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the customer gateway should exist.
    type: str
    choices: [present, absent]
    default: present
  ip_address:
    description:
      - Public IPv4 address of the customer device (for the walkthrough, the Alibaba VPN gateway's
        public IP).
      - Required to create; with O(bgp_asn), finds an existing gateway.
    type: str
    aliases: [public_ip]
  bgp_asn:
    description:
      - BGP ASN of the customer device (1-2147483647). Used even with static routing.
    type: int
    default: 65000
  type:
    description: Type of VPN the gateway supports; AWS has only C(ipsec.1).
    type: str
    choices: [ipsec.1]
    default: ipsec.1
  customer_gateway_id:
    description: ID of an existing customer gateway to manage (instead of finding it by IP and ASN).
    type: str
  name:
    description: Value of the C(Name) tag.
    type: str
  tags:
    description: Tags to set; C(Name) comes from O(name).
    type: dict
  purge_tags:
    description: Remove tags not listed in O(tags) (only when O(tags) is given).
    type: bool
    default: true
  customer_gateways:
    description:
      - List mode. The customer gateways, each identified by its public IP and BGP ASN (like the single form).
      - With O(state=absent), the listed gateways are deleted.
      - Cannot be combined with O(ip_address), O(customer_gateway_id) or O(name).
    type: list
    elements: dict
    suboptions:
      ip_address:
        description: Public IPv4 address of the customer device.
        type: str
        required: true
      bgp_asn:
        description: BGP ASN of the customer device (1-2147483647).
        type: int
        default: 65000
      name:
        description: Value of the C(Name) tag.
        type: str
      tags:
        description: Tags of this gateway, on top of O(tags) and O(scope_tags).
        type: dict
  purge_customer_gateways:
    description:
      - List mode. Delete the customer gateways in scope (see the description, Purge scope) that are not
        listed. Needs a non-empty O(scope_tags).
    type: bool
    default: false
  scope_tags:
    description:
      - List mode. Tags that mark the customer gateways this call manages; set on every listed gateway and
        required for O(purge_customer_gateways), which deletes only gateways carrying all of them.
    type: dict
  wait:
    description: Wait until the gateway is C(available) (or C(deleted)).
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
- name: Customer gateway for the Alibaba VPN gateway
  multicloud.transit.aws_customer_gateway:
    region: us-east-1
    ip_address: "{{ hostvars['alicloud-main'].vpn_gateway.internet_ip }}"
    bgp_asn: 65000
    name: alibaba-tokyo-vpngw
  register: cgw

- name: Both tunnel ends of the other cloud, in one call
  multicloud.transit.aws_customer_gateway:
    scope_tags: {"transit:bridge": aws-alibaba}
    customer_gateways:
      - {name: alibaba-tunnel-1, ip_address: 198.51.100.10}
      - {name: alibaba-tunnel-2, ip_address: 198.51.100.11}
    purge_customer_gateways: true
  register: cgws

- name: Remove it (its VPN connection must be deleted first)
  multicloud.transit.aws_customer_gateway:
    customer_gateway_id: "{{ cgw.customer_gateway_id }}"
    state: absent
"""

RETURN = r"""
customer_gateway_id:
  description:
    - ID of the customer gateway (single mode); null when it does not exist (check mode before creation, or absent).
    - After a deletion, the ID it had.
  returned: single mode
  type: str
  sample: cgw-0a1b2c3d4e5f60718
customer_gateway:
  description: The customer gateway after the run (single mode), snake_case; C({}) when it does not exist.
  returned: single mode
  type: dict
  contains:
    customer_gateway_id:
      description: ID of the customer gateway.
      type: str
      sample: cgw-0a1b2c3d4e5f60718
    ip_address:
      description: Its public IP address.
      type: str
      sample: 192.0.2.10
    bgp_asn:
      description: Its BGP ASN.
      type: int
      sample: 65000
    type:
      description: Its VPN type.
      type: str
      sample: ipsec.1
    state:
      description: Its state (C(pending), C(available), C(deleting), C(deleted)).
      type: str
      sample: available
    name:
      description: Its C(Name) tag.
      type: str
      sample: alibaba-tokyo-vpngw
    tags:
      description: Its tags.
      type: dict
      sample: {"Name": "alibaba-tokyo-vpngw"}
customer_gateways:
  description:
    - List mode. The listed gateways after the run, in the order given, each like RV(customer_gateway). In check
      mode a gateway still to be created has a null C(customer_gateway_id). Empty with O(state=absent).
  returned: list mode
  type: list
  elements: dict
  sample: [{"customer_gateway_id": "cgw-1", "ip_address": "198.51.100.10", "bgp_asn": 65000, "type": "ipsec.1",
            "state": "available", "name": "alibaba-tunnel-1", "tags": {"Name": "alibaba-tunnel-1"}}]
changes:
  description: List mode. What was (or in check mode would be) done, one item per gateway.
  returned: list mode
  type: list
  elements: dict
  sample: [{"action": "create", "ip_address": "198.51.100.10", "bgp_asn": 65000, "customer_gateway_id": null}]
"""

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.aws import (
    AwsModule,
    resource_result,
    tag_specifications,
)
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, tags_to_dict
from ansible_collections.multicloud.transit.plugins.module_utils.tgw import apply_tags, desired_tags, tag_changes

LIVE = ("pending", "available")


def view(cgw):
    if not cgw:
        return {}
    tags = tags_to_dict(cgw.get("Tags"))
    asn = cgw.get("BgpAsn")
    return {
        "customer_gateway_id": cgw.get("CustomerGatewayId"),
        "ip_address": cgw.get("IpAddress"),
        "bgp_asn": int(asn) if asn not in (None, "") else None,
        "type": cgw.get("Type"),
        "state": cgw.get("State"),
        "name": tags.get("Name"),
        "tags": tags,
    }


def managed(v):
    return dict((k, v[k]) for k in ("customer_gateway_id", "ip_address", "bgp_asn", "type", "tags") if k in v)


def check_address(mod, ip_address, bgp_asn, where=""):
    if ip_address is not None:
        try:
            ipaddress.IPv4Address(u"%s" % ip_address)
        except ValueError:
            mod.fail("%sip_address %r is not an IPv4 address: give the public IPv4 address of the customer device."
                     % (where, ip_address))
    if not 1 <= bgp_asn <= 2147483647:
        mod.fail("%sbgp_asn %d is out of range: AWS accepts 1-2147483647 (65000 is the usual private ASN)."
                 % (where, bgp_asn))


def validate(mod):
    p = mod.params
    check_address(mod, p.get("ip_address"), p["bgp_asn"])
    for opt in ("purge_customer_gateways", "scope_tags"):
        if p.get(opt):
            mod.fail("%s applies to list mode only: give customer_gateways too." % opt)
    if p["state"] == "present" and not (p.get("ip_address") or p.get("customer_gateway_id")):
        mod.fail("ip_address is required to create a customer gateway: give the public IP of the other side's device.")


def fetch(mod, cgw_id, just_created=False):
    """The customer gateway ``cgw_id``, by its id (a filter may miss one not yet visible); None if it is not there.

    ``just_created``: a NotFound is retried first, the id may not have propagated yet (eventual consistency)."""
    found = mod.call("describe_customer_gateways", retry_not_found=just_created, ignore_not_found=True,
                     CustomerGatewayIds=[cgw_id]) or {}
    found = [c for c in found.get("CustomerGateways", []) if c.get("CustomerGatewayId") == cgw_id]
    return found[0] if found else None


def find(mod):
    p = mod.params
    if p.get("customer_gateway_id"):
        cgw = fetch(mod, p["customer_gateway_id"])
        return cgw if cgw and cgw.get("State") in LIVE else None
    if p.get("ip_address"):
        # ASN and type are compared here, not filtered: some EC2 emulations never match a bgp-asn filter.
        found = mod.paginate("describe_customer_gateways", "CustomerGateways",
                             Filters=[{"Name": "ip-address", "Values": [p["ip_address"]]}])
        found = [c for c in found
                 if c.get("State") in LIVE and same_device(c, p["ip_address"], p["bgp_asn"], p["type"])]
    elif p.get("name"):
        found = mod.paginate("describe_customer_gateways", "CustomerGateways",
                             Filters=[{"Name": "tag:Name", "Values": [p["name"]]}])
        found = [c for c in found if c.get("State") in LIVE and tags_to_dict(c.get("Tags")).get("Name") == p["name"]]
    else:
        mod.fail("Give customer_gateway_id, ip_address (with bgp_asn) or name to find the customer gateway.")
    if len(found) > 1 and p.get("name"):
        named = [c for c in found if tags_to_dict(c.get("Tags")).get("Name") == p["name"]]
        found = named or found
    if len(found) > 1:
        mod.fail("Several customer gateways match (%s); give customer_gateway_id to choose one."
                 % ", ".join(c["CustomerGatewayId"] for c in found))
    return found[0] if found else None


def same_device(cgw, ip_address, bgp_asn, kind):
    return cgw.get("IpAddress") == ip_address and str(cgw.get("BgpAsn")) == str(bgp_asn) and cgw.get("Type") == kind


def wait_state(mod, cgw_id, wanted):
    if not mod.params["wait"]:
        return fetch(mod, cgw_id)
    if wanted == "deleted":
        return mod.wait(lambda: fetch(mod, cgw_id), lambda c: c is None or c.get("State") == "deleted",
                        "customer gateway %s" % cgw_id, "deleted")
    return mod.wait(lambda: fetch(mod, cgw_id, just_created=True),
                    lambda c: c is not None and c.get("State") == "available",
                    "customer gateway %s" % cgw_id, "available",
                    failed=lambda c: "it disappeared" if c is None else None)


def present(mod, cgw):
    p = mod.params
    tags = desired_tags(p)
    if cgw is None:
        if p.get("customer_gateway_id"):
            mod.fail("Customer gateway %s was not found (or is deleted) in this account and region; leave "
                     "customer_gateway_id unset to create one from ip_address and bgp_asn." % p["customer_gateway_id"])
        after = {"ip_address": p["ip_address"], "bgp_asn": p["bgp_asn"], "type": p["type"], "tags": tags or {}}
        if mod.check_mode:
            return True, None, {}, after
        created = mod.call("create_customer_gateway", Type=p["type"], PublicIp=p["ip_address"], BgpAsn=p["bgp_asn"],
                           TagSpecifications=tag_specifications("customer-gateway", tags))["CustomerGateway"]
        return True, wait_state(mod, created["CustomerGatewayId"], "available") or created, {}, after
    before = view(cgw)
    for option in ("ip_address", "bgp_asn"):
        if p.get(option) is not None and p.get("customer_gateway_id") and str(p[option]) != str(before[option]):
            mod.fail("%s cannot be changed: customer gateway %s has %s %s. Create a new customer gateway (leave "
                     "customer_gateway_id unset) and move the VPN connection to it." % (
                         option, before["customer_gateway_id"], option, before[option]))
    to_set, to_remove = tag_changes(before["tags"], tags, p["purge_tags"] and p.get("tags") is not None)
    after = dict(managed(before), tags=expected_tags(before["tags"], to_set, to_remove))
    changed = bool(to_set or to_remove)
    if changed and not mod.check_mode:
        apply_tags(mod, before["customer_gateway_id"], to_set, to_remove)
        cgw = fetch(mod, before["customer_gateway_id"]) or cgw
    return changed, cgw, managed(before), after


def expected_tags(before, to_set, to_remove):
    out = dict((k, v) for k, v in before.items() if k not in to_remove)
    out.update(to_set)
    return out


def refuse_if_used(mod, cgw_ids):
    """Fail, before any delete, when a live VPN connection still uses one of these gateways."""
    if not cgw_ids:
        return
    vpns = mod.call("describe_vpn_connections",
                    Filters=[{"Name": "customer-gateway-id", "Values": sorted(cgw_ids)}]).get("VpnConnections", [])
    users = [v for v in vpns if v.get("CustomerGatewayId") in cgw_ids and v.get("State") not in ("deleted", "deleting")]
    if users:
        mod.fail("Customer gateway %s is still used by VPN connection(s) %s. Delete them first "
                 "(aws_vpn_connection state=absent), then re-run." % (
                     ", ".join(sorted(set(v["CustomerGatewayId"] for v in users))),
                     ", ".join("%s (%s)" % (v["VpnConnectionId"], v.get("State")) for v in users)),
                 vpn_connection_ids=[v["VpnConnectionId"] for v in users])


def absent(mod, cgw):
    if cgw is None:
        return False, None, {}, {}
    cgw_id = cgw["CustomerGatewayId"]
    refuse_if_used(mod, [cgw_id])
    before = managed(view(cgw))
    if mod.check_mode:
        return True, cgw, before, {}
    mod.call("delete_customer_gateway", CustomerGatewayId=cgw_id)
    last = wait_state(mod, cgw_id, "deleted") if mod.params["wait"] else dict(cgw, State="deleting")
    return True, dict(last or cgw, State=(last or {}).get("State") or "deleted"), before, {}


# --- list mode ----------------------------------------------------------------------------------------
class CustomerGateways:
    """Reconcile ``customer_gateways`` against one read of the account's customer gateways."""

    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.items = self.p["customer_gateways"]
        self.scope = dict((k, str(v)) for k, v in (self.p.get("scope_tags") or {}).items())

    @staticmethod
    def validate(mod):
        p = mod.params
        given = [opt for opt in ("ip_address", "customer_gateway_id", "name") if p.get(opt)]
        if given:
            mod.fail("customer_gateways (list mode) cannot be combined with %s: give them per item." % ", ".join(given))
        if p["purge_customer_gateways"] and not p.get("scope_tags"):
            mod.fail("purge_customer_gateways needs scope_tags: only customer gateways carrying all of them are ever "
                     "deleted, so a purge never touches gateways made elsewhere.")
        seen = {}
        for index, item in enumerate(p["customer_gateways"]):
            where = "customer_gateways[%d]." % index
            check_address(mod, item["ip_address"], item["bgp_asn"], where)
            key = (item["ip_address"], item["bgp_asn"])
            if key in seen:
                mod.fail("%sip_address %s with bgp_asn %d is already listed in customer_gateways[%d]."
                         % (where, key[0], key[1], seen[key]))
            seen[key] = index

    def read(self):
        found = self.mod.paginate("describe_customer_gateways", "CustomerGateways")
        return [c for c in found if c.get("State") in LIVE]

    def in_scope(self, cgw):
        tags = tags_to_dict(cgw.get("Tags"))
        return bool(self.scope) and all(tags.get(k) == v for k, v in self.scope.items())

    def match(self, current, item, index):
        found = [c for c in current if same_device(c, item["ip_address"], item["bgp_asn"], self.p["type"])]
        if len(found) > 1 and item.get("name"):
            found = [c for c in found if tags_to_dict(c.get("Tags")).get("Name") == item["name"]] or found
        if len(found) > 1:
            self.mod.fail("customer_gateways[%d]: several customer gateways have ip_address %s and bgp_asn %d (%s); "
                          "name them (Name tag) or delete the extra ones." % (
                              index, item["ip_address"], item["bgp_asn"],
                              ", ".join(c["CustomerGatewayId"] for c in found)))
        return found[0] if found else None

    def item_tags(self, item):
        given = [t for t in (self.scope or None, self.p.get("tags"), item.get("tags")) if t is not None]
        merged = None
        if given:
            merged = {}
            for tags in given:
                merged.update(tags)
        purge = self.p["purge_tags"] and (self.p.get("tags") is not None or item.get("tags") is not None)
        return desired_tags({"tags": merged, "name": item.get("name")}), purge

    def plan(self, current):
        steps, before, after, matched = [], {}, {}, set()
        for index, item in enumerate(self.items):
            cgw = self.match(current, item, index)
            key = "%s/%d" % (item["ip_address"], item["bgp_asn"])
            if cgw is not None:
                matched.add(cgw["CustomerGatewayId"])
                before[key] = managed(view(cgw))
            if self.p["state"] == "absent":
                if cgw is not None:
                    steps.append(("delete", item, cgw, None))
                continue
            tags, purge = self.item_tags(item)
            if cgw is None:
                steps.append(("create", item, None, tags))
                after[key] = {"ip_address": item["ip_address"], "bgp_asn": item["bgp_asn"], "type": self.p["type"],
                              "tags": tags or {}}
                continue
            to_set, to_remove = tag_changes(before[key]["tags"], tags, purge)
            after[key] = dict(before[key], tags=expected_tags(before[key]["tags"], to_set, to_remove))
            if to_set or to_remove:
                steps.append(("tag", item, cgw, (to_set, to_remove)))
        if self.p["state"] == "present" and self.p["purge_customer_gateways"]:
            for cgw in current:
                if cgw["CustomerGatewayId"] not in matched and self.in_scope(cgw):
                    before["%s/%s" % (cgw.get("IpAddress"), cgw.get("BgpAsn"))] = managed(view(cgw))
                    steps.append(("delete", {"ip_address": cgw.get("IpAddress"), "bgp_asn": int(cgw.get("BgpAsn"))},
                                  cgw, None))
        refuse_if_used(self.mod, [cgw["CustomerGatewayId"] for action, item, cgw, dummy in steps if action == "delete"])
        return steps, before, after

    def apply(self, steps):
        mod = self.mod
        ready, gone = set(), set()
        for action, item, cgw, detail in steps:
            if action == "create":
                created = mod.call("create_customer_gateway", Type=self.p["type"], PublicIp=item["ip_address"],
                                   BgpAsn=item["bgp_asn"],
                                   TagSpecifications=tag_specifications("customer-gateway", detail))["CustomerGateway"]
                ready.add(created["CustomerGatewayId"])
            elif action == "tag":
                apply_tags(mod, cgw["CustomerGatewayId"], *detail)
            else:
                mod.call("delete_customer_gateway", CustomerGatewayId=cgw["CustomerGatewayId"])
                gone.add(cgw["CustomerGatewayId"])
        if not self.p["wait"] or not (ready or gone):
            return self.read()

        def settled(current):
            states = dict((c["CustomerGatewayId"], c.get("State")) for c in current)
            # A fresh create may not be visible yet: absent means "not yet", not "gone".
            return all(states.get(i) == "available" for i in ready) and not any(i in states for i in gone)

        return mod.wait(self.read, settled, "customer gateways", "available (%d) and deleted (%d)" % (
            len(ready), len(gone)))

    def run(self):
        current = self.read()
        steps, before, after = self.plan(current)
        changes = [{"action": action, "ip_address": item["ip_address"], "bgp_asn": item["bgp_asn"],
                    "customer_gateway_id": cgw["CustomerGatewayId"] if cgw else None}
                   for action, item, cgw, dummy in steps]
        if steps and not self.mod.check_mode:
            current = self.apply(steps)
        gateways = []
        if self.p["state"] == "present":
            for index, item in enumerate(self.items):
                cgw = self.match(current, item, index)
                if cgw is not None:
                    planned = view(cgw)
                    if self.mod.check_mode:
                        planned["tags"] = after["%s/%d" % (item["ip_address"], item["bgp_asn"])]["tags"]
                        planned["name"] = planned["tags"].get("Name")
                else:
                    planned = dict(after["%s/%d" % (item["ip_address"], item["bgp_asn"])], customer_gateway_id=None,
                                   state=None, name=item.get("name"))
                gateways.append(planned)
        result = dict(changed=bool(steps), customer_gateways=gateways, changes=changes)
        if self.mod.module._diff:
            result["diff"] = make_diff(before, after)
        return result


def main():
    mod = AwsModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            ip_address=dict(type="str", aliases=["public_ip"]),
            bgp_asn=dict(type="int", default=65000),
            type=dict(type="str", choices=["ipsec.1"], default="ipsec.1"),
            customer_gateway_id=dict(type="str"),
            name=dict(type="str"),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=True),
            customer_gateways=dict(type="list", elements="dict", options=dict(
                ip_address=dict(type="str", required=True),
                bgp_asn=dict(type="int", default=65000),
                name=dict(type="str"),
                tags=dict(type="dict"),
            )),
            purge_customer_gateways=dict(type="bool", default=False),
            scope_tags=dict(type="dict"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    if mod.params.get("customer_gateways") is not None:
        CustomerGateways.validate(mod)
        mod.exit(**CustomerGateways(mod).run())
    validate(mod)
    cgw = find(mod)
    if mod.params["state"] == "present":
        changed, cgw, before, after = present(mod, cgw)
    else:
        changed, cgw, before, after = absent(mod, cgw)
    result = resource_result("customer_gateway", view(cgw), changed=changed)
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
