#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_cen_route
short_description: Publish VPC route entries to a CEN instance, or withdraw them
version_added: 0.1.0
description:
  - Publishes custom route entries of a VPC attached to a CEN instance (for example a route to
    a VPN gateway or a router interface) so the other attached VPCs learn them, or withdraws
    them with I(state=absent). Waits until C(PublishStatus) is C(Published) or C(NonPublished).
  - The route entries must exist already (see M(multicloud.transit.alicloud_route_entry)).
    vSwitch routes are always published by CEN and need no publishing.
  - Route publication is a Basic Edition feature. Where the CEN's transit router is Enterprise Edition (every
    CEN created today), the module stops before any change and points to
    M(multicloud.transit.alicloud_transit_router_route_table).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  cen_id:
    description: ID of the CEN instance the VPC is attached to.
    type: str
    required: true
  vpc_id:
    description: ID of the attached VPC whose route entries are published.
    type: str
    required: true
  vpc_region:
    description: Region of the VPC. Defaults to I(alicloud_region).
    type: str
  route_table_id:
    description: Route table of the VPC holding the entries. Found automatically when not given.
    type: str
  destinations:
    description: Destination CIDR blocks of the route entries to publish or withdraw.
    type: list
    elements: str
    required: true
  state:
    description: C(present) publishes, C(absent) withdraws.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until every entry shows the wanted publish status.
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
- name: Publish Tokyo's route to AWS (via the VPN gateway) so Beijing learns it
  multicloud.transit.alicloud_cen_route:
    alicloud_region: ap-northeast-1
    cen_id: "{{ cen_id }}"
    vpc_id: "{{ tokyo_vpc_id }}"
    destinations: [172.16.0.0/12]
"""

RETURN = r"""
cen_id:
  description: The CEN instance.
  returned: always
  type: str
  sample: cen-7qthudw0ll6jmc1234
vpc_id:
  description: The VPC.
  returned: always
  type: str
  sample: vpc-6weq3zbjvyvwd1w2bhxqa
route_table_id:
  description: The route table holding the entries.
  returned: always
  type: str
  sample: vtb-6wehrmv6uihhwszrk8nm3
routes:
  description: The managed entries after the run.
  returned: always
  type: list
  elements: dict
  sample: [{"destination_cidr_block": "172.16.0.0/12", "publish_status": "Published",
            "next_hop_type": "VpnGateway", "next_hop_id": "vpn-6we...", "route_type": "Custom"}]
"""

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff
from ansible_collections.multicloud.transit.plugins.module_utils.transit_router import (
    EDITION_CODE,
    enterprise_message,
    refuse_enterprise,
)

NOT_ATTACHED = "ParameterInstanceId"
ROUTE_WITH = ("manage its routes", "alicloud_transit_router_route_table")


def validate(mod):
    p = mod.params
    if not p["destinations"]:
        mod.fail("destinations must list at least one CIDR block.")
    for i, dest in enumerate(p["destinations"]):
        try:
            ipaddress.ip_network(dest, strict=True)
        except ValueError:
            mod.fail("destinations[%d] %r is not a CIDR block such as 172.16.0.0/12." % (i, dest))
    if not p["vpc_id"].startswith("vpc-"):
        mod.fail("vpc_id must be a VPC ID (vpc-...), got %r." % p["vpc_id"])


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            cen_id=dict(type="str", required=True),
            vpc_id=dict(type="str", required=True),
            vpc_region=dict(type="str"),
            route_table_id=dict(type="str"),
            destinations=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    p = mod.params
    region = p["vpc_region"] or mod.region
    # Route publication is Basic Edition only: stop before any change where the region's router is Enterprise.
    refuse_enterprise(mod, p["cen_id"], *ROUTE_WITH, regions=[region])
    child = {"CenId": p["cen_id"], "ChildInstanceId": p["vpc_id"], "ChildInstanceType": "VPC",
             "ChildInstanceRegionId": region}
    if p["route_table_id"]:
        child["ChildInstanceRouteTableId"] = p["route_table_id"]

    def read():
        # Every page (PageSize is at most 50): a route table holds up to 200 custom entries.
        entries = mod.paginate("cbn", "DescribePublishedRouteEntries", child,
                               "PublishedRouteEntries.PublishedRouteEntry", ignore_codes=(NOT_ATTACHED,))
        if entries is None:
            refuse_enterprise(mod, p["cen_id"], *ROUTE_WITH)  # a CEN of today: no Basic children anywhere
            mod.fail("VPC %s (%s) is not attached to CEN %s; attach it with multicloud.transit.alicloud_cen first."
                     % (p["vpc_id"], region, p["cen_id"]), error_code=NOT_ATTACHED)
        return dict((e["DestinationCidrBlock"], e) for e in entries)

    entries = read()
    table_id = p["route_table_id"] or next((e.get("ChildInstanceRouteTableId") for e in entries.values()), None)
    want = "Published" if p["state"] == "present" else "NonPublished"
    todo = []
    for i, dest in enumerate(p["destinations"]):
        dest = str(ipaddress.ip_network(dest))
        entry = entries.get(dest)
        if entry is None:
            mod.fail("destinations[%d] %s is not a route entry of route table %s of VPC %s; create the route entry "
                     "first (multicloud.transit.alicloud_route_entry)." % (i, dest, table_id, p["vpc_id"]))
        if entry.get("RouteType") == "System":
            if p["state"] == "absent":
                mod.fail("destinations[%d] %s is a vSwitch route: CEN always carries it and it cannot be withdrawn."
                         % (i, dest))
            continue
        if entry.get("PublishStatus") != want:
            if entry.get("OperationalMode") is False:
                mod.fail("destinations[%d] %s has next hop type %s, which CEN cannot publish or withdraw."
                         % (i, dest, entry.get("NextHopType")))
            todo.append(dest)

    def view(entries_by_dest):
        return [{"destination_cidr_block": d, "publish_status": entries_by_dest[d].get("PublishStatus"),
                 "route_type": entries_by_dest[d].get("RouteType"),
                 "next_hop_type": entries_by_dest[d].get("NextHopType"),
                 "next_hop_id": entries_by_dest[d].get("NextHopId")}
                for d in sorted(set(str(ipaddress.ip_network(x)) for x in p["destinations"]))]

    before = view(entries)
    if todo and not mod.check_mode:
        action = "PublishRouteEntries" if p["state"] == "present" else "WithdrawPublishedRouteEntries"
        for dest in todo:
            if mod.call("cbn", action, dict(child, ChildInstanceRouteTableId=table_id, DestinationCidrBlock=dest),
                        ignore_codes=(EDITION_CODE,)) is None:
                mod.fail(enterprise_message(p["cen_id"], *ROUTE_WITH) + ".", error_code=EDITION_CODE)
        if p["wait"]:
            entries = mod.wait(read, lambda e: all(e.get(d, {}).get("PublishStatus") == want for d in todo),
                               "route entries %s of %s" % (", ".join(todo), p["vpc_id"]), want)
        else:
            entries = read()
    elif todo:
        entries = dict((d, dict(e, PublishStatus=want) if d in todo else e) for d, e in entries.items())
    after = view(entries)
    result = dict(changed=bool(todo), cen_id=p["cen_id"], vpc_id=p["vpc_id"], route_table_id=table_id, routes=after)
    if mod.module._diff:
        result["diff"] = make_diff(dict((r["destination_cidr_block"], r["publish_status"]) for r in before),
                                   dict((r["destination_cidr_block"], r["publish_status"]) for r in after))
    mod.exit(**result)


if __name__ == "__main__":
    main()
