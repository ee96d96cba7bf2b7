"""Fault injection settings shared by both clouds of the twin.

Retry, backoff and waiter code is only trustworthy if it has met throttling, 5xx answers,
slow answers and eventual consistency; the twin produces them on demand. This module
only *decides*: each cloud's protocol layer turns a decision into that cloud's own error
(``Throttling.User`` for Alibaba, ``RequestLimitExceeded`` for AWS, ...), so nothing here
knows any cloud's error format.

Knobs (all settable by ``update()`` / the ``/_twin/faults`` control endpoint, most from
the environment by ``from_env()``):

- ``throttle_rate``, ``error_rate``: probability per request of a throttling or a 5xx
  answer (one roll per request: throttle wins below ``throttle_rate``, error below
  ``throttle_rate + error_rate``).
- ``latency_ms``, ``latency_rate``: sleep this long before answering, for that share of
  requests.
- ``only_actions``: aim all of the above at these action names (``fnmatch`` patterns such
  as ``Create*``); empty means every action.
- ``count``: inject at most this many throttle/error faults, then stop (``None`` means no
  limit). This makes retry tests deterministic: ``count=2`` with ``throttle_rate=1``
  fails exactly the first two calls.
- ``consistency_delay``, ``delays``: eventual consistency and async-state timings; the
  cloud backends copy them into their state (new resources stay invisible to reads for
  ``consistency_delay`` seconds; ``delays[kind]`` seconds per async step). A key
  ``"<Kind>.<state>"`` (``VpnGateway.updating``) refines a kind's delay for the steps a
  resource spends in that state; without it the kind's own key applies.
- ``latency_profile``, ``latency_scale``: a named set of per-kind provisioning times
  (``LATENCY_PROFILES``; ``realistic`` = the clouds' own figures, each with its source),
  multiplied by ``latency_scale`` (0.05 turns 7 minutes into 21 s). ``delays`` given
  explicitly win over the profile, unscaled. The attribute ``delays`` is what the clouds
  read: the profile scaled, overlaid with the explicit ones; ``to_dict()`` reports the
  explicit ones as ``delays`` and the result as ``effective_delays``.
- ``seed``: the random generator is seeded so a run with rates below 1 is repeatable.
- ``retry_after_ms``: how long a throttled client is told to wait, for protocols that
  can say so (Alibaba ``x-acs-retry-after``); 0 means say nothing.
"""

from __future__ import annotations

import fnmatch
import os
import random
import threading
import time
from typing import Any, Dict, List, Mapping, NamedTuple, Optional

THROTTLE = "throttle"
ERROR = "error"

_FLOAT_KEYS = ("throttle_rate", "error_rate", "latency_rate", "latency_ms", "consistency_delay", "latency_scale")
_RATE_KEYS = ("throttle_rate", "error_rate", "latency_rate")
_SETTABLE_KEYS = {*_FLOAT_KEYS, "delays", "only_actions", "count", "seed", "retry_after_ms", "latency_profile"}
# What to_dict() reports beside the settings; update() accepts and ignores them, so its output round-trips.
_REPORT_KEYS = {"injected", "effective_delays"}

class Figure(NamedTuple):
    """A provisioning time (seconds per async step) and where it comes from."""

    seconds: float
    source: str


_TF_ALI = "terraform-provider-alicloud default timeout"
_TF_AWS = "terraform-provider-aws default timeout"

# Per-kind provisioning times as the clouds take them. Kinds are the twin's ``delays`` keys: AWS TransitGateway,
# TransitGatewayAttachment, VpnConnection (aws/extensions); every other one Alibaba (alicloud/models). The Alibaba
# IPsec connection has no async state of its own: creating or changing one keeps its VPN gateway ``updating``, hence
# ``VpnGateway.updating``. Where no observed figure was found the figure is an estimate, marked so, below the upper
# bound a provider's default create timeout sets.
LATENCY_PROFILES: Dict[str, Dict[str, Figure]] = {
    "realistic": {
        "TransitGateway": Figure(240.0, "reported 'several minutes' pending -> available (the bench issue); bound: "
                                        f"{_TF_AWS} aws_ec2_transit_gateway create 10m"),
        "TransitGatewayAttachment": Figure(90.0, "estimate (pending -> available), no observed figure found; bound: "
                                                 f"{_TF_AWS} aws_ec2_transit_gateway 10m"),
        "VpnConnection": Figure(420.0, "reported 5-10 min pending -> available (the bench issue); bound: AWS CLI "
                                       "waiter vpn-connection-available, 15 s x 40 = 10 min"),
        "Cen": Figure(30.0, f"estimate (CreateCen: Creating -> Active); bound: {_TF_ALI} alicloud_cen_instance 5 mins"),
        "TransitRouter": Figure(60.0, "estimate (CreateTransitRouter is asynchronous, Creating -> Active: API "
                                      f"reference); bound: {_TF_ALI} alicloud_cen_transit_router 5 mins"),
        "TransitRouterRouteTable": Figure(20.0, "estimate (CreateTransitRouterRouteTable, Creating -> Active); "
                                                "bound: the router's 5 mins"),
        "TransitRouterVpcAttachment": Figure(90.0, "estimate (Attaching -> Attached); bound: "
                                                   f"{_TF_ALI} alicloud_cen_transit_router_vpc_attachment 5 mins"),
        "TransitRouterPeerAttachment": Figure(120.0, "estimate (Attaching -> Attached); bound: "
                                                     f"{_TF_ALI} alicloud_cen_transit_router_peer_attachment 5 mins"),
        "TransitRouterVpnAttachment": Figure(120.0, "estimate (Attaching -> Attached); bound: "
                                                    f"{_TF_ALI} alicloud_cen_transit_router_vpn_attachment 8 mins"),
        "TransitRouterRouteTableAssociation": Figure(20.0, "estimate (Associating -> Active); bound: "
                                                           f"{_TF_ALI} ..._route_table_association 5 mins"),
        "TransitRouterRouteTablePropagation": Figure(20.0, "estimate: the association's figure (same API family)"),
        "TransitRouterRouteEntry": Figure(10.0, "estimate (Creating -> Active), no bound found"),
        "CenChildInstance": Figure(60.0, "estimate (Basic CEN AttachCenChildInstance: Attaching -> Attached), "
                                         "no bound found"),
        "CenPublishedRoute": Figure(20.0, "estimate (Basic CEN PublishRouteEntries), no bound found"),
        "VpnGateway": Figure(180.0, "estimate (CreateVpnGateway is asynchronous, provisioning -> active: API "
                                    f"reference); bound: {_TF_ALI} alicloud_vpn_gateway 10 mins"),
        "VpnGateway.updating": Figure(30.0, "estimate (CreateVpnConnection: 'if the VPN gateway is in the updating "
                                            "state, the IPsec-VPN connection is being created'); bound: "
                                            f"{_TF_ALI} alicloud_vpn_connection 1 min"),
        "RouteEntry": Figure(10.0, "estimate (CreateRouteEntry: Pending -> Available), no bound found"),
        "Vpc": Figure(10.0, "estimate (CreateVpc: Pending -> Available); not in a build, the world seeds VPCs"),
        "VSwitch": Figure(10.0, "estimate (CreateVSwitch: Pending -> Available); not in a build"),
        "VpcPeerConnection": Figure(60.0, "estimate (Creating -> Activated); bound: "
                                          f"{_TF_ALI} alicloud_vpc_peer_connection 5 mins"),
        "RouterInterface": Figure(60.0, "estimate (Express Connect router interface, Connecting -> Active), "
                                        "no bound found"),
    },
}


def delay_of(delays: Mapping[str, float], kind: str, state: Any = None) -> float:
    """Seconds per async step of ``kind`` while it is in ``state``: ``"<kind>.<state>"``, else ``kind``, else 0."""
    if state not in (None, ""):
        refined = delays.get(f"{kind}.{state}")
        if refined is not None:
            return float(refined)
    return float(delays.get(kind, 0.0) or 0.0)


class Faults:
    """Thread-safe fault settings plus the decision for one request."""

    def __init__(self, throttle_rate: float = 0.0, error_rate: float = 0.0,
                 latency_ms: float = 0.0, latency_rate: float = 1.0,
                 consistency_delay: float = 0.0, delays: Optional[Mapping[str, float]] = None,
                 only_actions: Optional[List[str]] = None, count: Optional[int] = None,
                 seed: Optional[int] = 0, retry_after_ms: int = 200,
                 latency_profile: Optional[str] = None, latency_scale: float = 1.0):
        self._lock = threading.RLock()
        self.throttle_rate = 0.0
        self.error_rate = 0.0
        self.latency_ms = 0.0
        self.latency_rate = 1.0
        self.consistency_delay = 0.0
        self.explicit_delays: Dict[str, float] = {}  # as given (update / --delay)
        self.latency_profile: Optional[str] = None
        self.latency_scale = 1.0
        self.delays: Dict[str, float] = {}  # what the clouds read: the scaled profile + explicit_delays
        self.only_actions: List[str] = []
        self.count: Optional[int] = None
        self.seed: Optional[int] = seed
        self.retry_after_ms = 200
        self.injected: Dict[str, int] = {THROTTLE: 0, ERROR: 0}
        # Bumped on every change so backends know when to copy delays into their state.
        self.generation = 0
        self._rng = random.Random(seed)
        self.update({
            "throttle_rate": throttle_rate, "error_rate": error_rate, "latency_ms": latency_ms,
            "latency_rate": latency_rate, "consistency_delay": consistency_delay,
            "delays": dict(delays or {}), "only_actions": list(only_actions or []),
            "count": count, "retry_after_ms": retry_after_ms,
            "latency_profile": latency_profile, "latency_scale": latency_scale,
        })

    # --- configuration ----------------------------------------------------------------
    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Faults":
        """Settings from ``CLOUDTWIN_*`` variables, so ``make demo`` can be made flaky.

        ``CLOUDTWIN_THROTTLE_RATE``, ``CLOUDTWIN_ERROR_RATE``, ``CLOUDTWIN_LATENCY_MS``,
        ``CLOUDTWIN_CONSISTENCY_DELAY``; also ``CLOUDTWIN_FAULT_COUNT``,
        ``CLOUDTWIN_FAULT_ACTIONS`` (comma separated), ``CLOUDTWIN_FAULT_SEED``,
        ``CLOUDTWIN_LATENCY_PROFILE`` and ``CLOUDTWIN_LATENCY_SCALE``.
        """
        env = os.environ if environ is None else environ
        names = {
            "throttle_rate": "CLOUDTWIN_THROTTLE_RATE",
            "error_rate": "CLOUDTWIN_ERROR_RATE",
            "latency_ms": "CLOUDTWIN_LATENCY_MS",
            "consistency_delay": "CLOUDTWIN_CONSISTENCY_DELAY",
            "count": "CLOUDTWIN_FAULT_COUNT",
            "seed": "CLOUDTWIN_FAULT_SEED",
            "latency_profile": "CLOUDTWIN_LATENCY_PROFILE",
            "latency_scale": "CLOUDTWIN_LATENCY_SCALE",
        }
        config: Dict[str, Any] = {key: env[var] for key, var in names.items() if env.get(var, "") != ""}
        if env.get("CLOUDTWIN_FAULT_ACTIONS"):
            config["only_actions"] = [a.strip() for a in env["CLOUDTWIN_FAULT_ACTIONS"].split(",") if a.strip()]
        faults = cls()
        faults.update(config)
        return faults

    def update(self, config: Mapping[str, Any]) -> None:
        """Change the settings named in ``config``; others stay. Raises ``ValueError``.

        All values are validated before any is applied, so a bad request changes nothing.
        Setting ``count`` (re)starts the budget; setting ``seed`` re-seeds the generator.
        ``latency_profile`` is a ``LATENCY_PROFILES`` name, or ``None`` / ``""`` for none.
        """
        unknown = set(config) - _SETTABLE_KEYS - _REPORT_KEYS
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        new: Dict[str, Any] = {}
        for key in _FLOAT_KEYS:
            if key in config:
                value = _number(key, config[key])
                if key in _RATE_KEYS and not 0.0 <= value <= 1.0:
                    raise ValueError(f"{key} must be between 0 and 1, got {value}")
                if value < 0:
                    raise ValueError(f"{key} must not be negative, got {value}")
                new[key] = value
        if "delays" in config:
            delays = config["delays"] or {}
            if not isinstance(delays, Mapping):
                raise ValueError("delays must be a mapping of kind -> seconds")
            new["explicit_delays"] = {str(k): _number(f"delays.{k}", v) for k, v in delays.items()}
            if any(v < 0 for v in new["explicit_delays"].values()):
                raise ValueError("delays must not be negative")
        if "latency_profile" in config:
            profile = config["latency_profile"] or None
            if profile is not None and profile not in LATENCY_PROFILES:
                raise ValueError(f"unknown latency_profile {profile!r}; known: {', '.join(sorted(LATENCY_PROFILES))}")
            new["latency_profile"] = profile
        if "only_actions" in config:
            actions = config["only_actions"] or []
            if isinstance(actions, str):
                actions = [a.strip() for a in actions.split(",") if a.strip()]
            if not isinstance(actions, (list, tuple)) or not all(isinstance(a, str) for a in actions):
                raise ValueError("only_actions must be a list of action names")
            new["only_actions"] = list(actions)
        if "count" in config:
            count = config["count"]
            if count is not None and count != "":
                count = int(_number("count", count))
                if count < 0:
                    raise ValueError("count must not be negative")
            new["count"] = None if count == "" else count
        if "retry_after_ms" in config:
            new["retry_after_ms"] = int(_number("retry_after_ms", config["retry_after_ms"]))
            if new["retry_after_ms"] < 0:
                raise ValueError("retry_after_ms must not be negative")
        if "seed" in config:
            seed = config["seed"]
            new["seed"] = None if seed in (None, "") else int(_number("seed", seed))
        with self._lock:
            for key, value in new.items():
                setattr(self, key, value)
            if "seed" in new:
                self._rng = random.Random(new["seed"])
            self.delays = self._effective_delays()
            self.generation += 1

    def _effective_delays(self) -> Dict[str, float]:
        profile = LATENCY_PROFILES.get(self.latency_profile or "", {})
        delays = {kind: figure.seconds * self.latency_scale for kind, figure in profile.items()}
        delays.update(self.explicit_delays)
        return delays

    def to_dict(self) -> Dict[str, Any]:
        """JSON-able settings; ``count`` is the budget left. Round-trips through ``update``."""
        with self._lock:
            return {
                "throttle_rate": self.throttle_rate,
                "error_rate": self.error_rate,
                "latency_ms": self.latency_ms,
                "latency_rate": self.latency_rate,
                "consistency_delay": self.consistency_delay,
                "delays": dict(self.explicit_delays),
                "latency_profile": self.latency_profile,
                "latency_scale": self.latency_scale,
                "effective_delays": dict(self.delays),
                "only_actions": list(self.only_actions),
                "count": self.count,
                "seed": self.seed,
                "retry_after_ms": self.retry_after_ms,
                "injected": dict(self.injected),
            }

    # --- decisions ------------------------------------------------------------------------
    def targets(self, action: Optional[str]) -> bool:
        """Whether faults apply to ``action`` (``only_actions`` empty means all)."""
        if not self.only_actions:
            return True
        return action is not None and any(fnmatch.fnmatchcase(action, p) for p in self.only_actions)

    def decide(self, action: Optional[str]) -> Optional[str]:
        """``None``, ``"throttle"`` or ``"error"`` for one request to ``action``.

        Call it before the request touches any state and, on a fault, answer without
        dispatching: an injected fault must never hide a change that actually happened.
        """
        with self._lock:
            if self.throttle_rate <= 0 and self.error_rate <= 0:
                return None
            if self.count is not None and self.count <= 0:
                return None
            if not self.targets(action):
                return None
            roll = self._rng.random()
            if roll < self.throttle_rate:
                outcome = THROTTLE
            elif roll < self.throttle_rate + self.error_rate:
                outcome = ERROR
            else:
                return None
            if self.count is not None:
                self.count -= 1
            self.injected[outcome] += 1
            return outcome

    def latency(self, action: Optional[str] = None) -> float:
        """Seconds to sleep for this request (0 if none); separate from sleeping for tests."""
        with self._lock:
            if self.latency_ms <= 0 or not self.targets(action):
                return 0.0
            if self.latency_rate < 1.0 and self._rng.random() >= self.latency_rate:
                return 0.0
            return self.latency_ms / 1000.0

    def apply_latency(self, action: Optional[str] = None) -> float:
        """Sleep the configured latency (outside the lock) and return the seconds slept."""
        seconds = self.latency(action)
        if seconds > 0:
            time.sleep(seconds)
        return seconds


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{key} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number, got {value!r}") from None
