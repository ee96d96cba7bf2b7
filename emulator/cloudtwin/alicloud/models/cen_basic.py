"""Cloud Enterprise Network, Basic Edition (product Cbn, 2017-09-12): what the 2018 walkthrough used.

Basic Edition transit routers are no longer sold ("How transit routers work"); these calls work only where
the CEN's transit router is Basic (``cen.region_edition``): on a CEN made through the API while the world
keeps the legacy rule ``basic_cen_by_api``, or on a Basic CEN a world file declares. Elsewhere they fail:
AttachCenChildInstance with ``OperationFailed.InvalidTransitRouter`` (its API reference: "the transit router
is not supported"), PublishRouteEntries / WithdrawPublishedRouteEntries with
``OperationUnsupported.TransitRouterType``.

What is modelled:

- Child attachments (VPC only): Attaching -> Attached, Detaching -> gone. A child in another
  account needs that account's grant first (``cen_grants``).
- Route publication: custom entries of an attached VPC's route table are published to CEN
  (PublishStatus NonPublished -> Published) and withdrawn again.
- Route learning: each attached VPC learns the vSwitch CIDRs of every other attached VPC (all
  regions) and the routes the others published. A learned route equal to a local route (a
  custom entry or a vSwitch CIDR of the VPC), or inside a local vSwitch, is not installed: it
  reads ``Status: Rejected`` with a ``Conflicts`` entry in DescribeCenChildInstanceRouteEntries.
  Installed routes appear in the VPC's DescribeRouteEntryList as ``Type: CEN`` entries
  (registered through ``vpc.register_learned_routes``). A more specific custom route of the VPC
  still wins by longest prefix match: nothing is removed for it.

Helpers for other kinds and for the reachability engine (pure, no Request needed):
``learned_routes_for_vpc(state, vpc)``, ``cen_of_vpc(state, vpc_id)``, ``published_routes(state, cen_id)``,
``attach_child(state, cen, vpc)`` (the world loader's pre-existing attachments).

Error codes: ``ParameterInstanceId`` (child not attached), ``Forbbiden.AttachChildInstanceAcrossUid``
(sic, the cloud's spelling; no grant), ``InvalidOperation.ChildInstanceAlreadyAttached``,
``InvalidOperation.UnsupportnexthopType`` (sic), ``ParameterIllegal.ChildInstanceType``,
``OperationFailed.InvalidTransitRouter`` are the documented ones; the twin's own choices are marked
``# undocumented``.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any, Dict, List, Optional, Tuple

from .base import ApiError, Request, Resource, State, action, page_by_number
from .cen import attached_children, get_cen, now_iso, require_basic, system_table_routes
from .cen_grants import granted
from .vpc import in_vpc, register_dependants, register_learned_routes, system_table, vswitches_of

PUBLISHABLE_NEXT_HOPS = ("Instance", "VpnGateway", "RouterInterface", "HaVip", "NetworkInterface")


# --- lookups -------------------------------------------------------------------------------

def attachment_id(cen_id: str, child_id: str) -> str:
    return f"{cen_id}/{child_id}"


def cen_of_vpc(state: State, vpc_id: str) -> Optional[str]:
    """The CEN a VPC is attached to (Attached state), or None."""
    for att in state.all("CenChildInstance", include_invisible=True):
        if att["ChildInstanceId"] == vpc_id and att["Status"] == "Attached":
            return att["CenId"]
    return None


def _attachment(req: Request, cen: Resource, child_id: str) -> Resource:
    att = req.state.find("CenChildInstance", attachment_id(cen.id, child_id))
    if att is None or att.deleted:
        raise ApiError("ParameterInstanceId",
                       f"The specified instance {child_id} is not attached to the CEN {cen.id}.")
    return att


def _child_table(req: Request, att: Resource) -> Resource:
    vpc = req.state.find("Vpc", att["ChildInstanceId"])
    table_id = req.get("ChildInstanceRouteTableId")
    if vpc is None:
        raise ApiError("ParameterInstanceId", f"The specified instance {att['ChildInstanceId']} does not exist.")
    if table_id is None:
        return system_table(req.state, vpc)
    table = req.state.find("RouteTable", table_id)
    if table is None or table["VpcId"] != vpc.id:
        raise ApiError("ParameterIllegal.ChildInstanceRouteTableId",  # undocumented
                       f"The route table {table_id} does not belong to {vpc.id}.")
    return table


def _custom_entries(state: State, table_id: str) -> List[Resource]:
    return [e for e in state.all("RouteEntry", include_invisible=True)
            if e["RouteTableId"] == table_id and e["Status"] != "Deleted" and not e.deleted]


def _publication_id(cen_id: str, table_id: str, dest: str) -> str:
    return f"{cen_id}/{table_id}/{dest}"


def published_routes(state: State, cen_id: str) -> List[Resource]:
    """Publications (Publishing / Published / Withdrawing) whose route entry still exists."""
    out = []
    for pub in state.all("CenPublishedRoute", include_invisible=True):
        if pub["CenId"] != cen_id:
            continue
        if any(e["DestinationCidrBlock"] == pub["DestinationCidrBlock"]
               for e in _custom_entries(state, pub["ChildInstanceRouteTableId"])):
            out.append(pub)
    return out


# --- route learning (pure) ---------------------------------------------------------------------

def _sources(state: State, cen_id: str) -> List[Dict[str, Any]]:
    """Every route CEN carries: vSwitch CIDRs of attached VPCs and their published routes."""
    out = []
    for att in attached_children(state, cen_id):
        vpc = state.find("Vpc", att["ChildInstanceId"])
        if vpc is None:
            continue
        for vsw in vswitches_of(state, vpc.id):
            out.append({"DestinationCidrBlock": vsw["CidrBlock"], "VpcId": vpc.id, "RegionId": vpc.region,
                        "Origin": "System"})
        for pub in published_routes(state, cen_id):
            if pub["ChildInstanceId"] == vpc.id and pub["Status"] in ("Published", "Withdrawing"):
                out.append({"DestinationCidrBlock": pub["DestinationCidrBlock"], "VpcId": vpc.id,
                            "RegionId": vpc.region, "Origin": "Custom"})
    return out


def local_conflict(state: State, vpc: Resource, dest: str) -> Optional[Dict[str, Any]]:
    """A local route of ``vpc`` a learned ``dest`` collides with (equal to or inside a vSwitch, or equal to a
    custom entry), or None. Basic CEN learning and transit-router route synchronization both skip those."""
    net = ipaddress.ip_network(dest)
    for vsw in vswitches_of(state, vpc.id):
        vnet = ipaddress.ip_network(vsw["CidrBlock"])
        if net == vnet or net.subnet_of(vnet):
            return {"DestinationCidrBlock": vsw["CidrBlock"], "InstanceId": vpc.id, "InstanceType": "VPC",
                    "RegionId": vpc.region, "Status": "conflict"}
    for entry in _custom_entries(state, vpc["RouteTableId"]):
        if entry["DestinationCidrBlock"] == str(net):
            return {"DestinationCidrBlock": str(net), "InstanceId": vpc.id, "InstanceType": "VPC",
                    "RegionId": vpc.region, "Status": "conflict"}
    return None


def learned_for_vpc(state: State, cen_id: str, vpc: Resource) -> List[Dict[str, Any]]:
    """What ``vpc`` learns from CEN ``cen_id``: each with Status Active or Rejected (+Conflict)."""
    seen = set()
    out = []
    for src in _sources(state, cen_id):
        if src["VpcId"] == vpc.id:
            continue
        dest = src["DestinationCidrBlock"]
        item = dict(src, CenId=cen_id)
        conflict = local_conflict(state, vpc, dest)
        if conflict:
            item.update(Status="Rejected", Conflict=conflict)
        elif dest in seen:
            item.update(Status="Candidate", Conflict=None)
        else:
            item.update(Status="Active", Conflict=None)
            seen.add(dest)
        out.append(item)
    return out


def _route_entry_view(table_id: str, item: Dict[str, Any]) -> Dict[str, Any]:
    digest = hashlib.sha1(f"{table_id}|{item['DestinationCidrBlock']}|{item['VpcId']}".encode()).hexdigest()[:21]
    return {
        "RouteEntryId": f"rte-cen{digest[:18]}", "RouteTableId": table_id,
        "DestinationCidrBlock": item["DestinationCidrBlock"], "Type": "CEN", "Status": "Available",
        "RouteEntryName": "", "Description": "", "IpVersion": "ipv4", "Origin": "CEN",
        "NextHops": {"NextHop": [{
            "NextHopType": "CEN", "NextHopId": item["CenId"], "Enabled": 1, "Weight": 0,
            "NextHopRegionId": item["RegionId"],
            "NextHopRelatedInfo": {"InstanceId": item["VpcId"], "InstanceType": "VPC", "RegionId": item["RegionId"]},
        }]},
    }


def learned_routes_for_vpc(state: State, vpc: Resource) -> List[Dict[str, Any]]:
    """Installed CEN routes of ``vpc`` in DescribeRouteEntryList shape (Type CEN, next hop CEN).

    Each entry's ``NextHops.NextHop[0]`` has NextHopType ``CEN``, NextHopId the CEN id,
    NextHopRegionId the source region and ``NextHopRelatedInfo.InstanceId`` the source VPC.
    """
    cen_id = cen_of_vpc(state, vpc.id)
    if cen_id is None:
        return []
    return [_route_entry_view(vpc["RouteTableId"], item) for item in learned_for_vpc(state, cen_id, vpc)
            if item["Status"] == "Active"]


register_learned_routes(system_table_routes(learned_routes_for_vpc))


# --- child attachments ------------------------------------------------------------------------------

def _child_type(req: Request) -> str:
    kind = str(req.require("ChildInstanceType"))
    if kind.upper() != "VPC":
        raise ApiError("ParameterIllegal.ChildInstanceType",
                       "The parameter of child instance type is illegal (the twin models VPC children only).")
    return "VPC"


def _attachment_view(state: State, att: Resource, detail: bool = False) -> Dict[str, Any]:
    out = {k: att[k] for k in ("CenId", "ChildInstanceId", "ChildInstanceType", "ChildInstanceRegionId",
                               "ChildInstanceOwnerId", "Status", "ChildInstanceAttachTime")}
    out["ManagedService"] = ""
    if detail:
        vpc = state.find("Vpc", att["ChildInstanceId"])
        out["ChildInstanceName"] = vpc["VpcName"] if vpc else ""
        # "secondaryCidrBlock" (sic, lower case) is the key DescribeCenAttachedChildInstanceAttributeResponseBody
        # reads; the twin's VPCs have no secondary CIDR blocks.
        out["ChildInstanceAttributes"] = {"CidrBlock": vpc["CidrBlock"] if vpc else "",
                                          "SecondaryCidrBlocks": {"secondaryCidrBlock": []}}
    return out


def attach_child(state: State, cen: Resource, vpc: Resource, status: str = "Attached") -> Resource:
    """A VPC's child attachment to a Basic CEN (the API's attach and a world file's pre-existing ones)."""
    return state.add("CenChildInstance", attachment_id(cen.id, vpc.id), cen.owner, vpc.region, {
        "CenId": cen.id, "ChildInstanceId": vpc.id, "ChildInstanceType": "VPC",
        "ChildInstanceRegionId": vpc.region, "ChildInstanceOwnerId": int(vpc.owner), "Status": status,
        "ChildInstanceAttachTime": now_iso(), "VpcId": vpc.id,  # VpcId: DeleteVpc sees the dependency
    })


@action("Cbn", "AttachCenChildInstance")
def attach_cen_child_instance(req: Request) -> Dict[str, Any]:
    cen = get_cen(req, active=True)
    _child_type(req)
    child_id = req.require("ChildInstanceId")
    region = req.require("ChildInstanceRegionId")
    # AttachCenChildInstance's reference: OperationFailed.InvalidTransitRouter, "the transit router is not supported".
    require_basic(req.state, cen, (region,), "AttachCenChildInstance", code="OperationFailed.InvalidTransitRouter")
    owner = str(req.get("ChildInstanceOwnerId") or req.account.uid)
    vpc = req.state.find("Vpc", child_id)
    if vpc is None or vpc.owner != owner or vpc.region != region or not req.state.visible(vpc):
        raise ApiError("ParameterIllegal.ChildInstanceId",
                       f"The parameter of child instance id is illegal: no VPC {child_id} of account {owner} "
                       f"in {region}.")
    if owner != req.account.uid and not granted(req.state, cen, vpc.id, owner):
        raise ApiError("Forbbiden.AttachChildInstanceAcrossUid",
                       "Operation is invalid because the child-instance is not authorized to CEN.", 409)
    for other in req.state.all("CenChildInstance", include_invisible=True):
        if other["ChildInstanceId"] == child_id:
            raise ApiError("InvalidOperation.ChildInstanceAlreadyAttached",
                           "Operation is invalid because the child-instance has already been attached to "
                           f"another CEN ({other['CenId']}).", 409)
    att = attach_child(req.state, cen, vpc, status="Attaching")
    req.state.schedule(att, "Status", "Attached")
    req.state.note(kind="cen", event="attach", cen=cen.id, child=child_id, region=region)
    return {}


@action("Cbn", "DetachCenChildInstance")
def detach_cen_child_instance(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    _child_type(req)
    att = _attachment(req, cen, req.require("ChildInstanceId"))
    if att["Status"] != "Attached":
        raise ApiError("InvalidOperation.ChildInstanceStatus",  # documented in Terraform's retry list
                       f"The child instance {att['ChildInstanceId']} is {att['Status']}; retry later.")
    for pub in req.state.all("CenPublishedRoute", include_invisible=True):
        if pub["CenId"] == cen.id and pub["ChildInstanceId"] == att["ChildInstanceId"]:
            req.state.remove(pub)
    att["Status"] = "Detaching"
    req.state.schedule(att, "Status", "Detached", then=req.state.remove)
    req.state.note(kind="cen", event="detach", cen=cen.id, child=att["ChildInstanceId"])
    return {}


@action("Cbn", "DescribeCenAttachedChildInstances")
def describe_cen_attached_child_instances(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    region = req.get("ChildInstanceRegionId")
    items = [a for a in attached_children(req.state, cen.id, statuses=())
             if region is None or a["ChildInstanceRegionId"] == region]
    chunk, number, size = page_by_number(req, items)
    return {"ChildInstances": {"ChildInstance": [_attachment_view(req.state, a) for a in chunk]},
            "TotalCount": len(items), "PageNumber": number, "PageSize": size}


@action("Cbn", "DescribeCenAttachedChildInstanceAttribute")
def describe_cen_attached_child_instance_attribute(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    att = _attachment(req, cen, req.require("ChildInstanceId"))
    return _attachment_view(req.state, att, detail=True)


# --- route publication --------------------------------------------------------------------------------

def _publish_target(req: Request) -> Tuple[Resource, Resource, Resource, Resource]:
    cen = get_cen(req, active=True)
    _child_type(req)
    require_basic(req.state, cen, (req.require("ChildInstanceRegionId"),), req.action)
    att = _attachment(req, cen, req.require("ChildInstanceId"))
    if att["Status"] != "Attached":
        raise ApiError("InvalidOperation.ChildInstanceStatus",
                       f"The child instance {att['ChildInstanceId']} is {att['Status']}; retry later.")
    table = _child_table(req, att)
    dest = req.require("DestinationCidrBlock")
    entry = next((e for e in _custom_entries(req.state, table.id) if e["DestinationCidrBlock"] == dest), None)
    if entry is None:
        raise ApiError("InvalidOperation.RouteEntryNotExist",  # undocumented
                       f"No custom route entry {dest} in route table {table.id}.")
    return cen, att, table, entry


@action("Cbn", "PublishRouteEntries")
def publish_route_entries(req: Request) -> Dict[str, Any]:
    cen, att, table, entry = _publish_target(req)
    if entry["NextHopType"] not in PUBLISHABLE_NEXT_HOPS:
        raise ApiError("InvalidOperation.UnsupportnexthopType",
                       "The specified next hop type is not supported by this operation.")
    pid = _publication_id(cen.id, table.id, entry["DestinationCidrBlock"])
    pub = req.state.find("CenPublishedRoute", pid)
    if pub is not None and not pub.deleted and pub["Status"] in ("Publishing", "Published"):
        return {}
    pub = req.state.add("CenPublishedRoute", pid, cen.owner, att["ChildInstanceRegionId"], {
        "CenId": cen.id, "ChildInstanceId": att["ChildInstanceId"], "ChildInstanceType": "VPC",
        "ChildInstanceRegionId": att["ChildInstanceRegionId"], "ChildInstanceRouteTableId": table.id,
        "DestinationCidrBlock": entry["DestinationCidrBlock"], "Status": "Publishing",
    })
    req.state.schedule(pub, "Status", "Published")
    return {}


@action("Cbn", "WithdrawPublishedRouteEntries")
def withdraw_published_route_entries(req: Request) -> Dict[str, Any]:
    cen, _, table, entry = _publish_target(req)
    pub = req.state.find("CenPublishedRoute", _publication_id(cen.id, table.id, entry["DestinationCidrBlock"]))
    if pub is None or pub.deleted or pub["Status"] == "Withdrawing":
        return {}
    pub["Status"] = "Withdrawing"
    req.state.schedule(pub, "Status", "Withdrawn", then=req.state.remove)
    return {}


def _publish_status(state: State, cen_id: str, table_id: str, dest: str) -> str:
    pub = state.find("CenPublishedRoute", _publication_id(cen_id, table_id, dest))
    return "Published" if pub is not None and not pub.deleted and pub["Status"] in ("Published", "Withdrawing") \
        else "NonPublished"


def _own_routes(state: State, cen_id: str, vpc: Resource, table: Resource) -> List[Dict[str, Any]]:
    out = []
    for vsw in vswitches_of(state, vpc.id):
        out.append({"DestinationCidrBlock": vsw["CidrBlock"], "RouteType": "System", "NextHopType": "local",
                    "NextHopId": "", "PublishStatus": "Published", "OperationalMode": False})
    for entry in _custom_entries(state, table.id):
        out.append({"DestinationCidrBlock": entry["DestinationCidrBlock"], "RouteType": "Custom",
                    "NextHopType": entry["NextHopType"], "NextHopId": entry["NextHopId"],
                    "PublishStatus": _publish_status(state, cen_id, table.id, entry["DestinationCidrBlock"]),
                    "OperationalMode": entry["NextHopType"] in PUBLISHABLE_NEXT_HOPS})
    return out


@action("Cbn", "DescribePublishedRouteEntries")
def describe_published_route_entries(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    _child_type(req)
    att = _attachment(req, cen, req.require("ChildInstanceId"))
    table = _child_table(req, att)
    vpc = req.state.find("Vpc", att["ChildInstanceId"])
    dest = req.get("DestinationCidrBlock")
    items = [dict(r, ChildInstanceRouteTableId=table.id, Conflicts={"Conflict": []})
             for r in _own_routes(req.state, cen.id, vpc, table) if dest is None or r["DestinationCidrBlock"] == dest]
    chunk, number, size = page_by_number(req, items)  # PageSize 1 to 50
    return {"PublishedRouteEntries": {"PublishedRouteEntry": chunk}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


@action("Cbn", "DescribeCenChildInstanceRouteEntries")
def describe_cen_child_instance_route_entries(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    _child_type(req)
    att = _attachment(req, cen, req.require("ChildInstanceId"))
    table = _child_table(req, att)
    vpc = req.state.find("Vpc", att["ChildInstanceId"])
    items = []
    for r in _own_routes(req.state, cen.id, vpc, table):
        items.append({"DestinationCidrBlock": r["DestinationCidrBlock"], "Type": r["RouteType"],
                      "NextHopType": r["NextHopType"], "NextHopInstanceId": r["NextHopId"],
                      "NextHopRegionId": vpc.region, "PublishStatus": r["PublishStatus"],
                      "OperationalMode": r["OperationalMode"], "RouteTableId": table.id, "Status": "Active",
                      "Conflicts": {"Conflict": []}})
    if att["Status"] == "Attached" and table.id == vpc["RouteTableId"]:
        for item in learned_for_vpc(req.state, cen.id, vpc):
            items.append({"DestinationCidrBlock": item["DestinationCidrBlock"], "Type": "CEN",
                          "NextHopType": "VPC", "NextHopInstanceId": item["VpcId"],
                          "NextHopRegionId": item["RegionId"], "PublishStatus": "NonPublished",
                          "OperationalMode": False, "RouteTableId": table.id, "Status": item["Status"],
                          "Conflicts": {"Conflict": [item["Conflict"]] if item["Conflict"] else []}})
    status = req.get("Status")
    items = [i for i in items if status is None or i["Status"] == status]
    chunk, number, size = page_by_number(req, items, max_size=500)
    return {"CenRouteEntries": {"CenRouteEntry": chunk}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


@action("Cbn", "DescribeCenRegionDomainRouteEntries")
def describe_cen_region_domain_route_entries(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    region = req.require("CenRegionId")
    items = []
    seen = set()
    for src in _sources(req.state, cen.id):
        key = (src["DestinationCidrBlock"], src["VpcId"])
        if key in seen:
            continue
        seen.add(key)
        local = src["RegionId"] == region
        items.append({"DestinationCidrBlock": src["DestinationCidrBlock"],
                      "Type": src["Origin"] if local else "CEN", "NextHopType": "VPC",
                      "NextHopInstanceId": src["VpcId"], "NextHopRegionId": src["RegionId"],
                      "Status": "Active", "ToOtherRegionStatus": "Active", "Preference": 0})
    status = req.get("Status")
    items = [i for i in items if status is None or i["Status"] == status]
    chunk, number, size = page_by_number(req, items, max_size=500)
    return {"CenRouteEntries": {"CenRouteEntry": chunk}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}




# A VPC attached to a Basic CEN is detached first (DeleteVpc: "DependencyViolation").
register_dependants("Vpc", "DependencyViolation", in_vpc("CenChildInstance"))
