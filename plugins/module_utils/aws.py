# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS plumbing for the collection's modules: clients, retries, waiting, errors.

Credentials follow boto3's own chain (module options, then ``AWS_*`` env vars, profile,
instance role). ``endpoint_url`` or the standard ``AWS_ENDPOINT_URL`` points every
client at another endpoint, such as the local twin. Options and aliases follow amazon.aws
(``aws_access_key``, ``validate_certs``, ``aws_ca_bundle``, ...), so its users' habits work.

Retries: one table (``RETRY_RULES``) and one place (``retry_within``); botocore's own
retries are off so attempts never multiply.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.multicloud.transit.plugins.module_utils.common import (
    CloudModuleBase,
    fill_fallbacks,
    option_unset,
    retry_within,
    rule_budget,
)
from ansible_collections.multicloud.transit.plugins.module_utils.regions import region_problem

BOTO3_IMPORT_ERROR = None
try:
    import boto3
    import botocore.config
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ProfileNotFound,
        ReadTimeoutError,
    )
except ImportError:
    BOTO3_IMPORT_ERROR = traceback.format_exc()

    class ClientError(Exception):  # pylint: disable=missing-class-docstring
        pass

    class BotoCoreError(Exception):  # pylint: disable=missing-class-docstring
        pass

    EndpointConnectionError = ConnectTimeoutError = ReadTimeoutError = ProfileNotFound = BotoCoreError


# Backoff budgets, in seconds of waiting in total.
BUSY = 60
NETWORK = 20
EVENTUAL = 20  # a resource not yet visible right after its create

# The one table of what is worth another try, and for how long. Kinds: code (exact), prefix,
# status (any HTTP status >= it), exception (botocore's connection and time-out errors; creates
# carry a ClientToken, so a retried create never duplicates).
RETRY_RULES = (
    ("prefix", "Throttling", BUSY),  # Throttling, ThrottlingException
    ("code", "RequestLimitExceeded", BUSY),
    ("code", "ServiceUnavailable", BUSY),
    ("code", "Unavailable", BUSY),
    ("code", "InternalError", BUSY),
    # A dependent resource is still changing state.
    ("code", "IncorrectState", BUSY),
    ("code", "IncorrectStateException", BUSY),
    ("code", "DependencyViolation", BUSY),
    ("code", "InvalidTransitGatewayAttachmentID.NotFound.Eventual", BUSY),
    ("status", 500, BUSY),
    ("exception", "EndpointConnectionError", NETWORK),
    ("exception", "ConnectTimeoutError", NETWORK),
    ("exception", "ReadTimeoutError", NETWORK),
)
RETRYABLE_CODES = frozenset(value for kind, value, budget in RETRY_RULES if kind == "code")
NETWORK_ERRORS = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)

# Codes that only mean "not yet visible" right after a create (eventual consistency).
NOT_FOUND_SUFFIX = ".NotFound"


def aws_argument_spec():
    """Connection options shared by every AWS module (``module_defaults`` group ``aws``)."""
    return dict(
        region=dict(type="str", aliases=["aws_region", "ec2_region"],
                    fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION", "EC2_REGION"])),
        access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key", "ec2_access_key"], no_log=False,
                        fallback=(env_fallback, ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "EC2_ACCESS_KEY"])),
        secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key", "ec2_secret_key"], no_log=True,
                        fallback=(env_fallback, ["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "EC2_SECRET_KEY"])),
        session_token=dict(type="str", aliases=["aws_session_token", "aws_security_token"], no_log=True,
                           fallback=(env_fallback, ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "EC2_SECURITY_TOKEN"])),
        profile=dict(type="str", aliases=["aws_profile"],
                     fallback=(env_fallback, ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])),
        endpoint_url=dict(type="str", aliases=["aws_endpoint_url", "ec2_url"],
                          fallback=(env_fallback, ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL", "EC2_URL"])),
        validate_certs=dict(type="bool", default=True),
        aws_ca_bundle=dict(type="path", fallback=(env_fallback, ["AWS_CA_BUNDLE"])),
    )


def error_code(exc):
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code", "")
    return ""


def retry_budget(exc):
    """Seconds of backoff ``exc`` deserves according to ``RETRY_RULES`` (0: do not retry)."""
    if isinstance(exc, NETWORK_ERRORS):
        return rule_budget(RETRY_RULES, texts=[cls.__name__ for cls in type(exc).__mro__])
    if not isinstance(exc, ClientError):
        return 0
    return rule_budget(RETRY_RULES, error_code(exc), exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def is_retryable(exc):
    return bool(retry_budget(exc))


def connection_params(module, params):
    """``params`` with every unset connection option taken from the environment.

    A profile given in the task wins over keys in the environment (boto3 and amazon.aws
    behave the same way): env keys would otherwise silently replace it.
    """
    explicit_profile = not option_unset(params.get("profile"))
    keys = [k for k in ("access_key", "secret_key", "session_token") if not option_unset(params.get(k))]
    params = fill_fallbacks(module, aws_argument_spec(), params)
    if explicit_profile:
        for name in ("access_key", "secret_key", "session_token"):
            if name not in keys:
                params[name] = None
    if params.get("validate_certs") is None:
        params["validate_certs"] = True
    return params


def config_files():
    """The AWS config and credentials files boto3 reads, for messages."""
    return (os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config",
            os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


class AwsModule(CloudModuleBase):
    """An AnsibleModule with AWS clients and the collection's error and retry rules."""

    # Until then a NotFound may only mean "just created, not yet visible" (AWS, "Eventual consistency in the
    # Amazon EC2 API"): set by every create this module makes, so reads and changes by the id it returned retry.
    _eventual_until = 0.0

    def __init__(self, argument_spec, **kwargs):
        spec = aws_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if BOTO3_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib("boto3 and botocore"),
                                  exception=BOTO3_IMPORT_ERROR)
        self.params = connection_params(self.module, self.module.params)
        self.check_mode = self.module.check_mode
        self._clients = {}

    @classmethod
    def for_account(cls, module, params):
        """One more account's helper inside an existing AnsibleModule (cross-cloud modules).

        ``params`` holds this class's connection options (region, access_key, ...); an option
        left out or ``None`` falls back to the environment exactly as in a normal AwsModule,
        and clients, retries and errors are the same.
        """
        self = cls.__new__(cls)
        if BOTO3_IMPORT_ERROR:
            module.fail_json(msg=missing_required_lib("boto3 and botocore"), exception=BOTO3_IMPORT_ERROR)
        self.module = module
        self.params = connection_params(module, dict(params))
        self.check_mode = module.check_mode
        self._clients = {}
        return self

    def client(self, service="ec2"):
        if service not in self._clients:
            p = self.params
            try:
                session = boto3.session.Session(
                    aws_access_key_id=p.get("access_key"),
                    aws_secret_access_key=p.get("secret_key"),
                    aws_session_token=p.get("session_token"),
                    profile_name=p.get("profile"),
                    region_name=p.get("region"),
                )
            except ProfileNotFound:
                self.module.fail_json(msg="The AWS profile %r is not defined in %s or %s. Add it there (aws configure "
                                          "--profile %s), point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the "
                                          "files that define it, or give access_key and secret_key instead." % (
                                              (p.get("profile"),) + config_files() + (p.get("profile"),)))
            if not session.region_name:
                self.module.fail_json(msg="region is required: set the region option or AWS_REGION.")
            # before the first call: an endpoint of an unknown region does not exist (or answers garbage)
            problem = region_problem("aws", session.region_name)
            if problem:
                self.module.fail_json(msg="region: %s (the region option, or AWS_REGION)." % problem)
            # botocore retries nothing (total_max_attempts 1): RETRY_RULES decides, once.
            config = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1},
                                            user_agent_extra="multicloud.transit")
            verify = p.get("aws_ca_bundle") or None
            if p.get("validate_certs") is False:
                verify = False
            self._clients[service] = session.client(service, endpoint_url=p.get("endpoint_url") or None,
                                                    config=config, verify=verify)
        return self._clients[service]

    def call(self, method, retry_not_found=False, ignore_not_found=False, **kwargs):
        """``ec2.<method>(**kwargs)`` retrying state conflicts; errors fail the module.

        ``ignore_not_found``: an error whose code ends in ``.NotFound`` returns None instead (a
        describe by ids that names an unknown id fails as a whole on AWS). ``retry_not_found``, and any
        call within ``EVENTUAL`` seconds of a create of this module, retries a NotFound (not yet visible).
        """
        func = getattr(self.client("ec2"), method)
        try:
            result = retry_within(lambda: func(**kwargs), self._budget(retry_not_found, not ignore_not_found),
                                  delay=0.5)
        except (ClientError, BotoCoreError) as exc:
            if ignore_not_found and error_code(exc).endswith(NOT_FOUND_SUFFIX):
                return None
            self.fail_aws(exc, "%s failed" % method)
        if method.startswith("create_"):
            self._eventual_until = time.monotonic() + EVENTUAL
        return result

    def _budget(self, retry_not_found=False, eventual=True):
        """The backoff budget of one error: ``RETRY_RULES``, and NotFound while a create may not be visible."""
        def budget(exc):
            if error_code(exc).endswith(NOT_FOUND_SUFFIX) and (
                    retry_not_found or (eventual and time.monotonic() < self._eventual_until)):
                return EVENTUAL
            return retry_budget(exc)
        return budget

    def paginate(self, method, key, **kwargs):
        """All items of a paginated describe call, as one list."""
        client = self.client("ec2")

        def every_page():
            found = []
            for page in client.get_paginator(method).paginate(**kwargs):
                found.extend(page.get(key, []))
            return found

        try:
            if client.can_paginate(method):
                return retry_within(every_page, self._budget(), delay=0.5)  # a retry reads from the first page
        except (ClientError, BotoCoreError) as exc:
            self.fail_aws(exc, "%s failed" % method)
        return self.call(method, **kwargs).get(key, [])

    def fail_aws(self, exc, msg):
        """Fail with the cloud's code, message and request id, plus what to do."""
        info = {"msg": msg}
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            meta = exc.response.get("ResponseMetadata", {})
            info.update(error_code=err.get("Code"), error_message=err.get("Message"),
                        request_id=meta.get("RequestId"))
            info["msg"] = "%s: %s (%s). %s" % (msg, err.get("Message"), err.get("Code"), advice(err.get("Code")))
        elif isinstance(exc, NETWORK_ERRORS):
            info["msg"] = "%s: %s. Check endpoint_url / AWS_ENDPOINT_URL (now %s) and the network." % (
                msg, exc, self.params.get("endpoint_url") or "the AWS default")
        else:
            info["msg"] = "%s: %s. Check the endpoint, network and credentials." % (msg, exc)
        self.module.fail_json(exception=traceback.format_exc(), **info)


def advice(code):
    """One sentence that tells a user what to do about a common AWS error code."""
    code = code or ""
    if code in ("AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch"):
        return "Check the access key, secret key and region of this AWS account."
    if code.startswith("UnauthorizedOperation"):
        return "Grant the IAM permission named in the message to these credentials."
    if code.endswith(".NotFound") or code.endswith("NotFound"):
        return "Check that the id exists in this account and region."
    if code in ("DependencyViolation", "IncorrectState"):
        return "Another resource still depends on it or it is changing state; re-run once it settles."
    if code.endswith("LimitExceeded"):
        return "Raise the service quota or remove unused resources."
    return "See the AWS API reference for this error code."


def filter_list(filters, base=()):
    """amazon.aws-style ``filters`` (``{"tag:Env": "prod", "state": ["available"]}``) as the API's
    ``Filters`` list, after the ``base`` filters a module sets itself."""
    out = list(base)
    for name, value in sorted((filters or {}).items()):
        values = value if isinstance(value, list) else [value]
        out.append({"Name": name,
                    "Values": [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]})
    return out


def tag_specifications(resource_type, tags):
    if not tags:
        return []
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": str(v)} for k, v in tags.items()]}]


def subnet_tables(tables, subnet_ids):
    """Which route table each subnet uses: its explicit association, else the VPC's main table.

    ``tables`` are DescribeRouteTables items of one VPC; returns ``{subnet_id: route_table_id}``.
    """
    main = None
    explicit = {}
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("Main"):
                main = table["RouteTableId"]
            elif assoc.get("SubnetId"):
                explicit[assoc["SubnetId"]] = table["RouteTableId"]
    return dict((s, explicit.get(s, main)) for s in subnet_ids)


def endpoint_env():
    """The endpoint the modules will use, for messages (the twin or AWS)."""
    return os.environ.get("AWS_ENDPOINT_URL") or "AWS"


def existing_by_id(mod, method, result_key, id_param, id_field, ids):
    """``{id: item}`` of the ``ids`` that exist, from ``method`` (a describe taking ``id_param``).

    AWS fails the whole call when one id is unknown, and some emulations return nothing for it
    instead; either way only the ids that exist come back (asking one by one after a NotFound).
    """
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = mod.call(method, ignore_not_found=True, **{id_param: ids})
    if found is None:
        items = []
        for one in ids:
            items.extend((mod.call(method, ignore_not_found=True, **{id_param: [one]}) or {}).get(result_key, []))
    else:
        items = found.get(result_key, [])
    return dict((item[id_field], item) for item in items if item.get(id_field) in ids)


def resource_result(kind, view, **extra):
    """A single-resource module's result (docs/dev/conventions.md, "Return values").

    ``<kind>_id`` (None when the resource does not exist) and ``<kind>`` (its snake_case view,
    ``{}`` when it does not exist), plus ``extra`` (``changed``, ``diff``, run facts).
    """
    view = view or {}
    out = {kind + "_id": view.get(kind + "_id"), kind: view}
    out.update(extra)
    return out
