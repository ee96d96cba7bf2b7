"""Tunnels between the two clouds: they come up only when both ends agree.

This is the only module that sees both sides of the twin. Each Alibaba tunnel is one IKE peer:
a single-tunnel connection on a VPN gateway (from the gateway's ``InternetIp``), each tunnel of a
dual-tunnel connection (master from the gateway's ``InternetIp``, slave from its
``DisasterRecoveryInternetIp``) and each tunnel of a connection attached to a transit router (from
the tunnel's own ``InternetIp``). An Alibaba tunnel reaches ``ipsec_sa_established`` and the
matching AWS tunnel reports telemetry ``UP`` only when, as IKE itself would decide:

- the Alibaba tunnel's customer gateway IP is that AWS tunnel's outside IP, and the AWS VPN's
  customer gateway IP is that Alibaba tunnel's own source IP;
- phase 1 agrees: an IKE version both allow, main mode, the same pre-shared key, the
  default identities (each side's public IP), a common proposal (encryption + integrity +
  DH group, names mapped between the clouds) and a lifetime AWS accepts (<= 28800 s);
- phase 2 agrees: a common proposal with PFS (AWS always uses it), a lifetime AWS
  accepts (<= 3600 s), one SA pair per tunnel (an IKEv1 connection with several subnets
  negotiates one SA per subnet pair, which AWS refuses) and traffic selectors inside the
  AWS connection's ``LocalIpv4NetworkCidr`` / ``RemoteIpv4NetworkCidr`` (0.0.0.0/0 by
  default, which accepts anything).

Otherwise each side shows what the real one would: Alibaba ``ike_sa_not_established``
when phase 1 fails, ``ipsec_sa_not_established`` when only phase 2 fails; AWS telemetry
``DOWN`` with a status message. A dual-tunnel or TR-attached connection shows each tunnel's
``Status`` and an aggregate connection ``Status`` (``vpn_ipsec.aggregate_status``). Every change
of outcome is recorded with ``state.note(...)`` (``/_twin/state`` events) saying why. Pre-shared
keys never appear in a note or a message.

Wiring (``install(twin)``): the Alibaba VPN model runs ``evaluate`` before every request
that reads IPsec state and after every change (``models.vpn.register_tunnel_hook``); the
AWS extension runs it at the start of every DescribeVpnConnections
(``BEFORE_DESCRIBE_HOOKS``). Without the AWS extension, or with no AWS VPN at all, the
Alibaba side still works: its connections simply find no peer.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .alicloud.models import vpn as ali_vpn
from .alicloud.models.base import Resource, State
from .alicloud.models.vpn_ipsec import aggregate_status

LOG = logging.getLogger("cloudtwin.crosscloud")

AWS_PHASE1_MAX_LIFETIME = 28800
AWS_PHASE2_MAX_LIFETIME = 3600

# Alibaba name -> AWS name (None: AWS has no such algorithm).
ENCRYPTION = {"aes": "AES128", "aes192": None, "aes256": "AES256", "des": None, "3des": None}
INTEGRITY = {"md5": None, "sha1": "SHA1", "sha256": "SHA2-256", "sha384": "SHA2-384", "sha512": "SHA2-512"}
DH_GROUP = {"group1": 1, "group2": 2, "group5": 5, "group14": 14, "group15": 15, "group16": 16,
            "group19": 19, "group20": 20, "group21": 21, "group24": 24, "disabled": None}

UP_MESSAGE = "IPSEC IS UP"
NO_PEER_MESSAGE = "no peer answered"

_LOCK = threading.RLock()
_TWINS: "weakref.WeakSet[Any]" = weakref.WeakSet()
# moto keeps one AWS state per process, so when several twins share a process (tests), the AWS
# side belongs to the twin that seeded it last: only that twin's Alibaba side is paired with it.
_AWS_OWNER: "weakref.ref[Any] | None" = None
_AWS: Any = None  # cloudtwin.aws.extensions.vpn once installed
_INSTALLED = False


@dataclass
class AwsTunnel:
    account: str
    region: str
    vpn: Any
    index: int
    options: Dict[str, Any]
    customer_gateway_ip: str
    available: bool
    local_cidr: str
    remote_cidr: str

    @property
    def label(self) -> str:
        return f"AWS {self.vpn.id} tunnel {self.index + 1} ({self.options.get('OutsideIpAddress')})"


@dataclass
class AlibabaTunnel:
    """One Alibaba IKE peer: a single-tunnel connection, or one tunnel of a dual-tunnel / TR-attached one."""

    vco: Resource
    tunnel: Optional[Dict[str, Any]]  # the stored tunnel; None for a single-tunnel connection
    gateway: Optional[Resource]  # None when attached to a transit router
    cgw: Resource
    source_ip: str
    ike: Dict[str, Any]
    ipsec: Dict[str, Any]

    @property
    def key(self) -> Tuple[str, str]:
        return self.vco.id, self.tunnel["TunnelId"] if self.tunnel else ""

    @property
    def label(self) -> str:
        if self.tunnel is None:
            return f"Alibaba {self.vco.id}"
        return f"Alibaba {self.vco.id} tunnel {self.tunnel['TunnelIndex']} ({self.tunnel['Role']}, {self.source_ip})"

    @property
    def source(self) -> str:
        """Where the tunnel comes from, for messages."""
        if self.gateway is None:
            return f"its tunnel IP {self.source_ip}"
        if self.tunnel is not None and self.tunnel["Role"] == "slave":
            return f"VPN gateway {self.gateway.id} at its disaster-recovery IP {self.source_ip}"
        return f"VPN gateway {self.gateway.id} at {self.source_ip}"

    @property
    def owner_id(self) -> str:
        """What a note is about first: the VPN gateway, or the connection itself when TR-attached."""
        return self.gateway.id if self.gateway is not None else self.vco.id


@dataclass
class Outcome:
    status: str  # Alibaba negotiation status
    tunnel: Optional[AwsTunnel]
    reason: str  # "" when established

    @property
    def up(self) -> bool:
        return self.status == "ipsec_sa_established"


# --- install ----------------------------------------------------------------------------------

def install(twin: Any) -> None:
    """Connect the two clouds of ``twin`` (idempotent; several twins may share a process)."""
    global _AWS, _INSTALLED
    _TWINS.add(twin)
    with _LOCK:
        if _INSTALLED:
            return
        ali_vpn.register_tunnel_hook(_alibaba_hook)
        try:
            from .aws.extensions import vpn as aws_vpn
        except ImportError:  # an AWS side without VPN support: Alibaba connections find no peer
            aws_vpn = None
        if aws_vpn is not None:
            _AWS = aws_vpn
            if _aws_hook not in aws_vpn.BEFORE_DESCRIBE_HOOKS:
                aws_vpn.BEFORE_DESCRIBE_HOOKS.append(_aws_hook)
        _INSTALLED = True


def claim_aws(twin: Any) -> None:
    """``twin`` has just (re)seeded the process-wide AWS state: pair its Alibaba side alone with it."""
    global _AWS_OWNER
    with _LOCK:
        _AWS_OWNER = weakref.ref(twin)


def _alibaba_hook(state: State) -> None:
    try:
        evaluate([state])
    except Exception:  # pylint: disable=broad-except  # the cloud still answers; the log says why
        LOG.exception("cloudtwin: cross-cloud tunnel evaluation failed")


def _aws_hook() -> None:
    # Alibaba's async states settle lazily at the start of each Alibaba request; an AWS
    # read must see them settled too. Each state's lock is taken alone, never while
    # holding _LOCK (an Alibaba request holds its state's lock, then takes _LOCK).
    for state in _states(()):
        with state.lock:
            state.settle()
    evaluate()


# --- evaluation -------------------------------------------------------------------------------------

def _states(extra: Iterable[State]) -> List[State]:
    out: List[State] = []
    owner = _AWS_OWNER() if _AWS_OWNER is not None else None
    for twin in [owner] if owner is not None else list(_TWINS):
        state = getattr(getattr(twin, "backend", None), "state", None)
        if state is not None and state not in out:
            out.append(state)
    for state in extra:
        if state not in out:
            out.append(state)
    return out


def _aws_tunnels() -> Dict[str, AwsTunnel]:
    """AWS tunnels by outside IP."""
    if _AWS is None:
        return {}
    out: Dict[str, AwsTunnel] = {}
    for account, region, vpn in list(_AWS.iter_vpn_connections()):
        try:
            cgw_ip = _AWS.customer_gateway_ip(vpn)
        except Exception:  # pylint: disable=broad-except  # customer gateway deleted under it
            cgw_ip = ""
        options = getattr(vpn, "options", None) or {}
        available = getattr(vpn, "state", "available") == "available"
        for index, tunnel in enumerate(_AWS.tunnel_options(vpn)):
            out[tunnel.get("OutsideIpAddress")] = AwsTunnel(
                account, region, vpn, index, tunnel, cgw_ip, available,
                options.get("LocalIpv4NetworkCidr") or "0.0.0.0/0", options.get("RemoteIpv4NetworkCidr") or "0.0.0.0/0")
    return out


def _values(items: Any) -> List[Any]:
    return [i.get("Value") if isinstance(i, dict) else i for i in (items or [])]


def _offer(enc: str, auth: str, dh: str) -> str:
    return f"{enc}/{auth}/{dh}"


def _proposal_problem(phase: int, ali: Dict[str, str], tunnel: AwsTunnel) -> str:
    """'' when Alibaba's single proposal is among what the AWS tunnel accepts, else why not."""
    opts = tunnel.options
    enc_aws = _values(opts.get(f"Phase{phase}EncryptionAlgorithms"))
    int_aws = _values(opts.get(f"Phase{phase}IntegrityAlgorithms"))
    dh_aws = [int(v) for v in _values(opts.get(f"Phase{phase}DHGroupNumbers"))]
    problems = []
    if ENCRYPTION.get(ali["enc"]) not in enc_aws:
        problems.append(f"encryption {ali['enc']} (AWS accepts {', '.join(enc_aws)})")
    if INTEGRITY.get(ali["auth"]) not in int_aws:
        problems.append(f"integrity {ali['auth']} (AWS accepts {', '.join(int_aws)})")
    if ali["dh"] == "disabled":
        problems.append("PFS disabled (AWS always uses a DH group in phase 2)")
    elif DH_GROUP.get(ali["dh"]) not in dh_aws:
        problems.append(f"DH {ali['dh']} (AWS accepts groups {', '.join(map(str, dh_aws))})")
    if not problems:
        return ""
    return (f"no common phase {phase} proposal: Alibaba offers {_offer(ali['enc'], ali['auth'], ali['dh'])}; "
            + "; ".join(problems))


def _subnets(value: str) -> List[ipaddress.IPv4Network]:
    return [ipaddress.ip_network(s.strip()) for s in (value or "").split(",") if s.strip()]


def negotiate(end: AlibabaTunnel, tunnel: Optional[AwsTunnel]) -> Outcome:
    """What IKE would make of this Alibaba tunnel against the AWS tunnel it points at."""
    vco, cgw = end.vco, end.cgw
    ali = end.label
    if tunnel is None:
        return Outcome("ike_sa_not_established", None,
                       f"phase 1 failed: no AWS VPN tunnel has outside IP {cgw['IpAddress']} (the IP of customer "
                       f"gateway {cgw.id} of {ali}); nothing answers IKE there")
    where = tunnel.label
    if not tunnel.available:
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: {where} is {tunnel.vpn.state}, not available")
    if tunnel.customer_gateway_ip != end.source_ip:
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: the customer gateway of {where} is {tunnel.customer_gateway_ip or 'gone'}, "
                       f"but {ali} comes from {end.source}")
    ike = end.ike
    versions = _values(tunnel.options.get("IkeVersions"))
    if ike["IkeVersion"] not in versions:
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: {ali} speaks {ike['IkeVersion']} but {where} allows {', '.join(versions)}")
    if ike["IkeVersion"] == "ikev1" and ike.get("IkeMode") == "aggressive":
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: {ali} uses IKEv1 aggressive mode; {where} accepts main mode only")
    if ike.get("Psk") != tunnel.options.get("PreSharedKey"):
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: pre-shared keys differ between {ali} and {where}")
    if ike.get("LocalId") not in (None, "", end.source_ip):
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: {ali} identifies itself as {ike['LocalId']!r}; {where} expects its customer "
                       f"gateway IP {end.source_ip}")
    if ike.get("RemoteId") not in (None, "", tunnel.options.get("OutsideIpAddress")):
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: {ali} expects the peer identity {ike['RemoteId']!r}; {where} identifies "
                       f"itself by its outside IP")
    problem = _proposal_problem(1, {"enc": ike["IkeEncAlg"], "auth": ike["IkeAuthAlg"], "dh": ike["IkePfs"]}, tunnel)
    if problem:
        return Outcome("ike_sa_not_established", tunnel, f"phase 1 failed: {problem}; {where}")
    if int(ike["IkeLifetime"]) > AWS_PHASE1_MAX_LIFETIME:
        return Outcome("ike_sa_not_established", tunnel,
                       f"phase 1 failed: {ali} IkeLifetime {ike['IkeLifetime']} s is above the "
                       f"{AWS_PHASE1_MAX_LIFETIME} s AWS accepts ({where})")
    ipsec = end.ipsec
    problem = _proposal_problem(2, {"enc": ipsec["IpsecEncAlg"], "auth": ipsec["IpsecAuthAlg"],
                                    "dh": ipsec["IpsecPfs"]}, tunnel)
    if problem:
        return Outcome("ipsec_sa_not_established", tunnel, f"phase 2 failed: {problem}; {where}")
    if int(ipsec["IpsecLifetime"]) > AWS_PHASE2_MAX_LIFETIME:
        return Outcome("ipsec_sa_not_established", tunnel,
                       f"phase 2 failed: {ali} IpsecLifetime {ipsec['IpsecLifetime']} s is above the "
                       f"{AWS_PHASE2_MAX_LIFETIME} s AWS accepts ({where})")
    local, remote = _subnets(vco["LocalSubnet"]), _subnets(vco["RemoteSubnet"])
    if ike["IkeVersion"] == "ikev1" and len(local) * len(remote) > 1:
        return Outcome("ipsec_sa_not_established", tunnel,
                       f"phase 2 failed: {ali} uses IKEv1 with {len(local)} local x {len(remote)} remote subnets, "
                       f"one SA pair each; {where} accepts one SA pair per tunnel (use IKEv2, or one CIDR per side "
                       "such as 0.0.0.0/0)")
    # AWS's LocalIpv4NetworkCidr is the customer (Alibaba) side, RemoteIpv4NetworkCidr the AWS side.
    aws_local, aws_remote = ipaddress.ip_network(tunnel.local_cidr), ipaddress.ip_network(tunnel.remote_cidr)
    for nets, allowed, side in ((local, aws_local, "LocalSubnet"), (remote, aws_remote, "RemoteSubnet")):
        outside = [str(n) for n in nets if not n.subnet_of(allowed)]
        if outside:
            return Outcome("ipsec_sa_not_established", tunnel,
                           f"phase 2 failed: {ali} {side} {', '.join(outside)} is outside the traffic selector "
                           f"{allowed} of {where}")
    return Outcome("ipsec_sa_established", tunnel, "")


def alibaba_tunnels(state: State) -> List[AlibabaTunnel]:
    """Every Alibaba IKE peer of ``state`` that negotiates now (its gateway, if any, is up)."""
    out: List[AlibabaTunnel] = []
    for vco in list(state.resources.get("VpnConnection", {}).values()):
        gw = state.find("VpnGateway", vco.get("VpnGatewayId") or "")
        if vco.deleted or (vco.get("VpnGatewayId") and gw is None):
            continue
        if gw is not None and gw["Status"] in ("init", "provisioning", "deleting"):
            continue  # not negotiating (yet, or any more); ``updating`` keeps its tunnels
        for tunnel in ali_vpn.tunnels(vco):
            cgw = state.find("CustomerGateway", tunnel["CustomerGatewayId"])
            if cgw is not None:
                out.append(AlibabaTunnel(vco, tunnel, gw, cgw, tunnel["InternetIp"], tunnel["TunnelIkeConfig"],
                                         tunnel["TunnelIpsecConfig"]))
        if not ali_vpn.tunnels(vco):
            cgw = state.find("CustomerGateway", vco.get("CustomerGatewayId") or "")
            source_ip = gw["InternetIp"] if gw is not None else vco.get("InternetIp")
            if cgw is not None and source_ip:
                out.append(AlibabaTunnel(vco, None, gw, cgw, source_ip, vco["IkeConfig"], vco["IpsecConfig"]))
    return out


def evaluate(extra_states: Iterable[State] = ()) -> None:
    """Decide every Alibaba tunnel and every AWS tunnel the twin(s) hold."""
    with _LOCK:
        tunnels = _aws_tunnels()
        owner = _AWS_OWNER() if _AWS_OWNER is not None else None
        owner_state = getattr(getattr(owner, "backend", None), "state", None)
        verdicts: Dict[Tuple[str, int], List[Outcome]] = {}
        for state in _states(extra_states):
            seen = state.__dict__.setdefault("_crosscloud_seen", {})
            # Another twin's Alibaba side never meets the AWS side it does not own.
            peers = tunnels if owner_state is None or state is owner_state else {}
            for end in alibaba_tunnels(state):
                outcome = negotiate(end, peers.get(end.cgw["IpAddress"]))
                if end.tunnel is None:
                    end.vco["Status"] = outcome.status
                else:
                    end.tunnel["Status"] = outcome.status
                    end.vco["Status"] = aggregate_status([t.get("Status") for t in ali_vpn.tunnels(end.vco)])
                if outcome.tunnel is not None:
                    verdicts.setdefault((outcome.tunnel.vpn.id, outcome.tunnel.index), []).append(outcome)
                key = (outcome.status, outcome.reason,
                       outcome.tunnel.label if outcome.tunnel is not None else None)
                if seen.get(end.key) != key:
                    seen[end.key] = key
                    _note(state, end, outcome)
        if _AWS is None:
            return
        for tunnel in tunnels.values():
            outcomes = verdicts.get((tunnel.vpn.id, tunnel.index), [])
            if any(o.up for o in outcomes):
                _AWS.set_tunnel_status(tunnel.vpn, tunnel.index, "UP", UP_MESSAGE)
            elif outcomes:
                _AWS.set_tunnel_status(tunnel.vpn, tunnel.index, "DOWN", "IPSEC IS DOWN: " + outcomes[0].reason)
            else:
                _AWS.set_tunnel_status(tunnel.vpn, tunnel.index, "DOWN", NO_PEER_MESSAGE)


def _note(state: State, end: AlibabaTunnel, outcome: Outcome) -> None:
    tunnel = outcome.tunnel
    if outcome.up:
        message = f"{end.owner_id}: {end.label} is up: ipsec_sa_established with {tunnel.label}"
    else:
        message = f"{end.owner_id}: {outcome.reason}"
    state.note(kind="tunnel", message=message, vpn_gateway_id=end.gateway.id if end.gateway else None,
               vpn_connection_id=end.vco.id, tunnel_id=end.tunnel["TunnelId"] if end.tunnel else None,
               status=outcome.status, aws_vpn_connection_id=tunnel.vpn.id if tunnel else None,
               aws_tunnel=tunnel.index + 1 if tunnel else None,
               aws_outside_ip=tunnel.options.get("OutsideIpAddress") if tunnel else None)
