#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_cen_grant
short_description: Grant a VPC of this account to a CEN instance of another account
version_added: 0.1.0
description:
  - Run with the credentials of the account that owns the VPC. It allows the CEN instance of
    another account to attach the VPC (GrantInstanceToCen), or takes that permission back
    (RevokeInstanceFromCen) with I(state=absent).
  - The CEN owner then attaches the VPC with M(multicloud.transit.alicloud_cen), giving the VPC
    owner's UID as C(owner_id).
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  cen_id:
    description: ID of the CEN instance (in the other account).
    type: str
    required: true
  cen_owner_id:
    description: UID of the account that owns the CEN instance.
    type: str
    required: true
  vpc_id:
    description: ID of the VPC of this account, in I(alicloud_region).
    type: str
    required: true
  state:
    description: Whether the grant should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: Account B lets account A's CEN attach its Silicon Valley VPC
  multicloud.transit.alicloud_cen_grant:
    alicloud_access_key: "{{ account_b_key }}"
    alicloud_secret_key: "{{ account_b_secret }}"
    alicloud_region: us-west-1
    cen_id: "{{ cen_id }}"
    cen_owner_id: "5111111111111111"
    vpc_id: "{{ svalley_vpc_id }}"
"""

RETURN = r"""
grant:
  description: The grant after the run (empty when absent).
  returned: always
  type: dict
  contains:
    cen_id:
      description: CEN ID.
      type: str
      sample: cen-7qthudw0ll6jmc1234
    cen_owner_id:
      description: UID of the CEN's account.
      type: str
      sample: "5111111111111111"
    vpc_id:
      description: The granted VPC.
      type: str
      sample: vpc-rj9gt5nll27onu71234
    region_id:
      description: Region of the VPC.
      type: str
      sample: us-west-1
    creation_time:
      description: When the grant was made (null in check mode).
      type: str
      sample: "2026-11-21T22:41Z"
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff


def find(mod, p):
    rules = mod.paginate("vpc", "DescribeGrantRulesToCen", {"InstanceId": p["vpc_id"], "InstanceType": "VPC"},
                         "CenGrantRules.CbnGrantRule")
    return next((r for r in rules if r.get("CenInstanceId") == p["cen_id"]
                 and str(r.get("CenOwnerId")) == p["cen_owner_id"]), None)


def view(mod, p, rule):
    if rule is None:
        return {}
    return {"cen_id": p["cen_id"], "cen_owner_id": p["cen_owner_id"], "vpc_id": p["vpc_id"],
            "region_id": mod.region, "creation_time": rule.get("CreationTime")}


def main():
    mod = AlicloudModule(
        argument_spec=dict(
            cen_id=dict(type="str", required=True),
            cen_owner_id=dict(type="str", required=True),
            vpc_id=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    p = mod.params
    if not p["cen_owner_id"].isdigit():
        mod.fail("cen_owner_id must be the numeric UID of the account that owns the CEN, got %r." % p["cen_owner_id"])
    if not p["vpc_id"].startswith("vpc-"):
        mod.fail("vpc_id must be a VPC ID (vpc-...), got %r." % p["vpc_id"])
    params = {"CenId": p["cen_id"], "CenOwnerId": int(p["cen_owner_id"]), "InstanceId": p["vpc_id"],
              "InstanceType": "VPC"}
    rule = find(mod, p)
    before = view(mod, p, rule)
    changed = False
    if p["state"] == "present" and rule is None:
        changed = True
        if mod.check_mode:
            rule = {"CreationTime": None}
        else:
            mod.create("vpc", "GrantInstanceToCen", params)
            rule = find(mod, p) or {"CreationTime": None}
    elif p["state"] == "absent" and rule is not None:
        changed = True
        rule = None
        if not mod.check_mode:
            mod.create("vpc", "RevokeInstanceFromCen", params)
    after = view(mod, p, rule)
    result = dict(changed=changed, grant=after)
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
