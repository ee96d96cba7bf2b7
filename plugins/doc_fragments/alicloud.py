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
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID), then E(ALICLOUD_ACCESS_KEY).
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
      - STS security token for temporary credentials. Never logged.
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
      - Falls back to E(ALICLOUD_ENDPOINT).
    type: str
    aliases: [endpoint]
requirements:
  - alibabacloud-tea-openapi
  - alibabacloud-vpc20160428
  - alibabacloud-cbn20170912
notes:
  - Calls are retried with jittered exponential backoff on throttling, C(ServiceUnavailable),
    C(OperationConflict), C(IncorrectStatus.*), C(*.Configuring) and similar transient codes.
  - Use the C(group/multicloud.transit.alicloud) action group in C(module_defaults) to set the
    connection options once per play.
"""
