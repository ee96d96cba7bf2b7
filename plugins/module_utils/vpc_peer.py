# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPC peering connections (Alibaba Cloud VpcPeer 2022-01-01): reads and facts shared by
``alicloud_vpc_peer_connection`` and ``alicloud_vpc_peer_connection_info``.

Statuses (GetVpcPeerConnectionAttribute ``Status`` docstring): Creating, Accepting, Updating,
Rejected, Expired, Activated, Deleting, Deleted. A connection is listed by ListVpcPeerConnections
in the region of the requester VPC (for its owner) and of the accepter VPC (for the accepter);
GetVpcPeerConnectionAttribute answers either side.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import dig
from ansible_collections.multicloud.transit.plugins.module_utils.common import snake_dict, tags_to_dict

ACTIVE = "Activated"
# States a connection passes through on its own (create, accept, bandwidth change, delete).
TRANSITIONAL = ("Creating", "Updating", "Deleting")
# End states of a request the accepter never took: the connection can only be deleted.
DEAD_ENDS = ("Rejected", "Expired")
GONE = ("Deleted",)
NOT_FOUND = ("ResourceNotFound.InstanceId",)
# ListVpcPeerConnectionsRequest MaxResults: "Valid values: 1 to 100."
PAGE_SIZE = 100


def get_connection(mod, connection_id, region=None):
    """The connection as GetVpcPeerConnectionAttribute shows it, or None when it is not (yet) visible."""
    body = mod.call("vpcpeer", "GetVpcPeerConnectionAttribute", {"InstanceId": connection_id},
                    ignore_codes=NOT_FOUND, region=region)
    if not body or body.get("Status") in GONE:
        return None
    body.pop("RequestId", None)
    return body


def list_connections(mod, region=None, **filters):
    """Every connection the caller requested in ``region`` or accepts into it (ListVpcPeerConnections,
    NextToken paging). ``filters``: the API's own parameters (VpcId list, Name, InstanceId, Tags)."""
    params = dict((k, v) for k, v in filters.items() if v not in (None, [], ""))
    items = mod.paginate_token("vpcpeer", "ListVpcPeerConnections", params, "VpcPeerConnects",
                               page_size=PAGE_SIZE, region=region)
    return [c for c in items if c.get("Status") not in GONE]


def vpc_ids_of(conn):
    """(requester VPC id, accepter VPC id) of a connection."""
    return dig(conn, "Vpc.VpcId"), dig(conn, "AcceptingVpc.VpcId")


def joins(conn, vpc_a, vpc_b):
    """Whether ``conn`` connects these two VPCs, in either direction."""
    return set(vpc_ids_of(conn)) == set([vpc_a, vpc_b])


def connection_facts(conn):
    """snake_case facts of a connection, plus ``vpc_peer_connection_id``, both VPC ids and tags as a dict."""
    if not conn:
        return {}
    facts = snake_dict(dict((k, v) for k, v in conn.items() if k not in ("RequestId", "Tags")))
    requester_vpc, accepter_vpc = vpc_ids_of(conn)
    facts.update(vpc_peer_connection_id=conn.get("InstanceId"), vpc_id=requester_vpc, accepting_vpc_id=accepter_vpc,
                 tags=tags_to_dict(conn.get("Tags")))
    return facts


def vpc_cidrs(vpc):
    """IPv4 CIDR blocks of a DescribeVpcs item: the primary block and the secondary ones."""
    blocks = [vpc.get("CidrBlock")] + list(dig(vpc, "SecondaryCidrBlocks.SecondaryCidrBlock") or [])
    return [b for b in blocks if b]


def overlapping(cidrs_a, cidrs_b):
    """The first pair (a, b) of overlapping IPv4 blocks, or None."""
    for a in cidrs_a:
        for b in cidrs_b:
            if ipaddress.ip_network(a, strict=False).overlaps(ipaddress.ip_network(b, strict=False)):
                return a, b
    return None
