"""Transit router routing (product Cbn, 2017-09-12): route tables, associations, route learning, static routes.

Rules, each from the API reference or the SDK model docstrings:

- Route tables: each router has one System (default) table; custom tables Creating -> Active, Deleting ->
  gone. The system table cannot be deleted (``OperationFailed.DeleteSystemRouteTable``); a table with an
  association, a propagation or a static route neither (``OperationFailed.DeleteRouteTableWith...``).
- Associations ("associated forwarding"): an attachment forwards by exactly one route table of its router
  (each end of an inter-region connection has its own); a second is refused with
  ``OperationFailed.RouteTableAssociationExist``. Associating -> Active, Dissociating -> gone.
- Propagations ("route learning"): Enabling -> Active, Disabling -> gone; a table of another router is
  refused (``OperationUnsupported.EnablePropagation``). What a table learns ("Route propagation"):
  from a VPC attachment the VPC's system routes, i.e. its vSwitch CIDRs (not the VPC CIDR; 100.64.0.0/10 is
  never advertised); from an inter-region connection the routes of the table the peer router associates
  with that connection (so two regions learn each other; what came in over the same connection is not sent
  back); from a VPN attachment the peer CIDR blocks of the IPsec connection (RemoteSubnet) when it uses
  protected data flows - in destination-routing mode (RemoteSubnet 0.0.0.0/0) nothing is learned and the
  on-premises prefixes need static routes toward the VPN attachment.
- Static routes (CreateTransitRouterRouteEntry): next hop ``Attachment`` (an attachment on this router) or
  ``BlackHole`` (no next hop id); one static route per destination and table. Creating -> Active, Deleting ->
  gone. A static route wins over a propagated one with the same destination (the propagated one reads
  ``Candidate``), and of several propagated routes with one destination the first learned is Active.
  ListTransitRouterRouteEntries lists Active routes unless TransitRouterRouteEntryStatus says otherwise
  ("If you do not specify a value, routes in the active state are queried"). Longest prefix match is the
  consumer's job: the list is what the table holds.
- The VPC side: the VPC API's CreateRouteEntry accepts NextHopType ``Attachment`` with a VPC attachment of
  that VPC (registered in ``vpc.NEXT_HOP_RULES``); CreateCenChildInstanceRouteEntryToAttachment /
  DeleteCenChildInstanceRouteEntryToAttachment add or remove such a route through the VPC's own rules. With
  AutoPublishRouteEnabled on the VPC attachment, the Active routes of its associated table (except those
  learned from the VPC itself and those colliding with a local route) appear in the VPC's system route table
  as ``Type: CEN`` entries with next hop ``Attachment`` (``vpc.register_learned_routes``).

Pure helpers for the reachability engine and the twin data plane:
``route_table_entries(state, table_id)`` (effective entries, static and propagated, each with its status),
``associated_table(state, attachment_id, tr_id=None)``, ``propagating_attachments(state, table_id)``,
``vpc_routes_from_transit_router(state, vpc)``.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any, Callable, Dict, FrozenSet, List, Optional

from . import vpc as vpc_model
from .base import ApiError, Request, Resource, State, action, page_by_token
from .cen import dry_run, get_cen, now_iso, system_table_routes, tags_match, tags_param
from .cen_basic import local_conflict
from .transit_router import (ASSOCIATION, PEER_ATTACHMENT, PROPAGATION, ROUTE_ENTRY, ROUTE_TABLE, VPC_ATTACHMENT,
                             VPN_ATTACHMENT, attachment_of, attachment_routers, bindings, get_attachment,
                             get_transit_router, name_and_description, new_route_table, require_attached,
                             static_entries)
from .transit_router_attachments import vpc_attachments_of_vpc
from .vpc import NEXT_HOP_RULES, RESERVED, register_learned_routes, shared_next_hop, vswitches_of

LIST_DEFAULT, LIST_MAX = 20, 100  # MaxResults 1 to 100, default 20 (route tables, route entries)
BINDINGS_DEFAULT, BINDINGS_MAX = 50, 100  # associations / propagations: default 50; maximum as for the others
MAX_STATIC_ROUTES = 1000  # QuotaExceeded.TransitRouterRoutEntry (sic); the quota value is undocumented
ECMP_VALUES = ("enable", "disable")
RESOURCE_TYPES = {VPC_ATTACHMENT: "VPC", PEER_ATTACHMENT: "TR", VPN_ATTACHMENT: "VPN"}


# --- lookups --------------------------------------------------------------------------------------

def get_route_table(req: Request, table_id: Optional[str] = None, code: str = "InvalidTransitRouterRouteTableId"
                    ".NotFound", status: int = 400) -> Resource:
    table_id = table_id or req.require("TransitRouterRouteTableId")
    table = req.state.find(ROUTE_TABLE, table_id)
    if table is None or table.deleted or table.owner != req.account.uid or not req.state.visible(table):
        raise ApiError(code, f"TransitRouterRouteTableId {table_id} is not found.", status)
    return table


def _table_active(table: Resource, code: str = "IncorrectStatus.TransitRouterRouteTable") -> None:
    if table["TransitRouterRouteTableStatus"] != "Active":
        raise ApiError(code, f"TransitRouterRouteTable {table.id} status is invalid "
                             f"({table['TransitRouterRouteTableStatus']}).")


def associated_table(state: State, attachment_id: str, tr_id: Optional[str] = None) -> Optional[Resource]:
    """The route table an attachment forwards by (on ``tr_id``: one end of an inter-region connection)."""
    for assoc in bindings(state, ASSOCIATION, attachment_id):
        table = state.find(ROUTE_TABLE, assoc["TransitRouterRouteTableId"])
        if table is not None and assoc["Status"] == "Active" and (tr_id is None or table["TransitRouterId"] == tr_id):
            return table
    return None


def propagating_attachments(state: State, table_id: str) -> List[Resource]:
    """Attachments whose routes the table learns (Active propagations of live attachments)."""
    out = []
    for prop in bindings(state, PROPAGATION, table_id=table_id):
        att = attachment_of(state, prop["TransitRouterAttachmentId"])
        if prop["Status"] == "Active" and att is not None and att["Status"] in ("Attached", "Modifying"):
            out.append(att)
    return out


def _resource_of(att: Resource, tr_id: str) -> tuple:
    """(type, id) of what an attachment connects ``tr_id`` to: the VPC, the far router, the IPsec connection."""
    if att.kind == VPC_ATTACHMENT:
        return "VPC", att["VpcId"]
    if att.kind == VPN_ATTACHMENT:
        return "VPN", att["VpnId"]
    return "TR", att["PeerTransitRouterId"] if att["TransitRouterId"] == tr_id else att["TransitRouterId"]


# --- what a table holds (pure) ----------------------------------------------------------------------

def _entry(table: Resource, dest: str, entry_type: str, hop_type: str, hop_id: str, hop_resource: tuple,
           origin: tuple, origin_route_type: str, static: Optional[Resource] = None) -> Dict[str, Any]:
    return {
        "TransitRouterRouteTableId": table.id,
        "TransitRouterRouteEntryId": static.id if static is not None else "",
        "TransitRouterRouteEntryDestinationCidrBlock": dest, "TransitRouterRouteEntryType": entry_type,
        "TransitRouterRouteEntryStatus": static["TransitRouterRouteEntryStatus"] if static is not None else "Active",
        "TransitRouterRouteEntryNextHopType": hop_type, "TransitRouterRouteEntryNextHopId": hop_id,
        "TransitRouterRouteEntryNextHopResourceType": hop_resource[0],
        "TransitRouterRouteEntryNextHopResourceId": hop_resource[1],
        "TransitRouterRouteEntryOriginResourceType": hop_resource[0],
        "TransitRouterRouteEntryOriginResourceId": hop_resource[1],
        "TransitRouterRouteEntryName": static["TransitRouterRouteEntryName"] if static is not None else "",
        "TransitRouterRouteEntryDescription": static["TransitRouterRouteEntryDescription"] if static is not None
        else "",
        "CreateTime": static["CreateTime"] if static is not None else "",
        "OperationalMode": static is not None,  # static routes can be managed, learned ones cannot
        "PathAttributes": {"OriginInstanceType": origin[0], "OriginInstanceId": origin[1],
                           "OriginRouteType": origin_route_type, "Preference": 0, "AsPaths": [], "Communities": []},
    }


def _static(state: State, table: Resource) -> List[Dict[str, Any]]:
    out = []
    for entry in static_entries(state, table.id):
        att = attachment_of(state, entry["TransitRouterRouteEntryNextHopId"]) \
            if entry["TransitRouterRouteEntryNextHopId"] else None
        hop = _resource_of(att, table["TransitRouterId"]) if att is not None else ("", "")
        out.append(_entry(table, entry["TransitRouterRouteEntryDestinationCidrBlock"], "Static",
                          entry["TransitRouterRouteEntryNextHopType"], entry["TransitRouterRouteEntryNextHopId"], hop,
                          hop, "BlackHole" if not att else "static", entry))
    return out


def _forwardable(entry: Dict[str, Any]) -> bool:
    """An Active route toward an attachment: what a table advertises onward (blackholes stay local)."""
    return entry["TransitRouterRouteEntryStatus"] == "Active" and entry["TransitRouterRouteEntryNextHopType"] == \
        "Attachment"


def _protected_peer_cidrs(vco: Optional[Resource]) -> List[str]:
    """RemoteSubnet blocks of an IPsec connection in protected-data-flow mode; none in destination-routing mode."""
    out = []
    for block in str((vco.get("RemoteSubnet") if vco is not None else "") or "").split(","):
        try:
            net = ipaddress.ip_network(block.strip(), strict=False)
        except ValueError:
            continue
        if net.prefixlen > 0:  # 0.0.0.0/0: destination routing, the routes are static ones on the router
            out.append(str(net))
    return out


def _learned_from(state: State, table: Resource, att: Resource, visiting: FrozenSet[str]) -> List[Dict[str, Any]]:
    tr_id = table["TransitRouterId"]
    hop = _resource_of(att, tr_id)
    if att.kind == VPC_ATTACHMENT:
        return [_entry(table, vsw["CidrBlock"], "Propagated", "Attachment", att.id, hop, hop, "System")
                for vsw in vswitches_of(state, att["VpcId"])
                if not ipaddress.ip_network(vsw["CidrBlock"]).subnet_of(RESERVED)]
    if att.kind == VPN_ATTACHMENT:
        vco = state.find("VpnConnection", att["VpnId"])
        return [_entry(table, dest, "Propagated", "Attachment", att.id, hop, hop, "Static")
                for dest in _protected_peer_cidrs(vco)]
    far_table = associated_table(state, att.id, hop[1])
    if far_table is None or far_table.id in visiting:
        return []
    out = []
    for far in _table_entries(state, far_table, visiting | {table.id}):
        if not _forwardable(far) or far["TransitRouterRouteEntryNextHopId"] == att.id:  # not back where it came from
            continue
        path = far["PathAttributes"]
        out.append(_entry(table, far["TransitRouterRouteEntryDestinationCidrBlock"], "Propagated", "Attachment",
                          att.id, hop, (path["OriginInstanceType"], path["OriginInstanceId"]),
                          path["OriginRouteType"]))
    return out


def _table_entries(state: State, table: Resource, visiting: FrozenSet[str]) -> List[Dict[str, Any]]:
    entries = _static(state, table)
    for att in propagating_attachments(state, table.id):
        entries.extend(_learned_from(state, table, att, visiting | {table.id}))
    # statics first: a static route beats a learned one; of learned ones the first is Active, the rest Candidate
    taken = {e["TransitRouterRouteEntryDestinationCidrBlock"] for e in entries
             if e["TransitRouterRouteEntryType"] == "Static" and e["TransitRouterRouteEntryStatus"] != "Deleting"}
    for entry in entries:
        if entry["TransitRouterRouteEntryType"] != "Propagated":
            continue
        dest = entry["TransitRouterRouteEntryDestinationCidrBlock"]
        if dest in taken:
            entry["TransitRouterRouteEntryStatus"] = "Candidate"
        taken.add(dest)
    return entries


def route_table_entries(state: State, table_id: str) -> List[Dict[str, Any]]:
    """Every route a transit router table holds, static and propagated, in ListTransitRouterRouteEntries shape
    (``TransitRouterRouteEntryStatus`` Active / Candidate / Creating / Deleting). Empty for an unknown table."""
    table = state.find(ROUTE_TABLE, table_id)
    if table is None or table.deleted:
        return []
    return _table_entries(state, table, frozenset())


# --- route tables -----------------------------------------------------------------------------------

def _ecmp(req: Request, default: Optional[str]) -> Optional[str]:
    value = req.get("RouteTableOptions.MultiRegionECMP", default)
    if value is not None and value not in ECMP_VALUES:
        raise ApiError("InvalidParameter", f"RouteTableOptions.MultiRegionECMP must be enable or disable, not {value}.")
    return value


def _table_view(table: Resource) -> Dict[str, Any]:
    out = dict(table.attrs)
    out["Tags"] = [dict(t) for t in table.get("Tags", [])]
    out["RouteTableOptions"] = dict(table["RouteTableOptions"])
    return out


def _table_texts(req: Request) -> Dict[str, str]:
    return name_and_description(req, "TransitRouterRouteTableName", "TransitRouterRouteTableDescription")


@action("Cbn", "CreateTransitRouterRouteTable", idempotent=True)
def create_transit_router_route_table(req: Request) -> Dict[str, Any]:
    tr = get_transit_router(req, active=True)
    texts = _table_texts(req)
    ecmp = _ecmp(req, "disable")
    if dry_run(req, error=False):  # "the system returns the ID of the request"
        return {}
    table = new_route_table(req.state, tr, "Custom", texts.get("TransitRouterRouteTableName", ""),
                            texts.get("TransitRouterRouteTableDescription", ""), tags_param(req), ecmp=ecmp)
    req.state.schedule(table, "TransitRouterRouteTableStatus", "Active")
    return {"TransitRouterRouteTableId": table.id}


@action("Cbn", "ListTransitRouterRouteTables")
def list_transit_router_route_tables(req: Request) -> Dict[str, Any]:
    tr_id = req.get("TransitRouterId")
    ids, names = req.list("TransitRouterRouteTableIds"), req.list("TransitRouterRouteTableNames")
    kind, status, ecmp = (req.get("TransitRouterRouteTableType"), req.get("TransitRouterRouteTableStatus"),
                          req.get("RouteTableOptions.MultiRegionECMP"))
    tags = req.list("Tag")
    items = [t for t in req.state.all(ROUTE_TABLE, owner=req.account.uid)
             if (tr_id is None or t["TransitRouterId"] == tr_id) and (not ids or t.id in ids)
             and (not names or t["TransitRouterRouteTableName"] in names)
             and (kind is None or t["TransitRouterRouteTableType"] == kind)
             and (status is None or t["TransitRouterRouteTableStatus"] == status)
             and (ecmp is None or t["RouteTableOptions"]["MultiRegionECMP"] == ecmp) and tags_match(t, tags)]
    chunk, token, size = page_by_token(req, items, max_size=LIST_MAX, default_size=LIST_DEFAULT)
    return {"TransitRouterRouteTables": [_table_view(t) for t in chunk], "TotalCount": len(items),
            "MaxResults": size, "NextToken": token}


@action("Cbn", "UpdateTransitRouterRouteTable")
def update_transit_router_route_table(req: Request) -> Dict[str, Any]:
    table = get_route_table(req)
    _table_active(table)
    changes: Dict[str, Any] = dict(_table_texts(req))
    ecmp = _ecmp(req, None)
    dry_run(req)
    table.attrs.update(changes)
    if ecmp is not None:
        table["RouteTableOptions"] = {"MultiRegionECMP": ecmp}
    return {}


@action("Cbn", "DeleteTransitRouterRouteTable")
def delete_transit_router_route_table(req: Request) -> Dict[str, Any]:
    table = get_route_table(req)
    if table["TransitRouterRouteTableType"] == "System":
        raise ApiError("OperationFailed.DeleteSystemRouteTable",
                       "Operation failed because You are not allowed to Delete System Transit Route Table.")
    _table_active(table)
    for kind, code, what in ((ASSOCIATION, "OperationFailed.DeleteRouteTableWithAssociation", "association"),
                             (PROPAGATION, "OperationFailed.DeleteRouteTableWithPropagation", "propagation")):
        if bindings(req.state, kind, table_id=table.id):
            raise ApiError(code, f"Operation failed because you are not allowed to delete TransitRouterRouteTable "
                                 f"with {what}.")
    if static_entries(req.state, table.id):
        raise ApiError("OperationFailed.DeleteRouteTableWithRouteEntry",
                       "Operation failed because you are not allowed to delete transit touter route table with route "
                       "entry.")  # (sic) the cloud's message
    dry_run(req)
    table["TransitRouterRouteTableStatus"] = "Deleting"
    req.state.schedule(table, "TransitRouterRouteTableStatus", "Deleted", then=req.state.remove)
    return {}


# --- associations and propagations --------------------------------------------------------------------

def _binding_target(req: Request) -> tuple:
    """(attachment, table) of Associate / Dissociate / Enable / Disable, both stable, on the same router."""
    table = get_route_table(req, code="InvalidRouteTableId.NotFound", status=404)
    att = get_attachment(req, code="InvalidAttachmentId.NotFound", status=404)
    if table["TransitRouterId"] not in attachment_routers(att):
        raise ApiError("OperationUnsupported.EnablePropagation" if req.action.endswith("Propagation")
                       else "IllegalParam.TransitRouterTableId",
                       f"The route table {table.id} is on {table['TransitRouterId']}, the attachment {att.id} on "
                       f"{', '.join(attachment_routers(att))}.")
    if att["Status"] != "Attached" or table["TransitRouterRouteTableStatus"] != "Active":
        raise ApiError("IncorrectStatus.AttachmentOrRouteTable",
                       f"The resource is not in a valid state for the operation ({att.id} {att['Status']}, "
                       f"{table.id} {table['TransitRouterRouteTableStatus']}).")
    return att, table


def _binding_id(att: Resource, table: Resource) -> str:
    return f"{att.id}/{table.id}"


def _bind(req: Request, kind: str, status: str, final: str, exists_code: str, exists_message: str) -> Dict[str, Any]:
    att, table = _binding_target(req)
    for other in bindings(req.state, kind, att.id):
        other_table = req.state.find(ROUTE_TABLE, other["TransitRouterRouteTableId"])
        same_router = other_table is not None and other_table["TransitRouterId"] == table["TransitRouterId"]
        if other_table is table or (kind == ASSOCIATION and same_router):  # one associated table per attachment
            raise ApiError(exists_code, f"{exists_message} ({other['TransitRouterRouteTableId']}).")
    dry_run(req)
    resource_type, resource_id = _resource_of(att, table["TransitRouterId"])
    binding = req.state.add(kind, _binding_id(att, table), table.owner, table.region, {
        "TransitRouterAttachmentId": att.id, "TransitRouterRouteTableId": table.id, "ResourceType": resource_type,
        "ResourceId": resource_id, "Status": status,
    })
    req.state.schedule(binding, "Status", final)
    return {}


def _unbind(req: Request, kind: str, status: str, missing_code: str) -> Dict[str, Any]:
    att, table = _binding_target(req)
    binding = req.state.find(kind, _binding_id(att, table))
    if binding is None or binding.deleted:
        raise ApiError(missing_code, f"The attachment {att.id} has no such relation with {table.id}.")  # undocumented
    dry_run(req)
    binding["Status"] = status
    req.state.schedule(binding, "Status", "Deleted", then=req.state.remove)
    return {}


def _list_bindings(req: Request, kind: str, key: str, table_required: bool) -> Dict[str, Any]:
    table_id = req.require("TransitRouterRouteTableId") if table_required else req.get("TransitRouterRouteTableId")
    wanted = {"TransitRouterRouteTableId": table_id, "TransitRouterAttachmentId": req.get("TransitRouterAttachmentId"),
              "ResourceId": req.get("TransitRouterAttachmentResourceId"),
              "ResourceType": req.get("TransitRouterAttachmentResourceType"), "Status": req.get("Status")}
    items = [b for b in req.state.all(kind, owner=req.account.uid)
             if all(v is None or b[k] == v for k, v in wanted.items())]
    chunk, token, size = page_by_token(req, items, max_size=BINDINGS_MAX, default_size=BINDINGS_DEFAULT)
    return {key: [dict(b.attrs) for b in chunk], "TotalCount": len(items), "MaxResults": size, "NextToken": token}


@action("Cbn", "AssociateTransitRouterAttachmentWithRouteTable", idempotent=True)
def associate_transit_router_attachment_with_route_table(req: Request) -> Dict[str, Any]:
    # the code DeleteTransitRouterVpcAttachment's reference gives for "there is associated routing table"
    return _bind(req, ASSOCIATION, "Associating", "Active", "OperationFailed.RouteTableAssociationExist",
                 "Operation failed because there is associated routing table: an attachment forwards by one table")


@action("Cbn", "DissociateTransitRouterAttachmentFromRouteTable")
def dissociate_transit_router_attachment_from_route_table(req: Request) -> Dict[str, Any]:
    return _unbind(req, ASSOCIATION, "Dissociating", "OperationFailed.AssociationNotExist")


@action("Cbn", "ListTransitRouterRouteTableAssociations")
def list_transit_router_route_table_associations(req: Request) -> Dict[str, Any]:
    return _list_bindings(req, ASSOCIATION, "TransitRouterAssociations", table_required=False)


@action("Cbn", "EnableTransitRouterRouteTablePropagation", idempotent=True)
def enable_transit_router_route_table_propagation(req: Request) -> Dict[str, Any]:
    return _bind(req, PROPAGATION, "Enabling", "Active", "OperationFailed.RouteTablePropagationExist",
                 "The specified TransitRouterAttachment has configured RouteTablePropagation with this table")


@action("Cbn", "DisableTransitRouterRouteTablePropagation")
def disable_transit_router_route_table_propagation(req: Request) -> Dict[str, Any]:
    return _unbind(req, PROPAGATION, "Disabling", "OperationFailed.PropagationNotExist")


@action("Cbn", "ListTransitRouterRouteTablePropagations")
def list_transit_router_route_table_propagations(req: Request) -> Dict[str, Any]:
    return _list_bindings(req, PROPAGATION, "TransitRouterPropagations", table_required=True)


# --- static routes ---------------------------------------------------------------------------------

def _destination(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        raise ApiError("IllegalParam.TransitRouterDestinationCidrBlock",
                       f"TransitRouterDestinationCidrBlock {value} is illegal.")


def _entry_texts(req: Request) -> Dict[str, str]:
    return name_and_description(req, "TransitRouterRouteEntryName", "TransitRouterRouteEntryDescription")


@action("Cbn", "CreateTransitRouterRouteEntry", idempotent=True)
def create_transit_router_route_entry(req: Request) -> Dict[str, Any]:
    table = get_route_table(req)
    _table_active(table)
    dest = _destination(req.require("TransitRouterRouteEntryDestinationCidrBlock"))
    hop_type = req.require("TransitRouterRouteEntryNextHopType")
    hop_id = req.get("TransitRouterRouteEntryNextHopId")
    if hop_type not in ("BlackHole", "Attachment"):
        raise ApiError("IllegalParam.NextHopType", f"The NextHopType {hop_type} is illegal: BlackHole or Attachment.")
    if hop_type == "BlackHole" and hop_id:
        raise ApiError("ParamExclusive.NextHopTypeBlackHoleAndNextHopId",
                       "TransitRouterRouteEntryNextHopType(BlackHole) and TransitRouterRouteEntryNextHopId is mutually "
                       "exclusive.")
    if hop_type == "Attachment":
        if not hop_id:
            raise ApiError("MissingParam.TransitRouterRouteEntryNextHopId",
                           "The parameter TransitRouterRouteEntryNextHopId is mandatory")
        att = attachment_of(req.state, hop_id)
        if att is None or att.owner != req.account.uid or table["TransitRouterId"] not in attachment_routers(att):
            raise ApiError("InvalidTransitRouterRouteEntryNextHopId.NotFound",
                           f"TransitRouterRouteEntryNextHopId {hop_id} is not found on {table['TransitRouterId']}")
    existing = static_entries(req.state, table.id)
    if any(e["TransitRouterRouteEntryDestinationCidrBlock"] == dest for e in existing):
        raise ApiError("OperationFailed.CreateRouteEntryWithSameDestinationCidrBlock",
                       "Operation failed because Create RouteEntry with same destination cidrblock does not support.")
    if len(existing) >= MAX_STATIC_ROUTES:
        raise ApiError("QuotaExceeded.TransitRouterRoutEntry", "TransitRouterRoutEntry quota exceeded.")
    texts = _entry_texts(req)
    dry_run(req)
    entry_id = req.state.new_id("rte")
    entry = req.state.add(ROUTE_ENTRY, entry_id, table.owner, table.region, {
        "TransitRouterRouteEntryId": entry_id, "TransitRouterRouteTableId": table.id,
        "TransitRouterRouteEntryDestinationCidrBlock": dest, "TransitRouterRouteEntryNextHopType": hop_type,
        "TransitRouterRouteEntryNextHopId": hop_id or "", "TransitRouterRouteEntryStatus": "Creating",
        "TransitRouterRouteEntryName": texts.get("TransitRouterRouteEntryName", ""),
        "TransitRouterRouteEntryDescription": texts.get("TransitRouterRouteEntryDescription", ""),
        "CreateTime": now_iso(),
    })
    req.state.schedule(entry, "TransitRouterRouteEntryStatus", "Active")
    return {"TransitRouterRouteEntryId": entry_id}


def _cidr_filter(key: str, values: List[str]) -> Callable[[str], bool]:
    nets = [ipaddress.ip_network(v, strict=False) for v in values]
    if key == "PrefixExactMatchCidrs":
        return lambda dest: ipaddress.ip_network(dest) in nets
    if key == "SubnetOfMatchCidrs":  # subnets of the given blocks, the blocks included
        return lambda dest: any(ipaddress.ip_network(dest).subnet_of(n) for n in nets if n.version == 4)
    if key == "SupernetOfMatchCidrs":
        return lambda dest: any(ipaddress.ip_network(dest).supernet_of(n) for n in nets if n.version == 4)
    if key == "LongestPrefixMatchCidrs":
        return lambda dest: True  # narrowed to the longest match per value below
    raise ApiError("InvalidParameter", f"RouteFilter Key {key} is invalid.")


def _route_filters(req: Request, entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    for item in req.list("RouteFilter"):
        if not isinstance(item, dict):
            continue
        key = item.get("Key", "")
        values = [v for k, v in sorted(item.items()) if k.startswith("Value")]
        try:
            match = _cidr_filter(key, values)
        except ValueError:
            raise ApiError("InvalidParameter", f"RouteFilter {key}: {values} are not CIDR blocks.")
        entries = [e for e in entries if match(e["TransitRouterRouteEntryDestinationCidrBlock"])]
        if key == "LongestPrefixMatchCidrs":
            keep = []
            for value in values:
                net = ipaddress.ip_network(value, strict=False)
                cover = [e for e in entries if ipaddress.ip_network(
                    e["TransitRouterRouteEntryDestinationCidrBlock"]).supernet_of(net)]
                best = max((ipaddress.ip_network(e["TransitRouterRouteEntryDestinationCidrBlock"]).prefixlen
                            for e in cover), default=None)
                keep.extend(e for e in cover if best is not None and ipaddress.ip_network(
                    e["TransitRouterRouteEntryDestinationCidrBlock"]).prefixlen == best and e not in keep)
            entries = keep
    return entries


_ENTRY_FILTERS = {
    "TransitRouterRouteEntryType": "TransitRouterRouteEntryType",
    "TransitRouterRouteEntryDestinationCidrBlock": "TransitRouterRouteEntryDestinationCidrBlock",
    "TransitRouterRouteEntryNextHopType": "TransitRouterRouteEntryNextHopType",
    "TransitRouterRouteEntryNextHopId": "TransitRouterRouteEntryNextHopId",
    "TransitRouterRouteEntryNextHopResourceId": "TransitRouterRouteEntryNextHopResourceId",
    "TransitRouterRouteEntryNextHopResourceType": "TransitRouterRouteEntryNextHopResourceType",
    "TransitRouterRouteEntryOriginResourceId": "TransitRouterRouteEntryOriginResourceId",
    "TransitRouterRouteEntryOriginResourceType": "TransitRouterRouteEntryOriginResourceType",
}


@action("Cbn", "ListTransitRouterRouteEntries")
def list_transit_router_route_entries(req: Request) -> Dict[str, Any]:
    table = get_route_table(req)
    status = req.get("TransitRouterRouteEntryStatus", "Active")  # "routes in the active state are queried"
    ids, names = req.list("TransitRouterRouteEntryIds"), req.list("TransitRouterRouteEntryNames")
    wanted = {field: req.get(param) for param, field in _ENTRY_FILTERS.items()}
    entries = [e for e in _table_entries(req.state, table, frozenset())
               if (status == "All" or e["TransitRouterRouteEntryStatus"] == status)
               and (not ids or e["TransitRouterRouteEntryId"] in ids)
               and (not names or e["TransitRouterRouteEntryName"] in names)
               and all(v is None or e[k] == v for k, v in wanted.items())]
    entries = _route_filters(req, entries)
    chunk, token, size = page_by_token(req, entries, max_size=LIST_MAX, default_size=LIST_DEFAULT)
    # The listed entries do not repeat the table's id (ListTransitRouterRouteEntriesResponseBody).
    shown = [{k: v for k, v in e.items() if k != "TransitRouterRouteTableId"} for e in chunk]
    return {"TransitRouterRouteEntries": shown, "TotalCount": len(entries), "MaxResults": size, "NextToken": token}


def _find_static(req: Request) -> Resource:
    entry_id = req.get("TransitRouterRouteEntryId")
    table_id, dest = req.get("TransitRouterRouteTableId"), req.get("TransitRouterRouteEntryDestinationCidrBlock")
    if entry_id and (table_id or dest):
        raise ApiError("ParamExclusive.RouteEntryIdAndRouteTableIdOrDestCidrBlock",
                       "RouteEntryId and TransitRouterRouteTableIdOrDestCidrBlock is mutually exclusive.")
    if entry_id:
        entry = req.state.find(ROUTE_ENTRY, entry_id)
        if entry is None or entry.deleted or entry.owner != req.account.uid:
            raise ApiError("InvalidTransitRouterRouteEntryId.NotFound",  # undocumented
                           f"The route entry {entry_id} is not found.")
        return entry
    table = get_route_table(req)
    hop_type, hop_id = req.get("TransitRouterRouteEntryNextHopType"), req.get("TransitRouterRouteEntryNextHopId")
    for entry in static_entries(req.state, table.id):
        if entry["TransitRouterRouteEntryDestinationCidrBlock"] == _destination(dest or "") \
                and (hop_type is None or entry["TransitRouterRouteEntryNextHopType"] == hop_type) \
                and (hop_id is None or entry["TransitRouterRouteEntryNextHopId"] == hop_id):
            return entry
    raise ApiError("InvalidDestinationCidrBlock.NotFound", "DestinationCidrBlock is not found.")


@action("Cbn", "UpdateTransitRouterRouteEntry")
def update_transit_router_route_entry(req: Request) -> Dict[str, Any]:
    entry = _find_static(req)
    changes = _entry_texts(req)
    dry_run(req)
    entry.attrs.update(changes)
    return {}


@action("Cbn", "DeleteTransitRouterRouteEntry")
def delete_transit_router_route_entry(req: Request) -> Dict[str, Any]:
    entry = _find_static(req)
    if entry["TransitRouterRouteEntryStatus"] != "Active":
        raise ApiError("IncorrectStatus.TransitRouterRouteEntry",  # undocumented
                       f"The route entry {entry.id} is {entry['TransitRouterRouteEntryStatus']}; retry later.")
    if dry_run(req, error=False):
        return {}
    entry["TransitRouterRouteEntryStatus"] = "Deleting"
    req.state.schedule(entry, "TransitRouterRouteEntryStatus", "Deleted", then=req.state.remove)
    return {}


# --- the VPC side ----------------------------------------------------------------------------------

# CreateRouteEntry's NextHopType "Attachment: transit router" (CreateRouteEntryRequest docstring): a VPC
# attachment of the route table's VPC. The attachment belongs to the CEN's owner, the route table to the VPC's, who
# may be another account: the VPC's own table takes custom routes whose next hop is the transit router's ENI ("How
# VPC connections select routes", CEN docs), so the owner of a cross-account VPC routes to it too.
NEXT_HOP_RULES["Attachment"] = (VPC_ATTACHMENT, "InvalidNextHopId.NotFound",  # undocumented missing code
                                shared_next_hop(lambda att, vpc: att.get("VpcId") == vpc.id
                                                and str(att.get("VpcOwnerId")) == vpc.owner))


def _vpc_route_view(vpc: Resource, att: Resource, dest: str) -> Dict[str, Any]:
    digest = hashlib.sha1(f"{vpc['RouteTableId']}|{dest}|{att.id}".encode()).hexdigest()[:18]
    return {
        "RouteEntryId": f"rte-tr{digest}", "RouteTableId": vpc["RouteTableId"], "DestinationCidrBlock": dest,
        "Type": "CEN", "Status": "Available", "RouteEntryName": "", "Description": "", "IpVersion": "ipv4",
        "Origin": "CEN",
        "NextHops": {"NextHop": [{
            "NextHopType": "Attachment", "NextHopId": att.id, "Enabled": 1, "Weight": 0,  # undocumented hop shape
            "NextHopRegionId": att.region,
            "NextHopRelatedInfo": {"InstanceId": att["TransitRouterId"], "InstanceType": "TransitRouter",
                                   "RegionId": att.region},
        }]},
    }


def vpc_routes_from_transit_router(state: State, vpc: Resource) -> List[Dict[str, Any]]:
    """Routes a transit router advertises into ``vpc``'s system route table (AutoPublishRouteEnabled), in
    DescribeRouteEntryList shape: Type CEN, next hop Attachment = the VPC attachment."""
    out, seen = [], set()
    for att in vpc_attachments_of_vpc(state, vpc.id):
        if att["Status"] != "Attached" or not att["AutoPublishRouteEnabled"]:
            continue
        table = associated_table(state, att.id)
        for entry in route_table_entries(state, table.id) if table is not None else []:
            dest = entry["TransitRouterRouteEntryDestinationCidrBlock"]
            if not _forwardable(entry) or entry["TransitRouterRouteEntryNextHopId"] == att.id or dest in seen \
                    or local_conflict(state, vpc, dest):
                continue
            seen.add(dest)
            out.append(_vpc_route_view(vpc, att, dest))
    return out


register_learned_routes(system_table_routes(vpc_routes_from_transit_router))


def _child_route_target(req: Request) -> tuple:
    cen = get_cen(req)
    att = get_attachment(req, kinds=(VPC_ATTACHMENT,))
    if att["CenId"] != cen.id:
        raise ApiError("InvalidTransitRouterAttachmentId.NotFound",
                       f"The attachment {att.id} does not belong to CEN {cen.id}.")
    require_attached(att)
    table = req.state.find("RouteTable", req.require("RouteTableId"))
    if table is None or table["VpcId"] != att["VpcId"]:
        raise ApiError("IllegalParam.RouteTableId",  # undocumented
                       f"The route table {req.get('RouteTableId')} is not a route table of {att['VpcId']}.")
    owner = req.state.account_by_uid(table.owner)
    return att, table, owner


def _vpc_call(req: Request, name: str, handler: Callable[[Request], Dict[str, Any]], owner: Any,
              params: Dict[str, str]) -> None:
    """Run the VPC API's own handler as the VPC's owner, so the VPC's route rules apply unchanged."""
    handler(Request(req.state, owner, "Vpc", name, params))


@action("Cbn", "CreateCenChildInstanceRouteEntryToAttachment", idempotent=True)
def create_cen_child_instance_route_entry_to_attachment(req: Request) -> Dict[str, Any]:
    att, table, owner = _child_route_target(req)
    _vpc_call(req, "CreateRouteEntry", vpc_model.create_route_entry, owner, {
        "RegionId": table.region, "RouteTableId": table.id, "NextHopType": "Attachment", "NextHopId": att.id,
        "DestinationCidrBlock": req.require("DestinationCidrBlock")})
    return {}


@action("Cbn", "DeleteCenChildInstanceRouteEntryToAttachment")
def delete_cen_child_instance_route_entry_to_attachment(req: Request) -> Dict[str, Any]:
    att, table, owner = _child_route_target(req)
    _vpc_call(req, "DeleteRouteEntry", vpc_model.delete_route_entry, owner, {
        "RegionId": table.region, "RouteTableId": table.id, "NextHopId": att.id,
        "DestinationCidrBlock": req.require("DestinationCidrBlock")})
    return {}

