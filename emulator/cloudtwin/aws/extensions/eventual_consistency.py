"""Eventual consistency of the EC2 API: a resource just created is not yet visible to Describe*.

AWS, "Eventual consistency in the Amazon EC2 API": "if you run a command to modify or describe the resource that
you just created, its ID might not have propagated throughout the system, and you will get an error responding
that the resource does not exist". The twin models it for the kinds a transit network creates (transit gateways
and their attachments and route tables, customer gateways, VPN connections): for ``Faults.consistency_delay``
seconds after its creation (0 by default: no effect)

- a Describe* naming the resource by id fails with that kind's ``Invalid...ID.NotFound``;
- a Describe* by filters (or of everything) leaves it out.

Only reads through the API are affected (a flag set by the Describe* response handlers): moto's own internal
lookups, such as the duplicate-attachment check of CreateTransitGatewayVpcAttachment, see everything, as the
cloud's own write path does. Applied after the other extensions, since they replace some of these describes.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import time
from typing import Any, Callable, Dict, List, Optional

APPLY_LAST = True
SETTINGS: Dict[str, Any] = {}
ORIGINALS: Dict[str, Any] = {}
_CREATED = "_twin_created_at"
_API_READ = contextvars.ContextVar("cloudtwin_aws_api_read", default=False)

# (moto model module, class) whose instances get a creation time.
_MODELS = (
    ("transit_gateway", "TransitGateway"),
    ("transit_gateway_attachments", "TransitGatewayAttachment"),
    ("transit_gateway_route_tables", "TransitGatewayRouteTable"),
    ("customer_gateways", "CustomerGateway"),
    ("vpn_connections", "VPNConnection"),
)
# (moto model module, backend class, method, parameter holding the ids asked for, NotFound code).
_DESCRIBES = (
    ("transit_gateway", "TransitGatewayBackend", "describe_transit_gateways", "transit_gateway_ids",
     "InvalidTransitGatewayID.NotFound"),
    ("transit_gateway_attachments", "TransitGatewayAttachmentBackend", "describe_transit_gateway_attachments",
     "transit_gateways_attachment_ids", "InvalidTransitGatewayAttachmentID.NotFound"),
    ("transit_gateway_attachments", "TransitGatewayAttachmentBackend", "describe_transit_gateway_vpc_attachments",
     "transit_gateways_attachment_ids", "InvalidTransitGatewayAttachmentID.NotFound"),
    ("transit_gateway_route_tables", "TransitGatewayRouteTableBackend", "get_all_transit_gateway_route_tables",
     "transit_gateway_route_table_ids", "InvalidRouteTableID.NotFound"),
    ("customer_gateways", "CustomerGatewayBackend", "describe_customer_gateways", "customer_gateway_ids",
     "InvalidCustomerGatewayID.NotFound"),
    ("vpn_connections", "VPNConnectionBackend", "describe_vpn_connections", "vpn_connection_ids",
     "InvalidVpnConnectionID.NotFound"),
)
# (moto response module, class, method): the API's Describe* handlers, during which reads are eventual.
_RESPONSES = (
    ("transit_gateways", "TransitGateways", "describe_transit_gateways"),
    ("transit_gateway_attachments", "TransitGatewayAttachment", "describe_transit_gateway_attachments"),
    ("transit_gateway_attachments", "TransitGatewayAttachment", "describe_transit_gateway_vpc_attachments"),
    ("transit_gateway_route_tables", "TransitGatewayRouteTable", "describe_transit_gateway_route_tables"),
    ("customer_gateways", "CustomerGateways", "describe_customer_gateways"),
    ("vpn_connections", "VPNConnections", "describe_vpn_connections"),
)


def use_faults(faults: Any) -> None:
    """Called by the twin: the delay comes from its ``Faults.consistency_delay``."""
    SETTINGS["faults"] = faults


def _delay() -> float:
    faults = SETTINGS.get("faults")
    return float(getattr(faults, "consistency_delay", 0.0) or 0.0) if faults is not None else 0.0


def visible(obj: Any) -> bool:
    """Whether ``obj`` has propagated: older than the consistency delay (objects without a stamp always are)."""
    created = obj.__dict__.get(_CREATED)
    return created is None or time.monotonic() - created >= _delay()


def _stamping(init: Callable) -> Callable:
    @functools.wraps(init)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.__dict__.setdefault(_CREATED, time.monotonic())
    return __init__


def _eventual(describe: Callable, ids_param: str, not_found: str) -> Callable:
    signature = inspect.signature(describe)

    @functools.wraps(describe)
    def eventual_describe(self, *args: Any, **kwargs: Any) -> List[Any]:
        found = describe(self, *args, **kwargs)
        if not _API_READ.get() or _delay() <= 0:
            return found
        hidden = [obj for obj in found if not visible(obj)]
        if hidden and signature.bind(self, *args, **kwargs).arguments.get(ids_param):
            from moto.ec2.exceptions import EC2ClientError

            raise EC2ClientError(not_found, f"The ID '{hidden[0].id}' does not exist")
        return [obj for obj in found if visible(obj)]
    return eventual_describe


def _api_read(handler: Callable) -> Callable:
    @functools.wraps(handler)
    def describe_response(self, *args: Any, **kwargs: Any) -> Any:
        token = _API_READ.set(True)
        try:
            return handler(self, *args, **kwargs)
        finally:
            _API_READ.reset(token)
    return describe_response


def _class(package: str, module: str, name: str) -> Optional[type]:
    import importlib

    return getattr(importlib.import_module(f"moto.ec2.{package}.{module}"), name, None)


def apply() -> None:
    if ORIGINALS:
        return
    for module, name in _MODELS:
        klass = _class("models", module, name)
        ORIGINALS[f"models.{name}.__init__"] = klass.__init__
        klass.__init__ = _stamping(klass.__init__)
    for module, name, method, ids_param, not_found in _DESCRIBES:
        klass = _class("models", module, name)
        ORIGINALS[f"models.{name}.{method}"] = getattr(klass, method)
        setattr(klass, method, _eventual(getattr(klass, method), ids_param, not_found))
    for module, name, method in _RESPONSES:
        klass = _class("responses", module, name)
        ORIGINALS[f"responses.{name}.{method}"] = getattr(klass, method)
        setattr(klass, method, _api_read(getattr(klass, method)))
