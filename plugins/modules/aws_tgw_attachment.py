#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aws_tgw_attachment
short_description: Attach a VPC or a peer Transit Gateway to a Transit Gateway, or look up a VPN attachment
version_added: 0.1.0
description:
  - O(type=vpc) creates, modifies (subnets and options, with C(ModifyTransitGatewayVpcAttachment)) or
    deletes the attachment of one VPC. There is one such attachment per Transit Gateway and VPC, so it is
    found by Transit Gateway and VPC (or by O(transit_gateway_attachment_id)).
  - O(type=peering) creates a peering attachment on the requester side, or with O(accept=true) and the
    accepter's credentials accepts the pending request.
  - O(type=vpn) only looks up the attachment a TGW VPN connection created (by O(vpn_connection_id)) and can
    tag it; the attachment goes away with its VPN connection.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description: Whether the attachment should exist.
    type: str
    choices: [present, absent]
    default: present
  type:
    description: Kind of attachment.
    type: str
    choices: [vpc, peering, vpn]
    default: vpc
  name:
    description: Value of the C(Name) tag. Also finds the attachment when no VPC or peer is given.
    type: str
  transit_gateway_id:
    description:
      - The Transit Gateway (ID, or its C(Name) tag). Required except with O(transit_gateway_attachment_id)
        or O(type=vpn). With O(accept=true) it is the accepter's own Transit Gateway.
    type: str
  transit_gateway_attachment_id:
    description: ID of an existing attachment to manage.
    type: str
  vpc_id:
    description: VPC to attach (O(type=vpc)).
    type: str
  subnet_ids:
    description:
      - Subnets of O(vpc_id) the attachment uses, at most one per Availability Zone (O(type=vpc)).
      - Required to create; when given later, subnets are added and removed to match.
    type: list
    elements: str
  dns_support:
    description: DNS support of the VPC attachment. AWS default true.
    type: bool
  appliance_mode_support:
    description: Appliance mode (symmetric routing) of the VPC attachment. AWS default false.
    type: bool
  ipv6_support:
    description: IPv6 support of the VPC attachment. AWS default false.
    type: bool
    aliases: [ipv6]
  peer_transit_gateway_id:
    description: The other Transit Gateway (O(type=peering)).
    type: str
  peer_account_id:
    description: Account of the other Transit Gateway (O(type=peering)); defaults to this account.
    type: str
  peer_region:
    description: Region of the other Transit Gateway (O(type=peering)); defaults to this region.
    type: str
  accept:
    description:
      - Accept a pending peering request made by O(peer_transit_gateway_id) to O(transit_gateway_id)
        (run with the accepter's credentials and region).
    type: bool
    default: false
  vpn_connection_id:
    description: The VPN connection whose attachment to look up (O(type=vpn)).
    type: str
  tags:
    description: Tags to set; C(Name) comes from O(name).
    type: dict
  purge_tags:
    description: Remove tags not listed in O(tags) (only when O(tags) is given).
    type: bool
    default: true
  wait:
    description: Wait for C(available) (C(pendingAcceptance) for a new peering request) or deletion.
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
- name: Attach VPC A (one subnet per AZ)
  multicloud.transit.aws_tgw_attachment:
    name: vpc-a-attachment
    transit_gateway_id: "{{ tgw.transit_gateway_id }}"
    vpc_id: "{{ vpc_a.vpc_id }}"
    subnet_ids: "{{ vpc_a.subnets | map(attribute='subnet_id') | list }}"

- name: The attachment of the VPN connection, named
  multicloud.transit.aws_tgw_attachment:
    type: vpn
    name: alibaba-vpn
    vpn_connection_id: "{{ vpn.vpn_connection_id }}"
  register: vpn_attachment

- name: Ask a TGW in another region to peer
  multicloud.transit.aws_tgw_attachment:
    type: peering
    name: us-to-eu
    transit_gateway_id: hub-tgw
    peer_transit_gateway_id: tgw-0123456789abcdef0
    peer_region: eu-west-1

- name: Accept it over there
  multicloud.transit.aws_tgw_attachment:
    type: peering
    region: eu-west-1
    accept: true
    transit_gateway_id: tgw-0123456789abcdef0
    peer_transit_gateway_id: "{{ hub.transit_gateway_id }}"
"""

RETURN = r"""
transit_gateway_attachment_id:
  description: ID of the attachment.
  returned: when it exists
  type: str
  sample: tgw-attach-0a1b2c3d4e5f60718
transit_gateway_id:
  description: Its Transit Gateway.
  returned: when it exists
  type: str
  sample: tgw-0a1b2c3d4e5f60718
resource_type:
  description: C(vpc), C(vpn) or C(peering).
  returned: when it exists
  type: str
  sample: vpc
resource_id:
  description: The VPC, VPN connection or peer Transit Gateway.
  returned: when it exists
  type: str
  sample: vpc-0a1b2c3d
state:
  description: Attachment state.
  returned: when it exists
  type: str
  sample: available
association:
  description: The route table it is associated with, if any.
  returned: when it exists
  type: dict
  sample: {"transit_gateway_route_table_id": "tgw-rtb-1", "state": "associated"}
subnet_ids:
  description: Subnets of a VPC attachment.
  returned: for O(type=vpc)
  type: list
  elements: str
  sample: [subnet-1]
options:
  description: Options of a VPC attachment, snake_case.
  returned: for O(type=vpc)
  type: dict
  sample: {"dns_support": "enable", "appliance_mode_support": "disable", "ipv6_support": "disable"}
requester_tgw_info:
  description: Requester side of a peering attachment.
  returned: for O(type=peering)
  type: dict
  sample: {"transit_gateway_id": "tgw-1", "owner_id": "123456789012", "region": "us-east-1"}
accepter_tgw_info:
  description: Accepter side of a peering attachment.
  returned: for O(type=peering)
  type: dict
  sample: {"transit_gateway_id": "tgw-2", "owner_id": "123456789012", "region": "eu-west-1"}
tags:
  description: Tags of the attachment.
  returned: when it exists
  type: dict
  sample: {"Name": "vpc-a-attachment"}
"""

from ansible_collections.multicloud.transit.plugins.module_utils.aws import AwsModule, tag_specifications
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, snake_dict, tags_to_dict
from ansible_collections.multicloud.transit.plugins.module_utils.tgw import (
    GONE_STATES,
    apply_tags,
    desired_tags,
    enable_value,
    find_tgw,
    get_tgw,
    tag_changes,
)

VPC_OPTIONS = (("dns_support", "DnsSupport"), ("appliance_mode_support", "ApplianceModeSupport"),
               ("ipv6_support", "Ipv6Support"))


def live(items):
    return [a for a in items if a.get("State") not in GONE_STATES]


def one(mod, items, what):
    items = live(items)
    if len(items) > 1:
        mod.fail("Several attachments match %s: %s. Give transit_gateway_attachment_id to choose one."
                 % (what, ", ".join(a["TransitGatewayAttachmentId"] for a in items)))
    return items[0] if items else None


# --- lookups -----------------------------------------------------------------------------------
def fetch(mod, kind, att_id):
    if kind == "vpc":
        items = mod.paginate("describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments",
                             TransitGatewayAttachmentIds=[att_id])
    elif kind == "peering":
        items = mod.paginate("describe_transit_gateway_peering_attachments", "TransitGatewayPeeringAttachments",
                             TransitGatewayAttachmentIds=[att_id])
    else:
        items = mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                             TransitGatewayAttachmentIds=[att_id])
    return items[0] if items else None


def find(mod, tgw_id):
    p = mod.params
    kind = p["type"]
    if p.get("transit_gateway_attachment_id"):
        att = fetch(mod, kind, p["transit_gateway_attachment_id"])
        if att is None or att.get("State") in GONE_STATES:
            if p["state"] == "present":
                mod.fail("transit_gateway_attachment_id %s was not found (as a %s attachment)."
                         % (p["transit_gateway_attachment_id"], kind))
            return None
        return att
    if kind == "vpn":
        items = mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                             Filters=[{"Name": "resource-id", "Values": [p["vpn_connection_id"]]},
                                      {"Name": "resource-type", "Values": ["vpn"]}])
        return one(mod, items, "VPN connection %s" % p["vpn_connection_id"])
    if kind == "vpc":
        filters = [{"Name": "transit-gateway-id", "Values": [tgw_id]}]
        if p.get("vpc_id"):
            filters.append({"Name": "vpc-id", "Values": [p["vpc_id"]]})
        else:
            filters.append({"Name": "tag:Name", "Values": [p["name"]]})
        items = mod.paginate("describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments", Filters=filters)
        return one(mod, items, "Transit Gateway %s and %s" % (tgw_id, p.get("vpc_id") or "Name %s" % p.get("name")))
    items = mod.paginate("describe_transit_gateway_peering_attachments", "TransitGatewayPeeringAttachments")
    own_side, peer_side = ("AccepterTgwInfo", "RequesterTgwInfo") if p["accept"] else ("RequesterTgwInfo", "AccepterTgwInfo")
    out = []
    for att in items:
        if (att.get(own_side) or {}).get("TransitGatewayId") != tgw_id:
            continue
        if p.get("peer_transit_gateway_id"):
            if (att.get(peer_side) or {}).get("TransitGatewayId") != p["peer_transit_gateway_id"]:
                continue
        elif tags_to_dict(att.get("Tags")).get("Name") != p.get("name"):
            continue
        out.append(att)
    return one(mod, out, "Transit Gateway %s and peer %s" % (tgw_id, p.get("peer_transit_gateway_id") or p.get("name")))


# --- views -------------------------------------------------------------------------------------
def view(mod, att):
    if not att:
        return {}
    kind = mod.params["type"]
    out = {
        "transit_gateway_attachment_id": att["TransitGatewayAttachmentId"],
        "transit_gateway_id": att.get("TransitGatewayId") or (att.get("RequesterTgwInfo") or {}).get("TransitGatewayId"),
        "state": att.get("State"),
        "tags": tags_to_dict(att.get("Tags")),
        "resource_type": kind,
    }
    if kind == "vpc":
        out.update(resource_id=att.get("VpcId"), vpc_id=att.get("VpcId"), subnet_ids=sorted(att.get("SubnetIds") or []),
                   options=snake_dict(att.get("Options") or {}))
    elif kind == "peering":
        out.update(resource_id=(att.get("AccepterTgwInfo") or {}).get("TransitGatewayId"),
                   requester_tgw_info=snake_dict(att.get("RequesterTgwInfo") or {}),
                   accepter_tgw_info=snake_dict(att.get("AccepterTgwInfo") or {}),
                   status=snake_dict(att.get("Status") or {}))
    else:
        out.update(resource_id=att.get("ResourceId"), vpn_connection_id=att.get("ResourceId"))
    # association: DescribeTransitGatewayAttachments is the one call that reports it for every type
    general = mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                           TransitGatewayAttachmentIds=[att["TransitGatewayAttachmentId"]])
    out["association"] = snake_dict((general[0].get("Association") if general else None) or {})
    return out


def managed(v):
    return dict((k, v[k]) for k in ("transit_gateway_attachment_id", "subnet_ids", "options", "tags", "state") if k in v)


# --- validation ----------------------------------------------------------------------------------
def validate(mod):
    p = mod.params
    kind = p["type"]
    if kind == "vpn":
        if not p.get("vpn_connection_id") and not p.get("transit_gateway_attachment_id"):
            mod.fail("vpn_connection_id is required with type=vpn: the VPN attachment is found by its VPN connection.")
        if p["state"] == "absent":
            mod.fail("type=vpn attachments cannot be deleted here: delete the VPN connection %s "
                     "(aws_vpn_connection state=absent) and its attachment goes with it." % p.get("vpn_connection_id"))
        return
    if not p.get("transit_gateway_id") and not p.get("transit_gateway_attachment_id"):
        mod.fail("transit_gateway_id is required with type=%s (or give transit_gateway_attachment_id)." % kind)
    if kind == "vpc":
        if not p.get("vpc_id") and not p.get("name") and not p.get("transit_gateway_attachment_id"):
            mod.fail("vpc_id (or name, or transit_gateway_attachment_id) is required with type=vpc.")
        for opt in ("peer_transit_gateway_id", "peer_account_id", "peer_region", "vpn_connection_id"):
            if p.get(opt):
                mod.fail("%s does not apply to type=vpc." % opt)
    if kind == "peering":
        if not p.get("peer_transit_gateway_id") and not p.get("name") and not p.get("transit_gateway_attachment_id"):
            mod.fail("peer_transit_gateway_id is required with type=peering.")
        for opt in ("vpc_id", "subnet_ids", "dns_support", "appliance_mode_support", "ipv6_support"):
            if p.get(opt) is not None:
                mod.fail("%s does not apply to type=peering." % opt)


def check_subnets(mod, vpc_id, subnet_ids):
    """Subnets exist, belong to the VPC, and at most one per Availability Zone."""
    if not subnet_ids:
        mod.fail("subnet_ids must list at least one subnet of %s (one per Availability Zone)." % vpc_id)
    if len(set(subnet_ids)) != len(subnet_ids):
        mod.fail("subnet_ids lists a subnet twice: %s." % ", ".join(subnet_ids))
    found = mod.paginate("describe_subnets", "Subnets", Filters=[{"Name": "subnet-id", "Values": subnet_ids}])
    by_id = dict((s["SubnetId"], s) for s in found)
    missing = [s for s in subnet_ids if s not in by_id]
    if missing:
        mod.fail("subnet_ids: %s not found in this account and region." % ", ".join(missing))
    elsewhere = [s for s in subnet_ids if by_id[s]["VpcId"] != vpc_id]
    if elsewhere:
        mod.fail("subnet_ids: %s are not in VPC %s." % (", ".join(elsewhere), vpc_id))
    zones = {}
    for s in subnet_ids:
        zones.setdefault(by_id[s]["AvailabilityZone"], []).append(s)
    crowded = dict((z, ids) for z, ids in zones.items() if len(ids) > 1)
    if crowded:
        mod.fail("subnet_ids: a VPC attachment takes one subnet per Availability Zone; %s."
                 % "; ".join("%s has %s" % (z, ", ".join(ids)) for z, ids in sorted(crowded.items())))


# --- waiting -------------------------------------------------------------------------------------
def wait_for(mod, att_id, wanted):
    kind = mod.params["type"]
    if not mod.params["wait"]:
        return fetch(mod, kind, att_id)
    return mod.wait(lambda: fetch(mod, kind, att_id),
                    lambda a: a is not None and a.get("State") in wanted,
                    "Transit Gateway attachment %s" % att_id, " or ".join(wanted),
                    failed=lambda a: "it is %s" % a.get("State") if a and a.get("State") in ("failed", "rejected") else None)


def wait_gone(mod, att_id):
    kind = mod.params["type"]
    if not mod.params["wait"]:
        return
    mod.wait(lambda: fetch(mod, kind, att_id), lambda a: a is None or a.get("State") == "deleted",
             "Transit Gateway attachment %s" % att_id, "deleted")


# --- present / absent -----------------------------------------------------------------------------
def vpc_present(mod, tgw_id, att):
    p = mod.params
    options = dict((key, enable_value(p.get(opt))) for opt, key in VPC_OPTIONS if p.get(opt) is not None)
    tags = desired_tags(p)
    purge = p["purge_tags"] and p.get("tags") is not None
    if att is None:
        if not p.get("vpc_id"):
            mod.fail("vpc_id is required to create a VPC attachment.")
        check_subnets(mod, p["vpc_id"], p.get("subnet_ids") or [])
        after = {"subnet_ids": sorted(p["subnet_ids"]), "options": snake_dict(options), "tags": tags or {}}
        if mod.check_mode:
            return True, None, {}, after
        kwargs = dict(TransitGatewayId=tgw_id, VpcId=p["vpc_id"], SubnetIds=p["subnet_ids"],
                      TagSpecifications=tag_specifications("transit-gateway-attachment", tags))
        if options:
            kwargs["Options"] = options
        created = mod.call("create_transit_gateway_vpc_attachment", **kwargs)["TransitGatewayVpcAttachment"]
        return True, wait_for(mod, created["TransitGatewayAttachmentId"], ["available"]), {}, after

    before = managed(view(mod, att))
    if p.get("vpc_id") and p["vpc_id"] != att.get("VpcId"):
        mod.fail("vpc_id %s differs from the VPC of %s (%s): an attachment cannot move to another VPC."
                 % (p["vpc_id"], att["TransitGatewayAttachmentId"], att.get("VpcId")))
    have_subnets = att.get("SubnetIds") or []
    add, remove = [], []
    if p.get("subnet_ids") is not None:
        check_subnets(mod, att["VpcId"], p["subnet_ids"])
        add = [s for s in p["subnet_ids"] if s not in have_subnets]
        remove = [s for s in have_subnets if s not in p["subnet_ids"]]
    current = att.get("Options") or {}
    opt_changes = dict((k, v) for k, v in options.items() if current.get(k) != v)
    to_set, to_remove = tag_changes(before["tags"], tags, purge)
    after = dict(before, subnet_ids=sorted(set(have_subnets) - set(remove) | set(add)),
                 options=dict(before["options"], **snake_dict(opt_changes)))
    after["tags"] = dict((k, v) for k, v in before["tags"].items() if k not in to_remove)
    after["tags"].update(to_set)
    changed = bool(add or remove or opt_changes or to_set or to_remove)
    if not changed or mod.check_mode:
        return changed, att, before, after
    att_id = att["TransitGatewayAttachmentId"]
    if add or remove or opt_changes:
        kwargs = {"TransitGatewayAttachmentId": att_id}
        if add:
            kwargs["AddSubnetIds"] = add
        if remove:
            kwargs["RemoveSubnetIds"] = remove
        if opt_changes:
            kwargs["Options"] = opt_changes
        mod.call("modify_transit_gateway_vpc_attachment", **kwargs)
    apply_tags(mod, att_id, to_set, to_remove)
    return True, wait_for(mod, att_id, ["available"]), before, after


def peering_present(mod, tgw_id, att):
    p = mod.params
    tags = desired_tags(p)
    purge = p["purge_tags"] and p.get("tags") is not None
    if p["accept"]:
        if att is None:
            mod.fail("No peering attachment from %s to %s was found to accept; create it on the requester side first."
                     % (p.get("peer_transit_gateway_id"), tgw_id))
        before = managed(view(mod, att))
        to_set, to_remove = tag_changes(before["tags"], tags, purge)
        needs_accept = att.get("State") == "pendingAcceptance"
        after = dict(before, state="available" if needs_accept else before.get("state"))
        changed = bool(needs_accept or to_set or to_remove)
        if not changed or mod.check_mode:
            return changed, att, before, after
        if needs_accept:
            mod.call("accept_transit_gateway_peering_attachment", TransitGatewayAttachmentId=att["TransitGatewayAttachmentId"])
        apply_tags(mod, att["TransitGatewayAttachmentId"], to_set, to_remove)
        return True, wait_for(mod, att["TransitGatewayAttachmentId"], ["available"]), before, after
    if att is None:
        after = {"tags": tags or {}, "state": "pendingAcceptance"}
        if mod.check_mode:
            return True, None, {}, after
        kwargs = dict(TransitGatewayId=tgw_id, PeerTransitGatewayId=p["peer_transit_gateway_id"],
                      PeerAccountId=p.get("peer_account_id") or get_account(mod, tgw_id),
                      PeerRegion=p.get("peer_region") or mod.client().meta.region_name,
                      TagSpecifications=tag_specifications("transit-gateway-attachment", tags))
        created = mod.call("create_transit_gateway_peering_attachment", **kwargs)["TransitGatewayPeeringAttachment"]
        return True, wait_for(mod, created["TransitGatewayAttachmentId"], ["pendingAcceptance", "available"]), {}, after
    before = managed(view(mod, att))
    to_set, to_remove = tag_changes(before["tags"], tags, purge)
    after = dict(before, tags=dict((k, v) for k, v in before["tags"].items() if k not in to_remove))
    after["tags"].update(to_set)
    changed = bool(to_set or to_remove)
    if changed and not mod.check_mode:
        apply_tags(mod, att["TransitGatewayAttachmentId"], to_set, to_remove)
        att = fetch(mod, "peering", att["TransitGatewayAttachmentId"])
    return changed, att, before, after


def get_account(mod, tgw_id):
    return get_tgw(mod, tgw_id).get("OwnerId")


def vpn_present(mod, att):
    p = mod.params
    if att is None:
        mod.fail("VPN connection %s has no Transit Gateway attachment: was it created with a transit_gateway_id?"
                 % p.get("vpn_connection_id"))
    tags = desired_tags(p)
    purge = p["purge_tags"] and p.get("tags") is not None
    before = managed(view(mod, att))
    to_set, to_remove = tag_changes(before["tags"], tags, purge)
    after = dict(before, tags=dict((k, v) for k, v in before["tags"].items() if k not in to_remove))
    after["tags"].update(to_set)
    changed = bool(to_set or to_remove)
    if changed and not mod.check_mode:
        apply_tags(mod, att["TransitGatewayAttachmentId"], to_set, to_remove)
        att = fetch(mod, "vpn", att["TransitGatewayAttachmentId"])
    if not mod.check_mode:
        att = wait_for(mod, att["TransitGatewayAttachmentId"], ["available"])
    return changed, att, before, after


def absent(mod, att):
    if att is None:
        return False, None, {}, {}
    before = managed(view(mod, att))
    if mod.check_mode:
        return True, att, before, {}
    att_id = att["TransitGatewayAttachmentId"]
    if mod.params["type"] == "vpc":
        mod.call("delete_transit_gateway_vpc_attachment", TransitGatewayAttachmentId=att_id)
    else:
        mod.call("delete_transit_gateway_peering_attachment", TransitGatewayAttachmentId=att_id)
    wait_gone(mod, att_id)
    return True, dict(att, State="deleted"), before, {}


def main():
    mod = AwsModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            type=dict(type="str", choices=["vpc", "peering", "vpn"], default="vpc"),
            name=dict(type="str"),
            transit_gateway_id=dict(type="str"),
            transit_gateway_attachment_id=dict(type="str"),
            vpc_id=dict(type="str"),
            subnet_ids=dict(type="list", elements="str"),
            dns_support=dict(type="bool"),
            appliance_mode_support=dict(type="bool"),
            ipv6_support=dict(type="bool", aliases=["ipv6"]),
            peer_transit_gateway_id=dict(type="str"),
            peer_account_id=dict(type="str"),
            peer_region=dict(type="str"),
            accept=dict(type="bool", default=False),
            vpn_connection_id=dict(type="str"),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    p = mod.params
    tgw_id = None
    if p.get("transit_gateway_id") and p["type"] != "vpn":
        ref = p["transit_gateway_id"]
        tgw = find_tgw(mod, tgw_id=ref) if ref.startswith("tgw-") else find_tgw(mod, name=ref)
        if tgw is None:
            if p["state"] == "absent":
                mod.exit(changed=False)
            mod.fail("transit_gateway_id: Transit Gateway %s was not found in this account and region; "
                     "create it first (aws_tgw)." % ref)
        tgw_id = tgw["TransitGatewayId"]
    att = find(mod, tgw_id)
    if p["type"] == "vpn":
        changed, att, before, after = vpn_present(mod, att)
    elif p["state"] == "absent":
        changed, att, before, after = absent(mod, att)
    elif p["type"] == "vpc":
        changed, att, before, after = vpc_present(mod, tgw_id, att)
    else:
        changed, att, before, after = peering_present(mod, tgw_id, att)
    result = dict(changed=changed, **view(mod, att))
    if att is not None and att.get("State") == "deleted":
        result["association"] = {}
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
