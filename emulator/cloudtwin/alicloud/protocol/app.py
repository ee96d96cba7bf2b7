"""The Alibaba Cloud RPC endpoint of the twin, as a werkzeug WSGI application.

It speaks the wire protocol of the official SDKs so that the collection's unmodified
module_utils (and the older aliyun-python-sdk-core used by footmark) can be pointed at
the twin with nothing but an endpoint override:

- ACS3 (default signer of alibabacloud-tea-openapi): action in ``x-acs-action``, version
  in ``x-acs-version``, ``Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,
  Signature=..`` and the body hash in ``x-acs-content-sha256``.
- RPC v2 (``Config(signature_algorithm='v2')``, aliyun-python-sdk-core): ``Action``,
  ``Version``, ``AccessKeyId``, ``Signature`` (HMAC-SHA1) ... in the query string.

Parameters are the query string merged with an ``application/x-www-form-urlencoded`` body.
Errors are JSON ``{RequestId, HostId, Code, Message, Recommend}`` with the cloud's HTTP
status, so the SDK raises the same ClientException / ServerException / ThrottlingException
(``.code``, ``.statusCode``, ``.data``) it raises against the cloud. ``Format=XML`` (a v2
client may ask for it) gets the same answers in XML.

The gateway's own checks come after the signature (an unsigned request cannot spend a
nonce): the request time within 15 minutes (``x-acs-date`` / ``Timestamp``), a signature
nonce never seen before (``x-acs-signature-nonce`` / ``SignatureNonce``, see
``gateway.ReplayGuard``), a known ``Version``; the backend then checks ``RegionId``.

This layer knows nothing of VPCs or VPNs: it authenticates, injects faults, and hands
``(account, version, action, params)`` to ``Backend.dispatch``.

Control endpoints (plain JSON, no signature, loopback clients only) under ``/_twin``:

=======================  ============================================================
``GET /_twin/state``     ``backend.state.dump()`` plus ``"faults"``
``POST /_twin/reset``    ``control.reset()`` (re-seeds the world of both clouds)
``GET /_twin/faults``    current fault settings (``Faults.to_dict()``)
``POST /_twin/faults``   change them: JSON object of ``Faults.update`` keys
``GET /_twin/calls``     ``control.calls()`` (the calls recorded by both clouds)
``DELETE /_twin/calls``  ``control.clear_calls()``
=======================  ============================================================
"""

from __future__ import annotations

import ipaddress
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

try:  # Python 3.8+
    from typing import Protocol, runtime_checkable
except ImportError:  # pragma: no cover
    from typing_extensions import Protocol, runtime_checkable  # type: ignore

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from ...faults import ERROR, THROTTLE, Faults
from ..models.base import PRODUCT_BY_VERSION, Account, ApiError, Backend, State, missing_parameter
from . import signing
from .gateway import ReplayGuard, to_xml

log = logging.getLogger("cloudtwin.alicloud")

JSON_CONTENT_TYPE = "application/json;charset=utf-8"
XML_CONTENT_TYPE = "text/xml;charset=utf-8"
FORM_MIMETYPE = "application/x-www-form-urlencoded"

# Common parameters of the RPC scheme: signing data, not API input, so not dispatched.
COMMON_PARAMS = frozenset({
    "Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod",
    "SignatureVersion", "SignatureType", "AccessKeyId", "Signature", "SecurityToken",
    "BearerToken",
})

THROTTLE_CODE = "Throttling.User"
THROTTLE_MESSAGE = "Request was denied due to user flow control."
UNAVAILABLE_CODE = "ServiceUnavailable"
UNAVAILABLE_MESSAGE = "The request has failed due to a temporary failure of the server."
INTERNAL_CODE = "InternalError"
INTERNAL_MESSAGE = "The request processing has failed due to some unknown error, exception or failure."


@runtime_checkable
class Control(Protocol):
    """What the server composition gives the control endpoints.

    The twin serves two clouds from one process; resetting or listing calls must cover
    both, which only the composition can do, so it passes this small object in.

    - ``reset()``: throw away all state of both clouds and re-seed the world file.
    - ``calls()``: the call records of both clouds, oldest first (JSON-able dicts).
    - ``clear_calls()``: forget them (tests do this before asserting "no mutating call").
    """

    def reset(self) -> None: ...

    def calls(self) -> List[Dict[str, Any]]: ...

    def clear_calls(self) -> None: ...


class BackendControl:
    """``Control`` for an Alibaba-only twin (tests, tools): reset keeps just the accounts."""

    def __init__(self, backend: Backend):
        self.backend = backend

    def reset(self) -> None:
        old = self.backend.state
        with old.lock:
            fresh = State()
            fresh.legacy_rules = set(old.legacy_rules)
            for account in old.accounts.values():
                fresh.add_account(account)
            self.backend.state = fresh
            if hasattr(self.backend, "_faults_generation"):
                self.backend._faults_generation = -1  # copy the fault timings into the new state
            self.backend.calls.clear()

    def calls(self) -> List[Dict[str, Any]]:
        return list(self.backend.calls)

    def clear_calls(self) -> None:
        self.backend.calls.clear()


@dataclass
class RpcCall:
    """One authenticated API request, ready for ``Backend.dispatch``."""

    account: Account
    scheme: str  # "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3" or "v2"
    action: str
    version: str
    params: Dict[str, str]


class AlicloudApp:
    """WSGI callable: control endpoints under ``/_twin``, everything else is an RPC call."""

    def __init__(self, backend: Backend, faults: Optional[Faults] = None, control: Optional[Control] = None,
                 replay_guard: Optional[ReplayGuard] = None):
        self.backend = backend
        self.replay_guard = replay_guard or ReplayGuard()
        self.faults = faults if faults is not None else Faults()
        self.control = control if control is not None else BackendControl(backend)
        # Async delays and consistency come from the fault settings; the Backend copies
        # them into its state. A backend built without faults takes this app's.
        if getattr(backend, "faults", False) is None:
            backend.faults = self.faults

    # --- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            if request.path == "/_twin" or request.path.startswith("/_twin/"):
                response = self.control_endpoint(request)
            else:
                response = self.rpc(request)
        except HTTPException as exc:  # e.g. a body too large for werkzeug's form parser
            response = self.error(request, exc.name.replace(" ", ""), exc.description or exc.name, exc.code or 400)
        return response(environ, start_response)

    # --- RPC ------------------------------------------------------------------------------
    def rpc(self, request: Request) -> Response:
        """Authenticate, maybe inject a fault, dispatch; every outcome is cloud-shaped JSON."""
        if request.method not in ("GET", "POST"):
            return self.error(request, "UnsupportedHTTPMethod",
                              f"The HTTP method {request.method} is not supported; use GET or POST.", 405)
        try:
            headers_action = request.headers.get("x-acs-action")
            self.faults.apply_latency(headers_action or request.args.get("Action"))
            call = self.authenticate(request)
            fault = self.faults.decide(call.action)
            if fault == THROTTLE:
                extra = {}
                if self.faults.retry_after_ms > 0:
                    extra["x-acs-retry-after"] = str(self.faults.retry_after_ms)
                return self.error(request, THROTTLE_CODE, THROTTLE_MESSAGE, 400, call.version, extra)
            if fault == ERROR:
                return self.error(request, UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, 503, call.version)
            body = self.backend.dispatch(call.account, call.version, call.action, call.params)
        except ApiError as exc:
            return self.error(request, exc.code, exc.message, exc.status)
        except Exception:  # a bug in a model must still look like a cloud error to the SDK
            log.exception("alicloud twin: unhandled error for %s", request.url)
            return self.error(request, INTERNAL_CODE, INTERNAL_MESSAGE, 500)
        headers = {"x-acs-request-id": str(body.get("RequestId", ""))}
        if _wants_xml(request):
            return self.xml(f"{call.action}Response", body, 200, headers)
        return self.json(body, 200, headers)

    def parameters(self, request: Request) -> Dict[str, str]:
        """Query string merged with a form body (the body wins, as in the SDK's signer)."""
        params = request.args.to_dict(flat=True)
        if request.mimetype == FORM_MIMETYPE:
            request.get_data(cache=True)  # keep the raw bytes for the payload hash
            params.update(request.form.to_dict(flat=True))
        return params

    def authenticate(self, request: Request) -> RpcCall:
        """Return the verified call or raise the ``ApiError`` the cloud would answer."""
        body = request.get_data(cache=True)
        params = self.parameters(request)
        authorization = request.headers.get("Authorization", "")
        if authorization.strip().upper().startswith("ACS3-"):
            return self._authenticate_acs3(request, authorization, params, body)
        if "Signature" in params or "AccessKeyId" in params:
            return self._authenticate_v2(request, params)
        raise ApiError("MissingAccessKeyId", "AccessKeyId is mandatory for this action.", 400)

    def _action_and_version(self, request: Request, params: Dict[str, str], prefer_headers: bool):
        header_action, header_version = request.headers.get("x-acs-action"), request.headers.get("x-acs-version")
        if prefer_headers:
            action, version = header_action or params.get("Action"), header_version or params.get("Version")
        else:  # v2 signs the query, not the headers: trust the signed values
            action, version = params.get("Action") or header_action, params.get("Version") or header_version
        if not action:
            raise missing_parameter("Action")
        if not version:
            raise missing_parameter("Version")
        return action, version

    def _account(self, access_key_id: str) -> Account:
        account = self.backend.authenticate(access_key_id)
        if account is None:
            raise ApiError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        return account

    def _authenticate_acs3(self, request: Request, authorization: str, params: Dict[str, str],
                           body: bytes) -> RpcCall:
        try:
            auth = signing.parse_acs3_authorization(authorization)
        except signing.SignatureFormatError as exc:
            raise _incomplete_signature(str(exc))
        if auth.algorithm not in signing.supported_acs3_algorithms():
            raise _incomplete_signature(f"Unsupported signature algorithm {auth.algorithm}.")
        account = self._account(auth.access_key_id)
        # Every x-acs-* header and the host must be signed, or they could be changed in transit.
        must_sign = {name.lower() for name in request.headers.keys() if name.lower().startswith("x-acs-")}
        must_sign.add("host")
        unsigned = sorted(must_sign - set(auth.signed_headers))
        if unsigned:
            raise _incomplete_signature(f"Headers {', '.join(unsigned)} must be signed.")
        action, version = self._action_and_version(request, params, prefer_headers=True)
        header_values = {name: request.headers.getlist(name) for name in auth.signed_headers}
        # The server hashes the body it received; a changed body or a false
        # x-acs-content-sha256 header therefore makes the signature mismatch.
        canonical = signing.acs3_canonical_request(
            request.method, request.path, request.args.to_dict(flat=True), header_values,
            auth.signed_headers, signing.payload_hash(body, auth.algorithm))
        string_to_sign = signing.acs3_string_to_sign(auth.algorithm, canonical)
        expected = signing.acs3_signature(account.access_key_secret, string_to_sign, auth.algorithm)
        if not signing.same(expected, auth.signature.lower()):
            log.debug("ACS3 signature mismatch; canonical request:\n%s", canonical)
            raise ApiError("SignatureDoesNotMatch",
                           "Specified signature does not match our calculation. "
                           f"server StringToSign is [{string_to_sign}]", 400)
        # x-acs-date / x-acs-signature-nonce carry the v2 Timestamp / SignatureNonce; a missing
        # one is named like its v2 twin (MissingTimestamp, MissingSignatureNonce)  # undocumented
        self.replay_guard.check(account.access_key_id, request.headers.get("x-acs-date"),
                                request.headers.get("x-acs-signature-nonce"))
        return RpcCall(account, auth.algorithm, action, version, _api_params(params))

    def _authenticate_v2(self, request: Request, params: Dict[str, str]) -> RpcCall:
        access_key_id = params.get("AccessKeyId")
        if not access_key_id:
            raise ApiError("MissingAccessKeyId", "AccessKeyId is mandatory for this action.", 400)
        if not params.get("Signature"):
            raise ApiError("MissingSignature", "Signature is mandatory for this action.", 400)
        method = params.get("SignatureMethod", "HMAC-SHA1")
        if method != "HMAC-SHA1":
            raise _incomplete_signature(f"Unsupported SignatureMethod {method}.")
        account = self._account(access_key_id)
        action, version = self._action_and_version(request, params, prefer_headers=False)
        string_to_sign = signing.v2_string_to_sign(request.method, params)
        expected = signing.v2_signature(account.access_key_secret, string_to_sign)
        if not signing.same(expected, params["Signature"]):
            # Exact wording matters: aliyun-python-sdk-core splits this message on ':' and
            # compares with its own string to sign to report InvalidAccessKeySecret.
            raise ApiError("SignatureDoesNotMatch",
                           "Specified signature is not matched with our calculation. "
                           f"server string to sign is:{string_to_sign}", 400)
        self.replay_guard.check(account.access_key_id, params.get("Timestamp"), params.get("SignatureNonce"))
        return RpcCall(account, "v2", action, version, _api_params(params))

    # --- responses ------------------------------------------------------------------------
    @staticmethod
    def json(body: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> Response:
        data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
        response = Response(data, status=status, headers=headers or {})
        response.headers["Content-Type"] = JSON_CONTENT_TYPE
        return response

    @staticmethod
    def xml(root: str, body: Dict[str, Any], status: int = 200, headers: Optional[Dict[str, str]] = None) -> Response:
        response = Response(to_xml(root, body), status=status, headers=headers or {})
        response.headers["Content-Type"] = XML_CONTENT_TYPE
        return response

    def error(self, request: Request, code: str, message: str, status: int,
              version: Optional[str] = None, headers: Optional[Dict[str, str]] = None) -> Response:
        """The error body of the Alibaba Cloud API gateway."""
        request_id = str(uuid.uuid4()).upper()
        version = version or request.headers.get("x-acs-version") or request.args.get("Version") or ""
        product = PRODUCT_BY_VERSION.get(version, "")
        body = {
            "RequestId": request_id,
            "HostId": request.host,
            "Code": code,
            "Message": message,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product={product}&requestId={request_id}",
        }
        headers = dict(headers or {}, **{"x-acs-request-id": request_id})
        if _wants_xml(request):
            return self.xml("Error", body, status, headers)
        return self.json(body, status, headers)

    # --- control endpoints ----------------------------------------------------------------
    def control_endpoint(self, request: Request) -> Response:
        """Plain JSON, no signature: only loopback clients may drive the twin."""
        if not _is_loopback(request.remote_addr):
            return self.json({"error": "control endpoints are for loopback clients only"}, 403)
        route = request.path.rstrip("/")
        method = request.method
        if route == "/_twin/state" and method == "GET":
            with self.backend.state.lock:
                dump = self.backend.state.dump()
            dump["faults"] = self.faults.to_dict()
            return self.json(dump)
        if route == "/_twin/reset" and method == "POST":
            self.control.reset()
            return self.json({"reset": True})
        if route == "/_twin/faults" and method == "GET":
            return self.json(self.faults.to_dict())
        if route == "/_twin/faults" and method in ("POST", "PUT"):
            config = request.get_json(force=True, silent=True) if request.get_data() else {}
            if not isinstance(config, dict):
                return self.json({"error": "expected a JSON object of fault settings"}, 400)
            try:
                self.faults.update(config)
            except ValueError as exc:
                return self.json({"error": str(exc)}, 400)
            return self.json(self.faults.to_dict())
        if route == "/_twin/calls" and method == "GET":
            return self.json(self.control.calls())
        if route == "/_twin/calls" and method == "DELETE":
            self.control.clear_calls()
            return self.json({"cleared": True})
        extra = getattr(self.control, "control_routes", None)  # endpoints the composition adds (/_twin/trace)
        handler = extra().get((route, method)) if callable(extra) else None
        if handler is not None:
            body, status = handler(request.args.to_dict(flat=True))
            return self.json(body, status)
        known = {"/_twin/state": "GET", "/_twin/reset": "POST", "/_twin/faults": "GET, POST",
                 "/_twin/calls": "GET, DELETE"}
        if route in known:
            return self.json({"error": f"{method} not allowed on {route}"}, 405, {"Allow": known[route]})
        return self.json({"error": f"no control endpoint {route}", "endpoints": sorted(known)}, 404)


def make_alicloud_app(backend: Backend, faults: Optional[Faults] = None,
                      control: Optional[Control] = None) -> AlicloudApp:
    """Build the Alibaba Cloud WSGI app.

    ``faults`` is usually shared with the AWS side so one control call aims both clouds;
    ``control`` is supplied by the server composition (defaults: fresh ``Faults()``, and a
    ``BackendControl`` that only knows this backend).
    """
    return AlicloudApp(backend, faults, control)


def _wants_xml(request: Request) -> bool:
    """``Format=XML`` in the query or the form body (the RPC scheme's common parameter)."""
    value = request.args.get("Format") or (request.form.get("Format") if request.mimetype == FORM_MIMETYPE else None)
    return str(value or "").lower() == "xml"


def _api_params(params: Dict[str, str]) -> Dict[str, str]:
    return {k: v for k, v in params.items() if k not in COMMON_PARAMS}


def _incomplete_signature(detail: str) -> ApiError:
    return ApiError("IncompleteSignature",
                    f"The request signature does not conform to Aliyun standards. {detail}", 400)


def _is_loopback(address: Optional[str]) -> bool:
    if not address:  # not a TCP peer (e.g. werkzeug's test client): nothing to check
        return True
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False
