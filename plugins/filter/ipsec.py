# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPsec filters: both clouds' rules (module_utils/ipsec.py) for roles and playbooks.

Each filter is documented in the YAML file of its name beside this one (ansible-doc -t filter).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec


def _mapping(value, name):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AnsibleFilterError("%s: the proposal must be a dictionary, got %s" % (name, type(value).__name__))
    return dict(value)


def ipsec_proposal(desired):
    """One proposal in both clouds' shapes; fails naming every value a cloud would refuse."""
    try:
        return ipsec.proposal(_mapping(desired, "ipsec_proposal"))
    except ipsec.ProposalError as exc:
        raise AnsibleFilterError("ipsec_proposal: %s" % exc)


def ipsec_proposal_problems(desired):
    """Why the clouds would not both accept the proposal (an empty list when they do)."""
    return ipsec.proposal_problems(_mapping(desired, "ipsec_proposal_problems"))


def ipsec_aws_tunnels(desired, pre_shared_keys=None, inside_cidrs=None):
    """Both AWS tunnels on the proposal, with their keys and inside CIDRs when given."""
    try:
        return ipsec.aws_tunnels(_mapping(desired, "ipsec_aws_tunnels"), pre_shared_keys, inside_cidrs)
    except ipsec.ProposalError as exc:
        raise AnsibleFilterError("ipsec_aws_tunnels: %s" % exc)


def psk_from_seed(seed, bridge, tunnel):
    """The pre-shared key of one tunnel of a bridge, derived from a secret seed (valid on both clouds)."""
    if not seed or not isinstance(seed, str):
        raise AnsibleFilterError("psk_from_seed: the seed must be a non-empty string")
    return ipsec.psk_from_seed(seed, bridge, tunnel)


def ipsec_valid_psk(psk):
    """True when both AWS and Alibaba Cloud accept the pre-shared key."""
    return ipsec.valid_psk(psk)


def ipsec_valid_inside_cidr(cidr):
    """True when both clouds accept the tunnel inside CIDR."""
    return ipsec.valid_inside_cidr(cidr)


class FilterModule(object):
    """multicloud.transit IPsec filters."""

    def filters(self):
        return {
            "ipsec_proposal": ipsec_proposal,
            "ipsec_proposal_problems": ipsec_proposal_problems,
            "ipsec_aws_tunnels": ipsec_aws_tunnels,
            "psk_from_seed": psk_from_seed,
            "ipsec_valid_psk": ipsec_valid_psk,
            "ipsec_valid_inside_cidr": ipsec_valid_inside_cidr,
        }
