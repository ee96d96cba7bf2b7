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
      - Falls back to E(AWS_REGION), then E(AWS_DEFAULT_REGION), then E(EC2_REGION); an explicit C(null) or
        empty value falls back the same way.
    type: str
    aliases: [aws_region, ec2_region]
  access_key:
    description:
      - AWS access key ID. When unset, boto3's credential chain applies (E(AWS_ACCESS_KEY_ID),
        profiles, instance roles).
      - Falls back to E(AWS_ACCESS_KEY_ID), then E(AWS_ACCESS_KEY), then E(EC2_ACCESS_KEY), unless
        O(profile) is given in the task.
      - The C(aws_access_key) and C(ec2_access_key) aliases are those of amazon.aws.
    type: str
    aliases: [aws_access_key_id, aws_access_key, ec2_access_key]
  secret_key:
    description:
      - AWS secret access key. Never logged.
      - Falls back to E(AWS_SECRET_ACCESS_KEY), then E(AWS_SECRET_KEY), then E(EC2_SECRET_KEY).
    type: str
    aliases: [aws_secret_access_key, aws_secret_key, ec2_secret_key]
  session_token:
    description:
      - AWS session token for temporary credentials. Never logged.
      - Falls back to E(AWS_SESSION_TOKEN), then E(AWS_SECURITY_TOKEN), then E(EC2_SECURITY_TOKEN).
    type: str
    aliases: [aws_session_token, aws_security_token]
  profile:
    description:
      - Named profile from the AWS config files (C(~/.aws/config), C(~/.aws/credentials), or the files named
        by E(AWS_CONFIG_FILE) / E(AWS_SHARED_CREDENTIALS_FILE)). An unknown profile fails with a message
        naming it and those files.
      - Falls back to E(AWS_PROFILE), then E(AWS_DEFAULT_PROFILE).
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - Endpoint for EC2 calls. Leave unset for AWS; set it for the local twin.
      - Falls back to E(AWS_ENDPOINT_URL_EC2), then E(AWS_ENDPOINT_URL), then E(EC2_URL).
    type: str
    aliases: [aws_endpoint_url, ec2_url]
  validate_certs:
    description:
      - When V(false), TLS certificates of the endpoint are not verified. Only for a private endpoint with a
        self-signed certificate; never against AWS itself.
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - CA bundle (PEM file) to verify the endpoint's TLS certificate with.
      - Falls back to E(AWS_CA_BUNDLE).
    type: path
attributes:
  check_mode:
    description: Can run in check mode and return an accurate changed status without modifying the cloud.
    support: full
  diff_mode:
    description: Returns before and after of what it manages when run with C(--diff).
    support: full
requirements:
  - boto3
  - botocore
notes:
  - Throttling, HTTP 5xx answers, state conflicts (C(IncorrectState), C(DependencyViolation)) and connection
    errors and time-outs are retried with jittered backoff (one retry table; botocore's own retries are off
    so attempts never multiply).
  - Use the C(group/multicloud.transit.aws) action group in C(module_defaults) to set the
    connection options once per play.
"""
