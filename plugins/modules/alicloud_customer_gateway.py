#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_customer_gateway
short_description: Create, update and delete Alibaba Cloud customer gateways
version_added: 0.1.0
description:
  - A customer gateway is the other end of an IPsec-VPN connection as Alibaba Cloud sees it. For a
    tunnel to AWS it is one AWS tunnel's outside IP address.
  - One gateway (O(customer_gateway_id) / O(ip_address) and friends), or several in one call with
    O(customer_gateways) (a bridge to AWS needs two or four at once).
  - A gateway is found by O(customer_gateway_id), else by its IP address (unique per region and
    account).
  - The IP address and ASN of an existing gateway cannot be changed; the name, description and BGP
    authentication key can.
  - After a create the module waits until a read by the id the create returned sees the gateway (reads
    are eventually consistent), so the id it returns is never null and can be used at once.
  - A customer gateway cannot be deleted while an IPsec-VPN connection (or one tunnel of one) uses it.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the customer gateway(s) should exist.
    type: str
    choices: [present, absent]
    default: present
  customer_gateway_id:
    description: ID of an existing customer gateway (single mode).
    type: str
  ip_address:
    description:
      - Static public IPv4 address of the peer device (single mode). Required unless O(customer_gateway_id) is
        given. Not in 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4 or 255.0.0.0/8.
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
  customer_gateways:
    description:
      - Several customer gateways in one call (list mode), each identified by its IP address. Not with
        the single-mode options.
      - Gateways not listed are left alone (a region's customer gateways may serve other connections).
    type: list
    elements: dict
    suboptions:
      ip_address:
        description: Static public IPv4 address of the peer device.
        type: str
        required: true
      asn:
        description: BGP AS number of the peer.
        type: int
      auth_key:
        description: BGP MD5 authentication key. Never logged.
        type: str
      name:
        description: Name of the customer gateway.
        type: str
      description:
        description: Description of the customer gateway.
        type: str
  wait:
    description: After a create, wait until reads by the new id see the gateway.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
notes:
  - Supports check mode and diff mode (authentication keys masked).
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: One customer gateway
  multicloud.transit.alicloud_customer_gateway:
    alicloud_region: ap-northeast-1
    name: aws-tunnel-1
    ip_address: 203.0.113.10

- name: Customer gateways for tunnel 1 of both AWS VPN connections, in one call
  multicloud.transit.alicloud_customer_gateway:
    alicloud_region: ap-northeast-1
    customer_gateways:
      - {name: aws-vpn-1-tunnel-1, ip_address: "{{ vpn1.tunnels[0].outside_ip_address }}"}
      - {name: aws-vpn-2-tunnel-1, ip_address: "{{ vpn2.tunnels[0].outside_ip_address }}"}
  register: aws_cgws
"""

RETURN = r"""
customer_gateway_id:
  description: ID of the customer gateway (single mode; null in check mode before creation, or when absent).
  returned: single mode
  type: str
  sample: cgw-6we4w8ax9cskl0r0uadbl
customer_gateway:
  description: The customer gateway as DescribeCustomerGateways returns it, in snake_case (no auth key).
  returned: single mode
  type: dict
  sample: {"customer_gateway_id": "cgw-6we...", "ip_address": "203.0.113.10", "asn": 65000, "name": "aws-tunnel-1"}
customer_gateways:
  description:
    - The listed gateways in the order given, as RV(customer_gateway) (list mode). With O(state=absent), or in
      check mode before creation, C(customer_gateway_id) is null.
  returned: list mode
  type: list
  elements: dict
  sample: [{"customer_gateway_id": "cgw-6we...", "ip_address": "203.0.113.10", "name": "aws-vpn-1-tunnel-1"}]
"""

import ipaddress

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.alicloud_vpn import wait_visible
from ansible_collections.multicloud.transit.plugins.module_utils.common import client_token, make_diff, snake_dict

SECRETS = ("auth_key", "AuthKey")
FIELDS = ("ip_address", "asn", "auth_key", "name", "description")
SINGLE_OPTIONS = ("customer_gateway_id",) + FIELDS
NOT_FOUND = ("InvalidCustomerGatewayInstanceId.NotFound",)
ALREADY_EXISTS = ("InvalidIpAddress.AlreadyExist",)
# CreateCustomerGateway.IpAddress: "The following IP addresses are not supported".
UNSUPPORTED_IPS = tuple(ipaddress.ip_network(n) for n in (
    u"100.64.0.0/10", u"127.0.0.0/8", u"169.254.0.0/16", u"224.0.0.0/4", u"255.0.0.0/8"))


def gateway_options(ip_required=False):
    return dict(
        ip_address=dict(type="str", required=ip_required),
        asn=dict(type="int"),
        auth_key=dict(type="str", no_log=True),
        name=dict(type="str"),
        description=dict(type="str"),
    )


def describe(mod, cgw_id=None):
    params = {"CustomerGatewayId": cgw_id} if cgw_id else {}
    return mod.paginate("vpc", "DescribeCustomerGateways", params, "CustomerGateways.CustomerGateway")


def by_id(mod, cgw_id):
    return next((c for c in describe(mod, cgw_id) if c["CustomerGatewayId"] == cgw_id), None)


def managed(cgw):
    if not cgw:
        return {}
    return {"ip_address": cgw.get("IpAddress"), "asn": cgw.get("Asn") or None, "name": cgw.get("Name"),
            "description": cgw.get("Description") or "", "auth_key": cgw.get("AuthKey") or None}


def public(cgw):
    if not cgw:
        return {}
    return snake_dict(dict((k, v) for k, v in cgw.items() if k not in SECRETS))


def validate(mod, item, where=""):
    """Refuse a wrong value before any call; ``where`` prefixes the field (list mode)."""
    if item.get("ip_address"):
        try:
            ip = ipaddress.IPv4Address(to_text(item["ip_address"]))
        except ValueError:
            mod.fail("%sip_address %r is not an IPv4 address; give the peer's static public IP."
                     % (where, item["ip_address"]))
        if any(ip in net for net in UNSUPPORTED_IPS):
            mod.fail("%sip_address %s cannot be a customer gateway (Alibaba Cloud does not support 100.64.0.0/10, "
                     "127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4 or 255.0.0.0/8); give the peer's public IP."
                     % (where, ip))
    asn = item.get("asn")
    if asn is not None and (not 1 <= asn <= 4294967295 or asn == 45104):
        mod.fail("%sasn %s is invalid: use 1-4294967295, and not 45104 (the Alibaba Cloud side's ASN)." % (where, asn))
    for key in ("name", "description"):
        value = item.get(key)
        if value is not None and (not 1 <= len(value) <= 100 or value.startswith(("http://", "https://"))):
            mod.fail("%s%s must be 1-100 characters, not starting with http:// or https://." % (where, key))


class CustomerGateways:
    def __init__(self, mod):
        self.mod = mod
        self._all = None

    def all(self):
        if self._all is None:
            self._all = describe(self.mod)
        return self._all

    def find(self, item, cgw_id=None):
        if cgw_id:
            found = by_id(self.mod, cgw_id)
            if found is None and self.mod.params["state"] == "present":
                self.mod.fail("customer_gateway_id %s was not found in region %s of this account."
                              % (cgw_id, self.mod.region))
            return found
        return next((c for c in self.all() if c.get("IpAddress") == item["ip_address"]), None)

    def present(self, item, current):
        before = managed(current)
        after = dict(before)
        after.update(dict((k, item[k]) for k in FIELDS if item.get(k) is not None))
        if current is None:
            after.setdefault("description", "")
            if self.mod.check_mode:
                return True, None, before, after
            created, cgw = self.create(item)
            if not created:  # adopted: compare it with the item like any existing gateway
                return self.present(item, cgw)
            return True, cgw, before, managed(cgw)
        fixed = [k for k in ("ip_address", "asn") if after.get(k) != before.get(k)]
        if fixed:
            self.mod.fail("The customer gateway %s has %s; %s cannot be changed. Delete it (state=absent) and create "
                          "it again, after removing the IPsec-VPN connections that use it."
                          % (current["CustomerGatewayId"], ", ".join("%s=%s" % (k, before.get(k)) for k in fixed),
                             " and ".join(fixed)))
        changes = dict((k, after[k]) for k in ("name", "description", "auth_key") if after.get(k) != before.get(k))
        if not changes:
            return False, current, before, after
        if self.mod.check_mode:
            return True, current, before, after
        cgw_id = current["CustomerGatewayId"]
        self.mod.call("vpc", "ModifyCustomerGatewayAttribute", {
            "CustomerGatewayId": cgw_id, "Name": changes.get("name"), "Description": changes.get("description"),
            "AuthKey": changes.get("auth_key")})
        current = by_id(self.mod, cgw_id)
        return True, current, before, managed(current)

    def create(self, item):
        """(created, gateway): a new gateway, or one a moment-old create made that reads did not show yet."""
        params = {"IpAddress": item["ip_address"], "Asn": item.get("asn"), "Name": item.get("name"),
                  "Description": item.get("description"), "AuthKey": item.get("auth_key"),
                  "ClientToken": client_token()}
        body = self.mod.call("vpc", "CreateCustomerGateway", params, ignore_codes=ALREADY_EXISTS)
        if body is None:
            # The IP already has a gateway that reads did not show yet (a create moments ago): adopt it.
            return False, wait_visible(self.mod, lambda: next((c for c in describe(self.mod)
                                                               if c.get("IpAddress") == item["ip_address"]), None),
                                       "the customer gateway of %s" % item["ip_address"])
        cgw_id = body["CustomerGatewayId"]
        if not self.mod.params["wait"]:
            return True, dict(body, CustomerGatewayId=cgw_id)
        return True, wait_visible(self.mod, lambda: by_id(self.mod, cgw_id), "customer gateway %s" % cgw_id)

    def absent(self, current):
        if current is None:
            return False, None, {}, {}
        before = managed(current)
        if not self.mod.check_mode:
            self.mod.call("vpc", "DeleteCustomerGateway", {"CustomerGatewayId": current["CustomerGatewayId"]},
                          ignore_codes=NOT_FOUND)
        return True, None, before, {}

    def run(self, item, cgw_id=None):
        current = self.find(item, cgw_id)
        if self.mod.params["state"] == "present":
            return self.present(item, current)
        return self.absent(current)


def main():
    single = gateway_options()
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            customer_gateway_id=dict(type="str"),
            customer_gateways=dict(type="list", elements="dict", options=gateway_options(ip_required=True)),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
            **single
        ),
        supports_check_mode=True,
        mutually_exclusive=[["customer_gateways", option] for option in SINGLE_OPTIONS],
    )
    p = mod.params
    manager = CustomerGateways(mod)
    if p["customer_gateways"] is not None:
        items = p["customer_gateways"]
        ips = [item["ip_address"] for item in items]
        duplicates = sorted(set(ip for ip in ips if ips.count(ip) > 1))
        if duplicates:
            mod.fail("customer_gateways: %s is listed more than once; one customer gateway per IP address."
                     % ", ".join(duplicates))
        for position, item in enumerate(items):
            validate(mod, item, "customer_gateways[%d]." % position)
        outcomes = [manager.run(item) for item in items]
        result = dict(changed=any(o[0] for o in outcomes),
                      customer_gateways=[dict(public(o[1]), customer_gateway_id=(o[1] or {}).get("CustomerGatewayId"))
                                         for o in outcomes])
        before, after = {"customer_gateways": [o[2] for o in outcomes]}, {"customer_gateways": [o[3] for o in outcomes]}
    else:
        if p["state"] == "present" and not p["ip_address"] and not p["customer_gateway_id"]:
            mod.fail("ip_address is required to create or find a customer gateway (or give customer_gateway_id, "
                     "or customer_gateways for several).")
        if not p["ip_address"] and not p["customer_gateway_id"]:
            mod.fail("ip_address or customer_gateway_id is required.")
        item = dict((k, p[k]) for k in FIELDS)
        validate(mod, item)
        changed, cgw, before, after = manager.run(item, p["customer_gateway_id"])
        result = dict(changed=changed, customer_gateway_id=(cgw or {}).get("CustomerGatewayId"),
                      customer_gateway=public(cgw))
    if mod.module._diff:
        result["diff"] = make_diff(before, after, SECRETS)
    mod.exit(**result)


if __name__ == "__main__":
    main()
