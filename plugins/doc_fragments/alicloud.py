# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of every Alibaba Cloud module."""

    DOCUMENTATION = r"""
options:
  alicloud_access_key:
    description:
      - AccessKey ID of the Alibaba Cloud account (or RAM user) to act as.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID), then E(ALICLOUD_ACCESS_KEY); an explicit C(null)
        or empty value falls back the same way.
      - Without an AccessKey pair, the official SDK's default credentials chain applies (see notes).
    type: str
    aliases: [access_key]
  alicloud_secret_key:
    description:
      - AccessKey secret. Never logged.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), then E(ALICLOUD_SECRET_KEY).
    type: str
    aliases: [secret_key]
  alicloud_security_token:
    description:
      - STS security token, with an STS AccessKey pair. Never logged.
      - Falls back to E(ALIBABA_CLOUD_SECURITY_TOKEN), then E(ALICLOUD_SECURITY_TOKEN).
    type: str
    aliases: [security_token]
  alicloud_region:
    description:
      - Region to act in, for example C(ap-northeast-1).
      - Falls back to E(ALIBABA_CLOUD_REGION_ID), then E(ALICLOUD_REGION).
    type: str
    aliases: [region]
  alicloud_endpoint:
    description:
      - Endpoint for every Alibaba Cloud product, as C(host:port) or C(http://host:port).
        Leave unset for the real cloud; set it for the local twin.
      - A product's own endpoint (O(alicloud_vpc_endpoint), O(alicloud_cbn_endpoint),
        O(alicloud_vpcpeer_endpoint)) wins over this one.
      - Falls back to E(ALICLOUD_ENDPOINT).
    type: str
    aliases: [endpoint]
  alicloud_vpc_endpoint:
    description:
      - Endpoint of the VPC product only (VPC, vSwitch, route, VPN gateway, IPsec, router interface calls).
      - Falls back to E(ALICLOUD_VPC_ENDPOINT).
    type: str
  alicloud_cbn_endpoint:
    description:
      - Endpoint of the CEN product (CBN API) only. Falls back to E(ALICLOUD_CBN_ENDPOINT).
    type: str
  alicloud_vpcpeer_endpoint:
    description:
      - Endpoint of the VPC peering product (VpcPeer API) only. Falls back to E(ALICLOUD_VPCPEER_ENDPOINT).
    type: str
  alicloud_sts_endpoint:
    description:
      - STS endpoint used to assume O(alicloud_assume_role_arn), for example C(sts.ap-northeast-1.aliyuncs.com).
        Default C(sts.aliyuncs.com). O(alicloud_endpoint) never applies to STS.
      - Falls back to E(ALICLOUD_STS_ENDPOINT).
    type: str
  alicloud_assume_role_arn:
    description:
      - ARN of a RAM role to assume (STS AssumeRole) with the credentials found, for example
        C(acs:ram::123456789012:role/network-admin). Every call then uses the role's temporary credentials.
      - Falls back to E(ALIBABA_CLOUD_ROLE_ARN), then E(ALICLOUD_ASSUME_ROLE_ARN).
    type: str
  alicloud_assume_role_session_name:
    description:
      - Session name recorded in the role's audit trail. Default C(multicloud-transit).
      - Falls back to E(ALIBABA_CLOUD_ROLE_SESSION_NAME), then E(ALICLOUD_ASSUME_ROLE_SESSION_NAME).
    type: str
  alicloud_assume_role_session_expiration:
    description:
      - Lifetime of the role's credentials in seconds, at least 900 and at most the role's maximum session
        duration. Default 3600.
      - Falls back to E(ALIBABA_CLOUD_ROLE_SESSION_EXPIRATION), then E(ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION).
    type: int
attributes:
  check_mode:
    description: Can run in check mode and return an accurate changed status without modifying the cloud.
    support: full
  diff_mode:
    description: Returns before and after of what it manages when run with C(--diff); secrets are masked.
    support: full
requirements:
  - alibabacloud-tea-openapi
  - alibabacloud-credentials
  - alibabacloud-vpc20160428
  - alibabacloud-cbn20170912
  - alibabacloud-vpcpeer20220101
notes:
  - "Credentials: an AccessKey pair (options or environment, see above) is used as given and nothing else is
    consulted. Without one, the official SDK's default chain (alibabacloud_credentials) looks in turn at
    E(ALIBABA_CLOUD_ACCESS_KEY_ID) / E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), OIDC (E(ALIBABA_CLOUD_ROLE_ARN),
    E(ALIBABA_CLOUD_OIDC_PROVIDER_ARN), E(ALIBABA_CLOUD_OIDC_TOKEN_FILE)), the Alibaba Cloud CLI profile
    (C(~/.aliyun/config.json)), the profile in C(~/.alibabacloud/credentials.ini) (E(ALIBABA_CLOUD_PROFILE),
    E(ALIBABA_CLOUD_CREDENTIALS_FILE)), the ECS instance's RAM role and E(ALIBABA_CLOUD_CREDENTIALS_URI).
    O(alicloud_assume_role_arn) then assumes a RAM role with whichever was found."
  - Calls are retried with jittered exponential backoff on throttling, C(ServiceUnavailable), C(SystemBusy),
    C(OperationConflict), C(IncorrectStatus.*), C(*.Configuring) and similar transient codes, on HTTP 5xx
    answers and on refused connections and time-outs (creates carry a client token, so a retry never
    duplicates); C(IncorrectOppositeInterfaceInfo.NotSet) is retried for up to two minutes.
  - Use the C(group/multicloud.transit.alicloud) action group in C(module_defaults) to set the
    connection options once per play.
"""
