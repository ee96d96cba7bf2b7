#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpn_gateway
short_description: Create, update and delete an Alibaba Cloud VPN gateway
version_added: 0.1.0
description:
  - Manages one VPN gateway in a VPC and vSwitch. Its public IP (RV(internet_ip)) is what the
    other cloud uses as its customer gateway.
  - The gateway is found by O(vpn_gateway_id), else by O(name) in the VPC.
  - Creation waits for the gateway to go from C(init) / C(provisioning) to C(active); deletion waits
    until it is gone. A gateway cannot be deleted while IPsec connections or route entries use it.
  - Bandwidth and the IPsec / SSL features of an existing gateway are an order change; the module
    refuses to change them and says so.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the VPN gateway should exist.
    type: str
    choices: [present, absent]
    default: present
  vpn_gateway_id:
    description: ID of an existing VPN gateway. Without it the gateway is found by O(name) in the VPC.
    type: str
  name:
    description:
      - Name of the gateway, 2-100 characters starting with a letter (letters, digits, C(_), C(-), C(.)).
      - Required to create a gateway or to find one without O(vpn_gateway_id).
    type: str
  description:
    description: Description of the gateway.
    type: str
  vpc_id:
    description: VPC of the gateway. One of O(vpc_id) or O(vpc_name) is needed to create or find by name.
    type: str
  vpc_name:
    description: Name of the VPC, looked up when O(vpc_id) is not given (must be unique in the region).
    type: str
  vswitch_id:
    description: vSwitch of the gateway. Without it the cloud picks one of the VPC's vSwitches.
    type: str
  bandwidth:
    description: Bandwidth in Mbit/s.
    type: int
    default: 10
    choices: [5, 10, 20, 50, 100, 200, 500, 1000]
  enable_ipsec:
    description: Enable IPsec-VPN on the gateway.
    type: bool
    default: true
  enable_ssl:
    description: Enable SSL-VPN on the gateway.
    type: bool
    default: false
  ssl_connections:
    description: Maximum concurrent SSL-VPN clients when O(enable_ssl=true) (5, 10, 20, 50, 100, 200, 500 or 1000).
    type: int
    default: 0
  tags:
    description: Tags of the gateway.
    type: dict
  purge_tags:
    description: Remove tags not listed in O(tags) (only when O(tags) is given).
    type: bool
    default: false
  wait:
    description: Wait for the gateway to be C(active) (or gone, with O(state=absent)).
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
- name: VPN gateway in the Tokyo VPC
  multicloud.transit.alicloud_vpn_gateway:
    alicloud_region: ap-northeast-1
    name: tokyo-vpn
    vpc_name: tokyo-vpc
    bandwidth: 10
  register: vpn_gw

- name: Its public IP becomes the AWS customer gateway
  ansible.builtin.debug:
    msg: "{{ vpn_gw.internet_ip }}"

- name: Remove it (IPsec connections and routes first)
  multicloud.transit.alicloud_vpn_gateway:
    alicloud_region: ap-northeast-1
    name: tokyo-vpn
    vpc_name: tokyo-vpc
    state: absent
"""

RETURN = r"""
vpn_gateway_id:
  description: ID of the gateway (null in check mode before creation, or when absent).
  returned: always
  type: str
  sample: vpn-6we2f7ut0h4k2tw0bwbvs
internet_ip:
  description: Public IP address of the gateway.
  returned: when the gateway exists
  type: str
  sample: 198.51.100.254
status:
  description: Status (init, provisioning, active, updating, deleting).
  returned: when the gateway exists
  type: str
  sample: active
vpn_gateway:
  description: The gateway as DescribeVpnGateways returns it, in snake_case (tags as a dict).
  returned: always
  type: dict
  sample: {"vpn_gateway_id": "vpn-6we...", "vpc_id": "vpc-6we...", "v_switch_id": "vsw-6we...", "spec": "10M",
           "ipsec_vpn": "enable", "ssl_vpn": "disable", "business_status": "Normal", "tags": {"env": "demo"}}
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, tags_param
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict, tags_to_dict

BANDWIDTHS = [5, 10, 20, 50, 100, 200, 500, 1000]
NOT_FOUND = ("InvalidVpnGatewayInstanceId.NotFound",)


class VpnGateway:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.vpc_id = self.p["vpc_id"]

    def resolve_vpc(self):
        if self.vpc_id or not self.p["vpc_name"]:
            return
        vpcs = self.mod.paginate("vpc", "DescribeVpcs", {"VpcName": self.p["vpc_name"]}, "Vpcs.Vpc")
        vpcs = [v for v in vpcs if v.get("VpcName") == self.p["vpc_name"]]
        if len(vpcs) != 1:
            self.mod.fail("vpc_name %s matches %d VPCs in region %s; give vpc_id."
                          % (self.p["vpc_name"], len(vpcs), self.mod.region))
        self.vpc_id = vpcs[0]["VpcId"]

    def get(self, gw_id):
        found = self.mod.paginate("vpc", "DescribeVpnGateways", {"VpnGatewayId": gw_id}, "VpnGateways.VpnGateway")
        return next((g for g in found if g["VpnGatewayId"] == gw_id), None)

    def find(self):
        if self.p["vpn_gateway_id"]:
            gw = self.get(self.p["vpn_gateway_id"])
            if gw is None and self.p["state"] == "present":
                self.mod.fail("vpn_gateway_id %s was not found in region %s of this account."
                              % (self.p["vpn_gateway_id"], self.mod.region))
            return gw
        if not self.p["name"]:
            self.mod.fail("name is required when vpn_gateway_id is not given.")
        params = {"VpcId": self.vpc_id} if self.vpc_id else {}
        found = [g for g in self.mod.paginate("vpc", "DescribeVpnGateways", params, "VpnGateways.VpnGateway")
                 if g.get("Name") == self.p["name"] and g.get("Status") != "deleting"]
        if len(found) > 1:
            self.mod.fail("%d VPN gateways are named %s%s; give vpn_gateway_id."
                          % (len(found), self.p["name"], " in " + self.vpc_id if self.vpc_id else ""))
        return found[0] if found else None

    def wait_active(self, gw_id):
        if not self.p["wait"]:
            return self.get(gw_id)
        return self.mod.wait(lambda: self.get(gw_id), lambda g: g is not None and g["Status"] == "active",
                             "VPN gateway %s" % gw_id, "active")

    # --- views -------------------------------------------------------------------------------
    @staticmethod
    def managed(gw):
        if not gw:
            return {}
        return {"name": gw.get("Name"), "description": gw.get("Description") or "", "vpc_id": gw.get("VpcId"),
                "vswitch_id": gw.get("VSwitchId"), "bandwidth": int(str(gw.get("Spec") or "0").rstrip("M") or 0),
                "enable_ipsec": gw.get("IpsecVpn") == "enable", "enable_ssl": gw.get("SslVpn") == "enable",
                "ssl_connections": gw.get("SslMaxConnections") or 0,
                "tags": tags_to_dict(dig_tags(gw))}

    def desired(self, current):
        p = self.p
        out = dict(current)
        out.update({"name": p["name"] or current.get("name"), "vpc_id": self.vpc_id or current.get("vpc_id"),
                    "bandwidth": p["bandwidth"], "enable_ipsec": p["enable_ipsec"], "enable_ssl": p["enable_ssl"],
                    "ssl_connections": self.ssl_connections()})
        if p["vswitch_id"]:
            out["vswitch_id"] = p["vswitch_id"]
        if p["description"] is not None:
            out["description"] = p["description"]
        if p["tags"] is not None:
            tags = {} if p["purge_tags"] else dict(current.get("tags") or {})
            tags.update(dict((k, str(v)) for k, v in p["tags"].items()))
            out["tags"] = tags
        return out

    def ssl_connections(self):
        if not self.p["enable_ssl"]:
            return 0
        return self.p["ssl_connections"] or 5

    @staticmethod
    def result(gw):
        if not gw:
            return {"vpn_gateway_id": None, "vpn_gateway": {}}
        view = snake_dict(dict((k, v) for k, v in gw.items() if k not in ("Tags", "Tag")))
        view["tags"] = tags_to_dict(dig_tags(gw))
        return {"vpn_gateway_id": gw["VpnGatewayId"], "internet_ip": gw.get("InternetIp"),
                "status": gw.get("Status"), "vpn_gateway": view}

    # --- actions ---------------------------------------------------------------------------------
    def validate(self):
        p = self.p
        if p["state"] == "present":
            if p["enable_ssl"] and p["ssl_connections"] not in (0, 5, 10, 20, 50, 100, 200, 500, 1000):
                self.mod.fail("ssl_connections must be one of 5, 10, 20, 50, 100, 200, 500, 1000 when "
                              "enable_ssl is true (got %s)." % p["ssl_connections"])
            if not p["enable_ssl"] and p["ssl_connections"]:
                self.mod.fail("ssl_connections is set but enable_ssl is false; set enable_ssl: true or drop it.")
            name = p["name"]
            if name is not None and (not 2 <= len(name) <= 100 or not name[0].isalpha()
                                     or any(not (c.isalnum() or c in "_-.") for c in name)):
                self.mod.fail("name %r is invalid: 2-100 characters, starting with a letter; letters, digits, "
                              "'_', '-' and '.' only." % name)

    def present(self):
        current = self.find()
        before = self.managed(current)
        if current is None:
            if not self.vpc_id:
                self.mod.fail("vpc_id or vpc_name is required to create a VPN gateway.")
            if not self.p["name"]:
                self.mod.fail("name is required to create a VPN gateway.")
            after = self.desired({"description": "", "tags": {}})
            if self.mod.check_mode:
                return True, None, before, after
            params = {"VpcId": self.vpc_id, "VSwitchId": self.p["vswitch_id"], "Name": self.p["name"],
                      "Bandwidth": self.p["bandwidth"], "EnableIpsec": self.p["enable_ipsec"],
                      "EnableSsl": self.p["enable_ssl"], "AutoPay": True, "InstanceChargeType": "POSTPAY"}
            if self.p["enable_ssl"]:
                params["SslConnections"] = self.ssl_connections()
            gw_id = self.mod.create("vpc", "CreateVpnGateway", params)["VpnGatewayId"]
            gw = self.wait_active(gw_id)
            if self.p["description"] or self.p["tags"]:
                self.update(gw_id, self.managed(gw), after)
                gw = self.get(gw_id)
            return True, gw, before, self.managed(gw)
        after = self.desired(before)
        fixed = [k for k in ("vpc_id", "vswitch_id", "bandwidth", "enable_ipsec", "enable_ssl", "ssl_connections")
                 if after.get(k) != before.get(k)]
        if fixed:
            self.mod.fail("The VPN gateway %s exists with %s; %s cannot be changed by this module (an order change "
                          "in the console, or delete the gateway and create it again)."
                          % (current["VpnGatewayId"], ", ".join("%s=%s" % (k, before.get(k)) for k in fixed),
                             ", ".join(fixed)))
        if after == before:
            return False, current, before, after
        if self.mod.check_mode:
            return True, current, before, after
        gw_id = current["VpnGatewayId"]
        if current["Status"] != "active":
            self.wait_active(gw_id)
        self.update(gw_id, before, after)
        return True, self.get(gw_id), before, self.managed(self.get(gw_id))

    def update(self, gw_id, before, after):
        attrs = {}
        if after.get("name") != before.get("name"):
            attrs["Name"] = after["name"]
        if after.get("description") != before.get("description"):
            attrs["Description"] = after["description"]
        if attrs:
            attrs["VpnGatewayId"] = gw_id
            self.mod.call("vpc", "ModifyVpnGatewayAttribute", attrs)
        have, want = before.get("tags") or {}, after.get("tags") or {}
        gone = sorted(k for k in have if k not in want)
        if gone:
            self.mod.call("vpc", "UnTagResources", {"ResourceType": "VPNGATEWAY", "ResourceId": [gw_id],
                                                    "TagKey": gone})
        new = dict((k, v) for k, v in want.items() if have.get(k) != v)
        if new:
            self.mod.call("vpc", "TagResources", {"ResourceType": "VPNGATEWAY", "ResourceId": [gw_id],
                                                  "Tag": tags_param(new)})

    def absent(self):
        current = self.find()
        if current is None:
            return False, None, {}, {}
        before = self.managed(current)
        if self.mod.check_mode:
            return True, None, before, {}
        gw_id = current["VpnGatewayId"]
        if current["Status"] != "deleting":
            self.mod.call("vpc", "DeleteVpnGateway", {"VpnGatewayId": gw_id}, ignore_codes=NOT_FOUND)
        if self.p["wait"]:
            self.mod.wait(lambda: self.get(gw_id), lambda g: g is None, "VPN gateway %s" % gw_id, "deleted")
        return True, None, before, {}


def dig_tags(gw):
    return ((gw or {}).get("Tags") or {}).get("Tag") or []


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "absent"]),
            vpn_gateway_id=dict(type="str"),
            name=dict(type="str"),
            description=dict(type="str"),
            vpc_id=dict(type="str"),
            vpc_name=dict(type="str"),
            vswitch_id=dict(type="str"),
            bandwidth=dict(type="int", default=10, choices=BANDWIDTHS),
            enable_ipsec=dict(type="bool", default=True),
            enable_ssl=dict(type="bool", default=False),
            ssl_connections=dict(type="int", default=0),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
        mutually_exclusive=[["vpc_id", "vpc_name"]],
    )
    manager = VpnGateway(mod)
    manager.validate()
    manager.resolve_vpc()
    if mod.params["state"] == "present":
        changed, gw, before, after = manager.present()
    else:
        changed, gw, before, after = manager.absent()
    result = dict(changed=changed, **manager.result(gw))
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
