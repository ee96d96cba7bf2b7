"""Cloud Enterprise Network, Basic Edition (product Cbn, 2017-09-12) plus the VPC-side grants.

What is modelled:

- CEN instances: Creating -> Active, Deleting -> gone; name, description, ProtectionLevel,
  tags (on create and through TagResources / UntagResources / ListTagResources).
  DeleteCen is refused while a child is attached or a bandwidth package is associated.
- Child attachments (VPC only): Attaching -> Attached, Detaching -> gone. A child in another
  account needs that account's GrantInstanceToCen first (a Vpc 2016-04-28 action, as in the
  official SDK: ``alibabacloud_vpc20160428`` has GrantInstanceToCen / RevokeInstanceFromCen /
  DescribeGrantRulesToCen; the Cbn SDK has a CEN-owner view, DescribeGrantRulesToCen, too).
- Route publication: custom entries of an attached VPC's route table are published to CEN
  (PublishStatus NonPublished -> Published) and withdrawn again.
- Route learning: each attached VPC learns the vSwitch CIDRs of every other attached VPC (all
  regions) and the routes the others published. A learned route equal to a local route (a
  custom entry or a vSwitch CIDR of the VPC), or inside a local vSwitch, is not installed: it
  reads ``Status: Rejected`` with a ``Conflicts`` entry in DescribeCenChildInstanceRouteEntries.
  Installed routes appear in the VPC's DescribeRouteEntryList as ``Type: CEN`` entries
  (registered through ``vpc.register_learned_routes``). A more specific custom route of the VPC
  still wins by longest prefix match: nothing is removed for it.
- Bandwidth packages between two geographic areas, associated to a CEN, and inter-region
  bandwidth limits cut from them. An attached cross-region pair without a limit has only the
  1 Kbps test bandwidth (``inter_region_bandwidth`` says so; the API lists only set limits).

Helpers for other kinds and for the reachability engine (pure, no Request needed):
``learned_routes_for_vpc(state, vpc)``, ``cen_of_vpc(state, vpc_id)``,
``attached_children(state, cen_id)``, ``published_routes(state, cen_id)``,
``inter_region_bandwidth(state, cen_id, region_a, region_b)``.

Error codes: ``ParameterCenInstanceId``, ``ParameterInstanceId`` (child not attached),
``Forbbiden.AttachChildInstanceAcrossUid`` (sic, the cloud's spelling; no grant),
``InvalidOperation.ChildInstanceAlreadyAttached``, ``InvalidOperation.CenInstanceStatus``,
``InvalidOperation.UnsupportnexthopType`` (sic), ``InvalidOperation.BwpForGeoSpanAlreadyAssociated``,
``InvalidOperation.BwpInstanceStatus``, ``Forbidden.Release``, ``ParameterIllegal.BandwidthLimit``,
``ParameterIllegal.RegionId``, ``ParameterIllegal.ChildInstanceType`` are the documented ones.
The twin's own choices where no documented code was found are marked ``# undocumented``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from typing import Any, Dict, List, Optional, Tuple

from .base import ApiError, Request, Resource, State, action
from .vpc import register_learned_routes, system_table, vswitches_of

GLOBAL = "global"  # CEN is a global service; its resources have no region
PUBLISHABLE_NEXT_HOPS = ("Instance", "VpnGateway", "RouterInterface", "HaVip", "NetworkInterface")
GEOGRAPHIC_REGIONS = ("China", "Asia-Pacific", "Europe", "North-America", "Australia", "Middle-East")
TEST_BANDWIDTH_KBPS = 1


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())


def geographic_region(region_id: str) -> str:
    """Region id -> the geographic area bandwidth packages are sold between."""
    if region_id.startswith("cn-") and region_id not in ("cn-hongkong",):
        return "China"
    if region_id in ("ap-southeast-2",) or region_id.startswith("au-"):
        return "Australia"
    if region_id.startswith(("ap-", "cn-hongkong")):
        return "Asia-Pacific"
    if region_id.startswith(("us-", "na-")):
        return "North-America"
    if region_id.startswith("me-"):
        return "Middle-East"
    return "Europe"


def _span(area_a: str, area_b: str) -> Tuple[str, str]:
    return tuple(sorted((area_a.lower(), area_b.lower())))  # type: ignore[return-value]


def _page(req: Request, items: List[Any], default_size: int = 10, max_size: int = 50) -> tuple:
    number = req.int("PageNumber", 1) or 1
    size = min(req.int("PageSize", default_size) or default_size, max_size)
    return items[(number - 1) * size: number * size], number, size


def _filters(req: Request) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for item in req.list("Filter"):
        if not isinstance(item, dict) or not item.get("Key"):
            continue
        values = [v for k, v in sorted(item.items()) if k.startswith("Value")]
        out.setdefault(item["Key"], []).extend(values)
    return out


def _tags_match(res: Resource, wanted: List[Dict[str, str]]) -> bool:
    have = {t["Key"]: t.get("Value", "") for t in res.get("Tags", [])}
    return all(t.get("Key") in have and (t.get("Value") in (None, "") or have[t["Key"]] == t["Value"])
               for t in wanted if isinstance(t, dict))


# --- lookups -------------------------------------------------------------------------------

def get_cen(req: Request, cen_id: Optional[str] = None, active: bool = False) -> Resource:
    cen_id = cen_id or req.require("CenId")
    cen = req.state.find("Cen", cen_id)
    if cen is None or cen.owner != req.account.uid or not req.state.visible(cen):
        raise ApiError("ParameterCenInstanceId", f"The specified CenId ({cen_id}) does not exist.")
    if active and cen["Status"] != "Active":
        raise ApiError("InvalidOperation.CenInstanceStatus",
                       f"The operation is invalid because the CEN {cen_id} is {cen['Status']}.")
    return cen


def attachment_id(cen_id: str, child_id: str) -> str:
    return f"{cen_id}/{child_id}"


def attached_children(state: State, cen_id: str, statuses: Tuple[str, ...] = ("Attached",)) -> List[Resource]:
    return [a for a in state.all("CenChildInstance", include_invisible=True)
            if a["CenId"] == cen_id and (not statuses or a["Status"] in statuses)]


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


def _local_conflict(state: State, vpc: Resource, dest: str) -> Optional[Dict[str, Any]]:
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
        conflict = _local_conflict(state, vpc, dest)
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


def _learned_provider(state: State, table: Resource) -> List[Dict[str, Any]]:
    vpc = state.find("Vpc", table["VpcId"])
    if vpc is None or table.id != vpc["RouteTableId"]:
        return []
    return learned_routes_for_vpc(state, vpc)


register_learned_routes(_learned_provider)


# --- bandwidth (pure) ----------------------------------------------------------------------------

def inter_region_bandwidth(state: State, cen_id: str, region_a: str, region_b: str) -> Dict[str, Any]:
    """Bandwidth CEN gives traffic between two regions.

    ``{"kbps": None, "source": "Local"}`` inside one region, ``{"kbps": n * 1000, "source":
    "BandwidthPackage", "limit_mbps": n}`` with a limit, else the 1 Kbps test bandwidth
    ``{"kbps": 1, "source": "Test"}``.
    """
    if region_a == region_b:
        return {"kbps": None, "source": "Local"}
    limit = state.find("CenBandwidthLimit", _limit_id(cen_id, region_a, region_b))
    if limit is not None and not limit.deleted:
        return {"kbps": limit["BandwidthLimit"] * 1000, "source": "BandwidthPackage",
                "limit_mbps": limit["BandwidthLimit"]}
    return {"kbps": TEST_BANDWIDTH_KBPS, "source": "Test"}


def _limit_id(cen_id: str, region_a: str, region_b: str) -> str:
    a, b = sorted((region_a, region_b))
    return f"{cen_id}/{a}/{b}"


# --- CEN instances ---------------------------------------------------------------------------------

def _cen_view(state: State, cen: Resource) -> Dict[str, Any]:
    return {
        "CenId": cen.id, "Name": cen["Name"], "Description": cen["Description"],
        "ProtectionLevel": cen["ProtectionLevel"], "Status": cen["Status"], "CreationTime": cen["CreationTime"],
        "ResourceGroupId": cen.get("ResourceGroupId", ""), "Ipv6Level": "DISABLED",
        "Tags": {"Tag": [dict(t) for t in cen.get("Tags", [])]},
        "CenBandwidthPackageIds": {"CenBandwidthPackageId": [
            p.id for p in state.all("CenBandwidthPackage", include_invisible=True) if cen.id in p["CenIds"]]},
    }


@action("Cbn", "CreateCen", idempotent=True)
def create_cen(req: Request) -> Dict[str, Any]:
    level = req.get("ProtectionLevel", "REDUCED")
    if level not in ("REDUCED", "FULL"):
        raise ApiError("ParameterIllegal.ProtectionLevel", f"The specified ProtectionLevel {level} is invalid.")
    cen_id = req.state.new_id("cen")
    cen = req.state.add("Cen", cen_id, req.account.uid, GLOBAL, {
        "CenId": cen_id, "Name": req.get("Name", ""), "Description": req.get("Description", ""),
        "ProtectionLevel": level, "Status": "Creating", "CreationTime": now_iso(), "ResourceGroupId": "",
        "Tags": [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in req.list("Tag") if isinstance(t, dict)],
    })
    req.state.schedule(cen, "Status", "Active")
    return {"CenId": cen_id}


@action("Cbn", "DescribeCens")
def describe_cens(req: Request) -> Dict[str, Any]:
    filters = _filters(req)
    tags = req.list("Tag")
    cens = [c for c in req.state.all("Cen", owner=req.account.uid)
            if all(c.get(key) in values for key, values in filters.items() if key in ("CenId", "Name"))
            and _tags_match(c, tags)]
    page, number, size = _page(req, cens)
    return {"Cens": {"Cen": [_cen_view(req.state, c) for c in page]}, "TotalCount": len(cens),
            "PageNumber": number, "PageSize": size}


@action("Cbn", "ModifyCenAttribute")
def modify_cen_attribute(req: Request) -> Dict[str, Any]:
    cen = get_cen(req, active=True)
    level = req.get("ProtectionLevel")
    if level is not None and level not in ("REDUCED", "FULL"):
        raise ApiError("ParameterIllegal.ProtectionLevel", f"The specified ProtectionLevel {level} is invalid.")
    for key in ("Name", "Description", "ProtectionLevel"):
        if req.params.get(key) is not None:
            cen[key] = req.params[key]
    return {}


@action("Cbn", "DeleteCen")
def delete_cen(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    if cen["Status"] == "Deleting":
        raise ApiError("InvalidOperation.CenInstanceStatus", f"The CEN {cen.id} is being deleted.")
    children = attached_children(req.state, cen.id, statuses=())
    if children:
        raise ApiError("InvalidOperation.AttachedChildInstanceExist",
                       f"The CEN {cen.id} cannot be deleted while network instances are attached "
                       f"({', '.join(a['ChildInstanceId'] for a in children)}); detach them first.")
    packages = [p.id for p in req.state.all("CenBandwidthPackage", include_invisible=True) if cen.id in p["CenIds"]]
    if packages:
        raise ApiError("InvalidOperation.CenBandwidthPackageAssociated",  # undocumented
                       f"The CEN {cen.id} cannot be deleted while bandwidth packages are associated "
                       f"({', '.join(packages)}); unassociate them first.")
    cen["Status"] = "Deleting"
    req.state.schedule(cen, "Status", "Deleted", then=req.state.remove)
    return {}


def _tag_targets(req: Request) -> List[Resource]:
    kind = {"cen": "Cen", "bandwidthpackage": "CenBandwidthPackage"}.get(str(req.require("ResourceType")).lower())
    if kind is None:
        raise ApiError("InvalidParameter.ResourceType", f"The ResourceType {req.get('ResourceType')} is invalid.")
    ids = req.list("ResourceId")
    if not ids:
        return req.state.all(kind, owner=req.account.uid)
    out = []
    for rid in ids:
        res = req.state.find(kind, rid)
        if res is None or res.owner != req.account.uid:
            raise ApiError("InvalidResourceId.NotFound", f"The specified resource {rid} does not exist.", 404)
        out.append(res)
    return out


@action("Cbn", "TagResources")
def tag_resources(req: Request) -> Dict[str, Any]:
    for res in _tag_targets(req):
        tags = {t["Key"]: t.get("Value", "") for t in res.get("Tags", [])}
        for tag in req.list("Tag"):
            if isinstance(tag, dict) and tag.get("Key"):
                tags[tag["Key"]] = tag.get("Value", "")
        res["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return {}


@action("Cbn", "UntagResources")
def untag_resources(req: Request) -> Dict[str, Any]:
    keys = set(req.list("TagKey"))
    remove_all = req.bool("All", False)
    for res in _tag_targets(req):
        res["Tags"] = [t for t in res.get("Tags", []) if not remove_all and t["Key"] not in keys]
    return {}


@action("Cbn", "ListTagResources")
def list_tag_resources(req: Request) -> Dict[str, Any]:
    out = []
    for res in _tag_targets(req):
        for tag in res.get("Tags", []):
            out.append({"ResourceId": res.id, "ResourceType": req.get("ResourceType"),
                        "TagKey": tag["Key"], "TagValue": tag.get("Value", "")})
    return {"TagResources": {"TagResource": out}, "NextToken": ""}


# --- grants (Vpc product: the child's owner grants; Cbn: the CEN owner's view) -----------------------

def _grant_id(cen_id: str, instance_id: str) -> str:
    return f"{cen_id}/{instance_id}"


def _grant_params(req: Request) -> Tuple[str, str, Resource]:
    from .vpc import get_vpc

    cen_id = req.require("CenId")
    cen_owner = str(req.require("CenOwnerId"))
    if str(req.get("InstanceType", "VPC")).upper() != "VPC":
        raise ApiError("InvalidParameter.InstanceType", "The twin supports InstanceType VPC only.")
    vpc = get_vpc(req, req.require("InstanceId"))
    return cen_id, cen_owner, vpc


@action("Vpc", "GrantInstanceToCen", idempotent=True)
def grant_instance_to_cen(req: Request) -> Dict[str, Any]:
    cen_id, cen_owner, vpc = _grant_params(req)
    gid = _grant_id(cen_id, vpc.id)
    grant = req.state.find("CenGrant", gid)
    if grant is None or grant.deleted:
        req.state.add("CenGrant", gid, req.account.uid, vpc.region, {
            "CenInstanceId": cen_id, "CenOwnerId": int(cen_owner), "ChildInstanceId": vpc.id,
            "ChildInstanceType": "VPC", "ChildInstanceRegionId": vpc.region,
            "ChildInstanceOwnerId": int(req.account.uid), "CreationTime": now_iso(),
        })
    else:
        grant["CenOwnerId"] = int(cen_owner)
    return {}


@action("Vpc", "RevokeInstanceFromCen")
def revoke_instance_from_cen(req: Request) -> Dict[str, Any]:
    cen_id, _, vpc = _grant_params(req)
    grant = req.state.find("CenGrant", _grant_id(cen_id, vpc.id))
    if grant is not None:
        req.state.remove(grant)
    return {}


@action("Vpc", "DescribeGrantRulesToCen")
def describe_grant_rules_to_cen_vpc(req: Request) -> Dict[str, Any]:
    from .vpc import get_vpc

    vpc = get_vpc(req, req.require("InstanceId"))
    grants = [g for g in req.state.all("CenGrant", owner=req.account.uid) if g["ChildInstanceId"] == vpc.id]
    page, number, size = _page(req, grants)
    return {"CenGrantRules": {"CbnGrantRule": [
        {"CenInstanceId": g["CenInstanceId"], "CenOwnerId": g["CenOwnerId"], "CreationTime": g["CreationTime"]}
        for g in page]}, "TotalCount": len(grants), "PageNumber": number, "PageSize": size}


@action("Cbn", "DescribeGrantRulesToCen")
def describe_grant_rules_to_cen_cbn(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    child_id = req.get("ChildInstanceId")
    child_owner = req.get("ChildInstanceOwnerId")
    region = req.get("RegionId")
    grants = [g for g in req.state.all("CenGrant") if g["CenInstanceId"] == cen.id
              and str(g["CenOwnerId"]) == cen.owner and (child_id is None or g["ChildInstanceId"] == child_id)
              and (child_owner is None or str(g["ChildInstanceOwnerId"]) == str(child_owner))
              and (region is None or g["ChildInstanceRegionId"] == region)]
    rules = [{"CenId": cen.id, "CenOwnerId": g["CenOwnerId"], "ChildInstanceId": g["ChildInstanceId"],
              "ChildInstanceOwnerId": g["ChildInstanceOwnerId"], "ChildInstanceRegionId": g["ChildInstanceRegionId"],
              "ChildInstanceType": "VPC", "CreateTime": g["CreationTime"]} for g in grants]
    return {"GrantRules": {"GrantRule": rules}, "TotalCount": len(rules), "MaxResults": len(rules), "NextToken": ""}


def _granted(state: State, cen: Resource, vpc: Resource) -> bool:
    grant = state.find("CenGrant", _grant_id(cen.id, vpc.id))
    return grant is not None and not grant.deleted and str(grant["CenOwnerId"]) == cen.owner \
        and grant.owner == vpc.owner


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
        out["ChildInstanceAttributes"] = {"CidrBlock": vpc["CidrBlock"] if vpc else "",
                                          "SecondaryCidrBlocks": {"SecondaryCidrBlock": []}}
    return out


@action("Cbn", "AttachCenChildInstance")
def attach_cen_child_instance(req: Request) -> Dict[str, Any]:
    cen = get_cen(req, active=True)
    _child_type(req)
    child_id = req.require("ChildInstanceId")
    region = req.require("ChildInstanceRegionId")
    owner = str(req.get("ChildInstanceOwnerId") or req.account.uid)
    vpc = req.state.find("Vpc", child_id)
    if vpc is None or vpc.owner != owner or vpc.region != region or not req.state.visible(vpc):
        raise ApiError("ParameterIllegal.ChildInstanceId",
                       f"The parameter of child instance id is illegal: no VPC {child_id} of account {owner} "
                       f"in {region}.")
    if owner != req.account.uid and not _granted(req.state, cen, vpc):
        raise ApiError("Forbbiden.AttachChildInstanceAcrossUid",
                       "Operation is invalid because the child-instance is not authorized to CEN.", 409)
    for other in req.state.all("CenChildInstance", include_invisible=True):
        if other["ChildInstanceId"] == child_id:
            raise ApiError("InvalidOperation.ChildInstanceAlreadyAttached",
                           "Operation is invalid because the child-instance has already been attached to "
                           f"another CEN ({other['CenId']}).", 409)
    att = req.state.add("CenChildInstance", attachment_id(cen.id, child_id), cen.owner, region, {
        "CenId": cen.id, "ChildInstanceId": child_id, "ChildInstanceType": "VPC",
        "ChildInstanceRegionId": region, "ChildInstanceOwnerId": int(owner), "Status": "Attaching",
        "ChildInstanceAttachTime": now_iso(), "VpcId": child_id,  # VpcId: DeleteVpc sees the dependency
    })
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
    page, number, size = _page(req, items)
    return {"ChildInstances": {"ChildInstance": [_attachment_view(req.state, a) for a in page]},
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
    page, number, size = _page(req, items, max_size=500)
    return {"PublishedRouteEntries": {"PublishedRouteEntry": page}, "TotalCount": len(items),
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
    page, number, size = _page(req, items, max_size=500)
    return {"CenRouteEntries": {"CenRouteEntry": page}, "TotalCount": len(items),
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
    page, number, size = _page(req, items, max_size=500)
    return {"CenRouteEntries": {"CenRouteEntry": page}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}


# --- bandwidth packages and inter-region limits ----------------------------------------------------------

def _area(req: Request, name: str) -> str:
    value = str(req.require(name))
    for area in GEOGRAPHIC_REGIONS:
        if area.lower() == value.lower():
            return area
    raise ApiError(f"ParameterIllegal.{name}",  # undocumented
                   f"The specified {name} {value} is invalid; valid values: {', '.join(GEOGRAPHIC_REGIONS)}.")


def _package_view(state: State, pkg: Resource) -> Dict[str, Any]:
    limits = [lim for lim in state.all("CenBandwidthLimit", include_invisible=True) if lim["BandwidthPackageId"] == pkg.id]
    out = {k: pkg[k] for k in ("CenBandwidthPackageId", "Name", "Description", "Bandwidth",
                               "BandwidthPackageChargeType", "BusinessStatus", "Status", "CreationTime",
                               "ExpiredTime", "GeographicRegionAId", "GeographicRegionBId", "GeographicSpanId",
                               "IsCrossBorder", "ResourceGroupId", "HasReservationData")}
    out["CenIds"] = {"CenId": list(pkg["CenIds"])}
    out["Tags"] = {"Tag": [dict(t) for t in pkg.get("Tags", [])]}
    out["OrginInterRegionBandwidthLimits"] = {"OrginInterRegionBandwidthLimit": [
        {"LocalRegionId": lim["LocalRegionId"], "OppositeRegionId": lim["OppositeRegionId"],
         "BandwidthLimit": str(lim["BandwidthLimit"]), "GeographicSpanId": pkg["GeographicSpanId"]} for lim in limits]}
    return out


def get_package(req: Request, pkg_id: Optional[str] = None) -> Resource:
    pkg_id = pkg_id or req.require("CenBandwidthPackageId")
    pkg = req.state.find("CenBandwidthPackage", pkg_id)
    if pkg is None or pkg.owner != req.account.uid:
        raise ApiError("ParameterIllegal.BwpInstanceId", "The parameter of bandwidth package instance id is illegal.")
    return pkg


@action("Cbn", "CreateCenBandwidthPackage", idempotent=True)
def create_cen_bandwidth_package(req: Request) -> Dict[str, Any]:
    area_a, area_b = _area(req, "GeographicRegionAId"), _area(req, "GeographicRegionBId")
    bandwidth = req.int("Bandwidth")
    if bandwidth is None:
        raise ApiError("MissingParameter", 'The input parameter "Bandwidth" that is mandatory for processing '
                                           "this request is not supplied.")
    if bandwidth < 1:
        raise ApiError("ParameterIllegal.Bandwidth", f"The specified Bandwidth {bandwidth} is invalid.")  # undocumented
    charge = req.get("BandwidthPackageChargeType", "PREPAY")
    if charge not in ("PREPAY", "POSTPAY"):
        raise ApiError("ParameterIllegal.BandwidthPackageChargeType",  # undocumented
                       f"The specified BandwidthPackageChargeType {charge} is invalid.")
    pkg_id = req.state.new_id("cenbwp")
    span = "_".join(_span(area_a, area_b))
    req.state.add("CenBandwidthPackage", pkg_id, req.account.uid, GLOBAL, {
        "CenBandwidthPackageId": pkg_id, "Name": req.get("Name", ""), "Description": req.get("Description", ""),
        "Bandwidth": bandwidth, "BandwidthPackageChargeType": charge, "BusinessStatus": "Normal",
        "Status": "Idle", "CreationTime": now_iso(),
        "ExpiredTime": "2099-12-31T16:00Z" if charge == "PREPAY" else "",
        "GeographicRegionAId": area_a, "GeographicRegionBId": area_b, "GeographicSpanId": span,
        "IsCrossBorder": (area_a == "China") != (area_b == "China"), "ResourceGroupId": "",
        "HasReservationData": "false", "CenIds": [],
        "Tags": [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in req.list("Tag") if isinstance(t, dict)],
    })
    return {"CenBandwidthPackageId": pkg_id, "CenBandwidthPackageOrderId": str(abs(hash(pkg_id)) % 10 ** 14)}


@action("Cbn", "DescribeCenBandwidthPackages")
def describe_cen_bandwidth_packages(req: Request) -> Dict[str, Any]:
    filters = _filters(req)
    tags = req.list("Tag")
    or_keys = req.bool("IsOrKey", False)

    def match(pkg: Resource, key: str, values: List[str]) -> bool:
        if key == "CenId":
            return any(v in pkg["CenIds"] for v in values)
        return str(pkg.get(key)) in values

    pkgs = []
    for pkg in req.state.all("CenBandwidthPackage", owner=req.account.uid):
        checks = [match(pkg, k, v) for k, v in filters.items()
                  if k in ("CenBandwidthPackageId", "Name", "CenId", "Status")]
        if checks and not (any(checks) if or_keys else all(checks)):
            continue
        if _tags_match(pkg, tags):
            pkgs.append(pkg)
    page, number, size = _page(req, pkgs)
    return {"CenBandwidthPackages": {"CenBandwidthPackage": [_package_view(req.state, p) for p in page]},
            "TotalCount": len(pkgs), "PageNumber": number, "PageSize": size}


@action("Cbn", "ModifyCenBandwidthPackageAttribute")
def modify_cen_bandwidth_package_attribute(req: Request) -> Dict[str, Any]:
    pkg = get_package(req)
    for key in ("Name", "Description"):
        if req.params.get(key) is not None:
            pkg[key] = req.params[key]
    return {}


def _package_limits(state: State, pkg: Resource) -> List[Resource]:
    return [lim for lim in state.all("CenBandwidthLimit", include_invisible=True) if lim["BandwidthPackageId"] == pkg.id]


@action("Cbn", "ModifyCenBandwidthPackageSpec")
def modify_cen_bandwidth_package_spec(req: Request) -> Dict[str, Any]:
    pkg = get_package(req)
    bandwidth = req.int("Bandwidth")
    if bandwidth is None or bandwidth < 1:
        raise ApiError("ParameterIllegal.Bandwidth", f"The specified Bandwidth {bandwidth} is invalid.")  # undocumented
    used = sum(lim["BandwidthLimit"] for lim in _package_limits(req.state, pkg))
    if bandwidth < used:
        raise ApiError("ParameterIllegal.BandwidthLimit",
                       f"The parameter of bandwidth limit is illegal: the package's inter-region limits use {used} "
                       f"Mbit/s, more than {bandwidth}.")
    pkg["Bandwidth"] = bandwidth
    return {}


@action("Cbn", "AssociateCenBandwidthPackage")
def associate_cen_bandwidth_package(req: Request) -> Dict[str, Any]:
    cen = get_cen(req, active=True)
    pkg = get_package(req)
    if cen.id in pkg["CenIds"]:
        return {}
    if pkg["CenIds"]:
        raise ApiError("InvalidOperation.BwpInstanceStatus",
                       "The CBN bandwidth package is not in a valid state for the operation "
                       f"(already associated with {pkg['CenIds'][0]}).", 403)
    for other in req.state.all("CenBandwidthPackage", include_invisible=True):
        if cen.id in other["CenIds"] and other["GeographicSpanId"] == pkg["GeographicSpanId"]:
            raise ApiError("InvalidOperation.BwpForGeoSpanAlreadyAssociated",
                           "Operation is invalid because a CEN bandwidth package of the same geographic span is "
                           "already associated.", 409)
    pkg["CenIds"] = [cen.id]
    pkg["Status"] = "InUse"
    return {}


@action("Cbn", "UnassociateCenBandwidthPackage")
def unassociate_cen_bandwidth_package(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    pkg = get_package(req)
    if cen.id not in pkg["CenIds"]:
        raise ApiError("InvalidOperation.BwpInstanceStatus",
                       f"The CBN bandwidth package is not associated with {cen.id}.", 403)
    if _package_limits(req.state, pkg):
        raise ApiError("InvalidOperation.InterRegionBandwidthLimitExist",  # undocumented
                       f"The bandwidth package {pkg.id} still carries inter-region bandwidth limits; set them to 0 "
                       "first.")
    pkg["CenIds"] = []
    pkg["Status"] = "Idle"
    return {}


@action("Cbn", "DeleteCenBandwidthPackage")
def delete_cen_bandwidth_package(req: Request) -> Dict[str, Any]:
    pkg = get_package(req)
    if pkg["CenIds"]:
        raise ApiError("InvalidOperation.BwpInstanceStatus",
                       "The CBN bandwidth package is not in a valid state for the operation "
                       f"(associated with {pkg['CenIds'][0]}).", 403)
    if pkg["BandwidthPackageChargeType"] == "PREPAY":
        raise ApiError("Forbidden.Release", "Forbidden to release a PREPAY bandwidth instance within validity period.",
                       403)
    req.state.remove(pkg)
    return {}


def _attached_regions(state: State, cen_id: str) -> set:
    return {a["ChildInstanceRegionId"] for a in attached_children(state, cen_id, statuses=("Attached", "Attaching"))}


@action("Cbn", "SetCenInterRegionBandwidthLimit")
def set_cen_inter_region_bandwidth_limit(req: Request) -> Dict[str, Any]:
    cen = get_cen(req, active=True)
    local, opposite = req.require("LocalRegionId"), req.require("OppositeRegionId")
    limit = req.int("BandwidthLimit")
    if limit is None:
        raise ApiError("MissingParameter", 'The input parameter "BandwidthLimit" that is mandatory for processing '
                                           "this request is not supplied.")
    if local == opposite:
        raise ApiError("ParameterIllegal.RegionId", "The local and opposite regions must differ.")
    regions = _attached_regions(req.state, cen.id)
    for region in (local, opposite):
        if region not in regions:
            raise ApiError("ParameterIllegal.RegionId",
                           f"The parameter of region id is illegal: no network instance of CEN {cen.id} is attached "
                           f"in {region}.")
    lid = _limit_id(cen.id, local, opposite)
    existing = req.state.find("CenBandwidthLimit", lid)
    if limit == 0:
        if existing is not None:
            req.state.remove(existing)
        return {}
    span = "_".join(_span(geographic_region(local), geographic_region(opposite)))
    pkg = next((p for p in req.state.all("CenBandwidthPackage", include_invisible=True)
                if cen.id in p["CenIds"] and p["GeographicSpanId"] == span), None)
    if pkg is None:
        raise ApiError("InvalidOperation.BwpNotExist",  # undocumented
                       f"The CEN {cen.id} has no bandwidth package for {geographic_region(local)} <-> "
                       f"{geographic_region(opposite)}; create and associate one first.")
    used = sum(lim["BandwidthLimit"] for lim in _package_limits(req.state, pkg) if lim.id != lid)
    if limit < 0 or limit > pkg["Bandwidth"] or used + limit > pkg["Bandwidth"]:
        raise ApiError("ParameterIllegal.BandwidthLimit",
                       f"The parameter of bandwidth limit is illegal: {limit} Mbit/s plus {used} Mbit/s already "
                       f"allocated exceeds the package's {pkg['Bandwidth']} Mbit/s.")
    if existing is not None:
        existing["BandwidthLimit"] = limit
        return {}
    req.state.add("CenBandwidthLimit", lid, cen.owner, GLOBAL, {
        "CenId": cen.id, "LocalRegionId": local, "OppositeRegionId": opposite, "BandwidthLimit": limit,
        "Status": "Active", "BandwidthPackageId": pkg.id, "GeographicSpanId": span,
        "BandwidthType": req.get("BandwidthType", "BandwidthPackage"),
    })
    return {}


@action("Cbn", "DescribeCenInterRegionBandwidthLimits")
def describe_cen_inter_region_bandwidth_limits(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    region = req.get("TrRegionId")
    limits = [lim for lim in req.state.all("CenBandwidthLimit", include_invisible=True) if lim["CenId"] == cen.id
              and (region is None or region in (lim["LocalRegionId"], lim["OppositeRegionId"]))]
    page, number, size = _page(req, limits)
    return {"CenInterRegionBandwidthLimits": {"CenInterRegionBandwidthLimit": [
        {k: lim[k] for k in ("CenId", "LocalRegionId", "OppositeRegionId", "BandwidthLimit", "Status",
                             "BandwidthPackageId", "GeographicSpanId", "BandwidthType")} for lim in page]},
        "TotalCount": len(limits), "PageNumber": number, "PageSize": size}
