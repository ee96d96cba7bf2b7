#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_tgw
short_description: Create, modify or delete an AWS Transit Gateway
version_added: 0.1.0
description:
  - Manages one Transit Gateway, found by O(transit_gateway_id) or else by its C(Name) tag.
  - Options that AWS can change in place (description, DNS support, VPN ECMP support, default
    route table association and propagation, auto-accept of shared attachments, Amazon side ASN)
    are applied with C(ModifyTransitGateway). O(multicast_support) cannot be changed after
    creation, so the module refuses such a change and names the option.
  - Deleting is refused while the Transit Gateway still has attachments; the error lists them.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the Transit Gateway should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - Value of the C(Name) tag; finds the Transit Gateway when O(transit_gateway_id) is not given.
      - One of O(name) and O(transit_gateway_id) is required.
    type: str
  transit_gateway_id:
    description: ID of an existing Transit Gateway to manage.
    type: str
  description:
    description: Description of the Transit Gateway.
    type: str
  amazon_side_asn:
    description:
      - Private ASN of the Amazon side (64512-65534 or 4200000000-4294967294). AWS default 64512.
      - Changing it is refused while the Transit Gateway has attachments.
    type: int
  dns_support:
    description: Enable DNS support. AWS default true.
    type: bool
  vpn_ecmp_support:
    description: Enable equal-cost multi-path routing over VPN attachments. AWS default true.
    type: bool
  default_route_table_association:
    description: Associate new attachments with the default route table. AWS default true.
    type: bool
  default_route_table_propagation:
    description: Propagate new attachments into the default route table. AWS default true.
    type: bool
  auto_accept_shared_attachments:
    description: Accept cross-account attachment requests automatically. AWS default false.
    type: bool
  multicast_support:
    description: Enable multicast (only at creation). AWS default false.
    type: bool
  tags:
    description: Tags to set; C(Name) comes from O(name).
    type: dict
  purge_tags:
    description: Remove tags not listed in O(tags) (only when O(tags) is given).
    type: bool
    default: true
  wait:
    description: Wait until the Transit Gateway is C(available) (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - multicloud.transit.aws
"""

EXAMPLES = r"""
- name: Transit Gateway of the walkthrough (AWS defaults)
  multicloud.transit.aws_tgw:
    region: us-east-1
    name: hub-tgw
    description: AWS <-> Alibaba transit
  register: tgw

- name: Turn off default propagation
  multicloud.transit.aws_tgw:
    name: hub-tgw
    default_route_table_propagation: false

- name: Delete it (attachments must be gone first)
  multicloud.transit.aws_tgw:
    name: hub-tgw
    state: absent
"""

RETURN = r"""
transit_gateway_id:
  description: ID of the Transit Gateway; null when it does not exist (check mode before creation, or absent).
  returned: always
  type: str
  sample: tgw-0a1b2c3d4e5f60718
transit_gateway:
  description:
    - The Transit Gateway after the run, snake_case; C({}) when it does not exist.
    - After a deletion, its last view (C(state) C(deleted)).
  returned: always
  type: dict
  contains:
    transit_gateway_id:
      description: ID.
      type: str
      sample: tgw-0a1b2c3d4e5f60718
    name:
      description: Its C(Name) tag.
      type: str
      sample: hub-tgw
    state:
      description: Its state (C(available), C(pending), C(deleted), ...).
      type: str
      sample: available
    description:
      description: Its description.
      type: str
      sample: AWS <-> Alibaba transit
    options:
      description: Its options, snake_case.
      type: dict
      sample: {"amazon_side_asn": 64512, "dns_support": "enable", "vpn_ecmp_support": "enable",
               "default_route_table_association": "enable", "default_route_table_propagation": "enable",
               "auto_accept_shared_attachments": "disable", "multicast_support": "disable",
               "association_default_route_table_id": "tgw-rtb-1", "propagation_default_route_table_id": "tgw-rtb-1"}
    association_default_route_table_id:
      description: The default association route table.
      type: str
      sample: tgw-rtb-0a1b2c3d4e5f60718
    propagation_default_route_table_id:
      description: The default propagation route table.
      type: str
      sample: tgw-rtb-0a1b2c3d4e5f60718
    tags:
      description: Its tags.
      type: dict
      sample: {"Name": "hub-tgw"}
    owner_id:
      description: Owning account.
      type: str
      sample: "123456789012"
    transit_gateway_arn:
      description: ARN of the Transit Gateway.
      type: str
      sample: arn:aws:ec2:us-east-1:123456789012:transit-gateway/tgw-0a1b2c3d4e5f60718
"""

from ansible_collections.multicloud.transit.plugins.module_utils.aws import (
    AwsModule,
    resource_result,
    tag_specifications,
)
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict, tags_to_dict
from ansible_collections.multicloud.transit.plugins.module_utils.tgw import (
    GONE_STATES,
    apply_tags,
    desired_tags,
    enable_value,
    find_tgw,
    tag_changes,
    tgw_attachments,
)

# option name -> (API option key, modifiable with ModifyTransitGateway)
OPTIONS = (
    ("dns_support", "DnsSupport", True),
    ("vpn_ecmp_support", "VpnEcmpSupport", True),
    ("default_route_table_association", "DefaultRouteTableAssociation", True),
    ("default_route_table_propagation", "DefaultRouteTablePropagation", True),
    ("auto_accept_shared_attachments", "AutoAcceptSharedAttachments", True),
    ("multicast_support", "MulticastSupport", False),
)


def wanted_options(params):
    out = {}
    for opt, key, dummy in OPTIONS:
        value = enable_value(params.get(opt))
        if value is not None:
            out[key] = value
    if params.get("amazon_side_asn") is not None:
        out["AmazonSideAsn"] = int(params["amazon_side_asn"])
    return out


def view(tgw):
    if not tgw:
        return {}
    options = snake_dict(tgw.get("Options") or {})
    tags = tags_to_dict(tgw.get("Tags"))
    return {
        "transit_gateway_id": tgw["TransitGatewayId"],
        "name": tags.get("Name"),
        "state": tgw.get("State"),
        "description": tgw.get("Description") or "",
        "options": options,
        "association_default_route_table_id": options.get("association_default_route_table_id"),
        "propagation_default_route_table_id": options.get("propagation_default_route_table_id"),
        "tags": tags,
        "owner_id": tgw.get("OwnerId"),
        "transit_gateway_arn": tgw.get("TransitGatewayArn"),
    }


def managed(v):
    """The part of a view the diff shows."""
    if not v:
        return {}
    return dict((k, v[k]) for k in ("transit_gateway_id", "description", "options", "tags") if k in v)


def validate(mod):
    p = mod.params
    asn = p.get("amazon_side_asn")
    if asn is not None and not (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294):
        mod.fail("amazon_side_asn %s is not a private ASN: use 64512-65534 or 4200000000-4294967294." % asn)


def fetch(mod, tgw_id):
    found = mod.paginate("describe_transit_gateways", "TransitGateways", TransitGatewayIds=[tgw_id])
    return found[0] if found else None


def wait_available(mod, tgw_id):
    if not mod.params["wait"]:
        return fetch(mod, tgw_id)
    return mod.wait(lambda: fetch(mod, tgw_id), lambda t: t is not None and t.get("State") == "available",
                    "Transit Gateway %s" % tgw_id, "available",
                    failed=lambda t: "it disappeared" if t is None else None)


def present(mod, tgw):
    p = mod.params
    options = wanted_options(p)
    tags = desired_tags(p)
    purge = p["purge_tags"] and p.get("tags") is not None
    if tgw is None:
        if not p.get("name"):
            mod.fail("name is required to create a Transit Gateway (transit_gateway_id %s was not found)."
                     % p.get("transit_gateway_id"))
        after = {"description": p.get("description") or "", "options": snake_dict(options), "tags": tags or {}}
        if mod.check_mode:
            return True, None, {}, after
        kwargs = {"Options": options, "TagSpecifications": tag_specifications("transit-gateway", tags)}
        if p.get("description") is not None:
            kwargs["Description"] = p["description"]
        created = mod.call("create_transit_gateway", **kwargs)["TransitGateway"]
        return True, wait_available(mod, created["TransitGatewayId"]), {}, after

    before = view(tgw)
    current = tgw.get("Options") or {}
    changes = dict((k, v) for k, v in options.items() if str(current.get(k)) != str(v))
    for opt, key, modifiable in OPTIONS:
        if key in changes and not modifiable:
            mod.fail("%s cannot be changed on an existing Transit Gateway (%s is %s; AWS has no way to modify it). "
                     "Create a new Transit Gateway or leave %s unset." % (opt, tgw["TransitGatewayId"], current.get(key), opt))
    if "AmazonSideAsn" in changes:
        live = tgw_attachments(mod, tgw["TransitGatewayId"])
        if live:
            mod.fail("amazon_side_asn cannot be changed while Transit Gateway %s has attachments: %s. "
                     "Delete them first or leave amazon_side_asn unset."
                     % (tgw["TransitGatewayId"], ", ".join(a["TransitGatewayAttachmentId"] for a in live)))
    description = p.get("description")
    desc_change = description is not None and description != (tgw.get("Description") or "")
    to_set, to_remove = tag_changes(before["tags"], tags, purge)
    changed = bool(changes or desc_change or to_set or to_remove)
    after = managed(before)
    after = dict(after, options=dict(before["options"], **snake_dict(changes)))
    if desc_change:
        after["description"] = description
    new_tags = dict((k, v) for k, v in before["tags"].items() if k not in to_remove)
    new_tags.update(to_set)
    after["tags"] = new_tags
    if not changed or mod.check_mode:
        return changed, tgw, managed(before), after
    if changes or desc_change:
        kwargs = {"TransitGatewayId": tgw["TransitGatewayId"]}
        if changes:
            kwargs["Options"] = changes
        if desc_change:
            kwargs["Description"] = description
        mod.call("modify_transit_gateway", **kwargs)
    apply_tags(mod, tgw["TransitGatewayId"], to_set, to_remove)
    return True, wait_available(mod, tgw["TransitGatewayId"]), managed(before), after


def absent(mod, tgw):
    if tgw is None:
        return False, None, {}, {}
    tgw_id = tgw["TransitGatewayId"]
    live = tgw_attachments(mod, tgw_id)
    if live:
        names = ", ".join("%s (%s %s)" % (a["TransitGatewayAttachmentId"], a.get("ResourceType"), a.get("ResourceId")) for a in live)
        mod.fail("Transit Gateway %s still has attachments: %s. Delete them first (aws_tgw_attachment state=absent; "
                 "a VPN attachment goes with its VPN connection)." % (tgw_id, names),
                 attachments=[a["TransitGatewayAttachmentId"] for a in live])
    before = managed(view(tgw))
    if mod.check_mode:
        return True, tgw, before, {}
    mod.call("delete_transit_gateway", TransitGatewayId=tgw_id)
    last = dict(tgw, State="deleting")
    if mod.params["wait"]:
        last = mod.wait(lambda: fetch(mod, tgw_id), lambda t: t is None or t.get("State") == "deleted",
                        "Transit Gateway %s" % tgw_id, "deleted")
    return True, dict(last or tgw, State="deleted" if not last or last.get("State") == "deleted" else last["State"]), before, {}


def main():
    mod = AwsModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str"),
            transit_gateway_id=dict(type="str"),
            description=dict(type="str"),
            amazon_side_asn=dict(type="int"),
            dns_support=dict(type="bool"),
            vpn_ecmp_support=dict(type="bool"),
            default_route_table_association=dict(type="bool"),
            default_route_table_propagation=dict(type="bool"),
            auto_accept_shared_attachments=dict(type="bool"),
            multicast_support=dict(type="bool"),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        required_one_of=[["name", "transit_gateway_id"]],
        supports_check_mode=True,
    )
    validate(mod)
    p = mod.params
    tgw = find_tgw(mod, tgw_id=p.get("transit_gateway_id"), name=p.get("name"))
    if tgw is not None and tgw.get("State") in GONE_STATES:
        tgw = None
    if p["state"] == "present":
        changed, tgw, before, after = present(mod, tgw)
    else:
        changed, tgw, before, after = absent(mod, tgw)
    result = resource_result("transit_gateway", view(tgw), changed=changed)
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
