"""Enterprise Edition transit routers (product Cbn, 2017-09-12): the routers and what their files share.

The Enterprise model is three files:

- ``transit_router.py`` (this file): CreateTransitRouter / ListTransitRouters / UpdateTransitRouter /
  DeleteTransitRouter, each router's system (default) route table, the zone rules, and the lookups the other
  two files use.
- ``transit_router_attachments.py``: VPC, inter-region (peer) and VPN attachments.
- ``transit_router_routes.py``: route tables, associations, route learning (propagations), static entries,
  the routes a table holds, and the VPC side (routes toward an attachment, route synchronization).

Rules here, each from the API reference or the SDK model docstrings:

- One transit router per CEN and region ("How transit routers work"); a second answers
  ``InstanceExist.TransitRouterInstance`` (CreateTransitRouter). A region where a legacy Basic CEN already has
  attached VPCs is served by that Basic transit router, so the same code answers there.
- A CEN whose ProtectionLevel is FULL has no Enterprise transit routers (``OperationUnsupported.CenFullLevel``).
- Creating -> Active; UpdateTransitRouter Modifying -> Active; DeleteTransitRouter Deleting -> gone, refused
  while attachments remain (``# undocumented`` code) or custom route tables / custom routes in the default
  table exist (``OperationFailed.DeleteTransitRouter``). Delays: the fault settings' ``delays`` per kind
  (``TransitRouter``, ``TransitRouterVpcAttachment``, ``TransitRouterPeerAttachment``,
  ``TransitRouterVpnAttachment``, ``TransitRouterRouteTable``, ``TransitRouterRouteTableAssociation``,
  ``TransitRouterRouteTablePropagation``, ``TransitRouterRouteEntry``).
- ListTransitRouters pages by PageNumber / PageSize (1 to 50); the other List calls of the family by
  NextToken / MaxResults. Page sizes above the documented maximum are refused.
- DryRun: ``DryRunOperation`` (400) after the checks, or a plain success where the model docstring says the
  dry run "returns the ID of the request" (``cen.dry_run``).

Pure helpers (no Request needed) for the reachability engine and the twin data plane:
``transit_routers(state, cen_id=None, region=None)``, ``transit_router_of(state, cen_id, region)``,
``attachment_of(state, attachment_id)``, ``attachments_of(state, tr_id)``, ``system_table_of(state, tr_id)``;
route helpers live in ``transit_router_routes``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Dict, List, Optional

from .base import REGION_OPTIONAL, REGION_REQUIRED, ApiError, Request, Resource, State, action, page_by_number
from .cen import (BASIC, ENTERPRISE, attached_children, dry_run, get_cen, now_iso, region_edition, tags_match,
                  tags_param, transit_routers_of)

ROUTER = "TransitRouter"
VPC_ATTACHMENT, PEER_ATTACHMENT, VPN_ATTACHMENT = ("TransitRouterVpcAttachment", "TransitRouterPeerAttachment",
                                                   "TransitRouterVpnAttachment")
ATTACHMENT_KINDS = (VPC_ATTACHMENT, PEER_ATTACHMENT, VPN_ATTACHMENT)
ROUTE_TABLE = "TransitRouterRouteTable"
ASSOCIATION, PROPAGATION = "TransitRouterRouteTableAssociation", "TransitRouterRouteTablePropagation"
ROUTE_ENTRY = "TransitRouterRouteEntry"

# "In regions where Enterprise Edition transit routers are available in only one zone, such as China (Nanjing -
# Local Region) ... at least one vSwitch; in regions with more than one zone ... at least two vSwitches in
# different zones" ("How transit routers work"). Every other region is treated as a multi-zone region.
SINGLE_ZONE_REGIONS = ("cn-nanjing",)


def zones_needed(region: str) -> int:
    return 1 if region in SINGLE_ZONE_REGIONS else 2


def zone_of_region(zone: str, region: str) -> bool:
    """``ap-northeast-1c`` belongs to ``ap-northeast-1``, ``cn-beijing-h`` to ``cn-beijing``."""
    return zone.startswith(region) and re.fullmatch(r"-?[a-z]", zone[len(region):]) is not None


def check_text(req: Request, name: str, max_len: int, code: str) -> Optional[str]:
    """Names (1-128) and descriptions (1-256) "cannot start with http:// or https://" (the models' docstrings)."""
    value = req.params.get(name)
    if value is None:
        return None
    if len(value) > max_len or value.startswith(("http://", "https://")):
        raise ApiError(code, f"The specified {name} is invalid: at most {max_len} characters, not starting "
                             "with http:// or https://.")
    return value


def name_and_description(req: Request, name_field: str, description_field: str) -> Dict[str, str]:
    """The given name / description fields (validated), for create and update calls."""
    out = {}
    for field, max_len, code in ((name_field, 128, "InvalidName"), (description_field, 256, "InvalidDescription")):
        value = check_text(req, field, max_len, code)
        if value is not None:
            out[field] = value
    return out


# --- pure lookups ------------------------------------------------------------------------------

def transit_routers(state: State, cen_id: Optional[str] = None, region: Optional[str] = None) -> List[Resource]:
    """Every Enterprise transit router (of one CEN / region), any status."""
    return [tr for tr in state.all(ROUTER, include_invisible=True)
            if (cen_id is None or tr["CenId"] == cen_id) and (region is None or tr.region == region)]


def transit_router_of(state: State, cen_id: str, region: str) -> Optional[Resource]:
    routers = transit_routers_of(state, cen_id, region)
    return routers[0] if routers else None


def attachment_of(state: State, attachment_id: str) -> Optional[Resource]:
    """The VPC, inter-region or VPN attachment with this id, or None."""
    for kind in ATTACHMENT_KINDS:
        att = state.find(kind, attachment_id)
        if att is not None and not att.deleted:
            return att
    return None


def attachment_routers(att: Resource) -> tuple:
    """The transit routers an attachment is on: one, or both ends of an inter-region connection."""
    if att.kind == PEER_ATTACHMENT:
        return att["TransitRouterId"], att["PeerTransitRouterId"]
    return (att["TransitRouterId"],)


def attachments_of(state: State, tr_id: str) -> List[Resource]:
    """Every attachment on a transit router (inter-region connections from either end)."""
    return [att for kind in ATTACHMENT_KINDS for att in state.all(kind, include_invisible=True)
            if tr_id in attachment_routers(att)]


def route_tables_of(state: State, tr_id: str) -> List[Resource]:
    return [t for t in state.all(ROUTE_TABLE, include_invisible=True) if t["TransitRouterId"] == tr_id]


def system_table_of(state: State, tr_id: str) -> Optional[Resource]:
    return next((t for t in route_tables_of(state, tr_id) if t["TransitRouterRouteTableType"] == "System"), None)


def static_entries(state: State, table_id: Optional[str] = None) -> List[Resource]:
    return [e for e in state.all(ROUTE_ENTRY, include_invisible=True)
            if table_id is None or e["TransitRouterRouteTableId"] == table_id]


def bindings(state: State, kind: str, attachment_id: Optional[str] = None,
             table_id: Optional[str] = None) -> List[Resource]:
    """Associations or propagations (``kind``) of an attachment and / or a route table."""
    return [b for b in state.all(kind, include_invisible=True)
            if (attachment_id is None or b["TransitRouterAttachmentId"] == attachment_id)
            and (table_id is None or b["TransitRouterRouteTableId"] == table_id)]


# --- request lookups ---------------------------------------------------------------------------

def get_transit_router(req: Request, tr_id: Optional[str] = None, active: bool = False) -> Resource:
    tr_id = tr_id or req.require("TransitRouterId")
    tr = req.state.find(ROUTER, tr_id)
    if tr is None or tr.deleted or tr.owner != req.account.uid or not req.state.visible(tr):
        if any(b["TransitRouterId"] == tr_id for b in basic_routers(req.state, owner=req.account.uid)):
            raise ApiError("OperationUnsupported.TransitRouterType",
                           f"The transit router {tr_id} is a Basic Edition one; the specified TransitRouterType does "
                           "not support the operation.")
        raise ApiError("InvalidTransitRouterId.NotFound", f"The specified TransitRouterId {tr_id} is not found.")
    if active and tr["Status"] != "Active":
        raise ApiError("IncorrectStatus.TransitRouterInstance",
                       f"The status of TransitRouter {tr.id} is incorrect ({tr['Status']}); retry when Active.")
    return tr


def resolve_transit_router(req: Request, create_missing: bool = False) -> Optional[Resource]:
    """TransitRouterId, or CenId + RegionId ("you can omit TransitRouterId by specifying CenId and RegionId").

    With ``create_missing`` a missing router is allowed: None comes back once the router could be created,
    and the caller creates it after its own checks, as CreateTransitRouterVpcAttachment does ("If no
    Enterprise Edition transit router is created in the region ... the system automatically creates one").
    """
    if req.get("TransitRouterId"):
        return get_transit_router(req, active=True)
    if not req.get("CenId") or not req.get("RegionId"):
        raise ApiError("MissingParam.CenIdOrRegionId", "Either CenId or RegionId must be specified.")
    cen = get_cen(req, active=True, missing_code="InvalidCenId.NotFound")
    tr = transit_router_of(req.state, cen.id, req.region)
    if tr is not None:
        return get_transit_router(req, tr.id, active=True)
    if basic_region(req.state, cen, req.region):
        raise ApiError("OperationUnsupported.TransitRouterType",
                       f"The transit router of CEN {cen.id} in {req.region} is a Basic Edition one (attached network "
                       "instances); the specified TransitRouterType does not support the operation.")
    if create_missing:
        check_can_create(req.state, cen, req.region)
        return None
    raise ApiError("InvalidTransitRouterId.NotFound",
                   f"The CEN {cen.id} has no transit router in {req.region}; create one (CreateTransitRouter).")


def get_attachment(req: Request, attachment_id: Optional[str] = None, kinds: tuple = ATTACHMENT_KINDS,
                   code: str = "InvalidTransitRouterAttachmentId.NotFound", status: int = 400) -> Resource:
    attachment_id = attachment_id or req.require("TransitRouterAttachmentId")
    for kind in kinds:
        att = req.state.find(kind, attachment_id)
        if att is not None and not att.deleted and att.owner == req.account.uid and req.state.visible(att):
            return att
    raise ApiError(code, f"The specified TransitRouterAttachmentId {attachment_id} is not found.", status)


def modifying(state: State, res: Resource, settled: str) -> None:
    """Status Modifying until the kind's delay has passed, then ``settled`` again (Active / Attached)."""
    res["Status"] = "Modifying"
    state.schedule(res, "Status", settled)


def require_attached(att: Resource, code: str = "IncorrectStatus.Attachment") -> None:
    # IncorrectStatus.Attachment: Terraform's retry list for transit router attachments.
    if att["Status"] != "Attached":
        raise ApiError(code, f"The attachment {att.id} is {att['Status']}; retry when it is Attached.")


# --- transit routers ---------------------------------------------------------------------------

def basic_routers(state: State, cen_id: Optional[str] = None, owner: Optional[str] = None) -> List[Dict[str, Any]]:
    """The Basic Edition transit routers of legacy CENs, in ListTransitRouters shape (``Type: Basic``).

    A Basic CEN has one in each region where it has attached network instances ("When you connect the first
    network instance in a region, the system automatically creates a transit router in that region", CEN user
    guide "Transit routers"); ListTransitRouters lists both editions (its ``Type`` filter: Enterprise | Basic).
    They are not resources of their own: the id is derived from the CEN and the region, so it stays stable.
    """
    out = []
    for cen in state.all("Cen", owner=owner, include_invisible=True):
        if cen_id not in (None, cen.id):
            continue
        children = attached_children(state, cen.id, statuses=())
        for region in sorted({a["ChildInstanceRegionId"] for a in children}):
            if not basic_region(state, cen, region):
                continue
            digest = hashlib.sha1(f"{cen.id}|{region}".encode()).hexdigest()[:21]
            out.append({
                "TransitRouterId": f"tr-{digest}", "CenId": cen.id, "RegionId": region, "Type": BASIC,
                "Status": "Active", "TransitRouterName": "", "TransitRouterDescription": "",
                "CreationTime": min(a["ChildInstanceAttachTime"] for a in children
                                    if a["ChildInstanceRegionId"] == region),
                "AliUid": int(cen.owner), "SupportMulticast": False, "Tags": [], "TransitRouterCidrList": [],
            })
    return out


def basic_region(state: State, cen: Resource, region: str) -> bool:
    """A legacy Basic CEN's transit router serves ``region`` (it has attached network instances there)."""
    return region_edition(state, cen, region) == BASIC and any(
        a["ChildInstanceRegionId"] == region for a in attached_children(state, cen.id, statuses=()))


def check_can_create(state: State, cen: Resource, region: str) -> None:
    if cen["ProtectionLevel"] == "FULL":
        raise ApiError("OperationUnsupported.CenFullLevel", "CEN full level does not support TransitRouter.")
    if transit_router_of(state, cen.id, region) is not None:
        raise ApiError("InstanceExist.TransitRouterInstance",
                       f"The CEN {cen.id} already has a transit router in {region}: one per CEN and region.")
    if basic_region(state, cen, region):
        raise ApiError("InstanceExist.TransitRouterInstance",
                       f"The CEN {cen.id} already has a Basic Edition transit router in {region} (attached "
                       "network instances); upgrade it instead of creating another.")


def new_route_table(state: State, tr: Resource, table_type: str = "Custom", name: str = "", description: str = "",
                    tags: Optional[List[Dict[str, str]]] = None, status: str = "Creating",
                    ecmp: str = "disable") -> Resource:
    table_id = state.new_id("vtb")
    return state.add(ROUTE_TABLE, table_id, tr.owner, tr.region, {
        "TransitRouterRouteTableId": table_id, "TransitRouterId": tr.id, "RegionId": tr.region,
        "TransitRouterRouteTableType": table_type, "TransitRouterRouteTableName": name,
        "TransitRouterRouteTableDescription": description, "TransitRouterRouteTableStatus": status,
        "CreateTime": now_iso(), "Tags": list(tags or []), "RouteTableOptions": {"MultiRegionECMP": ecmp},
    })


def new_transit_router(state: State, cen: Resource, region: str, name: str = "", description: str = "",
                       tags: Optional[List[Dict[str, str]]] = None, multicast: bool = False,
                       status: str = "Creating") -> Resource:
    """An Enterprise transit router with its system route table ("each transit router has a default table")."""
    tr_id = state.new_id("tr")
    tr = state.add(ROUTER, tr_id, cen.owner, region, {
        "TransitRouterId": tr_id, "CenId": cen.id, "RegionId": region, "Type": ENTERPRISE, "Status": status,
        "TransitRouterName": name, "TransitRouterDescription": description, "CreationTime": now_iso(),
        "AliUid": int(cen.owner), "SupportMulticast": multicast, "Tags": list(tags or []),
    })
    new_route_table(state, tr, "System", status="Active")
    return tr


def _router_view(tr: Resource) -> Dict[str, Any]:
    out = {k: tr[k] for k in ("TransitRouterId", "CenId", "RegionId", "Type", "Status", "TransitRouterName",
                              "TransitRouterDescription", "CreationTime", "AliUid", "SupportMulticast")}
    out["Tags"] = [dict(t) for t in tr.get("Tags", [])]
    out["TransitRouterCidrList"] = []
    return out


@action("Cbn", "CreateTransitRouter", idempotent=True, region=REGION_REQUIRED)
def create_transit_router(req: Request) -> Dict[str, Any]:
    cen = get_cen(req, active=True, missing_code="InvalidCenId.NotFound")
    region = req.require("RegionId")
    texts = name_and_description(req, "TransitRouterName", "TransitRouterDescription")
    check_can_create(req.state, cen, region)
    dry_run(req)
    tr = new_transit_router(req.state, cen, region, texts.get("TransitRouterName", ""),
                            texts.get("TransitRouterDescription", ""), tags_param(req),
                            bool(req.bool("SupportMulticast", False)))
    req.state.schedule(tr, "Status", "Active")
    req.state.note(kind="transit_router", event="create", cen=cen.id, transit_router=tr.id, region=region)
    return {"TransitRouterId": tr.id}


@action("Cbn", "ListTransitRouters", region=REGION_OPTIONAL)
def list_transit_routers(req: Request) -> Dict[str, Any]:
    """Enterprise routers and, for legacy CENs, their Basic ones (``basic_routers``)."""
    wanted = {k: req.get(k) for k in ("CenId", "RegionId", "TransitRouterId", "TransitRouterName", "Status", "Type")}
    tags = req.list("Tag")
    views = [_router_view(tr) for tr in req.state.all(ROUTER, owner=req.account.uid)]
    views += basic_routers(req.state, wanted["CenId"], owner=req.account.uid)
    items = [v for v in views if all(w is None or v[k] == w for k, w in wanted.items()) and tags_match(v, tags)]
    chunk, number, size = page_by_number(req, items)  # PageSize 1 to 50, default 10
    return {"TransitRouters": chunk, "TotalCount": len(items), "PageNumber": number, "PageSize": size}


@action("Cbn", "UpdateTransitRouter", region=REGION_REQUIRED)
def update_transit_router(req: Request) -> Dict[str, Any]:
    tr = get_transit_router(req, active=True)
    changes = name_and_description(req, "TransitRouterName", "TransitRouterDescription")
    if dry_run(req, error=False):  # "returns the ID of the request" (UpdateTransitRouterRequest)
        return {}
    tr.attrs.update(changes)
    modifying(req.state, tr, "Active")
    return {}


@action("Cbn", "DeleteTransitRouter")
def delete_transit_router(req: Request) -> Dict[str, Any]:
    tr_id = req.require("TransitRouterId")
    tr = req.state.find(ROUTER, tr_id)
    if tr is None or tr.deleted or tr.owner != req.account.uid:
        raise ApiError("InvalidTransitRouterInstance.NotFound", "The Transit Router instance is not found.")
    if tr["Status"] != "Active":
        raise ApiError("IncorrectStatus.TransitRouterInstance",
                       f"The status of TransitRouter {tr.id} is incorrect ({tr['Status']}).")
    attached = attachments_of(req.state, tr.id)
    if attached:
        raise ApiError("OperationFailed.TransitRouterAttachmentExist",  # undocumented
                       f"The transit router {tr.id} still has network instance connections "
                       f"({', '.join(a.id for a in attached)}); delete them first.")
    system = system_table_of(req.state, tr.id)
    custom_tables = [t for t in route_tables_of(req.state, tr.id) if t is not system]
    if custom_tables or (system is not None and static_entries(req.state, system.id)):
        raise ApiError("OperationFailed.DeleteTransitRouter",
                       "Operation failed because TransitRouterRouteTable or TransitRouterRouteEntry or "
                       "BandwidthTransitRegion exists.")
    dry_run(req)

    def gone(router: Resource) -> None:
        for table in route_tables_of(req.state, router.id):
            req.state.remove(table)
        req.state.remove(router)

    tr["Status"] = "Deleting"
    req.state.schedule(tr, "Status", "Deleted", then=gone)
    return {}
