# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS plumbing for the collection's modules: clients, retries, waiting, errors.

Credentials follow boto3's own chain (module options, then ``AWS_*`` env vars, profile,
instance role). ``endpoint_url`` or the standard ``AWS_ENDPOINT_URL`` points every
client at another endpoint, such as the local twin.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.multicloud.transit.plugins.module_utils.common import (
    CloudModuleBase,
    retry_call,
)

BOTO3_IMPORT_ERROR = None
try:
    import boto3
    import botocore.config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    BOTO3_IMPORT_ERROR = traceback.format_exc()

    class ClientError(Exception):  # pylint: disable=missing-class-docstring
        pass

    class BotoCoreError(Exception):  # pylint: disable=missing-class-docstring
        pass


# Error codes worth another try beyond botocore's own throttling/5xx handling: AWS
# reports these while a dependent resource is still changing state.
RETRYABLE_CODES = frozenset([
    "IncorrectState",
    "IncorrectStateException",
    "InvalidTransitGatewayAttachmentID.NotFound.Eventual",
    "DependencyViolation",
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "ServiceUnavailable",
    "Unavailable",
    "InternalError",
])

# Codes that only mean "not yet visible" right after a create (eventual consistency).
NOT_FOUND_SUFFIX = ".NotFound"


def aws_argument_spec():
    """Connection options shared by every AWS module (``module_defaults`` group ``aws``)."""
    return dict(
        region=dict(type="str", aliases=["aws_region"],
                    fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])),
        access_key=dict(type="str", aliases=["aws_access_key_id"], no_log=False,
                        fallback=(env_fallback, ["AWS_ACCESS_KEY_ID"])),
        secret_key=dict(type="str", aliases=["aws_secret_access_key"], no_log=True,
                        fallback=(env_fallback, ["AWS_SECRET_ACCESS_KEY"])),
        session_token=dict(type="str", aliases=["aws_session_token"], no_log=True,
                           fallback=(env_fallback, ["AWS_SESSION_TOKEN"])),
        profile=dict(type="str", aliases=["aws_profile"], fallback=(env_fallback, ["AWS_PROFILE"])),
        endpoint_url=dict(type="str", aliases=["aws_endpoint_url"],
                          fallback=(env_fallback, ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"])),
    )


def error_code(exc):
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code", "")
    return ""


def is_retryable(exc):
    code = error_code(exc)
    return code in RETRYABLE_CODES or code.startswith("Throttling")


class AwsModule(CloudModuleBase):
    """An AnsibleModule with AWS clients and the collection's error and retry rules."""

    def __init__(self, argument_spec, **kwargs):
        spec = aws_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if BOTO3_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib("boto3 and botocore"),
                                  exception=BOTO3_IMPORT_ERROR)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._clients = {}

    @classmethod
    def for_account(cls, module, params):
        """One more account's helper inside an existing AnsibleModule (cross-cloud modules).

        ``params`` holds this class's connection options (region, access_key, ...); clients,
        retries and errors are exactly those of a normal AwsModule.
        """
        self = cls.__new__(cls)
        if BOTO3_IMPORT_ERROR:
            module.fail_json(msg=missing_required_lib("boto3 and botocore"), exception=BOTO3_IMPORT_ERROR)
        self.module = module
        self.params = params
        self.check_mode = module.check_mode
        self._clients = {}
        return self

    def client(self, service="ec2"):
        if service not in self._clients:
            p = self.params
            session = boto3.session.Session(
                aws_access_key_id=p.get("access_key"),
                aws_secret_access_key=p.get("secret_key"),
                aws_session_token=p.get("session_token"),
                profile_name=p.get("profile"),
                region_name=p.get("region"),
            )
            if not session.region_name:
                self.module.fail_json(msg="region is required: set the region option or AWS_REGION.")
            # botocore's "standard" mode retries throttling and 5xx with jittered backoff.
            config = botocore.config.Config(retries={"mode": "standard", "max_attempts": 8},
                                            user_agent_extra="multicloud.transit")
            self._clients[service] = session.client(service, endpoint_url=p.get("endpoint_url") or None,
                                                    config=config)
        return self._clients[service]

    def call(self, method, retry_not_found=False, **kwargs):
        """``ec2.<method>(**kwargs)`` retrying state conflicts; errors fail the module."""
        func = getattr(self.client("ec2"), method)

        def retryable(exc):
            if retry_not_found and error_code(exc).endswith(NOT_FOUND_SUFFIX):
                return True
            return is_retryable(exc)

        try:
            return retry_call(lambda: func(**kwargs), retryable, retries=6, delay=0.5)
        except (ClientError, BotoCoreError) as exc:
            self.fail_aws(exc, "%s failed" % method)

    def paginate(self, method, key, **kwargs):
        """All items of a paginated describe call, as one list."""
        client = self.client("ec2")
        items = []
        try:
            if client.can_paginate(method):
                for page in client.get_paginator(method).paginate(**kwargs):
                    items.extend(page.get(key, []))
                return items
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
