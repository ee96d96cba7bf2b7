"""The AWS side of the twin: moto's own server app, in-process, behind a thin middleware.

The middleware records every call (for "a second run makes zero mutating calls" tests)
and injects faults in AWS's own error format. Behaviour moto lacks is added by
``cloudtwin.aws.extensions`` (patches to moto's models, each with a test that fails if
moto changes under it); this module knows nothing of VPNs.
"""

from __future__ import annotations

import io
import uuid
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs

from ..faults import ERROR, THROTTLE, Faults

_READ_PREFIXES = ("Describe", "Get", "List", "Search", "Export")

# EC2 is a query protocol: errors are XML with this shape.
_ERROR_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
    "<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
)


def _action_of(environ: Dict[str, Any]) -> tuple:
    """The API action of a query-protocol request, and the body to hand on unchanged."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if body and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        params.update(parse_qs(body.decode("utf-8", "replace")))
    action = (params.get("Action") or [None])[0]
    if action is None:  # JSON protocols put it in a header
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        action = target.rpartition(".")[2] or None
    return action, body


class AwsTwinApp:
    """WSGI middleware around moto's ``DomainDispatcherApplication``."""

    def __init__(self, moto_app: Callable, faults: Faults):
        self.moto_app = moto_app
        self.faults = faults
        self.calls: List[Dict[str, Any]] = []

    def __call__(self, environ: Dict[str, Any], start_response: Callable) -> Any:
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.moto_app(environ, start_response)
        action, _ = _action_of(environ)
        self.faults.apply_latency(action)
        fault = self.faults.decide(action)
        if fault == THROTTLE:
            return self._error(start_response, 503, "RequestLimitExceeded", "Request limit exceeded.")
        if fault == ERROR:
            return self._error(start_response, 503, "Unavailable", "The service is unavailable. Please try again shortly.")
        self.calls.append({"cloud": "aws", "action": action,
                           "mutating": bool(action) and not action.startswith(_READ_PREFIXES)})
        return self.moto_app(environ, start_response)

    @staticmethod
    def _error(start_response: Callable, status: int, code: str, message: str) -> List[bytes]:
        body = _ERROR_XML.format(code=code, message=message, request_id=uuid.uuid4()).encode()
        reason = {500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Error")
        start_response(f"{status} {reason}", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]


def make_aws_app(faults: Faults, moto_app: Optional[Callable] = None) -> AwsTwinApp:
    if moto_app is None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from . import extensions

        extensions.apply_all()
        moto_app = DomainDispatcherApplication(create_backend_app)
    return AwsTwinApp(moto_app, faults)


# --- request signatures ---------------------------------------------------------------------------
# moto checks no signature unless asked: settings.INITIAL_NO_AUTH_ACTION_COUNT (default: infinity)
# is how many requests pass before moto.core.authorization.ActionAuthenticatorMixin starts to
# check SigV4 against the access keys of its IAM backend (moto.iam.access_control.IAMRequest).
# The twin sets it to 0 and puts the world's one access key into IAM after every reset, so a
# wrong secret fails as AWS fails: AuthFailure for EC2 (query protocol), SignatureDoesNotMatch
# for JSON/REST services, InvalidClientTokenId for an unknown key.
TWIN_IAM_USER = "cloudtwin"
_ALLOW_ALL = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


def require_signatures() -> None:
    """Make moto verify every request's signature from the first one on (process-wide)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0


def install_credentials(account_id: str, access_key_id: str, secret_access_key: str) -> None:
    """The world's AWS key as an IAM user key with an allow-all policy (moto resets IAM too)."""
    from moto.iam.models import iam_backends

    iam = iam_backends[account_id]["aws"]
    if not any(u.name == TWIN_IAM_USER for u in iam.list_users("/", None, None)):
        iam.create_user(region_name="us-east-1", user_name=TWIN_IAM_USER)
        iam.put_user_policy(TWIN_IAM_USER, "cloudtwin-allow-all", _ALLOW_ALL)
    user = iam.get_user(TWIN_IAM_USER)
    if not any(k.access_key_id == access_key_id for k in user.access_keys):
        key = iam.create_access_key(TWIN_IAM_USER)
        # A chosen key pair: moto generates random ones; its AccessKey documents setting fields.
        key.access_key_id, key.secret_access_key = access_key_id, secret_access_key


def reset_moto() -> None:
    """Forget every AWS resource (what moto's ``/moto-api/reset`` does), before re-seeding."""
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()
