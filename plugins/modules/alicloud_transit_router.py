#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_transit_router
short_description: Manage the Enterprise Edition transit routers of an Alibaba Cloud CEN, in several regions at once
version_added: 0.2.0
description:
  - Reconciles the Enterprise Edition transit routers of one Cloud Enterprise Network (CEN) instance in one call,
    one router per region (a CEN has at most one per region), created, renamed or deleted, in every region
    listed.
  - Waits until new or changed routers are C(Active) and deleted ones are gone. Creates carry a client token,
    so a retried create never makes a second router.
  - Each router comes with its system route table; manage its associations, route learning and static routes
    with M(multicloud.transit.alicloud_transit_router_route_table). Connect VPCs with
    M(multicloud.transit.alicloud_transit_router_vpc_attachment) and regions with
    M(multicloud.transit.alicloud_transit_router_peer_attachment).
  - A router is deleted only once nothing depends on it; the module names what is left (connections, custom
    route tables, static routes) before any change.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  cen_id:
    description: ID of the CEN instance (see M(multicloud.transit.alicloud_cen)).
    type: str
    required: true
  transit_routers:
    description:
      - The transit routers, one per region. Routers of regions not listed stay unless
        O(purge_transit_routers=true).
      - With O(state=absent), the routers of the regions listed are deleted; without the list, every router of
        the CEN.
    type: list
    elements: dict
    suboptions:
      region:
        description: Region of the router, for example C(ap-northeast-1). Identifies the item.
        type: str
        required: true
      name:
        description: Name of the router (1 to 128 characters, not starting with C(http://) or C(https://)).
        type: str
      description:
        description: Description of the router (1 to 256 characters, not starting with C(http://) or C(https://)).
        type: str
      tags:
        description:
          - Tags given to a router when it is created.
          - The CBN API's C(TagResources) takes CEN instances only, so the tags of an existing router are not
            changed; the module warns when they differ.
        type: dict
  purge_transit_routers:
    description: Delete the CEN's routers in regions that O(transit_routers) does not list.
    type: bool
    default: false
  state:
    description: Whether the listed routers should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until routers are C(Active), or gone after a delete.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
notes:
  - CEN is a global service; each router is created through its own region (C(RegionId)), so one call covers
    every region of a hub. I(alicloud_region) only picks the default endpoint.
  - A CEN whose protection level is C(FULL) has no Enterprise Edition transit routers.
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Transit routers in Tokyo and Beijing
  multicloud.transit.alicloud_transit_router:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen.cen.cen_id }}"
    transit_routers:
      - {region: ap-northeast-1, name: tokyo-tr}
      - {region: cn-beijing, name: beijing-tr, tags: {env: demo}}
  register: routers

- name: Remove every transit router of the CEN (after their connections are gone)
  multicloud.transit.alicloud_transit_router:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen.cen.cen_id }}"
    state: absent
"""

RETURN = r"""
cen_id:
  description: The CEN instance.
  returned: always
  type: str
  sample: cen-7qthudw0ll6jmc1234
transit_routers:
  description:
    - The routers O(transit_routers) lists, after the run, in its order (none with O(state=absent)).
    - In check mode a router still to be created has a null C(transit_router_id).
  returned: always
  type: list
  elements: dict
  contains:
    transit_router_id:
      description: Transit router ID.
      type: str
      sample: tr-6wehrmv6uihhwszrk8nm3
    region_id:
      description: Its region.
      type: str
      sample: ap-northeast-1
    cen_id:
      description: Its CEN instance.
      type: str
      sample: cen-7qthudw0ll6jmc1234
    status:
      description: Creating, Active, Modifying or Deleting.
      type: str
      sample: Active
    type:
      description: The edition, C(Enterprise).
      type: str
      sample: Enterprise
    system_route_table_id:
      description: ID of its system (default) route table.
      type: str
      sample: vtb-6wexwf0qncq6sdvzlk4m1
    name:
      description: Its name.
      type: str
      sample: tokyo-tr
    description:
      description: Its description.
      type: str
      sample: ""
    tags:
      description: Its tags.
      type: dict
      sample: {"env": "demo"}
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, tags_param
from ansible_collections.multicloud.transit.plugins.module_utils.transit_router import (
    BASIC,
    ENTERPRISE,
    ROUTER_TEXTS,
    check_texts,
    finish,
    known_regions,
    lifecycle_options,
    list_attachments,
    list_transit_routers,
    live,
    require_cen,
    route_tables,
    router_view,
    routers_by_region,
    system_table_id,
    table_routes,
    tags_of,
    text_changes,
    wait_for,
    warn_tags,
)


def validate(mod):
    seen = {}
    for i, item in enumerate(mod.params["transit_routers"] or []):
        field = "transit_routers[%d]" % i
        if item["region"] in seen:
            mod.fail("%s.region %s is already listed in transit_routers[%d]: one router per CEN and region."
                     % (field, item["region"], seen[item["region"]]))
        seen[item["region"]] = i
        check_texts(mod, field, item, ROUTER_TEXTS)


def delete_blockers(mod, cen_id, tr):
    """Why ``tr`` cannot be deleted yet, as sentences (DeleteTransitRouter refuses while any of these exist)."""
    tr_id, region = tr["TransitRouterId"], tr["RegionId"]
    out = []
    for kind, module_name in (("vpc", "alicloud_transit_router_vpc_attachment"), ("vpn", "alicloud_vpn_attachment")):
        found = live(list_attachments(mod, kind, region, TransitRouterId=tr_id))
        if found:
            out.append("%s connections %s (remove them with multicloud.transit.%s)" % (
                kind.upper(), ", ".join(a["TransitRouterAttachmentId"] for a in found), module_name))
    peers = [a for a in live(list_attachments(mod, "peer", CenId=cen_id))
             if tr_id in (a.get("TransitRouterId"), a.get("PeerTransitRouterId"))]
    if peers:
        out.append("inter-region connections %s (remove them with "
                   "multicloud.transit.alicloud_transit_router_peer_attachment)"
                   % ", ".join(a["TransitRouterAttachmentId"] for a in peers))
    tables = live(route_tables(mod, tr), "TransitRouterRouteTableStatus")
    custom = [t["TransitRouterRouteTableId"] for t in tables if t.get("TransitRouterRouteTableType") != "System"]
    if custom:
        out.append("custom route tables %s (remove them with multicloud.transit.alicloud_transit_router_route_table)"
                   % ", ".join(custom))
    system = [t for t in tables if t.get("TransitRouterRouteTableType") == "System"]
    if system:
        statics = [r["TransitRouterRouteEntryDestinationCidrBlock"] for r in table_routes(
            mod, region, system[0]["TransitRouterRouteTableId"], static_only=True, status="All")]
        if statics:
            out.append("static routes %s in its system route table (remove them with "
                       "multicloud.transit.alicloud_transit_router_route_table and purge_routes)" % ", ".join(statics))
    return out


class TransitRouters:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.cen_id = self.p["cen_id"]
        self.changed = False

    def read(self):
        return routers_by_region(self.mod, self.cen_id)

    def fetch_all(self):
        return list_transit_routers(self.mod, self.cen_id)

    def view(self, tr):
        if tr.get("TransitRouterId") is None:
            return router_view(tr)
        return router_view(tr, system_table_id(route_tables(self.mod, tr)))

    @staticmethod
    def diff_view(routers):
        return dict((region, {"transit_router_id": tr.get("TransitRouterId"), "name": tr.get("TransitRouterName") or "",
                              "description": tr.get("TransitRouterDescription") or "", "tags": tags_of(tr)})
                    for region, tr in routers.items())

    def check_deletable(self, doomed):
        for field, tr in doomed:
            blockers = delete_blockers(self.mod, self.cen_id, tr)
            if blockers:
                self.mod.fail("%s: transit router %s (%s) cannot be deleted while it has %s." % (
                    field, tr["TransitRouterId"], tr["RegionId"], "; ".join(blockers)))

    def delete(self, doomed):
        if doomed:
            self.changed = True
        if self.mod.check_mode or not doomed:
            return
        for dummy, tr in doomed:
            self.mod.call("cbn", "DeleteTransitRouter", {"TransitRouterId": tr["TransitRouterId"]},
                          region=tr["RegionId"], ignore_codes=("InvalidTransitRouterInstance.NotFound",))
        wait_for(self.mod, self.fetch_all, [tr["TransitRouterId"] for dummy, tr in doomed], "transit routers",
                 gone=True, id_key="TransitRouterId")

    def absent(self):
        current = self.read()
        items = self.p["transit_routers"]
        regions = [i["region"] for i in items] if items is not None else sorted(current)
        doomed = [("transit_routers[%d]" % i if items is not None else "state=absent", current[r])
                  for i, r in enumerate(regions) if r in current]
        self.check_deletable(doomed)
        self.delete(doomed)
        after = dict((r, tr) for r, tr in current.items() if r not in regions)
        return current, after, []

    def present(self):
        cen = require_cen(self.mod, self.cen_id)
        if cen.get("ProtectionLevel") == "FULL":
            self.mod.fail("cen_id: CEN %s has protection level FULL, which has no Enterprise Edition transit routers; "
                          "set protection_level REDUCED with multicloud.transit.alicloud_cen first." % self.cen_id)
        current = self.read()
        items = self.p["transit_routers"] or []
        new = [(i, item) for i, item in enumerate(items) if item["region"] not in current]
        basic = dict((tr.get("RegionId"), tr) for tr in list_transit_routers(self.mod, self.cen_id)
                     if tr.get("Type") == BASIC) if new else {}
        for i, item in new:
            if item["region"] in basic:
                self.mod.fail("transit_routers[%d].region: CEN %s has a Basic Edition transit router in %s (%s), and a "
                              "CEN has one router per region; upgrade it to Enterprise Edition in the CEN console "
                              "first." % (i, self.cen_id, item["region"], basic[item["region"]]["TransitRouterId"]))
        if new:
            regions = known_regions(self.mod)
            for i, item in new:
                if item["region"] not in regions:
                    self.mod.fail("transit_routers[%d].region %s is not an Alibaba Cloud region (DescribeRegions lists "
                                  "the region ids, e.g. ap-northeast-1)." % (i, item["region"]))
        updates = [(item, current[item["region"]], text_changes(item, current[item["region"]], ROUTER_TEXTS))
                   for item in items if item["region"] in current]
        updates = [u for u in updates if u[2]]
        for i, item in enumerate(items):
            tr = current.get(item["region"])
            if tr is not None:
                warn_tags(self.mod, "transit_routers[%d]" % i, tr, item.get("tags"), tr["TransitRouterId"])
        listed = set(i["region"] for i in items)
        doomed = [("purge_transit_routers", tr) for region, tr in sorted(current.items())
                  if region not in listed] if self.p["purge_transit_routers"] else []
        self.check_deletable(doomed)

        self.changed = bool(new or updates)
        after = dict(current)
        if self.mod.check_mode:
            for dummy, item in new:
                after[item["region"]] = {"TransitRouterId": None, "RegionId": item["region"], "CenId": self.cen_id,
                                         "Status": "Active", "Type": ENTERPRISE,
                                         "TransitRouterName": item.get("name") or "",
                                         "TransitRouterDescription": item.get("description") or "",
                                         "Tags": tags_param(item.get("tags"))}
            for dummy, tr, changes in updates:
                after[tr["RegionId"]] = dict(tr, **changes)
        else:
            created = []
            for dummy, item in new:
                params = {"CenId": self.cen_id, "RegionId": item["region"], "TransitRouterName": item.get("name"),
                          "TransitRouterDescription": item.get("description")}
                if item.get("tags"):
                    params["Tag"] = tags_param(item["tags"])
                created.append(self.mod.create("cbn", "CreateTransitRouter", params,
                                               region=item["region"])["TransitRouterId"])
            for dummy, tr, changes in updates:
                self.mod.call("cbn", "UpdateTransitRouter", dict(changes, TransitRouterId=tr["TransitRouterId"]),
                              region=tr["RegionId"])
            wait_for(self.mod, self.fetch_all, created + [u[1]["TransitRouterId"] for u in updates],
                     "transit routers", ready=("Active",), id_key="TransitRouterId")
            if self.changed:
                after = self.read()
            for tr_id, (dummy, item) in zip(created, new):  # wait=false: a fresh read may not see it yet
                after.setdefault(item["region"], {"TransitRouterId": tr_id, "RegionId": item["region"],
                                                  "CenId": self.cen_id, "Status": "Creating", "Type": ENTERPRISE,
                                                  "TransitRouterName": item.get("name") or ""})
        self.delete(doomed)
        for dummy, tr in doomed:
            after.pop(tr["RegionId"], None)
        return current, after, [after[i["region"]] for i in items if i["region"] in after]


def main():
    mod = AlicloudModule(
        argument_spec=lifecycle_options(
            cen_id=dict(type="str", required=True),
            transit_routers=dict(type="list", elements="dict", options=dict(
                region=dict(type="str", required=True),
                name=dict(type="str"),
                description=dict(type="str"),
                tags=dict(type="dict"),
            )),
            purge_transit_routers=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    manager = TransitRouters(mod)
    before, after, listed = manager.absent() if mod.params["state"] == "absent" else manager.present()
    finish(mod, manager.changed, manager.diff_view(before), manager.diff_view(after), cen_id=mod.params["cen_id"],
           transit_routers=[manager.view(tr) for tr in listed])


if __name__ == "__main__":
    main()
