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
  - Manages one VPN gateway in a VPC. Its public IP (RV(internet_ip)) is what the other cloud uses as its
    customer gateway; a dual-tunnel gateway has a second one (RV(disaster_recovery_internet_ip)) for the
    slave tunnels of its connections.
  - Where a region takes dual-tunnel IPsec-VPN connections, a new gateway needs two vSwitches in two
    zones (O(vswitch_id) and O(disaster_recovery_vswitch_id)) and accepts dual-tunnel connections only
    (multicloud.transit.alicloud_ipsec_connection with O(multicloud.transit.alicloud_ipsec_connection#module:tunnels)).
    Those not given are chosen from the VPC's vSwitches, in the zones the API offers for VPN gateways of
    this bandwidth (DescribeVpnGatewayAvailableZones) - two different zones, the first in the API's order
    that the VPC has vSwitches in, and in each zone the vSwitch with the lowest id. The choice is made only
    on creation, so re-runs keep it. When the VPC has vSwitches in only one of several offered zones, only
    O(vswitch_id) is sent - a single-tunnel region accepts that, a dual-tunnel region refuses it, and the
    error says which zones to add a vSwitch in.
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
    description: vSwitch of the gateway (of its master tunnels). Chosen as the description says when not given.
    type: str
  disaster_recovery_vswitch_id:
    description:
      - Second vSwitch of a dual-tunnel gateway (its slave tunnels), in another zone than O(vswitch_id) where
        the region has several. Chosen as the description says when not given.
    type: str
  bandwidth:
    description:
      - Bandwidth in Mbit/s. The China site offers 5, 10, 20, 50, 100, 200, 500 and 1000; the international
        site 10, 100, 200, 500 and 1000. With O(instance_charge_type) set, the site's values are checked before
        any call.
    type: int
    default: 10
    choices: [5, 10, 20, 50, 100, 200, 500, 1000]
  instance_charge_type:
    description:
      - How the gateway is billed, which depends on the account's site - C(PREPAY) (subscription, with
        O(period)) on the China site, where it is required; C(POSTPAY) (pay-as-you-go) on the international
        site.
      - Unset, the parameter is not sent and the cloud applies its site's default; a China-site account then
        gets the cloud's C(MissingInstanceChargeType) error and must set C(PREPAY) and O(period).
      - Changing it on an existing gateway is refused (an order change).
    type: str
    choices: [PREPAY, POSTPAY]
  period:
    description: Subscription length in months (1-9, 12, 24 or 36), required with O(instance_charge_type=PREPAY).
    type: int
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

- name: Its public IPs become the AWS customer gateways (dual-tunnel region)
  ansible.builtin.debug:
    msg: "{{ [vpn_gw.internet_ip, vpn_gw.disaster_recovery_internet_ip] }}"

- name: A China-site account pays in advance
  multicloud.transit.alicloud_vpn_gateway:
    alicloud_region: cn-beijing
    name: beijing-vpn
    vpc_name: beijing-vpc
    bandwidth: 5
    instance_charge_type: PREPAY
    period: 1

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
  description: Public IP address of the gateway (of the master tunnels of dual-tunnel connections).
  returned: when the gateway exists
  type: str
  sample: 198.51.100.254
disaster_recovery_internet_ip:
  description: Second public IP address of a dual-tunnel gateway (its slave tunnels); null for a single-tunnel one.
  returned: when the gateway exists
  type: str
  sample: 198.51.100.253
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

from ansible_collections.multicloud.transit.plugins.module_utils import alicloud_vpn as vpn
from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, dig, tags_param
from ansible_collections.multicloud.transit.plugins.module_utils.common import (
    client_token,
    make_diff,
    snake_dict,
    tags_to_dict,
)

BANDWIDTHS = sorted(set(b for values in vpn.GATEWAY_BANDWIDTHS.values() for b in values))
NOT_FOUND = ("InvalidVpnGatewayInstanceId.NotFound",)
# DescribeVpnGateways ChargeType spellings -> InstanceChargeType.
CHARGE_TYPES = {"PREPAY": "PREPAY", "PREPAID": "PREPAY", "SUBSCRIPTION": "PREPAY",
                "POSTPAY": "POSTPAY", "POSTPAID": "POSTPAY", "PAYASYOUGO": "POSTPAY"}
FIXED = ("vpc_id", "vswitch_id", "disaster_recovery_vswitch_id", "bandwidth", "enable_ipsec", "enable_ssl",
         "ssl_connections", "instance_charge_type")


class VpnGateway:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.vpc_id = self.p["vpc_id"]
        self.dr_hint = None  # why a gateway without a second vSwitch may be refused

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
                "vswitch_id": gw.get("VSwitchId"),
                "disaster_recovery_vswitch_id": gw.get("DisasterRecoveryVSwitchId") or None,
                "instance_charge_type": CHARGE_TYPES.get(str(gw.get("ChargeType") or "").upper().replace("-", "")),
                "bandwidth": int(str(gw.get("Spec") or "0").rstrip("M") or 0),
                "enable_ipsec": gw.get("IpsecVpn") == "enable", "enable_ssl": gw.get("SslVpn") == "enable",
                "ssl_connections": gw.get("SslMaxConnections") or 0,
                "tags": tags_to_dict(dig_tags(gw))}

    def desired(self, current):
        p = self.p
        out = dict(current)
        out.update({"name": p["name"] or current.get("name"), "vpc_id": self.vpc_id or current.get("vpc_id"),
                    "bandwidth": p["bandwidth"], "enable_ipsec": p["enable_ipsec"], "enable_ssl": p["enable_ssl"],
                    "ssl_connections": self.ssl_connections()})
        for key in ("vswitch_id", "disaster_recovery_vswitch_id", "instance_charge_type"):
            if p[key]:
                out[key] = p[key]
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
                "disaster_recovery_internet_ip": gw.get("DisasterRecoveryInternetIp") or None,
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
            self.validate_billing()

    def validate_billing(self):
        """PREPAY goes with a period (China site), POSTPAY without (international); bandwidths per site."""
        p = self.p
        charge, period = p["instance_charge_type"], p["period"]
        if charge == "PREPAY" and period is None:
            self.mod.fail("period is required with instance_charge_type PREPAY: the subscription length in months "
                          "(%s)." % ", ".join(map(str, vpn.GATEWAY_PERIODS)))
        if period is not None and charge != "PREPAY":
            self.mod.fail("period applies to instance_charge_type PREPAY (China site) only; drop period or set "
                          "instance_charge_type: PREPAY.")
        if period is not None and period not in vpn.GATEWAY_PERIODS:
            self.mod.fail("period %s is invalid: use %s months." % (period, ", ".join(map(str, vpn.GATEWAY_PERIODS))))
        site = vpn.SITE_OF_CHARGE_TYPE.get(charge)
        if site and p["bandwidth"] not in vpn.GATEWAY_BANDWIDTHS[site]:
            self.mod.fail("bandwidth %s Mbit/s is not offered on the %s site (instance_charge_type %s); use one of %s."
                          % (p["bandwidth"], site, charge, ", ".join(map(str, vpn.GATEWAY_BANDWIDTHS[site]))))

    # --- the gateway's vSwitches (on creation) ---------------------------------------------------------------
    def choose_vswitches(self):
        """(VSwitchId, DisasterRecoveryVSwitchId or None): the ones given, the others from the VPC's vSwitches in
        the zones the API offers (DescribeVpnGatewayAvailableZones), two zones where it offers several."""
        p = self.p
        if p["vswitch_id"] and p["disaster_recovery_vswitch_id"]:
            return p["vswitch_id"], p["disaster_recovery_vswitch_id"]
        offered = [z["ZoneId"] for z in dig(self.mod.call("vpc", "DescribeVpnGatewayAvailableZones", {
            "Spec": "%dM" % p["bandwidth"]}) or {}, "AvailableZoneIdList") or []]
        vswitches = self.mod.paginate("vpc", "DescribeVSwitches", {"VpcId": self.vpc_id}, "VSwitches.VSwitch")
        by_id = dict((v["VSwitchId"], v) for v in vswitches)
        for option in ("vswitch_id", "disaster_recovery_vswitch_id"):
            if p[option] and p[option] not in by_id:
                self.mod.fail("%s %s is not a vSwitch of %s; give one of %s." % (
                    option, p[option], self.vpc_id, ", ".join(sorted(by_id)) or "its vSwitches (it has none)"))
        zones = {}
        for vsw in sorted(vswitches, key=lambda v: v["VSwitchId"]):
            if vsw.get("ZoneId") in offered and vsw.get("AvailableIpAddressCount", 1) != 0:
                zones.setdefault(vsw["ZoneId"], vsw["VSwitchId"])
        ordered = [z for z in offered if z in zones]
        first = p["vswitch_id"] or (zones[ordered[0]] if ordered else None)
        if first is None:
            self.mod.fail("vswitch_id: the VPC %s has no vSwitch with free addresses in a zone that offers VPN "
                          "gateways of %d Mbit/s (%s); create one there or give vswitch_id."
                          % (self.vpc_id, p["bandwidth"], ", ".join(offered) or "none offered"))
        if p["disaster_recovery_vswitch_id"]:
            return first, p["disaster_recovery_vswitch_id"]
        first_zone = by_id[first].get("ZoneId")
        others = [zones[z] for z in ordered if z != first_zone]
        if others:
            return first, others[0]
        if len(offered) == 1 and first_zone in offered:
            # "For regions that support only one zone ... specify two different vSwitches in the same zone ...
            # You can also specify the same vSwitch" (CreateVpnGateway.DisasterRecoveryVSwitchId).
            same = [v["VSwitchId"] for v in sorted(vswitches, key=lambda v: v["VSwitchId"])
                    if v.get("ZoneId") == first_zone and v["VSwitchId"] != first]
            return first, (same or [first])[0]
        self.dr_hint = ("a dual-tunnel VPN gateway needs disaster_recovery_vswitch_id in another zone than %s: "
                        "create a vSwitch of %s in one of %s, or give disaster_recovery_vswitch_id"
                        % (first_zone, self.vpc_id, ", ".join(z for z in offered if z != first_zone)))
        return first, None

    def present(self):
        current = self.find()
        before = self.managed(current)
        if current is None:
            if not self.vpc_id:
                self.mod.fail("vpc_id or vpc_name is required to create a VPN gateway.")
            if not self.p["name"]:
                self.mod.fail("name is required to create a VPN gateway.")
            after = self.desired({"description": "", "tags": {}})
            vswitch_id, dr_vswitch_id = self.choose_vswitches()
            after.update(vswitch_id=vswitch_id, disaster_recovery_vswitch_id=dr_vswitch_id)
            if self.mod.check_mode:
                return True, None, before, after
            params = {"VpcId": self.vpc_id, "VSwitchId": vswitch_id, "DisasterRecoveryVSwitchId": dr_vswitch_id,
                      "Name": self.p["name"], "Bandwidth": self.p["bandwidth"], "EnableIpsec": self.p["enable_ipsec"],
                      "EnableSsl": self.p["enable_ssl"], "AutoPay": True,
                      "InstanceChargeType": self.p["instance_charge_type"], "Period": self.p["period"]}
            if self.p["enable_ssl"]:
                params["SslConnections"] = self.ssl_connections()
            gw_id = self.create(params)
            gw = self.wait_active(gw_id)
            if self.p["description"] or self.p["tags"]:
                self.update(gw_id, self.managed(gw), after)
                gw = self.get(gw_id)
            return True, gw, before, self.managed(gw)
        after = self.desired(before)
        fixed = [k for k in FIXED if after.get(k) != before.get(k)]
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

    def create(self, params):
        """CreateVpnGateway; the refusals this module can explain (no second vSwitch, no charge type) say what to do."""
        explained = {}
        if self.dr_hint:
            explained["InvalidVSwitchId.NotFound"] = self.dr_hint
        if not self.p["instance_charge_type"]:
            explained["MissingInstanceChargeType"] = ("this account's site requires instance_charge_type: set PREPAY "
                                                      "and period (China site)")
        body = self.mod.call("vpc", "CreateVpnGateway", dict(params, ClientToken=client_token()),
                             ignore_codes=tuple(explained))
        if body is None:
            self.mod.fail("CreateVpnGateway was refused (%s): %s." % (" or ".join(sorted(explained)),
                                                                      "; or ".join(explained.values())))
        return body["VpnGatewayId"]

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
            disaster_recovery_vswitch_id=dict(type="str"),
            bandwidth=dict(type="int", default=10, choices=BANDWIDTHS),
            instance_charge_type=dict(type="str", choices=["PREPAY", "POSTPAY"]),
            period=dict(type="int"),
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
