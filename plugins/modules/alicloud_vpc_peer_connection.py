#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_vpc_peer_connection
short_description: Request, accept, reject, change and delete an Alibaba Cloud VPC peering connection
version_added: 0.1.0
description:
  - Today's VPC-to-VPC link on Alibaba Cloud (product VpcPeer, API 2022-01-01), within an account or
    across accounts, within a region or across regions. It replaces Express Connect router interfaces
    (M(multicloud.transit.alicloud_router_interface)) for new peerings.
  - A connection has a requester (the account and region of O(vpc_id), whose credentials run
    O(state=present)) and an accepter (the account and region of O(accepting_vpc_id)). Within one
    account the cloud accepts the request by itself; across accounts the accepter runs this module
    with its own credentials and O(state=accepted) (or O(state=rejected)), or the requester gives
    the accepter's credentials in O(accepter) and sets O(accept=true).
  - The connection is found by O(vpc_peer_connection_id), else as the one between O(vpc_id) and
    O(accepting_vpc_id) (the cloud allows one per VPC pair). A name already used by a connection
    between other VPCs of the requester region is refused.
  - Before any change the module checks what it can read, so the common mix-ups fail with a sentence
    instead of a half-made peering - accepting with the requester's credentials, requesting with the
    accepter's credentials, a peer VPC that is not there, and VPCs whose CIDR blocks overlap ("A VPC
    peering connection connects two VPCs whose CIDR blocks do not overlap", VPC peering connections
    overview). The requester's CIDR blocks are read from its VPC; the accepter's from O(accepter)
    (a read with that account's credentials), from this account when both VPCs are its own, and from
    O(accepting_cidr_blocks).
  - Routes are separate - add one in each VPC's route table with
    M(multicloud.transit.alicloud_route_entry), C(next_hop_type=VpcPeer) and the connection id, once
    the connection is C(Activated).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  state:
    description:
      - V(present) (requester) creates the connection or changes its name, description, bandwidth and
        link type. It waits until the request is C(Accepting) (cross-account) or C(Activated).
      - V(accepted) (accepter) accepts a pending request and waits until it is C(Activated).
      - V(rejected) (accepter) rejects a pending request.
      - V(absent) (either side) deletes the connection and waits until it is gone.
    type: str
    choices: [present, accepted, rejected, absent]
    default: present
  vpc_peer_connection_id:
    description:
      - ID of the connection (C(pcc-...)). Without it the connection is found between O(vpc_id) and
        O(accepting_vpc_id) (or, for O(state=absent), by O(name)).
    type: str
  vpc_id:
    description:
      - The requester VPC, in O(alicloud_region). Required for O(state=present); with
        O(state=accepted) or O(state=rejected) it names the pending request when no
        O(vpc_peer_connection_id) is given.
    type: str
  accepting_vpc_id:
    description: The accepter VPC, in O(accepting_region). Required like O(vpc_id).
    type: str
  accepting_region:
    description:
      - Region of the accepter VPC. Defaults to O(alicloud_region) (an intra-region connection).
      - With O(state=accepted) or O(state=rejected) the accepter's view of this region is searched.
    type: str
  accepting_owner_uid:
    description:
      - Account ID (UID, digits) of the Alibaba Cloud account that owns O(accepting_vpc_id). For a RAM
        user, the UID of the account that created it.
      - Defaults to the UID read with O(accepter), else to this account's own UID (a same-account
        connection).
    type: str
  accepting_cidr_blocks:
    description:
      - The accepter VPC's IPv4 CIDR blocks, for the overlap check when this module cannot read that
        VPC (another account and no O(accepter)). Added to what the module reads.
    type: list
    elements: str
    default: []
  accepter:
    description:
      - Connection options of the accepter account (its own AccessKey pair or a RAM role to assume),
        used to read the accepter VPC before anything is created (it exists, its owner UID, its CIDR
        blocks) and, with O(accept=true), to accept the request in the same task.
      - The accepter VPC is read in O(accepting_region). An option left out falls back to the
        environment like the module's own connection options, so give the key pair or
        O(accepter.alicloud_assume_role_arn) here; without either the module refuses, because the
        environment holds the requester's keys.
    type: dict
    suboptions:
      alicloud_access_key:
        description: AccessKey ID of the accepter account.
        type: str
        aliases: [access_key]
      alicloud_secret_key:
        description: AccessKey secret of the accepter account. Never logged.
        type: str
        aliases: [secret_key]
      alicloud_security_token:
        description: STS token for an STS AccessKey pair. Never logged.
        type: str
        aliases: [security_token]
      alicloud_assume_role_arn:
        description: A RAM role of the accepter account to assume (with the key pair given, else the environment's).
        type: str
      alicloud_assume_role_session_name:
        description: Session name for O(accepter.alicloud_assume_role_arn).
        type: str
      alicloud_endpoint:
        description: Endpoint override for every product (the local twin).
        type: str
        aliases: [endpoint]
      alicloud_vpc_endpoint:
        description: Endpoint override for the VPC API.
        type: str
      alicloud_vpcpeer_endpoint:
        description: Endpoint override for the VpcPeer API.
        type: str
      alicloud_sts_endpoint:
        description: Endpoint of STS, for O(accepter.alicloud_assume_role_arn).
        type: str
  accept:
    description:
      - With O(state=present) and O(accepter), also accept a cross-account request as the accepter and
        wait until it is C(Activated).
    type: bool
    default: false
  name:
    description:
      - Name of the connection, 2 to 128 characters, starting with a letter, not starting with
        C(http://) or C(https://). Changed in place.
    type: str
  description:
    description: Description, 2 to 256 characters, starting with a letter. Changed in place.
    type: str
  bandwidth:
    description:
      - Bandwidth in Mbit/s (an integer greater than 0), inter-region connections only. The cloud's
        default is 1024 for an inter-region connection (intra-region ones are unlimited, C(-1)).
      - Changed in place once the connection is C(Activated); while it waits for the accepter the
        change is left for a later run (with a warning).
    type: int
  link_type:
    description: Link type of an inter-region connection (the cloud's default is V(Gold)). Changed like O(bandwidth).
    type: str
    choices: [Platinum, Gold]
  tags:
    description:
      - Tags given to a new connection. An existing connection's tags are not changed (a warning says
        when they differ).
    type: dict
  force:
    description:
      - With O(state=absent), also delete the routes that point at the connection (the API's C(Force)).
        Without it the cloud refuses to delete a connection that is still a next hop.
    type: bool
    default: false
  wait:
    description: Wait for the cloud to finish (create, accept, bandwidth change, delete).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - multicloud.transit.alicloud
attributes:
  check_mode:
    description: Makes no change; reads only and reports what would change.
    support: full
  diff_mode:
    description: Shows the connection before and after.
    support: full
notes:
  - The accepter has 7 days to answer a cross-account request; after that the request is C(Expired).
    A C(Rejected) or C(Expired) request cannot be revived - delete it (O(state=absent)) and request again.
  - Bandwidth and link type of an inter-region connection are billed through Cloud Data Transfer (CDT),
    which must be activated in both accounts.
"""

EXAMPLES = r"""
- name: Account A (Tokyo) requests a peering with account B's Silicon Valley VPC
  multicloud.transit.alicloud_vpc_peer_connection:
    alicloud_region: ap-northeast-1
    name: tokyo-svalley
    vpc_id: vpc-6weq3zbjvyvwd1w2bhxqa
    accepting_vpc_id: vpc-rj9gt5nll27onu7ji2c2d
    accepting_region: us-west-1
    accepting_owner_uid: "5222222222222222"
    accepting_cidr_blocks: [192.168.0.0/16]   # B's VPC, for the overlap check
    bandwidth: 100
  register: peering

- name: Account B accepts it with its own credentials
  multicloud.transit.alicloud_vpc_peer_connection:
    alicloud_region: us-west-1
    alicloud_access_key: "{{ account_b_access_key }}"
    alicloud_secret_key: "{{ account_b_secret_key }}"
    state: accepted
    vpc_peer_connection_id: "{{ peering.vpc_peer_connection_id }}"

- name: Or both sides in one task, when the requester may use B's credentials
  multicloud.transit.alicloud_vpc_peer_connection:
    alicloud_region: ap-northeast-1
    name: tokyo-svalley
    vpc_id: vpc-6weq3zbjvyvwd1w2bhxqa
    accepting_vpc_id: vpc-rj9gt5nll27onu7ji2c2d
    accepting_region: us-west-1
    accepter:
      alicloud_access_key: "{{ account_b_access_key }}"
      alicloud_secret_key: "{{ account_b_secret_key }}"
    accept: true

- name: Route from Tokyo to Silicon Valley over the connection (one per side)
  multicloud.transit.alicloud_route_entry:
    alicloud_region: ap-northeast-1
    vpc_id: vpc-6weq3zbjvyvwd1w2bhxqa
    routes:
      - destination_cidr_block: 192.168.0.0/16
        next_hop_type: VpcPeer
        next_hop_id: "{{ peering.vpc_peer_connection_id }}"

- name: Delete it and the routes that use it
  multicloud.transit.alicloud_vpc_peer_connection:
    alicloud_region: ap-northeast-1
    state: absent
    vpc_id: vpc-6weq3zbjvyvwd1w2bhxqa
    accepting_vpc_id: vpc-rj9gt5nll27onu7ji2c2d
    accepting_region: us-west-1
    force: true
"""

RETURN = r"""
vpc_peer_connection_id:
  description: ID of the connection (null when check mode would create it or nothing was found to delete).
  returned: always
  type: str
  sample: pcc-90thmcpbm4ql3ui9v4y7a
vpc_peer_connection:
  description: The connection as the API shows it, in snake_case (empty after a delete).
  returned: always
  type: dict
  contains:
    vpc_peer_connection_id:
      description: ID of the connection.
      type: str
      sample: pcc-90thmcpbm4ql3ui9v4y7a
    name:
      description: Name.
      type: str
      sample: tokyo-svalley
    status:
      description: Creating, Accepting, Updating, Rejected, Expired, Activated or Deleting.
      type: str
      sample: Accepting
    vpc_id:
      description: The requester VPC.
      type: str
      sample: vpc-6weq3zbjvyvwd1w2bhxqa
    region_id:
      description: Region of the requester VPC.
      type: str
      sample: ap-northeast-1
    owner_id:
      description: UID of the requester account.
      type: int
      sample: 5111111111111111
    accepting_vpc_id:
      description: The accepter VPC.
      type: str
      sample: vpc-rj9gt5nll27onu7ji2c2d
    accepting_region_id:
      description: Region of the accepter VPC.
      type: str
      sample: us-west-1
    accepting_owner_uid:
      description: UID of the accepter account.
      type: int
      sample: 5222222222222222
    bandwidth:
      description: Bandwidth in Mbit/s (-1 = unlimited, intra-region).
      type: int
      sample: 1024
    link_type:
      description: Link type of an inter-region connection.
      type: str
      sample: Gold
    vpc:
      description: The requester VPC and its IPv4 / IPv6 CIDR blocks.
      type: dict
      sample: {"vpc_id": "vpc-6weq3zbjvyvwd1w2bhxqa", "ipv4_cidrs": ["172.16.0.0/16"], "ipv6_cidrs": []}
    accepting_vpc:
      description: The accepter VPC and its CIDR blocks.
      type: dict
      sample: {"vpc_id": "vpc-rj9gt5nll27onu7ji2c2d", "ipv4_cidrs": ["192.168.0.0/16"], "ipv6_cidrs": []}
    gmt_expired:
      description: When a pending request expires (only while C(Accepting) or C(Expired)).
      type: str
      sample: "2026-12-08T10:00:00Z"
    tags:
      description: Tags, as a dict.
      type: dict
      sample: {"env": "prod"}
"""

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import (
    AlicloudModule,
    alicloud_argument_spec,
    dig,
    tags_param,
)
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff, option_unset, tags_to_dict
from ansible_collections.multicloud.transit.plugins.module_utils.vpc_peer import (
    ACTIVE,
    DEAD_ENDS,
    TRANSITIONAL,
    connection_facts,
    get_connection,
    joins,
    list_connections,
    overlapping,
    vpc_cidrs,
    vpc_ids_of,
)

ACCEPTER_OPTIONS = ("alicloud_access_key", "alicloud_secret_key", "alicloud_security_token", "alicloud_assume_role_arn",
                    "alicloud_assume_role_session_name", "alicloud_endpoint", "alicloud_vpc_endpoint",
                    "alicloud_vpcpeer_endpoint", "alicloud_sts_endpoint")
NO_VPC = ("InvalidVpcId.NotFound",)
LIVE = ("Creating", "Accepting", "Updating", "Activated")


def accepter_spec():
    """The accepter's connection options: the module's own ones, without their environment fallback
    (applied later by ``for_account``, only after the module checked that keys or a role were given)."""
    base = alicloud_argument_spec()
    return dict((name, dict((k, v) for k, v in base[name].items() if k != "fallback")) for name in ACCEPTER_OPTIONS)


def text_problem(value, low, high):
    """Why a name / description breaks the CreateVpcPeerConnection rule (None when it does not)."""
    if not low <= len(value) <= high:
        return "must be %d to %d characters long" % (low, high)
    if not value[0].isalpha():
        return "must start with a letter"
    if value.startswith(("http://", "https://")):
        return "must not start with http:// or https://"
    return None


class PeerConnection:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.changed = False
        self.region = mod.region
        self.accepting_region = self.p["accepting_region"] or mod.region
        self.inter_region = self.accepting_region != self.region
        self.accepter = None
        if self.p["accepter"]:
            params = dict((k, v) for k, v in self.p["accepter"].items() if not option_unset(v))
            params["alicloud_region"] = self.accepting_region
            self.accepter = AlicloudModule.for_account(mod.module, params)

    # --- input checks (no call) ----------------------------------------------------------------
    def validate(self):
        p, state = self.p, self.p["state"]
        if state == "present" and not (p["vpc_id"] and p["accepting_vpc_id"]):
            self.mod.fail("state=present needs vpc_id (the requester VPC) and accepting_vpc_id (the accepter VPC).")
        if state in ("accepted", "rejected") and not p["vpc_peer_connection_id"] and \
                not (p["vpc_id"] and p["accepting_vpc_id"]):
            self.mod.fail("state=%s needs vpc_peer_connection_id, or vpc_id and accepting_vpc_id of the request "
                          "to answer." % state)
        if state == "absent" and not (p["vpc_peer_connection_id"] or p["name"] or
                                      (p["vpc_id"] and p["accepting_vpc_id"])):
            self.mod.fail("state=absent needs vpc_peer_connection_id, name, or vpc_id and accepting_vpc_id.")
        if p["accepting_owner_uid"] is not None and not str(p["accepting_owner_uid"]).isdigit():
            self.mod.fail("accepting_owner_uid must be the accepter's Alibaba Cloud account ID (digits, the UID), "
                          "not %r." % p["accepting_owner_uid"])
        for name, longest in (("name", 128), ("description", 256)):
            problem = p[name] is not None and text_problem(p[name], 2, longest)
            if problem:
                self.mod.fail("%s %r %s (CreateVpcPeerConnection)." % (name, p[name], problem))
        for option in ("bandwidth", "link_type"):
            if p[option] is not None and not self.inter_region:
                self.mod.fail("%s applies only to an inter-region connection; accepting_region (%s) is the region of "
                              "vpc_id. Leave %s unset or set accepting_region." % (option, self.accepting_region,
                                                                                   option))
        if p["bandwidth"] is not None and p["bandwidth"] < 1:
            self.mod.fail("bandwidth must be an integer greater than 0 (Mbit/s), not %s." % p["bandwidth"])
        for block in p["accepting_cidr_blocks"]:
            try:
                ipaddress.ip_network(block, strict=False)
            except ValueError:
                self.mod.fail("accepting_cidr_blocks: %r is not a CIDR block (for example 192.168.0.0/16)." % block)
        if p["accepter"] is not None:
            given = p["accepter"]
            if option_unset(given.get("alicloud_assume_role_arn")) and \
                    (option_unset(given.get("alicloud_access_key")) or option_unset(given.get("alicloud_secret_key"))):
                self.mod.fail("accepter needs the accepter account's alicloud_access_key and alicloud_secret_key (or "
                              "alicloud_assume_role_arn): what is left out falls back to the environment, which holds "
                              "this (requester) account's credentials.")
        if p["accept"] and state == "present" and not self.accepter:
            self.mod.fail("accept=true accepts as the accepter: give the accepter account's credentials in accepter "
                          "(or run state=accepted with them).")

    # --- reading ---------------------------------------------------------------------------------
    def vpc(self, vpc_id, region, helper=None):
        """A VPC of the helper's account in ``region`` (DescribeVpcs item), or None."""
        helper = helper or self.mod
        body = helper.call("vpc", "DescribeVpcs", {"VpcId": vpc_id}, ignore_codes=NO_VPC, region=region) or {}
        return next((v for v in dig(body, "Vpcs.Vpc") or [] if v.get("VpcId") == vpc_id), None)

    def pair(self, listed):
        """The connections of ``listed`` between vpc_id and accepting_vpc_id, live ones first."""
        found = [c for c in listed if joins(c, self.p["vpc_id"], self.p["accepting_vpc_id"])]
        return sorted(found, key=lambda c: c["Status"] not in LIVE)

    def by_id(self):
        conn = get_connection(self.mod, self.p["vpc_peer_connection_id"])
        if conn is None:
            self.mod.fail("vpc_peer_connection_id %s is not visible to this account: check the id and that these are "
                          "the credentials of its requester or accepter." % self.p["vpc_peer_connection_id"])
        wanted = (self.p["vpc_id"], self.p["accepting_vpc_id"])
        if all(wanted) and not joins(conn, *wanted):
            self.mod.fail("vpc_peer_connection_id %s connects %s and %s, not vpc_id %s and accepting_vpc_id %s."
                          % ((conn["InstanceId"],) + vpc_ids_of(conn) + wanted))
        return conn

    def refresh(self, conn_id, helper=None):
        return get_connection(helper or self.mod, conn_id)

    def wait_for(self, conn_id, ready, wanted, helper=None, fallback=None):
        """Poll by id (a fresh id may not be readable yet) until ``ready``; stop early on a dead end."""
        if not self.p["wait"]:
            return self.refresh(conn_id, helper) or fallback

        def dead_end(conn):
            status = (conn or {}).get("Status")
            return "%s is %s" % (conn_id, status) if status in DEAD_ENDS and wanted not in DEAD_ENDS else None

        return self.mod.wait(lambda: self.refresh(conn_id, helper), lambda c: c is not None and ready(c),
                             "VPC peering connection %s" % conn_id, wanted, failed=dead_end)

    def settle(self, conn, helper=None):
        """Wait out Creating / Updating before acting on a connection."""
        if conn["Status"] not in TRANSITIONAL or conn["Status"] == "Deleting":
            return conn
        return self.mod.wait(lambda: self.refresh(conn["InstanceId"], helper),
                             lambda c: c is None or c["Status"] not in TRANSITIONAL,
                             "VPC peering connection %s" % conn["InstanceId"], "a stable status") or conn

    # --- state=present (requester) -------------------------------------------------------------------
    def requester_vpc(self):
        vpc = self.vpc(self.p["vpc_id"], self.region)
        if vpc is not None:
            return vpc
        theirs = self.vpc(self.p["accepting_vpc_id"], self.accepting_region)
        if theirs is not None:
            self.mod.fail("vpc_id %s is not a VPC of this account in %s, but accepting_vpc_id %s is (account %s): "
                          "these are the accepter's credentials. Request with the credentials of the account that owns "
                          "vpc_id (state=present), then accept with these (state=accepted)."
                          % (self.p["vpc_id"], self.region, self.p["accepting_vpc_id"], theirs.get("OwnerId")))
        self.mod.fail("vpc_id %s was not found in region %s of this account: check vpc_id, alicloud_region and the "
                      "credentials (the requester's)." % (self.p["vpc_id"], self.region))

    def accepter_side(self, own_uid):
        """(accepter UID, accepter CIDR blocks known) after checking the accepter VPC as far as it can be read."""
        p = self.p
        wanted_uid = p["accepting_owner_uid"]
        cidrs = list(p["accepting_cidr_blocks"])
        if self.accepter is not None:
            vpc = self.vpc(p["accepting_vpc_id"], self.accepting_region, self.accepter)
            if vpc is None:
                self.mod.fail("accepting_vpc_id %s was not found in region %s of the accepter account (the "
                              "credentials in accepter): check accepting_vpc_id, accepting_region and accepter."
                              % (p["accepting_vpc_id"], self.accepting_region))
            uid = str(vpc["OwnerId"])
            if wanted_uid and wanted_uid != uid:
                self.mod.fail("accepting_owner_uid %s is not the owner of accepting_vpc_id %s: the accepter "
                              "credentials read it in account %s." % (wanted_uid, p["accepting_vpc_id"], uid))
            return uid, cidrs + vpc_cidrs(vpc)
        # Another account's VPC cannot be read with these credentials; one of this account can.
        own = self.vpc(p["accepting_vpc_id"], self.accepting_region)
        if wanted_uid in (None, own_uid):
            if own is None:
                self.mod.fail("accepting_vpc_id %s was not found in region %s of this account (%s). If it belongs to "
                              "another account, set accepting_owner_uid to that account's UID (and accepter to its "
                              "credentials to check it before the request)."
                              % (p["accepting_vpc_id"], self.accepting_region, own_uid))
            return own_uid, cidrs + vpc_cidrs(own)
        if own is not None:
            self.mod.fail("accepting_vpc_id %s belongs to this account (%s), not to accepting_owner_uid %s: fix "
                          "accepting_owner_uid or leave it unset." % (p["accepting_vpc_id"], own_uid, wanted_uid))
        return wanted_uid, cidrs

    def find_requested(self, own_uid):
        """The live connection of the pair (refusing a dead end or one the other side requested)."""
        p = self.p
        if p["vpc_peer_connection_id"]:
            found = [self.by_id()]
        else:
            listed = list_connections(self.mod, region=self.region)
            found = self.pair(listed)
            clash = [c for c in listed if p["name"] and c.get("Name") == p["name"] and str(c.get("OwnerId")) == own_uid
                     and c["Status"] in LIVE and not joins(c, p["vpc_id"], p["accepting_vpc_id"])]
            if clash:
                self.mod.fail("name %s is already used by %s, which connects %s and %s; choose another name or give "
                              "vpc_peer_connection_id." % ((p["name"], clash[0]["InstanceId"]) + vpc_ids_of(clash[0])))
        if not found:
            return None
        conn = found[0]
        if conn["Status"] in DEAD_ENDS:
            self.mod.fail("The VPC peering connection %s between %s and %s is %s and cannot be used again: delete it "
                          "(state=absent) and run state=present again to send a new request."
                          % ((conn["InstanceId"],) + vpc_ids_of(conn) + (conn["Status"],)))
        if str(conn.get("OwnerId")) != own_uid:
            self.mod.fail("The VPC peering connection %s between these VPCs was requested by account %s; this account "
                          "is its accepter: answer it with state=accepted (or rejected) instead of requesting again."
                          % (conn["InstanceId"], conn.get("OwnerId")))
        if conn["Status"] == "Deleting":
            if self.mod.check_mode or not self.p["wait"]:
                self.mod.fail("The VPC peering connection %s between these VPCs is being deleted; run again once it "
                              "is gone." % conn["InstanceId"])
            self.wait_gone(conn["InstanceId"])
            return None
        return conn

    def create(self, accepter_uid):
        p = self.p
        params = {"VpcId": p["vpc_id"], "AcceptingAliUid": int(accepter_uid),
                  "AcceptingRegionId": self.accepting_region, "AcceptingVpcId": p["accepting_vpc_id"], "Name": p["name"], "Description": p["description"],
                  "Bandwidth": p["bandwidth"], "LinkType": p["link_type"], "Tag": tags_param(p["tags"]) or None}
        self.changed = True
        if self.mod.check_mode:
            return None
        conn_id = self.mod.create("vpcpeer", "CreateVpcPeerConnection", params)["InstanceId"]
        placeholder = {"InstanceId": conn_id, "Status": "Creating", "Name": p["name"] or "",
                       "Vpc": {"VpcId": p["vpc_id"]}, "AcceptingVpc": {"VpcId": p["accepting_vpc_id"]}}
        return self.wait_for(conn_id, lambda c: c["Status"] not in TRANSITIONAL, "Accepting or Activated",
                             fallback=placeholder)

    def modify(self, conn):
        """Name and description at once; bandwidth and link type only on an Activated connection."""
        p = self.p
        if not self.mod.check_mode:
            conn = self.settle(conn)
        changes = dict((key, p[opt]) for key, opt in (("Name", "name"), ("Description", "description"))
                       if p[opt] is not None and p[opt] != conn.get(key))
        for key, opt in (("Bandwidth", "bandwidth"), ("LinkType", "link_type")):
            if p[opt] is None or p[opt] == conn.get(key):
                continue
            if conn["Status"] == ACTIVE:
                changes[key] = p[opt]
            else:
                self.mod.module.warn("%s of %s stays %s: the cloud changes it only once the connection is Activated "
                                     "(now %s). Run again after the accepter accepted." % (
                                         opt, conn["InstanceId"], conn.get(key), conn["Status"]))
        if p["tags"] is not None and tags_to_dict(tags_param(p["tags"])) != tags_to_dict(conn.get("Tags")):
            self.mod.module.warn("tags of %s differ from the tags option; this module sets tags only when it creates "
                                 "a connection." % conn["InstanceId"])
        if not changes:
            return conn
        self.changed = True
        if self.mod.check_mode:
            return dict(conn, **changes)
        self.mod.call("vpcpeer", "ModifyVpcPeerConnection", dict(changes, InstanceId=conn["InstanceId"]))
        return self.wait_for(conn["InstanceId"], lambda c: c["Status"] not in TRANSITIONAL, "a stable status",
                             fallback=dict(conn, **changes))

    def accept_as_accepter(self, conn):
        """accept=true: the accepter's credentials answer the request this run made or found."""
        if not self.p["accept"] or conn is None or conn["Status"] not in ("Accepting", "Creating"):
            return conn
        self.changed = True
        if self.mod.check_mode:
            return dict(conn, Status=ACTIVE)
        conn = self.settle(conn, self.accepter)
        if conn["Status"] == "Accepting":
            self.accepter.call("vpcpeer", "AcceptVpcPeerConnection", {"InstanceId": conn["InstanceId"]},
                               region=self.accepting_region)
        return self.wait_for(conn["InstanceId"], lambda c: c["Status"] == ACTIVE, ACTIVE, fallback=conn)

    def present(self):
        requester_vpc = self.requester_vpc()
        own_uid = str(requester_vpc["OwnerId"])
        requester_cidrs = vpc_cidrs(requester_vpc)
        accepter_uid, accepter_cidrs = self.accepter_side(own_uid)
        current = self.find_requested(own_uid)
        if current is None:
            clash = overlapping(requester_cidrs, accepter_cidrs)
            if clash:
                self.mod.fail("vpc_id %s (%s) and accepting_vpc_id %s (%s) have overlapping CIDR blocks; a VPC peering "
                              "connection needs CIDR blocks that do not overlap. Peer other VPCs or re-address one."
                              % (self.p["vpc_id"], clash[0], self.p["accepting_vpc_id"], clash[1]))
            if not accepter_cidrs and accepter_uid != own_uid:
                self.mod.module.warn("The CIDR blocks of accepting_vpc_id %s were not checked for overlap: give "
                                     "accepter or accepting_cidr_blocks." % self.p["accepting_vpc_id"])
            after = self.create(accepter_uid) or self.predicted(own_uid, accepter_uid, accepter_cidrs, requester_cidrs)
        else:
            after = self.modify(current)
        return current, self.accept_as_accepter(after)

    def predicted(self, own_uid, accepter_uid, accepter_cidrs, requester_cidrs):
        """What check mode would create."""
        p = self.p
        return {"InstanceId": None, "Name": p["name"] or "", "Description": p["description"] or "",
                "Status": "Accepting" if accepter_uid != own_uid else ACTIVE, "OwnerId": int(own_uid),
                "RegionId": self.region, "AcceptingOwnerUid": int(accepter_uid),
                "AcceptingRegionId": self.accepting_region,
                "Bandwidth": p["bandwidth"] or (1024 if self.inter_region else -1),
                "LinkType": p["link_type"] or ("Gold" if self.inter_region else ""),
                "Vpc": {"VpcId": p["vpc_id"], "Ipv4Cidrs": requester_cidrs, "Ipv6Cidrs": []},
                "AcceptingVpc": {"VpcId": p["accepting_vpc_id"], "Ipv4Cidrs": accepter_cidrs, "Ipv6Cidrs": []},
                "Tags": tags_param(p["tags"])}

    # --- state=accepted / rejected (accepter) ------------------------------------------------------
    def pending_request(self):
        """The request this account answers, found by id or in the accepter region's view."""
        p = self.p
        if p["vpc_peer_connection_id"]:
            return self.by_id()
        found = self.pair(list_connections(self.mod, region=self.accepting_region))
        if found:
            return found[0]
        if self.vpc(p["accepting_vpc_id"], self.accepting_region) is None:
            mine = self.vpc(p["vpc_id"], self.region)
            requested = self.pair(list_connections(self.mod, region=self.region)) if mine is not None else []
            if requested:
                self.refuse_requester(requested[0])
            self.mod.fail("accepting_vpc_id %s is not a VPC of this account in %s, so these are not the accepter's "
                          "credentials: run state=%s with the credentials of the account that owns it%s."
                          % (p["accepting_vpc_id"], self.accepting_region, p["state"],
                             " (this account owns vpc_id %s: it is the requester)" % p["vpc_id"] if mine else ""))
        if self.mod.check_mode:
            return None
        self.mod.fail("No VPC peering connection between %s and %s is waiting for this account in %s: the requester "
                      "creates it first (state=present with the credentials of the account that owns vpc_id)."
                      % (p["vpc_id"], p["accepting_vpc_id"], self.accepting_region))

    def refuse_requester(self, conn):
        self.mod.fail("%s waits for its accepter, account %s; these credentials are the requester's (account %s). "
                      "Run the %s with the accepter account's credentials (UID %s)."
                      % (conn["InstanceId"], conn.get("AcceptingOwnerUid"), conn.get("OwnerId"),
                         "accept" if self.p["state"] == "accepted" else "reject", conn.get("AcceptingOwnerUid")))

    def check_accepter(self, conn):
        """Refuse before answering when these are not the accepter's credentials."""
        requester_vpc, accepter_vpc = vpc_ids_of(conn)
        if str(conn.get("OwnerId")) == str(conn.get("AcceptingOwnerUid")):
            return  # same account: the cloud accepts by itself
        if self.vpc(accepter_vpc, conn.get("AcceptingRegionId")) is not None:
            return
        if self.vpc(requester_vpc, conn.get("RegionId")) is not None:
            self.refuse_requester(conn)
        self.mod.fail("These credentials own neither VPC of %s (%s, %s): run state=%s with the credentials of the "
                      "accepter account (UID %s)." % (conn["InstanceId"], requester_vpc, accepter_vpc,
                                                      self.p["state"], conn.get("AcceptingOwnerUid")))

    def answer(self):
        """state=accepted / rejected."""
        accept = self.p["state"] == "accepted"
        conn = self.pending_request()
        if conn is None:  # check mode, the request is not made yet
            self.changed = True
            self.mod.module.warn("No request between %s and %s yet: it would be %s once the requester makes it."
                                 % (self.p["vpc_id"], self.p["accepting_vpc_id"], self.p["state"]))
            return None, None
        self.check_accepter(conn)
        before = conn
        if accept:
            clash = overlapping(dig(conn, "Vpc.Ipv4Cidrs") or [], dig(conn, "AcceptingVpc.Ipv4Cidrs") or [])
            if clash and conn["Status"] != ACTIVE:
                self.mod.fail("%s joins overlapping CIDR blocks (%s and %s); a VPC peering connection needs CIDR "
                              "blocks that do not overlap. Reject it (state=rejected) instead." % (
                                  conn["InstanceId"], clash[0], clash[1]))
        if conn["Status"] == "Creating" and not self.mod.check_mode:
            conn = self.settle(conn)
        status = conn["Status"]
        done = ACTIVE if accept else "Rejected"
        if status == done or (accept and status == "Updating"):
            if status == "Updating":
                conn = self.wait_for(conn["InstanceId"], lambda c: c["Status"] == ACTIVE, ACTIVE, fallback=conn)
            return before, conn
        if status not in ("Accepting", "Creating"):
            self.mod.fail("%s is %s and can no longer be %s%s." % (
                conn["InstanceId"], status, self.p["state"],
                ": delete it (state=absent) to remove it" if accept or status == ACTIVE else ""))
        self.changed = True
        if self.mod.check_mode:
            return before, dict(conn, Status=done)
        self.mod.call("vpcpeer", "AcceptVpcPeerConnection" if accept else "RejectVpcPeerConnection",
                      {"InstanceId": conn["InstanceId"]}, region=self.accepting_region)
        return before, self.wait_for(conn["InstanceId"], lambda c: c["Status"] == done, done,
                                     fallback=dict(conn, Status="Updating" if accept else done))

    # --- state=absent (either side) -----------------------------------------------------------------
    def to_delete(self):
        p = self.p
        if p["vpc_peer_connection_id"]:
            conn = get_connection(self.mod, p["vpc_peer_connection_id"])
            return [conn] if conn else []
        regions = [self.region] + ([self.accepting_region] if self.inter_region else [])
        found = {}
        for region in regions:
            for conn in list_connections(self.mod, region=region):
                wanted = (joins(conn, p["vpc_id"], p["accepting_vpc_id"]) if p["vpc_id"] and p["accepting_vpc_id"]
                          else True) and (not p["name"] or conn.get("Name") == p["name"])
                if wanted:
                    found.setdefault(conn["InstanceId"], conn)
        return list(found.values())

    def delete(self, conn):
        self.changed = True
        if self.mod.check_mode:
            return
        conn_id = conn["InstanceId"]
        if conn["Status"] != "Deleting":
            conn = self.settle(conn)
            answer = self.mod.call("vpcpeer", "DeleteVpcPeerConnection",
                                   {"InstanceId": conn_id, "Force": self.p["force"]},
                                   ignore_codes=("DependencyViolation.RouteEntry",))
            if answer is None:
                self.mod.fail("DeleteVpcPeerConnection refused to delete %s (DependencyViolation.RouteEntry): route "
                              "entries in a VPC route table still point at it. Set force=true to delete them with it, "
                              "or remove them first (multicloud.transit.alicloud_route_entry, state=absent)."
                              % conn_id)
        if self.p["wait"]:
            self.wait_gone(conn_id)

    def wait_gone(self, conn_id):
        self.mod.wait(lambda: self.refresh(conn_id), lambda c: c is None, "VPC peering connection %s" % conn_id,
                      "deleted")


def diff_view(conn):
    facts = connection_facts(conn)
    keys = ("vpc_peer_connection_id", "name", "description", "status", "vpc_id", "region_id", "accepting_vpc_id",
            "accepting_region_id", "accepting_owner_uid", "bandwidth", "link_type", "tags")
    return dict((k, facts.get(k)) for k in keys) if facts else {}


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            state=dict(type="str", default="present", choices=["present", "accepted", "rejected", "absent"]),
            vpc_peer_connection_id=dict(type="str"),
            vpc_id=dict(type="str"),
            accepting_vpc_id=dict(type="str"),
            accepting_region=dict(type="str"),
            accepting_owner_uid=dict(type="str"),
            accepting_cidr_blocks=dict(type="list", elements="str", default=[]),
            accepter=dict(type="dict", options=accepter_spec()),
            accept=dict(type="bool", default=False),
            name=dict(type="str"),
            description=dict(type="str"),
            bandwidth=dict(type="int"),
            link_type=dict(type="str", choices=["Platinum", "Gold"]),
            tags=dict(type="dict"),
            force=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    peer = PeerConnection(mod)
    peer.validate()
    state = mod.params["state"]
    if state == "absent":
        current = peer.to_delete()
        for conn in current:
            peer.delete(conn)
        before, after = (current[0] if current else None), None
        result_id = current[0]["InstanceId"] if current else None
    else:
        before, after = peer.present() if state == "present" else peer.answer()
        result_id = (after or {}).get("InstanceId")
    out = dict(changed=peer.changed, vpc_peer_connection_id=result_id, vpc_peer_connection=connection_facts(after))
    if mod.module._diff:
        out["diff"] = make_diff(diff_view(before), diff_view(after))
    mod.exit(**out)


if __name__ == "__main__":
    main()
