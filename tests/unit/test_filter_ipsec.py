"""plugins/filter/ipsec.py: the FQCN filters the vpn_bridge role uses, their errors and their documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import get_hash

from ansible_collections.multicloud.transit.plugins.filter.ipsec import FilterModule
from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from playbookhelpers import filter_docs, localhost_play

ROOT = Path(__file__).resolve().parents[2]
FILTERS = FilterModule().filters()


def test_the_filters_and_their_doc_files():
    assert sorted(FILTERS) == ["ipsec_aws_tunnels", "ipsec_proposal", "ipsec_proposal_problems", "ipsec_valid_inside_cidr",
                               "ipsec_valid_psk", "psk_from_seed"]
    for name in FILTERS:
        assert (ROOT / "plugins" / "filter" / ("%s.yml" % name)).exists(), name


def test_ipsec_proposal_and_its_problems():
    shapes = FILTERS["ipsec_proposal"]({"encryption": "aes128", "dh_group": "2"})
    assert shapes["aws"]["phase1_encryption_algorithms"] == ["AES128"] and shapes["aws"]["phase2_dh_group_numbers"] == [2]
    assert shapes["alicloud"]["ike_config"]["enc_alg"] == "aes" and shapes["alicloud"]["ipsec_config"]["pfs"] == "group2"
    assert FILTERS["ipsec_proposal"](None) == ipsec.proposal()
    with pytest.raises(AnsibleFilterError, match="ipsec_proposal: .*phase1_lifetime: 86400 s"):
        FILTERS["ipsec_proposal"]({"phase1_lifetime": 86400})
    with pytest.raises(AnsibleFilterError, match="must be a dictionary"):
        FILTERS["ipsec_proposal"]("ikev2")
    assert FILTERS["ipsec_proposal_problems"]({}) == []
    problems = FILTERS["ipsec_proposal_problems"]({"integrity": "md5", "dh_group": 5})
    assert len(problems) == 2 and problems[0].startswith("integrity") and problems[1].startswith("dh_group")


def test_ipsec_aws_tunnels_never_echoes_a_key():
    tunnels = FILTERS["ipsec_aws_tunnels"]({}, ["first.key_1", "second.key_2"])
    assert len(tunnels) == 2 and tunnels[1]["pre_shared_key"] == "second.key_2" and "tunnel_inside_cidr" not in tunnels[0]
    with pytest.raises(AnsibleFilterError) as err:
        FILTERS["ipsec_aws_tunnels"]({}, ["first.key_1", "bad key!"])
    assert "pre_shared_keys[1]" in str(err.value) and "bad key!" not in str(err.value)


def test_psk_from_seed_matches_the_roles_former_jinja():
    for n in (1, 2):
        former = "k" + get_hash("seed-1:bridge-a:%d" % n, "sha256")[:39]
        assert FILTERS["psk_from_seed"]("seed-1", "bridge-a", n) == former
    with pytest.raises(AnsibleFilterError, match="non-empty"):
        FILTERS["psk_from_seed"]("", "bridge-a", 1)


def test_validity_filters():
    assert FILTERS["ipsec_valid_psk"]("walkthrough.shared_key1") is True
    assert FILTERS["ipsec_valid_psk"]("0leading_zero") is False and FILTERS["ipsec_valid_psk"](None) is False
    assert FILTERS["ipsec_valid_inside_cidr"]("169.254.10.0/30") is True
    assert FILTERS["ipsec_valid_inside_cidr"]("169.254.6.0/30") is False   # AWS accepts it, Alibaba does not


def test_filters_by_fqcn_in_a_playbook(tmp_path):
    """The filters as a role calls them: FQCN, through Jinja and the collection loader."""
    playbook = tmp_path / "filters.yml"
    playbook.write_text("""
- hosts: localhost
  gather_facts: false
  vars:
    proposal: "{{ {'integrity': 'sha1'} | multicloud.transit.ipsec_proposal }}"
    keys:
      - "{{ 'seed-1' | multicloud.transit.psk_from_seed('bridge-a', 1) }}"
      - "{{ 'seed-1' | multicloud.transit.psk_from_seed('bridge-a', 2) }}"
  tasks:
    - ansible.builtin.assert:
        that:
          - proposal.aws.phase1_integrity_algorithms == ['SHA1']
          - proposal.alicloud.ike_config.auth_alg == 'sha1'
          - keys | map('multicloud.transit.ipsec_valid_psk') | reject | list | length == 0
          - keys[0] == 'k' ~ ('seed-1:bridge-a:1' | hash('sha256'))[:39]
          - "({'dh_group': 5} | multicloud.transit.ipsec_proposal_problems | length) == 1"
          - (['169.254.10.0/30', '169.254.1.0/30'] | map('multicloud.transit.ipsec_valid_inside_cidr') | list)
            == [true, false]
          - ({} | multicloud.transit.ipsec_aws_tunnels(keys) | map(attribute='pre_shared_key') | list) == keys
    - ansible.builtin.debug:
        msg: "{{ {'phase1_lifetime': 86400} | multicloud.transit.ipsec_proposal }}"
      register: refused
      ignore_errors: true
    - ansible.builtin.assert:
        that: refused is failed and 'phase1_lifetime' in refused.msg
""")
    run = localhost_play(playbook)
    assert run.recap["localhost"]["failed"] == 0 and run.recap["localhost"]["ignored"] == 1


def test_ansible_doc_renders_every_filter():
    filter_docs(["multicloud.transit.%s" % name for name in sorted(FILTERS)])
