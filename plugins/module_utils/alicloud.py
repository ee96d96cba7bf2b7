# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud plumbing for the collection's modules, on the official SDKs.

Products: ``vpc`` (alibabacloud-vpc20160428), ``cbn`` (alibabacloud-cbn20170912) and
``vpcpeer`` (alibabacloud-vpcpeer20220101). Modules speak the API's own PascalCase:
``mod.call("vpc", "DescribeVpcs", {...})`` returns the response body as a dict. This keeps
modules readable next to the API reference and keeps every SDK detail here.

Credentials, in order: an AccessKey pair (options, then ``ALIBABA_CLOUD_ACCESS_KEY_ID`` /
``_SECRET`` or the older ``ALICLOUD_*`` names) with an optional STS token; without a pair,
the official SDK's default chain (alibabacloud_credentials: env vars, the CLI's
``~/.aliyun/config.json`` and ``~/.alibabacloud/credentials.ini`` profiles, OIDC, the ECS RAM
role, a credentials URI). Either can then assume a RAM role (STS AssumeRole).

tea-openapi 0.4 retries nothing by itself, so retries with jittered backoff live here,
driven by one table (``RETRY_RULES``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.multicloud.transit.plugins.module_utils.common import (
    CloudModuleBase,
    client_token,
    fill_fallbacks,
    option_unset,
    retry_within,
    rule_budget,
)
from ansible_collections.multicloud.transit.plugins.module_utils.regions import region_problem

SDK_IMPORT_ERROR = None
try:
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.exceptions import CredentialException
    from alibabacloud_credentials.provider import (
        DefaultCredentialsProvider,
        RamRoleArnCredentialsProvider,
        StaticAKCredentialsProvider,
        StaticSTSCredentialsProvider,
    )
    from alibabacloud_credentials.http import HttpOptions
    from alibabacloud_tea_openapi.utils_models import Config
    from darabonba.runtime import RuntimeOptions
    from Tea.exceptions import TeaException, UnretryableException
except ImportError:
    SDK_IMPORT_ERROR = traceback.format_exc()

    class TeaException(Exception):  # pylint: disable=missing-class-docstring
        pass

    class UnretryableException(Exception):  # pylint: disable=missing-class-docstring
        pass

    class CredentialException(Exception):  # pylint: disable=missing-class-docstring
        pass


PRODUCTS = {
    # product: (SDK package, pip name)
    "vpc": ("alibabacloud_vpc20160428", "alibabacloud-vpc20160428"),
    "cbn": ("alibabacloud_cbn20170912", "alibabacloud-cbn20170912"),
    "vpcpeer": ("alibabacloud_vpcpeer20220101", "alibabacloud-vpcpeer20220101"),
}

# Products with an endpoint option of their own (alicloud_<product>_endpoint /
# ALICLOUD_<PRODUCT>_ENDPOINT); ``sts`` is only used to assume a RAM role.
ENDPOINT_PRODUCTS = sorted(PRODUCTS) + ["sts"]

# Backoff budgets, in seconds of waiting in total.
BUSY = 60
SETTLING = 120  # IncorrectOppositeInterfaceInfo.NotSet: the Terraform provider retries it for 2 minutes
NETWORK = 20

# The one table of what is worth another try, and for how long. Sources: API-NOTES.md
# ("Retryable codes seen in practice", "More busy codes to retry", from the Terraform alicloud
# provider). Kinds: code (exact), prefix, suffix, status (any HTTP status >= it), network (text
# of tea's UnretryableException: a refused connection or a time-out; creates stay safe because
# they carry a ClientToken).
RETRY_RULES = (
    ("prefix", "Throttling", BUSY),
    ("code", "Rejected.Throttling", BUSY),
    ("code", "ServiceUnavailable", BUSY),
    ("code", "SystemBusy", BUSY),
    ("prefix", "OperationConflict", BUSY),
    ("code", "Operation.Blocking", BUSY),
    ("code", "OperationFailed.DistibuteLock", BUSY),  # sic, the cloud's spelling
    ("prefix", "IncorrectStatus", BUSY),
    ("code", "IncorrectRouteEntryStatus", BUSY),
    ("code", "IncorrectVpcStatus", BUSY),
    ("code", "OperationFailed.InvalidVpcStatus", BUSY),
    ("code", "InvalidOperation.CenInstanceStatus", BUSY),
    ("code", "InvalidOperation.ChildInstanceStatus", BUSY),
    ("code", "InstanceStatus.NotSupport", BUSY),
    ("code", "InvalidStatus.Resource", BUSY),
    ("suffix", ".Configuring", BUSY),  # VpnGateway.Configuring, VpnConnection.Configuring, ...
    ("code", "VpnTask.CONFLICT", BUSY),
    ("code", "TaskConflict", BUSY),
    ("code", "LastTokenProcessing", BUSY),
    ("code", "UnknownError", BUSY),
    ("code", "InternalError", BUSY),
    ("code", "IncorrectOppositeInterfaceInfo.NotSet", SETTLING),
    ("status", 500, BUSY),
    ("network", "Connection refused", NETWORK),
    ("network", "Failed to establish a new connection", NETWORK),
    ("network", "Read timed out", NETWORK),
    ("network", "Connect timed out", NETWORK),
    ("network", "Connection aborted", NETWORK),
    ("network", "Connection reset", NETWORK),
)
RETRYABLE_CODES = frozenset(value for kind, value, budget in RETRY_RULES if kind == "code")

MISSING_CREDENTIALS = (
    "Alibaba Cloud credentials are missing. Give them one of these ways: the alicloud_access_key and "
    "alicloud_secret_key options (module_defaults group/multicloud.transit.alicloud, or host vars); the "
    "environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY "
    "and ALICLOUD_SECRET_KEY), plus alicloud_security_token / ALIBABA_CLOUD_SECURITY_TOKEN for STS keys; a profile "
    "of the Alibaba Cloud CLI (~/.aliyun/config.json) or of ~/.alibabacloud/credentials.ini "
    "(ALIBABA_CLOUD_PROFILE, ALIBABA_CLOUD_CREDENTIALS_FILE); OIDC (ALIBABA_CLOUD_ROLE_ARN, "
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE); the RAM role of the ECS instance running "
    "Ansible (ALIBABA_CLOUD_ECS_METADATA); or ALIBABA_CLOUD_CREDENTIALS_URI. Add alicloud_assume_role_arn to act "
    "as a RAM role with any of them."
)


def alicloud_argument_spec():
    """Connection options shared by every Alibaba module (``module_defaults`` group ``alicloud``)."""
    spec = dict(
        alicloud_access_key=dict(type="str", aliases=["access_key"], no_log=False,
                                 fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"])),
        alicloud_secret_key=dict(type="str", aliases=["secret_key"], no_log=True,
                                 fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"])),
        alicloud_security_token=dict(
            type="str", aliases=["security_token"], no_log=True,
            fallback=(env_fallback, ["ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"])),
        alicloud_region=dict(type="str", aliases=["region"],
                             fallback=(env_fallback, ["ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"])),
        alicloud_endpoint=dict(type="str", aliases=["endpoint"], fallback=(env_fallback, ["ALICLOUD_ENDPOINT"])),
        alicloud_assume_role_arn=dict(type="str", no_log=False,
                                      fallback=(env_fallback, ["ALIBABA_CLOUD_ROLE_ARN", "ALICLOUD_ASSUME_ROLE_ARN"])),
        alicloud_assume_role_session_name=dict(
            type="str",
            fallback=(env_fallback, ["ALIBABA_CLOUD_ROLE_SESSION_NAME", "ALICLOUD_ASSUME_ROLE_SESSION_NAME"])),
        alicloud_assume_role_session_expiration=dict(
            type="int", fallback=(env_fallback, ["ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION",
                                                 "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION"])),
    )
    for product in ENDPOINT_PRODUCTS:
        spec["alicloud_%s_endpoint" % product] = dict(
            type="str", fallback=(env_fallback, ["ALICLOUD_%s_ENDPOINT" % product.upper()]))
    return spec


def error_code(exc):
    return getattr(exc, "code", None) or ""


def retry_budget(exc):
    """Seconds of backoff ``exc`` deserves according to ``RETRY_RULES`` (0: do not retry)."""
    if not isinstance(exc, TeaException):
        return 0
    if isinstance(exc, UnretryableException):  # no answer: only its text says why
        text = "%s %s" % (getattr(exc, "message", ""), getattr(exc, "inner_exception", ""))
        return rule_budget([rule for rule in RETRY_RULES if rule[0] == "network"], texts=[text])
    return rule_budget(RETRY_RULES, error_code(exc), status_code(exc))


def is_retryable(exc):
    return bool(retry_budget(exc))


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


def endpoint_for(params, product):
    """The product's own endpoint (option, then env) wins over the one for every product."""
    for name in ("alicloud_%s_endpoint" % product, "alicloud_endpoint"):
        if not option_unset(params.get(name)):
            return params[name]
    return None


def credential_provider(params):
    """The alibabacloud_credentials provider these connection options describe.

    An AccessKey pair given (option or env) is used as is: the SDK's default chain is not
    consulted then (the twin has keys and no STS). Without a pair, the SDK's own default
    chain finds the credentials. ``alicloud_assume_role_arn`` turns either into STS
    AssumeRole credentials of that RAM role.
    """
    key, secret, token = (params.get("alicloud_access_key"), params.get("alicloud_secret_key"),
                          params.get("alicloud_security_token"))
    if not option_unset(key) and not option_unset(secret):
        if option_unset(token):
            base = StaticAKCredentialsProvider(access_key_id=key, access_key_secret=secret)
        else:
            base = StaticSTSCredentialsProvider(access_key_id=key, access_key_secret=secret, security_token=token)
    else:
        base = DefaultCredentialsProvider()
    role_arn = params.get("alicloud_assume_role_arn")
    if option_unset(role_arn) or (base.__class__ is DefaultCredentialsProvider and oidc_assumes(role_arn)):
        return base
    # Only its own option: ALICLOUD_ENDPOINT points at the twin, which has no STS.
    sts_endpoint = params.get("alicloud_sts_endpoint")
    return RamRoleArnCredentialsProvider(
        credentials_provider=base, role_arn=role_arn,
        role_session_name=params.get("alicloud_assume_role_session_name") or "multicloud-transit",
        duration_seconds=params.get("alicloud_assume_role_session_expiration") or 3600,
        sts_endpoint=split_endpoint(sts_endpoint)[0] if sts_endpoint else None,
        http_options=HttpOptions(connect_timeout=10000, read_timeout=30000))


def oidc_assumes(role_arn):
    """The SDK's OIDC provider already assumes ALIBABA_CLOUD_ROLE_ARN: never assume it twice."""
    return (bool(os.environ.get("ALIBABA_CLOUD_OIDC_PROVIDER_ARN"))
            and role_arn == os.environ.get("ALIBABA_CLOUD_ROLE_ARN"))


class AlicloudModule(CloudModuleBase):
    """An AnsibleModule with Alibaba clients and the collection's error and retry rules."""

    def __init__(self, argument_spec, **kwargs):
        spec = alicloud_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if SDK_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib("alibabacloud-tea-openapi"), exception=SDK_IMPORT_ERROR)
        self.params = fill_fallbacks(self.module, alicloud_argument_spec(), self.module.params)
        self.check_mode = self.module.check_mode
        self.region = self.params.get("alicloud_region")
        self._clients = {}
        self._credential = None

    @classmethod
    def for_account(cls, module, params):
        """One more account's (or region's) helper inside an existing AnsibleModule.

        ``params`` holds this class's connection options (alicloud_access_key, alicloud_region,
        ...); an option left out or ``None`` falls back to the environment exactly as in a
        normal AlicloudModule, and clients, retries and errors are the same.
        """
        self = cls.__new__(cls)
        if SDK_IMPORT_ERROR:
            module.fail_json(msg=missing_required_lib("alibabacloud-tea-openapi"), exception=SDK_IMPORT_ERROR)
        self.module = module
        self.params = fill_fallbacks(module, alicloud_argument_spec(), dict(params))
        self.check_mode = module.check_mode
        self.region = self.params.get("alicloud_region")
        self._clients = {}
        self._credential = None
        return self

    # --- clients ---------------------------------------------------------------------
    def _credential_client(self):
        """One credential client per helper, shared by its products; checked once, here."""
        if self._credential is None:
            try:
                provider = credential_provider(self.params)
                provider.get_credentials()
            except (CredentialException, ValueError) as exc:
                role_arn = self.params.get("alicloud_assume_role_arn")
                if not option_unset(role_arn):
                    self.module.fail_json(msg="Could not assume the RAM role %s: %s. Check the role's trust policy "
                                              "and the credentials that assume it." % (
                                                  role_arn, getattr(exc, "message", exc)))
                self.module.fail_json(msg="%s (The SDK's credentials chain said: %s)" % (
                    MISSING_CREDENTIALS, getattr(exc, "message", exc)))
            self._credential = CredentialClient(provider=provider)
        return self._credential

    def _client(self, product, region=None):
        """One SDK client per product and region (a hub spans regions; VPC endpoints are regional)."""
        region = region or self.region
        if (product, region) in self._clients:
            return self._clients[(product, region)]
        package, pip_name = PRODUCTS[product]
        try:
            client_module = importlib.import_module(package + ".client")
            models = importlib.import_module(package + ".models")
        except ImportError:
            self.module.fail_json(msg=missing_required_lib(pip_name), exception=traceback.format_exc())
        if not region:
            self.module.fail_json(msg="alicloud_region is required: set it or ALIBABA_CLOUD_REGION_ID.")
        # before the first call: the SDK would build an endpoint of a region that does not exist
        problem = region_problem("alicloud", region)
        if problem:
            where = ("alicloud_region", "the alicloud_region option, or ALIBABA_CLOUD_REGION_ID") \
                if region == self.region else ("region", "the region of an item")
            self.module.fail_json(msg="%s: %s (%s)." % (where[0], problem, where[1]))
        config = Config(credential=self._credential_client(), region_id=region,
                        connect_timeout=10000, read_timeout=30000, user_agent="multicloud.transit")
        endpoint = endpoint_for(self.params, product)
        if endpoint:
            config.endpoint, config.protocol = split_endpoint(endpoint)
        client = client_module.Client(config)
        methods = dict((name[: -len("_with_options")].replace("_", "").lower(), name)
                       for name in dir(client) if name.endswith("_with_options"))
        self._clients[(product, region)] = (client, models, methods)
        return self._clients[(product, region)]

    def call(self, product, action, params=None, retry=True, ignore_codes=(), region=None):
        """Run ``action`` on ``product`` with PascalCase ``params``; return the body dict.

        ``region`` (default: the module's ``alicloud_region``) picks the client and the default
        ``RegionId``, so one module call can act in every region of a hub.
        Retries what ``RETRY_RULES`` names, with jittered backoff within each rule's budget.
        An error whose code is in ``ignore_codes`` returns ``None`` (e.g. "already gone" on
        delete). Any other error fails the module with the code, message and request id.
        """
        region = region or self.region
        client, models, methods = self._client(product, region)
        method_name = methods.get(action.lower())
        request_cls = getattr(models, action + "Request", None)
        if method_name is None or request_cls is None:
            self.module.fail_json(msg="Internal error: the %s SDK has no action %s." % (product, action))
        body = dict(params or {})
        body.setdefault("RegionId", region)
        request = request_cls().from_map(dict((k, v) for k, v in body.items() if v is not None))
        method = getattr(client, method_name)

        def once():
            return method(request, RuntimeOptions()).body.to_map()

        try:
            if retry:
                return retry_within(once, retry_budget, delay=0.5, max_delay=10.0)
            return once()
        except (TeaException, UnretryableException) as exc:
            if error_code(exc) in ignore_codes:
                return None
            self._failed_product = product  # fail_api(exc, action) keeps its signature: modules wrap it
            self.fail_api(exc, action)

    def create(self, product, action, params, region=None):
        """A create call with one ClientToken reused by every retry: never a duplicate."""
        body = dict(params)
        body.setdefault("ClientToken", client_token())
        return self.call(product, action, body, region=region)

    def paginate(self, product, action, params, path, page_size=50, ignore_codes=(), region=None):
        """All items of a PageNumber/PageSize describe call; ``path`` leads to the list.

        PageSize is at most 50 on most VPC and CBN calls (API-NOTES.md, "Pagination"). With
        ``ignore_codes``, an error with one of those codes on the first page returns ``None``.
        """
        items = []
        page = 1
        while True:
            body = dict(params, PageNumber=page, PageSize=page_size)
            resp = self.call(product, action, body, ignore_codes=ignore_codes, region=region)
            if resp is None and page == 1 and ignore_codes:
                return None
            resp = resp or {}
            chunk = dig(resp, path) or []
            items.extend(chunk)
            total = resp.get("TotalCount")
            if not chunk or len(chunk) < page_size or (total is not None and len(items) >= int(total)):
                return items
            page += 1

    def paginate_token(self, product, action, params, path, size_param="MaxResults", page_size=50, region=None):
        """All items of a NextToken describe/list call (``size_param``: MaxResults or MaxResult)."""
        items = []
        token = None
        while True:
            body = dict(params)
            body[size_param] = page_size
            if token:
                body["NextToken"] = token
            resp = self.call(product, action, body, region=region) or {}
            items.extend(dig(resp, path) or [])
            token = resp.get("NextToken")
            if not token:
                return items

    def filter_params(self, product, action, filters, params=None):
        """The _info modules' ``filters`` option as parameters of ``action``, added to ``params``.

        A key that is a request parameter of ``action`` (its SDK model knows it, e.g.
        ``IsDefault``, ``ResourceGroupId``) is sent as that parameter; any other key becomes a
        ``Filter`` entry (``Key`` / ``Value`` list) where the API has one (DescribeCens,
        DescribeRouterInterfaces). Anything else fails, naming the key.
        """
        out = dict(params or {})
        dummy, models, dummy_methods = self._client(product)
        request_cls = getattr(models, action + "Request")

        def accepted(key, value):
            return key in request_cls().from_map({key: value}).to_map()

        has_filter = accepted("Filter", [{"Key": "k", "Value": ["v"]}])
        for key, value in sorted((filters or {}).items()):
            if key != "Filter" and accepted(key, value):
                out[key] = value
            elif has_filter and key != "Filter":
                out["Filter"] = list(out.get("Filter") or []) + [
                    {"Key": key, "Value": [str(v) for v in (value if isinstance(value, list) else [value])]}]
            else:
                self.module.fail_json(msg="filters: %s is not a parameter of %s%s. Use the API's own parameter names "
                                          "(PascalCase, as in the API reference)." % (
                                              key, action, " and it takes no Filter list" if not has_filter else ""))
        return out

    # --- waiting and errors -------------------------------------------------------------

    def fail_api(self, exc, action, product=None):
        code = error_code(exc)
        data = getattr(exc, "data", None)
        # The SDK rewrites .message; the cloud's own words are in data["Message"].
        message = (data.get("Message") if isinstance(data, dict) else None) or getattr(exc, "message", None) or str(exc)
        what_to_do = advice(code)
        if isinstance(exc, UnretryableException):  # no answer at all: refused, timed out, not JSON
            message = getattr(getattr(exc, "inner_exception", None), "message", None) or message
            product = product or getattr(self, "_failed_product", None)
            endpoint = endpoint_for(self.params, product) if product else None
            what_to_do = ("No usable answer from %s: check alicloud_endpoint / ALICLOUD_ENDPOINT (or "
                          "alicloud_%s_endpoint) and the network." % (
                              endpoint or "the cloud's endpoint", product or "<product>"))
        self.module.fail_json(
            msg="%s failed: %s (%s, request id %s). %s" % (action, message, code or "no code",
                                                           request_id(exc), what_to_do),
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
