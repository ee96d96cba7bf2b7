#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_transit_router_peer_attachment
short_description: Connect the transit routers of an Alibaba Cloud CEN across regions (inter-region connections)
version_added: 0.2.0
description:
  - Reconciles the inter-region connections (transit router peer attachments) between the Enterprise Edition
    transit routers of one CEN instance in one call. A connection is identified by the two routers it joins, in
    either order.
  - Bandwidth comes from a CEN bandwidth plan (O(peer_attachments[].bandwidth_type=BandwidthPackage), see
    M(multicloud.transit.alicloud_cen_bandwidth)) or is billed by data transfer
    (O(peer_attachments[].bandwidth_type=DataTransfer)); a connection without either has only the 1 Kbps test
    bandwidth.
  - Waits until new or changed connections are C(Attached) and deleted ones are gone; creates carry a client
    token. Make the two regions learn each other's routes with
    M(multicloud.transit.alicloud_transit_router_route_table) (associate the connection with, and enable route
    learning in, a route table at each end).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  cen_id:
    description: ID of the CEN instance whose transit routers are connected.
    type: str
    required: true
  peer_attachments:
    description:
      - The inter-region connections. Connections not listed stay unless O(purge_peer_attachments=true).
      - With O(state=absent), the listed connections are deleted.
    type: list
    elements: dict
    default: []
    suboptions:
      region:
        description: Region of the local transit router. Give it or O(peer_attachments[].transit_router_id).
        type: str
      transit_router_id:
        description: The local transit router.
        type: str
      peer_region:
        description: Region of the peer transit router. Give it or O(peer_attachments[].peer_transit_router_id).
        type: str
      peer_transit_router_id:
        description: The peer transit router.
        type: str
      name:
        description: Name of the connection (1 to 128 characters, not starting with C(http://) or C(https://)).
        type: str
      description:
        description: Description of the connection (1 to 256 characters, not starting with C(http://) or C(https://)).
        type: str
      bandwidth_type:
        description:
          - C(BandwidthPackage) takes O(peer_attachments[].bandwidth) Mbit/s from
            O(peer_attachments[].cen_bandwidth_package_id); C(DataTransfer) bills by data transfer, with
            O(peer_attachments[].bandwidth) as a throttle. Left to the API's default when not given.
        type: str
        choices: [BandwidthPackage, DataTransfer]
      bandwidth:
        description: Bandwidth in Mbit/s (the maximum with a bandwidth plan, the throttle with data transfer).
        type: int
      cen_bandwidth_package_id:
        description:
          - Bandwidth plan to draw from (C(BandwidthPackage) only); it must be associated with the CEN and cover the
            two regions' areas.
        type: str
      default_link_type:
        description: Line type; C(Platinum) only with C(DataTransfer).
        type: str
        choices: [Gold, Platinum]
      auto_publish_route_enabled:
        description: Let the local router advertise the connection's routes to the peer router automatically.
        type: bool
      tags:
        description:
          - Tags given to a connection when it is created. The tags of an existing connection are not changed (the
            CBN API's C(TagResources) takes CEN instances only); the module warns when they differ.
        type: dict
  purge_peer_attachments:
    description: Delete the CEN's inter-region connections that O(peer_attachments) does not list.
    type: bool
    default: false
  force:
    description:
      - Delete connections together with their associations, route learning and static routes toward them (the
        API's C(Force)). Without it the module names what still depends on a connection and changes nothing.
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
- name: Connect Tokyo and Beijing, billed by data transfer
  multicloud.transit.alicloud_transit_router_peer_attachment:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen_id }}"
    peer_attachments:
      - {region: ap-northeast-1, peer_region: cn-beijing, name: tokyo-beijing, bandwidth_type: DataTransfer}
  register: peers

- name: The same connection with 10 Mbit/s of a bandwidth plan
  multicloud.transit.alicloud_transit_router_peer_attachment:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen_id }}"
    peer_attachments:
      - region: ap-northeast-1
        peer_region: cn-beijing
        bandwidth_type: BandwidthPackage
        bandwidth: 10
        cen_bandwidth_package_id: "{{ package_id }}"
"""

RETURN = r"""
cen_id:
  description: The CEN instance.
  returned: always
  type: str
  sample: cen-7qthudw0ll6jmc1234
peer_attachments:
  description:
    - The connections O(peer_attachments) lists, after the run, in its order (none with O(state=absent)).
    - In check mode a connection still to be created has a null C(transit_router_attachment_id).
  returned: always
  type: list
  elements: dict
  contains:
    transit_router_attachment_id:
      description: ID of the inter-region connection (the same at both ends).
      type: str
      sample: tr-attach-r6g0m3epjehw57****
    transit_router_id:
      description: The local router.
      type: str
      sample: tr-6wehrmv6uihhwszrk8nm3
    region_id:
      description: Region of the local router.
      type: str
      sample: ap-northeast-1
    peer_transit_router_id:
      description: The peer router.
      type: str
      sample: tr-2zeb1ycfyokm9ia4j1kfa
    peer_region_id:
      description: Region of the peer router.
      type: str
      sample: cn-beijing
    cen_id:
      description: The CEN instance.
      type: str
      sample: cen-7qthudw0ll6jmc1234
    status:
      description: Attaching, Attached, Modifying or Detaching.
      type: str
      sample: Attached
    bandwidth_type:
      description: BandwidthPackage or DataTransfer.
      type: str
      sample: DataTransfer
    bandwidth:
      description: Bandwidth in Mbit/s (0 when none is set).
      type: int
      sample: 0
    cen_bandwidth_package_id:
      description: The bandwidth plan, if any.
      type: str
      sample: null
    default_link_type:
      description: Gold or Platinum.
      type: str
      sample: Gold
    geographic_span_id:
      description: The areas the connection spans.
      type: str
      sample: china_asia-pacific
    name:
      description: Its name.
      type: str
      sample: tokyo-beijing
    description:
      description: Its description.
      type: str
      sample: ""
    auto_publish_route_enabled:
      description: Whether routes are advertised automatically.
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
    fail_if_blocked,
    fail_without_router,
    finish,
    lifecycle_options,
    list_attachments,
    live,
    peer_attachment_view,
    require_cen,
    routers_by_region,
    text_changes,
    wait_for,
    warn_tags,
)

SETTINGS = (("bandwidth_type", "BandwidthType"), ("bandwidth", "Bandwidth"),
            ("cen_bandwidth_package_id", "CenBandwidthPackageId"), ("default_link_type", "DefaultLinkType"),
            ("auto_publish_route_enabled", "AutoPublishRouteEnabled"))


def validate(mod):
    for i, item in enumerate(mod.params["peer_attachments"]):
        field = "peer_attachments[%d]" % i
        for local, router in (("region", "transit_router_id"), ("peer_region", "peer_transit_router_id")):
            if not item.get(local) and not item.get(router):
                mod.fail("%s needs %s or %s." % (field, local, router))
        if item.get("region") and item.get("region") == item.get("peer_region"):
            mod.fail("%s: region and peer_region are both %s; an inter-region connection joins two regions (VPCs of "
                     "one region share its transit router)." % (field, item["region"]))
        kind = item.get("bandwidth_type")
        if item.get("cen_bandwidth_package_id") and kind == "DataTransfer":
            mod.fail("%s.cen_bandwidth_package_id is for bandwidth_type BandwidthPackage; DataTransfer bills by data "
                     "transfer and takes no bandwidth plan." % field)
        if item.get("bandwidth") and kind in (None, "BandwidthPackage") and not item.get("cen_bandwidth_package_id"):
            mod.fail("%s.bandwidth %s Mbit/s of a bandwidth plan needs cen_bandwidth_package_id (see "
                     "multicloud.transit.alicloud_cen_bandwidth), or set bandwidth_type DataTransfer."
                     % (field, item["bandwidth"]))
        if item.get("default_link_type") == "Platinum" and kind != "DataTransfer":
            mod.fail("%s.default_link_type Platinum needs bandwidth_type DataTransfer." % field)
        if item.get("bandwidth") is not None and item["bandwidth"] < 0:
            mod.fail("%s.bandwidth must be 0 or more Mbit/s." % field)
        check_texts(mod, field, item, ATTACHMENT_TEXTS)


def pair_key(att):
    return frozenset((att.get("TransitRouterId"), att.get("PeerTransitRouterId")))


def pair_name(att):
    return " <-> ".join(sorted((att.get("RegionId") or "?", att.get("PeerTransitRouterRegionId") or "?")))


class PeerAttachments:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.cen_id = self.p["cen_id"]
        self.changed = False
        self.routers = {}

    def fetch(self):
        return list_attachments(self.mod, "peer", CenId=self.cen_id)

    def current(self):
        return dict((pair_key(a), a) for a in live(self.fetch()))

    @staticmethod
    def diff_view(by_pair):
        out = {}
        for att in by_pair.values():
            view = dict((option, att.get(key)) for option, key in SETTINGS)
            view.update(transit_router_attachment_id=att.get("TransitRouterAttachmentId"),
                        name=att.get("TransitRouterAttachmentName") or "",
                        description=att.get("TransitRouterAttachmentDescription") or "")
            out[pair_name(att)] = view
        return out

    def router(self, field, region, tr_id, missing_ok=False):
        """The router an item names by id or region; None when ``missing_ok`` and the CEN has none there."""
        if tr_id:
            tr = next((t for t in self.routers.values() if t["TransitRouterId"] == tr_id), None)
            if tr is None and missing_ok:
                return None
            if tr is None:
                self.mod.fail("%s: %s is not a transit router of CEN %s (its routers: %s)." % (
                    field, tr_id, self.cen_id, ", ".join(sorted(t["TransitRouterId"] for t in self.routers.values()))
                    or "none"))
            if region and tr["RegionId"] != region:
                self.mod.fail("%s: %s is in %s, not %s." % (field, tr_id, tr["RegionId"], region))
            return tr
        if region not in self.routers and not missing_ok:
            fail_without_router(self.mod, self.cen_id, region, field, self.routers)
        return self.routers.get(region)

    def changes_of(self, field, item, att):
        changes = text_changes(item, att, ATTACHMENT_TEXTS)
        normal = {"auto_publish_route_enabled": bool, "bandwidth": lambda v: v or 0,
                  "cen_bandwidth_package_id": lambda v: v or None}
        for option, key in SETTINGS:
            value = item.get(option)
            if value is not None and value != normal.get(option, lambda v: v)(att.get(key)):
                changes[key] = value
        warn_tags(self.mod, field, att, item.get("tags"), att["TransitRouterAttachmentId"])
        return changes

    def check_deletable(self, doomed):
        for field, att in doomed:
            ends = [dict(TransitRouterId=att["TransitRouterId"], RegionId=att["RegionId"]),
                    dict(TransitRouterId=att["PeerTransitRouterId"], RegionId=att["PeerTransitRouterRegionId"])]
            fail_if_blocked(self.mod, field, att, ends, "the inter-region connection %s (%s)" % (
                att["TransitRouterAttachmentId"], pair_name(att)))

    def create(self, item, tr, peer):
        params = {"CenId": self.cen_id, "TransitRouterId": tr["TransitRouterId"], "RegionId": tr["RegionId"],
                  "PeerTransitRouterId": peer["TransitRouterId"], "PeerTransitRouterRegionId": peer["RegionId"],
                  "TransitRouterAttachmentName": item.get("name"),
                  "TransitRouterAttachmentDescription": item.get("description")}
        params.update((key, item.get(option)) for option, key in SETTINGS)
        if item.get("tags"):
            params["Tag"] = tags_param(item["tags"])
        return self.mod.create("cbn", "CreateTransitRouterPeerAttachment", params,
                               region=tr["RegionId"])["TransitRouterAttachmentId"]

    def run(self):
        p = self.p
        items = p["peer_attachments"]
        current = self.current()
        if p["state"] == "present":
            require_cen(self.mod, self.cen_id)
        self.routers = routers_by_region(self.mod, self.cen_id)
        plan_new, plan_update, keys, fields = [], [], [], {}
        for i, item in enumerate(items):
            field = "peer_attachments[%d]" % i
            absent = p["state"] == "absent"  # a connection to a router that is gone is gone too
            tr = self.router(field + ".region", item.get("region"), item.get("transit_router_id"), absent)
            peer = self.router(field + ".peer_region", item.get("peer_region"), item.get("peer_transit_router_id"),
                               absent)
            if tr is None or peer is None:
                continue
            if tr["TransitRouterId"] == peer["TransitRouterId"]:
                self.mod.fail("%s: both ends are transit router %s; an inter-region connection joins two regions."
                              % (field, tr["TransitRouterId"]))
            key = frozenset((tr["TransitRouterId"], peer["TransitRouterId"]))
            if key in fields:
                self.mod.fail("%s joins the same two routers as %s." % (field, fields[key]))
            fields[key] = field
            keys.append(key)
            att = current.get(key)
            if absent:
                continue
            if att is None:
                plan_new.append((key, item, tr, peer))
            else:
                changes = self.changes_of(field, item, att)
                if changes:
                    plan_update.append((att, changes))
        if p["state"] == "absent":
            doomed = [(fields[key], current[key]) for key in keys if key in current]
        else:
            doomed = [("purge_peer_attachments", a) for key, a in current.items()
                      if key not in keys] if p["purge_peer_attachments"] else []
        self.check_deletable(doomed)

        self.changed = bool(plan_new or plan_update or doomed)
        after = dict(current)
        for dummy, att in doomed:
            after.pop(pair_key(att))
        if self.mod.check_mode:
            for key, item, tr, peer in plan_new:
                planned = dict((k, item.get(o)) for o, k in SETTINGS)
                planned.update({
                    "TransitRouterAttachmentId": None, "TransitRouterId": tr["TransitRouterId"],
                    "RegionId": tr["RegionId"], "PeerTransitRouterId": peer["TransitRouterId"],
                    "PeerTransitRouterRegionId": peer["RegionId"], "CenId": self.cen_id, "Status": "Attached",
                    "TransitRouterAttachmentName": item.get("name") or "",
                    "TransitRouterAttachmentDescription": item.get("description") or "",
                    "Tags": tags_param(item.get("tags"))})
                after[key] = planned
            for att, changes in plan_update:
                after[pair_key(att)] = dict(att, **changes)
        elif self.changed:
            for att, changes in plan_update:
                self.mod.call("cbn", "UpdateTransitRouterPeerAttachmentAttribute",
                              dict(changes, TransitRouterAttachmentId=att["TransitRouterAttachmentId"]),
                              region=att["RegionId"])
            created = [self.create(item, tr, peer) for dummy, item, tr, peer in plan_new]
            for dummy, att in doomed:
                self.mod.call("cbn", "DeleteTransitRouterPeerAttachment", {
                    "TransitRouterAttachmentId": att["TransitRouterAttachmentId"], "Force": p["force"] or None},
                    region=att["RegionId"], ignore_codes=("InvalidTransitRouterAttachmentId.NotFound",))
            wait_for(self.mod, self.fetch, created + [a["TransitRouterAttachmentId"] for a, dummy in plan_update],
                     "inter-region connections", ready=("Attached",))
            wait_for(self.mod, self.fetch, [a["TransitRouterAttachmentId"] for dummy, a in doomed],
                     "inter-region connections", gone=True)
            after = self.current()
        settling = [after[k]["TransitRouterAttachmentId"] for k in keys if k in after and p["state"] == "present"
                    and after[k].get("Status") != "Attached" and after[k].get("TransitRouterAttachmentId")]
        if settling and not self.mod.check_mode:  # e.g. still Attaching after a run with wait=false
            wait_for(self.mod, self.fetch, settling, "inter-region connections", ready=("Attached",))
            after = self.current()
        listed = [] if p["state"] == "absent" else [after[k] for k in keys if k in after]
        return current, after, listed


def main():
    mod = AlicloudModule(
        argument_spec=lifecycle_options(
            cen_id=dict(type="str", required=True),
            peer_attachments=dict(type="list", elements="dict", default=[], options=dict(
                region=dict(type="str"),
                transit_router_id=dict(type="str"),
                peer_region=dict(type="str"),
                peer_transit_router_id=dict(type="str"),
                name=dict(type="str"),
                description=dict(type="str"),
                bandwidth_type=dict(type="str", choices=["BandwidthPackage", "DataTransfer"]),
                bandwidth=dict(type="int"),
                cen_bandwidth_package_id=dict(type="str"),
                default_link_type=dict(type="str", choices=["Gold", "Platinum"]),
                auto_publish_route_enabled=dict(type="bool"),
                tags=dict(type="dict"),
            )),
            purge_peer_attachments=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    manager = PeerAttachments(mod)
    before, after, listed = manager.run()
    finish(mod, manager.changed, manager.diff_view(before), manager.diff_view(after), cen_id=mod.params["cen_id"],
           peer_attachments=[peer_attachment_view(a) for a in listed])


if __name__ == "__main__":
    main()
