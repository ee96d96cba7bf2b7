"""Express Connect router interfaces: VPC-to-VPC peering, also across accounts and regions.

Product Vpc (2016-04-28). Follows the API reference of CreateRouterInterface,
ModifyRouterInterfaceAttribute, ModifyRouterInterfaceSpec, ConnectRouterInterface,
ActivateRouterInterface, DeactivateRouterInterface, DeleteRouterInterface,
DescribeRouterInterfaces and DescribeRouterInterfaceAttribute.

Life of a peering (API-NOTES.md):

    create both (Idle) -> each side names the other (ModifyRouterInterfaceAttribute, only
    while Idle) -> ConnectRouterInterface on the initiator: initiator Connecting, acceptor
    AcceptingConnecting -> both Active.
    Active --Deactivate--> Deactivating -> Inactive --Activate--> Activating -> Active.
    Delete only while Idle or Inactive and while no route entry points at the interface.

Twin choices where the reference is silent (documented so tests can pin them):

- Deactivate/Activate act on the called interface only; the other side sees it through
  ``OppositeInterfaceStatus``.
- When an interface is deleted, a peer that was connected to it returns to Idle (its
  opposite settings stay, so it can be re-pointed and reconnected).
- The opposite owner, router and region are checked on Connect (Modify stores what it is
  given, as the reference says), and a mismatch names the field to fix.
- Cross-region capacity: ``CAPACITY_REQUIRED`` (empty by default) lists region pairs for
  which Connect fails as a real account without a capacity approval would.

Visibility: an account reads only its own interfaces. The other side's status, spec and
VPC show only through the caller's own interface, once both sides name each other.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Set

from .base import ApiError, Request, Resource, State, action, invalid_parameter, missing_parameter, page_by_number
from .vpc import in_vpc, now_iso, register_dependants, vpc_of_router

KIND = "RouterInterface"

SPEC_BANDWIDTH = {
    "Mini.2": 2, "Mini.5": 5, "Small.1": 10, "Small.2": 20, "Small.5": 50, "Middle.1": 100,
    "Middle.2": 200, "Middle.5": 500, "Large.1": 1000, "Large.2": 2000, "Large.5": 5000,
    "Xlarge.1": 10000,
}
ROLES = ("InitiatingSide", "AcceptingSide")
STATUSES = ("Idle", "Connecting", "AcceptingConnecting", "Activating", "Active", "Modifying",
            "Deactivating", "Inactive", "Deleting")
TRANSITIONAL = {"Connecting", "AcceptingConnecting", "Activating", "Modifying", "Deactivating", "Deleting"}
OPPOSITE_FIELDS = ("OppositeInterfaceId", "OppositeRouterId", "OppositeRouterType", "OppositeInterfaceOwnerId")
FILTER_KEYS = {
    "RouterInterfaceId": lambda ri: ri.id,
    "RouterId": lambda ri: ri["RouterId"],
    "RouterType": lambda ri: ri["RouterType"],
    "RouterInterfaceOwnerId": lambda ri: ri.owner,
    "OppositeInterfaceId": lambda ri: ri.get("OppositeInterfaceId"),
    "OppositeRouterType": lambda ri: ri.get("OppositeRouterType"),
    "OppositeRouterId": lambda ri: ri.get("OppositeRouterId"),
    "OppositeInterfaceOwnerId": lambda ri: ri.get("OppositeInterfaceOwnerId"),
    "Status": lambda ri: ri["Status"],
    "Name": lambda ri: ri.get("Name"),
}

# Region pairs (frozenset of two region ids) that need a capacity approval before a
# connection can be bought; tests may add to it. Empty by default.
CAPACITY_REQUIRED: Set[frozenset] = set()


# --- helpers -------------------------------------------------------------------------------

def _not_found(rid: str) -> ApiError:
    return ApiError("InvalidRouterInterfaceId.NotFound",
                    f"The specified RouterInterfaceId ({rid}) does not exist in our records.", 404)


def _own(req: Request, rid: Optional[str]) -> Resource:
    """The caller's own interface; another account's interface reads as missing."""
    if not rid:
        raise missing_parameter("RouterInterfaceId")
    ri = req.state.find(KIND, rid)
    if ri is None or ri.owner != req.account.uid or ri.region != req.region or not req.state.visible(ri):
        raise _not_found(rid)
    return ri


def _incorrect_status(ri: Resource, allowed: str, code: str = "IncorrectStatus") -> ApiError:
    return ApiError(code, f"RouterInterface {ri.id} can be operated by this action only when its status is "
                          f"{allowed}; it is {ri['Status']}.")


def _opposite(state: State, ri: Resource) -> Optional[Resource]:
    rid = ri.get("OppositeInterfaceId")
    return state.find(KIND, rid) if rid else None


def _paired(state: State, ri: Resource) -> Optional[Resource]:
    """The opposite interface when both sides name each other (ids and owners), else None."""
    other = _opposite(state, ri)
    if other is None or other.deleted:
        return None
    if str(ri.get("OppositeInterfaceOwnerId") or "") != other.owner:
        return None
    if other.get("OppositeInterfaceId") != ri.id or str(other.get("OppositeInterfaceOwnerId") or "") != ri.owner:
        return None
    return other


def paired_interface(state: State, ri: Resource) -> Optional[Resource]:
    """The opposite interface when both sides name each other, else None (pure; for the twin's data plane)."""
    return _paired(state, ri)


def references(state: State, ri: Resource) -> List[Resource]:
    """Route entries whose next hop is this interface (also those still being deleted)."""
    return [e for e in state.all("RouteEntry", include_invisible=True)
            if e.get("NextHopType") == "RouterInterface" and e.get("NextHopId") == ri.id]


def view(state: State, ri: Resource) -> Dict[str, Any]:
    """The interface as DescribeRouterInterfaces shows it to its owner (no RegionId: the SDK
    models DescribeRouterInterfaces* have none, the region is the request's)."""
    item = {k: v for k, v in ri.attrs.items() if k not in ("RegionId", "GmtModified")}
    other = _paired(state, ri)
    item.update({
        "OppositeInterfaceStatus": other["Status"] if other else "",
        "OppositeInterfaceSpec": other["Spec"] if other else "",
        "OppositeBandwidth": other["Bandwidth"] if other else 0,
        "OppositeVpcInstanceId": other["VpcInstanceId"] if other else "",
        "OppositeInterfaceBusinessStatus": other["BusinessStatus"] if other else "",
    })
    return item


def _check_text(name: str, value: Optional[str], low: int, high: int) -> None:
    if value is None:
        return
    if not (low <= len(value) <= high) or not value[0].isalpha() or value.startswith(("http://", "https://")):
        raise ApiError(f"Invalid{name}.Malformed",
                       f"The specified {name} ({value!r}) is not valid: {low} to {high} characters, starting "
                       "with a letter, not with http:// or https://.")


def _filters(req: Request) -> Dict[str, List[str]]:
    """``Filter.N.Key`` / ``Filter.N.Value.M`` -> {key: [values]}."""
    out: Dict[str, List[str]] = {}
    for item in req.list("Filter"):
        if not isinstance(item, dict) or not item.get("Key"):
            continue
        values = [v for k, v in sorted(item.items(), key=lambda kv: kv[0]) if k.startswith("Value")]
        if item["Key"] not in FILTER_KEYS:
            raise invalid_parameter("Filter.Key", item["Key"], "InvalidFilterKey.ValueNotSupported")
        out.setdefault(item["Key"], []).extend(values)
    return out


def _set_text_fields(req: Request, ri: Resource) -> None:
    for field in ("Name", "Description"):
        value = req.get(field)
        if value is not None:
            _check_text(field, value, 2, 128 if field == "Name" else 256)
            ri[field] = value


def _health_check(req: Request, ri: Resource) -> None:
    if req.bool("DeleteHealthCheckIp", False):
        ri["HealthCheckSourceIp"] = ri["HealthCheckTargetIp"] = ""
        return
    source, target = req.get("HealthCheckSourceIp"), req.get("HealthCheckTargetIp")
    if source and not target:
        raise missing_parameter("HealthCheckTargetIp")
    if source:
        ri["HealthCheckSourceIp"], ri["HealthCheckTargetIp"] = source, target
    for field in ("HcRate", "HcThreshold"):
        if req.int(field) is not None:
            ri[field] = req.int(field)


def _set_opposite(req: Request, ri: Resource) -> bool:
    given = {f: req.get(f) for f in OPPOSITE_FIELDS if req.get(f) is not None}
    if not given:
        return False
    if "OppositeRouterType" in given and given["OppositeRouterType"] not in ("VRouter", "VBR"):
        raise invalid_parameter("OppositeRouterType", given["OppositeRouterType"])
    for field, value in given.items():
        ri[field] = str(value)
    return True


# --- actions -----------------------------------------------------------------------------------

@action("Vpc", "CreateRouterInterface", idempotent=True)
def create_router_interface(req: Request) -> Dict[str, Any]:
    role = req.require("Role")
    if role not in ROLES:
        raise invalid_parameter("Role", role)
    router_type = req.require("RouterType")
    if router_type != "VRouter":
        raise ApiError("InvalidParameter.RouterType",
                       f"The specified RouterType ({router_type}) is not supported here: only VRouter "
                       "(VPC-to-VPC peering) is.")
    router_id = req.require("RouterId")
    opposite_region = req.require("OppositeRegionId")
    vpc = vpc_of_router(req.state, router_id)
    if vpc is None or vpc.owner != req.account.uid or vpc.region != req.region:
        raise ApiError("InvalidRouterId.NotFound",
                       f"The specified RouterId ({router_id}) does not exist in region {req.region}.", 404)
    if role == "InitiatingSide":
        spec = req.require("Spec")
        if spec not in SPEC_BANDWIDTH:
            raise invalid_parameter("Spec", spec)
        charge = req.get("InstanceChargeType", "PostPaid")
        if charge not in ("PrePaid", "PostPaid"):
            raise invalid_parameter("InstanceChargeType", charge)
    else:
        spec, charge = "Negative", "PayByTraffic"  # the acceptor never pays
    end_time = "2999-09-08T16:00:00Z"
    order_id = None
    if charge == "PrePaid":
        cycle = req.get("PricingCycle", "Month")
        period = req.int("Period")
        if period is None:
            raise missing_parameter("Period")
        if cycle not in ("Month", "Year") or not 1 <= period <= (9 if cycle == "Month" else 3):
            raise invalid_parameter("Period", f"{period} {cycle}")
        months = period * (12 if cycle == "Year" else 1)
        end_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + months * 30 * 86400))
        order_id = str(200000000000000 + len(req.state.all(KIND, include_invisible=True)))
    _check_text("Name", req.get("Name"), 2, 128)
    _check_text("Description", req.get("Description"), 2, 256)
    rid = req.state.new_id("ri")
    ri = req.state.add(KIND, rid, req.account.uid, req.region, {
        "RouterInterfaceId": rid, "RegionId": req.region, "Name": req.get("Name", ""),
        "Description": req.get("Description", ""), "Role": role, "RouterType": router_type,
        "RouterId": router_id, "VpcInstanceId": vpc.id, "Spec": spec,
        "Bandwidth": SPEC_BANDWIDTH.get(spec, 0), "Status": "Idle", "BusinessStatus": "Normal",
        "ChargeType": {"PrePaid": "Prepaid", "PostPaid": "AfterPay"}.get(charge, charge),
        "CreationTime": now_iso(), "ConnectedTime": "", "EndTime": end_time,
        "OppositeRegionId": opposite_region, "OppositeInterfaceId": "", "OppositeInterfaceOwnerId": "",
        "OppositeRouterId": "", "OppositeRouterType": "", "OppositeAccessPointId": "",
        "AccessPointId": "", "HealthCheckSourceIp": "", "HealthCheckTargetIp": "", "HcRate": 0,
        "HcThreshold": 0, "CrossBorder": False, "FastLinkMode": False, "HasReservationData": "false",
        "ResourceGroupId": req.get("ResourceGroupId", ""),
    })
    _set_opposite(req, ri)
    _health_check(req, ri)
    body: Dict[str, Any] = {"RouterInterfaceId": rid}
    if order_id:
        body["OrderId"] = int(order_id)
    return body


@action("Vpc", "DescribeRouterInterfaces")
def describe_router_interfaces(req: Request) -> Dict[str, Any]:
    filters = _filters(req)
    items = []
    for ri in req.state.all(KIND, region=req.region, owner=req.account.uid):
        if all(str(FILTER_KEYS[k](ri) or "") in [str(v) for v in values] for k, values in filters.items()):
            items.append(ri)
    page, number, size = page_by_number(req, items)
    return {"RouterInterfaceSet": {"RouterInterfaceType": [view(req.state, ri) for ri in page]},
            "TotalCount": len(items), "PageNumber": number, "PageSize": size}


@action("Vpc", "DescribeRouterInterfaceAttribute")
def describe_router_interface_attribute(req: Request) -> Dict[str, Any]:
    ri = _own(req, req.require("InstanceId"))
    return dict(view(req.state, ri), Code="200", Message="successful", Success=True,
                GmtModified=ri.get("GmtModified", ri["CreationTime"]))


@action("Vpc", "ModifyRouterInterfaceAttribute")
def modify_router_interface_attribute(req: Request) -> Dict[str, Any]:
    ri = _own(req, req.require("RouterInterfaceId"))
    if ri["Status"] in TRANSITIONAL:
        raise _incorrect_status(ri, "Idle, Active or Inactive")
    if any(req.get(f) is not None for f in OPPOSITE_FIELDS) and ri["Status"] != "Idle":
        raise _incorrect_status(ri, "Idle (the opposite interface can only be changed before connecting)")
    _set_text_fields(req, ri)
    _health_check(req, ri)
    _set_opposite(req, ri)
    ri["GmtModified"] = now_iso()
    return {}


@action("Vpc", "ModifyRouterInterfaceSpec", idempotent=True)
def modify_router_interface_spec(req: Request) -> Dict[str, Any]:
    ri = _own(req, req.require("RouterInterfaceId"))
    spec = req.require("Spec")
    if ri["Role"] != "InitiatingSide":
        raise ApiError("IncorrectRole.NotInitiatingSide",
                       f"The specified RouterInterface {ri.id} is not InitiatingSide; only the initiator has a spec.")
    if spec not in SPEC_BANDWIDTH:
        raise invalid_parameter("Spec", spec)
    if ri["Status"] not in ("Idle", "Active", "Inactive"):
        raise _incorrect_status(ri, "Idle, Active or Inactive")
    ri["Spec"], ri["Bandwidth"] = spec, SPEC_BANDWIDTH[spec]
    if ri["Status"] == "Active":
        ri["Status"] = "Modifying"
        req.state.schedule(ri, "Status", "Active")
    return {"Spec": spec}  # ModifyRouterInterfaceSpecResponseBody: RequestId and Spec only


@action("Vpc", "ConnectRouterInterface")
def connect_router_interface(req: Request) -> Dict[str, Any]:
    ri = _own(req, req.require("RouterInterfaceId"))
    if ri["Role"] != "InitiatingSide":
        raise ApiError("IncorrectRole.NotInitiatingSide",
                       f"The specified RouterInterface {ri.id} is not InitiatingSide; only the initiator "
                       "can connect, the acceptor waits.")
    if ri["Status"] != "Idle":
        raise _incorrect_status(ri, "Idle")
    if not all(ri.get(f) for f in OPPOSITE_FIELDS):
        raise ApiError("IncorrectOppositeInterfaceInfo.NotSet",
                       "OppositeInterfaceId/OppositeRouterId/OppositeRouterType/OppositeInterfaceOwnerId "
                       "must be all set.")
    other = _opposite(req.state, ri)
    if other is None or other.region != ri["OppositeRegionId"]:
        raise ApiError("IncorrectOppositeInterfaceInfo",
                       f"The opposite interface {ri['OppositeInterfaceId']} does not exist in region "
                       f"{ri['OppositeRegionId']}.")
    if other.owner != str(ri["OppositeInterfaceOwnerId"]):
        raise ApiError("IncorrectOppositeInterfaceInfo.OwnerMismatch",
                       f"The opposite interface {other.id} is not owned by account "
                       f"{ri['OppositeInterfaceOwnerId']}: OppositeInterfaceOwnerId must be the account ID "
                       "(UID) of the account that owns the opposite interface.")
    if other["RouterId"] != ri["OppositeRouterId"] or other["RouterType"] != ri["OppositeRouterType"]:
        raise ApiError("IncorrectOppositeInterfaceInfo",
                       f"OppositeRouterId {ri['OppositeRouterId']} ({ri['OppositeRouterType']}) is not the router "
                       f"of the opposite interface {other.id}.")
    if other["RouterId"] == ri["RouterId"]:
        raise ApiError("IncorrectOppositeInterfaceInfo", "Cannot connect on the same router.")
    if other["Role"] != "AcceptingSide":
        raise ApiError("IncorrectOppositeInterfaceInfo",
                       f"The opposite interface {other.id} is not AcceptingSide.")
    if _paired(req.state, ri) is None:
        raise ApiError("IncorrectOppositeInterfaceInfo.NotSet",
                       f"The opposite interface {other.id} does not name this interface as its opposite: its "
                       f"owner must set OppositeInterfaceId={ri.id} and OppositeInterfaceOwnerId={ri.owner} "
                       "on it first.")
    if other["OppositeRouterId"] != ri["RouterId"]:
        raise ApiError("IncorrectOppositeInterfaceInfo",
                       f"The opposite interface {other.id} names router {other['OppositeRouterId']}, not "
                       f"{ri['RouterId']}.")
    if other["Status"] != "Idle":
        raise _incorrect_status(other, "Idle")
    routers = {ri["RouterId"], other["RouterId"]}
    for existing in req.state.all(KIND, include_invisible=True):
        if existing.id in (ri.id, other.id) or existing["Status"] == "Idle":
            continue
        if {existing["RouterId"], existing.get("OppositeRouterId")} == routers:
            raise ApiError("Forbidden.OnlyOneConnection", "The Specified routers have a connection already.")
    if frozenset((ri.region, other.region)) in CAPACITY_REQUIRED:
        raise ApiError("OperationFailed.InsufficientCapacity",
                       f"There is no connection capacity between {ri.region} and {other.region} for this "
                       "account; submit a capacity request (ticket) for this region pair and retry.")
    ri["Status"], other["Status"] = "Connecting", "AcceptingConnecting"

    def connected(res: Resource) -> None:
        res["ConnectedTime"] = now_iso()

    req.state.schedule(ri, "Status", "Active", then=connected)
    req.state.schedule(other, "Status", "Active", then=connected)
    req.state.note(kind=KIND, event="connect", initiator=ri.id, acceptor=other.id,
                   why=f"{ri.id} ({ri.region}, {ri.owner}) connects to {other.id} ({other.region}, {other.owner})")
    return {}


@action("Vpc", "DeactivateRouterInterface")
def deactivate_router_interface(req: Request) -> Dict[str, Any]:
    ri = _own(req, req.require("RouterInterfaceId"))
    if ri["Status"] != "Active":
        raise _incorrect_status(ri, "Active")
    ri["Status"] = "Deactivating"
    req.state.schedule(ri, "Status", "Inactive")
    return {}


@action("Vpc", "ActivateRouterInterface")
def activate_router_interface(req: Request) -> Dict[str, Any]:
    ri = _own(req, req.require("RouterInterfaceId"))
    if ri["Status"] != "Inactive":
        raise _incorrect_status(ri, "Inactive", code="IncorrectRIStatus")
    ri["Status"] = "Activating"
    req.state.schedule(ri, "Status", "Active")
    return {}


@action("Vpc", "DeleteRouterInterface", idempotent=True)
def delete_router_interface(req: Request) -> Dict[str, Any]:
    ri = _own(req, req.require("RouterInterfaceId"))
    if ri["Status"] not in ("Idle", "Inactive"):
        raise ApiError("IncorrectStatus", f"This operation would be allowed only when status of this "
                                          f"RouterInterface ({ri.id}) is Idle/Inactive; it is {ri['Status']}. "
                                          "Deactivate it first.")
    refs = references(req.state, ri)
    if refs:
        raise ApiError("DependencyViolation.RouterInterfaceReferedByRouteEntry",
                       f"RouterInterface cannot be deleted when it is refered by a route table entry as next "
                       f"hop ({refs[0]['DestinationCidrBlock']} in {refs[0]['RouteTableId']}).")
    other = _paired(req.state, ri)
    ri["Status"] = "Deleting"

    def gone(res: Resource) -> None:
        req.state.remove(res)
        if other is not None and not other.deleted and other["Status"] != "Idle":
            other["Status"] = "Idle"
            other["ConnectedTime"] = ""
            req.state.note(kind=KIND, event="peer-deleted", interface=other.id,
                           why=f"{other.id} returned to Idle: its opposite {res.id} was deleted")

    req.state.schedule(ri, "Status", "Deleted", then=gone)
    return {}


# A router interface sits on the VPC's vRouter (DeleteVpc: release the router interfaces first).
register_dependants("Vpc", "DependencyViolation", in_vpc("RouterInterface"))
