"""VPC peering connections (product VpcPeer, 2022-01-01): today's VPC-to-VPC peering.

Follows the SDK (alibabacloud-vpcpeer20220101 2.0.5) request/response models and the API
reference of CreateVpcPeerConnection, AcceptVpcPeerConnection, RejectVpcPeerConnection,
GetVpcPeerConnectionAttribute, ListVpcPeerConnections, ModifyVpcPeerConnection and
DeleteVpcPeerConnection. Error codes come from the VpcPeer "Error codes" page
(api-vpcpeer-2022-01-01-errorcodes); where it lists a code family but not the exact case
the code is marked ``# undocumented``.

Life of a connection (SDK docstrings of ``Status``: Creating, Accepting, Updating, Rejected,
Expired, Activated, Deleting, Deleted)::

    same account:   Create -> Creating -> Activated
    cross-account:  Create -> Creating -> Accepting --accepter Accept--> Updating -> Activated
                                                    --accepter Reject--> Rejected
                                                    --no answer in 7 days--> Expired
    Modify bandwidth (inter-region): Activated -> Updating -> Activated
    Delete (either side): Deleting -> Deleted (gone); refused while routes point at it unless
    Force, which deletes those routes.

Routes: the VPC API's CreateRouteEntry with ``NextHopType=VpcPeer`` (CreateRouteEntryRequest
docstring: "**VpcPeer**: VPC peering connection"), in the route table of either end, once the
connection is Activated.

Visibility: the requester and the accepter account both see the connection (Get by id;
List in the region of their own VPC). Pure helpers for data-plane checks: ``peer_connections``,
``is_active``, ``peer_vpc_of``.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from .base import REGION_OPTIONAL, REGION_REQUIRED, ApiError, Request, Resource, State, action, page_by_token
from .vpc import NEXT_HOP_RULES, now_iso, register_dependants, shared_next_hop

KIND = "VpcPeerConnection"
STATUSES = ("Creating", "Accepting", "Updating", "Rejected", "Expired", "Activated", "Deleting", "Deleted")
ACTIVE = "Activated"
# "If the accepter does not accept the request within 7 days, it expires" (VPC peering overview,
# help.aliyun.com/document_detail/418507): GmtExpired is set while Accepting.
ACCEPT_WINDOW_SECONDS = 7 * 86400
# GetVpcPeerConnectionAttribute Bandwidth docstring: inter-region default 1024 Mbit/s,
# intra-region -1 (unlimited). LinkType (inter-region only): Platinum, Gold (default).
INTER_REGION_BANDWIDTH = 1024
UNLIMITED = -1
LINK_TYPES = ("Platinum", "Gold")
DELETABLE = ("Accepting", "Activated", "Rejected", "Expired")


# --- pure helpers (no request needed): for data-plane and reachability checks ------------------

def peer_connections(state: State, include_inactive: bool = False) -> List[Resource]:
    """Every VPC peering connection of every account (Activated ones unless asked otherwise)."""
    conns = state.all(KIND, include_invisible=True)
    return conns if include_inactive else [c for c in conns if is_active(c)]


def is_active(conn: Resource) -> bool:
    """Traffic flows only over an Activated connection (Updating keeps the old path)."""
    return not conn.deleted and conn["Status"] in (ACTIVE, "Updating") and bool(conn.get("GmtAccepted"))


def peer_vpc_of(conn: Resource, vpc_id: str) -> Optional[str]:
    """The VPC at the other end of ``conn`` seen from ``vpc_id`` (None if not an end)."""
    ends = (conn["VpcId"], conn["AcceptingVpcId"])
    if vpc_id not in ends:
        return None
    return ends[1] if vpc_id == ends[0] else ends[0]


# --- errors --------------------------------------------------------------------------------------

def _not_found(rid: str) -> ApiError:
    # Error codes page: 400 ResourceNotFound.InstanceId "The specified resource of %s is not found."
    return ApiError("ResourceNotFound.InstanceId", f"The specified resource of {rid} is not found.", 400)


def _incorrect_status(conn: Resource, wanted: str) -> ApiError:
    # Error codes page: 400 IncorrectStatus.VpcPeer "The status of %s [%s] is incorrect."
    return ApiError("IncorrectStatus.VpcPeer",
                    f"The status of {conn.id} [{conn['Status']}] is incorrect; this operation needs {wanted}.", 400)


def _illegal(name: str, why: str) -> ApiError:
    # Error codes page: 400 IllegalParam.%s "The param of %s is illegal."
    return ApiError(f"IllegalParam.{name}", f"The param of {name} is illegal: {why}", 400)


# --- lookups ---------------------------------------------------------------------------------------

def _settle_expiry(conn: Resource) -> None:
    if conn["Status"] == "Accepting" and conn.get("_expires_at", float("inf")) <= time.time():
        conn["Status"] = "Expired"


def _visible_to(conn: Resource, uid: str) -> bool:
    return conn.owner == uid or str(conn["AcceptingAliUid"]) == uid


def _get(req: Request, rid: Optional[str]) -> Resource:
    conn = req.state.find(KIND, rid or "")
    if conn is None or not _visible_to(conn, req.account.uid) or not req.state.visible(conn):
        raise _not_found(rid)
    _settle_expiry(conn)
    return conn


def _vpc_in(state: State, vpc_id: str, owner: str, region: str) -> Optional[Resource]:
    vpc = state.find("Vpc", vpc_id)
    if vpc is None or vpc.owner != owner or vpc.region != region or not state.visible(vpc):
        return None
    return vpc


def view(conn: Resource) -> Dict[str, Any]:
    """The connection as GetVpcPeerConnectionAttribute / ListVpcPeerConnections show it."""
    return {
        "InstanceId": conn.id, "Name": conn["Name"], "Description": conn["Description"],
        "Status": conn["Status"], "BizStatus": "Normal", "OwnerId": int(conn.owner),
        "RegionId": conn.region, "AcceptingOwnerUid": int(conn["AcceptingAliUid"]),
        "AcceptingRegionId": conn["AcceptingRegionId"], "Bandwidth": conn["Bandwidth"],
        "LinkType": conn["LinkType"], "ResourceGroupId": conn["ResourceGroupId"],
        "GmtCreate": conn["GmtCreate"], "GmtModified": conn["GmtModified"],
        # "A valid expiration time is returned only when the Status ... is Accepting or Expired."
        "GmtExpired": conn["GmtExpired"] if conn["Status"] in ("Accepting", "Expired") else None,
        "Vpc": {"VpcId": conn["VpcId"], "Ipv4Cidrs": [conn["_vpc_cidr"]], "Ipv6Cidrs": []},
        "AcceptingVpc": {"VpcId": conn["AcceptingVpcId"], "Ipv4Cidrs": [conn["_accepting_cidr"]], "Ipv6Cidrs": []},
        "Tags": [dict(t) for t in conn["Tags"]],
    }


def _check_text(name: str, value: Optional[str], low: int, high: int, letter_first: bool) -> None:
    """CreateVpcPeerConnectionRequest: Name 2-128, Description 2-256, starting with a letter;
    ModifyVpcPeerConnectionRequest: 1-128 / 1-256; neither may start with http:// or https://."""
    if value is None:
        return
    if not low <= len(value) <= high or value.startswith(("http://", "https://")) or \
            (letter_first and not value[0].isalpha()):
        raise _illegal(name, f"{low} to {high} characters{', starting with a letter' if letter_first else ''}, "
                             "not starting with http:// or https://.")


def _bandwidth(req: Request, inter_region: bool) -> Optional[int]:
    bandwidth = req.int("Bandwidth")
    if bandwidth is None:
        return None
    if not inter_region:
        raise _illegal("Bandwidth", "a bandwidth can only be set on an inter-region connection.")
    if bandwidth < 1:
        raise _illegal("Bandwidth", "the bandwidth must be an integer greater than 0 (Mbit/s).")
    return bandwidth


def _link_type(req: Request, inter_region: bool) -> Optional[str]:
    link = req.get("LinkType")
    if link is None:
        return None
    if not inter_region:
        raise _illegal("LinkType", "a link type can only be set on an inter-region connection.")
    if link not in LINK_TYPES:
        raise _illegal("LinkType", f"valid values are {', '.join(LINK_TYPES)}.")
    return link


def _dry_run(req: Request) -> None:
    if req.bool("DryRun", False):
        # Error codes page: 400 DryRunOperation "The operation DryRun verifies success."
        raise ApiError("DryRunOperation", "The operation DryRun verifies success.", 400)


def _activated(conn: Resource) -> None:
    conn["GmtAccepted"] = conn["GmtModified"] = now_iso()


# --- actions ------------------------------------------------------------------------------------------

@action("VpcPeer", "CreateVpcPeerConnection", idempotent=True, region=REGION_REQUIRED)
def create_vpc_peer_connection(req: Request) -> Dict[str, Any]:
    vpc_id = req.require("VpcId")
    accepting_uid = req.require("AcceptingAliUid")
    accepting_region = req.require("AcceptingRegionId")
    accepting_vpc_id = req.require("AcceptingVpcId")
    if not str(accepting_uid).isdigit():
        raise _illegal("AcceptingAliUid", "the ID of an Alibaba Cloud account (digits).")
    inter_region = accepting_region != req.region
    bandwidth = _bandwidth(req, inter_region)
    link = _link_type(req, inter_region)
    _check_text("Name", req.get("Name"), 2, 128, letter_first=True)
    _check_text("Description", req.get("Description"), 2, 256, letter_first=True)
    requester = _vpc_in(req.state, vpc_id, req.account.uid, req.region)
    if requester is None:
        # ResourceNotFound.%s family of the error codes page  # undocumented exact code
        raise ApiError("ResourceNotFound.VpcId", f"The specified resource of {vpc_id} is not found.", 400)
    # The accepter VPC must exist in the accepting account and region; another account's VPC
    # that does not exist and one that is not there look the same to the requester.
    accepter = _vpc_in(req.state, accepting_vpc_id, str(accepting_uid), accepting_region)
    if accepter is None:
        raise ApiError("ResourceNotFound.AcceptingVpcId",  # undocumented exact code (same family)
                       f"The specified resource of {accepting_vpc_id} is not found in account {accepting_uid} "
                       f"region {accepting_region}.", 400)
    if accepter.id == requester.id:
        raise _illegal("AcceptingVpcId", "a VPC cannot be peered with itself.")
    for other in req.state.all(KIND, include_invisible=True):
        if {other["VpcId"], other["AcceptingVpcId"]} == {requester.id, accepter.id} and \
                other["Status"] not in ("Rejected", "Expired", "Deleting", "Deleted"):
            # One connection per VPC pair (VPC peering overview)  # undocumented code
            raise ApiError("ResourceAlreadyExist.VpcPeer",
                           f"The VPCs {requester.id} and {accepter.id} are already peered by {other.id}.", 400)
    _dry_run(req)
    cross_account = str(accepting_uid) != req.account.uid
    rid = req.state.new_id("pcc")
    now = now_iso()
    conn = req.state.add(KIND, rid, req.account.uid, req.region, {
        "InstanceId": rid, "Name": req.get("Name", ""), "Description": req.get("Description", ""),
        "Status": "Creating", "VpcId": requester.id, "AcceptingAliUid": str(accepting_uid),
        "AcceptingRegionId": accepting_region, "AcceptingVpcId": accepter.id,
        "Bandwidth": bandwidth or (INTER_REGION_BANDWIDTH if inter_region else UNLIMITED),
        "LinkType": link or ("Gold" if inter_region else ""), "ResourceGroupId": req.get("ResourceGroupId", ""),
        "GmtCreate": now, "GmtModified": now, "GmtExpired": None, "GmtAccepted": "",
        "Tags": [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in req.list("Tag") if isinstance(t, dict)],
        "_vpc_cidr": requester["CidrBlock"], "_accepting_cidr": accepter["CidrBlock"],
    })
    if cross_account:
        expires = time.time() + ACCEPT_WINDOW_SECONDS
        conn["_expires_at"] = expires
        conn["GmtExpired"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
        req.state.schedule(conn, "Status", "Accepting")
    else:  # "Same-account connections are accepted automatically" (CreateVpcPeerConnection)
        req.state.schedule(conn, "Status", ACTIVE, then=_activated)
    req.state.note(kind=KIND, event="create", connection=rid,
                   why=f"{requester.id} ({req.region}, {req.account.uid}) -> {accepter.id} ({accepting_region}, "
                       f"{accepting_uid}); {'waits for the accepter' if cross_account else 'same account'}")
    return {"InstanceId": rid}


def _pending_for_accepter(req: Request, verb: str) -> Resource:
    """The Accepting connection the caller, its accepter, answers (accept or reject)."""
    conn = _get(req, req.require("InstanceId"))
    if str(conn["AcceptingAliUid"]) != req.account.uid:
        # "only the accepter can accept/reject" (AcceptVpcPeerConnection, RejectVpcPeerConnection);
        # Forbidden.NoPermission is the error page's code for a caller without the right  # undocumented case
        raise ApiError("Forbidden.NoPermission",
                       f"Authentication is failed for {conn.id}: only the accepter account "
                       f"{conn['AcceptingAliUid']} can {verb} this VPC peering connection.", 400)
    if conn["Status"] != "Accepting":
        raise _incorrect_status(conn, "Accepting")
    _dry_run(req)
    conn["GmtModified"] = now_iso()
    return conn


@action("VpcPeer", "AcceptVpcPeerConnection", idempotent=True)
def accept_vpc_peer_connection(req: Request) -> Dict[str, Any]:
    conn = _pending_for_accepter(req, "accept")
    conn["Status"] = "Updating"  # "Updating: the VPC peering connection is being activated"
    req.state.schedule(conn, "Status", ACTIVE, then=_activated)
    return {}


@action("VpcPeer", "RejectVpcPeerConnection", idempotent=True)
def reject_vpc_peer_connection(req: Request) -> Dict[str, Any]:
    _pending_for_accepter(req, "reject")["Status"] = "Rejected"
    return {}


@action("VpcPeer", "GetVpcPeerConnectionAttribute")
def get_vpc_peer_connection_attribute(req: Request) -> Dict[str, Any]:
    return view(_get(req, req.require("InstanceId")))


def _tag_filter(req: Request) -> List[Dict[str, str]]:
    return [t for t in req.list("Tags") if isinstance(t, dict) and t.get("Key")]


@action("VpcPeer", "ListVpcPeerConnections", region=REGION_OPTIONAL)
def list_vpc_peer_connections(req: Request) -> Dict[str, Any]:
    """Connections this account requested in this region or accepts into this region."""
    vpc_ids = [v for v in (req.get("VpcId") or "").split(",") if v]
    instance_id, name, group = req.get("InstanceId"), req.get("Name"), req.get("ResourceGroupId")
    tags = _tag_filter(req)
    uid = req.account.uid
    items = []
    for conn in req.state.all(KIND):
        _settle_expiry(conn)
        mine_here = (conn.owner == uid and conn.region == req.region) or \
            (str(conn["AcceptingAliUid"]) == uid and conn["AcceptingRegionId"] == req.region)
        if not mine_here:
            continue
        if instance_id and conn.id != instance_id or name and conn["Name"] != name or \
                group and conn["ResourceGroupId"] != group:
            continue
        if vpc_ids and conn["VpcId"] not in vpc_ids and conn["AcceptingVpcId"] not in vpc_ids:
            continue
        if any({"Key": t["Key"], "Value": t.get("Value", "")} not in conn["Tags"] for t in tags):
            continue
        items.append(conn)
    # ListVpcPeerConnectionsRequest MaxResults: "Valid values: 1 to 100. Default value: 20."
    page, next_token, size = page_by_token(req, items, "MaxResults", max_size=100, default_size=20)
    return {"VpcPeerConnects": [view(c) for c in page], "NextToken": next_token, "MaxResults": size,
            "TotalCount": len(items)}


@action("VpcPeer", "ModifyVpcPeerConnection", idempotent=True)
def modify_vpc_peer_connection(req: Request) -> Dict[str, Any]:
    conn = _get(req, req.require("InstanceId"))
    if conn.owner != req.account.uid:
        raise ApiError("Forbidden.NoPermission",  # undocumented case, see _pending_for_accepter
                       f"Authentication is failed for {conn.id}: only the requester account {conn.owner} "
                       "can modify this VPC peering connection.", 400)
    inter_region = conn["AcceptingRegionId"] != conn.region
    bandwidth = _bandwidth(req, inter_region)
    link = _link_type(req, inter_region)
    _check_text("Name", req.get("Name"), 1, 128, letter_first=False)
    _check_text("Description", req.get("Description"), 1, 256, letter_first=False)
    if (bandwidth is not None or link is not None) and conn["Status"] != ACTIVE:
        raise _incorrect_status(conn, ACTIVE)
    if conn["Status"] in ("Creating", "Updating", "Deleting"):
        raise _incorrect_status(conn, "a stable state")
    _dry_run(req)
    for field in ("Name", "Description"):
        if req.get(field) is not None:
            conn[field] = req.get(field)
    if bandwidth is not None or link is not None:
        conn["Bandwidth"] = bandwidth if bandwidth is not None else conn["Bandwidth"]
        conn["LinkType"] = link or conn["LinkType"]
        conn["Status"] = "Updating"
        req.state.schedule(conn, "Status", ACTIVE)
    conn["GmtModified"] = now_iso()
    return {}


def routes_to(state: State, conn: Resource) -> List[Resource]:
    """Route entries (either side) whose next hop is this connection."""
    return [e for e in state.all("RouteEntry", include_invisible=True)
            if e.get("NextHopType") == "VpcPeer" and e.get("NextHopId") == conn.id]


@action("VpcPeer", "DeleteVpcPeerConnection", idempotent=True)
def delete_vpc_peer_connection(req: Request) -> Dict[str, Any]:
    conn = _get(req, req.require("InstanceId"))
    if conn["Status"] not in DELETABLE:
        raise _incorrect_status(conn, " or ".join(DELETABLE))
    routes = routes_to(req.state, conn)
    force = req.bool("Force", False)
    if routes and not force:
        # DeleteVpcPeerConnectionRequest Force: "If you forcefully delete ..., the system deletes the
        # routes that point to the VPC peering connection" - so without it they block.  # undocumented code
        raise ApiError("DependencyViolation.RouteEntry",
                       f"The VPC peering connection {conn.id} is the next hop of {len(routes)} route entries "
                       f"({routes[0]['DestinationCidrBlock']} in {routes[0]['RouteTableId']}); delete them or "
                       "set Force=true.", 400)
    _dry_run(req)
    for entry in routes:
        req.state.remove(entry)
    conn["Status"] = "Deleting"
    conn["GmtModified"] = now_iso()
    req.state.schedule(conn, "Status", "Deleted", then=req.state.remove)
    return {}


# --- routes: the VPC API's CreateRouteEntry with NextHopType=VpcPeer ---------------------------------

@shared_next_hop
def _connection_serves(conn: Resource, vpc: Resource) -> bool:
    """A connection is a next hop of either end's route table, once it carries traffic."""
    if vpc.id not in (conn["VpcId"], conn["AcceptingVpcId"]):
        return False
    if vpc.owner not in (conn.owner, str(conn["AcceptingAliUid"])):
        return False
    _settle_expiry(conn)
    if conn["Status"] != ACTIVE:
        raise _incorrect_status(conn, ACTIVE)
    return True


NEXT_HOP_RULES["VpcPeer"] = (KIND, "ResourceNotFound.InstanceId", _connection_serves)


# A peering connection joins two VPCs: either end is deleted only after it (DeleteVpc: "DependencyViolation").
register_dependants("Vpc", "DependencyViolation", lambda state, vpc: [
    c.id for c in state.all("VpcPeerConnection", include_invisible=True)
    if vpc.id in (c["VpcId"], c["AcceptingVpcId"])])
