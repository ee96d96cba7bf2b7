"""What the Alibaba Cloud API gateway checks before a product sees a call, and how it speaks XML.

- ``ReplayGuard``: a request's time must be within 15 minutes of the server's and its
  signature nonce must not have been seen before (per AccessKey). Nonces are remembered only
  as long as their request could still pass the time check, and never more than ``cap`` of
  them, so memory stays bounded however long the twin runs.
- ``to_xml``: the ``Format=XML`` answer of the RPC (v2) scheme.

Codes, messages and statuses are the gateway's "Client-side errors" table
(help.aliyun.com/document_detail/434846; "管控OpenAPI的客户端公用错误码"):

=========================  ==========================================================  ====
InvalidTimeStamp.Format    Specified time stamp or date value is not well formatted.   400
InvalidTimeStamp.Expired   Specified time stamp or date value is expired.              400
SignatureNonceUsed         Specified signature nonce was used already.                 400
Missing{ParameterName}     {ParameterName} is mandatory for this action.               400
=========================  ==========================================================  ====
"""

from __future__ import annotations

import calendar
import heapq
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

from ..models.base import ApiError, missing_parameter

# "The interval between the request time ... and the time the server receives the request is
# more than 15 minutes" -> InvalidTimeStamp.Expired (gateway error table above).
WINDOW_SECONDS = 15 * 60
DEFAULT_NONCE_CAP = 100_000
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # ISO 8601 in UTC, as both SDKs send it


def parse_timestamp(value: str) -> float:
    try:
        return float(calendar.timegm(time.strptime(value, TIMESTAMP_FORMAT)))
    except (TypeError, ValueError):
        raise ApiError("InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.", 400)


class ReplayGuard:
    """Timestamp window and one-time nonces, thread-safe, bounded."""

    def __init__(self, window: float = WINDOW_SECONDS, cap: int = DEFAULT_NONCE_CAP,
                 clock: Callable[[], float] = time.time):
        self.window = window
        self.cap = cap
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: Dict[Tuple[str, str], float] = {}  # (access key, nonce) -> forget after
        self._expiry: List[Tuple[float, Tuple[str, str]]] = []  # heap of (forget after, key)

    def __len__(self) -> int:
        return len(self._seen)

    def check(self, access_key_id: str, timestamp: Optional[str], nonce: Optional[str]) -> None:
        """Raise the gateway's error for a stale time or a nonce seen before; else remember it."""
        if not timestamp:
            raise missing_parameter("Timestamp")
        sent = parse_timestamp(timestamp)
        now = self.clock()
        if abs(now - sent) > self.window:
            raise ApiError("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400)
        if not nonce:
            raise missing_parameter("SignatureNonce")
        key = (access_key_id, nonce)
        with self._lock:
            self._forget_expired(now)
            if key in self._seen:
                raise ApiError("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
            # Once the request's own time is out of the window a replay fails the time check,
            # so the nonce need not be kept any longer.
            forget_after = sent + self.window
            self._seen[key] = forget_after
            heapq.heappush(self._expiry, (forget_after, key))
            while len(self._seen) > self.cap:  # hard cap: drop the nonces closest to expiry
                self._pop()

    def _forget_expired(self, now: float) -> None:
        while self._expiry and self._expiry[0][0] < now:
            self._pop()

    def _pop(self) -> None:
        forget_after, key = heapq.heappop(self._expiry)
        if self._seen.get(key) == forget_after:
            del self._seen[key]


# --- XML (Format=XML) -------------------------------------------------------------------------
def to_xml(root: str, body: Dict[str, Any]) -> bytes:
    """``{"Vpcs": {"Vpc": [a, b]}}`` -> ``<Vpcs><Vpc>a</Vpc><Vpc>b</Vpc></Vpcs>`` under ``root``.

    A list repeats its key's element, as the RPC XML answers do; booleans are ``true`` /
    ``false``; None is left out.
    """
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{root}>"]
    _xml_items(body, parts)
    parts.append(f"</{root}>")
    return "".join(parts).encode("utf-8")


def _xml_items(mapping: Dict[str, Any], parts: List[str]) -> None:
    for key, value in mapping.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            parts.append(f"<{key}>")
            if isinstance(item, dict):
                _xml_items(item, parts)
            elif isinstance(item, bool):
                parts.append("true" if item else "false")
            else:
                parts.append(escape(str(item)))
            parts.append(f"</{key}>")
