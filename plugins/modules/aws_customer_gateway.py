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

- name: Remove it (its VPN connection must be deleted first)
  multicloud.transit.aws_customer_gateway:
    customer_gateway_id: "{{ cgw.customer_gateway_id }}"
    state: absent
"""

RETURN = r"""
customer_gateway_id:
  description: ID of the customer gateway.
  returned: when it exists (or existed before O(state=absent))
  type: str
  sample: cgw-0a1b2c3d4e5f60718
ip_address:
  description: Its public IP address.
  returned: when it exists
  type: str
  sample: 192.0.2.10
bgp_asn:
  description: Its BGP ASN.
  returned: when it exists
  type: int
  sample: 65000
type:
  description: Its VPN type.
  returned: when it exists
  type: str
  sample: ipsec.1
state:
  description: Its state (C(pending), C(available), C(deleting), C(deleted)).
  returned: when it exists
  type: str
  sample: available
name:
  description: Its C(Name) tag.
  returned: when it exists
  type: str
  sample: alibaba-tokyo-vpngw
tags:
  description: Its tags.
  returned: when it exists
  type: dict
  sample: {"Name": "alibaba-tokyo-vpngw"}
"""

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.aws import AwsModule, tag_specifications
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


def validate(mod):
    p = mod.params
    if p.get("ip_address") is not None:
        try:
            ipaddress.IPv4Address(u"%s" % p["ip_address"])
        except ValueError:
            mod.fail("ip_address %r is not an IPv4 address: give the public IPv4 address of the customer device."
                     % p["ip_address"])
    if not 1 <= p["bgp_asn"] <= 2147483647:
        mod.fail("bgp_asn %d is out of range: AWS accepts 1-2147483647 (65000 is the usual private ASN)." % p["bgp_asn"])
    if p["state"] == "present" and not (p.get("ip_address") or p.get("customer_gateway_id")):
        mod.fail("ip_address is required to create a customer gateway: give the public IP of the other side's device.")


def fetch(mod, cgw_id):
    found = mod.paginate("describe_customer_gateways", "CustomerGateways",
                         Filters=[{"Name": "customer-gateway-id", "Values": [cgw_id]}])
    found = [c for c in found if c.get("CustomerGatewayId") == cgw_id]
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
        found = [c for c in found if c.get("State") in LIVE and c.get("IpAddress") == p["ip_address"]
                 and str(c.get("BgpAsn")) == str(p["bgp_asn"]) and c.get("Type") == p["type"]]
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


def wait_state(mod, cgw_id, wanted):
    if not mod.params["wait"]:
        return fetch(mod, cgw_id)
    if wanted == "deleted":
        return mod.wait(lambda: fetch(mod, cgw_id), lambda c: c is None or c.get("State") == "deleted",
                        "customer gateway %s" % cgw_id, "deleted")
    return mod.wait(lambda: fetch(mod, cgw_id), lambda c: c is not None and c.get("State") == "available",
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
    after = managed(before)
    new_tags = dict((k, v) for k, v in before["tags"].items() if k not in to_remove)
    new_tags.update(to_set)
    after["tags"] = new_tags
    changed = bool(to_set or to_remove)
    if changed and not mod.check_mode:
        apply_tags(mod, before["customer_gateway_id"], to_set, to_remove)
        cgw = fetch(mod, before["customer_gateway_id"]) or cgw
    return changed, cgw, managed(before), after


def absent(mod, cgw):
    if cgw is None:
        return False, None, {}, {}
    cgw_id = cgw["CustomerGatewayId"]
    vpns = mod.call("describe_vpn_connections",
                    Filters=[{"Name": "customer-gateway-id", "Values": [cgw_id]}]).get("VpnConnections", [])
    users = [v for v in vpns if v.get("CustomerGatewayId") == cgw_id and v.get("State") not in ("deleted", "deleting")]
    if users:
        mod.fail("Customer gateway %s is still used by VPN connection(s) %s. Delete them first "
                 "(aws_vpn_connection state=absent), then re-run." % (
                     cgw_id, ", ".join("%s (%s)" % (v["VpnConnectionId"], v.get("State")) for v in users)),
                 vpn_connection_ids=[v["VpnConnectionId"] for v in users])
    before = managed(view(cgw))
    if mod.check_mode:
        return True, cgw, before, {}
    mod.call("delete_customer_gateway", CustomerGatewayId=cgw_id)
    last = wait_state(mod, cgw_id, "deleted") if mod.params["wait"] else dict(cgw, State="deleting")
    return True, dict(last or cgw, State=(last or {}).get("State") or "deleted"), before, {}


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
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    cgw = find(mod)
    if mod.params["state"] == "present":
        changed, cgw, before, after = present(mod, cgw)
    else:
        changed, cgw, before, after = absent(mod, cgw)
    result = dict(changed=changed, **view(cgw))
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
