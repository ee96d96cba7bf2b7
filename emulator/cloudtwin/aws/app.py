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


def reset_moto() -> None:
    """Forget every AWS resource (what moto's ``/moto-api/reset`` does), before re-seeding."""
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()
