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
  ``consistency_delay`` seconds; ``delays[kind]`` seconds per async step).
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
from typing import Any, Dict, List, Mapping, Optional

THROTTLE = "throttle"
ERROR = "error"

_FLOAT_KEYS = ("throttle_rate", "error_rate", "latency_rate", "latency_ms", "consistency_delay")
_RATE_KEYS = ("throttle_rate", "error_rate", "latency_rate")


class Faults:
    """Thread-safe fault settings plus the decision for one request."""

    def __init__(self, throttle_rate: float = 0.0, error_rate: float = 0.0,
                 latency_ms: float = 0.0, latency_rate: float = 1.0,
                 consistency_delay: float = 0.0, delays: Optional[Mapping[str, float]] = None,
                 only_actions: Optional[List[str]] = None, count: Optional[int] = None,
                 seed: Optional[int] = 0, retry_after_ms: int = 200):
        self._lock = threading.RLock()
        self.throttle_rate = 0.0
        self.error_rate = 0.0
        self.latency_ms = 0.0
        self.latency_rate = 1.0
        self.consistency_delay = 0.0
        self.delays: Dict[str, float] = {}
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
        })

    # --- configuration ----------------------------------------------------------------
    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Faults":
        """Settings from ``CLOUDTWIN_*`` variables, so ``make demo`` can be made flaky.

        ``CLOUDTWIN_THROTTLE_RATE``, ``CLOUDTWIN_ERROR_RATE``, ``CLOUDTWIN_LATENCY_MS``,
        ``CLOUDTWIN_CONSISTENCY_DELAY``; also ``CLOUDTWIN_FAULT_COUNT``,
        ``CLOUDTWIN_FAULT_ACTIONS`` (comma separated) and ``CLOUDTWIN_FAULT_SEED``.
        """
        env = os.environ if environ is None else environ
        names = {
            "throttle_rate": "CLOUDTWIN_THROTTLE_RATE",
            "error_rate": "CLOUDTWIN_ERROR_RATE",
            "latency_ms": "CLOUDTWIN_LATENCY_MS",
            "consistency_delay": "CLOUDTWIN_CONSISTENCY_DELAY",
            "count": "CLOUDTWIN_FAULT_COUNT",
            "seed": "CLOUDTWIN_FAULT_SEED",
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
        """
        unknown = set(config) - {*_FLOAT_KEYS, "delays", "only_actions", "count", "seed", "retry_after_ms"}
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
            new["delays"] = {str(k): _number(f"delays.{k}", v) for k, v in delays.items()}
            if any(v < 0 for v in new["delays"].values()):
                raise ValueError("delays must not be negative")
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
            self.generation += 1

    def to_dict(self) -> Dict[str, Any]:
        """JSON-able settings; ``count`` is the budget left. Round-trips through ``update``."""
        with self._lock:
            return {
                "throttle_rate": self.throttle_rate,
                "error_rate": self.error_rate,
                "latency_ms": self.latency_ms,
                "latency_rate": self.latency_rate,
                "consistency_delay": self.consistency_delay,
                "delays": dict(self.delays),
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
