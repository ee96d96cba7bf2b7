"""Cross-account grants to a CEN: the network instance's owner allows another account's CEN to use it.

- Vpc 2016-04-28 ``GrantInstanceToCen`` / ``RevokeInstanceFromCen`` / ``DescribeGrantRulesToCen``
  (the child owner's side, VPCs only), as in the official SDK ``alibabacloud_vpc20160428``;
- Cbn 2017-09-12 ``GrantInstanceToTransitRouter`` / ``RevokeInstanceFromTransitRouter`` (the owner of a
  VPC or an IPsec-VPN connection, for Enterprise transit routers: "To connect a Transit Router instance to a
  cross-account IPsec connection, the IPsec connection must first be granted", CreateTransitRouterVpnAttachment)
  and ``DescribeGrantRulesToCen`` (the CEN owner's view).

Both APIs write the same grant (kind ``CenGrant``, id ``<cen>/<instance>``, owned by the instance's owner), so
either one lets a Basic child attachment or an Enterprise attachment of that instance through.
Helper: ``granted(state, cen, instance_id, owner_uid)``.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

from .base import REGION_OPTIONAL, ApiError, Request, Resource, State, action, page_by_number
from .cen import get_cen, now_iso
from .vpc import get_vpc

GRANTABLE = ("VPC", "VPN")  # the twin models VPC and IPsec-VPN grants (GrantInstanceToTransitRouter InstanceType)


def grant_id(cen_id: str, instance_id: str) -> str:
    return f"{cen_id}/{instance_id}"


def granted(state: State, cen: Resource, instance_id: str, owner_uid: str) -> bool:
    """Whether ``owner_uid`` granted its instance ``instance_id`` to ``cen``."""
    grant = state.find("CenGrant", grant_id(cen.id, instance_id))
    return grant is not None and not grant.deleted and str(grant["CenOwnerId"]) == cen.owner \
        and grant.owner == str(owner_uid)


def _instance(req: Request, kind: str) -> Resource:
    instance_id = req.require("InstanceId")
    if kind == "VPC":
        return get_vpc(req, instance_id)
    vco = req.state.find("VpnConnection", instance_id)
    if vco is None or vco.owner != req.account.uid:
        raise ApiError("InvalidInstanceId.NotFound",  # undocumented
                       f"The IPsec-VPN connection {instance_id} does not exist.", 404)
    return vco


def _grant_params(req: Request, kinds: Tuple[str, ...] = ("VPC",)) -> Tuple[str, str, str, Resource]:
    cen_id = req.require("CenId")
    cen_owner = str(req.require("CenOwnerId"))
    kind = str(req.get("InstanceType", "VPC")).upper()
    if kind not in kinds:
        raise ApiError("InvalidParameter.InstanceType",
                       f"The twin supports InstanceType {' and '.join(kinds)} here, not {kind}.")
    return cen_id, cen_owner, kind, _instance(req, kind)


def _grant(req: Request, kinds: Tuple[str, ...]) -> Dict[str, Any]:
    cen_id, cen_owner, kind, instance = _grant_params(req, kinds)
    gid = grant_id(cen_id, instance.id)
    grant = req.state.find("CenGrant", gid)
    if grant is None or grant.deleted:
        req.state.add("CenGrant", gid, req.account.uid, instance.region, {
            "CenInstanceId": cen_id, "CenOwnerId": int(cen_owner), "ChildInstanceId": instance.id,
            "ChildInstanceType": kind, "ChildInstanceRegionId": instance.region,
            "ChildInstanceOwnerId": int(req.account.uid), "CreationTime": now_iso(),
            "OrderType": req.get("OrderType", "PayByCenOwner"),
        })
    else:
        grant["CenOwnerId"] = int(cen_owner)
    return {}


def _revoke(req: Request, kinds: Tuple[str, ...]) -> Dict[str, Any]:
    cen_id, _, _, instance = _grant_params(req, kinds)
    grant = req.state.find("CenGrant", grant_id(cen_id, instance.id))
    if grant is not None:
        req.state.remove(grant)
    return {}


@action("Vpc", "GrantInstanceToCen", idempotent=True)
def grant_instance_to_cen(req: Request) -> Dict[str, Any]:
    return _grant(req, ("VPC",))


@action("Vpc", "RevokeInstanceFromCen")
def revoke_instance_from_cen(req: Request) -> Dict[str, Any]:
    return _revoke(req, ("VPC",))


@action("Cbn", "GrantInstanceToTransitRouter", idempotent=True, region=REGION_OPTIONAL)
def grant_instance_to_transit_router(req: Request) -> Dict[str, Any]:
    return _grant(req, GRANTABLE)


@action("Cbn", "RevokeInstanceFromTransitRouter", region=REGION_OPTIONAL)
def revoke_instance_from_transit_router(req: Request) -> Dict[str, Any]:
    return _revoke(req, GRANTABLE)


@action("Vpc", "DescribeGrantRulesToCen")
def describe_grant_rules_to_cen_vpc(req: Request) -> Dict[str, Any]:
    vpc = get_vpc(req, req.require("InstanceId"))
    grants = [g for g in req.state.all("CenGrant", owner=req.account.uid) if g["ChildInstanceId"] == vpc.id]
    chunk, number, size = page_by_number(req, grants)
    return {"CenGrantRules": {"CbnGrantRule": [
        {"CenInstanceId": g["CenInstanceId"], "CenOwnerId": g["CenOwnerId"], "CreationTime": g["CreationTime"]}
        for g in chunk]}, "TotalCount": len(grants), "PageNumber": number, "PageSize": size}


@action("Cbn", "DescribeGrantRulesToCen", region=REGION_OPTIONAL)
def describe_grant_rules_to_cen_cbn(req: Request) -> Dict[str, Any]:
    cen = get_cen(req)
    child_id = req.get("ChildInstanceId")
    child_owner = req.get("ChildInstanceOwnerId")
    region = req.get("RegionId")
    product = req.get("ProductType")
    grants = [g for g in req.state.all("CenGrant") if g["CenInstanceId"] == cen.id
              and str(g["CenOwnerId"]) == cen.owner and (child_id is None or g["ChildInstanceId"] == child_id)
              and (child_owner is None or str(g["ChildInstanceOwnerId"]) == str(child_owner))
              and (region is None or g["ChildInstanceRegionId"] == region)
              and (product is None or g["ChildInstanceType"] == str(product).upper())]
    rules = [{"CenId": cen.id, "CenOwnerId": g["CenOwnerId"], "ChildInstanceId": g["ChildInstanceId"],
              "ChildInstanceOwnerId": g["ChildInstanceOwnerId"], "ChildInstanceRegionId": g["ChildInstanceRegionId"],
              "ChildInstanceType": g["ChildInstanceType"], "OrderType": g.get("OrderType", "PayByCenOwner"),
              "CreateTime": g["CreationTime"]} for g in grants]
    return {"GrantRules": {"GrantRule": rules}, "TotalCount": len(rules), "MaxResults": len(rules), "NextToken": ""}
