#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_cen
short_description: Manage an Alibaba Cloud CEN instance and the VPCs attached to it
version_added: 0.1.0
description:
  - Creates, updates or deletes a Cloud Enterprise Network (CEN) instance, found by I(cen_id)
    or else by I(name).
  - Reconciles the VPCs attached to it (child instances) in one call, also VPCs of other
    accounts, and waits until they are C(Attached) (or gone, when detached).
  - With I(state=absent) every child is detached first, then the CEN is deleted. A CEN that still has
    Enterprise Edition transit routers is not touched, the module says to delete them first with
    M(multicloud.transit.alicloud_transit_router).
  - I(attachments) are Basic Edition child attachments. A CEN created today has Enterprise Edition transit
    routers; on such a CEN the module stops before any change and points to
    M(multicloud.transit.alicloud_transit_router_vpc_attachment). The CEN instance itself (name,
    description, protection level, tags, deletion) is managed on both editions.
  - Attached VPCs learn each other's vSwitch CIDRs automatically; publish other routes with
    M(multicloud.transit.alicloud_cen_route). Cross-region traffic needs a bandwidth package,
    see M(multicloud.transit.alicloud_cen_bandwidth).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  name:
    description:
      - Name of the CEN instance. Used to find it when I(cen_id) is not given, so keep it unique.
      - Required to create a CEN.
    type: str
  cen_id:
    description: ID of an existing CEN instance. When given, I(name) renames it.
    type: str
  description:
    description: Description of the CEN instance.
    type: str
  protection_level:
    description:
      - C(REDUCED) allows overlapping CIDR blocks of attached networks (with route conflicts);
        C(FULL) is the stricter level.
    type: str
    choices: [REDUCED, FULL]
  tags:
    description: Tags of the CEN instance.
    type: dict
  purge_tags:
    description: Remove tags not listed in I(tags). Only applies when I(tags) is given.
    type: bool
    default: true
  attachments:
    description:
      - VPCs to attach (Basic Edition CEN only). Other attached children stay unless I(purge_attachments=true).
      - The edition is read from the CEN's transit routers (C(ListTransitRouters) C(Type)); a CEN without any
        router yet is refused by the cloud at the first attachment, with the same pointer to
        M(multicloud.transit.alicloud_transit_router_vpc_attachment).
      - A VPC of another account needs that account's grant first, see
        M(multicloud.transit.alicloud_cen_grant).
    type: list
    elements: dict
    suboptions:
      instance_id:
        description: VPC ID.
        type: str
        required: true
      region_id:
        description: Region of the VPC.
        type: str
        required: true
      owner_id:
        description: UID of the account owning the VPC, when it is not this account.
        type: str
  purge_attachments:
    description: Detach children not listed in I(attachments).
    type: bool
    default: false
  state:
    description: Whether the CEN should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait for the CEN to become C(Active) and for attachments to settle.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
notes:
  - CEN is a global service; I(alicloud_region) only picks the API endpoint.
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: CEN with the Tokyo and Beijing VPCs
  multicloud.transit.alicloud_cen:
    alicloud_region: ap-northeast-1
    name: transit-cen
    description: Tokyo and Beijing
    attachments:
      - {instance_id: "{{ tokyo_vpc_id }}", region_id: ap-northeast-1}
      - {instance_id: "{{ beijing_vpc_id }}", region_id: cn-beijing}
  register: cen

- name: Attach a VPC of another account (after it ran alicloud_cen_grant)
  multicloud.transit.alicloud_cen:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen.cen.cen_id }}"
    attachments:
      - {instance_id: vpc-0xyz, region_id: us-west-1, owner_id: "5222222222222222"}

- name: Remove it (children are detached first)
  multicloud.transit.alicloud_cen:
    alicloud_region: ap-northeast-1
    name: transit-cen
    state: absent
"""

RETURN = r"""
cen:
  description: The CEN instance after the run (empty when absent).
  returned: always
  type: dict
  contains:
    cen_id:
      description: CEN ID (null in check mode before creation).
      type: str
      sample: cen-7qthudw0ll6jmc1234
    name:
      description: Name.
      type: str
      sample: transit-cen
    description:
      description: Description.
      type: str
      sample: Tokyo and Beijing
    protection_level:
      description: REDUCED or FULL.
      type: str
      sample: REDUCED
    status:
      description: Creating, Active or Deleting.
      type: str
      sample: Active
    tags:
      description: Tags.
      type: dict
      sample: {"env": "demo"}
    attachments:
      description: Attached children.
      type: list
      elements: dict
      sample: [{"instance_id": "vpc-6we...", "region_id": "ap-northeast-1", "owner_id": "5123456789012345",
                "status": "Attached", "instance_type": "VPC"}]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, dig, tags_param
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, reconcile_list, tags_to_dict
from ansible_collections.multicloud.transit.plugins.module_utils.transit_router import (
    ATTACH_REFUSED,
    EDITION_CODE,
    ENTERPRISE,
    enterprise_message,
    list_transit_routers,
    refuse_enterprise,
)

GRANT_MISSING = "Forbbiden.AttachChildInstanceAcrossUid"
ATTACH_WITH = ("attach VPCs", "alicloud_transit_router_vpc_attachment")


class CenManager:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.changed = False

    # --- reads ------------------------------------------------------------------------
    def find(self):
        if self.p["cen_id"]:
            cens = self.mod.paginate("cbn", "DescribeCens", {"Filter": [{"Key": "CenId", "Value": [self.p["cen_id"]]}]},
                                     "Cens.Cen")
            if not cens:
                self.mod.fail("cen_id %s does not exist in this account; drop cen_id to create a CEN by name."
                              % self.p["cen_id"])
            return cens[0]
        cens = self.mod.paginate("cbn", "DescribeCens", {"Filter": [{"Key": "Name", "Value": [self.p["name"]]}]},
                                 "Cens.Cen")
        cens = [c for c in cens if c.get("Name") == self.p["name"]]
        if len(cens) > 1:
            self.mod.fail("Several CEN instances are named %s (%s); pass cen_id to pick one."
                          % (self.p["name"], ", ".join(c["CenId"] for c in cens)))
        return cens[0] if cens else None

    def get(self, cen_id):
        cens = self.mod.paginate("cbn", "DescribeCens", {"Filter": [{"Key": "CenId", "Value": [cen_id]}]}, "Cens.Cen")
        return cens[0] if cens else None

    def children(self, cen_id):
        return self.mod.paginate("cbn", "DescribeCenAttachedChildInstances", {"CenId": cen_id},
                                 "ChildInstances.ChildInstance")

    # --- view -------------------------------------------------------------------------
    @staticmethod
    def view(cen, children):
        if not cen:
            return {}
        return {
            "cen_id": cen.get("CenId"), "name": cen.get("Name"), "description": cen.get("Description"),
            "protection_level": cen.get("ProtectionLevel"), "status": cen.get("Status"),
            "tags": tags_to_dict(dig(cen, "Tags.Tag")),
            "attachments": sorted(({"instance_id": c["ChildInstanceId"], "region_id": c["ChildInstanceRegionId"],
                                    "owner_id": str(c.get("ChildInstanceOwnerId") or ""),
                                    "instance_type": c.get("ChildInstanceType"), "status": c.get("Status")}
                                   for c in children), key=lambda a: a["instance_id"]),
        }

    @staticmethod
    def diff_view(view):
        if not view:
            return {}
        out = dict((k, view.get(k)) for k in ("name", "description", "protection_level", "tags"))
        out["attachments"] = sorted("%s (%s)" % (a["instance_id"], a["region_id"]) for a in view.get("attachments", []))
        return out

    # --- waits ------------------------------------------------------------------------
    def wait_active(self, cen_id):
        if self.p["wait"]:
            return self.mod.wait(lambda: self.get(cen_id), lambda c: bool(c) and c.get("Status") == "Active",
                                 "CEN %s" % cen_id, "Active")
        return self.get(cen_id)

    def wait_children(self, cen_id, attached, gone, force=False):
        if not (self.p["wait"] or force):
            return

        def ready(children):
            status = dict((c["ChildInstanceId"], c.get("Status")) for c in children)
            return all(status.get(i) == "Attached" for i in attached) and not any(i in status for i in gone)

        self.mod.wait(lambda: self.children(cen_id), ready, "the children of CEN %s" % cen_id,
                      "attached: %s; detached: %s" % (", ".join(attached) or "-", ", ".join(gone) or "-"))

    # --- changes ----------------------------------------------------------------------
    def detach(self, cen_id, child):
        self.changed = True
        if not self.mod.check_mode:
            self.mod.call("cbn", "DetachCenChildInstance", {
                "CenId": cen_id, "ChildInstanceId": child["ChildInstanceId"], "ChildInstanceType": "VPC",
                "ChildInstanceRegionId": child["ChildInstanceRegionId"],
                "ChildInstanceOwnerId": child.get("ChildInstanceOwnerId")}, ignore_codes=("ParameterInstanceId",))

    def grant_missing(self, cen_id, want):
        rules = self.mod.call("cbn", "DescribeGrantRulesToCen", {
            "CenId": cen_id, "ProductType": "VPC", "ChildInstanceId": want["instance_id"],
            "ChildInstanceOwnerId": int(want["owner_id"]), "RegionId": want["region_id"]}) or {}
        return not any(r.get("ChildInstanceId") == want["instance_id"] for r in dig(rules, "GrantRules.GrantRule") or [])

    def fail_grant(self, cen_id, want):
        self.mod.fail(
            "VPC %s (region %s) belongs to account %s and is not granted to CEN %s. Account %s must first run "
            "multicloud.transit.alicloud_cen_grant with its own credentials: cen_id=%s, cen_owner_id=<the UID of "
            "the account that owns the CEN>, vpc_id=%s, alicloud_region=%s. Then re-run this task."
            % (want["instance_id"], want["region_id"], want["owner_id"], cen_id, want["owner_id"], cen_id,
               want["instance_id"], want["region_id"]), error_code=GRANT_MISSING)

    def attach(self, cen_id, want):
        self.changed = True
        if self.mod.check_mode:
            return
        params = {"CenId": cen_id, "ChildInstanceId": want["instance_id"], "ChildInstanceType": "VPC",
                  "ChildInstanceRegionId": want["region_id"]}
        if want.get("owner_id"):
            params["ChildInstanceOwnerId"] = int(want["owner_id"])
        if self.mod.call("cbn", "AttachCenChildInstance", params, ignore_codes=(GRANT_MISSING, ATTACH_REFUSED)) is None:
            if want.get("owner_id") and self.grant_missing(cen_id, want):
                self.fail_grant(cen_id, want)
            # A CEN with no transit router yet shows no edition; the cloud refuses Basic attachments on today's
            # Enterprise Edition CENs with this code (AttachCenChildInstance reference).
            self.mod.fail(enterprise_message(cen_id, *ATTACH_WITH) + ".", error_code=EDITION_CODE)

    def update(self, cen):
        p = self.p
        mods = {}
        if p["cen_id"] and p["name"] is not None and p["name"] != cen.get("Name"):
            mods["Name"] = p["name"]
        for key, opt in (("Description", "description"), ("ProtectionLevel", "protection_level")):
            if p[opt] is not None and p[opt] != cen.get(key):
                mods[key] = p[opt]
        if mods:
            self.changed = True
            if not self.mod.check_mode:
                self.mod.call("cbn", "ModifyCenAttribute", dict(mods, CenId=cen["CenId"]))
        if p["tags"] is None:
            return
        have = tags_to_dict(dig(cen, "Tags.Tag"))
        want = dict((k, str(v)) for k, v in p["tags"].items())
        add = dict((k, v) for k, v in want.items() if have.get(k) != v)
        remove = [k for k in have if k not in want] if p["purge_tags"] else []
        if add or remove:
            self.changed = True
            if not self.mod.check_mode:
                if remove:
                    self.mod.call("cbn", "UntagResources", {"ResourceType": "cen", "ResourceId": [cen["CenId"]],
                                                            "TagKey": remove})
                if add:
                    self.mod.call("cbn", "TagResources", {"ResourceType": "cen", "ResourceId": [cen["CenId"]],
                                                          "Tag": tags_param(add)})

    # --- main -------------------------------------------------------------------------
    def absent(self):
        cen = self.find()
        if not cen:
            return {}, {}
        routers = [tr for tr in list_transit_routers(self.mod, cen["CenId"]) if tr.get("Type") == ENTERPRISE]
        if routers:
            self.mod.fail("CEN %s still has Enterprise Edition transit routers (%s); delete them first with "
                          "multicloud.transit.alicloud_transit_router (state=absent), after their connections." % (
                              cen["CenId"], ", ".join("%s in %s" % (tr["TransitRouterId"], tr["RegionId"])
                                                      for tr in routers)))
        children = self.children(cen["CenId"])
        before = self.view(cen, children)
        for child in children:
            if child.get("Status") != "Detaching":
                self.detach(cen["CenId"], child)
        self.changed = True
        if not self.mod.check_mode:
            if children:  # the CEN cannot go before its children, so this waits even with wait=false
                self.wait_children(cen["CenId"], [], [c["ChildInstanceId"] for c in children], force=True)
            self.mod.call("cbn", "DeleteCen", {"CenId": cen["CenId"]}, ignore_codes=("ParameterCenInstanceId",))
            if self.p["wait"]:
                self.mod.wait(lambda: self.get(cen["CenId"]), lambda c: not c, "CEN %s" % cen["CenId"], "deleted")
        return before, {}

    def present(self):
        p = self.p
        cen = self.find()
        if cen and p["attachments"]:  # Basic-edition children: stop before any change on an Enterprise CEN
            refuse_enterprise(self.mod, cen["CenId"], *ATTACH_WITH)
        before = self.view(cen, self.children(cen["CenId"])) if cen else {}
        if not cen:
            if not p["name"]:
                self.mod.fail("name is required to create a CEN instance.")
            self.changed = True
            if self.mod.check_mode:
                cen = {"CenId": None, "Name": p["name"], "Description": p["description"] or "",
                       "ProtectionLevel": p["protection_level"] or "REDUCED", "Status": "Active",
                       "Tags": {"Tag": tags_param(p["tags"])}}
            else:
                params = {"Name": p["name"], "Description": p["description"], "ProtectionLevel": p["protection_level"]}
                if p["tags"]:
                    params["Tag"] = tags_param(p["tags"])
                cen_id = self.mod.create("cbn", "CreateCen", params)["CenId"]
                cen = self.wait_active(cen_id) or {"CenId": cen_id}
        else:
            self.update(cen)
        cen_id = cen["CenId"]
        current = self.children(cen_id) if cen_id else []
        desired = [dict(a, owner_id=str(a["owner_id"]) if a.get("owner_id") else None) for a in p["attachments"] or []]
        to_add, dummy, to_remove = reconcile_list(
            [{"instance_id": a["instance_id"]} for a in desired],
            [{"instance_id": c["ChildInstanceId"]} for c in current if c.get("Status") != "Detaching"],
            key=lambda a: a["instance_id"], purge=p["purge_attachments"])
        add_ids = set(a["instance_id"] for a in to_add)
        adds = [a for a in desired if a["instance_id"] in add_ids]
        if cen_id:
            for want in adds:  # look before any change: a missing grant fails the run up front
                if want.get("owner_id") and self.grant_missing(cen_id, want):
                    self.fail_grant(cen_id, want)
        remove_ids = set(a["instance_id"] for a in to_remove)
        for child in current:
            if child["ChildInstanceId"] in remove_ids:
                self.detach(cen_id, child)
        for want in adds:
            self.attach(cen_id, want)
        if self.mod.check_mode:
            after = self.view(dict(cen, **self.planned(cen)), [
                c for c in current if c["ChildInstanceId"] not in remove_ids] + [
                {"ChildInstanceId": a["instance_id"], "ChildInstanceRegionId": a["region_id"],
                 "ChildInstanceOwnerId": a.get("owner_id"), "ChildInstanceType": "VPC", "Status": "Attached"}
                for a in adds])
            return before, after
        if adds or remove_ids:
            self.wait_children(cen_id, [a["instance_id"] for a in adds], sorted(remove_ids))
        if self.changed:
            cen = self.get(cen_id) or cen
        return before, self.view(cen, self.children(cen_id))

    def planned(self, cen):
        p = self.p
        out = {}
        if p["cen_id"] and p["name"] is not None:
            out["Name"] = p["name"]
        if p["description"] is not None:
            out["Description"] = p["description"]
        if p["protection_level"] is not None:
            out["ProtectionLevel"] = p["protection_level"]
        if p["tags"] is not None:
            tags = {} if p["purge_tags"] else tags_to_dict(dig(cen, "Tags.Tag"))
            tags.update(dict((k, str(v)) for k, v in p["tags"].items()))
            out["Tags"] = {"Tag": tags_param(tags)}
        return out


def validate(mod):
    for i, att in enumerate(mod.params["attachments"] or []):
        if not str(att["instance_id"]).startswith("vpc-"):
            mod.fail("attachments[%d].instance_id must be a VPC ID (vpc-...), got %r." % (i, att["instance_id"]))
        owner = att.get("owner_id")
        if owner is not None and not str(owner).isdigit():
            mod.fail("attachments[%d].owner_id must be the numeric UID of the account owning the VPC, got %r."
                     % (i, owner))
    if mod.params["state"] == "present" and not mod.params["name"] and not mod.params["cen_id"]:
        mod.fail("Either name or cen_id is required.")


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            name=dict(type="str"),
            cen_id=dict(type="str"),
            description=dict(type="str"),
            protection_level=dict(type="str", choices=["REDUCED", "FULL"]),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=True),
            attachments=dict(type="list", elements="dict", options=dict(
                instance_id=dict(type="str", required=True),
                region_id=dict(type="str", required=True),
                owner_id=dict(type="str"),
            )),
            purge_attachments=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        required_one_of=[["name", "cen_id"]],
        supports_check_mode=True,
    )
    validate(mod)
    manager = CenManager(mod)
    if mod.params["state"] == "absent":
        before, after = manager.absent()
    else:
        before, after = manager.present()
    result = dict(changed=manager.changed, cen=after)
    if mod.module._diff:
        result["diff"] = make_diff(CenManager.diff_view(before), CenManager.diff_view(after))
    mod.exit(**result)


if __name__ == "__main__":
    main()
