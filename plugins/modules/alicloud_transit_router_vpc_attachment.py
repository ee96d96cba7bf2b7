#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_transit_router_vpc_attachment
short_description: Connect VPCs to the Enterprise Edition transit routers of an Alibaba Cloud CEN
version_added: 0.2.0
description:
  - Reconciles the VPC connections (transit router VPC attachments) of one CEN instance in one call, for VPCs in
    any region where the CEN has a transit router.
  - Zone mappings (one vSwitch per zone; the router puts an ENI, taking one IP address, in each) are chosen from
    the VPC's vSwitches when not given; an existing connection keeps the mappings it has unless
    O(attachments[].zone_mappings) says otherwise.
  - Waits until new or changed connections are C(Attached) and deleted ones are gone; creates carry a client
    token. New connections forward and learn nothing yet; associate them and enable route learning with
    M(multicloud.transit.alicloud_transit_router_route_table).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  cen_id:
    description: ID of the CEN instance whose transit routers the VPCs connect to.
    type: str
    required: true
  attachments:
    description:
      - The VPC connections, one per VPC. Connections of VPCs not listed stay unless O(purge_attachments=true).
      - With O(state=absent), the connections of the VPCs listed are deleted.
    type: list
    elements: dict
    default: []
    suboptions:
      vpc_id:
        description: ID of the VPC. Identifies the item.
        type: str
        required: true
      region:
        description:
          - Region of the VPC; the CEN must have a transit router there
            (M(multicloud.transit.alicloud_transit_router)).
        type: str
        required: true
      name:
        description: Name of the connection (1 to 128 characters, not starting with C(http://) or C(https://)).
        type: str
      description:
        description: Description of the connection (1 to 256 characters, not starting with C(http://) or C(https://)).
        type: str
      zone_mappings:
        description:
          - The vSwitch the router uses in each zone. In a region with several zones, at least two zones.
          - When not given for a new connection, chosen from the VPC's vSwitches (two zones, in each the vSwitch
            with the most free IP addresses). The module fails, before any change, when the VPC has vSwitches in
            one zone only, saying which zone to add.
          - Required for a VPC of another account (O(attachments[].vpc_owner_id)), whose vSwitches this account
            cannot read.
        type: list
        elements: dict
        suboptions:
          zone_id:
            description: Zone ID, for example C(ap-northeast-1a).
            type: str
            required: true
          vswitch_id:
            description: A vSwitch of the VPC in that zone with at least one free IP address.
            type: str
            required: true
      vpc_owner_id:
        description:
          - UID of the account owning the VPC, when it is not this account. That account must have granted the VPC
            to the CEN first (M(multicloud.transit.alicloud_cen_grant)).
        type: str
      auto_publish_route_enabled:
        description:
          - Let the transit router advertise the routes of the connection's associated route table into the VPC's
            system route table. The API's default is C(false).
        type: bool
      tags:
        description:
          - Tags given to a connection when it is created. The tags of an existing connection are not changed (the
            CBN API's C(TagResources) takes CEN instances only); the module warns when they differ.
        type: dict
  purge_attachments:
    description: Delete the CEN's VPC connections whose VPC O(attachments) does not list.
    type: bool
    default: false
  force:
    description:
      - Delete connections together with their associations, route learning and static routes toward them (the
        API's C(Force)). Without it the module names what still depends on a connection and changes nothing.
      - Routes in the VPC's own route tables toward the connection always block its deletion; remove them with
        M(multicloud.transit.alicloud_route_entry) first.
    type: bool
    default: false
  state:
    description: Whether the listed connections should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until connections are C(Attached), or gone after a delete.
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
- name: Connect the Tokyo and Beijing VPCs (zone mappings chosen from their vSwitches)
  multicloud.transit.alicloud_transit_router_vpc_attachment:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen_id }}"
    attachments:
      - {vpc_id: "{{ tokyo_vpc_id }}", region: ap-northeast-1, name: tokyo}
      - {vpc_id: "{{ beijing_vpc_id }}", region: cn-beijing, name: beijing}
  register: vpc_attachments

- name: A connection with explicit zones
  multicloud.transit.alicloud_transit_router_vpc_attachment:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen_id }}"
    attachments:
      - vpc_id: vpc-6we0000000000000000a1
        region: ap-northeast-1
        zone_mappings:
          - {zone_id: ap-northeast-1a, vswitch_id: vsw-6we0000000000000000a1}
          - {zone_id: ap-northeast-1c, vswitch_id: vsw-6we0000000000000000c1}

- name: Disconnect them
  multicloud.transit.alicloud_transit_router_vpc_attachment:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen_id }}"
    attachments:
      - {vpc_id: "{{ tokyo_vpc_id }}", region: ap-northeast-1}
      - {vpc_id: "{{ beijing_vpc_id }}", region: cn-beijing}
    state: absent
"""

RETURN = r"""
cen_id:
  description: The CEN instance.
  returned: always
  type: str
  sample: cen-7qthudw0ll6jmc1234
attachments:
  description:
    - The connections O(attachments) lists, after the run, in its order (none with O(state=absent)).
    - In check mode a connection still to be created has a null C(transit_router_attachment_id).
  returned: always
  type: list
  elements: dict
  contains:
    transit_router_attachment_id:
      description: ID of the VPC connection.
      type: str
      sample: tr-attach-nls9fzkfat8934****
    vpc_id:
      description: The VPC.
      type: str
      sample: vpc-6weq3zbjvyvwd1w2bhxqa
    vpc_owner_id:
      description: UID of the VPC's account.
      type: str
      sample: "5123456789012345"
    region_id:
      description: Region of the transit router and the VPC.
      type: str
      sample: ap-northeast-1
    transit_router_id:
      description: The transit router.
      type: str
      sample: tr-6wehrmv6uihhwszrk8nm3
    cen_id:
      description: The CEN instance.
      type: str
      sample: cen-7qthudw0ll6jmc1234
    status:
      description: Attaching, Attached, Modifying or Detaching.
      type: str
      sample: Attached
    zone_mappings:
      description: The vSwitch (and the router's ENI) in each zone.
      type: list
      elements: dict
      sample: [{"zone_id": "ap-northeast-1a", "vswitch_id": "vsw-6we...", "network_interface_id": "eni-6we..."}]
    name:
      description: Its name.
      type: str
      sample: tokyo
    description:
      description: Its description.
      type: str
      sample: ""
    auto_publish_route_enabled:
      description: Whether the router advertises routes into the VPC.
      type: bool
      sample: false
    tags:
      description: Its tags.
      type: dict
      sample: {}
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, tags_param
from ansible_collections.multicloud.transit.plugins.module_utils.transit_router import (
    ATTACHMENT_TEXTS,
    check_texts,
    check_zone_mappings,
    choose_zone_mappings,
    fail_if_blocked,
    fail_without_router,
    finish,
    lifecycle_options,
    list_attachments,
    live,
    require_cen,
    routers_by_region,
    text_changes,
    vpc_attachment_view,
    vpc_vswitches,
    wait_for,
    warn_tags,
)

VPC_ROUTES_LEFT = "OperationFailed.AttachmentReferencedVpcRouteEntryExisted"


def validate(mod):
    seen = {}
    for i, item in enumerate(mod.params["attachments"]):
        field = "attachments[%d]" % i
        if not item["vpc_id"].startswith("vpc-"):
            mod.fail("%s.vpc_id must be a VPC ID (vpc-...), got %r." % (field, item["vpc_id"]))
        if item["vpc_id"] in seen:
            mod.fail("%s.vpc_id %s is already listed in attachments[%d]."
                     % (field, item["vpc_id"], seen[item["vpc_id"]]))
        seen[item["vpc_id"]] = i
        owner = item.get("vpc_owner_id")
        if owner is not None and not str(owner).isdigit():
            mod.fail("%s.vpc_owner_id must be the numeric UID of the account owning the VPC, got %r." % (field, owner))
        check_texts(mod, field, item, ATTACHMENT_TEXTS)


def mapping_pairs(mappings, zone="ZoneId", vswitch="VSwitchId"):
    return set((m[zone], m[vswitch]) for m in mappings or [])


class VpcAttachments:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.cen_id = self.p["cen_id"]
        self.changed = False
        self.routers = {}

    def fetch(self):
        return list_attachments(self.mod, "vpc", CenId=self.cen_id)

    def current(self):
        return dict((a["VpcId"], a) for a in live(self.fetch()))

    @staticmethod
    def diff_view(by_vpc):
        return dict((vpc_id, {
            "transit_router_attachment_id": a.get("TransitRouterAttachmentId"), "region_id": a.get("RegionId"),
            "name": a.get("TransitRouterAttachmentName") or "",
            "description": a.get("TransitRouterAttachmentDescription") or "",
            "auto_publish_route_enabled": bool(a.get("AutoPublishRouteEnabled")),
            "zone_mappings": sorted("%s: %s" % pair for pair in mapping_pairs(a.get("ZoneMappings"))),
        }) for vpc_id, a in by_vpc.items())

    # --- planning (reads only) --------------------------------------------------------------
    def router_for(self, field, region):
        if region not in self.routers:
            fail_without_router(self.mod, self.cen_id, region, field + ".region", self.routers)
        return self.routers[region]

    def own_vswitches(self, field, item):
        """The VPC's vSwitches, or None for another account's VPC; fails when the VPC is not in that region."""
        if item.get("vpc_owner_id"):
            return None
        vpcs = self.mod.paginate("vpc", "DescribeVpcs", {"VpcId": item["vpc_id"]}, "Vpcs.Vpc", region=item["region"])
        if not any(v.get("VpcId") == item["vpc_id"] for v in vpcs):
            self.mod.fail("%s.vpc_id: VPC %s was not found in %s in this account; check vpc_id and region (and give "
                          "vpc_owner_id for another account's VPC)." % (field, item["vpc_id"], item["region"]))
        return vpc_vswitches(self.mod, item["vpc_id"], item["region"])

    def new_mappings(self, field, item):
        vswitches = self.own_vswitches(field, item)
        if item.get("zone_mappings"):
            return check_zone_mappings(self.mod, field, item["vpc_id"], item["region"], item["zone_mappings"],
                                       vswitches)
        if vswitches is None:
            self.mod.fail("%s.zone_mappings is required for a VPC of another account (vpc_owner_id): this account "
                          "cannot read its vSwitches." % field)
        return choose_zone_mappings(self.mod, field, item["vpc_id"], item["region"], vswitches)

    def changes_of(self, field, item, att):
        """(attribute changes, (add, remove) zone mappings) an existing connection needs."""
        attrs = text_changes(item, att, ATTACHMENT_TEXTS)
        auto = item.get("auto_publish_route_enabled")
        if auto is not None and auto != bool(att.get("AutoPublishRouteEnabled")):
            attrs["AutoPublishRouteEnabled"] = auto
        zones = None
        if item.get("zone_mappings"):
            have = mapping_pairs(att.get("ZoneMappings"))
            want = mapping_pairs(item["zone_mappings"], "zone_id", "vswitch_id")
            if want != have:
                check_zone_mappings(self.mod, field, item["vpc_id"], item["region"], item["zone_mappings"],
                                    self.own_vswitches(field, item))
                zones = ([{"ZoneId": z, "VSwitchId": v} for z, v in sorted(want - have)],
                         [{"ZoneId": z, "VSwitchId": v} for z, v in sorted(have - want)])
        warn_tags(self.mod, field, att, item.get("tags"), att["TransitRouterAttachmentId"])
        return attrs, zones

    def check_deletable(self, doomed):
        for field, att in doomed:
            fail_if_blocked(self.mod, field, att, [att], "the connection %s of VPC %s" % (
                att["TransitRouterAttachmentId"], att["VpcId"]))

    # --- changes ---------------------------------------------------------------------------------
    def create(self, item, tr, mappings):
        params = {"CenId": self.cen_id, "TransitRouterId": tr["TransitRouterId"], "RegionId": item["region"],
                  "VpcId": item["vpc_id"], "ZoneMappings": mappings,
                  "AutoPublishRouteEnabled": item.get("auto_publish_route_enabled"),
                  "TransitRouterAttachmentName": item.get("name"),
                  "TransitRouterAttachmentDescription": item.get("description")}
        if item.get("vpc_owner_id"):
            params["VpcOwnerId"] = int(item["vpc_owner_id"])
        if item.get("tags"):
            params["Tag"] = tags_param(item["tags"])
        return self.mod.create("cbn", "CreateTransitRouterVpcAttachment", params,
                               region=item["region"])["TransitRouterAttachmentId"]

    def update(self, att, attrs, zones):
        att_id, region = att["TransitRouterAttachmentId"], att["RegionId"]
        if attrs:
            self.mod.call("cbn", "UpdateTransitRouterVpcAttachmentAttribute",
                          dict(attrs, TransitRouterAttachmentId=att_id), region=region)
        if zones:
            wait_for(self.mod, self.fetch, [att_id], "VPC connection", ready=("Attached",))
            self.mod.create("cbn", "UpdateTransitRouterVpcAttachmentZones", {
                "TransitRouterAttachmentId": att_id, "AddZoneMappings": zones[0] or None,
                "RemoveZoneMappings": zones[1] or None}, region=region)

    def delete(self, field, att):
        done = self.mod.call("cbn", "DeleteTransitRouterVpcAttachment", {
            "TransitRouterAttachmentId": att["TransitRouterAttachmentId"], "Force": self.p["force"] or None},
            region=att["RegionId"], ignore_codes=(VPC_ROUTES_LEFT, "InvalidTransitRouterAttachmentId.NotFound"))
        if done is None and self.current().get(att["VpcId"]):
            self.mod.fail("%s: the connection %s cannot be deleted while routes in VPC %s point to it; remove them "
                          "with multicloud.transit.alicloud_route_entry (next_hop_type Attachment) first."
                          % (field, att["TransitRouterAttachmentId"], att["VpcId"]), error_code=VPC_ROUTES_LEFT)

    # --- the run -----------------------------------------------------------------------------------
    def run(self):
        p = self.p
        items = p["attachments"]
        current = self.current()
        if p["state"] == "absent":
            doomed = [("attachments[%d]" % i, current[item["vpc_id"]]) for i, item in enumerate(items)
                      if item["vpc_id"] in current]
            plan_new, plan_update = [], []
        else:
            require_cen(self.mod, self.cen_id)
            self.routers = routers_by_region(self.mod, self.cen_id)
            plan_new, plan_update = [], []
            for i, item in enumerate(items):
                field = "attachments[%d]" % i
                tr = self.router_for(field, item["region"])
                att = current.get(item["vpc_id"])
                if att is None:
                    plan_new.append((item, tr, self.new_mappings(field, item)))
                    continue
                if att.get("RegionId") != item["region"]:
                    self.mod.fail("%s.region: VPC %s is connected to the transit router in %s, not %s."
                                  % (field, item["vpc_id"], att.get("RegionId"), item["region"]))
                attrs, zones = self.changes_of(field, item, att)
                if attrs or zones:
                    plan_update.append((att, attrs, zones))
            listed = set(item["vpc_id"] for item in items)
            doomed = [("purge_attachments", a) for vpc_id, a in sorted(current.items())
                      if vpc_id not in listed] if p["purge_attachments"] else []
        self.check_deletable(doomed)

        self.changed = bool(plan_new or plan_update or doomed)
        after = dict(current)
        for dummy, att in doomed:
            after.pop(att["VpcId"])
        if self.mod.check_mode:
            for item, tr, mappings in plan_new:
                after[item["vpc_id"]] = {
                    "TransitRouterAttachmentId": None, "VpcId": item["vpc_id"], "RegionId": item["region"],
                    "TransitRouterId": tr["TransitRouterId"], "CenId": self.cen_id, "Status": "Attached",
                    "VpcOwnerId": item.get("vpc_owner_id") or "", "ZoneMappings": mappings,
                    "TransitRouterAttachmentName": item.get("name") or "",
                    "TransitRouterAttachmentDescription": item.get("description") or "",
                    "AutoPublishRouteEnabled": bool(item.get("auto_publish_route_enabled")),
                    "Tags": tags_param(item.get("tags"))}
            for att, attrs, zones in plan_update:
                planned = dict(att, **attrs)
                if zones:
                    removed = mapping_pairs(zones[1])
                    planned["ZoneMappings"] = [m for m in att.get("ZoneMappings") or []
                                               if (m["ZoneId"], m["VSwitchId"]) not in removed] + zones[0]
                after[att["VpcId"]] = planned
        elif self.changed:
            for att, attrs, zones in plan_update:
                self.update(att, attrs, zones)
            created = [self.create(item, tr, mappings) for item, tr, mappings in plan_new]
            for field, att in doomed:
                self.delete(field, att)
            wait_for(self.mod, self.fetch, created + [u[0]["TransitRouterAttachmentId"] for u in plan_update],
                     "VPC connections", ready=("Attached",))
            wait_for(self.mod, self.fetch, [a["TransitRouterAttachmentId"] for dummy, a in doomed],
                     "VPC connections", gone=True)
            after = self.current()
        settling = [after[i["vpc_id"]]["TransitRouterAttachmentId"] for i in items if i["vpc_id"] in after
                    and after[i["vpc_id"]].get("Status") != "Attached" and p["state"] == "present"]
        if settling and not self.mod.check_mode:  # e.g. still Attaching after a run with wait=false
            wait_for(self.mod, self.fetch, settling, "VPC connections", ready=("Attached",))
            after = self.current()
        listed = [] if p["state"] == "absent" else [after[i["vpc_id"]] for i in items if i["vpc_id"] in after]
        return current, after, listed


def main():
    mod = AlicloudModule(
        argument_spec=lifecycle_options(
            cen_id=dict(type="str", required=True),
            attachments=dict(type="list", elements="dict", default=[], options=dict(
                vpc_id=dict(type="str", required=True),
                region=dict(type="str", required=True),
                name=dict(type="str"),
                description=dict(type="str"),
                zone_mappings=dict(type="list", elements="dict", options=dict(
                    zone_id=dict(type="str", required=True),
                    vswitch_id=dict(type="str", required=True),
                )),
                vpc_owner_id=dict(type="str"),
                auto_publish_route_enabled=dict(type="bool"),
                tags=dict(type="dict"),
            )),
            purge_attachments=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    manager = VpcAttachments(mod)
    before, after, listed = manager.run()
    finish(mod, manager.changed, manager.diff_view(before), manager.diff_view(after), cen_id=mod.params["cen_id"],
           attachments=[vpc_attachment_view(a) for a in listed])


if __name__ == "__main__":
    main()
