"""Router interfaces in the twin, through the official SDK, with both accounts of the
cross-account-peering world: states, order rules, errors, visibility, deletion refusals."""

from __future__ import annotations

import pytest
from alibabacloud_vpc20160428 import models as m
from darabonba.runtime import RuntimeOptions

from twinhelpers import sdk_error, snake

A_UID, B_UID = "5111111111111111", "5222222222222222"
TOKYO, SVALLEY = "ap-northeast-1", "us-west-1"


class Side:
    def __init__(self, twin, account, region):
        self.client = twin.vpc_client(account, region)
        self.region = region
        vpc = self.client.describe_vpcs_with_options(
            m.DescribeVpcsRequest(region_id=region), RuntimeOptions()).body.vpcs.vpc[0]
        self.vpc_id, self.router_id = vpc.vpc_id, vpc.vrouter_id
        self.table_id = vpc.router_table_ids.router_table_ids[0]

    def call(self, action, **kwargs):
        kwargs.setdefault("region_id", self.region)
        request = getattr(m, action + "Request")(**kwargs)
        method = getattr(self.client, snake(action) + "_with_options")
        return method(request, RuntimeOptions()).body

    def get(self, rid):
        return self.call("DescribeRouterInterfaceAttribute", instance_id=rid)

    def status(self, rid):
        return self.get(rid).status


@pytest.fixture
def sides(peering_twin):
    return Side(peering_twin, "account-a", TOKYO), Side(peering_twin, "account-b", SVALLEY)


def create_pair(a, b, name="peer"):
    ra = a.call("CreateRouterInterface", role="InitiatingSide", router_type="VRouter", router_id=a.router_id,
                opposite_region_id=SVALLEY, spec="Large.2", name=name + "-a",
                instance_charge_type="PostPaid").router_interface_id
    rb = b.call("CreateRouterInterface", role="AcceptingSide", router_type="VRouter", router_id=b.router_id,
                opposite_region_id=TOKYO, name=name + "-b").router_interface_id
    return ra, rb


def name_each_other(a, b, ra, rb, owner_of_b=B_UID):
    a.call("ModifyRouterInterfaceAttribute", router_interface_id=ra, opposite_interface_id=rb,
           opposite_router_id=b.router_id, opposite_router_type="VRouter", opposite_interface_owner_id=int(owner_of_b))
    b.call("ModifyRouterInterfaceAttribute", router_interface_id=rb, opposite_interface_id=ra,
           opposite_router_id=a.router_id, opposite_router_type="VRouter", opposite_interface_owner_id=int(A_UID))


def test_full_lifecycle_across_accounts(sides, peering_twin):
    a, b = sides
    ra, rb = create_pair(a, b)
    ia, ib = a.get(ra), b.get(rb)
    assert (ia.status, ia.role, ia.router_id, ia.vpc_instance_id, ia.spec) == \
        ("Idle", "InitiatingSide", a.router_id, a.vpc_id, "Large.2")
    assert (ib.status, ib.role, ib.spec, ib.charge_type) == ("Idle", "AcceptingSide", "Negative", "PayByTraffic")
    assert ia.charge_type == "AfterPay" and ia.bandwidth == 2000
    name_each_other(a, b, ra, rb)
    a.call("ConnectRouterInterface", router_interface_id=ra)
    # zero delays: the transitional state is seen once by whoever looks first
    assert peering_twin.twin.backend.state.find("RouterInterface", rb)["Status"] == "AcceptingConnecting"
    assert a.status(ra) == "Active" and b.status(rb) == "Active"
    ia = a.get(ra)
    assert (ia.opposite_interface_status, ia.opposite_vpc_instance_id, ia.opposite_interface_owner_id) == \
        ("Active", b.vpc_id, B_UID)
    # Deactivate -> Inactive, Activate -> Active, on the called side only
    a.call("DeactivateRouterInterface", router_interface_id=ra)
    assert a.status(ra) == "Inactive" and b.status(rb) == "Active"
    assert b.get(rb).opposite_interface_status == "Inactive"
    a.call("ActivateRouterInterface", router_interface_id=ra)
    assert a.status(ra) == "Active"
    # route entries through the interface validate on both sides
    a.call("CreateRouteEntry", route_table_id=a.table_id, destination_cidr_block="192.168.0.0/16",
           next_hop_type="RouterInterface", next_hop_id=ra)
    b.call("CreateRouteEntry", route_table_id=b.table_id, destination_cidr_block="172.16.0.0/16",
           next_hop_type="RouterInterface", next_hop_id=rb)
    # deletion refused while Active, then while a route points at it
    assert sdk_error(a.call, "DeleteRouterInterface", router_interface_id=ra)[0] == "IncorrectStatus"
    a.call("DeactivateRouterInterface", router_interface_id=ra)
    assert a.status(ra) == "Inactive"
    code, msg = sdk_error(a.call, "DeleteRouterInterface", router_interface_id=ra)
    assert code == "DependencyViolation.RouterInterfaceReferedByRouteEntry" and "192.168.0.0/16" in msg
    a.call("DeleteRouteEntry", route_table_id=a.table_id, destination_cidr_block="192.168.0.0/16",
           next_hop_id=ra)
    a.call("DescribeRouterInterfaces")  # settles the route deletion
    a.call("DeleteRouterInterface", router_interface_id=ra)
    assert sdk_error(a.get, ra)[0] == "InvalidRouterInterfaceId.NotFound"
    # the peer lost its link: back to Idle, still holding its route
    assert b.status(rb) == "Idle"
    assert sdk_error(b.call, "DeleteRouterInterface", router_interface_id=rb)[0] == \
        "DependencyViolation.RouterInterfaceReferedByRouteEntry"


def test_connect_order_rules(sides):
    a, b = sides
    ra, rb = create_pair(a, b)
    code, msg = sdk_error(a.call, "ConnectRouterInterface", router_interface_id=ra)
    assert code == "IncorrectOppositeInterfaceInfo.NotSet"
    # only A names B: B has not named A yet
    a.call("ModifyRouterInterfaceAttribute", router_interface_id=ra, opposite_interface_id=rb,
           opposite_router_id=b.router_id, opposite_router_type="VRouter", opposite_interface_owner_id=int(B_UID))
    code, msg = sdk_error(a.call, "ConnectRouterInterface", router_interface_id=ra)
    assert code == "IncorrectOppositeInterfaceInfo.NotSet" and rb in msg and ra in msg
    b.call("ModifyRouterInterfaceAttribute", router_interface_id=rb, opposite_interface_id=ra,
           opposite_router_id=a.router_id, opposite_router_type="VRouter", opposite_interface_owner_id=int(A_UID))
    # the acceptor cannot connect
    code, msg = sdk_error(b.call, "ConnectRouterInterface", router_interface_id=rb)
    assert code == "IncorrectRole.NotInitiatingSide"
    a.call("ConnectRouterInterface", router_interface_id=ra)
    assert a.status(ra) == "Active"
    # connected: opposite settings are frozen, connecting twice is refused
    assert sdk_error(a.call, "ModifyRouterInterfaceAttribute", router_interface_id=ra,
                 opposite_interface_id="ri-other")[0] == "IncorrectStatus"
    assert sdk_error(a.call, "ConnectRouterInterface", router_interface_id=ra)[0] == "IncorrectStatus"
    # but name and description may change, and the initiator's spec
    a.call("ModifyRouterInterfaceAttribute", router_interface_id=ra, name="renamed", description="Tokyo side")
    a.call("ModifyRouterInterfaceSpec", router_interface_id=ra, spec="Middle.1")
    ia = a.get(ra)
    assert (ia.name, ia.description, ia.spec, ia.bandwidth, ia.status) == \
        ("renamed", "Tokyo side", "Middle.1", 100, "Active")
    assert sdk_error(a.call, "ActivateRouterInterface", router_interface_id=ra)[0] == "IncorrectRIStatus"


def test_wrong_owner_id_is_refused_on_connect(sides):
    a, b = sides
    ra, rb = create_pair(a, b)
    name_each_other(a, b, ra, rb, owner_of_b=A_UID)
    code, msg = sdk_error(a.call, "ConnectRouterInterface", router_interface_id=ra)
    assert code == "IncorrectOppositeInterfaceInfo.OwnerMismatch"
    assert "OppositeInterfaceOwnerId" in msg and A_UID in msg
    assert a.status(ra) == "Idle" and b.status(rb) == "Idle"


def test_cross_account_visibility(sides):
    a, b = sides
    ra, rb = create_pair(a, b)
    # B cannot read or touch A's interface, and lists only its own
    assert sdk_error(b.get, ra)[0] == "InvalidRouterInterfaceId.NotFound"
    assert sdk_error(b.call, "DeleteRouterInterface", router_interface_id=ra)[0] == "InvalidRouterInterfaceId.NotFound"
    listed = b.call("DescribeRouterInterfaces").router_interface_set.router_interface_type
    assert [i.router_interface_id for i in listed] == [rb]
    # before the pairing B sees nothing of A through its own interface either
    assert not b.get(rb).opposite_interface_status
    name_each_other(a, b, ra, rb)
    assert b.get(rb).opposite_interface_status == "Idle"
    assert b.get(rb).opposite_vpc_instance_id == a.vpc_id


def test_filters_and_validation(sides):
    a, b = sides
    ra, _ = create_pair(a, b, name="filtered")
    flt = m.DescribeRouterInterfacesRequestFilter
    found = a.call("DescribeRouterInterfaces", filter=[flt(key="Name", value=["filtered-a"]),
                                                       flt(key="RouterId", value=[a.router_id])])
    assert [i.router_interface_id for i in found.router_interface_set.router_interface_type] == [ra]
    none = a.call("DescribeRouterInterfaces", filter=[flt(key="Status", value=["Active"])])
    assert none.total_count == 0
    assert sdk_error(a.call, "CreateRouterInterface", role="InitiatingSide", router_type="VRouter",
                 router_id=a.router_id, opposite_region_id=SVALLEY)[0] == "MissingSpec"
    assert sdk_error(a.call, "CreateRouterInterface", role="InitiatingSide", router_type="VRouter",
                 router_id=b.router_id, opposite_region_id=SVALLEY, spec="Large.2")[0] == "InvalidRouterId.NotFound"
    assert sdk_error(a.call, "CreateRouterInterface", role="InitiatingSide", router_type="VRouter",
                 router_id=a.router_id, opposite_region_id=SVALLEY, spec="Huge.9")[0] == "InvalidParameter.Spec"
    prepaid = a.call("CreateRouterInterface", role="InitiatingSide", router_type="VRouter", router_id=a.router_id,
                     opposite_region_id=SVALLEY, spec="Small.1", instance_charge_type="PrePaid", period=1,
                     pricing_cycle="Month", auto_pay=True)
    assert prepaid.order_id and a.get(prepaid.router_interface_id).charge_type == "Prepaid"


def test_capacity_request_region_pair(sides):
    from cloudtwin.alicloud.models import router_interface

    a, b = sides
    ra, rb = create_pair(a, b)
    name_each_other(a, b, ra, rb)
    router_interface.CAPACITY_REQUIRED.add(frozenset((TOKYO, SVALLEY)))
    try:
        code, msg = sdk_error(a.call, "ConnectRouterInterface", router_interface_id=ra)
    finally:
        router_interface.CAPACITY_REQUIRED.clear()
    assert code == "OperationFailed.InsufficientCapacity" and "capacity request" in msg
    a.call("ConnectRouterInterface", router_interface_id=ra)
    assert a.status(ra) == "Active"
