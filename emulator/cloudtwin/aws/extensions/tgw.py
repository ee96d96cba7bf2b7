"""Transit Gateway behaviour moto 5.2.5 lacks or gets wrong (see shared API-NOTES.md, gaps).

What this extension changes, and why (each item has a test in
tests/twin/test_aws_tgw_extension.py that fails once moto fixes it by itself):

1. Propagated routes. Enabling propagation of an attachment into a TGW route table makes
   SearchTransitGatewayRoutes show ``type: propagated`` routes: a VPC attachment propagates
   its VPC's IPv4 CIDR blocks. Disabling the propagation (or deleting the attachment) removes
   them. They are computed when read, so they can never go stale. A VPN attachment with
   static routing propagates nothing: on AWS only BGP-learned prefixes propagate, and the
   twin has no BGP. Peering attachments never propagate (as on AWS). A static route for the
   same CIDR wins over a propagated one and hides it.
2. Static routes keep their target: ``TransitGatewayAttachments`` (id, resource id, resource
   type) in every route response (moto stores a dict where the API has a list, so the
   serializer drops it). A static route whose attachment is gone reads as ``blackhole``.
3. CreateTransitGatewayRoute refuses a second static route for the same CIDR in the same
   table (``RouteAlreadyExists``, AWS's message), an unknown table or attachment, and an
   attachment of another TGW. DeleteTransitGatewayRoute of an unknown route is a 400
   (``InvalidRoute.NotFound``), not a 500.
4. ReplaceTransitGatewayRoute and GetTransitGatewayAttachmentPropagations exist.
5. CreateRoute / ReplaceRoute with an unknown TransitGatewayId are refused
   (``InvalidTransitGatewayID.NotFound``).
6. DeleteTransitGateway is refused while non-deleted attachments exist (``IncorrectState``,
   "tgw-... has non-deleted Transit Gateway Attachments: tgw-attach-...."); a deleted TGW
   takes its route tables with it.
7. VPC attachments keep their TagSpecifications (moto reads the wrong resource type) and
   every Describe*Attachments call honours ``tag:<key>``, ``state`` and id filters;
   DescribeTransitGatewayVpcAttachments / PeeringAttachments return only that type.
8. One association per attachment, kept in one place: the attachment, the table's
   association list and GetTransitGatewayRouteTableAssociations always agree, for every
   attachment type (VPN included). Associating an associated attachment again is refused
   (``Resource.AlreadyAssociated``). New VPC and VPN attachments follow the TGW's
   DefaultRouteTableAssociation / DefaultRouteTablePropagation options (moto associated
   VPC attachments only, half-way, and never propagated); peering attachments are not
   associated by default (as on AWS). A VPN attachment's state follows its VPN connection.
9. Async states: with ``delays["TransitGateway"]`` / ``delays["TransitGatewayAttachment"]``
   (seconds) > 0 in the twin's faults, a TGW reads ``pending`` then ``available`` (also
   ``modifying`` after ModifyTransitGateway, ``deleting`` then gone), an attachment
   ``pending`` then ``available`` (``deleting`` then gone; peering ``initiatingRequest`` then
   ``pendingAcceptance``, and ``pending`` after acceptance). With no delay, moto's immediate
   states stay. The twin passes its Faults in through ``use_faults`` (one line in server.py).
"""

from __future__ import annotations

import inspect
import ipaddress
import time
from typing import Any, Dict, List, Optional

SETTINGS: Dict[str, Any] = {"faults": None}
# moto's own functions as they were before apply(), "models|responses.Class.name" -> function (None: moto
# had none);
# the canary tests call them to show moto still lacks what this extension adds.
ORIGINALS: Dict[str, Any] = {}

TGW_KIND = "TransitGateway"
ATTACHMENT_KIND = "TransitGatewayAttachment"
GONE_STATES = ("deleted", "deleting", "rejected", "failed", "failing")


def use_faults(faults: Any) -> None:
    """Called by the twin so async delays come from its ``Faults.delays``."""
    SETTINGS["faults"] = faults


def _delay(kind: str) -> float:
    faults = SETTINGS.get("faults")
    if faults is None:
        return 0.0
    try:
        return float((faults.delays or {}).get(kind, 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def _error(code: str, message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


# --- async states ------------------------------------------------------------------------------
def _get_state(self: Any) -> str:
    data = self.__dict__
    pending = data.get("_twin_next")
    if pending and time.monotonic() >= pending[1]:
        data["_twin_state"] = pending[0]
        data["_twin_next"] = None
    state = data.get("_twin_state", "available")
    if data.get("resource_type") == "vpn" and state not in GONE_STATES:
        vpn = getattr(self.ec2_backend, "vpn_connections", {}).get(data.get("resource_id"))
        vpn_state = getattr(vpn, "state", "deleted") if vpn is not None else "deleted"
        if vpn_state in ("deleted", "deleting", "pending"):
            return vpn_state
    return state


def _set_state(self: Any, value: str) -> None:
    self.__dict__["_twin_state"] = value
    self.__dict__["_twin_next"] = None


def _schedule(obj: Any, now: str, later: str, kind: str) -> None:
    """``now`` for the kind's delay, then ``later``; straight to ``later`` with no delay."""
    delay = _delay(kind)
    if delay > 0:
        obj.state = now
        obj.__dict__["_twin_next"] = (later, time.monotonic() + delay)
    else:
        obj.state = later


# --- helpers -----------------------------------------------------------------------------------
def _live(att: Any) -> bool:
    return att.state not in GONE_STATES


def _prune(backend: Any) -> None:
    """Forget attachments and TGWs whose deletion finished (moto forgets them at once)."""
    for att_id, att in list(backend.transit_gateway_attachments.items()):
        if att.state == "deleted":
            _forget_attachment(backend, att)
            if att.resource_type != "peering":
                backend.transit_gateway_attachments.pop(att_id, None)
    for tgw_id, tgw in list(backend.transit_gateways.items()):
        if tgw.state == "deleted":
            backend.transit_gateways.pop(tgw_id, None)
            for rtb_id, rtb in list(backend.transit_gateways_route_tables.items()):
                if rtb.transit_gateway_id == tgw_id:
                    backend.transit_gateways_route_tables.pop(rtb_id, None)


def _forget_attachment(backend: Any, att: Any) -> None:
    for table in backend.transit_gateways_route_tables.values():
        table.route_table_associations.pop(att.id, None)
        table.route_table_propagation = [p for p in table.route_table_propagation
                                         if p.transitGatewayAttachmentId != att.id]
    att.transit_gateway_route_table = None
    att.__dict__["_twin_propagations"] = set()
    backend.transit_gateway_associations.pop(att.id, None)
    backend.transit_gateway_propagations.pop(att.id, None)


def _table(backend: Any, table_id: str) -> Any:
    table = backend.transit_gateways_route_tables.get(table_id)
    if table is None or table.state == "deleted":
        raise _error("InvalidRouteTableID.NotFound", f"The transitGatewayRouteTable ID '{table_id}' does not exist.")
    return table


def _attachment(backend: Any, att_id: Optional[str]) -> Any:
    _prune(backend)
    att = backend.transit_gateway_attachments.get(att_id or "")
    if att is None or att.state == "deleted":
        raise _error("InvalidTransitGatewayAttachmentID.NotFound",
                     f"Transit Gateway Attachment {att_id} was deleted or does not exist.")
    return att


def _filter_match(obj: Any, filters: Dict[str, List[str]], fields: Dict[str, Any]) -> bool:
    """AWS filter semantics: every filter must match; values of one filter are OR-ed."""
    tags = None
    for name, values in (filters or {}).items():
        values = [str(v) for v in ([values] if isinstance(values, str) else values)]
        if name.startswith("tag:") or name in ("tag-key", "tag-value"):
            if tags is None:
                tags = {t["key"]: t["value"] for t in obj.get_tags()}
            if name == "tag-key":
                ok = any(k in values for k in tags)
            elif name == "tag-value":
                ok = any(v in values for v in tags.values())
            else:
                ok = tags.get(name[4:]) in values
        elif name in fields:
            have = fields[name](obj)
            have = have if isinstance(have, (list, set, tuple)) else [have]
            ok = any(str(h) in values for h in have if h is not None)
        else:
            continue  # unknown filters are ignored, as moto does elsewhere
        if not ok:
            return False
    return True


_ATTACHMENT_FIELDS = {
    "transit-gateway-attachment-id": lambda a: a.id,
    "transit-gateway-id": lambda a: a.transit_gateway_id,
    "resource-id": lambda a: a.resource_id,
    "resource-type": lambda a: a.resource_type,
    "resource-owner-id": lambda a: a.resource_owner_id,
    "transit-gateway-owner-id": lambda a: a.transit_gateway_owner_id,
    "state": lambda a: a.state,
    "vpc-id": lambda a: a.resource_id,
    "association.transit-gateway-route-table-id": lambda a: (a.association or {}).get("TransitGatewayRouteTableId"),
    "association.state": lambda a: (a.association or {}).get("State"),
}


def _association(self: Any) -> Optional[Dict[str, str]]:
    table = self.__dict__.get("transit_gateway_route_table")
    if table is not None and self.state not in GONE_STATES:
        return {"State": "associated", "TransitGatewayRouteTableId": table.id}
    return None


# --- association / propagation bookkeeping ---------------------------------------------------
def _associate(backend: Any, att_id: str, table_id: str) -> Any:
    from moto.ec2.models.transit_gateway_route_tables import RouteTableAssociation, TransitGatewayRelations

    att = _attachment(backend, att_id)
    table = _table(backend, table_id)
    if table.transit_gateway_id != att.transit_gateway_id:
        raise _error("InvalidParameterValue",
                     f"Transit Gateway Route Table {table_id} and Transit Gateway Attachment {att_id} "
                     "belong to different Transit Gateways.")
    current = att.__dict__.get("transit_gateway_route_table")
    if current is not None:
        raise _error("Resource.AlreadyAssociated",
                     f"Transit Gateway Attachment {att_id} is already associated to a route table.")
    att.transit_gateway_route_table = table
    att._association_data = {"state": "associated", "transitGatewayRouteTableId": table.id}
    table.route_table_associations[att.id] = RouteTableAssociation(
        resource_id=att.resource_id, resource_type=att.resource_type, state="associated",
        transit_gateway_attachment_id=att.id)
    relation = TransitGatewayRelations(backend, att.id, table.id, state="associated")
    backend.transit_gateway_associations[att.id] = relation
    return relation


def _disassociate(backend: Any, att_id: str, table_id: str) -> Any:
    from moto.ec2.models.transit_gateway_route_tables import TransitGatewayRelations

    att = _attachment(backend, att_id)
    table = _table(backend, table_id)
    current = att.__dict__.get("transit_gateway_route_table")
    if current is None or current.id != table.id:
        raise _error("InvalidAssociation.NotFound",
                     f"Transit Gateway Attachment {att_id} is not associated with route table {table_id}.")
    att.transit_gateway_route_table = None
    att._association_data = {}
    table.route_table_associations.pop(att.id, None)
    backend.transit_gateway_associations.pop(att.id, None)
    return TransitGatewayRelations(backend, att.id, table.id, state="disassociated")


def _propagations(att: Any) -> set:
    return att.__dict__.setdefault("_twin_propagations", set())


def _enable_propagation(backend: Any, att_id: str, table_id: str) -> Any:
    from moto.ec2.models.transit_gateway_route_tables import RouteTablePropagation, TransitGatewayRelations

    att = _attachment(backend, att_id)
    table = _table(backend, table_id)
    if table.transit_gateway_id != att.transit_gateway_id:
        raise _error("InvalidParameterValue",
                     f"Transit Gateway Route Table {table_id} and Transit Gateway Attachment {att_id} "
                     "belong to different Transit Gateways.")
    if table.id in _propagations(att):
        raise _error("TransitGatewayRouteTablePropagation.Duplicate",
                     f"Propagation of Transit Gateway Attachment {att_id} to {table_id} is already enabled.")
    _propagations(att).add(table.id)
    table.route_table_propagation.append(RouteTablePropagation(
        resource_id=att.resource_id, resource_type=att.resource_type, state="enabled",
        transit_gateway_attachment_id=att.id))
    att.propagation = {"state": "enabled", "transitGatewayRouteTableId": table.id}
    relation = TransitGatewayRelations(backend, att.id, table.id, state="enabled")
    backend.transit_gateway_propagations[att.id] = relation
    return relation


def _disable_propagation(backend: Any, att_id: str, table_id: str) -> Any:
    from moto.ec2.models.transit_gateway_route_tables import TransitGatewayRelations

    att = _attachment(backend, att_id)
    table = _table(backend, table_id)
    if table.id not in _propagations(att):
        raise _error("TransitGatewayRouteTablePropagation.NotFound",
                     f"Propagation of Transit Gateway Attachment {att_id} to {table_id} is not enabled.")
    _propagations(att).discard(table.id)
    table.route_table_propagation = [p for p in table.route_table_propagation
                                     if p.transitGatewayAttachmentId != att.id]
    att.propagation = {}
    backend.transit_gateway_propagations.pop(att.id, None)
    return TransitGatewayRelations(backend, att.id, table.id, state="disabled")


def _apply_defaults(backend: Any, att: Any) -> None:
    """A new attachment follows its TGW's default association/propagation options."""
    stale = att.__dict__.get("transit_gateway_route_table")
    if stale is not None:  # moto pre-associates every attachment with the default table
        stale.route_table_associations.pop(att.id, None)
    att.transit_gateway_route_table = None
    att.__dict__["_twin_propagations"] = set()
    if att.resource_type == "peering":
        return
    tgw = backend.transit_gateways.get(att.transit_gateway_id)
    options = getattr(tgw, "options", {}) or {}
    assoc_table = options.get("AssociationDefaultRouteTableId")
    if options.get("DefaultRouteTableAssociation") == "enable" and assoc_table in backend.transit_gateways_route_tables:
        _associate(backend, att.id, assoc_table)
    prop_table = options.get("PropagationDefaultRouteTableId")
    if options.get("DefaultRouteTablePropagation") == "enable" and prop_table in backend.transit_gateways_route_tables:
        _enable_propagation(backend, att.id, prop_table)


# --- routes ------------------------------------------------------------------------------------
def _route_target(att: Any) -> List[Dict[str, str]]:
    return [{"resourceId": att.resource_id, "resourceType": att.resource_type,
             "transitGatewayAttachmentId": att.id}]


def _vpc_cidrs(backend: Any, vpc_id: str) -> List[str]:
    vpc = backend.vpcs.get(vpc_id)
    if vpc is None:
        return []
    cidrs = [vpc.cidr_block]
    for assoc in vpc.get_cidr_block_association_set(ipv6=False):
        cidr = assoc.get("cidr_block")
        if cidr and cidr not in cidrs and (assoc.get("cidr_block_state") or {}).get("state", "associated") == "associated":
            cidrs.append(cidr)
    return cidrs


def _table_routes(backend: Any, table: Any) -> List[Dict[str, Any]]:
    """Static routes (with their current state) plus the routes propagations produce."""
    _prune(backend)
    out: Dict[str, Dict[str, Any]] = {}
    for cidr, route in table.routes.items():
        route = dict(route)
        targets = route.get("transitGatewayAttachments") or []
        if isinstance(targets, dict):  # a route stored by unpatched code
            targets = [targets]
            route["transitGatewayAttachments"] = targets
        if route.get("state") == "active" and targets:
            att = backend.transit_gateway_attachments.get(targets[0]["transitGatewayAttachmentId"])
            if att is None or not _live(att):
                route["state"] = "blackhole"
        out[cidr] = route
    for prop in table.route_table_propagation:
        att = backend.transit_gateway_attachments.get(prop.transitGatewayAttachmentId)
        if att is None or att.state != "available" or att.resource_type != "vpc":
            continue  # VPN (static) and peering attachments propagate nothing without BGP
        for cidr in _vpc_cidrs(backend, att.resource_id):
            if cidr in out and out[cidr]["type"] == "static":
                continue
            if cidr in out:  # ECMP across two propagations of the same CIDR
                out[cidr]["transitGatewayAttachments"].extend(_route_target(att))
                continue
            out[cidr] = {"destinationCidrBlock": cidr, "prefixListId": None, "state": "active",
                         "type": "propagated", "transitGatewayAttachments": _route_target(att)}
    return sorted(out.values(), key=lambda r: ipaddress.ip_network(r["destinationCidrBlock"], strict=False))


def _route_matches(route: Dict[str, Any], filters: Dict[str, List[str]]) -> bool:
    net = ipaddress.ip_network(route["destinationCidrBlock"], strict=False)
    targets = route.get("transitGatewayAttachments") or []
    for name, values in (filters or {}).items():
        if name == "type":
            ok = route.get("type") in values
        elif name == "state":
            ok = route.get("state") in values
        elif name == "route-search.exact-match":
            ok = any(net == ipaddress.ip_network(v, strict=False) for v in values)
        elif name == "route-search.subnet-of-match":
            ok = any(net.subnet_of(ipaddress.ip_network(v, strict=False)) for v in values)
        elif name == "route-search.supernet-of-match":
            ok = any(net.supernet_of(ipaddress.ip_network(v, strict=False)) for v in values)
        elif name == "attachment.transit-gateway-attachment-id":
            ok = any(t["transitGatewayAttachmentId"] in values for t in targets)
        elif name == "attachment.resource-id":
            ok = any(t["resourceId"] in values for t in targets)
        elif name == "attachment.resource-type":
            ok = any(t["resourceType"] in values for t in targets)
        else:
            continue
        if not ok:
            return False
    return True


def _static_route(backend: Any, table: Any, cidr: str, att_id: Optional[str], blackhole: bool) -> Dict[str, Any]:
    try:
        cidr = str(ipaddress.ip_network(cidr, strict=True))
    except (TypeError, ValueError):
        raise _error("InvalidParameterValue", f"Value ({cidr}) for parameter destinationCidrBlock is invalid.") from None
    route: Dict[str, Any] = {"destinationCidrBlock": cidr, "prefixListId": None, "type": "static",
                             "state": "blackhole" if blackhole else "active"}
    if blackhole:
        return route
    if not att_id:
        raise _error("MissingParameter", "Either TransitGatewayAttachmentId or Blackhole must be specified.")
    att = _attachment(backend, att_id)
    if att.transit_gateway_id != table.transit_gateway_id:
        raise _error("InvalidParameterValue",
                     f"Transit Gateway Attachment {att_id} does not belong to the Transit Gateway of {table.id}.")
    route["transitGatewayAttachments"] = _route_target(att)
    return route


def apply() -> None:  # noqa: C901 - one place lists every patch
    from moto.ec2.exceptions import InvalidTransitGatewayID
    from moto.ec2.models.route_tables import RouteBackend
    from moto.ec2.models.transit_gateway import TransitGateway, TransitGatewayBackend
    from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachment, TransitGatewayAttachmentBackend
    from moto.ec2.models.transit_gateway_route_tables import TransitGatewayRouteTableBackend
    from moto.ec2.responses.transit_gateway_attachments import TransitGatewayAttachment as AttachmentResponse
    from moto.ec2.responses.transit_gateway_route_tables import TransitGatewayRouteTable as RouteTableResponse
    from moto.core.responses import ActionResult
    from moto.utilities.utils import str2bool

    if ORIGINALS:
        return  # already applied
    for klass, names in (
        (TransitGatewayBackend, ("create_transit_gateway", "delete_transit_gateway", "describe_transit_gateways",
                                 "modify_transit_gateway")),
        (TransitGatewayAttachmentBackend, ("create_transit_gateway_vpc_attachment", "create_transit_gateway_vpn_attachment",
                                           "describe_transit_gateway_vpc_attachments", "describe_transit_gateway_attachments",
                                           "delete_transit_gateway_vpc_attachment")),
        (TransitGatewayRouteTableBackend, ("create_transit_gateway_route", "search_transit_gateway_routes",
                                           "associate_transit_gateway_route_table",
                                           "enable_transit_gateway_route_table_propagation")),
        (RouteBackend, ("create_route",)),
        (RouteTableResponse, ("replace_transit_gateway_route",)),
        (AttachmentResponse, ("get_transit_gateway_attachment_propagations", "create_transit_gateway_vpc_attachment")),
        (TransitGateway, ("state",)),
        (TransitGatewayAttachment, ("state",)),
    ):
        for name in names:
            ORIGINALS[f"{klass.__module__.split('.')[-2]}.{klass.__name__}.{name}"] = klass.__dict__.get(name)
    ORIGINALS["models.TransitGateway.__init__"] = TransitGateway.__init__

    # 9. async states
    TransitGateway.state = property(_get_state, _set_state)
    TransitGatewayAttachment.state = property(_get_state, _set_state)
    # 8. one association, read from the attachment
    TransitGatewayAttachment.association = property(_association)

    # --- TGWs -----------------------------------------------------------------------------------
    orig_create_tgw = TransitGatewayBackend.create_transit_gateway

    def create_transit_gateway(self, description, options=None, tags=None):
        tgw = orig_create_tgw(self, description, options=options, tags=tags)
        _schedule(tgw, "pending", "available", TGW_KIND)
        return tgw

    orig_describe_tgws = TransitGatewayBackend.describe_transit_gateways

    def describe_transit_gateways(self, filters, transit_gateway_ids):
        _prune(self)
        return orig_describe_tgws(self, filters, transit_gateway_ids)

    def delete_transit_gateway(self, transit_gateway_id):
        _prune(self)
        tgw = self.transit_gateways.get(transit_gateway_id)
        if tgw is None or tgw.state in GONE_STATES:
            raise InvalidTransitGatewayID(transit_gateway_id)
        live = [a for a in self.transit_gateway_attachments.values()
                if a.transit_gateway_id == transit_gateway_id and a.state not in ("deleted", "rejected", "failed")]
        if live:
            ids = ", ".join(sorted(a.id for a in live))
            raise _error("IncorrectState", f"{transit_gateway_id} has non-deleted Transit Gateway Attachments: {ids}.")
        _schedule(tgw, "deleting", "deleted", TGW_KIND)
        _prune(self)
        return tgw

    orig_modify_tgw = TransitGatewayBackend.modify_transit_gateway

    def modify_transit_gateway(self, transit_gateway_id, description=None, options=None):
        tgw = self.transit_gateways.get(transit_gateway_id)
        if tgw is None or tgw.state in GONE_STATES:
            raise InvalidTransitGatewayID(transit_gateway_id)
        options = {k: v for k, v in (options or {}).items()
                   if k not in ("AddTransitGatewayCidrBlocks", "RemoveTransitGatewayCidrBlocks")}
        tgw = orig_modify_tgw(self, transit_gateway_id, description=description, options=options)
        if options or description:
            _schedule(tgw, "modifying", "available", TGW_KIND)
        return tgw

    TransitGatewayBackend.create_transit_gateway = create_transit_gateway
    TransitGatewayBackend.describe_transit_gateways = describe_transit_gateways
    TransitGatewayBackend.delete_transit_gateway = delete_transit_gateway
    TransitGatewayBackend.modify_transit_gateway = modify_transit_gateway

    # --- attachments -------------------------------------------------------------------------------
    orig_vpc_att = TransitGatewayAttachmentBackend.create_transit_gateway_vpc_attachment

    def create_transit_gateway_vpc_attachment(self, transit_gateway_id, vpc_id, subnet_ids, tags=None, options=None):
        _prune(self)
        tgw = self.transit_gateways.get(transit_gateway_id)
        if tgw is None or tgw.state in GONE_STATES:
            raise InvalidTransitGatewayID(transit_gateway_id,
                                          f"Transit Gateway {transit_gateway_id} was deleted or does not exist.")
        att = orig_vpc_att(self, transit_gateway_id, vpc_id, subnet_ids, tags=tags, options=options)
        _apply_defaults(self, att)
        _schedule(att, "pending", "available", ATTACHMENT_KIND)
        return att

    orig_vpn_att = TransitGatewayAttachmentBackend.create_transit_gateway_vpn_attachment

    def create_transit_gateway_vpn_attachment(self, vpn_id, transit_gateway_id, tags=None):
        att = orig_vpn_att(self, vpn_id, transit_gateway_id, tags=tags)
        _apply_defaults(self, att)
        _schedule(att, "pending", "available", ATTACHMENT_KIND)
        return att

    orig_peer_att = TransitGatewayAttachmentBackend.create_transit_gateway_peering_attachment

    def create_transit_gateway_peering_attachment(self, transit_gateway_id, peer_transit_gateway_id,
                                                  peer_region, peer_account_id, tags):
        tgw = self.transit_gateways.get(transit_gateway_id)
        if tgw is None or tgw.state in GONE_STATES:
            raise InvalidTransitGatewayID(transit_gateway_id)
        att = orig_peer_att(self, transit_gateway_id, peer_transit_gateway_id, peer_region, peer_account_id, tags)
        _apply_defaults(self, att)
        _schedule(att, "initiatingRequest", "pendingAcceptance", ATTACHMENT_KIND)
        return att

    orig_accept = TransitGatewayAttachmentBackend.accept_transit_gateway_peering_attachment

    def accept_transit_gateway_peering_attachment(self, transit_gateway_attachment_id):
        att = _attachment(self, transit_gateway_attachment_id)
        if att.resource_type != "peering" or att.state != "pendingAcceptance":
            raise _error("IncorrectState", f"tgw-attachment {transit_gateway_attachment_id} is in invalid state {att.state}.")
        att = orig_accept(self, transit_gateway_attachment_id)
        _schedule(att, "pending", "available", ATTACHMENT_KIND)
        return att

    def delete_transit_gateway_vpc_attachment(self, transit_gateway_attachment_id):
        att = _attachment(self, transit_gateway_attachment_id)
        if att.resource_type != "vpc":
            raise _error("InvalidTransitGatewayAttachmentID.NotFound",
                         f"Transit Gateway VPC Attachment {transit_gateway_attachment_id} was deleted or does not exist.")
        _schedule(att, "deleting", "deleted", ATTACHMENT_KIND)
        if att.state == "deleted":
            _prune(self)
        return att

    orig_delete_peer = TransitGatewayAttachmentBackend.delete_transit_gateway_peering_attachment

    def delete_transit_gateway_peering_attachment(self, transit_gateway_attachment_id):
        att = _attachment(self, transit_gateway_attachment_id)
        att = orig_delete_peer(self, transit_gateway_attachment_id)
        _forget_attachment(self, att)
        _schedule(att, "deleting", "deleted", ATTACHMENT_KIND)
        return att

    def _describe(kind):
        def describe(self, transit_gateways_attachment_ids=None, filters=None):
            _prune(self)
            items = list(self.transit_gateway_attachments.values())
            if kind:
                items = [a for a in items if a.resource_type == kind]
            if transit_gateways_attachment_ids:
                items = [a for a in items if a.id in transit_gateways_attachment_ids]
            return [a for a in items if _filter_match(a, filters or {}, _ATTACHMENT_FIELDS)]
        return describe

    cls = TransitGatewayAttachmentBackend
    cls.create_transit_gateway_vpc_attachment = create_transit_gateway_vpc_attachment
    cls.create_transit_gateway_vpn_attachment = create_transit_gateway_vpn_attachment
    cls.create_transit_gateway_peering_attachment = create_transit_gateway_peering_attachment
    cls.accept_transit_gateway_peering_attachment = accept_transit_gateway_peering_attachment
    cls.delete_transit_gateway_vpc_attachment = delete_transit_gateway_vpc_attachment
    cls.delete_transit_gateway_peering_attachment = delete_transit_gateway_peering_attachment
    cls.describe_transit_gateway_attachments = _describe(None)
    cls.describe_transit_gateway_vpc_attachments = _describe("vpc")
    cls.describe_transit_gateway_peering_attachments = _describe("peering")

    # 7. the VPC attachment's own TagSpecifications (moto looks for the route-table type)
    orig_vpc_att_response = AttachmentResponse.create_transit_gateway_vpc_attachment

    def create_vpc_attachment_response(self):
        result = orig_vpc_att_response(self)
        tags = self._parse_tag_specification().get("transit-gateway-attachment", {})
        if tags:
            result.result["TransitGatewayVpcAttachment"].add_tags(tags)
        return result

    AttachmentResponse.create_transit_gateway_vpc_attachment = create_vpc_attachment_response

    def get_transit_gateway_attachment_propagations(self):
        att = _attachment(self.ec2_backend, self._get_param("TransitGatewayAttachmentId"))
        filters = self._filters_from_querystring() or {}
        items = [{"TransitGatewayRouteTableId": t, "State": "enabled"} for t in sorted(_propagations(att))]
        wanted = filters.get("transit-gateway-route-table-id")
        if wanted:
            items = [i for i in items if i["TransitGatewayRouteTableId"] in wanted]
        return ActionResult({"TransitGatewayAttachmentPropagations": items})

    AttachmentResponse.get_transit_gateway_attachment_propagations = get_transit_gateway_attachment_propagations

    # --- 8. associations and propagations -------------------------------------------------------
    rtb = TransitGatewayRouteTableBackend
    rtb.associate_transit_gateway_route_table = (
        lambda self, transit_gateway_attachment_id, transit_gateway_route_table_id:
        _associate(self, transit_gateway_attachment_id, transit_gateway_route_table_id))
    rtb.disassociate_transit_gateway_route_table = (
        lambda self, tgw_attach_id, tgw_rt_id: _disassociate(self, tgw_attach_id, tgw_rt_id))
    rtb.enable_transit_gateway_route_table_propagation = (
        lambda self, transit_gateway_attachment_id, transit_gateway_route_table_id:
        _enable_propagation(self, transit_gateway_attachment_id, transit_gateway_route_table_id))
    rtb.disable_transit_gateway_route_table_propagation = (
        lambda self, transit_gateway_attachment_id, transit_gateway_route_table_id:
        _disable_propagation(self, transit_gateway_attachment_id, transit_gateway_route_table_id))

    # --- 1-4. routes ------------------------------------------------------------------------------
    def create_transit_gateway_route(self, transit_gateway_route_table_id, destination_cidr_block,
                                     transit_gateway_attachment_id=None, blackhole=False):
        table = _table(self, transit_gateway_route_table_id)
        route = _static_route(self, table, destination_cidr_block, transit_gateway_attachment_id, blackhole)
        cidr = route["destinationCidrBlock"]
        if cidr in table.routes:
            raise _error("RouteAlreadyExists", f"Route {cidr} already exists in Transit Gateway Route Table {table.id}.")
        table.routes[cidr] = route
        return dict(route)

    def replace_transit_gateway_route(self, transit_gateway_route_table_id, destination_cidr_block,
                                      transit_gateway_attachment_id=None, blackhole=False):
        table = _table(self, transit_gateway_route_table_id)
        route = _static_route(self, table, destination_cidr_block, transit_gateway_attachment_id, blackhole)
        cidr = route["destinationCidrBlock"]
        if cidr not in table.routes:
            raise _error("InvalidRoute.NotFound", f"No route with destination-cidr-block {cidr} in route table {table.id}")
        table.routes[cidr] = route
        return dict(route)

    def delete_transit_gateway_route(self, transit_gateway_route_table_id, destination_cidr_block):
        table = _table(self, transit_gateway_route_table_id)
        route = table.routes.pop(destination_cidr_block, None)
        if route is None:
            raise _error("InvalidRoute.NotFound",
                         f"No route with destination-cidr-block {destination_cidr_block} in route table {table.id}")
        return dict(route, state="deleted")

    def search_transit_gateway_routes(self, transit_gateway_route_table_id, filters, max_results=None):
        table = _table(self, transit_gateway_route_table_id)
        routes = [r for r in _table_routes(self, table) if _route_matches(r, filters or {})]
        if max_results:
            routes = routes[: int(max_results)]
        return routes

    rtb.create_transit_gateway_route = create_transit_gateway_route
    rtb.replace_transit_gateway_route = replace_transit_gateway_route
    rtb.delete_transit_gateway_route = delete_transit_gateway_route
    rtb.search_transit_gateway_routes = search_transit_gateway_routes

    def replace_transit_gateway_route_response(self):
        route = self.ec2_backend.replace_transit_gateway_route(
            transit_gateway_route_table_id=self._get_param("TransitGatewayRouteTableId"),
            destination_cidr_block=self._get_param("DestinationCidrBlock"),
            transit_gateway_attachment_id=self._get_param("TransitGatewayAttachmentId"),
            blackhole=str2bool(self._get_param("Blackhole")),
        )
        return ActionResult({"route": route})

    RouteTableResponse.replace_transit_gateway_route = replace_transit_gateway_route_response

    # --- 5. VPC routes toward an unknown TGW --------------------------------------------------------
    orig_create_route = RouteBackend.create_route
    orig_replace_route = RouteBackend.replace_route

    def _check_tgw(backend, tgw_id):
        if tgw_id is not None:
            tgw = backend.transit_gateways.get(tgw_id)
            if tgw is None or tgw.state in GONE_STATES:
                raise InvalidTransitGatewayID(tgw_id)

    create_sig = inspect.signature(orig_create_route)
    replace_sig = inspect.signature(orig_replace_route)

    def create_route(self, *args, **kwargs):
        _check_tgw(self, create_sig.bind(self, *args, **kwargs).arguments.get("transit_gateway_id"))
        return orig_create_route(self, *args, **kwargs)

    def replace_route(self, *args, **kwargs):
        _check_tgw(self, replace_sig.bind(self, *args, **kwargs).arguments.get("transit_gateway_id"))
        return orig_replace_route(self, *args, **kwargs)

    RouteBackend.create_route = create_route
    RouteBackend.replace_route = replace_route
