"""Transit router attachments (product Cbn, 2017-09-12): VPC, inter-region (peer) and VPN connections.

Every attachment: Attaching -> Attached; deleted: Detaching -> gone; ClientToken idempotent; a new
attachment has no association or route learning ("By default, route learning and associated forwarding
are disabled", CreateTransitRouterVpcAttachment). Delete is refused while the attachment still has a route
learning correlation (``OperationFailed.RouteTablePropagationExist``), an associated route table
(``OperationFailed.RouteTableAssociationExist``) or static routes pointing to it
(``OperationFailed.RouteEntryExist``) unless ``Force`` is true, and, for a VPC attachment, while routes
in the VPC point to it (``OperationFailed.AttachmentReferencedVpcRouteEntryExisted``), as
DeleteTransitRouterVpcAttachment's reference lists.

VPC attachments (CreateTransitRouterVpcAttachment and "How transit routers work"):

- TransitRouterId, or CenId + RegionId; with CenId + RegionId and no router in the region the system
  creates the Enterprise transit router first (the reference's usage notes).
- ZoneMappings.N.VSwitchId / ZoneId (at most 10, one per zone, ``Duplicated.ZoneMapping``): the zone must be
  a zone of the region (``IllegalParam.ZoneId``), the vSwitch must be in the VPC and in that zone
  (``IllegalParam.VSwitchId``; unknown: ``InvalidVSwitchId.NotFound``); in a region with several zones at
  least two zones (``IllegalParam.ZoneMappings``). The router puts an ENI in each vSwitch, taking one IP:
  AvailableIpAddressCount drops by one (``InsufficientIpAddr.vsw`` when none is left) and comes back when
  the zone is removed or the attachment deleted.
- A VPC of another account needs VpcOwnerId and that owner's grant (``cen_grants``).
- AutoPublishRouteEnabled: the router advertises the routes of the route table associated with the
  attachment into the VPC's system route table (``transit_router_routes``); a VPC takes them from one CEN
  only (``InvalidOperation.VpcAutoRoutesPublishInOtherCEN``).
- UpdateTransitRouterVpcAttachmentZones: Modifying -> Attached, the same zone rules on the result.

Inter-region connections (CreateTransitRouterPeerAttachment): both routers in one CEN, different regions.
BandwidthType ``BandwidthPackage`` takes Bandwidth Mbit/s from CenBandwidthPackageId, which must be
associated with the CEN for the regions' geographic span (``InvalidOperation.BwpNotAssociated``) and have
that much left (``InvalidOperation.BwpBandwidthExceeded``; limits and connections share a package); without
a package the connection has the 1 Kbps test bandwidth. ``DataTransfer`` is pay-by-data-transfer, Bandwidth
being a throttle. DefaultLinkType Gold, or Platinum with DataTransfer only.

VPN attachments (CreateTransitRouterVpnAttachment): VpnId is an IPsec-VPN connection made by the VPC API's
CreateVpnAttachment (kind ``VpnConnection``, ``AttachType`` ``CEN``), in the router's region, not bound to
anything yet; another account's connection needs VpnOwnerId and a VPN grant. Binding sets on the
connection ``TransitRouterId``, ``TransitRouterName``, ``AttachInstanceId`` (the CEN id, as the
DescribeVpnConnection model documents it) and ``State`` attaching -> attached (detaching on delete, then
back to what it was). AutoPublishRouteEnabled defaults to true (the model's docstring); it matters for BGP,
which the twin does not model.

Pure helpers: ``peer_bandwidth(state, attachment_id)``, ``vpc_attachments_of_vpc(state, vpc_id)``.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional

from .base import REGION_OPTIONAL, ApiError, Request, Resource, State, action, page_by_token
from .cen import dry_run, get_cen, now_iso, tags_match, tags_param
from .cen_bandwidth import TEST_BANDWIDTH_KBPS, allocated_bandwidth, geographic_span
from .cen_grants import granted
from .transit_router import (ASSOCIATION, PEER_ATTACHMENT, PROPAGATION, ROUTER, VPC_ATTACHMENT, VPN_ATTACHMENT,
                             attachment_of, bindings, get_attachment, modifying, name_and_description,
                             new_transit_router, require_attached, resolve_transit_router, static_entries,
                             zone_of_region, zones_needed)
from .vpc import register_dependants

MAX_ZONES = 10  # "You can specify at most 10 zones" (CreateTransitRouterVpcAttachmentRequest)
LIST_DEFAULT, LIST_MAX = 20, 100  # MaxResults default 20 (the models); 100 as for the peer / route calls


# --- shared -------------------------------------------------------------------------------------

def _new_attachment(req: Request, kind: str, tr: Resource, resource_type: str, texts: Dict[str, str],
                    auto_publish: bool, extra: Dict[str, Any],
                    on_attached: Optional[Callable[[Resource], None]] = None) -> Resource:
    att_id = req.state.new_id("tr-attach")
    attrs = {
        "TransitRouterAttachmentId": att_id, "TransitRouterId": tr.id, "CenId": tr["CenId"], "RegionId": tr.region,
        "ResourceType": resource_type, "Status": "Attaching", "CreationTime": now_iso(),
        "TransitRouterAttachmentName": texts.get("TransitRouterAttachmentName", ""),
        "TransitRouterAttachmentDescription": texts.get("TransitRouterAttachmentDescription", ""),
        "AutoPublishRouteEnabled": auto_publish, "Tags": tags_param(req),
    }
    attrs.update(extra)
    att = req.state.add(kind, att_id, tr.owner, tr.region, attrs)
    req.state.schedule(att, "Status", "Attached", then=on_attached)
    req.state.note(kind="transit_router", event="attach", attachment=att_id, type=resource_type,
                   transit_router=tr.id)
    return att


def _texts(req: Request) -> Dict[str, str]:
    return name_and_description(req, "TransitRouterAttachmentName", "TransitRouterAttachmentDescription")


def _view(att: Resource) -> Dict[str, Any]:
    # Only the inter-region list names the router's region (ListTransitRouterPeerAttachments RegionId); the VPC
    # and VPN lists say VpcRegionId / VpnRegionId instead.
    hidden = () if att.kind == PEER_ATTACHMENT else ("RegionId",)
    out = {k: v for k, v in att.attrs.items() if not k.startswith("_") and k not in hidden}
    out["Tags"] = [dict(t) for t in att.get("Tags", [])]
    return out


def _list(req: Request, kind: str, extra_match: Callable[[Resource], bool] = lambda att: True) -> Dict[str, Any]:
    tr_id, region = req.get("TransitRouterId"), req.get("RegionId")
    wanted = {k: req.get(k) for k in ("CenId", "TransitRouterAttachmentId", "Status")}
    tags = req.list("Tag")

    def ends(att: Resource, key: str, peer_key: str) -> tuple:
        return (att[key], att[peer_key]) if att.kind == PEER_ATTACHMENT else (att[key],)

    items = [att for att in req.state.all(kind, owner=req.account.uid)
             if all(v is None or att.get(k) == v for k, v in wanted.items())
             and (tr_id is None or tr_id in ends(att, "TransitRouterId", "PeerTransitRouterId"))
             and (region is None or region in ends(att, "RegionId", "PeerTransitRouterRegionId"))
             and tags_match(att, tags) and extra_match(att)]
    chunk, token, size = page_by_token(req, items, max_size=LIST_MAX, default_size=LIST_DEFAULT)
    return {"TransitRouterAttachments": [_view(att) for att in chunk], "TotalCount": len(items),
            "MaxResults": size, "NextToken": token}


def _blockers(state: State, att: Resource) -> List[tuple]:
    """(code, message, resources) for what still depends on an attachment on the transit router side."""
    entries = [e for e in static_entries(state) if e.get("TransitRouterRouteEntryNextHopId") == att.id]
    return [
        ("OperationFailed.RouteTablePropagationExist", "The specified TransitRouterAttachment has configured "
         "RouteTablePropagation. Please remove the configuration first.", bindings(state, PROPAGATION, att.id)),
        ("OperationFailed.RouteTableAssociationExist", "Operation failed because there is associated routing table.",
         bindings(state, ASSOCIATION, att.id)),
        ("OperationFailed.RouteEntryExist", "Failed to delete the instance because a route table entry points to "
         "the instance.", entries),
    ]


def _delete(req: Request, kind: str, dry_run_error: bool,
            check: Optional[Callable[[Resource], None]] = None,
            detaching: Optional[Callable[[Resource], None]] = None,
            gone: Optional[Callable[[Resource], None]] = None) -> Dict[str, Any]:
    """Delete an attachment: ``check`` may refuse, ``detaching`` runs when Detaching starts, ``gone`` at the end."""
    att = get_attachment(req, kinds=(kind,))
    require_attached(att)
    force = bool(req.bool("Force", False))
    blockers = _blockers(req.state, att)
    for code, message, resources in blockers:
        if resources and not force:
            raise ApiError(code, f"{message} ({', '.join(r.id for r in resources)})")
    if check is not None:
        check(att)
    if dry_run(req, error=dry_run_error):
        return {}
    for _, _, resources in blockers:  # Force: "deletes the connection and all resources related to it"
        for res in resources:
            req.state.remove(res)

    def finish(res: Resource) -> None:
        if gone is not None:
            gone(res)
        req.state.remove(res)

    att["Status"] = "Detaching"
    if detaching is not None:
        detaching(att)
    req.state.schedule(att, "Status", "Detached", then=finish)
    req.state.note(kind="transit_router", event="detach", attachment=att.id)
    return {}


def _auto_publish(req: Request, default: bool) -> bool:
    return bool(req.bool("AutoPublishRouteEnabled", default))


def _attribute_changes(req: Request, kind: str, auto_publish_default: bool) -> tuple:
    """(attachment, changes) of an Update...AttachmentAttribute call: name, description, AutoPublishRouteEnabled."""
    att = get_attachment(req, kinds=(kind,))
    require_attached(att)
    changes: Dict[str, Any] = dict(_texts(req))
    if req.get("AutoPublishRouteEnabled") is not None:
        changes["AutoPublishRouteEnabled"] = _auto_publish(req, auto_publish_default)
    return att, changes


def _charge_type(req: Request) -> str:
    charge = req.get("ChargeType", "POSTPAY")
    if charge != "POSTPAY":  # "Only POSTPAY" (the models' docstrings)
        raise ApiError("IllegalParam.ChargeType", "The specified ChargeType is illegal.")
    return charge


# --- VPC attachments -----------------------------------------------------------------------------

def vpc_attachments_of_vpc(state: State, vpc_id: str) -> List[Resource]:
    return [a for a in state.all(VPC_ATTACHMENT, include_invisible=True) if a["VpcId"] == vpc_id]


def _zone_vswitches(req: Request, vpc: Resource, param: str, required: bool) -> List[Resource]:
    items = [m for m in req.list(param) if isinstance(m, dict)]
    if required and not items:
        raise ApiError("IllegalParam.ZoneMappings", f"{param} is required: a vSwitch of the VPC in each zone.")
    if len(items) > MAX_ZONES:
        raise ApiError("IllegalParam.ZoneMappings", f"{param}: at most {MAX_ZONES} zones.")
    out, zones = [], set()
    for item in items:
        zone, vsw_id = item.get("ZoneId"), item.get("VSwitchId")
        if not zone or not vsw_id:
            raise ApiError("IllegalParam.ZoneMappings", f"{param}: every entry needs ZoneId and VSwitchId.")
        if zone in zones:
            raise ApiError("Duplicated.ZoneMapping", f"The parameter ZoneMapping is duplicated (zone {zone}).")
        zones.add(zone)
        if not zone_of_region(zone, vpc.region):
            raise ApiError("IllegalParam.ZoneId", f"The specified ZoneId {zone} is not a zone of {vpc.region}.")
        vsw = req.state.find("VSwitch", vsw_id)
        if vsw is None or vsw.deleted or vsw.owner != vpc.owner:
            raise ApiError("InvalidVSwitchId.NotFound", f"The specified VSwitchId {vsw_id} is not found.", 404)
        if vsw["VpcId"] != vpc.id or vsw["ZoneId"] != zone:
            raise ApiError("IllegalParam.VSwitchId", f"VSwitchId is illegal: {vsw_id} is in {vsw['VpcId']} / "
                                                     f"{vsw['ZoneId']}, not in {vpc.id} / {zone}.")
        out.append(vsw)
    return out


def _check_zone_count(region: str, zones: int) -> None:
    needed = zones_needed(region)
    if zones < needed:
        raise ApiError("IllegalParam.ZoneMappings",
                       f"The Specified Parameter ZoneMappings is illegal: {region} has several zones, so a VPC "
                       f"connection needs vSwitches in at least {needed} zones ({zones} given).")


def _check_free_ips(vswitches: List[Resource]) -> None:
    for vsw in vswitches:
        if vsw["AvailableIpAddressCount"] < 1:
            raise ApiError("InsufficientIpAddr.vsw", f"Insufficient available IP addresses in the vSwitch {vsw.id}.")


def _place_enis(state: State, vswitches: List[Resource]) -> List[Dict[str, str]]:
    mappings = []
    for vsw in vswitches:
        vsw["AvailableIpAddressCount"] -= 1  # the router's ENI takes one address
        mappings.append({"ZoneId": vsw["ZoneId"], "VSwitchId": vsw.id, "NetworkInterfaceId": state.new_id("eni")})
    return mappings


def _release_enis(state: State, mappings: List[Dict[str, str]]) -> None:
    for mapping in mappings:
        vsw = state.find("VSwitch", mapping["VSwitchId"])
        if vsw is not None:
            vsw["AvailableIpAddressCount"] += 1


def _vpc_options(req: Request, current: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    options = dict(current or {"ipv6Support": "disable"})
    raw = req.get("TransitRouterVPCAttachmentOptions")
    if raw is None:
        return options
    try:
        given = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (ValueError, TypeError):
        raise ApiError("InvalidParameter", "TransitRouterVPCAttachmentOptions must be a JSON object.")
    options.update({str(k): str(v) for k, v in given.items()})
    if options.get("ipv6Support") not in ("enable", "disable"):
        raise ApiError("IllegalParam.Ipv6Support", "Ipv6Support is illegal. Valid Values are [enable, disable].")
    if options["ipv6Support"] == "enable":  # the twin's VPCs and vSwitches have no IPv6 CIDR
        raise ApiError("OperationFailed.VSwitchIpv6CidrNotAllocated",
                       "The specified vswitch does not have IPv6 address allocated.")
    return options


def _check_auto_publish(state: State, vpc_id: str, cen_id: str, att_id: Optional[str] = None) -> None:
    for other in vpc_attachments_of_vpc(state, vpc_id):
        if other.id != att_id and other["AutoPublishRouteEnabled"] and other["CenId"] != cen_id:
            raise ApiError("InvalidOperation.VpcAutoRoutesPublishInOtherCEN",
                           f"The specified VPC already has its routes synchronized with another CEN instance "
                           f"({other['CenId']}).")


@action("Cbn", "CreateTransitRouterVpcAttachment", idempotent=True, region=REGION_OPTIONAL)
def create_transit_router_vpc_attachment(req: Request) -> Dict[str, Any]:
    tr = resolve_transit_router(req, create_missing=True)  # None: to be created in RegionId once all checks pass
    cen = get_cen(req, tr["CenId"] if tr else None, active=True, missing_code="InvalidCenId.NotFound")
    region = tr.region if tr else req.region
    vpc_owner = str(req.get("VpcOwnerId") or req.account.uid)
    vpc_id = req.require("VpcId")
    vpc = req.state.find("Vpc", vpc_id)
    if vpc is None or vpc.owner != vpc_owner or vpc.region != region or not req.state.visible(vpc):
        raise ApiError("InvalidVpcId.NotFound",  # undocumented for this call (the VPC API's code)
                       f"No VPC {vpc_id} of account {vpc_owner} in {region}.", 404)
    if vpc_owner != req.account.uid and not granted(req.state, cen, vpc.id, vpc_owner):
        # the code AttachCenChildInstance documents for an ungranted instance of another account
        raise ApiError("Forbbiden.AttachChildInstanceAcrossUid",
                       "Operation is invalid because the child-instance is not authorized to CEN.", 409)
    if tr is not None and any(a["TransitRouterId"] == tr.id for a in vpc_attachments_of_vpc(req.state, vpc.id)):
        raise ApiError("InstanceExist.VpcAttachment",  # undocumented
                       f"The VPC {vpc.id} is already connected to the transit router {tr.id}.")
    charge = _charge_type(req)
    auto_publish = _auto_publish(req, False)
    if auto_publish:
        _check_auto_publish(req.state, vpc.id, cen.id)
    options = _vpc_options(req)
    vswitches = _zone_vswitches(req, vpc, "ZoneMappings", required=True)
    _check_zone_count(region, len(vswitches))
    _check_free_ips(vswitches)
    texts = _texts(req)
    dry_run(req)
    if tr is None:
        tr = new_transit_router(req.state, cen, region, status="Active")
    att = _new_attachment(req, VPC_ATTACHMENT, tr, "VPC", texts, auto_publish, {
        "VpcId": vpc.id, "VpcOwnerId": int(vpc.owner), "VpcRegionId": vpc.region,
        "ZoneMappings": _place_enis(req.state, vswitches), "ChargeType": charge,
        "OrderType": req.get("OrderType", "PayByCenOwner"), "TransitRouterVPCAttachmentOptions": options,
        "ManagedService": "",
    })
    return {"TransitRouterAttachmentId": att.id}


@action("Cbn", "ListTransitRouterVpcAttachments", region=REGION_OPTIONAL)
def list_transit_router_vpc_attachments(req: Request) -> Dict[str, Any]:
    vpc_id, order = req.get("VpcId"), req.get("OrderType")
    return _list(req, VPC_ATTACHMENT, lambda att: (vpc_id is None or att["VpcId"] == vpc_id)
                 and (order is None or att["OrderType"] == order))


@action("Cbn", "UpdateTransitRouterVpcAttachmentAttribute")
def update_transit_router_vpc_attachment_attribute(req: Request) -> Dict[str, Any]:
    att, changes = _attribute_changes(req, VPC_ATTACHMENT, auto_publish_default=False)
    if changes.get("AutoPublishRouteEnabled"):
        _check_auto_publish(req.state, att["VpcId"], att["CenId"], att.id)
    changes["TransitRouterVPCAttachmentOptions"] = _vpc_options(req, att["TransitRouterVPCAttachmentOptions"])
    if dry_run(req, error=False):  # "the system returns the ID of the request"
        return {}
    att.attrs.update(changes)
    return {}


@action("Cbn", "UpdateTransitRouterVpcAttachmentZones", idempotent=True)
def update_transit_router_vpc_attachment_zones(req: Request) -> Dict[str, Any]:
    att = get_attachment(req, kinds=(VPC_ATTACHMENT,))
    require_attached(att)
    vpc = req.state.find("Vpc", att["VpcId"])
    removed = [m for m in req.list("RemoveZoneMappings") if isinstance(m, dict)]
    current = {m["VSwitchId"]: m for m in att["ZoneMappings"]}
    for item in removed:
        mapping = current.get(item.get("VSwitchId"))
        if mapping is None or (item.get("ZoneId") and item["ZoneId"] != mapping["ZoneId"]):
            raise ApiError("IllegalParam.ZoneMappings",
                           f"RemoveZoneMappings: {item.get('VSwitchId')} is not a vSwitch of {att.id}.")
    keep = [m for m in att["ZoneMappings"] if m["VSwitchId"] not in {i["VSwitchId"] for i in removed}]
    added = _zone_vswitches(req, vpc, "AddZoneMappings", required=False)
    kept_zones = {m["ZoneId"] for m in keep}
    for vsw in added:
        if vsw["ZoneId"] in kept_zones:
            raise ApiError("Duplicated.ZoneMapping", f"The connection already has a vSwitch in {vsw['ZoneId']}.")
    _check_zone_count(att.region, len(keep) + len(added))
    _check_free_ips(added)
    dry_run(req)
    _release_enis(req.state, [m for m in att["ZoneMappings"] if m not in keep])
    att["ZoneMappings"] = keep + _place_enis(req.state, added)
    modifying(req.state, att, "Attached")
    return {}


def _vpc_routes_to(state: State, att: Resource) -> List[Resource]:
    return [e for e in state.all("RouteEntry", include_invisible=True)
            if e["NextHopType"] == "Attachment" and e["NextHopId"] == att.id]


def _no_vpc_routes_to(state: State) -> Callable[[Resource], None]:
    def check(att: Resource) -> None:
        routes = _vpc_routes_to(state, att)
        if routes:
            raise ApiError("OperationFailed.AttachmentReferencedVpcRouteEntryExisted",
                           "Operation is failed because there is at least one route entry which next hop is the "
                           f"specified attachment ({', '.join(r['DestinationCidrBlock'] for r in routes)}).")
    return check


@action("Cbn", "DeleteTransitRouterVpcAttachment")
def delete_transit_router_vpc_attachment(req: Request) -> Dict[str, Any]:
    return _delete(req, VPC_ATTACHMENT, dry_run_error=False, check=_no_vpc_routes_to(req.state),
                   gone=lambda att: _release_enis(req.state, att["ZoneMappings"]))


# --- inter-region connections --------------------------------------------------------------------

def _bandwidth(req: Request, tr: Resource, peer: Resource, current: Optional[Resource] = None) -> Dict[str, Any]:
    """BandwidthType / Bandwidth / CenBandwidthPackageId / DefaultLinkType as the peer-attachment models say."""
    old = current.attrs if current is not None else {}
    kind = req.get("BandwidthType", old.get("BandwidthType", "BandwidthPackage"))
    if kind not in ("BandwidthPackage", "DataTransfer"):
        raise ApiError("IllegalParam.BandwidthType", f"BandwidthType {kind} is illegal.")
    link = req.get("DefaultLinkType", old.get("DefaultLinkType", "Gold"))
    if link not in ("Gold", "Platinum"):
        raise ApiError("ParameterIllegal.CdtDefaultLinkTypeOnlySupportPlatinumOrGold",
                       "DataTransfer only support Platinum and Gold.")
    if kind == "BandwidthPackage" and link != "Gold":  # "Platinum is supported only when BandwidthType is DataTransfer"
        raise ApiError("ParameterIllegal.BandwidthPackageDefaultLinkTypeOnlySupportGold",
                       "Cen bandwidthPackage only support Gold.")
    bandwidth = req.int("Bandwidth", old.get("Bandwidth") or None)
    if bandwidth is not None and bandwidth < 0:
        raise ApiError("IllegalParam.Bandwidth", "Bandwidth is illegal.")
    span = geographic_span(tr.region, peer.region)
    out = {"BandwidthType": kind, "Bandwidth": bandwidth or 0, "CenBandwidthPackageId": "",
           "GeographicSpanId": span, "DefaultLinkType": link}
    if kind == "DataTransfer":
        return out
    pkg_id = req.get("CenBandwidthPackageId", old.get("CenBandwidthPackageId") or None)
    if pkg_id is None:
        if bandwidth:
            raise ApiError("IllegalParam.CenBandwidthPackageId",  # undocumented pairing
                           f"A Bandwidth of {bandwidth} Mbit/s needs a bandwidth package (CenBandwidthPackageId); "
                           "without one the connection has the 1 Kbps test bandwidth.")
        return out
    pkg = req.state.find("CenBandwidthPackage", pkg_id)
    if pkg is None or pkg.owner != req.account.uid:
        raise ApiError("IllegalParam.CenBandwidthPackageId", "Parameter CenBandwidthPackageId is illegal.")
    if tr["CenId"] not in pkg["CenIds"] or pkg["GeographicSpanId"] != span:
        raise ApiError("InvalidOperation.BwpNotAssociated",
                       "Operation is invalid because a bandwidth package corresponding to the geographic span is not "
                       f"associated (package {pkg.id} covers {pkg['GeographicSpanId']}, the connection needs {span} "
                       f"and CEN {tr['CenId']}).")
    if bandwidth is None:
        raise ApiError("MissingParam.Bandwidth", "The parameter Bandwidth is mandatory.")
    used = allocated_bandwidth(req.state, pkg, except_id=current.id if current is not None else None)
    if bandwidth < 1 or used + bandwidth > pkg["Bandwidth"]:
        raise ApiError("InvalidOperation.BwpBandwidthExceeded",
                       "Operation is invalid because the total bandwidth limit has exceeded that of the bandwidth "
                       f"package ({bandwidth} Mbit/s asked, {pkg['Bandwidth'] - used} of {pkg['Bandwidth']} left).")
    out["CenBandwidthPackageId"] = pkg.id
    return out


def peer_bandwidth(state: State, attachment_id: str) -> Optional[Dict[str, Any]]:
    """What an inter-region connection carries: ``{"kbps", "source", "mbps"}`` (source BandwidthPackage,
    DataTransfer with kbps None when unthrottled, or Test: the 1 Kbps test bandwidth)."""
    att = attachment_of(state, attachment_id)
    if att is None or att.kind != PEER_ATTACHMENT:
        return None
    mbps = att["Bandwidth"] or None
    if att["BandwidthType"] == "DataTransfer":
        return {"kbps": mbps * 1000 if mbps else None, "source": "DataTransfer", "mbps": mbps}
    if att["CenBandwidthPackageId"]:
        return {"kbps": mbps * 1000, "source": "BandwidthPackage", "mbps": mbps,
                "package_id": att["CenBandwidthPackageId"]}
    return {"kbps": TEST_BANDWIDTH_KBPS, "source": "Test", "mbps": None}


def _peer_router(req: Request, tr: Resource) -> Resource:
    peer_id = req.require("PeerTransitRouterId")
    peer = req.state.find(ROUTER, peer_id)
    if peer is None or peer.deleted or peer.owner != req.account.uid:
        raise ApiError("InvalidPeerTransitRouterId.NotFound", f"The specified PeerTransitRouterId {peer_id} is not "
                                                              "found.")
    if peer["CenId"] != tr["CenId"] or peer.region == tr.region:
        raise ApiError("IllegalParam.PeerTransitRouterId",
                       f"PeerTransitRouterId is illegal: {peer.id} must be a transit router of CEN {tr['CenId']} in "
                       f"another region than {tr.region}.")
    region = req.get("PeerTransitRouterRegionId")
    if region is not None and region != peer.region:
        raise ApiError("IllegalParam.PeerRegionId", f"PeerRegionId is illegal: {peer.id} is in {peer.region}.")
    if peer["Status"] != "Active":
        raise ApiError("IncorrectStatus.TransitRouter", f"The status of TransitRouter {peer.id} is incorrect.")
    for other in req.state.all(PEER_ATTACHMENT, include_invisible=True):
        if {other["TransitRouterId"], other["PeerTransitRouterId"]} == {tr.id, peer.id}:
            raise ApiError("InstanceExist.TransitRouterPeerAttachment",  # undocumented
                           f"The transit routers {tr.id} and {peer.id} are already connected ({other.id}).")
    return peer


@action("Cbn", "CreateTransitRouterPeerAttachment", idempotent=True, region=REGION_OPTIONAL)
def create_transit_router_peer_attachment(req: Request) -> Dict[str, Any]:
    tr = resolve_transit_router(req)
    peer = _peer_router(req, tr)
    bandwidth = _bandwidth(req, tr, peer)
    texts = _texts(req)
    if dry_run(req, error=False):  # "the system returns the ID of the request"
        return {}
    att = _new_attachment(req, PEER_ATTACHMENT, tr, "TR", texts, _auto_publish(req, False), dict(
        bandwidth, PeerTransitRouterId=peer.id, PeerTransitRouterRegionId=peer.region,
        PeerTransitRouterOwnerId=int(peer.owner)))
    return {"TransitRouterAttachmentId": att.id}


@action("Cbn", "ListTransitRouterPeerAttachments", region=REGION_OPTIONAL)
def list_transit_router_peer_attachments(req: Request) -> Dict[str, Any]:
    return _list(req, PEER_ATTACHMENT)


@action("Cbn", "UpdateTransitRouterPeerAttachmentAttribute")
def update_transit_router_peer_attachment_attribute(req: Request) -> Dict[str, Any]:
    att, changes = _attribute_changes(req, PEER_ATTACHMENT, auto_publish_default=False)
    if any(req.get(k) is not None for k in ("Bandwidth", "BandwidthType", "CenBandwidthPackageId", "DefaultLinkType")):
        tr, peer = req.state.find(ROUTER, att["TransitRouterId"]), req.state.find(ROUTER, att["PeerTransitRouterId"])
        changes.update(_bandwidth(req, tr, peer, current=att))
    if dry_run(req, error=False):
        return {}
    att.attrs.update(changes)
    modifying(req.state, att, "Attached")
    return {}


@action("Cbn", "DeleteTransitRouterPeerAttachment")
def delete_transit_router_peer_attachment(req: Request) -> Dict[str, Any]:
    return _delete(req, PEER_ATTACHMENT, dry_run_error=False)


# --- VPN attachments ------------------------------------------------------------------------------

def _vpn_connection(req: Request, tr: Resource, cen: Resource) -> Resource:
    vpn_id = req.require("VpnId")
    owner = str(req.get("VpnOwnerId") or req.account.uid)
    vco = req.state.find("VpnConnection", vpn_id)
    if vco is None or vco.deleted or vco.owner != owner:
        raise ApiError("InvalidVpnConnectionId.NotFound",  # undocumented for this call
                       f"No IPsec-VPN connection {vpn_id} of account {owner}.", 404)
    if owner != req.account.uid and not granted(req.state, cen, vco.id, owner):
        raise ApiError("Forbbiden.AttachChildInstanceAcrossUid",
                       "Operation is invalid because the child-instance is not authorized to CEN "
                       "(GrantInstanceToTransitRouter with InstanceType VPN).", 409)
    if vco.region != tr.region:  # "an IPsec connection in the same region as the Transit Router instance"
        raise ApiError("IllegalParam.RegionId",  # undocumented for this call
                       f"The IPsec-VPN connection {vco.id} is in {vco.region}; the transit router is in {tr.region}.")
    if vco.get("AttachType") not in ("CEN", "NO_ASSOCIATED"):
        raise ApiError("OperationUnsupported.VpnAttachType",  # undocumented
                       f"The IPsec-VPN connection {vco.id} belongs to a VPN gateway (AttachType "
                       f"{vco.get('AttachType')}); create one with CreateVpnAttachment for a transit router.")
    if vco.get("TransitRouterId"):  # "The IPsec connection must not be bound to any other resource"
        raise ApiError("IncorrectStatus.VpnConnectionBound",  # undocumented
                       f"The IPsec-VPN connection {vco.id} is already bound to {vco['TransitRouterId']}.")
    if vco.get("NetworkType", "public") != "public":
        raise ApiError("OperationUnsupported.NetworkType",  # the twin models public IPsec only
                       "A private IPsec-VPN connection needs a transit router CIDR block, which the twin does not "
                       "model.")
    return vco


def _vpn_zones(req: Request, region: str) -> List[Dict[str, str]]:
    zones = []
    for item in req.list("Zone"):
        zone = item.get("ZoneId") if isinstance(item, dict) else None
        if not zone or not zone_of_region(zone, region) or {"ZoneId": zone} in zones:
            raise ApiError("IllegalParam.ZoneId", f"The specified ZoneId {zone} is illegal in {region}.")
        zones.append({"ZoneId": zone})
    return zones


def _bind_vpn(state: State, vco: Resource, tr: Resource, att: Resource) -> None:
    att["_VpnStateBefore"] = vco.get("State")
    vco.attrs.update(TransitRouterId=tr.id, TransitRouterName=tr["TransitRouterName"], AttachInstanceId=tr["CenId"],
                     State="attaching")


def _vpn_attached(state: State) -> Callable[[Resource], None]:
    def attached(att: Resource) -> None:
        vco = state.find("VpnConnection", att["VpnId"])
        if vco is not None and vco.get("TransitRouterId") == att["TransitRouterId"]:
            vco["State"] = "attached"
    return attached


def _vpn_detaching(state: State) -> Callable[[Resource], None]:
    def detaching(att: Resource) -> None:
        vco = state.find("VpnConnection", att["VpnId"])
        if vco is not None:
            vco["State"] = "detaching"
    return detaching


def _unbind_vpn(state: State) -> Callable[[Resource], None]:
    def unbind(att: Resource) -> None:
        vco = state.find("VpnConnection", att["VpnId"])
        if vco is not None and vco.get("TransitRouterId") == att["TransitRouterId"]:
            vco.attrs.update(TransitRouterId="", TransitRouterName="", AttachInstanceId="",
                             State=att.get("_VpnStateBefore") or "active")
    return unbind


@action("Cbn", "CreateTransitRouterVpnAttachment", idempotent=True, region=REGION_OPTIONAL)
def create_transit_router_vpn_attachment(req: Request) -> Dict[str, Any]:
    tr = resolve_transit_router(req)
    cen = get_cen(req, tr["CenId"], active=True, missing_code="InvalidCenId.NotFound")
    vco = _vpn_connection(req, tr, cen)
    zones = _vpn_zones(req, tr.region)
    charge = _charge_type(req)
    texts = _texts(req)
    dry_run(req)
    att = _new_attachment(req, VPN_ATTACHMENT, tr, "VPN", texts, _auto_publish(req, True), {
        "VpnId": vco.id, "VpnOwnerId": int(vco.owner), "VpnRegionId": vco.region, "Zones": zones,
        "ChargeType": charge, "OrderType": req.get("OrderType", "PayByCenOwner"),
    }, on_attached=_vpn_attached(req.state))
    _bind_vpn(req.state, vco, tr, att)
    return {"TransitRouterAttachmentId": att.id}


@action("Cbn", "ListTransitRouterVpnAttachments", region=REGION_OPTIONAL)
def list_transit_router_vpn_attachments(req: Request) -> Dict[str, Any]:
    return _list(req, VPN_ATTACHMENT)


@action("Cbn", "UpdateTransitRouterVpnAttachmentAttribute")
def update_transit_router_vpn_attachment_attribute(req: Request) -> Dict[str, Any]:
    att, changes = _attribute_changes(req, VPN_ATTACHMENT, auto_publish_default=True)
    dry_run(req)
    att.attrs.update(changes)
    return {}


@action("Cbn", "DeleteTransitRouterVpnAttachment")
def delete_transit_router_vpn_attachment(req: Request) -> Dict[str, Any]:
    return _delete(req, VPN_ATTACHMENT, dry_run_error=True, detaching=_vpn_detaching(req.state),
                   gone=_unbind_vpn(req.state))



# A VPC connection puts the router's ENIs into the VPC's vSwitches: the VPC ("DependencyViolation.Instance": "the
# VPC still has cloud product instances", DeleteVpc's error table) and each of those vSwitches ("DependencyViolation",
# DeleteVSwitch's) stay until the connection is deleted ("How transit routers work": an ENI in each vSwitch).
register_dependants("Vpc", "DependencyViolation.Instance",
                    lambda state, vpc: [a.id for a in vpc_attachments_of_vpc(state, vpc.id)])
register_dependants("VSwitch", "DependencyViolation", lambda state, vsw: [
    a.id for a in vpc_attachments_of_vpc(state, vsw["VpcId"]) if vsw.id in {m["VSwitchId"] for m in a["ZoneMappings"]}])
