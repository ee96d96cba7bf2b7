"""CEN bandwidth (product Cbn, 2017-09-12): bandwidth packages and what inter-region traffic gets.

- Bandwidth packages between two geographic areas, associated to a CEN.
- Basic Edition: inter-region bandwidth limits cut from a package (SetCenInterRegionBandwidthLimit, a
  Basic-only call: on Enterprise transit routers the inter-region connection carries the bandwidth). An
  attached cross-region pair without a limit has only the 1 Kbps test bandwidth (``inter_region_bandwidth``
  says so; the API lists only set limits).
- Enterprise Edition: an inter-region connection (``transit_router_attachments``) takes its Bandwidth from a
  package too; ``allocated_bandwidth`` counts limits and connections together, so neither can overdraw a
  package, and a package that still carries either cannot be unassociated or shrunk below them.

Helpers (pure): ``inter_region_bandwidth(state, cen_id, region_a, region_b)``,
``geographic_region(region_id)``, ``geographic_span(region_a, region_b)``,
``allocated_bandwidth(state, pkg, except_id=None)``, ``package_for_span(state, cen_id, span)``.

Error codes: ``InvalidOperation.BwpForGeoSpanAlreadyAssociated``, ``InvalidOperation.BwpInstanceStatus``,
``Forbidden.Release``, ``ParameterIllegal.BandwidthLimit``, ``ParameterIllegal.RegionId`` are the documented
ones; the twin's own choices are marked ``# undocumented``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .base import ApiError, Request, Resource, State, action, missing_parameter, page_by_number
from .cen import GLOBAL, attached_children, filters, get_cen, now_iso, require_basic, tags_match, tags_param

GEOGRAPHIC_REGIONS = ("China", "Asia-Pacific", "Europe", "North-America", "Australia", "Middle-East")
TEST_BANDWIDTH_KBPS = 1


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


def geographic_span(region_a: str, region_b: str) -> str:
    """The GeographicSpanId a package needs to carry traffic between two regions, e.g. asia-pacific_china."""
    return "_".join(_span(geographic_region(region_a), geographic_region(region_b)))


def package_for_span(state: State, cen_id: str, span: str) -> Optional[Resource]:
    """The package of ``span`` associated with the CEN (at most one per span)."""
    return next((p for p in state.all("CenBandwidthPackage", include_invisible=True)
                 if cen_id in p["CenIds"] and p["GeographicSpanId"] == span), None)


def _package_limits(state: State, pkg: Resource) -> List[Resource]:
    return [lim for lim in state.all("CenBandwidthLimit", include_invisible=True)
            if lim["BandwidthPackageId"] == pkg.id]


def _package_connections(state: State, pkg: Resource) -> List[Resource]:
    return [att for att in state.all("TransitRouterPeerAttachment", include_invisible=True)
            if att.get("CenBandwidthPackageId") == pkg.id]


def allocated_bandwidth(state: State, pkg: Resource, except_id: Optional[str] = None) -> int:
    """Mbit/s of ``pkg`` already given to region-pair limits and inter-region connections."""
    users = _package_limits(state, pkg) + _package_connections(state, pkg)
    return sum(int(u.get("BandwidthLimit", u.get("Bandwidth")) or 0) for u in users if u.id != except_id)


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


# --- bandwidth packages and inter-region limits ----------------------------------------------------------

def _area(req: Request, name: str) -> str:
    value = str(req.require(name))
    for area in GEOGRAPHIC_REGIONS:
        if area.lower() == value.lower():
            return area
    raise ApiError(f"ParameterIllegal.{name}",  # undocumented
                   f"The specified {name} {value} is invalid; valid values: {', '.join(GEOGRAPHIC_REGIONS)}.")


def _package_view(state: State, pkg: Resource) -> Dict[str, Any]:
    limits = _package_limits(state, pkg)
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
        raise missing_parameter("Bandwidth")
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
        "Tags": tags_param(req),
    })
    return {"CenBandwidthPackageId": pkg_id, "CenBandwidthPackageOrderId": str(abs(hash(pkg_id)) % 10 ** 14)}


@action("Cbn", "DescribeCenBandwidthPackages")
def describe_cen_bandwidth_packages(req: Request) -> Dict[str, Any]:
    wanted = filters(req)
    tags = req.list("Tag")
    or_keys = req.bool("IsOrKey", False)

    def match(pkg: Resource, key: str, values: List[str]) -> bool:
        if key == "CenId":
            return any(v in pkg["CenIds"] for v in values)
        return str(pkg.get(key)) in values

    pkgs = []
    for pkg in req.state.all("CenBandwidthPackage", owner=req.account.uid):
        checks = [match(pkg, k, v) for k, v in wanted.items()
                  if k in ("CenBandwidthPackageId", "Name", "CenId", "Status")]
        if checks and not (any(checks) if or_keys else all(checks)):
            continue
        if tags_match(pkg, tags):
            pkgs.append(pkg)
    chunk, number, size = page_by_number(req, pkgs)
    return {"CenBandwidthPackages": {"CenBandwidthPackage": [_package_view(req.state, p) for p in chunk]},
            "TotalCount": len(pkgs), "PageNumber": number, "PageSize": size}


@action("Cbn", "ModifyCenBandwidthPackageAttribute")
def modify_cen_bandwidth_package_attribute(req: Request) -> Dict[str, Any]:
    pkg = get_package(req)
    for key in ("Name", "Description"):
        if req.params.get(key) is not None:
            pkg[key] = req.params[key]
    return {}


@action("Cbn", "ModifyCenBandwidthPackageSpec")
def modify_cen_bandwidth_package_spec(req: Request) -> Dict[str, Any]:
    pkg = get_package(req)
    bandwidth = req.int("Bandwidth")
    if bandwidth is None or bandwidth < 1:
        raise ApiError("ParameterIllegal.Bandwidth", f"The specified Bandwidth {bandwidth} is invalid.")  # undocumented
    used = allocated_bandwidth(req.state, pkg)
    if bandwidth < used:
        raise ApiError("ParameterIllegal.BandwidthLimit",
                       "The parameter of bandwidth limit is illegal: the package's inter-region limits and "
                       f"connections use {used} Mbit/s, more than {bandwidth}.")
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
    if _package_connections(req.state, pkg):
        raise ApiError("InvalidOperation.BwpUsedByInterRegionConnection",  # undocumented
                       f"The bandwidth package {pkg.id} still carries inter-region connections "
                       f"({', '.join(a.id for a in _package_connections(req.state, pkg))}); delete them or move "
                       "them to another package first.")
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
        raise missing_parameter("BandwidthLimit")
    if local == opposite:
        raise ApiError("ParameterIllegal.RegionId", "The local and opposite regions must differ.")
    # Enterprise transit routers carry inter-region bandwidth on the inter-region connection instead.
    require_basic(req.state, cen, (local, opposite), "SetCenInterRegionBandwidthLimit")
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
    span = geographic_span(local, opposite)
    pkg = package_for_span(req.state, cen.id, span)
    if pkg is None:
        raise ApiError("InvalidOperation.BwpNotExist",  # undocumented
                       f"The CEN {cen.id} has no bandwidth package for {geographic_region(local)} <-> "
                       f"{geographic_region(opposite)}; create and associate one first.")
    used = allocated_bandwidth(req.state, pkg, except_id=lid)
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
    chunk, number, size = page_by_number(req, limits)
    return {"CenInterRegionBandwidthLimits": {"CenInterRegionBandwidthLimit": [
        {k: lim[k] for k in ("CenId", "LocalRegionId", "OppositeRegionId", "BandwidthLimit", "Status",
                             "BandwidthPackageId", "GeographicSpanId", "BandwidthType")} for lim in chunk]},
        "TotalCount": len(limits), "PageNumber": number, "PageSize": size}
