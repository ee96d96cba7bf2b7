# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of every AWS module."""

    DOCUMENTATION = r"""
options:
  region:
    description:
      - AWS region, for example C(us-east-1).
      - Falls back to E(AWS_REGION), then E(AWS_DEFAULT_REGION).
    type: str
    aliases: [aws_region]
  access_key:
    description:
      - AWS access key ID. When unset, boto3's credential chain applies (E(AWS_ACCESS_KEY_ID),
        profiles, instance roles).
    type: str
    aliases: [aws_access_key_id]
  secret_key:
    description:
      - AWS secret access key. Never logged. Falls back to E(AWS_SECRET_ACCESS_KEY).
    type: str
    aliases: [aws_secret_access_key]
  session_token:
    description:
      - AWS session token for temporary credentials. Never logged. Falls back to E(AWS_SESSION_TOKEN).
    type: str
    aliases: [aws_session_token]
  profile:
    description:
      - Named profile from the AWS config files. Falls back to E(AWS_PROFILE).
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - Endpoint for EC2 calls. Leave unset for AWS; set it for the local twin.
      - Falls back to E(AWS_ENDPOINT_URL_EC2), then E(AWS_ENDPOINT_URL).
    type: str
    aliases: [aws_endpoint_url]
requirements:
  - boto3
  - botocore
notes:
  - Throttling and 5xx answers are retried by botocore's C(standard) retry mode; state
    conflicts (C(IncorrectState), C(DependencyViolation)) are retried with jittered backoff.
  - Use the C(group/multicloud.transit.aws) action group in C(module_defaults) to set the
    connection options once per play.
"""
