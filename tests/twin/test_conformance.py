"""Every action the Alibaba twin registers answers in the shape of the official SDK's models.

For each registered action (``cloudtwin.alicloud.models.base.ACTIONS``) a scenario below
builds what the call needs through the SDK, makes the call with the product's official
client (its typed ``<Action>Request``), captures the raw JSON body the twin sent and checks it
against ``<Action>ResponseBody``: every key, recursively, must be one the SDK model knows
(``from_map(body).to_map()`` keeps exactly those), and the identifying keys listed for the
scenario must be there. A second test checks that each action takes RegionId the way its
SDK request model says (required / optional / absent).

Adding an action to the twin means adding one line to ``SCENARIOS``: an action without one
fails ``test_every_registered_action_has_a_scenario`` by name. ``VARIANTS`` checks the same
action in another shape (dual-tunnel, bound to a transit router, Basic Edition).
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from cloudtwin.alicloud.models import base

base.load_all_kinds()

SDK_PACKAGES = {"Vpc": "alibabacloud_vpc20160428", "Cbn": "alibabacloud_cbn20170912",
                "VpcPeer": "alibabacloud_vpcpeer20220101"}
NO_SDK = {"Ecs": "no official ECS SDK is installed (alibabacloud_ecs20140526 is not a dependency)"}
WORLD_FIXTURES = {"seed": "twin", "peering": "peering_twin", "today": "today_twin",
                  "today-peering": "today_peering_twin"}
TOKYO, BEIJING, SVALLEY = "ap-northeast-1", "cn-beijing", "us-west-1"
NULL = "\0null"  # stands in for None so that a key the SDK knows survives from_map/to_map


def registered() -> List[Tuple[str, str]]:
    """The actions of the twin's own model modules (tests may register extra ones)."""
    return sorted(key for key, spec in base.ACTIONS.items()
                  if spec.handler.__module__.startswith("cloudtwin.alicloud.models."))


# --- calling through the official SDK -----------------------------------------------------------

def sdk_models(product: str):
    return importlib.import_module(SDK_PACKAGES[product] + ".models")


def sdk_runtime(product: str):
    if product == "VpcPeer":  # the older generator: tea-util's RuntimeOptions
        from alibabacloud_tea_util.models import RuntimeOptions
    else:
        from darabonba.runtime import RuntimeOptions
    return RuntimeOptions()


def client_of(handle, product: str, account: str, region: str):
    factory = {"Vpc": handle.vpc_client, "Cbn": handle.cbn_client, "VpcPeer": handle.vpcpeer_client}[product]
    return factory(account, region)


def raw_call(handle, product: str, action: str, params: Dict[str, Any], account: str = "main",
             region: str = TOKYO) -> Dict[str, Any]:
    """Call ``action`` with the SDK's typed request; return the body exactly as the twin sent it."""
    spec = base.ACTIONS[(product, action)]
    params = dict(params)
    if spec.region != base.REGION_NONE:
        params.setdefault("RegionId", region)
    client = client_of(handle, product, account, region)
    captured: Dict[str, Any] = {}
    original = client.call_api

    def capture(*args, **kwargs):
        result = original(*args, **kwargs)
        captured["body"] = result.get("body")
        return result

    client.call_api = capture  # the typed method calls self.call_api: the raw dict passes here
    request = getattr(sdk_models(product), action + "Request")().from_map(params)
    sdk_method(client, action)(request, sdk_runtime(product))
    return captured["body"]


def sdk_method(client, action: str):
    """The client's ``<action>_with_options`` (``CreateVSwitch`` -> ``create_vswitch_with_options``)."""
    wanted = action.lower() + "withoptions"
    names = [n for n in dir(client) if n.endswith("_with_options") and n.replace("_", "") == wanted]
    assert len(names) == 1, f"the SDK client has no single method for {action}: {names}"
    return getattr(client, names[0])


# --- the world a scenario builds on ------------------------------------------------------------------

class World:
    """Resources created on demand through the SDK, once per test (the twin is reset per test)."""

    def __init__(self, handle):
        self.handle = handle

    def call(self, product, action, account="main", region=TOKYO, **params):
        return raw_call(self.handle, product, action, params, account, region)

    def seeded(self, name):
        return next(v for v in self.handle.ali_resources("Vpc") if v["VpcName"] == name)

    @cached_property
    def tokyo(self):
        return self.seeded("tokyo-vpc")

    @cached_property
    def beijing(self):
        return self.seeded("beijing-vpc")

    @cached_property
    def tokyo_vsw(self):
        return next(s for s in self.handle.ali_resources("VSwitch") if s["VpcId"] == self.tokyo.id)

    @cached_property
    def instance(self):
        return next(i for i in self.handle.ali_resources("Instance") if i["VpcId"] == self.tokyo.id)

    @cached_property
    def new_vpc(self):
        return self.call("Vpc", "CreateVpc", CidrBlock="172.20.0.0/16", VpcName="extra")["VpcId"]

    @cached_property
    def new_vsw(self):
        body = self.call("Vpc", "CreateVSwitch", VpcId=self.new_vpc, CidrBlock="172.20.1.0/24",
                         ZoneId="ap-northeast-1a")
        return body["VSwitchId"]

    @cached_property
    def route_entry(self):
        return self.call("Vpc", "CreateRouteEntry", RouteTableId=self.tokyo["RouteTableId"],
                         DestinationCidrBlock="172.16.0.0/12", NextHopType="Instance",
                         NextHopId=self.instance.id)["RouteEntryId"]

    @cached_property
    def settled_route_entry(self):
        entry = self.route_entry
        self.call("Vpc", "DescribeRouteTableList")  # Pending -> Available
        return entry

    @cached_property
    def vpn_gateway(self):
        gw = self.call("Vpc", "CreateVpnGateway", VpcId=self.tokyo.id, VSwitchId=self.tokyo_vsw.id, Bandwidth=10,
                       AutoPay=True, Name="conformance")["VpnGatewayId"]
        self.call("Vpc", "DescribeVpnGateways", VpnGatewayId=gw)  # provisioning -> active
        return gw

    def customer_gateway(self, ip="203.0.113.10"):
        return self.call("Vpc", "CreateCustomerGateway", IpAddress=ip, Name="aws-tunnel")["CustomerGatewayId"]

    @cached_property
    def vpn_connection(self):
        return self.call("Vpc", "CreateVpnConnection", VpnGatewayId=self.vpn_gateway,
                         CustomerGatewayId=self.customer_gateway(), LocalSubnet="0.0.0.0/0",
                         RemoteSubnet="172.16.0.0/12", Name="to-aws")["VpnConnectionId"]

    @cached_property
    def cen(self):
        cen_id = self.call("Cbn", "CreateCen", Name="conformance")["CenId"]
        self.call("Cbn", "DescribeCens")  # Creating -> Active
        return cen_id

    @cached_property
    def attached_cen(self):
        for vpc in (self.tokyo, self.beijing):
            self.call("Cbn", "AttachCenChildInstance", CenId=self.cen, ChildInstanceId=vpc.id,
                      ChildInstanceType="VPC", ChildInstanceRegionId=vpc.region)
        self.call("Cbn", "DescribeCenAttachedChildInstances", CenId=self.cen)  # Attaching -> Attached
        return self.cen

    def published(self, action="DescribePublishedRouteEntries"):
        return dict(CenId=self.attached_cen, ChildInstanceId=self.tokyo.id, ChildInstanceType="VPC",
                    ChildInstanceRegionId=TOKYO, ChildInstanceRouteTableId=self.tokyo["RouteTableId"],
                    DestinationCidrBlock=self.settled_route_entry and "172.16.0.0/12")

    @cached_property
    def published_route(self):
        self.call("Cbn", "PublishRouteEntries", **self.published())
        return "172.16.0.0/12"

    @cached_property
    def bandwidth_package(self):
        return self.call("Cbn", "CreateCenBandwidthPackage", GeographicRegionAId="China",
                         GeographicRegionBId="Asia-Pacific", Bandwidth=10,
                         BandwidthPackageChargeType="POSTPAY")["CenBandwidthPackageId"]

    @cached_property
    def associated_package(self):
        self.call("Cbn", "AssociateCenBandwidthPackage", CenId=self.attached_cen,
                  CenBandwidthPackageId=self.bandwidth_package)
        return self.bandwidth_package

    @cached_property
    def region_limit(self):
        self.call("Cbn", "SetCenInterRegionBandwidthLimit", CenId=self.attached_cen, LocalRegionId=TOKYO,
                  OppositeRegionId=BEIJING, BandwidthLimit=5, _=self.associated_package)
        return self.attached_cen

    def grant(self):
        uid = self.tokyo.owner
        return dict(CenId=self.cen, CenOwnerId=int(uid), InstanceId=self.beijing.id, InstanceType="VPC")

    @cached_property
    def router_interfaces(self):
        initiator = self.call("Vpc", "CreateRouterInterface", Role="InitiatingSide", RouterType="VRouter",
                              RouterId=self.tokyo["VRouterId"], OppositeRegionId=BEIJING, Spec="Large.2",
                              InstanceChargeType="PostPaid")["RouterInterfaceId"]
        acceptor = self.call("Vpc", "CreateRouterInterface", region=BEIJING, Role="AcceptingSide",
                             RouterType="VRouter", RouterId=self.beijing["VRouterId"],
                             OppositeRegionId=TOKYO)["RouterInterfaceId"]
        return initiator, acceptor

    @cached_property
    def paired_interfaces(self):
        initiator, acceptor = self.router_interfaces
        uid = int(self.tokyo.owner)
        self.call("Vpc", "ModifyRouterInterfaceAttribute", RouterInterfaceId=initiator, OppositeInterfaceId=acceptor,
                  OppositeRouterId=self.beijing["VRouterId"], OppositeRouterType="VRouter",
                  OppositeInterfaceOwnerId=uid)
        self.call("Vpc", "ModifyRouterInterfaceAttribute", region=BEIJING, RouterInterfaceId=acceptor,
                  OppositeInterfaceId=initiator, OppositeRouterId=self.tokyo["VRouterId"],
                  OppositeRouterType="VRouter", OppositeInterfaceOwnerId=uid)
        return initiator, acceptor

    @cached_property
    def active_interfaces(self):
        initiator, acceptor = self.paired_interfaces
        self.call("Vpc", "ConnectRouterInterface", RouterInterfaceId=initiator)
        self.call("Vpc", "DescribeRouterInterfaces")  # Connecting -> Active
        return initiator, acceptor

    @cached_property
    def inactive_interface(self):
        initiator, _ = self.active_interfaces
        self.call("Vpc", "DeactivateRouterInterface", RouterInterfaceId=initiator)
        self.call("Vpc", "DescribeRouterInterfaces")  # Deactivating -> Inactive
        return initiator

    @cached_property
    def peer_connection(self):
        """Same account, same region: accepted at once."""
        rid = self.call("VpcPeer", "CreateVpcPeerConnection", VpcId=self.tokyo.id,
                        AcceptingAliUid=int(self.tokyo.owner), AcceptingRegionId=TOKYO,
                        AcceptingVpcId=self.new_vpc, Name="conformance")["InstanceId"]
        self.call("VpcPeer", "GetVpcPeerConnectionAttribute", InstanceId=rid)  # Creating -> Activated
        return rid

    # --- today's products (world "today": Enterprise CENs, dual-tunnel VPN) --------------------------------
    def vsw(self, name):
        return next(s for s in self.handle.ali_resources("VSwitch") if s["VSwitchName"] == name)

    def zone_mapping(self, *names):
        return [{"ZoneId": self.vsw(n)["ZoneId"], "VSwitchId": self.vsw(n).id} for n in names]

    @cached_property
    def tr_cen(self):
        return self.cen  # Enterprise on today's world

    def transit_router(self, region):
        tr_id = self.call("Cbn", "CreateTransitRouter", region=region, CenId=self.tr_cen,
                          TransitRouterName=f"tr-{region}")["TransitRouterId"]
        self.call("Cbn", "ListTransitRouters", CenId=self.tr_cen)  # Creating -> Active
        return tr_id

    @cached_property
    def tokyo_tr(self):
        return self.transit_router(TOKYO)

    @cached_property
    def beijing_tr(self):
        return self.transit_router(BEIJING)

    @cached_property
    def vpc_attachment(self):
        att = self.call("Cbn", "CreateTransitRouterVpcAttachment", TransitRouterId=self.tokyo_tr, VpcId=self.tokyo.id,
                        ZoneMappings=self.zone_mapping("tokyo-vsw-1", "tokyo-vsw-2"))["TransitRouterAttachmentId"]
        self.call("Cbn", "ListTransitRouterVpcAttachments", TransitRouterId=self.tokyo_tr)  # Attaching -> Attached
        return att

    @cached_property
    def peer_attachment(self):
        att = self.call("Cbn", "CreateTransitRouterPeerAttachment", TransitRouterId=self.tokyo_tr,
                        PeerTransitRouterId=self.beijing_tr, BandwidthType="DataTransfer",
                        Bandwidth=10)["TransitRouterAttachmentId"]
        self.call("Cbn", "ListTransitRouterPeerAttachments", TransitRouterId=self.tokyo_tr)
        return att

    def tunnels(self, key="TunnelIndex", values=(1, 2)):
        ips = ("192.0.2.50", "192.0.2.51")
        return [{"CustomerGatewayId": self.customer_gateway(ip), key: value} for ip, value in zip(ips, values)]

    @cached_property
    def ipsec_attachment(self):
        """An IPsec-VPN connection for a transit router (the VPC API's CreateVpnAttachment, dual tunnel)."""
        return self.call("Vpc", "CreateVpnAttachment", LocalSubnet="0.0.0.0/0", RemoteSubnet="0.0.0.0/0",
                         TunnelOptionsSpecification=self.tunnels(), Name="to-aws")["VpnConnectionId"]

    @cached_property
    def tr_vpn_attachment(self):
        att = self.call("Cbn", "CreateTransitRouterVpnAttachment", TransitRouterId=self.tokyo_tr,
                        VpnId=self.ipsec_attachment)["TransitRouterAttachmentId"]
        self.call("Cbn", "ListTransitRouterVpnAttachments", TransitRouterId=self.tokyo_tr)
        return att

    @cached_property
    def tr_table(self):
        table = self.call("Cbn", "CreateTransitRouterRouteTable", TransitRouterId=self.tokyo_tr,
                          TransitRouterRouteTableName="custom")["TransitRouterRouteTableId"]
        self.call("Cbn", "ListTransitRouterRouteTables", TransitRouterId=self.tokyo_tr)  # Creating -> Active
        return table

    def binding(self):
        return {"TransitRouterAttachmentId": self.vpc_attachment, "TransitRouterRouteTableId": self.tr_table}

    @cached_property
    def association(self):
        self.call("Cbn", "AssociateTransitRouterAttachmentWithRouteTable", **self.binding())
        self.call("Cbn", "ListTransitRouterRouteTableAssociations", TransitRouterRouteTableId=self.tr_table)
        return self.binding()

    @cached_property
    def propagation(self):
        self.call("Cbn", "EnableTransitRouterRouteTablePropagation", **self.binding())
        self.call("Cbn", "ListTransitRouterRouteTablePropagations", TransitRouterRouteTableId=self.tr_table)
        return self.binding()

    @cached_property
    def tr_route(self):
        entry = self.call("Cbn", "CreateTransitRouterRouteEntry", TransitRouterRouteTableId=self.tr_table,
                          TransitRouterRouteEntryDestinationCidrBlock="172.16.0.0/12",
                          TransitRouterRouteEntryNextHopType="Attachment",
                          TransitRouterRouteEntryNextHopId=self.vpc_attachment)["TransitRouterRouteEntryId"]
        self.call("Cbn", "ListTransitRouterRouteEntries", TransitRouterRouteTableId=self.tr_table)
        return entry

    def child_route(self):
        return {"CenId": self.tr_cen, "TransitRouterAttachmentId": self.vpc_attachment,
                "RouteTableId": self.tokyo["RouteTableId"], "DestinationCidrBlock": "172.16.0.0/12"}

    @cached_property
    def settled_child_route(self):
        self.call("Cbn", "CreateCenChildInstanceRouteEntryToAttachment", **self.child_route())
        self.call("Vpc", "DescribeRouteTableList")  # Pending -> Available
        return self.child_route()

    def tr_grant(self):
        return {"CenId": self.tr_cen, "CenOwnerId": int(self.tokyo.owner), "InstanceId": self.tokyo.id,
                "InstanceType": "VPC", "RegionId": TOKYO}

    @cached_property
    def dual_gateway(self):
        gw = self.call("Vpc", "CreateVpnGateway", VpcId=self.tokyo.id, VSwitchId=self.vsw("tokyo-vpn-vsw-1").id,
                       DisasterRecoveryVSwitchId=self.vsw("tokyo-vpn-vsw-2").id, Bandwidth=10,
                       Name="dual")["VpnGatewayId"]
        self.call("Vpc", "DescribeVpnGateway", VpnGatewayId=gw)  # init -> active
        return gw

    @cached_property
    def dual_connection(self):
        vco = self.call("Vpc", "CreateVpnConnection", VpnGatewayId=self.dual_gateway, LocalSubnet="0.0.0.0/0",
                        RemoteSubnet="0.0.0.0/0", TunnelOptionsSpecification=self.tunnels("Role", ("master", "slave")),
                        Name="to-aws")["VpnConnectionId"]
        self.call("Vpc", "DescribeVpnGateway", VpnGatewayId=self.dual_gateway)  # updating -> active
        return vco

    def vpn_route(self, **extra):
        return dict({"VpnGatewayId": self.dual_gateway, "RouteDest": "172.16.0.0/12", "NextHop": self.dual_connection,
                     "Weight": 100}, **extra)

    @cached_property
    def settled_vpn_route(self):
        self.call("Vpc", "CreateVpnRouteEntry", **self.vpn_route(PublishVpc=True))
        self.call("Vpc", "DescribeVpnGateway", VpnGatewayId=self.dual_gateway)  # updating -> active
        return self.vpn_route()

    @cached_property
    def pending_peer_connection(self):
        """Cross-account (peering world): account A asks, account B must answer."""
        a, b = self.seeded("tokyo-vpc-a"), self.seeded("svalley-vpc-b")
        rid = self.call("VpcPeer", "CreateVpcPeerConnection", account="account-a", VpcId=a.id,
                        AcceptingAliUid=int(b.owner), AcceptingRegionId=SVALLEY, AcceptingVpcId=b.id)["InstanceId"]
        self.call("VpcPeer", "GetVpcPeerConnectionAttribute", account="account-a", InstanceId=rid)
        return rid


# --- the scenarios: one line per action --------------------------------------------------------------

@dataclass
class Scenario:
    params: Callable[[World], Dict[str, Any]] = lambda w: {}
    ids: Tuple[str, ...] = ()  # dotted paths that must hold a value ("[]" = every list item)
    account: str = "main"
    region: str = TOKYO
    world: str = "seed"  # a WORLD_FIXTURES key
    extra: Dict[str, Any] = field(default_factory=dict)


S = Scenario
T = partial(Scenario, world="today")  # today's products: Enterprise CENs, dual-tunnel VPN
SCENARIOS: Dict[Tuple[str, str], Scenario] = {
    # VPC, vSwitch, route tables (models/vpc.py)
    ("Vpc", "DescribeRegions"): S(ids=("Regions.Region[].RegionId",)),
    ("Vpc", "DescribeVpcs"): S(ids=("Vpcs.Vpc[].VpcId", "Vpcs.Vpc[].CidrBlock", "Vpcs.Vpc[].VRouterId")),
    ("Vpc", "DescribeVpcAttribute"): S(lambda w: {"VpcId": w.tokyo.id}, ids=("VpcId", "CidrBlock", "VRouterId")),
    ("Vpc", "CreateVpc"): S(lambda w: {"CidrBlock": "172.21.0.0/16"}, ids=("VpcId", "VRouterId", "RouteTableId")),
    ("Vpc", "DeleteVpc"): S(lambda w: {"VpcId": w.new_vpc}),
    ("Vpc", "DescribeVSwitches"): S(ids=("VSwitches.VSwitch[].VSwitchId", "VSwitches.VSwitch[].ZoneId")),
    ("Vpc", "DescribeVSwitchAttributes"): S(lambda w: {"VSwitchId": w.tokyo_vsw.id}, ids=("VSwitchId", "VpcId")),
    ("Vpc", "CreateVSwitch"): S(lambda w: {"VpcId": w.tokyo.id, "CidrBlock": "10.1.0.0/24",
                                           "ZoneId": "ap-northeast-1a"}, ids=("VSwitchId",)),
    ("Vpc", "DeleteVSwitch"): S(lambda w: {"VSwitchId": w.new_vsw}),
    ("Vpc", "DescribeRouteTableList"): S(ids=("RouterTableList.RouterTableListType[].RouteTableId",)),
    ("Vpc", "DescribeRouteTables"): S(lambda w: {"RouteTableId": w.tokyo["RouteTableId"]},
                                      ids=("RouteTables.RouteTable[].RouteTableId",)),
    ("Vpc", "DescribeRouteEntryList"): S(lambda w: {"RouteTableId": w.tokyo["RouteTableId"], "_": w.route_entry},
                                         ids=("RouteEntrys.RouteEntry[].RouteEntryId",)),
    ("Vpc", "CreateRouteEntry"): S(lambda w: {"RouteTableId": w.tokyo["RouteTableId"],
                                              "DestinationCidrBlock": "172.16.0.0/12", "NextHopType": "Instance",
                                              "NextHopId": w.instance.id}, ids=("RouteEntryId",)),
    ("Vpc", "DeleteRouteEntry"): S(lambda w: {"RouteEntryId": w.settled_route_entry}),
    ("Vpc", "ModifyRouteEntry"): S(lambda w: {"RouteEntryId": w.route_entry, "RouteEntryName": "renamed"}),
    # VPN (models/vpn_*.py) on the legacy world: single-tunnel gateways and connections
    ("Vpc", "CreateVpnGateway"): S(lambda w: {"VpcId": w.tokyo.id, "VSwitchId": w.tokyo_vsw.id, "Bandwidth": 10,
                                              "AutoPay": True}, ids=("VpnGatewayId",)),
    ("Vpc", "DescribeVpnGateways"): S(lambda w: {"VpnGatewayId": w.vpn_gateway},
                                      ids=("VpnGateways.VpnGateway[].VpnGatewayId",)),
    ("Vpc", "ModifyVpnGatewayAttribute"): S(lambda w: {"VpnGatewayId": w.vpn_gateway, "Name": "renamed"}),
    ("Vpc", "DeleteVpnGateway"): S(lambda w: {"VpnGatewayId": w.vpn_gateway}),
    ("Vpc", "TagResources"): S(lambda w: {"ResourceType": "VPNGATEWAY", "ResourceId": [w.vpn_gateway],
                                          "Tag": [{"Key": "env", "Value": "demo"}]}),
    ("Vpc", "UnTagResources"): S(lambda w: {"ResourceType": "VPNGATEWAY", "ResourceId": [w.vpn_gateway],
                                            "TagKey": ["env"]}),
    ("Vpc", "CreateCustomerGateway"): S(lambda w: {"IpAddress": "192.0.2.40"}, ids=("CustomerGatewayId",)),
    ("Vpc", "DescribeCustomerGateways"): S(lambda w: {"_": w.customer_gateway()},
                                           ids=("CustomerGateways.CustomerGateway[].CustomerGatewayId",)),
    ("Vpc", "DescribeCustomerGateway"): S(lambda w: {"CustomerGatewayId": w.customer_gateway()},
                                          ids=("CustomerGatewayId", "IpAddress")),
    ("Vpc", "ModifyCustomerGatewayAttribute"): S(lambda w: {"CustomerGatewayId": w.customer_gateway(),
                                                            "Name": "renamed"}),
    ("Vpc", "DeleteCustomerGateway"): S(lambda w: {"CustomerGatewayId": w.customer_gateway()}),
    ("Vpc", "CreateVpnConnection"): S(lambda w: {"VpnGatewayId": w.vpn_gateway,
                                                 "CustomerGatewayId": w.customer_gateway("192.0.2.41"),
                                                 "LocalSubnet": "0.0.0.0/0", "RemoteSubnet": "172.16.0.0/12"},
                                      ids=("VpnConnectionId",)),
    ("Vpc", "DescribeVpnConnections"): S(lambda w: {"VpnConnectionId": w.vpn_connection},
                                         ids=("VpnConnections.VpnConnection[].VpnConnectionId",)),
    ("Vpc", "DescribeVpnConnection"): S(lambda w: {"VpnConnectionId": w.vpn_connection},
                                        ids=("VpnConnectionId", "VpnGatewayId", "CustomerGatewayId")),
    ("Vpc", "ModifyVpnConnectionAttribute"): S(lambda w: {"VpnConnectionId": w.vpn_connection, "Name": "renamed"},
                                               ids=("VpnConnectionId",)),
    ("Vpc", "DeleteVpnConnection"): S(lambda w: {"VpnConnectionId": w.vpn_connection}),
    # Router interfaces (models/router_interface.py)
    ("Vpc", "CreateRouterInterface"): S(lambda w: {"Role": "InitiatingSide", "RouterType": "VRouter",
                                                   "RouterId": w.tokyo["VRouterId"], "OppositeRegionId": BEIJING,
                                                   "Spec": "Large.2"}, ids=("RouterInterfaceId",)),
    ("Vpc", "DescribeRouterInterfaces"): S(lambda w: {"_": w.router_interfaces},
                                           ids=("RouterInterfaceSet.RouterInterfaceType[].RouterInterfaceId",)),
    ("Vpc", "DescribeRouterInterfaceAttribute"): S(lambda w: {"InstanceId": w.router_interfaces[0]},
                                                   ids=("RouterInterfaceId", "Status", "Role")),
    ("Vpc", "ModifyRouterInterfaceAttribute"): S(lambda w: {"RouterInterfaceId": w.router_interfaces[0],
                                                            "Name": "renamed"}),
    ("Vpc", "ModifyRouterInterfaceSpec"): S(lambda w: {"RouterInterfaceId": w.router_interfaces[0],
                                                       "Spec": "Large.1"}, ids=("Spec",)),
    ("Vpc", "ConnectRouterInterface"): S(lambda w: {"RouterInterfaceId": w.paired_interfaces[0]}),
    ("Vpc", "DeactivateRouterInterface"): S(lambda w: {"RouterInterfaceId": w.active_interfaces[0]}),
    ("Vpc", "ActivateRouterInterface"): S(lambda w: {"RouterInterfaceId": w.inactive_interface}),
    ("Vpc", "DeleteRouterInterface"): S(lambda w: {"RouterInterfaceId": w.router_interfaces[0]}),
    # CEN (models/cen.py)
    ("Cbn", "CreateCen"): S(lambda w: {"Name": "hub"}, ids=("CenId",)),
    ("Cbn", "DescribeCens"): S(lambda w: {"_": w.cen}, ids=("Cens.Cen[].CenId", "Cens.Cen[].Status")),
    ("Cbn", "ModifyCenAttribute"): S(lambda w: {"CenId": w.cen, "Name": "renamed"}),
    ("Cbn", "DeleteCen"): S(lambda w: {"CenId": w.cen}),
    ("Cbn", "TagResources"): S(lambda w: {"ResourceType": "cen", "ResourceId": [w.cen],
                                          "Tag": [{"Key": "env", "Value": "demo"}]}),
    ("Cbn", "UntagResources"): S(lambda w: {"ResourceType": "cen", "ResourceId": [w.cen], "TagKey": ["env"]}),
    ("Cbn", "ListTagResources"): S(lambda w: {"ResourceType": "cen", "ResourceId": [w.cen]}),
    ("Vpc", "GrantInstanceToCen"): S(lambda w: dict(w.grant(), _region=BEIJING), region=BEIJING),
    ("Vpc", "RevokeInstanceFromCen"): S(lambda w: dict(w.grant(), _=w.call("Vpc", "GrantInstanceToCen",
                                                                           region=BEIJING, **w.grant())),
                                        region=BEIJING),
    ("Vpc", "DescribeGrantRulesToCen"): S(lambda w: {"InstanceId": w.beijing.id, "InstanceType": "VPC",
                                                     "_": w.call("Vpc", "GrantInstanceToCen", region=BEIJING,
                                                                 **w.grant())},
                                          region=BEIJING, ids=("CenGrantRules.CbnGrantRule[].CenInstanceId",)),
    ("Cbn", "DescribeGrantRulesToCen"): S(lambda w: {"CenId": w.cen, "ProductType": "VPC", "RegionId": BEIJING,
                                                     "_": w.call("Vpc", "GrantInstanceToCen", region=BEIJING,
                                                                 **w.grant())},
                                          ids=("GrantRules.GrantRule[].ChildInstanceId",)),
    ("Cbn", "AttachCenChildInstance"): S(lambda w: {"CenId": w.cen, "ChildInstanceId": w.tokyo.id,
                                                    "ChildInstanceType": "VPC", "ChildInstanceRegionId": TOKYO}),
    ("Cbn", "DetachCenChildInstance"): S(lambda w: {"CenId": w.attached_cen, "ChildInstanceId": w.tokyo.id,
                                                    "ChildInstanceType": "VPC", "ChildInstanceRegionId": TOKYO}),
    ("Cbn", "DescribeCenAttachedChildInstances"): S(lambda w: {"CenId": w.attached_cen},
                                                    ids=("ChildInstances.ChildInstance[].ChildInstanceId",)),
    ("Cbn", "DescribeCenAttachedChildInstanceAttribute"): S(
        lambda w: {"CenId": w.attached_cen, "ChildInstanceId": w.tokyo.id, "ChildInstanceType": "VPC",
                   "ChildInstanceRegionId": TOKYO}, ids=("ChildInstanceId", "Status")),
    ("Cbn", "PublishRouteEntries"): S(lambda w: w.published()),
    ("Cbn", "WithdrawPublishedRouteEntries"): S(lambda w: dict(w.published(), _=w.published_route)),
    ("Cbn", "DescribePublishedRouteEntries"): S(
        lambda w: w.published(), ids=("PublishedRouteEntries.PublishedRouteEntry[].DestinationCidrBlock",)),
    ("Cbn", "DescribeCenChildInstanceRouteEntries"): S(
        lambda w: {"CenId": w.attached_cen, "ChildInstanceId": w.tokyo.id, "ChildInstanceType": "VPC",
                   "ChildInstanceRegionId": TOKYO, "_": w.published_route},
        ids=("CenRouteEntries.CenRouteEntry[].DestinationCidrBlock",)),
    ("Cbn", "DescribeCenRegionDomainRouteEntries"): S(
        lambda w: {"CenId": w.attached_cen, "CenRegionId": BEIJING},
        ids=("CenRouteEntries.CenRouteEntry[].DestinationCidrBlock",)),
    ("Cbn", "CreateCenBandwidthPackage"): S(lambda w: {"GeographicRegionAId": "China",
                                                       "GeographicRegionBId": "Asia-Pacific", "Bandwidth": 10},
                                            ids=("CenBandwidthPackageId",)),
    ("Cbn", "DescribeCenBandwidthPackages"): S(
        lambda w: {"_": w.bandwidth_package},
        ids=("CenBandwidthPackages.CenBandwidthPackage[].CenBandwidthPackageId",)),
    ("Cbn", "ModifyCenBandwidthPackageAttribute"): S(lambda w: {"CenBandwidthPackageId": w.bandwidth_package,
                                                                "Name": "renamed"}),
    ("Cbn", "ModifyCenBandwidthPackageSpec"): S(lambda w: {"CenBandwidthPackageId": w.bandwidth_package,
                                                           "Bandwidth": 20}),
    ("Cbn", "AssociateCenBandwidthPackage"): S(lambda w: {"CenId": w.attached_cen,
                                                          "CenBandwidthPackageId": w.bandwidth_package}),
    ("Cbn", "UnassociateCenBandwidthPackage"): S(lambda w: {"CenId": w.attached_cen,
                                                            "CenBandwidthPackageId": w.associated_package}),
    ("Cbn", "DeleteCenBandwidthPackage"): S(lambda w: {"CenBandwidthPackageId": w.bandwidth_package}),
    ("Cbn", "SetCenInterRegionBandwidthLimit"): S(lambda w: {"CenId": w.attached_cen, "LocalRegionId": TOKYO,
                                                             "OppositeRegionId": BEIJING, "BandwidthLimit": 5,
                                                             "_": w.associated_package}),
    ("Cbn", "DescribeCenInterRegionBandwidthLimits"): S(
        lambda w: {"CenId": w.region_limit},
        ids=("CenInterRegionBandwidthLimits.CenInterRegionBandwidthLimit[].BandwidthLimit",)),
    # VPC peering connections (models/vpc_peer.py)
    ("VpcPeer", "CreateVpcPeerConnection"): S(lambda w: {"VpcId": w.tokyo.id, "AcceptingAliUid": int(w.tokyo.owner),
                                                         "AcceptingRegionId": TOKYO, "AcceptingVpcId": w.new_vpc},
                                              ids=("InstanceId",)),
    ("VpcPeer", "GetVpcPeerConnectionAttribute"): S(lambda w: {"InstanceId": w.peer_connection},
                                                    ids=("InstanceId", "Status", "Vpc.VpcId", "AcceptingVpc.VpcId")),
    ("VpcPeer", "ListVpcPeerConnections"): S(lambda w: {"_": w.peer_connection},
                                             ids=("VpcPeerConnects[].InstanceId", "VpcPeerConnects[].Status")),
    ("VpcPeer", "ModifyVpcPeerConnection"): S(lambda w: {"InstanceId": w.peer_connection, "Name": "renamed"}),
    ("VpcPeer", "DeleteVpcPeerConnection"): S(lambda w: {"InstanceId": w.peer_connection}),
    ("VpcPeer", "AcceptVpcPeerConnection"): S(lambda w: {"InstanceId": w.pending_peer_connection},
                                              account="account-b", region=SVALLEY, world="peering"),
    ("VpcPeer", "RejectVpcPeerConnection"): S(lambda w: {"InstanceId": w.pending_peer_connection},
                                              account="account-b", region=SVALLEY, world="peering"),
    # ECS (read-only hosts of the world)
    ("Ecs", "DescribeInstances"): S(),
    # Today's VPN calls (models/vpn_*.py), on today's world (T): dual-tunnel gateways and connections
    ("Vpc", "DescribeVpnGateway"): T(lambda w: {"VpnGatewayId": w.dual_gateway},
                                     ids=("VpnGatewayId", "InternetIp", "DisasterRecoveryInternetIp")),
    ("Vpc", "DescribeVpnGatewayAvailableZones"): T(lambda w: {"Spec": "10M"},
                                                   ids=("AvailableZoneIdList[].ZoneId",)),
    ("Vpc", "CreateVpnAttachment"): T(lambda w: {"LocalSubnet": "0.0.0.0/0", "RemoteSubnet": "0.0.0.0/0",
                                                 "TunnelOptionsSpecification": w.tunnels()},
                                      ids=("VpnConnectionId",)),
    ("Vpc", "DescribeVpnAttachments"): T(lambda w: {"_": w.tr_vpn_attachment},
                                         ids=("VpnAttachments[].InstanceId", "VpnAttachments[].TransitRouterId")),
    ("Vpc", "ModifyVpnAttachmentAttribute"): T(lambda w: {"VpnConnectionId": w.ipsec_attachment, "Name": "renamed"},
                                               ids=("VpnConnectionId", "TunnelOptionsSpecification[].TunnelId")),
    ("Vpc", "DeleteVpnAttachment"): T(lambda w: {"VpnConnectionId": w.ipsec_attachment}),
    ("Vpc", "CreateVpnRouteEntry"): T(lambda w: w.vpn_route(PublishVpc=False), ids=("RouteDest", "NextHop")),
    ("Vpc", "DescribeVpnRouteEntries"): T(lambda w: {"VpnGatewayId": w.dual_gateway, "_": w.settled_vpn_route},
                                          ids=("VpnRouteEntries.VpnRouteEntry[].RouteDest",
                                               "VpnRouteEntries.VpnRouteEntry[].NextHopTunnelId")),
    ("Vpc", "DeleteVpnRouteEntry"): T(lambda w: w.settled_vpn_route),
    ("Vpc", "ModifyVpnRouteEntryWeight"): T(lambda w: dict(w.settled_vpn_route, NewWeight=0)),
    ("Vpc", "PublishVpnRouteEntry"): T(lambda w: {**w.settled_vpn_route, "RouteType": "dbr", "PublishVpc": False}),
    # Enterprise Edition transit routers (models/transit_router*.py), on today's world (T)
    ("Cbn", "CreateTransitRouter"): T(lambda w: {"CenId": w.tr_cen}, ids=("TransitRouterId",)),
    ("Cbn", "ListTransitRouters"): T(lambda w: {"CenId": w.tr_cen, "_": w.tokyo_tr},
                                     ids=("TransitRouters[].TransitRouterId", "TransitRouters[].Type")),
    ("Cbn", "UpdateTransitRouter"): T(lambda w: {"TransitRouterId": w.tokyo_tr, "TransitRouterName": "renamed"}),
    ("Cbn", "DeleteTransitRouter"): T(lambda w: {"TransitRouterId": w.tokyo_tr}),
    ("Cbn", "GrantInstanceToTransitRouter"): T(lambda w: w.tr_grant()),
    ("Cbn", "RevokeInstanceFromTransitRouter"): T(lambda w: dict(
        w.tr_grant(), _=w.call("Cbn", "GrantInstanceToTransitRouter", **w.tr_grant()))),
    ("Cbn", "CreateTransitRouterVpcAttachment"): T(lambda w: {"TransitRouterId": w.tokyo_tr, "VpcId": w.tokyo.id,
                                                              "ZoneMappings": w.zone_mapping("tokyo-vsw-1",
                                                                                             "tokyo-vsw-2")},
                                                   ids=("TransitRouterAttachmentId",)),
    ("Cbn", "ListTransitRouterVpcAttachments"): T(
        lambda w: {"TransitRouterId": w.tokyo_tr, "_": w.vpc_attachment},
        ids=("TransitRouterAttachments[].TransitRouterAttachmentId", "TransitRouterAttachments[].VpcId",
             "TransitRouterAttachments[].ZoneMappings[].VSwitchId")),
    ("Cbn", "UpdateTransitRouterVpcAttachmentAttribute"): T(
        lambda w: {"TransitRouterAttachmentId": w.vpc_attachment, "TransitRouterAttachmentName": "renamed"}),
    ("Cbn", "UpdateTransitRouterVpcAttachmentZones"): T(
        lambda w: {"TransitRouterAttachmentId": w.vpc_attachment, "AddZoneMappings": w.zone_mapping("tokyo-vpn-vsw-1"),
                   "RemoveZoneMappings": w.zone_mapping("tokyo-vsw-1")}),
    ("Cbn", "DeleteTransitRouterVpcAttachment"): T(lambda w: {"TransitRouterAttachmentId": w.vpc_attachment}),
    ("Cbn", "CreateTransitRouterPeerAttachment"): T(lambda w: {"TransitRouterId": w.tokyo_tr,
                                                               "PeerTransitRouterId": w.beijing_tr,
                                                               "BandwidthType": "DataTransfer"},
                                                    ids=("TransitRouterAttachmentId",)),
    ("Cbn", "ListTransitRouterPeerAttachments"): T(
        lambda w: {"TransitRouterId": w.tokyo_tr, "_": w.peer_attachment},
        ids=("TransitRouterAttachments[].TransitRouterAttachmentId", "TransitRouterAttachments[].PeerTransitRouterId")),
    ("Cbn", "UpdateTransitRouterPeerAttachmentAttribute"): T(
        lambda w: {"TransitRouterAttachmentId": w.peer_attachment, "Bandwidth": 20}),
    ("Cbn", "DeleteTransitRouterPeerAttachment"): T(lambda w: {"TransitRouterAttachmentId": w.peer_attachment}),
    ("Cbn", "CreateTransitRouterVpnAttachment"): T(lambda w: {"TransitRouterId": w.tokyo_tr,
                                                              "VpnId": w.ipsec_attachment},
                                                   ids=("TransitRouterAttachmentId",)),
    ("Cbn", "ListTransitRouterVpnAttachments"): T(
        lambda w: {"TransitRouterId": w.tokyo_tr, "_": w.tr_vpn_attachment},
        ids=("TransitRouterAttachments[].TransitRouterAttachmentId", "TransitRouterAttachments[].VpnId")),
    ("Cbn", "UpdateTransitRouterVpnAttachmentAttribute"): T(
        lambda w: {"TransitRouterAttachmentId": w.tr_vpn_attachment, "TransitRouterAttachmentName": "renamed"}),
    ("Cbn", "DeleteTransitRouterVpnAttachment"): T(lambda w: {"TransitRouterAttachmentId": w.tr_vpn_attachment}),
    ("Cbn", "CreateTransitRouterRouteTable"): T(lambda w: {"TransitRouterId": w.tokyo_tr},
                                                ids=("TransitRouterRouteTableId",)),
    ("Cbn", "ListTransitRouterRouteTables"): T(
        lambda w: {"TransitRouterId": w.tokyo_tr, "_": w.tr_table},
        ids=("TransitRouterRouteTables[].TransitRouterRouteTableId",
             "TransitRouterRouteTables[].TransitRouterRouteTableType")),
    ("Cbn", "UpdateTransitRouterRouteTable"): T(lambda w: {"TransitRouterRouteTableId": w.tr_table,
                                                           "TransitRouterRouteTableName": "renamed"}),
    ("Cbn", "DeleteTransitRouterRouteTable"): T(lambda w: {"TransitRouterRouteTableId": w.tr_table}),
    ("Cbn", "AssociateTransitRouterAttachmentWithRouteTable"): T(lambda w: w.binding()),
    ("Cbn", "ListTransitRouterRouteTableAssociations"): T(
        lambda w: {"TransitRouterRouteTableId": w.association["TransitRouterRouteTableId"]},
        ids=("TransitRouterAssociations[].TransitRouterAttachmentId", "TransitRouterAssociations[].ResourceId")),
    ("Cbn", "DissociateTransitRouterAttachmentFromRouteTable"): T(lambda w: w.association),
    ("Cbn", "EnableTransitRouterRouteTablePropagation"): T(lambda w: w.binding()),
    ("Cbn", "ListTransitRouterRouteTablePropagations"): T(
        lambda w: {"TransitRouterRouteTableId": w.propagation["TransitRouterRouteTableId"]},
        ids=("TransitRouterPropagations[].TransitRouterAttachmentId", "TransitRouterPropagations[].ResourceId")),
    ("Cbn", "DisableTransitRouterRouteTablePropagation"): T(lambda w: w.propagation),
    ("Cbn", "CreateTransitRouterRouteEntry"): T(
        lambda w: {"TransitRouterRouteTableId": w.tr_table, "TransitRouterRouteEntryDestinationCidrBlock": "0.0.0.0/0",
                   "TransitRouterRouteEntryNextHopType": "BlackHole"},
        ids=("TransitRouterRouteEntryId",)),
    ("Cbn", "ListTransitRouterRouteEntries"): T(
        lambda w: {"TransitRouterRouteTableId": w.tr_table, "_": (w.tr_route, w.propagation)},
        ids=("TransitRouterRouteEntries[].TransitRouterRouteEntryDestinationCidrBlock",
             "TransitRouterRouteEntries[].TransitRouterRouteEntryType")),
    ("Cbn", "UpdateTransitRouterRouteEntry"): T(lambda w: {"TransitRouterRouteEntryId": w.tr_route,
                                                           "TransitRouterRouteEntryName": "renamed"}),
    ("Cbn", "DeleteTransitRouterRouteEntry"): T(lambda w: {"TransitRouterRouteEntryId": w.tr_route}),
    ("Cbn", "CreateCenChildInstanceRouteEntryToAttachment"): T(lambda w: w.child_route()),
    ("Cbn", "DeleteCenChildInstanceRouteEntryToAttachment"): T(lambda w: w.settled_child_route),
}

# The same action in another shape worth checking: (product, action, what) -> scenario.
VARIANTS: Dict[Tuple[str, str, str], Scenario] = {
    ("Vpc", "CreateVpnGateway", "dual-tunnel"): T(
        lambda w: {"VpcId": w.tokyo.id, "VSwitchId": w.vsw("tokyo-vpn-vsw-1").id,
                   "DisasterRecoveryVSwitchId": w.vsw("tokyo-vpn-vsw-2").id, "Bandwidth": 10},
        ids=("VpnGatewayId",)),
    ("Vpc", "DescribeVpnGateways", "dual-tunnel"): T(
        lambda w: {"VpnGatewayId": w.dual_gateway},
        ids=("VpnGateways.VpnGateway[].VpnGatewayId", "VpnGateways.VpnGateway[].DisasterRecoveryInternetIp")),
    ("Vpc", "CreateVpnConnection", "dual-tunnel"): T(
        lambda w: {"VpnGatewayId": w.dual_gateway, "LocalSubnet": "0.0.0.0/0", "RemoteSubnet": "0.0.0.0/0",
                   "TunnelOptionsSpecification": w.tunnels("Role", ("master", "slave"))},
        ids=("VpnConnectionId",)),
    ("Vpc", "DescribeVpnConnection", "dual-tunnel"): T(
        lambda w: {"VpnConnectionId": w.dual_connection},
        ids=("VpnConnectionId", "TunnelOptionsSpecification.TunnelOptions[].TunnelId",
             "TunnelOptionsSpecification.TunnelOptions[].TunnelIkeConfig.Psk")),
    ("Vpc", "DescribeVpnConnections", "dual-tunnel"): T(
        lambda w: {"VpnConnectionId": w.dual_connection},
        ids=("VpnConnections.VpnConnection[].TunnelOptionsSpecification.TunnelOptions[].TunnelId",)),
    ("Vpc", "ModifyVpnConnectionAttribute", "dual-tunnel"): T(
        lambda w: {"VpnConnectionId": w.dual_connection, "Name": "renamed"},
        ids=("VpnConnectionId", "TunnelOptionsSpecification.TunnelOptions[].TunnelId")),
    ("Vpc", "DescribeVpnConnection", "transit-router-bound"): T(
        lambda w: {"VpnConnectionId": w.ipsec_attachment, "_": w.tr_vpn_attachment},
        ids=("VpnConnectionId", "TransitRouterId", "AttachInstanceId")),
    ("Cbn", "ListTransitRouters", "basic-edition"): S(
        lambda w: {"CenId": w.attached_cen}, ids=("TransitRouters[].TransitRouterId", "TransitRouters[].Type")),
}


# Drift found by this test and not fixed yet: (product, action) -> why; strict xfail, so a fix shows up
# as XPASS and the line must go. Empty: every action answers in its SDK model's shape.
KNOWN_DRIFT: Dict[Tuple[str, str], str] = {}


# --- comparing a body with its SDK model ------------------------------------------------------------

def _mark_nulls(value):
    if isinstance(value, dict):
        return {k: _mark_nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_nulls(v) for v in value]
    return NULL if value is None else value


def unknown_keys(sent: Any, known: Any, path: str = "") -> List[str]:
    """Paths of ``sent`` that the SDK model's round trip ``known`` lost (keys it does not know)."""
    if isinstance(sent, dict):
        if not isinstance(known, dict):
            return [f"{path or '<body>'} (the SDK model expects no object here)"]
        out = []
        for key, value in sent.items():
            where = f"{path}.{key}" if path else key
            out.extend([where] if key not in known else unknown_keys(value, known[key], where))
        return out
    if isinstance(sent, list):
        if not isinstance(known, list) or len(known) != len(sent):
            return [f"{path} (the SDK model expects no list here)"]
        return [p for i, (a, b) in enumerate(zip(sent, known)) for p in unknown_keys(a, b, f"{path}[{i}]")]
    return []


def values_at(body: Any, path: str) -> List[Any]:
    """``"Vpcs.Vpc[].VpcId"`` -> the VpcId of every item (``[]`` walks a list)."""
    found = [body]
    for part in path.split("."):
        each = part.endswith("[]")
        key = part[:-2] if each else part
        nxt = []
        for item in found:
            value = item.get(key) if isinstance(item, dict) else None
            if each:
                nxt.extend(value or [])
            else:
                nxt.append(value)
        found = nxt
    return found


def check_against_sdk(product: str, action: str, body: Dict[str, Any], ids: Tuple[str, ...]) -> List[str]:
    model_cls = getattr(sdk_models(product), action + "ResponseBody")
    marked = _mark_nulls(body)
    problems = [f"unknown key {p}" for p in unknown_keys(marked, model_cls().from_map(marked).to_map())]
    if not body.get("RequestId"):
        problems.append("no RequestId")
    for path in ("RequestId",) + ids:
        found = values_at(body, path)
        if not found or any(v in (None, "") for v in found):
            problems.append(f"identifying key {path} missing or empty ({found!r})")
    return problems


# --- the tests ---------------------------------------------------------------------------------------

def test_every_registered_action_has_a_scenario():
    missing = [f"{p}.{a}" for p, a in registered() if (p, a) not in SCENARIOS]
    assert not missing, "no conformance scenario for: " + ", ".join(missing) + \
        " (add one line to SCENARIOS in tests/twin/test_conformance.py)"
    stale = [f"{p}.{a}" for p, a in SCENARIOS if (p, a) not in base.ACTIONS]
    assert not stale, "scenarios for actions the twin no longer registers: " + ", ".join(stale)


def _check_scenario(request, product: str, action: str, scenario: Optional[Scenario]) -> None:
    if product in NO_SDK:
        pytest.skip(NO_SDK[product])
    if scenario is None:
        pytest.fail(f"no conformance scenario for {product}.{action}: add one line to SCENARIOS")
    if (product, action) in KNOWN_DRIFT:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_DRIFT[(product, action)], strict=True))
    handle = request.getfixturevalue(WORLD_FIXTURES[scenario.world])
    world = World(handle)
    params = {k: v for k, v in scenario.params(world).items() if not k.startswith("_")}
    body = raw_call(handle, product, action, params, scenario.account, scenario.region)
    problems = check_against_sdk(product, action, body, scenario.ids)
    assert not problems, f"{product}.{action} drifts from {SDK_PACKAGES[product]}.{action}ResponseBody: " + \
        "; ".join(problems)


@pytest.mark.parametrize("product,action", registered(), ids=[f"{p}.{a}" for p, a in registered()])
def test_response_matches_the_sdk_model(product, action, request):
    _check_scenario(request, product, action, SCENARIOS.get((product, action)))


@pytest.mark.parametrize("product,action,shape", sorted(VARIANTS),
                         ids=[f"{p}.{a}[{v}]" for p, a, v in sorted(VARIANTS)])
def test_other_shapes_match_the_sdk_model(product, action, shape, request):
    _check_scenario(request, product, action, VARIANTS[(product, action, shape)])


def _region_required_by_sdk(product: str, action: str) -> Optional[str]:
    """required / optional / none, read from the RegionId docstring of the SDK request model."""
    source = inspect.getsource(getattr(sdk_models(product), action + "Request").__init__)
    match = re.search(r"((?:[ \t]*#.*\n)*)[ \t]*self\.region_id = region_id", source)
    if match is None:
        return base.REGION_NONE
    return base.REGION_REQUIRED if "This parameter is required" in match.group(1) else base.REGION_OPTIONAL


@pytest.mark.parametrize("product,action", registered(), ids=[f"{p}.{a}" for p, a in registered()])
def test_region_id_is_taken_as_the_sdk_request_model_says(product, action):
    if product in NO_SDK:
        pytest.skip(NO_SDK[product])
    sdk = _region_required_by_sdk(product, action)
    twin = base.ACTIONS[(product, action)].region
    # "none" and "optional" differ only in whether a stray RegionId is checked: what matters is
    # that MissingRegionId comes exactly when the SDK calls RegionId required.
    assert (twin == base.REGION_REQUIRED) == (sdk == base.REGION_REQUIRED), \
        f"{product}.{action}: the SDK request model says RegionId is {sdk}, the twin registers {twin} " \
        f"(@action(..., region=...))"
