# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud plumbing for the collection's modules, on the official SDKs.

Products: ``vpc`` (alibabacloud-vpc20160428) and ``cbn`` (alibabacloud-cbn20170912).
Modules speak the API's own PascalCase: ``mod.call("vpc", "DescribeVpcs", {...})``
returns the response body as a dict. This keeps modules readable next to the API
reference and keeps every SDK detail here.

tea-openapi 0.4 retries nothing by itself, so retries with jittered backoff live here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.multicloud.transit.plugins.module_utils.common import (
    CloudModuleBase,
    client_token,
    retry_call,
)

SDK_IMPORT_ERROR = None
try:
    from alibabacloud_tea_openapi.utils_models import Config
    from darabonba.runtime import RuntimeOptions
    from Tea.exceptions import TeaException, UnretryableException
except ImportError:
    SDK_IMPORT_ERROR = traceback.format_exc()

    class TeaException(Exception):  # pylint: disable=missing-class-docstring
        pass

    class UnretryableException(Exception):  # pylint: disable=missing-class-docstring
        pass


PRODUCTS = {
    # product: (SDK package, pip name)
    "vpc": ("alibabacloud_vpc20160428", "alibabacloud-vpc20160428"),
    "cbn": ("alibabacloud_cbn20170912", "alibabacloud-cbn20170912"),
}

# Codes that mean "busy or still changing, try again" (API-NOTES.md, Terraform provider).
RETRYABLE_CODES = frozenset([
    "ServiceUnavailable",
    "OperationConflict",
    "Operation.Blocking",
    "VpnGateway.Configuring",
    "VpnConnection.Configuring",
    "VpnTask.CONFLICT",
    "InvalidOperation.CenInstanceStatus",
    "OperationFailed.InvalidVpcStatus",
    "TaskConflict",
    "LastTokenProcessing",
    "UnknownError",
    "InternalError",
])
RETRYABLE_PREFIXES = ("Throttling", "IncorrectStatus", "OperationConflict")


def alicloud_argument_spec():
    """Connection options shared by every Alibaba module (``module_defaults`` group ``alicloud``)."""
    return dict(
        alicloud_access_key=dict(type="str", aliases=["access_key"], no_log=False,
                                 fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"])),
        alicloud_secret_key=dict(type="str", aliases=["secret_key"], no_log=True,
                                 fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"])),
        alicloud_security_token=dict(type="str", aliases=["security_token"], no_log=True,
                                     fallback=(env_fallback, ["ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"])),
        alicloud_region=dict(type="str", aliases=["region"],
                             fallback=(env_fallback, ["ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"])),
        alicloud_endpoint=dict(type="str", aliases=["endpoint"], fallback=(env_fallback, ["ALICLOUD_ENDPOINT"])),
    )


def error_code(exc):
    return getattr(exc, "code", None) or ""


def is_retryable(exc):
    if isinstance(exc, TeaException) and not isinstance(exc, UnretryableException):
        code = error_code(exc)
        status = status_code(exc)
        return (code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES)
                or code.endswith(".Configuring") or (status is not None and status >= 500))
    return False


def status_code(exc):
    status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    data = getattr(exc, "data", None)
    if status is None and isinstance(data, dict):
        status = data.get("statusCode")
    return status


def request_id(exc):
    rid = getattr(exc, "request_id", None)
    data = getattr(exc, "data", None)
    if not rid and isinstance(data, dict):
        rid = data.get("RequestId")
    return rid


def split_endpoint(endpoint):
    """``http://127.0.0.1:8080`` -> ("127.0.0.1:8080", "http"); bare hosts use https."""
    if "://" in endpoint:
        scheme, dummy, rest = endpoint.partition("://")
        return rest.rstrip("/"), scheme
    return endpoint.rstrip("/"), "https"


class AlicloudModule(CloudModuleBase):
    """An AnsibleModule with Alibaba clients and the collection's error and retry rules."""

    def __init__(self, argument_spec, **kwargs):
        spec = alicloud_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if SDK_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib("alibabacloud-tea-openapi"), exception=SDK_IMPORT_ERROR)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.region = self.params.get("alicloud_region")
        self._clients = {}

    @classmethod
    def for_account(cls, module, params):
        """One more account's (or region's) helper inside an existing AnsibleModule.

        ``params`` holds this class's connection options (alicloud_access_key, alicloud_region,
        ...); clients, retries and errors are exactly those of a normal AlicloudModule.
        """
        self = cls.__new__(cls)
        if SDK_IMPORT_ERROR:
            module.fail_json(msg=missing_required_lib("alibabacloud-tea-openapi"), exception=SDK_IMPORT_ERROR)
        self.module = module
        self.params = params
        self.check_mode = module.check_mode
        self.region = params.get("alicloud_region")
        self._clients = {}
        return self

    # --- clients ---------------------------------------------------------------------
    def _client(self, product):
        if product in self._clients:
            return self._clients[product]
        package, pip_name = PRODUCTS[product]
        try:
            client_module = importlib.import_module(package + ".client")
            models = importlib.import_module(package + ".models")
        except ImportError:
            self.module.fail_json(msg=missing_required_lib(pip_name), exception=traceback.format_exc())
        p = self.params
        if not p.get("alicloud_access_key") or not p.get("alicloud_secret_key"):
            self.module.fail_json(msg="Alibaba Cloud credentials are missing: set alicloud_access_key and "
                                      "alicloud_secret_key, or ALIBABA_CLOUD_ACCESS_KEY_ID and "
                                      "ALIBABA_CLOUD_ACCESS_KEY_SECRET.")
        if not self.region:
            self.module.fail_json(msg="alicloud_region is required: set it or ALIBABA_CLOUD_REGION_ID.")
        config = Config(access_key_id=p["alicloud_access_key"], access_key_secret=p["alicloud_secret_key"],
                        security_token=p.get("alicloud_security_token"), region_id=self.region,
                        connect_timeout=10000, read_timeout=30000, user_agent="multicloud.transit")
        if p.get("alicloud_endpoint"):
            config.endpoint, config.protocol = split_endpoint(p["alicloud_endpoint"])
        client = client_module.Client(config)
        methods = dict((name[: -len("_with_options")].replace("_", "").lower(), name)
                       for name in dir(client) if name.endswith("_with_options"))
        self._clients[product] = (client, models, methods)
        return self._clients[product]

    def call(self, product, action, params=None, retry=True, ignore_codes=()):
        """Run ``action`` on ``product`` with PascalCase ``params``; return the body dict.

        Retries the busy/throttled codes with jittered backoff. An error whose code is in
        ``ignore_codes`` returns ``None`` (e.g. "already gone" on delete). Any other
        error fails the module with the code, message and request id.
        """
        client, models, methods = self._client(product)
        method_name = methods.get(action.lower())
        request_cls = getattr(models, action + "Request", None)
        if method_name is None or request_cls is None:
            self.module.fail_json(msg="Internal error: the %s SDK has no action %s." % (product, action))
        body = dict(params or {})
        body.setdefault("RegionId", self.region)
        request = request_cls().from_map(dict((k, v) for k, v in body.items() if v is not None))
        method = getattr(client, method_name)

        def once():
            return method(request, RuntimeOptions()).body.to_map()

        try:
            if retry:
                return retry_call(once, is_retryable, retries=8, delay=0.5, max_delay=10.0)
            return once()
        except (TeaException, UnretryableException) as exc:
            if error_code(exc) in ignore_codes:
                return None
            self.fail_api(exc, action)

    def create(self, product, action, params):
        """A create call with one ClientToken reused by every retry: never a duplicate."""
        body = dict(params)
        body.setdefault("ClientToken", client_token())
        return self.call(product, action, body)

    def paginate(self, product, action, params, path, page_size=50):
        """All items of a PageNumber/PageSize describe call; ``path`` leads to the list."""
        items = []
        page = 1
        while True:
            body = dict(params, PageNumber=page, PageSize=page_size)
            resp = self.call(product, action, body) or {}
            chunk = dig(resp, path) or []
            items.extend(chunk)
            total = resp.get("TotalCount")
            if not chunk or len(chunk) < page_size or (total is not None and len(items) >= int(total)):
                return items
            page += 1

    # --- waiting and errors -------------------------------------------------------------

    def fail_api(self, exc, action):
        code = error_code(exc)
        data = getattr(exc, "data", None)
        # The SDK rewrites .message; the cloud's own words are in data["Message"].
        message = (data.get("Message") if isinstance(data, dict) else None) or getattr(exc, "message", None) or str(exc)
        self.module.fail_json(
            msg="%s failed: %s (%s, request id %s). %s" % (action, message, code or "no code",
                                                           request_id(exc), advice(code)),
            error_code=code or None, error_message=message, request_id=request_id(exc),
            status_code=status_code(exc), exception=traceback.format_exc())


def advice(code):
    """One sentence that tells a user what to do about a common Alibaba error code."""
    code = code or ""
    if code in ("InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch", "InvalidAccessKeyId.Inactive"):
        return "Check the AccessKey ID and secret of this Alibaba Cloud account."
    if code.startswith("Forbidden") or code == "NoPermission":
        return "Grant the RAM permission for this action to these credentials."
    if code.startswith("Throttling") or code in RETRYABLE_CODES or code.startswith("IncorrectStatus"):
        return "The cloud stayed busy through every retry; re-run later."
    if "NotFound" in code or "NotExist" in code:
        return "Check that the id exists in this account and region."
    if code.startswith("Missing") or code.startswith("InvalidParameter") or code.startswith("Invalid"):
        return "Fix the parameter named in the message."
    if code.startswith("QuotaExceeded") or code.endswith("QuotaExceeded"):
        return "Raise the quota in the Quota Center or remove unused resources."
    return "See the Alibaba Cloud API reference for this error code."


def dig(value, path):
    """``dig(resp, "Vpcs.Vpc")`` -> resp["Vpcs"]["Vpc"] or None."""
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def tags_param(tags):
    """{"k": "v"} -> the API's Tag list."""
    return [{"Key": k, "Value": str(v)} for k, v in sorted((tags or {}).items())]
