#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: reachability
short_description: Prove cross-cloud reachability between AWS and Alibaba Cloud from live state, hop by hop
version_added: 0.1.0
description:
  - Reads the live routing state of several AWS and Alibaba Cloud accounts in one invocation (the
    two clouds are read at the same time, in threads) and traces every ordered pair of probe
    addresses hop by hop, both ways.
  - "Routing domains followed: AWS subnet route tables, Transit Gateway route tables (association
    of the entering attachment; static, propagated and blackhole routes), TGW VPC, VPN and peering
    attachments, VPN tunnels, Alibaba VPN gateways and IPsec connections (traffic selectors, and
    VPN route entries in destination routing), single- and dual-tunnel IPsec connections and
    IPsec attached to a transit router (each tunnel paired with its AWS tunnel), Alibaba VPC route
    tables (system, custom, transit-router-synchronised and CEN-learned entries), Enterprise
    transit routers (the route table associated with the entering connection; VPC, inter-region
    and VPN connections), Basic CEN instances (published routes), VPC peering connections and
    Express Connect router interfaces."
  - "Lists every tunnel with its status: up, down (with the code of why), unpaired, or idle by
    design (AWS tunnel 2 when its customer gateway is one TR-attached Alibaba tunnel, which
    negotiates with tunnel 1). Warns, without failing, about a dual-tunnel connection running on
    one tunnel and an inter-region connection on the 1 Kbps test bandwidth."
  - A pair is reachable only when the reply also routes back; paths through different transit
    pieces each way are flagged asymmetric.
  - For each broken pair the first broken hop, a sentence saying what to change and a machine-readable
    cause code (for example C(no_route), C(cen_route_not_published), C(psk_mismatch)) are returned; every
    warning and IPsec problem has its code too. The codes and their meanings are listed in
    C(docs/reachability.md) of the collection.
  - Also checks both ends of every AWS tunnel / Alibaba IPsec connection against each other
    (outside IPs, pre-shared key equality through keyed hashes, IKE version, phase-1 and phase-2
    proposals, selectors), flags overlapping CIDRs among connected networks and blackhole routes.
  - Makes no change to either cloud. Pre-shared keys are never returned nor written.
author:
  - multicloud.transit maintainers (@multicloud-transit)
options:
  aws:
    description:
      - AWS accounts to read. Each account is read in each of its regions.
      - Credentials left unset follow boto3's chain (environment, profile, instance role).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: A label for the account, used in the report.
        type: str
        required: true
      regions:
        description: Regions to read, for example C(us-east-1).
        type: list
        elements: str
        required: true
        aliases: [region]
      access_key:
        description: Access key ID. Falls back to E(AWS_ACCESS_KEY_ID).
        type: str
      secret_key:
        description: Secret access key. Never logged. Falls back to E(AWS_SECRET_ACCESS_KEY).
        type: str
      session_token:
        description: Session token for temporary credentials. Never logged.
        type: str
      profile:
        description: Named profile from the AWS config files.
        type: str
      endpoint_url:
        description:
          - EC2 endpoint; leave unset for AWS, set it for the local twin.
          - Falls back to E(AWS_ENDPOINT_URL_EC2), then E(AWS_ENDPOINT_URL).
        type: str
  alicloud:
    description:
      - Alibaba Cloud accounts to read. Each account is read in each of its regions; its CEN
        instances (global) are read once.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: A label for the account, used in the report.
        type: str
        required: true
      regions:
        description: Regions to read, for example C(ap-northeast-1).
        type: list
        elements: str
        required: true
        aliases: [region]
      access_key:
        description: AccessKey ID. Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID), then E(ALICLOUD_ACCESS_KEY).
        type: str
      secret_key:
        description:
          - AccessKey secret. Never logged. Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), then
            E(ALICLOUD_SECRET_KEY).
        type: str
      security_token:
        description: STS token. Never logged.
        type: str
      endpoint:
        description: Endpoint override (the local twin). Falls back to E(ALICLOUD_ENDPOINT).
        type: str
      account_uid:
        description: The account's UID, shown in the report (cross-account peerings and CEN grants name it).
        type: str
  probes:
    description:
      - The addresses to test between, typically one test host per VPC.
      - Each probe is placed in the subnet or vSwitch holding its IP; set O(probes[].vpc) only when
        overlapping networks make that ambiguous.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Probe name used in the matrix and in O(required).
        type: str
        required: true
      ip:
        description: The probe's private IPv4 address.
        type: str
        required: true
      vpc:
        description: VPC ID or name holding the probe, when the IP alone is ambiguous.
        type: str
  required:
    description:
      - Which ordered pairs must be reachable. V(all) (every ordered pair) or a list of
        C([from, to]) probe-name pairs.
    type: raw
    default: all
  fail_on_unreachable:
    description: Fail when a required pair is unreachable, listing every broken required pair and its cause.
    type: bool
    default: true
  include_hops:
    description: Return each pair's hops (request and reply). Turn off for very large probe sets.
    type: bool
    default: true
  report_dir:
    description:
      - Write C(report.json), C(report.txt) (the matrix) and C(report.html) (matrix and topology
        picture, self-contained, opens with no network) into this directory, created if missing.
    type: path
  title:
    description: Title of the HTML report.
    type: str
    default: Cross-cloud reachability
notes:
  - Supports check mode; it never changes anything in either cloud.
  - Reads are whole-region calls (plus one per route table), so the cost grows with route tables,
    not with probes.
  - This module belongs to neither the C(aws) nor the C(alicloud) action group; give it credentials
    per account in O(aws) and O(alicloud).
requirements:
  - boto3
  - botocore
  - alibabacloud-tea-openapi
  - alibabacloud-vpc20160428
  - alibabacloud-cbn20170912
  - alibabacloud-vpcpeer20220101
"""

EXAMPLES = r"""
- name: Prove the first walkthrough (every VPC reaches every other VPC)
  multicloud.transit.reachability:
    aws:
      - name: virginia
        regions: [us-east-1]
    alicloud:
      - name: main
        regions: [ap-northeast-1, cn-beijing]
    probes:
      - {name: virginia-a, ip: 172.16.0.132}
      - {name: virginia-b, ip: 172.17.0.111}
      - {name: tokyo, ip: 10.0.0.17}
      - {name: beijing, ip: 192.168.0.92}
    report_dir: "{{ playbook_dir }}/reports"
  register: proof

- name: Show the matrix
  ansible.builtin.debug:
    msg: "{{ proof.matrix.splitlines() }}"

- name: Only some pairs must work; report the rest
  multicloud.transit.reachability:
    alicloud:
      - name: account-a
        regions: [ap-northeast-1]
        access_key: "{{ a_key }}"
        secret_key: "{{ a_secret }}"
      - name: account-b
        regions: [us-west-1]
        access_key: "{{ b_key }}"
        secret_key: "{{ b_secret }}"
    probes:
      - {name: tokyo-a, ip: 172.16.0.41}
      - {name: svalley-b, ip: 192.168.0.147}
    required:
      - [tokyo-a, svalley-b]
"""

RETURN = r"""
pairs:
  description:
    - Every ordered probe pair with its verdict; C(warnings) (codes) only on pairs whose path crosses a piece a
      warning is about.
  returned: always
  type: list
  elements: dict
  sample: [{"from": "beijing", "to": "virginia-a", "reachable": false, "asymmetric": false, "required": true,
            "cause": "Alibaba VPC beijing-vpc (vpc-..., cn-beijing) has no route to 172.16.0.0/16: the tokyo-vpc route
                      172.16.0.0/12 -> vpn-... is not published to CEN cen-...; publish it (PublishRouteEntries)",
            "cause_code": "cen_route_not_published", "hops": [], "return_hops": [],
            "broken_hop": {"hop": 0, "domain": "Alibaba VPC beijing-vpc", "code": "cen_route_not_published",
                           "element": "vpc-...", "reason": "..."}}]
matrix:
  description: The terminal matrix (rows from, columns to) followed by the causes.
  returned: always
  type: str
  sample: "from \\ to  | virginia-a virginia-b ...\n"
reachable_count:
  description: Number of reachable ordered pairs.
  returned: always
  type: int
  sample: 12
pair_count:
  description: Number of ordered pairs traced.
  returned: always
  type: int
  sample: 12
broken:
  description: Unreachable pairs with their cause.
  returned: always
  type: list
  elements: dict
  sample: [{"from": "virginia-b", "to": "tokyo", "required": true, "cause_code": "no_route",
            "cause": "AWS VPC vpc-b ... has no route to 10.0.0.0/8 ..."}]
broken_required:
  description: The unreachable pairs among O(required).
  returned: always
  type: list
  elements: dict
  sample: []
broken_required_lines:
  description: >-
    One line per unreachable required pair, C(from -> to [cause_code]: cause), as the failure message
    of O(fail_on_unreachable) prints them.
  returned: always
  type: list
  elements: str
  sample: ["virginia-b -> tokyo [no_route]: AWS VPC vpc-b ... has no route to 10.0.0.0/8 ..."]
asymmetric:
  description: Reachable pairs whose reply crosses other transit pieces than the request.
  returned: always
  type: list
  elements: dict
  sample: [{"from": "beijing", "to": "virginia-a", "code": "asymmetric_path"}]
ipsec_checks:
  description:
    - Each AWS tunnel checked against the Alibaba tunnel on its other end (a single-tunnel IPsec connection, or
      one tunnel of a dual-tunnel or TR-attached one - C(alicloud_tunnel), C(alicloud_tunnel_ip)).
  returned: always
  type: list
  elements: dict
  sample: [{"aws_vpn_connection_id": "vpn-...", "tunnel_outside_ip": "203.0.113.10", "alicloud_ipsec_connection_id": "vco-...",
            "ok": false, "checks": {"outside_ips": true, "psk": false, "ike_version": true, "identities": true,
                                    "phase1": true, "phase2": true, "selectors": true},
            "problems": ["pre-shared keys differ between the AWS tunnel 203.0.113.10 and Alibaba IPsec connection vco-..."],
            "problem_codes": ["psk_mismatch"], "warnings": [], "warning_codes": []}]
tunnels:
  description:
    - Every tunnel once - the AWS tunnels toward Alibaba and the Alibaba tunnels no AWS tunnel answers - with
      C(status) C(up), C(down), C(idle_by_design) or C(unpaired), a C(code) when it is not up and a C(reason).
  returned: always
  type: list
  elements: dict
  sample: [{"aws_vpn_connection_id": "vpn-1", "aws_tunnel": 2, "aws_outside_ip": "203.0.113.11",
            "alicloud_ipsec_connection_id": null, "alicloud_tunnel": null, "alicloud_tunnel_ip": "198.51.100.20",
            "status": "idle_by_design", "code": "idle_by_design", "reason": "..."}]
warning_details:
  description:
    - What works but deserves attention, each with its C(code) (C(tunnel_redundancy_lost),
      C(test_bandwidth_only)) and the C(element) it is about; each is also an Ansible warning, and every pair
      whose path crosses the element lists the code in its C(warnings).
  returned: always
  type: list
  elements: dict
  sample: [{"code": "test_bandwidth_only", "element": "tr-attach-...", "message": "inter-region connection ..."}]
overlaps:
  description: Overlapping CIDRs among VPCs connected to each other.
  returned: always
  type: list
  elements: dict
  sample: [{"a": "AWS VPC vpc-b (vpc-..., us-east-1)", "a_cidr": "172.17.0.0/16", "b": "Alibaba VPC beijing-vpc (...)",
            "b_cidr": "172.17.0.0/16", "code": "overlapping_cidrs", "message": "..."}]
blackholes:
  description: Routes that drop traffic (blackhole routes, next hops that no longer exist).
  returned: always
  type: list
  elements: dict
  sample: [{"cloud": "aws", "table": "tgw-rtb-...", "destination": "192.168.0.0/16", "target": null, "code": "blackhole",
            "reason": "TGW route 192.168.0.0/16 in tgw-rtb-... is a blackhole route"}]
unplaced:
  description: Probes no subnet or vSwitch holds (or several VPCs hold).
  returned: always
  type: list
  elements: dict
  sample: [{"probe": "x", "ip": "10.9.9.9", "code": "probe_unplaced", "reason": "no subnet or vSwitch in the snapshot holds 10.9.9.9"}]
topology:
  description: Nodes (VPCs, hubs) and links (attachments, bridges, peerings) with their health.
  returned: always
  type: dict
  sample: {"nodes": [], "links": []}
read:
  description: How many resources of each kind were read, per cloud.
  returned: always
  type: dict
  sample: {"aws": {"vpcs": 2, "transit_gateways": 1}, "alicloud": {"vpcs": 2, "cens": 1}}
report_files:
  description: Paths of the files written to O(report_dir).
  returned: when report_dir is set
  type: dict
  sample: {"json": "/tmp/r/report.json", "txt": "/tmp/r/report.txt", "html": "/tmp/r/report.html"}
"""

import os
import traceback
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.multicloud.transit.plugins.module_utils.alicloud import AlicloudModule
from ansible_collections.multicloud.transit.plugins.module_utils.aws import AwsModule
from ansible_collections.multicloud.transit.plugins.module_utils import reachability as engine
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_report as render
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_snapshot as snap


class ReadError(Exception):
    """A cloud read failed inside a worker thread; the main thread fails the module once."""

    def __init__(self, msg, details):
        super(ReadError, self).__init__(msg)
        self.msg = msg
        self.details = details


class ThreadSafeFailures(object):
    """Stands in for the AnsibleModule inside reader threads: failing raises, never exits."""

    def __init__(self, module, where):
        self.module = module
        self.where = where
        self.check_mode = module.check_mode
        self.params = module.params

    def fail_json(self, msg, **kwargs):
        kwargs.pop("exception", None)
        raise ReadError("%s: %s" % (self.where, msg), kwargs)

    def exit_json(self, **kwargs):  # pragma: no cover - readers never exit
        raise ReadError("%s: unexpected exit" % self.where, kwargs)


def env(*names):
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    return None


def aws_jobs(module, accounts, hasher):
    jobs = []
    for account in accounts:
        for region in account["regions"]:
            params = {"region": region, "access_key": account.get("access_key") or env("AWS_ACCESS_KEY_ID"),
                      "secret_key": account.get("secret_key") or env("AWS_SECRET_ACCESS_KEY"),
                      "session_token": account.get("session_token") or env("AWS_SESSION_TOKEN"),
                      "profile": account.get("profile"),
                      "endpoint_url": account.get("endpoint_url") or env("AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL")}
            where = "AWS account %s region %s" % (account["name"], region)
            jobs.append(partial(aws_job, module, params, where, account["name"], region, hasher))
    return jobs


def aws_job(module, params, where, name, region, hasher):
    helper = AwsModule.for_account(ThreadSafeFailures(module, where), params)
    return [("aws", snap.read_aws(helper, name, region, hasher))]


def alicloud_jobs(module, accounts, hasher):
    jobs = []
    for account in accounts:
        base = {"alicloud_access_key": account.get("access_key") or env("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"),
                "alicloud_secret_key": account.get("secret_key") or env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
                "alicloud_security_token": account.get("security_token") or env("ALIBABA_CLOUD_SECURITY_TOKEN",
                                                                                "ALICLOUD_SECURITY_TOKEN"),
                "alicloud_endpoint": account.get("endpoint") or env("ALICLOUD_ENDPOINT")}
        label = account.get("account_uid") or account["name"]
        for index, region in enumerate(account["regions"]):
            where = "Alibaba Cloud account %s region %s" % (account["name"], region)
            jobs.append(partial(alicloud_job, module, dict(base, alicloud_region=region), where, label, region, hasher,
                                index == 0))
    return jobs


def alicloud_job(module, params, where, name, region, hasher, with_cens):
    helper = AlicloudModule.for_account(ThreadSafeFailures(module, where), params)
    parts = [("alicloud", snap.read_alicloud_region(helper, name, region, hasher))]
    if with_cens:  # CEN is global: read once per account
        parts.append(("alicloud", {"cens": snap.read_alicloud_cens(helper, name)}))
    return parts


def read_all(module, hasher):
    """Every account and region, AWS and Alibaba reads overlapping in threads."""
    jobs = aws_jobs(module, module.params["aws"], hasher) + alicloud_jobs(module, module.params["alicloud"], hasher)
    if not jobs:
        module.fail_json(msg="Nothing to read: give at least one account in aws or alicloud.")
    parts, errors = [], []
    with ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
        futures = [pool.submit(job) for job in jobs]
        for future in futures:
            try:
                parts.extend(future.result())
            except ReadError as exc:
                errors.append(exc)
            except Exception as exc:  # pylint: disable=broad-except
                errors.append(ReadError("unexpected error while reading: %s" % exc, {"traceback": traceback.format_exc()}))
    if errors:
        first = errors[0]
        module.fail_json(msg="Could not read the clouds' state (%d read(s) failed): %s" % (
            len(errors), " | ".join(e.msg for e in errors)), **dict((k, v) for k, v in first.details.items() if k != "msg"))
    return parts


def validate_required(module, names):
    required = module.params["required"]
    if required in (None, "all", ["all"]):
        return "all"
    if not isinstance(required, list):
        module.fail_json(msg="required must be 'all' or a list of [from, to] probe-name pairs, got %r." % (required,))
    out = []
    for item in required:
        pair = [item.get("from"), item.get("to")] if isinstance(item, dict) else item
        if not isinstance(pair, list) or len(pair) != 2:
            module.fail_json(msg="required: each entry is a [from, to] pair of probe names, got %r." % (item,))
        unknown = [n for n in pair if n not in names]
        if unknown:
            module.fail_json(msg="required: %s is not a probe name; probes are %s." % (
                ", ".join(map(str, unknown)), ", ".join(names)))
        out.append([pair[0], pair[1]])
    return out


def main():
    account_aws = dict(name=dict(type="str", required=True),
                       regions=dict(type="list", elements="str", required=True, aliases=["region"]),
                       access_key=dict(type="str", no_log=False), secret_key=dict(type="str", no_log=True),
                       session_token=dict(type="str", no_log=True), profile=dict(type="str"),
                       endpoint_url=dict(type="str"))
    account_ali = dict(name=dict(type="str", required=True),
                       regions=dict(type="list", elements="str", required=True, aliases=["region"]),
                       access_key=dict(type="str", no_log=False), secret_key=dict(type="str", no_log=True),
                       security_token=dict(type="str", no_log=True), endpoint=dict(type="str"),
                       account_uid=dict(type="str"))
    module = AnsibleModule(
        argument_spec=dict(
            aws=dict(type="list", elements="dict", default=[], options=account_aws),
            alicloud=dict(type="list", elements="dict", default=[], options=account_ali),
            probes=dict(type="list", elements="dict", required=True,
                        options=dict(name=dict(type="str", required=True), ip=dict(type="str", required=True),
                                     vpc=dict(type="str"))),
            required=dict(type="raw", default="all"),
            fail_on_unreachable=dict(type="bool", default=True),
            include_hops=dict(type="bool", default=True),
            report_dir=dict(type="path"),
            title=dict(type="str", default="Cross-cloud reachability"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    probes = [dict((k, v) for k, v in probe.items() if v is not None) for probe in p["probes"]]
    names = [probe["name"] for probe in probes]
    duplicates = sorted(set(n for n in names if names.count(n) > 1))
    if duplicates:
        module.fail_json(msg="probes: names must be unique; repeated: %s." % ", ".join(duplicates))
    for probe in probes:
        try:
            engine.ip_int(probe["ip"])
        except ValueError:
            module.fail_json(msg="probes: %s has ip %r, which is not an IPv4 address." % (probe["name"], probe["ip"]))
    required = validate_required(module, names)

    parts = read_all(module, snap.PskHasher())
    snapshot = snap.merge(parts, probes)
    for cloud in ("aws", "alicloud"):
        for warning in snapshot[cloud].pop("warnings", []):
            module.warn("[%s] %s" % (warning["code"], warning["message"]))
    report = engine.analyse(snapshot, required=required, with_hops=p["include_hops"])
    for warning in report["warnings"]:
        module.warn("[%s] %s" % (warning["code"], warning["message"]))
    report["read"] = dict((cloud, dict((kind, len(items)) for kind, items in snapshot[cloud].items()))
                          for cloud in ("aws", "alicloud"))
    result = dict(changed=False, matrix=render.matrix_text(report))
    for key in ("pairs", "pair_count", "reachable_count", "broken", "broken_required", "asymmetric", "ipsec_checks",
                "tunnels", "overlaps", "blackholes", "unplaced", "topology", "read"):
        result[key] = report[key]
    result["warning_details"] = report["warnings"]   # Ansible keeps the result key "warnings" for its own
    if p["report_dir"]:
        try:
            result["report_files"] = render.write_reports(report, p["report_dir"], p["title"])
        except (IOError, OSError) as exc:
            module.fail_json(msg="Could not write the report into %s: %s. Check the path and its permissions."
                             % (p["report_dir"], exc), **result)
    lines = ["%s -> %s %s" % (b["from"], b["to"], render.cause_text(b)) for b in report["broken_required"]]
    result["broken_required_lines"] = lines
    if p["fail_on_unreachable"] and lines:
        module.fail_json(msg="%d required pair(s) unreachable:\n%s" % (len(lines), "\n".join(lines)), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
