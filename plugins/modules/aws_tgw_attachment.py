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
  - List mode (O(vpc_attachments)) reconciles the VPC attachments of a whole hub in one call, with one read of the
    Transit Gateway's VPC attachments for all of them, then the creates, modifications and deletions, then one
    wait for all of them together. The single-attachment options are not used then.
  - Purge scope. O(purge_vpc_attachments=true) deletes only VPC attachments of O(transit_gateway_id) that carry
    every tag of O(scope_tags) (key and value) and whose VPC is not listed. Every listed attachment gets the
    scope tags as well, so what one call creates is what a later call may purge; attachments made elsewhere,
    without those tags, are never touched. Peering and VPN attachments are never purged.
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
    description:
      - Tags to set; C(Name) comes from O(name).
      - In list mode, tags every listed attachment gets (an item's own O(vpc_attachments[].tags) win).
    type: dict
  purge_tags:
    description: Remove tags not listed in O(tags) (only when O(tags), or in list mode an item's tags, are given).
    type: bool
    default: true
  vpc_attachments:
    description:
      - List mode. The VPC attachments of O(transit_gateway_id), one per VPC, identified by O(vpc_attachments[].vpc_id).
      - With O(state=absent), the attachments of the listed VPCs are deleted (only O(vpc_attachments[].vpc_id) is used).
      - Cannot be combined with the single-attachment options (O(name), O(vpc_id), O(subnet_ids),
        O(transit_gateway_attachment_id), the VPC options, peering and VPN options).
    type: list
    elements: dict
    suboptions:
      vpc_id:
        description: The VPC to attach.
        type: str
        required: true
      name:
        description: Value of the C(Name) tag.
        type: str
      subnet_ids:
        description:
          - Subnets of the VPC, at most one per Availability Zone. Required to create; when given later,
            subnets are added and removed to match.
        type: list
        elements: str
      tags:
        description: Tags of this attachment, on top of O(tags) and O(scope_tags).
        type: dict
      dns_support:
        description: DNS support. AWS default true.
        type: bool
      ipv6_support:
        description: IPv6 support. AWS default false.
        type: bool
      appliance_mode_support:
        description: Appliance mode (symmetric routing). AWS default false.
        type: bool
  purge_vpc_attachments:
    description:
      - List mode. Delete the VPC attachments in scope (see the description, Purge scope) whose VPC is not
        listed in O(vpc_attachments). Needs a non-empty O(scope_tags).
    type: bool
    default: false
  scope_tags:
    description:
      - List mode. Tags that mark the VPC attachments this call manages; set on every listed attachment and
        required for O(purge_vpc_attachments), which deletes only attachments carrying all of them.
      - "For example C({\"transit:hub\": \"hub-tgw\"})."
    type: dict
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

- name: Every VPC of the hub in one call (one wait for all); purge VPCs that left the hub
  multicloud.transit.aws_tgw_attachment:
    transit_gateway_id: hub-tgw
    scope_tags: {"transit:hub": hub-tgw}
    vpc_attachments:
      - {name: hub-vpc-a, vpc_id: "{{ vpc_a.vpc_id }}", subnet_ids: ["{{ vpc_a_subnet }}"]}
      - {name: hub-vpc-b, vpc_id: "{{ vpc_b.vpc_id }}", subnet_ids: ["{{ vpc_b_subnet }}"],
         appliance_mode_support: true}
    purge_vpc_attachments: true
  register: hub_attachments

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
  description:
    - ID of the attachment (single mode); null when it does not exist (check mode before creation, or absent).
  returned: single mode
  type: str
  sample: tgw-attach-0a1b2c3d4e5f60718
transit_gateway_attachment:
  description:
    - The attachment after the run (single mode), snake_case; C({}) when it does not exist. After a deletion,
      its last view (C(state) C(deleted)).
  returned: single mode
  type: dict
  contains:
    transit_gateway_attachment_id:
      description: ID of the attachment.
      type: str
      sample: tgw-attach-0a1b2c3d4e5f60718
    transit_gateway_id:
      description: Its Transit Gateway.
      type: str
      sample: tgw-0a1b2c3d4e5f60718
    name:
      description: Its C(Name) tag.
      type: str
      sample: vpc-a-attachment
    resource_type:
      description: C(vpc), C(vpn) or C(peering).
      type: str
      sample: vpc
    resource_id:
      description: The VPC, VPN connection or peer Transit Gateway.
      type: str
      sample: vpc-0a1b2c3d
    vpc_id:
      description: The VPC (O(type=vpc)).
      type: str
      sample: vpc-0a1b2c3d
    vpn_connection_id:
      description: The VPN connection (O(type=vpn)).
      type: str
      sample: vpn-0a1b2c3d
    state:
      description: Attachment state.
      type: str
      sample: available
    association:
      description: The route table it is associated with, if any.
      type: dict
      sample: {"transit_gateway_route_table_id": "tgw-rtb-1", "state": "associated"}
    subnet_ids:
      description: Subnets of a VPC attachment.
      type: list
      elements: str
      sample: [subnet-1]
    options:
      description: Options of a VPC attachment, snake_case.
      type: dict
      sample: {"dns_support": "enable", "appliance_mode_support": "disable", "ipv6_support": "disable"}
    requester_tgw_info:
      description: Requester side of a peering attachment.
      type: dict
      sample: {"transit_gateway_id": "tgw-1", "owner_id": "123456789012", "region": "us-east-1"}
    accepter_tgw_info:
      description: Accepter side of a peering attachment.
      type: dict
      sample: {"transit_gateway_id": "tgw-2", "owner_id": "123456789012", "region": "eu-west-1"}
    tags:
      description: Tags of the attachment.
      type: dict
      sample: {"Name": "vpc-a-attachment"}
vpc_attachments:
  description:
    - List mode. The listed VPCs' attachments after the run, in the order given, each like
      RV(transit_gateway_attachment) of a VPC attachment. In check mode an attachment still to be created has a null C(transit_gateway_attachment_id).
    - Empty with O(state=absent).
  returned: list mode
  type: list
  elements: dict
  sample: [{"transit_gateway_attachment_id": "tgw-attach-1", "vpc_id": "vpc-1", "name": "hub-vpc-a",
            "subnet_ids": ["subnet-1"], "state": "available", "options": {"dns_support": "enable"},
            "association": {"transit_gateway_route_table_id": "tgw-rtb-1", "state": "associated"},
            "tags": {"Name": "hub-vpc-a", "transit:hub": "hub-tgw"}}]
changes:
  description: List mode. What was (or in check mode would be) done, one item per attachment.
  returned: list mode
  type: list
  elements: dict
  sample: [{"action": "create", "vpc_id": "vpc-1", "transit_gateway_attachment_id": null},
           {"action": "delete", "vpc_id": "vpc-9", "transit_gateway_attachment_id": "tgw-attach-9"}]
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
def attachment_view(kind, att, association):
    """One attachment as the module returns it; ``association`` from DescribeTransitGatewayAttachments."""
    tags = tags_to_dict(att.get("Tags"))
    out = {
        "transit_gateway_attachment_id": att["TransitGatewayAttachmentId"],
        "transit_gateway_id": att.get("TransitGatewayId") or (att.get("RequesterTgwInfo") or {}).get("TransitGatewayId"),
        "state": att.get("State"),
        "name": tags.get("Name"),
        "tags": tags,
        "resource_type": kind,
        "association": snake_dict(association or {}),
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
    return out


def view(mod, att):
    if not att:
        return {}
    # association: DescribeTransitGatewayAttachments is the one call that reports it for every type
    general = mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                           TransitGatewayAttachmentIds=[att["TransitGatewayAttachmentId"]])
    return attachment_view(mod.params["type"], att, general[0].get("Association") if general else None)


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


def describe_subnets(mod, subnet_ids):
    """``{subnet_id: subnet}`` for these subnets, in one call."""
    if not subnet_ids:
        return {}
    found = mod.paginate("describe_subnets", "Subnets",
                         Filters=[{"Name": "subnet-id", "Values": sorted(set(subnet_ids))}])
    return dict((s["SubnetId"], s) for s in found)


def check_vpc(mod, vpc_id, where):
    """Refuse a VPC that is not in this account and region (read only when the subnets do not fit it)."""
    if not mod.paginate("describe_vpcs", "Vpcs", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]):
        mod.fail("%s: VPC %s was not found in this account and region; correct %s (or the region)."
                 % (where, vpc_id, where))


def check_subnets(mod, vpc_id, subnet_ids, by_id=None, where="subnet_ids"):
    """Subnets exist, belong to the VPC, and at most one per Availability Zone.

    ``by_id`` is a ``describe_subnets`` result that already holds them (list mode reads once for all).
    """
    if len(set(subnet_ids)) != len(subnet_ids):
        mod.fail("%s lists a subnet twice: %s." % (where, ", ".join(subnet_ids)))
    if by_id is None:
        by_id = describe_subnets(mod, subnet_ids)
    missing = [s for s in subnet_ids if s not in by_id]
    if not subnet_ids or missing or any(by_id[s]["VpcId"] != vpc_id for s in subnet_ids if s in by_id):
        check_vpc(mod, vpc_id, where[:-len("subnet_ids")] + "vpc_id")  # a missing VPC is the input to correct
    if not subnet_ids:
        mod.fail("%s must list at least one subnet of %s (one per Availability Zone)." % (where, vpc_id))
    if missing:
        mod.fail("%s: %s not found in this account and region." % (where, ", ".join(missing)))
    elsewhere = [s for s in subnet_ids if by_id[s]["VpcId"] != vpc_id]
    if elsewhere:
        mod.fail("%s: %s are not in VPC %s." % (where, ", ".join(elsewhere), vpc_id))
    zones = {}
    for s in subnet_ids:
        zones.setdefault(by_id[s]["AvailabilityZone"], []).append(s)
    crowded = dict((z, ids) for z, ids in zones.items() if len(ids) > 1)
    if crowded:
        mod.fail("%s: a VPC attachment takes one subnet per Availability Zone; %s."
                 % (where, "; ".join("%s has %s" % (z, ", ".join(ids)) for z, ids in sorted(crowded.items()))))


def subnet_changes(have_subnets, wanted):
    """``(add, remove)`` turning a VPC attachment's subnets into ``wanted`` (None: leave them)."""
    if wanted is None:
        return [], []
    return [s for s in wanted if s not in have_subnets], [s for s in have_subnets if s not in wanted]


def option_changes(att, options):
    current = att.get("Options") or {}
    return dict((k, v) for k, v in options.items() if current.get(k) != v)


def wanted_options(values):
    """The API's VPC attachment Options from option values given (None: not given)."""
    return dict((key, enable_value(values.get(opt))) for opt, key in VPC_OPTIONS if values.get(opt) is not None)


def modify_vpc_attachment(mod, att_id, add, remove, opt_changes):
    kwargs = {"TransitGatewayAttachmentId": att_id}
    if add:
        kwargs["AddSubnetIds"] = add
    if remove:
        kwargs["RemoveSubnetIds"] = remove
    if opt_changes:
        kwargs["Options"] = opt_changes
    mod.call("modify_transit_gateway_vpc_attachment", **kwargs)


def expected_tags(before, to_set, to_remove):
    out = dict((k, v) for k, v in before.items() if k not in to_remove)
    out.update(to_set)
    return out


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
    options = wanted_options(p)
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
    if p.get("subnet_ids") is not None:
        check_subnets(mod, att["VpcId"], p["subnet_ids"])
    add, remove = subnet_changes(have_subnets, p.get("subnet_ids"))
    opt_changes = option_changes(att, options)
    to_set, to_remove = tag_changes(before["tags"], tags, purge)
    after = dict(before, subnet_ids=sorted(set(have_subnets) - set(remove) | set(add)),
                 options=dict(before["options"], **snake_dict(opt_changes)),
                 tags=expected_tags(before["tags"], to_set, to_remove))
    changed = bool(add or remove or opt_changes or to_set or to_remove)
    if not changed or mod.check_mode:
        return changed, att, before, after
    att_id = att["TransitGatewayAttachmentId"]
    if add or remove or opt_changes:
        modify_vpc_attachment(mod, att_id, add, remove, opt_changes)
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
    after = dict(before, tags=expected_tags(before["tags"], to_set, to_remove))
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
    after = dict(before, tags=expected_tags(before["tags"], to_set, to_remove))
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


# --- list mode: every VPC attachment of a hub in one call ----------------------------------------------
SINGLE_ONLY = ("name", "transit_gateway_attachment_id", "vpc_id", "subnet_ids", "dns_support", "appliance_mode_support",
               "ipv6_support", "peer_transit_gateway_id", "peer_account_id", "peer_region", "vpn_connection_id")


class VpcAttachments:
    """Reconcile ``vpc_attachments`` against one read of the Transit Gateway's VPC attachments."""

    def __init__(self, mod, tgw_id):
        self.mod = mod
        self.p = mod.params
        self.tgw_id = tgw_id
        self.items = self.p["vpc_attachments"]
        self.scope = dict((k, str(v)) for k, v in (self.p.get("scope_tags") or {}).items())

    @staticmethod
    def validate(mod):
        """Static checks, before any call."""
        p = mod.params
        given = [opt for opt in SINGLE_ONLY if p.get(opt) not in (None, [])] + (["accept"] if p["accept"] else [])
        if given:
            mod.fail("vpc_attachments (list mode) cannot be combined with %s: give those per item, or use the "
                     "single-attachment form without vpc_attachments." % ", ".join(given))
        if p["type"] != "vpc":
            mod.fail("vpc_attachments is for type=vpc (got type=%s)." % p["type"])
        if not p.get("transit_gateway_id"):
            mod.fail("transit_gateway_id is required with vpc_attachments.")
        if p["purge_vpc_attachments"] and not p.get("scope_tags"):
            mod.fail("purge_vpc_attachments needs scope_tags (for example {'transit:hub': 'hub-tgw'}): only VPC "
                     "attachments carrying all of them are ever deleted, so a purge never touches attachments "
                     "made elsewhere.")
        seen = {}
        for index, item in enumerate(p["vpc_attachments"]):
            if item["vpc_id"] in seen:
                mod.fail("vpc_attachments[%d].vpc_id %s is already listed in vpc_attachments[%d]: a Transit Gateway "
                         "has one attachment per VPC." % (index, item["vpc_id"], seen[item["vpc_id"]]))
            seen[item["vpc_id"]] = index
            subnets = item.get("subnet_ids")
            if subnets is not None and len(set(subnets)) != len(subnets):
                mod.fail("vpc_attachments[%d].subnet_ids lists a subnet twice: %s." % (index, ", ".join(subnets)))

    # --- reads ------------------------------------------------------------------------------------
    def read(self):
        """Live VPC attachments of the Transit Gateway (one call)."""
        return live(self.mod.paginate("describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments",
                                      Filters=[{"Name": "transit-gateway-id", "Values": [self.tgw_id]}]))

    def associations(self):
        """``{attachment id: Association}`` of every VPC attachment of the TGW (one call)."""
        items = self.mod.paginate("describe_transit_gateway_attachments", "TransitGatewayAttachments",
                                  Filters=[{"Name": "transit-gateway-id", "Values": [self.tgw_id]},
                                           {"Name": "resource-type", "Values": ["vpc"]}])
        return dict((a["TransitGatewayAttachmentId"], a.get("Association")) for a in items)

    def in_scope(self, att):
        tags = tags_to_dict(att.get("Tags"))
        return bool(self.scope) and all(tags.get(k) == v for k, v in self.scope.items())

    def item_tags(self, item):
        """``(desired tags or None, purge)`` of one item: scope tags, then O(tags), then its own, then Name."""
        given = [t for t in (self.scope or None, self.p.get("tags"), item.get("tags")) if t is not None]
        merged = None
        if given:
            merged = {}
            for tags in given:
                merged.update(tags)
        tags = desired_tags({"tags": merged, "name": item.get("name")})
        purge = self.p["purge_tags"] and (self.p.get("tags") is not None or item.get("tags") is not None)
        return tags, purge

    # --- the plan ---------------------------------------------------------------------------------
    def plan(self, current):
        """Steps ``(action, item, att, detail)`` and the diff's before/after, keyed by VPC id."""
        by_vpc = {}
        for att in current:
            by_vpc.setdefault(att["VpcId"], []).append(att)
        for vpc_id, atts in by_vpc.items():
            if len(atts) > 1:
                self.mod.fail("VPC %s has several live attachments to %s: %s. Delete the extra ones first."
                              % (vpc_id, self.tgw_id, ", ".join(a["TransitGatewayAttachmentId"] for a in atts)))
        listed = set(item["vpc_id"] for item in self.items)
        steps, before, after = [], {}, {}
        for vpc_id, (att,) in sorted(by_vpc.items()):
            if vpc_id in listed or (self.p["purge_vpc_attachments"] and self.in_scope(att)):
                before[vpc_id] = managed(attachment_view("vpc", att, None))
        if self.p["state"] == "absent":
            for item in self.items:
                if item["vpc_id"] in by_vpc:
                    steps.append(("delete", item, by_vpc[item["vpc_id"]][0], None))
            return steps, before, {}
        subnets = describe_subnets(self.mod, [s for item in self.items for s in item.get("subnet_ids") or []])
        for index, item in enumerate(self.items):
            where = "vpc_attachments[%d].subnet_ids" % index
            att = (by_vpc.get(item["vpc_id"]) or [None])[0]
            options = wanted_options(item)
            tags, purge = self.item_tags(item)
            if att is None:
                check_subnets(self.mod, item["vpc_id"], item.get("subnet_ids") or [], subnets, where)
                steps.append(("create", item, None, {"options": options, "tags": tags}))
                after[item["vpc_id"]] = {"transit_gateway_attachment_id": None,
                                         "subnet_ids": sorted(item["subnet_ids"]), "options": snake_dict(options),
                                         "tags": tags or {}, "state": "available"}
                continue
            if item.get("subnet_ids") is not None:
                check_subnets(self.mod, item["vpc_id"], item["subnet_ids"], subnets, where)
            have = managed(attachment_view("vpc", att, None))
            add, remove = subnet_changes(att.get("SubnetIds") or [], item.get("subnet_ids"))
            opt_changes = option_changes(att, options)
            to_set, to_remove = tag_changes(have["tags"], tags, purge)
            after[item["vpc_id"]] = dict(have, subnet_ids=sorted(set(have["subnet_ids"]) - set(remove) | set(add)),
                                         options=dict(have["options"], **snake_dict(opt_changes)),
                                         tags=expected_tags(have["tags"], to_set, to_remove))
            if add or remove or opt_changes or to_set or to_remove:
                steps.append(("modify", item, att, {"add": add, "remove": remove, "options": opt_changes,
                                                    "tags": (to_set, to_remove)}))
        if self.p["purge_vpc_attachments"]:
            for vpc_id, (att,) in sorted(by_vpc.items()):
                if vpc_id not in listed and self.in_scope(att):
                    steps.append(("delete", {"vpc_id": vpc_id}, att, None))
        return steps, before, after

    # --- doing it ---------------------------------------------------------------------------------
    def apply(self, steps):
        """Every create, modify and delete, then one wait for all of them."""
        mod = self.mod
        ready, gone = set(), set()
        for action, item, att, detail in steps:
            if action == "create":
                created = mod.call("create_transit_gateway_vpc_attachment", TransitGatewayId=self.tgw_id,
                                   VpcId=item["vpc_id"], SubnetIds=item["subnet_ids"],
                                   TagSpecifications=tag_specifications("transit-gateway-attachment", detail["tags"]),
                                   **({"Options": detail["options"]} if detail["options"] else {}))
                ready.add(created["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"])
            elif action == "modify":
                att_id = att["TransitGatewayAttachmentId"]
                if detail["add"] or detail["remove"] or detail["options"]:
                    modify_vpc_attachment(mod, att_id, detail["add"], detail["remove"], detail["options"])
                apply_tags(mod, att_id, *detail["tags"])
                ready.add(att_id)
            else:
                mod.call("delete_transit_gateway_vpc_attachment",
                         TransitGatewayAttachmentId=att["TransitGatewayAttachmentId"])
                gone.add(att["TransitGatewayAttachmentId"])
        if not self.p["wait"]:
            return self.read()

        def settled(current):
            states = dict((a["TransitGatewayAttachmentId"], a.get("State")) for a in current)
            # A fresh create may not be visible yet (eventual consistency): absent means "not yet", not "gone".
            return all(states.get(i) == "available" for i in ready) and not any(i in states for i in gone)

        def broken(current):
            bad = ["%s is %s" % (a["TransitGatewayAttachmentId"], a.get("State")) for a in current
                   if a["TransitGatewayAttachmentId"] in ready and a.get("State") in ("failed", "rejected")]
            return "; ".join(bad) or None

        # GONE_STATES drop out in read(): a deleting attachment counts as gone once it reads "deleted".
        return mod.wait(self.read, settled, "VPC attachments of %s" % self.tgw_id,
                        "available (%d) and deleted (%d)" % (len(ready), len(gone)), failed=broken)

    def views(self, current):
        associations = self.associations()
        by_vpc = dict((a["VpcId"], a) for a in current)
        found = [by_vpc[item["vpc_id"]] for item in self.items if item["vpc_id"] in by_vpc]
        return [attachment_view("vpc", att, associations.get(att["TransitGatewayAttachmentId"])) for att in found]

    def run(self):
        current = self.read()
        steps, before, after = self.plan(current)
        changes = [{"action": action, "vpc_id": item["vpc_id"],
                    "transit_gateway_attachment_id": att["TransitGatewayAttachmentId"] if att else None}
                   for action, item, att, detail in steps]
        if steps and not self.mod.check_mode:
            current = self.apply(steps)
        if self.p["state"] == "absent":
            attachments = []
        elif steps and self.mod.check_mode:
            attachments = self.planned_views(current, after)
        else:
            attachments = self.views(current)
        result = dict(changed=bool(steps), vpc_attachments=attachments, changes=changes)
        if self.mod.module._diff:
            result["diff"] = make_diff(before, after)
        return result

    def planned_views(self, current, after):
        """Check mode (or nothing to do): the live views, with what would change applied."""
        views = dict((v["vpc_id"], v) for v in self.views(current))
        out = []
        for item in self.items:
            view_now = views.get(item["vpc_id"]) or {
                "transit_gateway_attachment_id": None, "transit_gateway_id": self.tgw_id, "vpc_id": item["vpc_id"],
                "resource_id": item["vpc_id"], "resource_type": "vpc", "association": {}}
            planned = dict(view_now, **after.get(item["vpc_id"], {}))
            planned["name"] = planned.get("tags", {}).get("Name")
            out.append(planned)
        return out


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
            vpc_attachments=dict(type="list", elements="dict", options=dict(
                vpc_id=dict(type="str", required=True),
                name=dict(type="str"),
                subnet_ids=dict(type="list", elements="str"),
                tags=dict(type="dict"),
                dns_support=dict(type="bool"),
                ipv6_support=dict(type="bool"),
                appliance_mode_support=dict(type="bool"),
            )),
            purge_vpc_attachments=dict(type="bool", default=False),
            scope_tags=dict(type="dict"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    list_mode = p.get("vpc_attachments") is not None
    if list_mode:
        VpcAttachments.validate(mod)
    else:
        validate(mod)
        for opt in ("purge_vpc_attachments", "scope_tags"):
            if p.get(opt):
                mod.fail("%s applies to list mode only: give vpc_attachments too." % opt)
    tgw_id = None
    if p.get("transit_gateway_id") and p["type"] != "vpn":
        ref = p["transit_gateway_id"]
        tgw = find_tgw(mod, tgw_id=ref) if ref.startswith("tgw-") else find_tgw(mod, name=ref)
        if tgw is None:
            if p["state"] == "absent":
                mod.exit(**(dict(changed=False, vpc_attachments=[], changes=[]) if list_mode else
                            resource_result("transit_gateway_attachment", None, changed=False)))
            mod.fail("transit_gateway_id: Transit Gateway %s was not found in this account and region; "
                     "create it first (aws_tgw)." % ref)
        tgw_id = tgw["TransitGatewayId"]
    if list_mode:
        mod.exit(**VpcAttachments(mod, tgw_id).run())
    att = find(mod, tgw_id)
    if p["type"] == "vpn":
        changed, att, before, after = vpn_present(mod, att)
    elif p["state"] == "absent":
        changed, att, before, after = absent(mod, att)
    elif p["type"] == "vpc":
        changed, att, before, after = vpc_present(mod, tgw_id, att)
    else:
        changed, att, before, after = peering_present(mod, tgw_id, att)
    result = resource_result("transit_gateway_attachment", view(mod, att), changed=changed)
    if att is not None and att.get("State") == "deleted":
        result["transit_gateway_attachment"]["association"] = {}
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
