#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: alicloud_cen_bandwidth
short_description: Manage a CEN bandwidth package and its inter-region bandwidth limits
version_added: 0.1.0
description:
  - Creates (or finds by I(bandwidth_package_id), else by I(name)) a CEN bandwidth package
    between two geographic areas, associates it with the CEN instance I(cen_id) and sets the
    bandwidth limit of each region pair in I(region_limits).
  - Without a limit, traffic between two regions of a CEN only has the 1 Kbps test bandwidth
    (enough for ping). For every attached cross-region pair without a limit the module adds a
    warning and lists the pair in C(test_bandwidth_pairs); it does not fail.
  - With I(state=absent) the package's limits are removed, then it is unassociated and deleted.
author:
  - Multicloud Transit Maintainers (@multicloud-transit)
options:
  name:
    description: Name of the bandwidth package; finds it when I(bandwidth_package_id) is not given.
    type: str
  bandwidth_package_id:
    description: ID of an existing bandwidth package. When given, I(name) renames it.
    type: str
  description:
    description: Description of the bandwidth package.
    type: str
  bandwidth:
    description: Peak bandwidth of the package in Mbit/s. Required to create it.
    type: int
  geographic_region_a:
    description: One geographic area of the package. Required to create it; cannot change later.
    type: str
    choices: [China, Asia-Pacific, Europe, North-America, Australia, Middle-East]
  geographic_region_b:
    description: The other geographic area (may equal I(geographic_region_a)).
    type: str
    choices: [China, Asia-Pacific, Europe, North-America, Australia, Middle-East]
  charge_type:
    description:
      - C(POSTPAY) (pay-as-you-go) or C(PREPAY) (subscription). A C(PREPAY) package cannot be
        deleted within its period.
    type: str
    choices: [PREPAY, POSTPAY]
    default: POSTPAY
  period:
    description: Subscription length for C(PREPAY), in units of I(pricing_cycle).
    type: int
    default: 1
  pricing_cycle:
    description: Unit of I(period) for C(PREPAY).
    type: str
    choices: [Month, Year]
    default: Month
  cen_id:
    description: CEN instance to associate the package with. Required for I(region_limits).
    type: str
  region_limits:
    description: Bandwidth limits of region pairs of the CEN, cut from this package.
    type: list
    elements: dict
    default: []
    suboptions:
      local_region_id:
        description: One region.
        type: str
        required: true
      opposite_region_id:
        description: The other region.
        type: str
        required: true
      bandwidth_limit:
        description: Limit in Mbit/s, at least 1 and at most I(bandwidth); all limits together at most I(bandwidth).
        type: int
        required: true
  purge_region_limits:
    description: Remove limits of this package that I(region_limits) does not list.
    type: bool
    default: false
  state:
    description: Whether the package should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait for a new package to become visible.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
notes:
  - CEN is a global service; I(alicloud_region) only picks the API endpoint.
extends_documentation_fragment:
  - multicloud.transit.alicloud
"""

EXAMPLES = r"""
- name: 10 Mbit/s between Tokyo and Beijing
  multicloud.transit.alicloud_cen_bandwidth:
    alicloud_region: ap-northeast-1
    name: tokyo-beijing
    bandwidth: 10
    geographic_region_a: China
    geographic_region_b: Asia-Pacific
    cen_id: "{{ cen_id }}"
    region_limits:
      - {local_region_id: ap-northeast-1, opposite_region_id: cn-beijing, bandwidth_limit: 10}
"""

RETURN = r"""
bandwidth_package:
  description: The bandwidth package after the run (empty when absent).
  returned: always
  type: dict
  sample: {"cen_bandwidth_package_id": "cenbwp-4c2zaavbvh5f42abc", "name": "tokyo-beijing", "bandwidth": 10,
           "geographic_region_a_id": "China", "geographic_region_b_id": "Asia-Pacific", "status": "InUse",
           "cen_ids": ["cen-7qthudw0ll6jmc1234"], "bandwidth_package_charge_type": "POSTPAY"}
region_limits:
  description: This package's region-pair limits after the run.
  returned: always
  type: list
  elements: dict
  sample: [{"local_region_id": "ap-northeast-1", "opposite_region_id": "cn-beijing", "bandwidth_limit": 10}]
test_bandwidth_pairs:
  description: Attached cross-region pairs of I(cen_id) that have no limit and so only 1 Kbps (each also a warning).
  returned: always
  type: list
  elements: list
  sample: [["cn-beijing", "us-west-1"]]
"""

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule, dig
from ansible_collections.multicloud.transit.plugins.module_utils.common import make_diff


def pair(a, b):
    return tuple(sorted((a, b)))


class BandwidthManager:
    def __init__(self, mod):
        self.mod = mod
        self.p = mod.params
        self.changed = False
        self.pkg_id = None

    def call(self, action, params):
        self.changed = True
        if not self.mod.check_mode:
            return self.mod.call("cbn", action, params)
        return None

    def packages(self, key, value):
        return self.mod.paginate("cbn", "DescribeCenBandwidthPackages", {"Filter": [{"Key": key, "Value": [value]}]},
                                 "CenBandwidthPackages.CenBandwidthPackage")

    def find(self):
        if self.p["bandwidth_package_id"]:
            found = self.packages("CenBandwidthPackageId", self.p["bandwidth_package_id"])
            if not found:
                self.mod.fail("bandwidth_package_id %s does not exist in this account." % self.p["bandwidth_package_id"])
            return found[0]
        found = [b for b in self.packages("Name", self.p["name"]) if b.get("Name") == self.p["name"]]
        if len(found) > 1:
            self.mod.fail("Several bandwidth packages are named %s (%s); pass bandwidth_package_id."
                          % (self.p["name"], ", ".join(b["CenBandwidthPackageId"] for b in found)))
        return found[0] if found else None

    def limits(self, cen_id):
        if not cen_id:
            return []
        return self.mod.paginate("cbn", "DescribeCenInterRegionBandwidthLimits", {"CenId": cen_id},
                                 "CenInterRegionBandwidthLimits.CenInterRegionBandwidthLimit")

    @staticmethod
    def limit_view(limits, pkg_id):
        return sorted(({"local_region_id": lim["LocalRegionId"], "opposite_region_id": lim["OppositeRegionId"],
                        "bandwidth_limit": int(lim["BandwidthLimit"])}
                       for lim in limits if lim.get("BandwidthPackageId") == pkg_id),
                      key=lambda x: pair(x["local_region_id"], x["opposite_region_id"]))

    @staticmethod
    def package_view(pkg):
        if not pkg:
            return {}
        keys = ("CenBandwidthPackageId", "Name", "Description", "Bandwidth", "GeographicRegionAId",
                "GeographicRegionBId", "GeographicSpanId", "Status", "BusinessStatus", "BandwidthPackageChargeType",
                "CreationTime", "ExpiredTime")
        to_snake = {"CenBandwidthPackageId": "cen_bandwidth_package_id", "GeographicRegionAId": "geographic_region_a_id",
                    "GeographicRegionBId": "geographic_region_b_id", "GeographicSpanId": "geographic_span_id",
                    "BusinessStatus": "business_status", "BandwidthPackageChargeType": "bandwidth_package_charge_type",
                    "CreationTime": "creation_time", "ExpiredTime": "expired_time"}
        out = dict((to_snake.get(k, k.lower()), pkg.get(k)) for k in keys)
        out["cen_ids"] = dig(pkg, "CenIds.CenId") or []
        return out

    def create(self):
        p = self.p
        missing = [k for k in ("name", "bandwidth", "geographic_region_a", "geographic_region_b") if p[k] is None]
        if missing:
            self.mod.fail("%s required to create a bandwidth package." % " and ".join(missing))
        self.changed = True
        if self.mod.check_mode:
            return {"CenBandwidthPackageId": None, "Name": p["name"], "Description": p["description"] or "",
                    "Bandwidth": p["bandwidth"], "GeographicRegionAId": p["geographic_region_a"],
                    "GeographicRegionBId": p["geographic_region_b"], "Status": "Idle",
                    "BandwidthPackageChargeType": p["charge_type"], "CenIds": {"CenId": []}}
        params = {"Name": p["name"], "Description": p["description"], "Bandwidth": p["bandwidth"],
                  "GeographicRegionAId": p["geographic_region_a"], "GeographicRegionBId": p["geographic_region_b"],
                  "BandwidthPackageChargeType": p["charge_type"], "AutoPay": True}
        if p["charge_type"] == "PREPAY":
            params.update(Period=p["period"], PricingCycle=p["pricing_cycle"])
        pkg_id = self.mod.create("cbn", "CreateCenBandwidthPackage", params)["CenBandwidthPackageId"]
        if self.p["wait"]:
            found = self.mod.wait(lambda: self.packages("CenBandwidthPackageId", pkg_id),
                                  lambda b: bool(b) and b[0].get("Status") in ("Idle", "InUse"),
                                  "bandwidth package %s" % pkg_id, "Idle")
        else:
            found = self.packages("CenBandwidthPackageId", pkg_id)
        return found[0] if found else {"CenBandwidthPackageId": pkg_id}

    def update(self, pkg):
        p = self.p
        for opt, key in (("geographic_region_a", "GeographicRegionAId"), ("geographic_region_b", "GeographicRegionBId")):
            if p[opt] and str(p[opt]).lower() != str(pkg.get(key)).lower():
                have = sorted([str(pkg.get("GeographicRegionAId")).lower(), str(pkg.get("GeographicRegionBId")).lower()])
                want = sorted([str(p["geographic_region_a"] or pkg.get("GeographicRegionAId")).lower(),
                               str(p["geographic_region_b"] or pkg.get("GeographicRegionBId")).lower()])
                if have != want:
                    self.mod.fail("%s cannot change on an existing bandwidth package (%s is %s <-> %s); create another "
                                  "package instead." % (opt, pkg["CenBandwidthPackageId"],
                                                        pkg.get("GeographicRegionAId"), pkg.get("GeographicRegionBId")))
        attrs = {}
        if p["bandwidth_package_id"] and p["name"] is not None and p["name"] != pkg.get("Name"):
            attrs["Name"] = p["name"]
        if p["description"] is not None and p["description"] != pkg.get("Description"):
            attrs["Description"] = p["description"]
        if attrs:
            self.call("ModifyCenBandwidthPackageAttribute", dict(attrs, CenBandwidthPackageId=pkg["CenBandwidthPackageId"]))
            pkg.update(attrs)
        if p["bandwidth"] is not None and p["bandwidth"] != int(pkg.get("Bandwidth") or 0):
            self.call("ModifyCenBandwidthPackageSpec", {"CenBandwidthPackageId": pkg["CenBandwidthPackageId"],
                                                        "Bandwidth": p["bandwidth"]})
            pkg["Bandwidth"] = p["bandwidth"]

    def set_limit(self, cen_id, local, opposite, limit):
        self.call("SetCenInterRegionBandwidthLimit", {"CenId": cen_id, "LocalRegionId": local,
                                                      "OppositeRegionId": opposite, "BandwidthLimit": limit})

    def present(self):
        p = self.p
        pkg = self.find()
        before_limits = self.limit_view(self.limits(p["cen_id"]), pkg["CenBandwidthPackageId"]) if pkg else []
        before = dict(self.package_view(pkg), region_limits=before_limits) if pkg else {}
        pkg = self.create() if pkg is None else pkg
        if before:
            self.update(pkg)
        pkg_id = self.pkg_id = pkg["CenBandwidthPackageId"]
        cen_ids = dig(pkg, "CenIds.CenId") or []
        cen_id = p["cen_id"]
        if cen_id and cen_id not in cen_ids:
            if cen_ids:
                self.mod.fail("Bandwidth package %s is associated with CEN %s; a package serves one CEN. Use another "
                              "package for %s." % (pkg_id, cen_ids[0], cen_id))
            self.call("AssociateCenBandwidthPackage", {"CenId": cen_id, "CenBandwidthPackageId": pkg_id})
            pkg["CenIds"] = {"CenId": [cen_id]}
            pkg["Status"] = "InUse"
        current = dict((pair(x["local_region_id"], x["opposite_region_id"]), x) for x in before_limits)
        desired = dict((pair(x["local_region_id"], x["opposite_region_id"]), x) for x in p["region_limits"])
        for key, want in sorted(desired.items()):
            have = current.get(key)
            if have is None or have["bandwidth_limit"] != want["bandwidth_limit"]:
                self.set_limit(cen_id, want["local_region_id"], want["opposite_region_id"], want["bandwidth_limit"])
        if p["purge_region_limits"]:
            for key, have in sorted(current.items()):
                if key not in desired:
                    self.set_limit(cen_id, have["local_region_id"], have["opposite_region_id"], 0)
        if self.changed and not self.mod.check_mode:
            pkg = self.packages("CenBandwidthPackageId", pkg_id)[0]
            limits = self.limit_view(self.limits(cen_id), pkg_id)
        else:
            kept = dict(current) if not p["purge_region_limits"] else {}
            kept.update(desired)
            limits = sorted(({"local_region_id": x["local_region_id"], "opposite_region_id": x["opposite_region_id"],
                              "bandwidth_limit": x["bandwidth_limit"]} for x in kept.values()),
                            key=lambda x: pair(x["local_region_id"], x["opposite_region_id"]))
        return before, dict(self.package_view(pkg), region_limits=limits), limits

    def absent(self):
        pkg = self.find()
        if not pkg:
            return {}, {}, []
        pkg_id = self.pkg_id = pkg["CenBandwidthPackageId"]
        before = dict(self.package_view(pkg))
        for cen_id in dig(pkg, "CenIds.CenId") or []:
            limits = self.limit_view(self.limits(cen_id), pkg_id)
            if cen_id == self.p["cen_id"] or not self.p["cen_id"]:
                before["region_limits"] = limits
            for lim in limits:
                self.set_limit(cen_id, lim["local_region_id"], lim["opposite_region_id"], 0)
            self.call("UnassociateCenBandwidthPackage", {"CenId": cen_id, "CenBandwidthPackageId": pkg_id})
        self.call("DeleteCenBandwidthPackage", {"CenBandwidthPackageId": pkg_id})
        return before, {}, []

    def test_bandwidth_pairs(self, limits):
        """Attached cross-region pairs of the CEN with no limit at all (any package)."""
        cen_id = self.p["cen_id"]
        if not cen_id:
            return []
        children = self.mod.paginate("cbn", "DescribeCenAttachedChildInstances", {"CenId": cen_id},
                                     "ChildInstances.ChildInstance")
        regions = sorted(set(c["ChildInstanceRegionId"] for c in children if c.get("Status") in ("Attached", "Attaching")))
        # limits of other packages as they are, plus this package's limits as planned
        limited = set(pair(x["LocalRegionId"], x["OppositeRegionId"]) for x in self.limits(cen_id)
                      if int(x.get("BandwidthLimit") or 0) > 0 and x.get("BandwidthPackageId") != self.pkg_id)
        limited |= set(pair(x["local_region_id"], x["opposite_region_id"]) for x in limits)
        out = []
        for i, a in enumerate(regions):
            for b in regions[i + 1:]:
                if (a, b) not in limited:
                    out.append([a, b])
        return out


def validate(mod):
    p = mod.params
    if not p["name"] and not p["bandwidth_package_id"]:
        mod.fail("Either name or bandwidth_package_id is required.")
    if p["bandwidth"] is not None and p["bandwidth"] < 1:
        mod.fail("bandwidth must be at least 1 Mbit/s, got %s." % p["bandwidth"])
    if p["region_limits"] and not p["cen_id"]:
        mod.fail("region_limits needs cen_id: limits belong to the region pairs of one CEN instance.")
    total = 0
    seen = set()
    for i, lim in enumerate(p["region_limits"]):
        if lim["local_region_id"] == lim["opposite_region_id"]:
            mod.fail("region_limits[%d]: local_region_id and opposite_region_id must differ." % i)
        key = pair(lim["local_region_id"], lim["opposite_region_id"])
        if key in seen:
            mod.fail("region_limits[%d]: the pair %s <-> %s is listed twice." % ((i,) + key))
        seen.add(key)
        if lim["bandwidth_limit"] < 1:
            mod.fail("region_limits[%d].bandwidth_limit must be at least 1 Mbit/s (remove the entry and use "
                     "purge_region_limits to drop a limit)." % i)
        if p["bandwidth"] is not None and lim["bandwidth_limit"] > p["bandwidth"]:
            mod.fail("region_limits[%d].bandwidth_limit %d exceeds the package bandwidth %d."
                     % (i, lim["bandwidth_limit"], p["bandwidth"]))
        total += lim["bandwidth_limit"]
    if p["bandwidth"] is not None and total > p["bandwidth"]:
        mod.fail("region_limits add up to %d Mbit/s, more than the package bandwidth %d." % (total, p["bandwidth"]))


def main():
    areas = ["China", "Asia-Pacific", "Europe", "North-America", "Australia", "Middle-East"]
    mod = AlicloudModule(
        argument_spec=dict(
            name=dict(type="str"),
            bandwidth_package_id=dict(type="str"),
            description=dict(type="str"),
            bandwidth=dict(type="int"),
            geographic_region_a=dict(type="str", choices=areas),
            geographic_region_b=dict(type="str", choices=areas),
            charge_type=dict(type="str", choices=["PREPAY", "POSTPAY"], default="POSTPAY"),
            period=dict(type="int", default=1),
            pricing_cycle=dict(type="str", choices=["Month", "Year"], default="Month"),
            cen_id=dict(type="str"),
            region_limits=dict(type="list", elements="dict", default=[], options=dict(
                local_region_id=dict(type="str", required=True),
                opposite_region_id=dict(type="str", required=True),
                bandwidth_limit=dict(type="int", required=True),
            )),
            purge_region_limits=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    validate(mod)
    manager = BandwidthManager(mod)
    if mod.params["state"] == "absent":
        before, after, limits = manager.absent()
    else:
        before, after, limits = manager.present()
    pairs = manager.test_bandwidth_pairs(limits)
    for a, b in pairs:
        mod.module.warn("Traffic between %s and %s in CEN %s is limited to the 1 Kbps test bandwidth (enough for "
                        "ping only): no inter-region bandwidth limit is set for this pair. Add it to region_limits."
                        % (a, b, mod.params["cen_id"]))
    result = dict(changed=manager.changed, bandwidth_package=dict((k, v) for k, v in after.items() if k != "region_limits"),
                  region_limits=limits, test_bandwidth_pairs=pairs)
    if mod.module._diff:
        result["diff"] = make_diff(before, after)
    mod.exit(**result)


if __name__ == "__main__":
    main()
