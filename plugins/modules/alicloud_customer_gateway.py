#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_customer_gateway
short_description: Create, update and delete an Alibaba Cloud customer gateway
version_added: 0.1.0
description:
  - A customer gateway is the other end of an IPsec-VPN connection as Alibaba Cloud sees it. For a
    tunnel to AWS it is one AWS tunnel's outside IP address.
  - The gateway is found by O(customer_gateway_id), else by O(ip_address) (unique per region and
    account).
  - O(ip_address) and O(asn) of an existing gateway cannot be changed; O(name), O(description) and
    O(auth_key) can.
  - A customer gateway cannot be deleted while an IPsec-VPN connection uses it.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the customer gateway should exist.
    type: str
    choices: [present, absent]
    default: present
  customer_gateway_id:
    description: ID of an existing customer gateway.
    type: str
  ip_address:
    description: Static public IPv4 address of the peer device. Required unless O(customer_gateway_id) is given.
    type: str
  asn:
    description: BGP AS number of the peer (1-4294967295, not 45104), for BGP dynamic routing.
    type: int
  auth_key:
    description: BGP MD5 authentication key. Never logged.
    type: str
  name:
    description: Name of the customer gateway (1-100 characters).
    type: str
  description:
    description: Description of the customer gateway.
    type: str
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Customer gateways for both tunnels of the AWS VPN
  multicloud.transit.alicloud_customer_gateway:
    alicloud_region: ap-northeast-1
    name: "aws-tunnel-{{ idx + 1 }}"
    ip_address: "{{ item.outside_ip_address }}"
  loop: "{{ aws_vpn.tunnels }}"
  loop_control:
    index_var: idx
"""

RETURN = r"""
customer_gateway_id:
  description: ID of the customer gateway (null in check mode before creation, or when absent).
  returned: always
  type: str
  sample: cgw-6we4w8ax9cskl0r0uadbl
customer_gateway:
  description: The customer gateway as DescribeCustomerGateways returns it, in snake_case (no auth key).
  returned: always
  type: dict
  sample: {"customer_gateway_id": "cgw-6we...", "ip_address": "203.0.113.10", "asn": 65000, "name": "aws-tunnel-1"}
"""

import ipaddress

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict

SECRETS = ("auth_key", "AuthKey")


def describe(mod, cgw_id=None):
    params = {"CustomerGatewayId": cgw_id} if cgw_id else {}
    return mod.paginate("vpc", "DescribeCustomerGateways", params, "CustomerGateways.CustomerGateway")


def managed(cgw):
    if not cgw:
        return {}
    return {"ip_address": cgw.get("IpAddress"), "asn": cgw.get("Asn") or None, "name": cgw.get("Name"),
            "description": cgw.get("Description") or "", "auth_key": cgw.get("AuthKey") or None}


def public(cgw):
    if not cgw:
        return {}
    return snake_dict(dict((k, v) for k, v in cgw.items() if k not in SECRETS))


def validate(mod):
    p = mod.params
    if p["state"] == "present":
        if not p["ip_address"] and not p["customer_gateway_id"]:
            mod.fail("ip_address is required to create or find a customer gateway (or give customer_gateway_id).")
        if p["ip_address"]:
            try:
                ipaddress.IPv4Address(to_text(p["ip_address"]))
            except ValueError:
                mod.fail("ip_address %r is not an IPv4 address; give the peer's static public IP." % p["ip_address"])
        if p["asn"] is not None and (not 1 <= p["asn"] <= 4294967295 or p["asn"] == 45104):
            mod.fail("asn %s is invalid: use 1-4294967295, and not 45104 (the Alibaba Cloud side's ASN)." % p["asn"])
        if p["name"] is not None and not 1 <= len(p["name"]) <= 100:
            mod.fail("name must be 1-100 characters.")


def find(mod):
    p = mod.params
    if p["customer_gateway_id"]:
        found = [c for c in describe(mod, p["customer_gateway_id"]) if c["CustomerGatewayId"] == p["customer_gateway_id"]]
        if not found and p["state"] == "present":
            mod.fail("customer_gateway_id %s was not found in region %s of this account."
                     % (p["customer_gateway_id"], mod.region))
        return found[0] if found else None
    if not p["ip_address"]:
        mod.fail("ip_address or customer_gateway_id is required.")
    return next((c for c in describe(mod) if c.get("IpAddress") == p["ip_address"]), None)


def present(mod, current):
    p = mod.params
    before = managed(current)
    after = dict(before)
    for key in ("ip_address", "asn", "name", "description", "auth_key"):
        if p[key] is not None:
            after[key] = p[key]
    if current is None:
        after.setdefault("description", "")
        if mod.check_mode:
            return True, None, before, after
        params = {"IpAddress": p["ip_address"], "Asn": p["asn"], "Name": p["name"], "Description": p["description"],
                  "AuthKey": p["auth_key"]}
        cgw_id = mod.create("vpc", "CreateCustomerGateway", params)["CustomerGatewayId"]
        current = next((c for c in describe(mod, cgw_id) if c["CustomerGatewayId"] == cgw_id), None)
        return True, current, before, managed(current)
    fixed = [k for k in ("ip_address", "asn") if after.get(k) != before.get(k)]
    if fixed:
        mod.fail("The customer gateway %s has %s; %s cannot be changed. Delete it (state=absent) and create it "
                 "again, after removing the IPsec connections that use it."
                 % (current["CustomerGatewayId"], ", ".join("%s=%s" % (k, before.get(k)) for k in fixed),
                    " and ".join(fixed)))
    changes = dict((k, after[k]) for k in ("name", "description", "auth_key") if after.get(k) != before.get(k))
    if not changes:
        return False, current, before, after
    if mod.check_mode:
        return True, current, before, after
    mod.call("vpc", "ModifyCustomerGatewayAttribute", {
        "CustomerGatewayId": current["CustomerGatewayId"], "Name": changes.get("name"),
        "Description": changes.get("description"), "AuthKey": changes.get("auth_key")})
    cgw_id = current["CustomerGatewayId"]
    current = next((c for c in describe(mod, cgw_id) if c["CustomerGatewayId"] == cgw_id), None)
    return True, current, before, managed(current)


def absent(mod, current):
    if current is None:
        return False, None, {}, {}
    before = managed(current)
    if not mod.check_mode:
        mod.call("vpc", "DeleteCustomerGateway", {"CustomerGatewayId": current["CustomerGatewayId"]},
                 ignore_codes=("InvalidCustomerGatewayInstanceId.NotFound",))
    return True, None, before, {}


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            customer_gateway_id=dict(type="str"),
            ip_address=dict(type="str"),
            asn=dict(type="int"),
            auth_key=dict(type="str", no_log=True),
            name=dict(type="str"),
            description=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    current = find(mod)
    if mod.params["state"] == "present":
        changed, cgw, before, after = present(mod, current)
    else:
        changed, cgw, before, after = absent(mod, current)
    result = dict(changed=changed, customer_gateway_id=(cgw or {}).get("CustomerGatewayId"),
                  customer_gateway=public(cgw))
    if mod.module._diff:
        result["diff"] = make_diff(before, after, SECRETS)
    mod.exit(**result)


if __name__ == "__main__":
    main()
