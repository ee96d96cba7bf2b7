"""Cloud Enterprise Network instances (product Cbn, 2017-09-12): editions, shared lookups, tags.

The CEN family is split by resource:

- ``cen.py`` (this file): CEN instances (Creating -> Active, Deleting -> gone; name, description,
  ProtectionLevel, tags through TagResources / UntagResources / ListTagResources), the edition
  rules, and the lookups and pagination the other CEN files share.
- ``cen_grants.py``: cross-account grants (GrantInstanceToCen in the Vpc API,
  GrantInstanceToTransitRouter in the Cbn API) and the owner's views of them.
- ``cen_basic.py``: Basic Edition only: child attachments, route publication, Basic route learning.
- ``cen_bandwidth.py``: bandwidth packages, region-pair bandwidth limits (Basic) and the bandwidth
  the inter-region connections of Enterprise transit routers take from a package.
- ``transit_router*.py``: Enterprise Edition transit routers, their attachments and routes.

Editions. "Basic Edition transit routers are no longer sold in any Alibaba Cloud region;
Enterprise Edition is the default" (CEN docs, "How transit routers work"). The edition belongs to
the transit router of one CEN in one region. A CEN created through the API is Enterprise, unless
the world switches on the legacy rule ``basic_cen_by_api``; a world file may also declare a
pre-existing Basic CEN (``cloudtwin.world``). In a region of a Basic CEN where no Enterprise
transit router exists, the region's transit router is Basic (``region_edition``) and only the
Basic calls work there; everywhere else only the Enterprise calls do.

Helpers for other kinds (pure, no Request needed): ``attached_children(state, cen_id)``,
``transit_routers_of(state, cen_id, region=None)``, ``region_edition(state, cen, region)``,
``new_cen(state, owner, ...)``, ``system_table_routes(routes_of_vpc)`` (a ``vpc.register_learned_routes``
provider for system tables). Request helpers shared by the CEN files: ``get_cen``, ``filters``, ``tags_param``,
``tags_match``, ``dry_run``, ``require_basic``; paging is base's ``page_by_number`` (PageNumber / PageSize)
and ``page_by_token`` (NextToken / MaxResults), which refuse sizes outside the documented range with the
gateway's ``Invalid<Name>``. The Basic helpers
``learned_routes_for_vpc``, ``cen_of_vpc``, ``published_routes`` and ``inter_region_bandwidth``
moved to ``cen_basic`` / ``cen_bandwidth`` and are still importable from here.

Error codes: ``ParameterCenInstanceId``, ``InvalidOperation.CenInstanceStatus``,
``InvalidOperation.AttachedChildInstanceExist``, ``ParameterIllegal.ProtectionLevel`` are the
documented ones; the twin's own choices are marked ``# undocumented``.
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from .base import REGION_OPTIONAL, ApiError, Request, Resource, State, action, page_by_number

GLOBAL = "global"  # CEN is a global service; its resources have no region
BASIC, ENTERPRISE = "Basic", "Enterprise"  # transit router editions (ListTransitRouters "Type")
PROTECTION_LEVELS = ("REDUCED", "FULL")


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())


# --- request helpers shared by the CEN files -------------------------------------------------------

def filters(req: Request) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for item in req.list("Filter"):
        if not isinstance(item, dict) or not item.get("Key"):
            continue
        values = [v for k, v in sorted(item.items()) if k.startswith("Value")]
        out.setdefault(item["Key"], []).extend(values)
    return out


def tags_param(req: Request) -> List[Dict[str, str]]:
    """``Tag.N.Key`` / ``Tag.N.Value`` -> [{"Key", "Value"}]."""
    return [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in req.list("Tag")
            if isinstance(t, dict) and t.get("Key")]


def tags_match(res: Resource, wanted: List[Dict[str, str]]) -> bool:
    have = {t["Key"]: t.get("Value", "") for t in res.get("Tags", [])}
    return all(t.get("Key") in have and (t.get("Value") in (None, "") or have[t["Key"]] == t["Value"])
               for t in wanted if isinstance(t, dict))


def dry_run(req: Request, error: bool = True) -> bool:
    """DryRun=true after the checks passed: the ``DryRunOperation`` error (400), or, for the calls whose
    model docstring says "the system returns the ID of the request", a plain success (True)."""
    if not req.bool("DryRun", False):
        return False
    if error:
        raise ApiError("DryRunOperation", "Request validation has been passed with DryRun flag set.")
    return True


# --- lookups -------------------------------------------------------------------------------

def get_cen(req: Request, cen_id: Optional[str] = None, active: bool = False,
            missing_code: str = "ParameterCenInstanceId") -> Resource:
    cen_id = cen_id or req.require("CenId")
    cen = req.state.find("Cen", cen_id)
    if cen is None or cen.owner != req.account.uid or not req.state.visible(cen):
        raise ApiError(missing_code, f"The specified CenId ({cen_id}) does not exist.")
    if active and cen["Status"] != "Active":
        raise ApiError("InvalidOperation.CenInstanceStatus",
                       f"The operation is invalid because the CEN {cen_id} is {cen['Status']}.")
    return cen


def attached_children(state: State, cen_id: str, statuses: Tuple[str, ...] = ("Attached",)) -> List[Resource]:
    """Basic Edition child attachments of a CEN (any status when ``statuses`` is empty)."""
    return [a for a in state.all("CenChildInstance", include_invisible=True)
            if a["CenId"] == cen_id and (not statuses or a["Status"] in statuses)]


def transit_routers_of(state: State, cen_id: str, region: Optional[str] = None) -> List[Resource]:
    """Enterprise Edition transit routers of a CEN (every status)."""
    return [tr for tr in state.all("TransitRouter", include_invisible=True)
            if tr["CenId"] == cen_id and (region is None or tr.region == region)]


def system_table_routes(routes_of_vpc: Callable[[State, Resource], List[Dict[str, Any]]]
                        ) -> Callable[[State, Resource], List[Dict[str, Any]]]:
    """A ``vpc.register_learned_routes`` provider that answers ``routes_of_vpc(state, vpc)`` for a VPC's system
    route table and nothing for other tables (CEN routes land in the system table only)."""
    def provider(state: State, table: Resource) -> List[Dict[str, Any]]:
        vpc = state.find("Vpc", table["VpcId"])
        if vpc is None or table.id != vpc["RouteTableId"]:
            return []
        return routes_of_vpc(state, vpc)
    return provider


# --- editions ----------------------------------------------------------------------------------

def region_edition(state: State, cen: Resource, region: str) -> str:
    """The edition of ``cen``'s transit router in ``region`` (Basic only for a legacy CEN there)."""
    if transit_routers_of(state, cen.id, region):
        return ENTERPRISE
    return cen["Edition"]


def require_basic(state: State, cen: Resource, regions: Tuple[str, ...], action_name: str,
                  code: str = "OperationUnsupported.TransitRouterType") -> None:
    """Refuse a Basic-only call where the CEN's transit router is Enterprise.

    The code is the one the CBN reference lists for "The specified TransitRouterType does not
    support the operation" (CreateTransitRouterVpcAttachment, DeleteTransitRouterVpcAttachment).
    """
    for region in regions:
        if region_edition(state, cen, region) != BASIC:
            raise ApiError(code, f"{action_name} works on Basic Edition transit routers only; the transit router of "
                                 f"CEN {cen.id} in {region} is Enterprise Edition (Basic Edition is no longer "
                                 "sold). Use the transit router calls instead (CreateTransitRouterVpcAttachment, "
                                 "route tables, CreateTransitRouterPeerAttachment).")


def new_cen(state: State, owner: str, name: str = "", description: str = "", level: str = "REDUCED",
            tags: Optional[List[Dict[str, str]]] = None, edition: str = ENTERPRISE,
            status: str = "Creating") -> Resource:
    """A CEN instance (the API's CreateCen and a world file's pre-existing CENs)."""
    cen_id = state.new_id("cen")
    return state.add("Cen", cen_id, owner, GLOBAL, {
        "CenId": cen_id, "Name": name, "Description": description, "ProtectionLevel": level,
        "Status": status, "CreationTime": now_iso(), "ResourceGroupId": "", "Tags": list(tags or []),
        "Edition": edition,  # twin-internal: the API shows it per transit router (ListTransitRouters Type)
    })


# --- CEN instances -----------------------------------------------------------------------------

def _cen_view(state: State, cen: Resource) -> Dict[str, Any]:
    return {
        "CenId": cen.id, "Name": cen["Name"], "Description": cen["Description"],
        "ProtectionLevel": cen["ProtectionLevel"], "Status": cen["Status"], "CreationTime": cen["CreationTime"],
        "ResourceGroupId": cen.get("ResourceGroupId", ""), "Ipv6Level": "DISABLED",
        "Tags": {"Tag": [dict(t) for t in cen.get("Tags", [])]},
        "CenBandwidthPackageIds": {"CenBandwidthPackageId": [
            p.id for p in state.all("CenBandwidthPackage", include_invisible=True) if cen.id in p["CenIds"]]},
    }


def _protection_level(req: Request, default: Optional[str]) -> Optional[str]:
    level = req.get("ProtectionLevel", default)
    if level is not None and level not in PROTECTION_LEVELS:
        raise ApiError("ParameterIllegal.ProtectionLevel", f"The specified ProtectionLevel {level} is invalid.")
    return level


@action("Cbn", "CreateCen", idempotent=True)
def create_cen(req: Request) -> Dict[str, Any]:
    level = _protection_level(req, "REDUCED")
    # Today a CEN made through the API gets Enterprise Edition transit routers ("How transit routers work").
    edition = BASIC if req.state.legacy("basic_cen_by_api") else ENTERPRISE
    cen = new_cen(req.state, req.account.uid, req.get("Name", ""), req.get("Description", ""), level,
                  tags_param(req), edition)
    req.state.schedule(cen, "Status", "Active")
    return {"CenId": cen.id}


@action("Cbn", "DescribeCens")
def describe_cens(req: Request) -> Dict[str, Any]:
    wanted = filters(req)
    tags = req.list("Tag")
    cens = [c for c in req.state.all("Cen", owner=req.account.uid)
            if all(c.get(key) in values for key, values in wanted.items() if key in ("CenId", "Name"))
            and tags_match(c, tags)]
    chunk, number, size = page_by_number(req, cens)
    return {"Cens": {"Cen": [_cen_view(req.state, c) for c in chunk]}, "TotalCount": len(cens),
            "PageNumber": number, "PageSize": size}


@action("Cbn", "ModifyCenAttribute")
def modify_cen_attribute(req: Request) -> Dict[str, Any]:
    cen = get_cen(req, active=True)
    _protection_level(req, None)
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
    routers = transit_routers_of(req.state, cen.id)
    if routers:
        raise ApiError("InvalidOperation.TransitRouterExist",  # undocumented
                       f"The CEN {cen.id} cannot be deleted while transit routers exist "
                       f"({', '.join(tr.id for tr in routers)}); delete them first (DeleteTransitRouter).")
    packages = [p.id for p in req.state.all("CenBandwidthPackage", include_invisible=True) if cen.id in p["CenIds"]]
    if packages:
        raise ApiError("InvalidOperation.CenBandwidthPackageAssociated",  # undocumented
                       f"The CEN {cen.id} cannot be deleted while bandwidth packages are associated "
                       f"({', '.join(packages)}); unassociate them first.")
    cen["Status"] = "Deleting"
    req.state.schedule(cen, "Status", "Deleted", then=req.state.remove)
    return {}


# --- tags ------------------------------------------------------------------------------------

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


@action("Cbn", "TagResources", region=REGION_OPTIONAL)
def tag_resources(req: Request) -> Dict[str, Any]:
    for res in _tag_targets(req):
        tags = {t["Key"]: t.get("Value", "") for t in res.get("Tags", [])}
        for tag in tags_param(req):
            tags[tag["Key"]] = tag["Value"]
        res["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return {}


@action("Cbn", "UntagResources", region=REGION_OPTIONAL)
def untag_resources(req: Request) -> Dict[str, Any]:
    keys = set(req.list("TagKey"))
    remove_all = req.bool("All", False)
    for res in _tag_targets(req):
        res["Tags"] = [t for t in res.get("Tags", []) if not remove_all and t["Key"] not in keys]
    return {}


@action("Cbn", "ListTagResources", region=REGION_OPTIONAL)
def list_tag_resources(req: Request) -> Dict[str, Any]:
    out = []
    for res in _tag_targets(req):
        for tag in res.get("Tags", []):
            out.append({"ResourceId": res.id, "ResourceType": req.get("ResourceType"),
                        "TagKey": tag["Key"], "TagValue": tag.get("Value", "")})
    return {"TagResources": {"TagResource": out}, "NextToken": ""}


# --- helpers that moved to the Basic / bandwidth files, still importable from here ---------------

_MOVED = {
    "learned_routes_for_vpc": "cen_basic", "learned_for_vpc": "cen_basic", "cen_of_vpc": "cen_basic",
    "published_routes": "cen_basic", "inter_region_bandwidth": "cen_bandwidth",
}


def __getattr__(name: str) -> Any:  # PEP 562: resolved lazily, so no import cycle
    if name in _MOVED:
        return getattr(importlib.import_module(f"{__package__}.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
