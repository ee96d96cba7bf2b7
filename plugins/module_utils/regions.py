# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The regions of each cloud, and why a region name is not one of them (with the nearest one).

One list for the pre-flight's topology checks (topology.py) and for every module (aws.py, alicloud.py
refuse an unknown region before their first call, instead of an endpoint that does not exist answering
with an unreadable error). Pure: no SDK, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.multicloud.transit.plugins.module_utils.topology_schema import nearest

# AWS: "AWS Regions" (AWS General Reference) as botocore 1.44's endpoints.json lists them, partitions aws,
# aws-cn and aws-us-gov (the ones a Transit Gateway and Site-to-Site VPN are offered in).
AWS_REGIONS = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
    "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1",
)
# Alibaba Cloud: "Regions and zones" and the CEN API's endpoint list (api-cbn-2017-09-12-endpoint), public
# cloud regions plus the Shanghai finance cloud; DescribeRegions is the live source a module can ask.
ALICLOUD_REGIONS = (
    "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-hangzhou",
    "cn-shanghai", "cn-nanjing", "cn-fuzhou", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu",
    "cn-wuhan-lr", "cn-hongkong", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-southeast-8", "ap-south-1",
    "us-east-1", "us-west-1", "us-southeast-1", "na-south-1", "eu-west-1", "eu-central-1", "me-east-1",
    "me-central-1", "cn-shanghai-finance-1",
)
REGIONS = {"aws": AWS_REGIONS, "alicloud": ALICLOUD_REGIONS}


def region_problem(cloud, region):
    """Why ``region`` is not a region of ``cloud`` (aws, alicloud), naming the nearest one; None when it is."""
    if region in REGIONS[cloud]:
        return None
    close = nearest(region, REGIONS[cloud], cutoff=0.7)
    return "%r is not %s region%s" % (region, "an AWS" if cloud == "aws" else "an Alibaba Cloud",
                                      "; did you mean %r?" % close if close else " (for example %s)" % (
                                          "us-east-1" if cloud == "aws" else "ap-northeast-1"))
