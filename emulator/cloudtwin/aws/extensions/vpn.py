"""Site-to-Site VPN connections as a transit network needs them (moto 5.2.5 lacks most of it).

What moto does by itself: CreateVpnConnection stores type, gateways and tags (and, with
``TransitGatewayId``, creates a TGW attachment of type ``vpn`` whose resource id is the
VPN connection id); ``Options`` in the request are ignored; DescribeVpnConnections
returns no ``Options`` / ``TunnelOptions`` / ``VgwTelemetry`` / ``Routes`` / ``Category``
(the model's ``options`` attribute is ``None``); the only tunnel data is a hard-coded
``CustomerGatewayConfiguration`` with addresses outside the documentation ranges;
ModifyVpnTunnelOptions and ModifyVpnConnectionOptions do not exist; a connection is
``available`` at once and ``deleted`` at once.

What this extension adds (moto serialises responses from model attributes through the
botocore service model, so the additions are attributes of ``VPNConnection`` that carry
the real API shapes; the response class only gains request parsing):

- CreateVpnConnection keeps ``Options.TunnelOptions`` (validated with AWS's limits; an
  invalid value is refused before anything is created), assigns each tunnel an outside
  IP (tunnel 1 from 203.0.113.0/24, tunnel 2 from 198.51.100.0/24, unique), a random
  /30 inside CIDR from 169.254.0.0/16 when none is given (never a reserved one, unique
  per gateway), a generated pre-shared key when none is given, and AWS's defaults for
  everything else (IKEv1+IKEv2, all algorithms, DH groups, lifetimes 28800/3600, DPD 30 s
  ``clear``, startup ``add``).
- DescribeVpnConnections returns ``Options`` (``StaticRoutesOnly``, ``TunnelInsideIpVersion``,
  ``TunnelOptions``), ``VgwTelemetry`` (DOWN, "no peer answered" until someone calls
  ``set_tunnel_status``), ``Routes``, ``Category: VPN`` and a
  ``CustomerGatewayConfiguration`` that matches the tunnels.
- ModifyVpnTunnelOptions (by ``VpnTunnelOutsideIpAddress``) and ModifyVpnConnectionOptions.
- States: ``pending`` -> ``available`` after create, ``modifying`` -> ``available`` after a
  modify, ``deleting`` -> ``deleted`` after delete; each step takes ``delays["VpnConnection"]``
  seconds of the twin's fault settings (see ``use_faults``). With no delay the create and
  modify responses still say ``pending`` / ``modifying`` and the next read sees
  ``available``.

Contract for ``cloudtwin.crosscloud`` (do not change without telling its owner):

- ``iter_vpn_connections()`` -> iterator of ``(account_id, region, vpn)`` for every moto
  VPN connection whose state is not ``deleted``;
- ``tunnel_options(vpn)`` -> the two ``TunnelOptions`` items exactly as
  DescribeVpnConnections returns them (PascalCase; ``IkeVersions: [{"Value": "ikev2"}]``,
  ``Phase1DHGroupNumbers: [{"Value": 14}]``, ...), as copies;
- ``customer_gateway_ip(vpn)`` -> the customer gateway's public IP;
- ``set_tunnel_status(vpn, index, status, message)``: ``index`` is 0 or 1 (position in
  ``tunnel_options(vpn)``), ``status`` ``"UP"`` or ``"DOWN"``; changes ``VgwTelemetry``
  (``LastStatusChange`` moves only when the status changes);
- ``BEFORE_DESCRIBE_HOOKS``: callables run with no arguments at the start of every
  DescribeVpnConnections (a failing hook is logged, the answer still comes).
"""

from __future__ import annotations

import copy
import datetime
import ipaddress
import logging
import random
import secrets
import string
import threading
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from moto.core.responses import ActionResult

LOG = logging.getLogger(__name__)

KIND = "VpnConnection"  # the key of this kind in the twin's fault ``delays``

TUNNEL_OUTSIDE_RANGES = ("203.0.113.0/24", "198.51.100.0/24")
INSIDE_POOL = ipaddress.ip_network("169.254.0.0/16")
RESERVED_INSIDE = frozenset([ipaddress.ip_network("169.254.%d.0/30" % i) for i in range(6)]
                            + [ipaddress.ip_network("169.254.169.252/30")])
IKE_VERSIONS = ("ikev1", "ikev2")
ENCRYPTION = ("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16")
INTEGRITY = ("SHA1", "SHA2-256", "SHA2-384", "SHA2-512")
PHASE1_DH = (2,) + tuple(range(14, 25))
PHASE2_DH = (2, 5) + tuple(range(14, 25))
PSK_CHARS = frozenset(string.ascii_letters + string.digits + "._")
DPD_ACTIONS = ("clear", "none", "restart")
STARTUP_ACTIONS = ("add", "start")
DEFAULT_STATUS_MESSAGE = "no peer answered"

BEFORE_DESCRIBE_HOOKS: List[Callable[[], Any]] = []

# moto's own code, kept so tests can check what moto does without this extension.
MOTO_ORIGINALS: Dict[str, Any] = {}

_FAULTS: Any = None
_LOCK = threading.RLock()
_applied = False


def use_faults(faults: Any) -> None:
    """Read async-state delays from this ``cloudtwin.faults.Faults`` (the Twin calls it)."""
    global _FAULTS
    _FAULTS = faults


def _delay() -> float:
    faults = _FAULTS
    if faults is None:
        return 0.0
    try:
        return float((faults.delays or {}).get(KIND, 0.0))
    except (TypeError, ValueError, AttributeError):
        return 0.0


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


# --- validation (AWS's limits; see /work/shared/API-NOTES.md) ----------------------------------
def _invalid(message: str) -> Exception:
    from moto.ec2.exceptions import InvalidParameterValue

    return InvalidParameterValue(message)


def _values(items: Any) -> List[Any]:
    return [i.get("Value") if isinstance(i, dict) else i for i in (items or [])]


def _check_inside_cidr(value: str, where: str) -> str:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise _invalid(f"{where}: {value!r} is not a valid CIDR block.") from None
    if net.version != 4 or net.prefixlen != 30 or not net.subnet_of(INSIDE_POOL):
        raise _invalid(f"{where}: the tunnel inside CIDR {value} must be a /30 CIDR block in 169.254.0.0/16.")
    if net in RESERVED_INSIDE:
        raise _invalid(f"{where}: the tunnel inside CIDR {value} is reserved "
                       "(169.254.0.0/30 to 169.254.5.0/30 and 169.254.169.252/30 cannot be used).")
    return str(net)


def _check_psk(value: str, where: str) -> str:
    if not 8 <= len(value) <= 64 or not set(value) <= PSK_CHARS or value.startswith("0"):
        raise _invalid(f"{where}: the pre-shared key must be 8-64 characters of letters, digits, periods (.) "
                       "and underscores (_), and must not start with zero (0).")
    return value


def _check_list(items: Any, allowed: Tuple, where: str, cast: Callable = str) -> List[Dict[str, Any]]:
    out = []
    for raw in _values(items):
        try:
            value = cast(raw)
        except (TypeError, ValueError):
            value = raw
        if value not in allowed:
            raise _invalid(f"{where}: {raw!r} is not supported; use one of {', '.join(map(str, allowed))}.")
        if value not in [o["Value"] for o in out]:
            out.append({"Value": value})
    if not out:
        raise _invalid(f"{where}: at least one value is required.")
    return out


def _check_int(value: Any, low: int, high: int, where: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _invalid(f"{where}: {value!r} is not a number.") from None
    if not low <= number <= high:
        raise _invalid(f"{where}: {number} is outside the allowed range {low}-{high}.")
    return number


# request name (ModifyVpnTunnelOptionsSpecification / VpnTunnelOptionsSpecification) ->
# (response name, checker(value, where) -> stored value)
def _spec_fields() -> Dict[str, Tuple[str, Callable[[Any, str], Any]]]:
    return {
        "TunnelInsideCidr": ("TunnelInsideCidr", _check_inside_cidr),
        "PreSharedKey": ("PreSharedKey", lambda v, w: _check_psk(str(v), w)),
        "Phase1LifetimeSeconds": ("Phase1LifetimeSeconds", lambda v, w: _check_int(v, 900, 28800, w)),
        "Phase2LifetimeSeconds": ("Phase2LifetimeSeconds", lambda v, w: _check_int(v, 900, 3600, w)),
        "RekeyMarginTimeSeconds": ("RekeyMarginTimeSeconds", lambda v, w: _check_int(v, 60, 1800, w)),
        "RekeyFuzzPercentage": ("RekeyFuzzPercentage", lambda v, w: _check_int(v, 0, 100, w)),
        "ReplayWindowSize": ("ReplayWindowSize", lambda v, w: _check_int(v, 64, 2048, w)),
        "DPDTimeoutSeconds": ("DpdTimeoutSeconds", lambda v, w: _check_int(v, 30, 3600, w)),
        "DPDTimeoutAction": ("DpdTimeoutAction", lambda v, w: _check_choice(v, DPD_ACTIONS, w)),
        "StartupAction": ("StartupAction", lambda v, w: _check_choice(v, STARTUP_ACTIONS, w)),
        "IKEVersions": ("IkeVersions", lambda v, w: _check_list(v, IKE_VERSIONS, w)),
        "Phase1EncryptionAlgorithms": ("Phase1EncryptionAlgorithms", lambda v, w: _check_list(v, ENCRYPTION, w)),
        "Phase2EncryptionAlgorithms": ("Phase2EncryptionAlgorithms", lambda v, w: _check_list(v, ENCRYPTION, w)),
        "Phase1IntegrityAlgorithms": ("Phase1IntegrityAlgorithms", lambda v, w: _check_list(v, INTEGRITY, w)),
        "Phase2IntegrityAlgorithms": ("Phase2IntegrityAlgorithms", lambda v, w: _check_list(v, INTEGRITY, w)),
        "Phase1DHGroupNumbers": ("Phase1DHGroupNumbers", lambda v, w: _check_list(v, PHASE1_DH, w, int)),
        "Phase2DHGroupNumbers": ("Phase2DHGroupNumbers", lambda v, w: _check_list(v, PHASE2_DH, w, int)),
        "EnableTunnelLifecycleControl": ("EnableTunnelLifecycleControl", lambda v, w: bool(v)),
    }


def _check_choice(value: Any, allowed: Tuple, where: str) -> str:
    if value not in allowed:
        raise _invalid(f"{where}: {value!r} is not supported; use one of {', '.join(allowed)}.")
    return value


def parse_tunnel_spec(spec: Optional[Dict[str, Any]], where: str) -> Dict[str, Any]:
    """A request tunnel specification -> the given options in the response shape, validated."""
    out: Dict[str, Any] = {}
    fields = _spec_fields()
    for key, value in (spec or {}).items():
        if key not in fields or value is None:
            continue  # LogOptions, IPv6 and additional key exchanges: accepted, not kept
        name, check = fields[key]
        out[name] = check(value, f"{where}.{key}")
    return out


def _check_lifetimes(tunnel: Dict[str, Any], where: str) -> None:
    if tunnel["Phase2LifetimeSeconds"] >= tunnel["Phase1LifetimeSeconds"]:
        raise _invalid(f"{where}: Phase2LifetimeSeconds ({tunnel['Phase2LifetimeSeconds']}) must be less than "
                       f"Phase1LifetimeSeconds ({tunnel['Phase1LifetimeSeconds']}).")
    if tunnel["RekeyMarginTimeSeconds"] > tunnel["Phase2LifetimeSeconds"] // 2:
        raise _invalid(f"{where}: RekeyMarginTimeSeconds ({tunnel['RekeyMarginTimeSeconds']}) must be at most half "
                       f"of Phase2LifetimeSeconds ({tunnel['Phase2LifetimeSeconds']}).")


def default_tunnel() -> Dict[str, Any]:
    """AWS's defaults for a tunnel whose options were not given (addresses and key added later)."""
    return {
        "Phase1LifetimeSeconds": 28800,
        "Phase2LifetimeSeconds": 3600,
        "RekeyMarginTimeSeconds": 270,
        "RekeyFuzzPercentage": 100,
        "ReplayWindowSize": 1024,
        "DpdTimeoutSeconds": 30,
        "DpdTimeoutAction": "clear",
        "Phase1EncryptionAlgorithms": [{"Value": v} for v in ENCRYPTION],
        "Phase2EncryptionAlgorithms": [{"Value": v} for v in ENCRYPTION],
        "Phase1IntegrityAlgorithms": [{"Value": v} for v in INTEGRITY],
        "Phase2IntegrityAlgorithms": [{"Value": v} for v in INTEGRITY],
        "Phase1DHGroupNumbers": [{"Value": v} for v in PHASE1_DH],
        "Phase2DHGroupNumbers": [{"Value": v} for v in PHASE2_DH],
        "IkeVersions": [{"Value": v} for v in IKE_VERSIONS],
        "StartupAction": "add",
        "LogOptions": {"CloudWatchLogOptions": {"LogEnabled": False}},
        "EnableTunnelLifecycleControl": False,
    }


def generate_psk(rng: Optional[random.Random] = None) -> str:
    """A key AWS would accept: 32 characters of letters, digits, '.' and '_', not starting with 0."""
    alphabet = string.ascii_letters + string.digits + "._"
    choose = (rng or secrets.SystemRandom()).choice
    return choose(string.ascii_letters) + "".join(choose(alphabet) for _ in range(31))


# --- moto model access -------------------------------------------------------------------------
def _ec2_backends() -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends


def iter_vpn_connections() -> Iterator[Tuple[str, str, Any]]:
    """Every VPN connection moto holds that is not ``deleted``: ``(account_id, region, vpn)``."""
    for account_id, region, backend in list(_ec2_backends().iter_backends()):
        for vpn in list(getattr(backend, "vpn_connections", {}).values()):
            if vpn.state != "deleted":
                yield account_id, region, vpn


def _all_vpns() -> Iterator[Any]:
    for _account, _region, backend in list(_ec2_backends().iter_backends()):
        yield from list(getattr(backend, "vpn_connections", {}).values())


def _twin(vpn: Any) -> Dict[str, Any]:
    """The extension's state of one connection (created with defaults if moto made it alone)."""
    state = vpn.__dict__.get("_twin")
    if state is None:
        with _LOCK:
            state = vpn.__dict__.get("_twin")
            if state is None:
                state = _new_state(vpn, [{}, {}])
                vpn.__dict__["_twin"] = state
    return state


def _gateway_of(vpn: Any) -> Optional[str]:
    return vpn.transit_gateway_id or vpn.vpn_gateway_id


def _used_inside_cidrs(gateway_id: Optional[str], exclude: Any = None) -> set:
    used = set()
    for other in _all_vpns():
        if other is exclude or "_twin" not in other.__dict__ or other.state == "deleted":
            continue
        if gateway_id and _gateway_of(other) != gateway_id:
            continue
        used.update(t["TunnelInsideCidr"] for t in other.__dict__["_twin"]["tunnels"])
    return used


def _free_inside_cidr(taken: set) -> str:
    rng = random.SystemRandom()
    while True:
        net = ipaddress.ip_network((int(INSIDE_POOL.network_address) + 4 * rng.randrange(16384), 30))
        if net not in RESERVED_INSIDE and str(net) not in taken:
            return str(net)


def _free_outside_ip(index: int) -> str:
    used = set()
    for other in _all_vpns():
        if "_twin" in other.__dict__:
            used.update(t["OutsideIpAddress"] for t in other.__dict__["_twin"]["tunnels"])
    for host in list(ipaddress.ip_network(TUNNEL_OUTSIDE_RANGES[index]).hosts())[9:]:
        if str(host) not in used:
            return str(host)
    raise _invalid("The twin ran out of tunnel outside addresses in %s." % TUNNEL_OUTSIDE_RANGES[index])


def _new_state(vpn: Any, given: List[Dict[str, Any]], static_routes_only: Optional[bool] = None,
               options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    options = options or {}
    with _LOCK:
        taken = _used_inside_cidrs(_gateway_of(vpn), exclude=vpn)
        tunnels = []
        created = _now()
        for index in range(2):
            tunnel = {"OutsideIpAddress": _free_outside_ip(index)}
            tunnel.update(default_tunnel())
            tunnel.update(copy.deepcopy(given[index] if index < len(given) else {}))
            if not tunnel.get("TunnelInsideCidr"):
                tunnel["TunnelInsideCidr"] = _free_inside_cidr(taken)
            taken.add(tunnel["TunnelInsideCidr"])
            if not tunnel.get("PreSharedKey"):
                tunnel["PreSharedKey"] = generate_psk()
            tunnel = _ordered(tunnel)
            tunnels.append(tunnel)
        return {
            "tunnels": tunnels,
            "telemetry": [{"OutsideIpAddress": t["OutsideIpAddress"], "Status": "DOWN",
                           "StatusMessage": DEFAULT_STATUS_MESSAGE, "LastStatusChange": created,
                           "AcceptedRouteCount": 0} for t in tunnels],
            "static_routes_only": bool(static_routes_only),
            "local_ipv4_cidr": options.get("LocalIpv4NetworkCidr") or "0.0.0.0/0",
            "remote_ipv4_cidr": options.get("RemoteIpv4NetworkCidr") or "0.0.0.0/0",
            "enable_acceleration": bool(options.get("EnableAcceleration", False)),
            "routes": [],
            "ready_at": 0.0,
            "announced": True,
        }


_TUNNEL_ORDER = ("OutsideIpAddress", "TunnelInsideCidr", "PreSharedKey", "Phase1LifetimeSeconds",
                 "Phase2LifetimeSeconds", "RekeyMarginTimeSeconds", "RekeyFuzzPercentage", "ReplayWindowSize",
                 "DpdTimeoutSeconds", "DpdTimeoutAction", "Phase1EncryptionAlgorithms", "Phase2EncryptionAlgorithms",
                 "Phase1IntegrityAlgorithms", "Phase2IntegrityAlgorithms", "Phase1DHGroupNumbers",
                 "Phase2DHGroupNumbers", "IkeVersions", "StartupAction", "LogOptions", "EnableTunnelLifecycleControl")


def _ordered(tunnel: Dict[str, Any]) -> Dict[str, Any]:
    return {k: tunnel[k] for k in _TUNNEL_ORDER if k in tunnel}


def tunnel_options(vpn: Any) -> List[Dict[str, Any]]:
    """The two ``TunnelOptions`` items of DescribeVpnConnections for ``vpn`` (copies)."""
    return copy.deepcopy(_twin(vpn)["tunnels"])


def customer_gateway_ip(vpn: Any) -> str:
    """The public IP of the connection's customer gateway (the other cloud's VPN gateway)."""
    return vpn.ec2_backend.get_customer_gateway(vpn.customer_gateway_id).ip_address


def set_tunnel_status(vpn: Any, index: int, status: str, message: str) -> None:
    """Set what ``VgwTelemetry`` shows for tunnel ``index`` (0 or 1): ``UP`` or ``DOWN``."""
    if status not in ("UP", "DOWN"):
        raise ValueError(f"status must be UP or DOWN, got {status!r}")
    telemetry = _twin(vpn)["telemetry"]
    if index not in (0, 1):
        raise IndexError(f"tunnel index must be 0 or 1, got {index!r}")
    with _LOCK:
        entry = telemetry[index]
        if entry["Status"] != status:
            entry["LastStatusChange"] = _now()
        entry["Status"] = status
        entry["StatusMessage"] = message


# --- the model attributes moto's serializer picks up ---------------------------------------------
def _get_state(self: Any) -> str:
    twin = self.__dict__.get("_twin")
    current = self.__dict__.get("_twin_state", "available")
    if twin is not None and current in ("pending", "modifying", "deleting") and twin["announced"] \
            and time.time() >= twin["ready_at"]:
        current = "deleted" if current == "deleting" else "available"
        self.__dict__["_twin_state"] = current
    return current


def _set_state(self: Any, value: str) -> None:
    twin = self.__dict__.get("_twin")
    if value == "deleted" and twin is not None and self.__dict__.get("_twin_state") not in ("deleted", "deleting"):
        # moto deletes at once; AWS goes through ``deleting``.
        delay = _delay()
        twin["ready_at"] = time.time() + delay
        value = "deleting" if delay > 0 else "deleted"
    self.__dict__["_twin_state"] = value


def _begin(vpn: Any, state: str) -> None:
    """Enter ``pending``/``modifying`` until the delay passes and the response was sent."""
    twin = _twin(vpn)
    twin["ready_at"] = time.time() + _delay()
    twin["announced"] = False
    vpn.__dict__["_twin_state"] = state


def _options(self: Any) -> Dict[str, Any]:
    twin = _twin(self)
    return {
        "EnableAcceleration": twin["enable_acceleration"],
        "StaticRoutesOnly": twin["static_routes_only"],
        "LocalIpv4NetworkCidr": twin["local_ipv4_cidr"],
        "RemoteIpv4NetworkCidr": twin["remote_ipv4_cidr"],
        "OutsideIpAddressType": "PublicIpv4",
        "TunnelInsideIpVersion": "ipv4",
        "TunnelOptions": copy.deepcopy(twin["tunnels"]),
    }


def _set_options(self: Any, value: Any) -> None:
    self.__dict__["_moto_options"] = value  # moto's __init__ sets None; the real value is computed


def _vgw_telemetry(self: Any) -> List[Dict[str, Any]]:
    return copy.deepcopy(_twin(self)["telemetry"])


def _routes(self: Any) -> List[Dict[str, Any]]:
    return copy.deepcopy(_twin(self)["routes"])


def _customer_gateway_configuration(self: Any) -> str:
    try:
        cgw_ip = customer_gateway_ip(self)
    except Exception:  # pylint: disable=broad-except  # the gateway may be gone
        cgw_ip = ""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<vpn_connection id="{self.id}">',
             f"<customer_gateway_id>{self.customer_gateway_id}</customer_gateway_id>",
             f"<vpn_gateway_id>{self.vpn_gateway_id or ''}</vpn_gateway_id>",
             f"<transit_gateway_id>{self.transit_gateway_id or ''}</transit_gateway_id>",
             f"<vpn_connection_type>{self.type}</vpn_connection_type>"]
    for tunnel in _twin(self)["tunnels"]:
        net = ipaddress.ip_network(tunnel["TunnelInsideCidr"])
        parts.append(
            "<ipsec_tunnel><customer_gateway><tunnel_outside_address><ip_address>%s</ip_address>"
            "</tunnel_outside_address><tunnel_inside_address><ip_address>%s</ip_address>"
            "<network_mask>255.255.255.252</network_mask><network_cidr>30</network_cidr></tunnel_inside_address>"
            "</customer_gateway><vpn_gateway><tunnel_outside_address><ip_address>%s</ip_address>"
            "</tunnel_outside_address><tunnel_inside_address><ip_address>%s</ip_address>"
            "<network_mask>255.255.255.252</network_mask><network_cidr>30</network_cidr></tunnel_inside_address>"
            "</vpn_gateway><ike><lifetime>%d</lifetime><pre_shared_key>%s</pre_shared_key></ike>"
            "<ipsec><lifetime>%d</lifetime></ipsec></ipsec_tunnel>"
            % (cgw_ip, net.network_address + 2, tunnel["OutsideIpAddress"], net.network_address + 1,
               tunnel["Phase1LifetimeSeconds"], tunnel["PreSharedKey"], tunnel["Phase2LifetimeSeconds"]))
    parts.append("</vpn_connection>")
    return "\n".join(parts)


# --- the response methods ------------------------------------------------------------------------
def _tunnel_specs(options: Dict[str, Any], gateway_id: Optional[str], vpn: Any = None) -> List[Dict[str, Any]]:
    specs = options.get("TunnelOptions") or []
    if len(specs) > 2:
        raise _invalid("A VPN connection has two tunnels: TunnelOptions accepts at most 2 items.")
    version = options.get("TunnelInsideIpVersion") or "ipv4"
    if version != "ipv4":
        raise _invalid("TunnelInsideIpVersion: the twin supports ipv4 tunnels only.")
    parsed = [parse_tunnel_spec(spec, f"TunnelOptions.{i + 1}") for i, spec in enumerate(specs)]
    given = [p["TunnelInsideCidr"] for p in parsed if p.get("TunnelInsideCidr")]
    if len(given) != len(set(given)):
        raise _invalid("The two tunnels of a VPN connection need different inside CIDRs.")
    taken = _used_inside_cidrs(gateway_id, exclude=vpn)
    for cidr in given:
        if cidr in taken:
            raise _invalid(f"The tunnel inside CIDR {cidr} is already used by another VPN connection of {gateway_id}.")
    for i, p in enumerate(parsed):
        full = dict(default_tunnel(), **p)
        _check_lifetimes(full, f"TunnelOptions.{i + 1}")
    return parsed


class _AnnouncedResult(ActionResult):
    """An ActionResult after whose serialization the connection may leave its transient state.

    So the create (modify) response always says ``pending`` (``modifying``), as AWS does,
    even when the twin's delay is 0 and the next read already sees ``available``.
    """

    def __init__(self, result: Any, vpn: Any) -> None:
        super().__init__(result)
        self._vpn = vpn

    def execute_result(self, context: Any) -> Any:
        try:
            return super().execute_result(context)
        finally:
            _twin(self._vpn)["announced"] = True


def _create_vpn_connection(self: Any) -> Any:
    options = self._get_param("Options") or {}
    specs = _tunnel_specs(options, self._get_param("TransitGatewayId") or self._get_param("VpnGatewayId"))
    result = MOTO_ORIGINALS["create_vpn_connection"](self)
    vpn = result.result["VpnConnection"]
    with _LOCK:
        vpn.__dict__["_twin"] = _new_state(vpn, specs, options.get("StaticRoutesOnly"), options)
    _begin(vpn, "pending")
    return _AnnouncedResult(result.result, vpn)


def _describe_vpn_connections(self: Any) -> Any:
    for hook in list(BEFORE_DESCRIBE_HOOKS):
        try:
            hook()
        except Exception:  # pylint: disable=broad-except
            LOG.exception("cloudtwin: a DescribeVpnConnections hook failed; answering with the current state")
    return MOTO_ORIGINALS["describe_vpn_connections"](self)


def _get_vpn(self: Any) -> Any:
    vpn_id = self._get_param("VpnConnectionId")
    vpn = self.ec2_backend.describe_vpn_connections(vpn_connection_ids=[vpn_id])[0]
    if vpn.state == "deleted":
        from moto.ec2.exceptions import InvalidVpnConnectionIdError

        raise InvalidVpnConnectionIdError(vpn_id)
    if vpn.state != "available":
        from moto.ec2.exceptions import EC2ClientError

        raise EC2ClientError("IncorrectState", f"The VPN connection {vpn_id} is in state {vpn.state}; "
                                               "wait until it is available.")
    return vpn


def _modify_vpn_tunnel_options(self: Any) -> Any:
    vpn = _get_vpn(self)
    outside_ip = self._get_param("VpnTunnelOutsideIpAddress")
    twin = _twin(vpn)
    index = next((i for i, t in enumerate(twin["tunnels"]) if t["OutsideIpAddress"] == outside_ip), None)
    if index is None:
        raise _invalid(f"The VPN connection {vpn.id} has no tunnel with outside IP address {outside_ip}.")
    change = parse_tunnel_spec(self._get_param("TunnelOptions") or {}, "TunnelOptions")
    other = twin["tunnels"][1 - index]["TunnelInsideCidr"]
    if change.get("TunnelInsideCidr"):
        taken = _used_inside_cidrs(_gateway_of(vpn), exclude=vpn) | {other}
        if change["TunnelInsideCidr"] in taken:
            raise _invalid(f"The tunnel inside CIDR {change['TunnelInsideCidr']} is already in use on this gateway.")
    updated = dict(twin["tunnels"][index], **change)
    _check_lifetimes(updated, "TunnelOptions")
    with _LOCK:
        twin["tunnels"][index] = _ordered(updated)
        # Changing a tunnel renegotiates it: it is down until the peer agrees again.
        set_tunnel_status(vpn, index, "DOWN", "tunnel options changed")
    _begin(vpn, "modifying")
    return _AnnouncedResult({"VpnConnection": vpn}, vpn)


def _modify_vpn_connection_options(self: Any) -> Any:
    vpn = _get_vpn(self)
    twin = _twin(vpn)
    for param, key in (("LocalIpv4NetworkCidr", "local_ipv4_cidr"), ("RemoteIpv4NetworkCidr", "remote_ipv4_cidr")):
        value = self._get_param(param)
        if value:
            try:
                twin[key] = str(ipaddress.ip_network(value, strict=True))
            except ValueError:
                raise _invalid(f"{param}: {value!r} is not a valid IPv4 CIDR block.") from None
    _begin(vpn, "modifying")
    return _AnnouncedResult({"VpnConnection": vpn}, vpn)


def apply() -> None:
    global _applied
    if _applied:
        return
    from moto.ec2.models.vpn_connections import VPNConnection
    from moto.ec2.responses.vpn_connections import VPNConnections

    MOTO_ORIGINALS.update({
        "create_vpn_connection": VPNConnections.create_vpn_connection,
        "describe_vpn_connections": VPNConnections.describe_vpn_connections,
        "customer_gateway_configuration": VPNConnection.__dict__["customer_gateway_configuration"],
        "had_modify_vpn_tunnel_options": hasattr(VPNConnections, "modify_vpn_tunnel_options"),
        "had_modify_vpn_connection_options": hasattr(VPNConnections, "modify_vpn_connection_options"),
        "class_attributes": sorted(VPNConnection.__dict__),
    })
    VPNConnections.create_vpn_connection = _create_vpn_connection
    VPNConnections.describe_vpn_connections = _describe_vpn_connections
    VPNConnections.modify_vpn_tunnel_options = _modify_vpn_tunnel_options
    VPNConnections.modify_vpn_connection_options = _modify_vpn_connection_options
    VPNConnection.state = property(_get_state, _set_state)
    VPNConnection.options = property(_options, _set_options)
    VPNConnection.vgw_telemetry = property(_vgw_telemetry)
    VPNConnection.routes = property(_routes)
    VPNConnection.category = property(lambda self: "VPN")
    VPNConnection.vpn_connection_id = property(lambda self: self.id)
    VPNConnection.customer_gateway_configuration = property(_customer_gateway_configuration)
    _applied = True
