"""Alibaba Cloud request signatures, computed the way the official SDKs compute them.

The twin verifies signatures (instead of trusting any AccessKeyId) so that a wrong
secret, a mangled parameter or a proxy that rewrites requests fails against the twin
exactly as it would against the cloud. The formulas mirror
``alibabacloud_tea_openapi.utils`` (``get_authorization``, ``get_rpcsignature``) and
aliyun-python-sdk-core's RPC signer; they are kept free of HTTP objects so they can be
unit tested and reused by a test client.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional
from urllib.parse import quote, quote_plus

ACS3_HMAC_SHA256 = "ACS3-HMAC-SHA256"
ACS3_HMAC_SM3 = "ACS3-HMAC-SM3"

# Parameters of the RPC (v2) scheme that carry signing data rather than API input.
V2_SIGNATURE_PARAM = "Signature"


class SignatureFormatError(ValueError):
    """The Authorization header (or v2 signing fields) cannot be parsed."""


def _sm3_support():
    """SM3 is only available where the SDK's pure-python sm3 module is installed."""
    try:
        from alibabacloud_tea_openapi.sm3 import Sm3, hash_sm3  # type: ignore
    except Exception:  # pragma: no cover - depends on the environment
        return None
    return Sm3, hash_sm3


def supported_acs3_algorithms() -> List[str]:
    algorithms = [ACS3_HMAC_SHA256]
    if _sm3_support():
        algorithms.append(ACS3_HMAC_SM3)
    return algorithms


# --- ACS3 (the default signer of the V3 SDKs) ----------------------------------------------
@dataclass
class Acs3Authorization:
    algorithm: str
    access_key_id: str
    signed_headers: List[str]
    signature: str


_AUTH_RE = re.compile(r"^\s*(ACS3-[A-Z0-9-]+)\s+(.*)$")


def parse_acs3_authorization(value: str) -> Acs3Authorization:
    """Split ``ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex``."""
    match = _AUTH_RE.match(value or "")
    if not match:
        raise SignatureFormatError("Authorization header is not of the form 'ACS3-<algorithm> Credential=...'")
    fields: Dict[str, str] = {}
    for part in match.group(2).split(","):
        key, sep, val = part.strip().partition("=")
        if not sep:
            raise SignatureFormatError(f"malformed Authorization field {part.strip()!r}")
        fields[key.strip()] = val.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing:
        raise SignatureFormatError(f"Authorization header lacks {', '.join(missing)}")
    signed = [h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip()]
    return Acs3Authorization(match.group(1), fields["Credential"], signed, fields["Signature"])


def acs3_canonical_query(query: Mapping[str, Optional[str]]) -> str:
    """Keys sorted as they are (not encoded), values ``quote(v, safe='~')``; None dropped."""
    keys = sorted(k for k, v in query.items() if v is not None)
    return "&".join(f"{k}={quote(str(query[k]), safe='~', encoding='utf-8')}" for k in keys)


def acs3_canonical_headers(header_values: Mapping[str, Iterable[str]], signed_headers: Iterable[str]) -> str:
    """``name:v1,v2\\n`` per signed header (lowercase, values stripped and sorted)."""
    lines = []
    for name in sorted({h.lower() for h in signed_headers}):
        values = sorted(str(v).strip() for v in header_values.get(name, ()))
        lines.append(f"{name}:{','.join(values)}\n")
    return "".join(lines)


def acs3_canonical_request(method: str, path: str, query: Mapping[str, Optional[str]],
                           header_values: Mapping[str, Iterable[str]], signed_headers: Iterable[str],
                           payload_hash: str) -> str:
    signed = sorted({h.lower() for h in signed_headers})
    return "\n".join([
        method.upper(),
        path or "/",
        acs3_canonical_query(query),
        acs3_canonical_headers(header_values, signed),
        ";".join(signed),
        payload_hash,
    ])


def _hash_function(algorithm: str) -> Callable[[bytes], bytes]:
    if algorithm == ACS3_HMAC_SHA256:
        return lambda data: hashlib.sha256(data).digest()
    sm3 = _sm3_support() if algorithm == ACS3_HMAC_SM3 else None
    if sm3:
        return sm3[1]
    raise SignatureFormatError(f"unsupported signature algorithm {algorithm}")


def payload_hash(body: bytes, algorithm: str = ACS3_HMAC_SHA256) -> str:
    """Hex digest of the raw body, as the SDK puts it in ``x-acs-content-sha256``."""
    return _hash_function(algorithm)(body).hex()


def acs3_string_to_sign(algorithm: str, canonical_request: str) -> str:
    return f"{algorithm}\n{_hash_function(algorithm)(canonical_request.encode('utf-8')).hex()}"


def acs3_signature(secret: str, string_to_sign: str, algorithm: str = ACS3_HMAC_SHA256) -> str:
    if algorithm == ACS3_HMAC_SHA256:
        digestmod = hashlib.sha256
    elif algorithm == ACS3_HMAC_SM3 and _sm3_support():
        digestmod = _sm3_support()[0]
    else:
        raise SignatureFormatError(f"unsupported signature algorithm {algorithm}")
    return hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod).hexdigest()


# --- RPC v2 (HMAC-SHA1 in the query; Config(signature_algorithm='v2'), aliyunsdkcore) -------
def v2_string_to_sign(method: str, params: Mapping[str, Optional[str]]) -> str:
    """``METHOD&%2F&`` + percent-encoded sorted ``k=v`` pairs (``Signature`` excluded)."""
    keys = sorted(k for k, v in params.items() if v is not None and k != V2_SIGNATURE_PARAM)
    canonical = "&".join(
        f"{quote(k, safe='~', encoding='utf-8')}={quote(str(params[k]), safe='~', encoding='utf-8')}"
        for k in keys
    )
    return f"{method.upper()}&%2F&{quote_plus(canonical, safe='~', encoding='utf-8')}"


def v2_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("utf-8")


def same(expected: str, given: str) -> bool:
    """Constant-time comparison (a habit worth keeping even in a twin)."""
    return hmac.compare_digest(expected.encode("utf-8"), (given or "").encode("utf-8"))
