#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_router_interface
short_description: One side of an Alibaba Cloud Express Connect VPC peering (router interface)
version_added: 0.1.0
description:
  - Creates, updates, connects, deactivates and deletes one router interface of a VPC-to-VPC
    peering, also across accounts and regions.
  - A peering is two interfaces, one per VPC and account. The order is fixed by the cloud
    create both, let each side name the other (O(opposite)), then connect from the
    initiating side only (O(connect=true)); both sides turn Active.
  - The interface is found by O(router_interface_id), else by O(name) on the same router.
  - With O(state=absent) an Active interface is deactivated (and waited for) before it is
    deleted. Route entries that use the interface as next hop must be removed first.
  - The C(multicloud.transit.vpc_peering) role drives both sides with each account's own
    credentials.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description:
      - V(present) creates or updates the interface; an Inactive interface is activated again.
      - V(inactive) deactivates an Active interface (it keeps its settings).
      - V(absent) deactivates the interface if it is Active, then deletes it.
    type: str
    choices: [present, absent, inactive]
    default: present
  router_interface_id:
    description: ID of an existing interface to manage. Without it the interface is found by O(name).
    type: str
  name:
    description:
      - Name of the interface, 2 to 128 characters, starting with a letter.
      - Used with the router to find the interface; required unless O(router_interface_id) is given.
    type: str
  description:
    description: Description, 2 to 256 characters, starting with a letter.
    type: str
  role:
    description:
      - V(InitiatingSide) pays for the connection and is the only side that can connect;
        V(AcceptingSide) is free and waits for the initiator. Cannot change after creation.
      - Required to create the interface.
    type: str
    choices: [InitiatingSide, AcceptingSide]
  vpc_id:
    description: VPC whose vRouter gets the interface (its C(VRouterId) is used). Alternative to O(router_id).
    type: str
  router_id:
    description: ID of the vRouter (C(vrt-...)) that gets the interface. Alternative to O(vpc_id).
    type: str
  router_type:
    description: Type of the local router. Only VPC vRouters are supported.
    type: str
    choices: [VRouter]
    default: VRouter
  opposite_region_id:
    description: Region of the other side, for example C(us-west-1). Required to create the interface.
    type: str
  spec:
    description:
      - Bandwidth specification of the initiating side (for example C(Large.2) = 2 Gbit/s).
        Required to create an initiating side; changed in place on an existing one.
      - The accepting side has no specification (the cloud reports C(Negative)); leave it unset there.
    type: str
    choices: [Mini.2, Mini.5, Small.1, Small.2, Small.5, Middle.1, Middle.2, Middle.5, Large.1, Large.2,
              Large.5, Xlarge.1, Negative]
  instance_charge_type:
    description:
      - Billing of the initiating side, V(PostPaid) (pay-as-you-go) or V(PrePaid) (subscription).
        Only used at creation; the accepting side is always free (pay by traffic).
    type: str
    choices: [PrePaid, PostPaid]
    default: PostPaid
  period:
    description: Subscription length for O(instance_charge_type=PrePaid) (1-9 months or 1-3 years).
    type: int
    default: 1
  pricing_cycle:
    description: Unit of O(period).
    type: str
    choices: [Month, Year]
    default: Month
  auto_pay:
    description: Pay the subscription order automatically (otherwise pay it in the Order Center).
    type: bool
    default: true
  auto_renew:
    description: Renew the subscription automatically.
    type: bool
    default: false
  health_check_source_ip:
    description: Source IP for health checks, an unused IP of the local VPC. Needs O(health_check_target_ip).
    type: str
  health_check_target_ip:
    description: Target IP for health checks.
    type: str
  hc_rate:
    description: Health check interval in milliseconds (2000 recommended).
    type: int
  hc_threshold:
    description: Health check threshold in packets (8 recommended).
    type: int
  opposite:
    description:
      - The other side of the peering, applied with ModifyRouterInterfaceAttribute. Only
        changeable while the interface is Idle (not yet connected).
    type: dict
    suboptions:
      interface_id:
        description: ID of the other side's router interface.
        type: str
        required: true
      owner_id:
        description: Account ID (UID) of the account that owns the other side's interface.
        type: str
        required: true
      router_id:
        description: ID of the other side's vRouter.
        type: str
        required: true
      router_type:
        description: Type of the other side's router.
        type: str
        choices: [VRouter, VBR]
        default: VRouter
  connect:
    description:
      - Connect to the opposite interface and wait until Active. Initiating side only, and only
        once both sides name each other.
    type: bool
    default: false
  wait:
    description: Wait for connecting, deactivating and deleting to finish.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - multicloud.transit.alicloud
notes:
  - Supports check mode and diff mode.
  - Some cross-region pairs need a capacity request before a connection can be bought; the
    connect step then fails with the cloud's error and the advice to file it.
"""

EXAMPLES = r"""
- name: Initiating side in account A (Tokyo)
  multicloud.transit.alicloud_router_interface:
    alicloud_region: ap-northeast-1
    name: tokyo-svalley-initiator
    role: InitiatingSide
    vpc_id: vpc-6weq3zbjvyvwd1w2bhxqa
    opposite_region_id: us-west-1
    spec: Large.2
  register: init

- name: Accepting side in account B (Silicon Valley) names the initiator
  multicloud.transit.alicloud_router_interface:
    alicloud_region: us-west-1
    alicloud_access_key: "{{ account_b_key }}"
    alicloud_secret_key: "{{ account_b_secret }}"
    name: tokyo-svalley-acceptor
    role: AcceptingSide
    vpc_id: vpc-rj9gt5nll27onu7ji2c2d
    opposite_region_id: ap-northeast-1
    opposite:
      interface_id: "{{ init.router_interface_id }}"
      owner_id: "5111111111111111"
      router_id: "{{ init.router_id }}"
  register: acc

- name: Initiator names the acceptor and connects
  multicloud.transit.alicloud_router_interface:
    alicloud_region: ap-northeast-1
    name: tokyo-svalley-initiator
    role: InitiatingSide
    vpc_id: vpc-6weq3zbjvyvwd1w2bhxqa
    opposite_region_id: us-west-1
    spec: Large.2
    opposite:
      interface_id: "{{ acc.router_interface_id }}"
      owner_id: "5222222222222222"
      router_id: "{{ acc.router_id }}"
    connect: true
"""

RETURN = r"""
router_interface_id:
  description: ID of the interface (empty when check mode would create it).
  returned: when state is not absent
  type: str
  sample: ri-6we8tgj9w4m3e6x3sq6ib
status:
  description: Status (Idle, Connecting, AcceptingConnecting, Activating, Active, Modifying, Deactivating, Inactive, Deleting).
  returned: when state is not absent
  type: str
  sample: Active
role:
  description: InitiatingSide or AcceptingSide.
  returned: when state is not absent
  type: str
  sample: InitiatingSide
router_id:
  description: The local vRouter.
  returned: when state is not absent
  type: str
  sample: vrt-6we1x2jc7z1nsjzsmbdy4
vpc_id:
  description: The local VPC.
  returned: when state is not absent
  type: str
  sample: vpc-6weq3zbjvyvwd1w2bhxqa
spec:
  description: Specification (C(Negative) on the accepting side).
  returned: when state is not absent
  type: str
  sample: Large.2
opposite_interface_id:
  description: The other side's interface.
  returned: when state is not absent
  type: str
  sample: ri-rj9ebjc0nqxmr8i2vqrdk
opposite_interface_owner_id:
  description: The other side's account ID.
  returned: when state is not absent
  type: str
  sample: "5222222222222222"
opposite_router_id:
  description: The other side's vRouter.
  returned: when state is not absent
  type: str
  sample: vrt-rj9j4wq8nb8y3fgbvdx2e
opposite_region_id:
  description: The other side's region.
  returned: when state is not absent
  type: str
  sample: us-west-1
opposite_interface_status:
  description: The other side's status as this account sees it (empty until both sides name each other).
  returned: when state is not absent
  type: str
  sample: Active
router_interface:
  description: The interface as the API returns it, in snake_case.
  returned: when state is not absent and the interface exists
  type: dict
  sample: {"router_interface_id": "ri-6we8tgj9w4m3e6x3sq6ib", "status": "Active", "charge_type": "AfterPay"}
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import (
    AlicloudModule,
    error_code,
    request_id,
)
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict

SPECS = ["Mini.2", "Mini.5", "Small.1", "Small.2", "Small.5", "Middle.1", "Middle.2", "Middle.5", "Large.1",
         "Large.2", "Large.5", "Xlarge.1"]
TRANSITIONAL = ("Connecting", "AcceptingConnecting", "Activating", "Modifying", "Deactivating", "Deleting")
CHARGE = {"Prepaid": "PrePaid", "AfterPay": "PostPaid"}

# What to do about the errors a peering hits most; appended to the cloud's own message.
HINTS = {
    "IncorrectOppositeInterfaceInfo.OwnerMismatch":
        "Set opposite.owner_id to the account ID (UID) of the account that owns opposite.interface_id "
        "(for the vpc_peering role: alicloud_account_uid in that account's host_vars).",
    "IncorrectOppositeInterfaceInfo.NotSet":
        "Both sides must name each other before connecting: run this module on the other side with "
        "opposite set to this interface (id, owner_id = this account's UID, router_id) first.",
    "IncorrectOppositeInterfaceInfo":
        "Check opposite.interface_id, opposite.router_id and opposite_region_id against the other side.",
    "IncorrectRole.NotInitiatingSide":
        "Only the initiating side connects: set connect=true on the InitiatingSide interface only.",
    "DependencyViolation.RouterInterfaceReferedByRouteEntry":
        "Remove the route entries whose next hop is this interface first "
        "(multicloud.transit.alicloud_route_entry with state=absent).",
    "Forbidden.OnlyOneConnection":
        "These two vRouters are already peered; reuse that peering or delete it first.",
}


def api_failure_with_hint(mod):
    """Make ``mod``'s API failures end with the hint for the error code, when there is one."""
    original = mod.fail_api

    def fail_api(exc, action):
        code = error_code(exc)
        if code not in HINTS:
            return original(exc, action)
        data = getattr(exc, "data", None)
        message = (data.get("Message") if isinstance(data, dict) else None) or getattr(exc, "message", str(exc))
        return mod.module.fail_json(msg="%s failed: %s (%s, request id %s). %s" % (
            action, message, code, request_id(exc), HINTS[code]), error_code=code, error_message=message,
            request_id=request_id(exc))

    mod.fail_api = fail_api


class RouterInterface:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.changed = False
        self.vpc_id = self.p["vpc_id"]
        self.router_id = self.p["router_id"]

    # --- reading -------------------------------------------------------------------------
    def resolve_router(self):
        if self.router_id and not self.vpc_id:
            vpcs = self.mod.paginate("vpc", "DescribeVpcs", {}, "Vpcs.Vpc")
            self.vpc_id = next((v["VpcId"] for v in vpcs if v.get("VRouterId") == self.router_id), None)
            return
        if not self.vpc_id:
            return
        vpcs = self.mod.paginate("vpc", "DescribeVpcs", {"VpcId": self.vpc_id}, "Vpcs.Vpc")
        vpc = next((v for v in vpcs if v["VpcId"] == self.vpc_id), None)
        if vpc is None:
            self.mod.fail("vpc_id %s was not found in region %s of this account; check vpc_id, the region and "
                          "the credentials." % (self.vpc_id, self.mod.region))
        if self.router_id and self.router_id != vpc["VRouterId"]:
            self.mod.fail("router_id %s is not the vRouter of vpc_id %s (%s); give one of them."
                          % (self.router_id, self.vpc_id, vpc["VRouterId"]))
        self.router_id = vpc["VRouterId"]

    def describe(self, filters):
        flt = [{"Key": k, "Value": [v]} for k, v in filters.items() if v]
        return self.mod.paginate("vpc", "DescribeRouterInterfaces", {"Filter": flt},
                                 "RouterInterfaceSet.RouterInterfaceType")

    def find(self):
        if self.p["router_interface_id"]:
            found = self.describe({"RouterInterfaceId": self.p["router_interface_id"]})
            if not found and self.p["state"] != "absent":
                self.mod.fail("router_interface_id %s was not found in region %s of this account."
                              % (self.p["router_interface_id"], self.mod.region))
        else:
            found = self.describe({"Name": self.p["name"], "RouterId": self.router_id})
            if len(found) > 1:
                self.mod.fail("%d router interfaces are named %s on router %s; give router_interface_id."
                              % (len(found), self.p["name"], self.router_id))
        return found[0] if found else None

    def get(self, rid):
        found = self.describe({"RouterInterfaceId": rid})
        return found[0] if found else None

    def wait_for(self, rid, ready, wanted):
        if not self.p["wait"]:
            return self.get(rid)
        return self.mod.wait(lambda: self.get(rid), ready, "router interface %s" % rid, wanted,
                             failed=lambda ri: None)

    def settle(self, current):
        """Wait out a transitional status before acting on the interface."""
        if current and current["Status"] in TRANSITIONAL:
            rid = current["RouterInterfaceId"]
            return self.mod.wait(lambda: self.get(rid), lambda ri: ri is None or ri["Status"] not in TRANSITIONAL,
                                 "router interface %s" % rid, "a stable status")
        return current

    # --- desired state -----------------------------------------------------------------------
    def desired_opposite(self):
        o = self.p["opposite"]
        if not o:
            return {}
        return {"OppositeInterfaceId": o["interface_id"], "OppositeInterfaceOwnerId": str(o["owner_id"]),
                "OppositeRouterId": o["router_id"], "OppositeRouterType": o["router_type"]}

    def desired_attrs(self):
        p = self.p
        out = {"Description": p["description"], "HealthCheckSourceIp": p["health_check_source_ip"],
               "HealthCheckTargetIp": p["health_check_target_ip"], "HcRate": p["hc_rate"],
               "HcThreshold": p["hc_threshold"]}
        return dict((k, v) for k, v in out.items() if v is not None)

    @staticmethod
    def differing(desired, current):
        return dict((k, v) for k, v in desired.items() if str(current.get(k) or "") != str(v))

    # --- present ---------------------------------------------------------------------------------
    def create(self):
        p = self.p
        params = {"Role": p["role"], "RouterType": p["router_type"], "RouterId": self.router_id,
                  "OppositeRegionId": p["opposite_region_id"], "Name": p["name"]}
        params.update(self.desired_attrs())
        params.pop("HcRate", None)
        params.pop("HcThreshold", None)
        if p["role"] == "InitiatingSide":
            params.update(Spec=p["spec"], InstanceChargeType=p["instance_charge_type"])
            if p["instance_charge_type"] == "PrePaid":
                params.update(Period=p["period"], PricingCycle=p["pricing_cycle"], AutoPay=p["auto_pay"],
                              AutoRenew=p["auto_renew"])
        else:
            params["Spec"] = "Negative"
        params.update(self.desired_opposite())
        self.changed = True
        if self.mod.check_mode:
            return None
        rid = self.mod.create("vpc", "CreateRouterInterface", params)["RouterInterfaceId"]
        created = self.wait_for(rid, lambda ri: ri is not None, "visible")
        extra = dict((k, v) for k, v in self.desired_attrs().items() if k in ("HcRate", "HcThreshold"))
        if extra:
            self.mod.call("vpc", "ModifyRouterInterfaceAttribute", dict(extra, RouterInterfaceId=rid))
            created = self.get(rid)
        return created

    def update(self, current):
        p = self.p
        rid = current["RouterInterfaceId"]
        if p["role"] and p["role"] != current["Role"]:
            self.mod.fail("Router interface %s is %s; role cannot change. Delete it (state=absent) and create it "
                          "again, or fix role." % (rid, current["Role"]))
        if p["opposite_region_id"] and p["opposite_region_id"] != current.get("OppositeRegionId"):
            self.mod.fail("Router interface %s points at region %s; opposite_region_id cannot change. Delete it "
                          "(state=absent) and create it again, or fix opposite_region_id."
                          % (rid, current.get("OppositeRegionId")))
        if current["Role"] == "InitiatingSide" and p["instance_charge_type"] != CHARGE.get(
                current.get("ChargeType"), p["instance_charge_type"]):
            self.mod.module.warn("Router interface %s is billed %s; instance_charge_type only applies at creation."
                                 % (rid, current.get("ChargeType")))
        modify = self.differing(self.desired_attrs(), current)
        opposite = self.differing(self.desired_opposite(), current)
        if opposite and current["Status"] != "Idle":
            self.mod.fail("Router interface %s is %s and already paired with %s (owner %s); the opposite can only "
                          "change while Idle. Delete both sides (state=absent) and build the peering again, or fix "
                          "opposite." % (rid, current["Status"], current.get("OppositeInterfaceId"),
                                         current.get("OppositeInterfaceOwnerId")))
        modify.update(opposite)
        if modify:
            self.changed = True
            if not self.mod.check_mode:
                self.mod.call("vpc", "ModifyRouterInterfaceAttribute", dict(modify, RouterInterfaceId=rid))
        if current["Role"] == "InitiatingSide" and p["spec"] and p["spec"] != current.get("Spec"):
            self.changed = True
            if not self.mod.check_mode:
                self.mod.create("vpc", "ModifyRouterInterfaceSpec", {"RouterInterfaceId": rid, "Spec": p["spec"]})
                self.wait_for(rid, lambda ri: ri and ri["Status"] not in TRANSITIONAL, "a stable status")
        if self.changed and not self.mod.check_mode:
            return self.get(rid)
        return current

    def ensure_connected(self, current):
        rid = current["RouterInterfaceId"] if current else None
        status = current["Status"] if current else "Idle"
        if status == "Idle" and self.p["connect"]:
            have = dict(current or {})
            have.update(self.desired_opposite())
            missing = [k for k in ("OppositeInterfaceId", "OppositeInterfaceOwnerId", "OppositeRouterId")
                       if not have.get(k)]
            if missing:
                self.mod.fail("connect=true needs the opposite interface first: set opposite (interface_id, owner_id, "
                              "router_id of the other side); missing %s." % ", ".join(missing))
            self.changed = True
            if self.mod.check_mode:
                return current
            self.mod.call("vpc", "ConnectRouterInterface", {"RouterInterfaceId": rid})
        elif status == "Inactive":
            self.changed = True
            if self.mod.check_mode:
                return current
            self.mod.call("vpc", "ActivateRouterInterface", {"RouterInterfaceId": rid})
        elif status not in ("Connecting", "Activating"):
            return current
        return self.wait_for(rid, lambda ri: ri and ri["Status"] == "Active", "Active")

    # --- inactive / absent -------------------------------------------------------------------------
    def deactivate(self, current):
        rid = current["RouterInterfaceId"]
        if current["Status"] != "Active":
            return current
        self.changed = True
        if self.mod.check_mode:
            return current
        self.mod.call("vpc", "DeactivateRouterInterface", {"RouterInterfaceId": rid})
        return self.mod.wait(lambda: self.get(rid), lambda ri: ri and ri["Status"] == "Inactive",
                             "router interface %s" % rid, "Inactive")

    def delete(self, current):
        current = self.settle(current)
        if current is None:
            return
        current = self.deactivate(current)
        self.changed = True
        if self.mod.check_mode:
            return
        rid = current["RouterInterfaceId"]
        self.mod.create("vpc", "DeleteRouterInterface", {"RouterInterfaceId": rid})
        self.wait_for(rid, lambda ri: ri is None, "deleted")


def view(ri, fallback):
    """Managed fields, for --diff."""
    if ri is None:
        return {}
    return dict((k, ri.get(k) if ri.get(k) is not None else fallback.get(k)) for k in (
        "Name", "Description", "Role", "Spec", "Status", "RouterId", "OppositeRegionId", "OppositeInterfaceId",
        "OppositeInterfaceOwnerId", "OppositeRouterId", "OppositeRouterType", "HealthCheckSourceIp",
        "HealthCheckTargetIp", "ChargeType"))


def validate(mod):
    p = mod.params
    if p["state"] == "present" and not p["router_interface_id"] and not p["name"]:
        mod.fail("name is required to find or create the router interface (or give router_interface_id).")
    if not p["router_interface_id"] and not (p["vpc_id"] or p["router_id"]):
        mod.fail("vpc_id or router_id is required (the interface is found by name on that router).")
    if p["role"] == "AcceptingSide":
        if p["connect"]:
            mod.fail("connect=true is refused on the AcceptingSide: only the initiating side connects. Set connect "
                     "on the InitiatingSide interface (in the initiator's account) and leave it false here.")
        if p["spec"] not in (None, "Negative"):
            mod.fail("spec applies to the InitiatingSide only; leave spec unset on the AcceptingSide.")
        if p["instance_charge_type"] == "PrePaid":
            mod.fail("instance_charge_type=PrePaid is for the InitiatingSide: the accepting side is free "
                     "(pay by traffic); leave instance_charge_type unset here.")
    if p["role"] == "InitiatingSide" and p["spec"] == "Negative":
        mod.fail("spec=Negative is only for the AcceptingSide; give the initiator a spec such as Large.2.")
    if bool(p["health_check_source_ip"]) != bool(p["health_check_target_ip"]) and p["state"] != "absent":
        mod.fail("health_check_source_ip and health_check_target_ip go together; set both or neither.")
    if p["instance_charge_type"] == "PrePaid":
        limit = 9 if p["pricing_cycle"] == "Month" else 3
        if not 1 <= p["period"] <= limit:
            mod.fail("period must be 1-%d when pricing_cycle is %s." % (limit, p["pricing_cycle"]))
    for field, low, high in (("name", 2, 128), ("description", 2, 256)):
        value = p[field]
        if value is not None and (not low <= len(value) <= high or not value[0].isalpha()):
            mod.fail("%s must be %d to %d characters and start with a letter (got %r)." % (field, low, high, value))


def result(ri, vpc_id, router_id):
    ri = ri or {}
    return dict(
        router_interface_id=ri.get("RouterInterfaceId") or "", status=ri.get("Status") or "",
        role=ri.get("Role") or "", router_id=ri.get("RouterId") or router_id or "",
        vpc_id=ri.get("VpcInstanceId") or vpc_id or "", spec=ri.get("Spec") or "",
        opposite_interface_id=ri.get("OppositeInterfaceId") or "",
        opposite_interface_owner_id=str(ri.get("OppositeInterfaceOwnerId") or ""),
        opposite_router_id=ri.get("OppositeRouterId") or "", opposite_region_id=ri.get("OppositeRegionId") or "",
        opposite_interface_status=ri.get("OppositeInterfaceStatus") or "",
        router_interface=snake_dict(ri) if ri else {},
    )


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent", "inactive"], default="present"),
            router_interface_id=dict(type="str"),
            name=dict(type="str"),
            description=dict(type="str"),
            role=dict(type="str", choices=["InitiatingSide", "AcceptingSide"]),
            vpc_id=dict(type="str"),
            router_id=dict(type="str"),
            router_type=dict(type="str", choices=["VRouter"], default="VRouter"),
            opposite_region_id=dict(type="str"),
            spec=dict(type="str", choices=SPECS + ["Negative"]),
            instance_charge_type=dict(type="str", choices=["PrePaid", "PostPaid"], default="PostPaid"),
            period=dict(type="int", default=1),
            pricing_cycle=dict(type="str", choices=["Month", "Year"], default="Month"),
            auto_pay=dict(type="bool", default=True),
            auto_renew=dict(type="bool", default=False),
            health_check_source_ip=dict(type="str"),
            health_check_target_ip=dict(type="str"),
            hc_rate=dict(type="int"),
            hc_threshold=dict(type="int"),
            opposite=dict(type="dict", options=dict(
                interface_id=dict(type="str", required=True),
                owner_id=dict(type="str", required=True),
                router_id=dict(type="str", required=True),
                router_type=dict(type="str", choices=["VRouter", "VBR"], default="VRouter"),
            )),
            connect=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    api_failure_with_hint(mod)
    p = mod.params
    ri_mgr = RouterInterface(mod)
    ri_mgr.resolve_router()
    current = ri_mgr.find()
    before = view(current, {})

    if p["state"] == "absent":
        if current is not None:
            ri_mgr.delete(current)
        out = dict(changed=ri_mgr.changed, router_interface_id=(current or {}).get("RouterInterfaceId", ""))
        if mod.module._diff:
            out["diff"] = make_diff(before, {})
        mod.exit(**out)

    if p["state"] == "inactive":
        if current is None:
            mod.fail("There is no router interface %s on router %s to deactivate; create it with state=present."
                     % (p["name"] or p["router_interface_id"], ri_mgr.router_id))
        after = ri_mgr.deactivate(ri_mgr.settle(current))
    else:
        if current is None:
            if not p["role"] or not p["opposite_region_id"]:
                mod.fail("role and opposite_region_id are required to create router interface %s." % p["name"])
            if p["role"] == "InitiatingSide" and not p["spec"]:
                mod.fail("spec is required to create an InitiatingSide router interface (for example Large.2).")
            after = ri_mgr.create()
        else:
            after = ri_mgr.update(ri_mgr.settle(current))
        if p["connect"] or (after and after["Status"] in ("Inactive", "Activating")):
            after = ri_mgr.ensure_connected(after)
        elif after and after["Status"] in ("Connecting",):
            after = ri_mgr.wait_for(after["RouterInterfaceId"], lambda ri: ri and ri["Status"] == "Active", "Active")

    predicted = after
    if mod.check_mode:
        predicted = dict(current or {}, Name=p["name"] or (current or {}).get("Name"), RouterId=ri_mgr.router_id)
        for key, value in (("Role", p["role"]), ("OppositeRegionId", p["opposite_region_id"]),
                           ("Spec", p["spec"] if p["role"] != "AcceptingSide" else "Negative")):
            if value:
                predicted[key] = value
        predicted.update(ri_mgr.desired_attrs())
        predicted.update(ri_mgr.desired_opposite())
        if p["state"] == "inactive" and predicted.get("Status") == "Active":
            predicted["Status"] = "Inactive"
        elif p["connect"] or predicted.get("Status") == "Inactive":
            predicted["Status"] = "Active"
        predicted.setdefault("Status", "Idle")
    facts = result(predicted if mod.check_mode else after, ri_mgr.vpc_id, ri_mgr.router_id)
    out = dict(changed=ri_mgr.changed, **facts)
    if mod.module._diff:
        out["diff"] = make_diff(before, view(predicted, {}))
    mod.exit(**out)


if __name__ == "__main__":
    main()
