"""VPC peering connections (VpcPeer 2022-01-01) in the twin, through the official VpcPeer SDK,
with both accounts of the cross-account-peering world under today's rules: states, who may
accept, reject, modify and delete, routes on both sides, paging and validation."""

from __future__ import annotations

import pytest
from alibabacloud_vpc20160428 import models as vpc_m
from alibabacloud_vpcpeer20220101 import models as m
from darabonba.runtime import RuntimeOptions as DaraRuntime

from cloudtwin.alicloud.models import vpc_peer
from twinhelpers import sdk_error, snake

A_UID, B_UID = "5111111111111111", "5222222222222222"
TOKYO, SVALLEY = "ap-northeast-1", "us-west-1"


def _runtime():
    from alibabacloud_tea_util.models import RuntimeOptions

    return RuntimeOptions()


class Side:
    """One account of the world: its VpcPeer and VPC clients, its VPC and route table."""

    def __init__(self, twin, account, region):
        self.peer = twin.vpcpeer_client(account, region)
        self.vpc = twin.vpc_client(account, region)
        self.region = region
        vpc = self.vpc.describe_vpcs_with_options(vpc_m.DescribeVpcsRequest(region_id=region),
                                                  DaraRuntime()).body.vpcs.vpc[0]
        self.vpc_id, self.cidr = vpc.vpc_id, vpc.cidr_block
        self.table_id = vpc.router_table_ids.router_table_ids[0]

    def call(self, action, **kwargs):
        request = getattr(m, action + "Request")(**kwargs)
        method = getattr(self.peer, snake(action) + "_with_options")
        return method(request, _runtime()).body

    def get(self, rid):
        return self.call("GetVpcPeerConnectionAttribute", instance_id=rid)

    def route(self, destination, rid):
        return self.vpc.create_route_entry_with_options(vpc_m.CreateRouteEntryRequest(
            region_id=self.region, route_table_id=self.table_id, destination_cidr_block=destination,
            next_hop_type="VpcPeer", next_hop_id=rid), DaraRuntime()).body.route_entry_id

    def routes(self):
        body = self.vpc.describe_route_entry_list_with_options(vpc_m.DescribeRouteEntryListRequest(
            region_id=self.region, route_table_id=self.table_id, route_entry_type="Custom"), DaraRuntime()).body
        return [(e.destination_cidr_block, e.next_hops.next_hop[0].next_hop_type, e.next_hops.next_hop[0].next_hop_id)
                for e in body.route_entrys.route_entry]


@pytest.fixture
def sides(today_peering_twin):
    return Side(today_peering_twin, "account-a", TOKYO), Side(today_peering_twin, "account-b", SVALLEY)


def request_peering(a, b, **extra):
    extra.setdefault("name", "tokyo-to-svalley")
    return a.call("CreateVpcPeerConnection", region_id=TOKYO, vpc_id=a.vpc_id, accepting_ali_uid=int(B_UID),
                  accepting_region_id=SVALLEY, accepting_vpc_id=b.vpc_id, **extra).instance_id


def test_cross_account_waits_in_accepting_until_the_accepter_accepts(sides, today_peering_twin):
    a, b = sides
    rid = request_peering(a, b, bandwidth=100, description="peering of the second walkthrough")
    assert rid.startswith("pcc-")
    # zero delays: the transitional state is seen once, by whoever looks first
    assert today_peering_twin.twin.backend.state.find("VpcPeerConnection", rid)["Status"] == "Creating"
    seen_by_a = a.get(rid)
    assert (seen_by_a.status, seen_by_a.owner_id, seen_by_a.accepting_owner_uid) == \
        ("Accepting", int(A_UID), int(B_UID))
    assert (seen_by_a.vpc.vpc_id, seen_by_a.accepting_vpc.vpc_id) == (a.vpc_id, b.vpc_id)
    assert seen_by_a.accepting_vpc.ipv_4cidrs == ["192.168.0.0/16"] and seen_by_a.bandwidth == 100
    assert seen_by_a.link_type == "Gold" and seen_by_a.gmt_expired  # expires while nobody accepts
    # Both accounts see the connection; it stays Accepting however often anyone looks.
    assert b.get(rid).status == "Accepting" and a.get(rid).status == "Accepting"
    assert not vpc_peer.is_active(today_peering_twin.twin.backend.state.find("VpcPeerConnection", rid))
    # The requester cannot accept its own request across accounts.
    code, message = sdk_error(a.call, "AcceptVpcPeerConnection", instance_id=rid)
    assert code == "Forbidden.NoPermission" and B_UID in message
    # No route through a connection that carries no traffic yet.
    assert sdk_error(a.route, "192.168.0.0/24", rid)[0] == "IncorrectStatus.VpcPeer"
    b.call("AcceptVpcPeerConnection", instance_id=rid)
    assert today_peering_twin.twin.backend.state.find("VpcPeerConnection", rid)["Status"] == "Updating"
    assert b.get(rid).status == "Activated" and a.get(rid).status == "Activated"
    assert a.get(rid).gmt_expired is None
    assert sdk_error(b.call, "AcceptVpcPeerConnection", instance_id=rid)[0] == "IncorrectStatus.VpcPeer"


def test_routes_on_both_sides_point_at_the_connection(sides, today_peering_twin):
    a, b = sides
    rid = request_peering(a, b)
    b.call("AcceptVpcPeerConnection", instance_id=rid)
    assert a.get(rid).status == "Activated"
    a.route("192.168.0.0/24", rid)  # the walkthrough's routes, now through the peering connection
    b.route("172.16.0.0/24", rid)
    assert a.routes() == [("192.168.0.0/24", "VpcPeer", rid)]
    assert b.routes() == [("172.16.0.0/24", "VpcPeer", rid)]
    # A connection is a next hop only in the route tables of its own two VPCs.
    other = a.vpc.create_vpc_with_options(vpc_m.CreateVpcRequest(region_id=TOKYO, cidr_block="10.8.0.0/16"),
                                          DaraRuntime()).body
    code, _ = sdk_error(a.vpc.create_route_entry_with_options, vpc_m.CreateRouteEntryRequest(
        region_id=TOKYO, route_table_id=other.route_table_id, destination_cidr_block="192.168.0.0/24",
        next_hop_type="VpcPeer", next_hop_id=rid), DaraRuntime())
    assert code == "InvalidNextHop.NotInVpc"
    state = today_peering_twin.twin.backend.state
    assert [c.id for c in vpc_peer.peer_connections(state)] == [rid]
    conn = state.find("VpcPeerConnection", rid)
    assert vpc_peer.is_active(conn) and vpc_peer.peer_vpc_of(conn, b.vpc_id) == a.vpc_id
    assert vpc_peer.peer_vpc_of(conn, other.vpc_id) is None


def test_reject_by_the_accepter_only(sides):
    a, b = sides
    rid = request_peering(a, b)
    assert a.get(rid).status == "Accepting"
    assert sdk_error(a.call, "RejectVpcPeerConnection", instance_id=rid)[0] == "Forbidden.NoPermission"
    b.call("RejectVpcPeerConnection", instance_id=rid)
    assert a.get(rid).status == "Rejected"
    assert sdk_error(b.call, "AcceptVpcPeerConnection", instance_id=rid)[0] == "IncorrectStatus.VpcPeer"
    # A rejected request does not block a new one between the same VPCs.
    assert request_peering(a, b) != rid


def test_delete_refuses_while_routes_point_at_it_unless_forced(sides, today_peering_twin):
    a, b = sides
    rid = request_peering(a, b)
    b.call("AcceptVpcPeerConnection", instance_id=rid)
    a.get(rid)
    a.route("192.168.0.0/24", rid)
    b.route("172.16.0.0/24", rid)
    assert sdk_error(b.call, "DeleteVpcPeerConnection", instance_id=rid)[0] == "DependencyViolation.RouteEntry"
    assert sdk_error(b.call, "DeleteVpcPeerConnection", instance_id=rid, force=True, dry_run=True)[0] == \
        "DryRunOperation"
    b.call("DeleteVpcPeerConnection", instance_id=rid, force=True)  # the accepter may delete too
    assert today_peering_twin.twin.backend.state.find("VpcPeerConnection", rid)["Status"] == "Deleting"
    assert a.routes() == [] and b.routes() == []
    assert sdk_error(a.get, rid)[0] == "ResourceNotFound.InstanceId"
    assert sdk_error(a.call, "DeleteVpcPeerConnection", instance_id=rid)[0] == "ResourceNotFound.InstanceId"


def test_same_account_connection_is_accepted_automatically(sides):
    a, _ = sides
    second = a.vpc.create_vpc_with_options(vpc_m.CreateVpcRequest(region_id=TOKYO, cidr_block="10.9.0.0/16"),
                                           DaraRuntime()).body.vpc_id
    rid = a.call("CreateVpcPeerConnection", region_id=TOKYO, vpc_id=a.vpc_id, accepting_ali_uid=int(A_UID),
                 accepting_region_id=TOKYO, accepting_vpc_id=second).instance_id
    conn = a.get(rid)
    assert (conn.status, conn.bandwidth, conn.gmt_expired) == ("Activated", -1, None)
    # Intra-region connections have no bandwidth or link type to set.
    assert sdk_error(a.call, "ModifyVpcPeerConnection", instance_id=rid, bandwidth=10)[0] == "IllegalParam.Bandwidth"
    # One connection per VPC pair.
    code, _ = sdk_error(a.call, "CreateVpcPeerConnection", region_id=TOKYO, vpc_id=second, accepting_ali_uid=int(A_UID),
                    accepting_region_id=TOKYO, accepting_vpc_id=a.vpc_id)
    assert code == "ResourceAlreadyExist.VpcPeer"


def test_modify_name_and_bandwidth_by_the_requester(sides, today_peering_twin):
    a, b = sides
    rid = request_peering(a, b)
    assert sdk_error(a.call, "ModifyVpcPeerConnection", instance_id=rid, bandwidth=200)[0] == "IncorrectStatus.VpcPeer"
    b.call("AcceptVpcPeerConnection", instance_id=rid)
    a.get(rid)
    a.call("ModifyVpcPeerConnection", instance_id=rid, name="renamed", description="new words", bandwidth=200)
    assert today_peering_twin.twin.backend.state.find("VpcPeerConnection", rid)["Status"] == "Updating"
    conn = a.get(rid)
    assert (conn.name, conn.description, conn.bandwidth, conn.status) == ("renamed", "new words", 200, "Activated")
    assert sdk_error(b.call, "ModifyVpcPeerConnection", instance_id=rid, name="mine")[0] == "Forbidden.NoPermission"
    code, _ = sdk_error(a.call, "ModifyVpcPeerConnection", instance_id=rid, link_type="Silver")
    assert code == "IllegalParam.LinkType"


def test_list_pages_with_next_token_and_filters(sides, today_peering_twin):
    a, b = sides
    first = request_peering(a, b, tag=[m.CreateVpcPeerConnectionRequestTag(key="env", value="demo")])
    b.call("RejectVpcPeerConnection", instance_id=first)
    second = request_peering(a, b)
    page = a.call("ListVpcPeerConnections", region_id=TOKYO, max_results=1)
    assert [c.instance_id for c in page.vpc_peer_connects] == [first] and page.next_token
    assert page.total_count == 2 and page.max_results == 1
    rest = a.call("ListVpcPeerConnections", region_id=TOKYO, max_results=1, next_token=page.next_token)
    assert [c.instance_id for c in rest.vpc_peer_connects] == [second] and not rest.next_token
    # The accepter lists them in its own region; the requester's other regions show nothing.
    assert {c.instance_id for c in b.call("ListVpcPeerConnections", region_id=SVALLEY).vpc_peer_connects} == {
        first, second}
    assert a.call("ListVpcPeerConnections", region_id=SVALLEY).vpc_peer_connects == []
    tagged = a.call("ListVpcPeerConnections", region_id=TOKYO,
                    tags=[m.ListVpcPeerConnectionsRequestTags(key="env", value="demo")])
    assert [c.instance_id for c in tagged.vpc_peer_connects] == [first]
    assert tagged.vpc_peer_connects[0].tags[0].to_map() == {"Key": "env", "Value": "demo"}
    by_vpc = a.call("ListVpcPeerConnections", region_id=TOKYO, vpc_id=[b.vpc_id], name="tokyo-to-svalley")
    assert len(by_vpc.vpc_peer_connects) == 2
    assert sdk_error(a.call, "ListVpcPeerConnections", region_id=TOKYO, max_results=101)[0] == "InvalidMaxResults"
    assert sdk_error(a.call, "ListVpcPeerConnections", region_id=TOKYO, next_token="forged")[0] == "InvalidNextToken"


def test_create_validation_and_client_token(sides, today_peering_twin):
    a, b = sides
    assert sdk_error(a.call, "CreateVpcPeerConnection", region_id=TOKYO, accepting_ali_uid=int(B_UID),
                 accepting_region_id=SVALLEY, accepting_vpc_id=b.vpc_id)[0] == "MissingVpcId"
    assert sdk_error(a.call, "CreateVpcPeerConnection", vpc_id=a.vpc_id, accepting_ali_uid=int(B_UID),
                 accepting_region_id=SVALLEY, accepting_vpc_id=b.vpc_id)[0] == "MissingRegionId"
    # The peer VPC must exist in the named account and region: a wrong owner looks like no VPC.
    for uid, region, vpc_id in ((B_UID, SVALLEY, "vpc-nothing"), (A_UID, SVALLEY, b.vpc_id), (B_UID, TOKYO, b.vpc_id)):
        code, _ = sdk_error(a.call, "CreateVpcPeerConnection", region_id=TOKYO, vpc_id=a.vpc_id,
                        accepting_ali_uid=int(uid), accepting_region_id=region, accepting_vpc_id=vpc_id)
        assert code == "ResourceNotFound.AcceptingVpcId", (uid, region)
    # Another account's VPC cannot be the requester.
    code, _ = sdk_error(a.call, "CreateVpcPeerConnection", region_id=SVALLEY, vpc_id=b.vpc_id,
                    accepting_ali_uid=int(A_UID), accepting_region_id=TOKYO, accepting_vpc_id=a.vpc_id)
    assert code == "ResourceNotFound.VpcId"
    assert sdk_error(request_peering, a, b, name="9-starts-with-a-digit")[0] == "IllegalParam.Name"
    assert sdk_error(request_peering, a, b, link_type="Silver")[0] == "IllegalParam.LinkType"
    assert sdk_error(request_peering, a, b, dry_run=True)[0] == "DryRunOperation"
    assert today_peering_twin.ali_resources("VpcPeerConnection") == []
    once = request_peering(a, b, client_token="peer-token-1")
    assert request_peering(a, b, client_token="peer-token-1") == once
    assert len(today_peering_twin.ali_resources("VpcPeerConnection")) == 1
    assert sdk_error(a.get, "pcc-doesnotexist")[0] == "ResourceNotFound.InstanceId"
