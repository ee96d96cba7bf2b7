"""module_utils/ipsec.py: both clouds' IPsec rules, the name maps, a common proposal, PSKs and tunnel pairing."""

from __future__ import annotations

import copy
import hashlib
import itertools

import pytest

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes

PINNED_AWS = {"ike_versions": ["ikev2"], "phase1_encryption_algorithms": ["AES256"],
              "phase1_integrity_algorithms": ["SHA2-256"], "phase1_dh_group_numbers": [14],
              "phase1_lifetime_seconds": 28800, "phase2_encryption_algorithms": ["AES256"],
              "phase2_integrity_algorithms": ["SHA2-256"], "phase2_dh_group_numbers": [14],
              "phase2_lifetime_seconds": 3600}
PINNED_IKE = {"version": "ikev2", "mode": "main", "enc_alg": "aes256", "auth_alg": "sha256", "pfs": "group14",
              "lifetime": 28800}
PINNED_IPSEC = {"enc_alg": "aes256", "auth_alg": "sha256", "pfs": "group14", "lifetime": 3600}


# --- a common proposal ------------------------------------------------------------------------------------

def test_default_proposal_is_the_pinned_one_in_both_shapes():
    shapes = ipsec.proposal()
    assert shapes["aws"] == PINNED_AWS
    assert shapes["alicloud"] == {"ike_config": PINNED_IKE, "ipsec_config": PINNED_IPSEC}
    assert shapes["alicloud_api"]["IkeConfig"] == {"IkeVersion": "ikev2", "IkeMode": "main", "IkeEncAlg": "aes256",
                                                   "IkeAuthAlg": "sha256", "IkePfs": "group14", "IkeLifetime": 28800}
    assert shapes["alicloud_api"]["IpsecConfig"] == {"IpsecEncAlg": "aes256", "IpsecAuthAlg": "sha256",
                                                     "IpsecPfs": "group14", "IpsecLifetime": 3600}


@pytest.mark.parametrize("words", [
    {"encryption": "aes128", "integrity": "sha1", "dh_group": 2},          # neutral
    {"encryption": "AES128", "integrity": "SHA1", "dh_group": "2"},        # AWS
    {"encryption": "aes", "integrity": "sha1", "dh_group": "group2"},      # Alibaba
])
def test_proposal_takes_either_clouds_names(words):
    shapes = ipsec.proposal(dict(words, ike_version="IKEv1", phase1_lifetime=3600, phase2_lifetime=900))
    aws, ike, ipsec_config = shapes["aws"], shapes["alicloud"]["ike_config"], shapes["alicloud"]["ipsec_config"]
    assert aws["ike_versions"] == ["ikev1"]
    assert aws["phase1_encryption_algorithms"] == aws["phase2_encryption_algorithms"] == ["AES128"]
    assert aws["phase1_integrity_algorithms"] == ["SHA1"] and aws["phase2_dh_group_numbers"] == [2]
    assert (aws["phase1_lifetime_seconds"], aws["phase2_lifetime_seconds"]) == (3600, 900)
    assert ike == {"version": "ikev1", "mode": "main", "enc_alg": "aes", "auth_alg": "sha1", "pfs": "group2",
                   "lifetime": 3600}
    assert ipsec_config == {"enc_alg": "aes", "auth_alg": "sha1", "pfs": "group2", "lifetime": 900}


@pytest.mark.parametrize("desired, key", [
    ({"integrity": "md5"}, "integrity"),                # Alibaba only
    ({"encryption": "aes192"}, "encryption"),           # Alibaba only
    ({"encryption": "AES256-GCM-16"}, "encryption"),    # AWS only
    ({"dh_group": 5}, "dh_group"),                      # AWS phase 2 only
    ({"dh_group": 20}, "dh_group"),                     # AWS only
    ({"ike_version": "ikev3"}, "ike_version"),
    ({"phase1_lifetime": 86400}, "phase1_lifetime"),    # Alibaba's default, above AWS's 28800
    ({"phase2_lifetime": 600}, "phase2_lifetime"),      # below AWS's 900
    ({"phase1_lifetime": 3600, "phase2_lifetime": 3600}, "phase2_lifetime"),  # AWS: phase 2 < phase 1
    ({"phase1_lifetime": "soon"}, "phase1_lifetime"),
    ({"pfs": "group14"}, "pfs"),                        # not a proposal key
])
def test_proposal_refused_by_a_cloud_names_the_key(desired, key):
    problems = ipsec.proposal_problems(desired)
    assert len(problems) == 1 and key in problems[0], problems
    with pytest.raises(ipsec.ProposalError) as err:
        ipsec.proposal(desired)
    assert err.value.problems == problems


def test_every_common_proposal_passes_both_clouds_own_checks():
    """What proposal() builds must pass the AWS tunnel validation and the Alibaba-towards-AWS check."""
    for version, enc, integ, dh in itertools.product(("ikev1", "ikev2"), ("aes128", "aes256"),
                                                     ("sha1", "sha256", "sha384", "sha512"), (2, 14)):
        shapes = ipsec.proposal({"ike_version": version, "encryption": enc, "integrity": integ, "dh_group": dh})
        norm, problems = ipsec.validate_aws_tunnel(shapes["aws"])
        assert problems == [] and norm == shapes["aws"]
        api = shapes["alicloud_api"]
        assert ipsec.aws_incompatibilities(api["IkeConfig"], api["IpsecConfig"], ["0.0.0.0/0"], ["0.0.0.0/0"], None) == []
        assert api["IkeConfig"]["IkeEncAlg"] in ipsec.ALI_ENCRYPTION and api["IkeConfig"]["IkePfs"] in ipsec.ALI_IKE_PFS
        assert api["IpsecConfig"]["IpsecPfs"] in ipsec.ALI_IPSEC_PFS


def test_aws_tunnels_two_items_with_keys_and_cidrs_checked_for_both_clouds():
    tunnels = ipsec.aws_tunnels({}, ["first.key_1", "second.key_2"], ["169.254.10.0/30", "169.254.11.0/30"])
    assert [t["pre_shared_key"] for t in tunnels] == ["first.key_1", "second.key_2"]
    assert [t["tunnel_inside_cidr"] for t in tunnels] == ["169.254.10.0/30", "169.254.11.0/30"]
    assert all(dict((k, v) for k, v in t.items() if k in PINNED_AWS) == PINNED_AWS for t in tunnels)
    assert ipsec.aws_tunnels() == [PINNED_AWS, PINNED_AWS]
    with pytest.raises(ipsec.ProposalError) as err:
        ipsec.aws_tunnels({}, ["only-one-key"], ["169.254.6.0/30", "169.254.11.0/30"])
    text = str(err.value)
    assert "pre_shared_keys: give none or 2" in text and "inside_cidrs[0]" in text and "Alibaba Cloud" in text
    assert "only-one-key" not in text


# --- names across the clouds ------------------------------------------------------------------------------------

def test_name_maps_are_inverse_and_inside_each_clouds_lists():
    assert ipsec.ALI_TO_AWS_ENCRYPTION == {"aes": "AES128", "aes256": "AES256"}
    assert ipsec.ALI_TO_AWS_INTEGRITY == {"sha1": "SHA1", "sha256": "SHA2-256", "sha384": "SHA2-384",
                                          "sha512": "SHA2-512"}
    assert ipsec.ALI_TO_AWS_DH_GROUP["group2"] == 2 and ipsec.ALI_TO_AWS_DH_GROUP["group14"] == 14
    for forward, backward, ali_list, aws_list in (
            (ipsec.ALI_TO_AWS_ENCRYPTION, ipsec.AWS_TO_ALI_ENCRYPTION, ipsec.ALI_ENCRYPTION, ipsec.AWS_PHASE1_ENCRYPTION),
            (ipsec.ALI_TO_AWS_INTEGRITY, ipsec.AWS_TO_ALI_INTEGRITY, ipsec.ALI_INTEGRITY, ipsec.AWS_PHASE1_INTEGRITY)):
        assert dict((v, k) for k, v in forward.items()) == backward
        assert set(forward) <= set(ali_list) and set(forward.values()) <= set(aws_list)


def test_canonical_names():
    assert ipsec.canonical_encryption("aes") == "aes128" and ipsec.canonical_encryption("AES256-GCM-16") == "aes256-gcm16"
    assert ipsec.canonical_integrity("SHA2-256") == "sha256" and ipsec.canonical_integrity("sha1") == "sha1"
    assert ipsec.canonical_dh_group("group14") == 14 and ipsec.canonical_dh_group(2) == 2
    assert ipsec.canonical_dh_group("disabled") == 0 and ipsec.canonical_dh_group("modp2048") is None
    assert ipsec.canonical_ike_version("IKEv2") == "ikev2" and ipsec.canonical_ike_version("1") == "ikev1"
    assert ipsec.aws_name("encryption", "aes128") == "AES128" and ipsec.alicloud_name("encryption", "aes128") == "aes"
    assert ipsec.aws_name("integrity", "md5") is None and ipsec.alicloud_name("dh_group", 20) is None


def test_the_twins_independent_copy_agrees_with_these_rules():
    """The twin keeps its own rules on purpose (it is the other side of the tests); they must say the same."""
    from cloudtwin import crosscloud
    from cloudtwin.alicloud.models import vpn_ipsec as ali_model
    from cloudtwin.aws.extensions import vpn as aws_ext

    assert aws_ext.IKE_VERSIONS == ipsec.AWS_IKE_VERSIONS and aws_ext.ENCRYPTION == ipsec.AWS_PHASE1_ENCRYPTION
    assert aws_ext.INTEGRITY == ipsec.AWS_PHASE1_INTEGRITY
    assert aws_ext.PHASE1_DH == ipsec.AWS_PHASE1_DH_GROUPS and aws_ext.PHASE2_DH == ipsec.AWS_PHASE2_DH_GROUPS
    assert aws_ext.PSK_CHARS == ipsec.AWS_PSK_CHARS and set(aws_ext.RESERVED_INSIDE) == set(ipsec.AWS_RESERVED_INSIDE_CIDRS)
    assert aws_ext.DPD_ACTIONS == ipsec.AWS_DPD_ACTIONS and aws_ext.STARTUP_ACTIONS == ipsec.AWS_STARTUP_ACTIONS
    assert set(ali_model.PSK_CHARS) == set(ipsec.ALI_PSK_CHARS)
    assert dict((k, v) for k, v in crosscloud.ENCRYPTION.items() if v) == ipsec.ALI_TO_AWS_ENCRYPTION
    assert dict((k, v) for k, v in crosscloud.INTEGRITY.items() if v) == ipsec.ALI_TO_AWS_INTEGRITY
    assert crosscloud.AWS_PHASE1_MAX_LIFETIME == ipsec.AWS_PHASE1_LIFETIME[1]
    assert crosscloud.AWS_PHASE2_MAX_LIFETIME == ipsec.AWS_PHASE2_LIFETIME[1]


# --- pre-shared keys ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("psk, aws_ok, ali_ok", [
    ("walkthrough.shared_key1", True, True),
    ("short", False, True),                  # AWS: 8-64
    ("0starts_with_zero", False, True),      # AWS: not '0' first
    ("has-dash-and!bang", False, True),      # AWS: letters, digits, '.', '_'
    ("has a space inside", False, False),    # neither: no spaces
    ("x" * 65, False, True),
    ("x" * 101, False, False),               # Alibaba: 1-100
    ("", False, False),
    ("tab\tkey", False, False),
])
def test_psk_rules_of_each_cloud_and_both(psk, aws_ok, ali_ok):
    assert (ipsec.aws_psk_problem(psk) is None) is aws_ok
    assert (ipsec.alicloud_psk_problem(psk) is None) is ali_ok
    assert ipsec.valid_psk(psk) is (aws_ok and ali_ok)
    for problem in ipsec.psk_problems(psk):
        assert psk not in problem or not psk


def test_psk_from_seed_is_the_roles_old_derivation_and_valid_on_both_clouds():
    for seed, bridge in (("molecule-not-a-secret", "molecule-vpn"), ("s3cret", "tgw-tokyo")):
        keys = [ipsec.psk_from_seed(seed, bridge, n) for n in (1, 2)]
        # roles/vpn_bridge derived 'k' ~ (seed ~ ':' ~ bridge ~ ':' ~ n) | hash('sha256'))[:39]
        assert keys == ["k" + hashlib.sha256(("%s:%s:%d" % (seed, bridge, n)).encode()).hexdigest()[:39] for n in (1, 2)]
        assert keys[0] != keys[1] and all(len(k) == 40 and ipsec.valid_psk(k) for k in keys)
    assert ipsec.psk_from_seed("a", "b", 1) == ipsec.psk_from_seed("a", "b", 1) != ipsec.psk_from_seed("a", "c", 1)
    with pytest.raises(ValueError):
        ipsec.psk_from_seed("", "b", 1)


# --- tunnel inside CIDRs ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cidr, aws_ok, ali_ok", [
    ("169.254.10.0/30", True, True),
    ("169.254.5.0/30", False, False),        # both reserve 0-5
    ("169.254.6.0/30", True, False),         # Alibaba also reserves 169.254.6.0/30
    ("169.254.169.252/30", False, False),
    ("169.254.10.0/29", False, False),
    ("169.254.10.1/30", False, False),       # host bits set
    ("10.0.0.0/30", False, False),
    ("nonsense", False, False),
])
def test_inside_cidr_rules_of_each_cloud_and_both(cidr, aws_ok, ali_ok):
    assert (ipsec.aws_inside_cidr_problem(cidr) is None) is aws_ok
    assert (ipsec.alicloud_tunnel_cidr_problem(cidr) is None) is ali_ok
    assert ipsec.valid_inside_cidr(cidr) is (aws_ok and ali_ok)


# --- one AWS tunnel's options, an Alibaba configuration toward AWS ----------------------------------------------------

def test_validate_aws_tunnel_normalises_and_names_each_refused_option():
    norm, problems = ipsec.validate_aws_tunnel({"ike_versions": ["IKEv2", "ikev2"], "phase1_encryption_algorithms": ["aes256"],
                                                "dpd_timeout_action": "Restart", "startup_action": None})
    assert problems == [] and norm == {"ike_versions": ["ikev2"], "phase1_encryption_algorithms": ["AES256"],
                                       "dpd_timeout_action": "restart"}
    refused = {"tunnel_inside_cidr": "169.254.1.0/30", "pre_shared_key": "0secret_key", "ike_versions": [],
               "phase2_integrity_algorithms": ["MD5"], "phase1_dh_group_numbers": [5], "phase1_lifetime_seconds": 1800,
               "phase2_lifetime_seconds": 1800, "dpd_timeout_seconds": 10, "startup_action": "now"}
    norm, problems = ipsec.validate_aws_tunnel(refused)
    # phase 1's lifetime is fine on its own; phase 2's equals it, which AWS refuses
    assert sorted(option for option, dummy in problems) == sorted(set(refused) - {"phase1_lifetime_seconds"})
    assert norm == {"phase1_lifetime_seconds": 1800}
    assert "0secret_key" not in repr(problems)


def test_aws_incompatibilities_of_alibabas_defaults():
    problems = ipsec.aws_incompatibilities(ipsec.ALI_IKE_DEFAULTS, ipsec.ALI_IPSEC_DEFAULTS, ["10.0.0.0/8", "192.168.0.0/16"],
                                           ["172.16.0.0/12"], "0bad")
    fields = [p.split("=")[0].split(" ")[0] for p in problems]
    assert fields == ["ike_config.auth_alg", "ike_config.lifetime", "ipsec_config.auth_alg", "ipsec_config.lifetime",
                      "ike_config.version", "pre_shared_key"]
    assert "use 28800" in problems[1] and "use 3600" in problems[3]
    assert "0bad" not in " ".join(problems)
    no_pfs = dict(ipsec.ALI_IPSEC_DEFAULTS, IpsecAuthAlg="sha1", IpsecPfs="disabled", IpsecLifetime=3600)
    ike = dict(ipsec.ALI_IKE_DEFAULTS, IkeAuthAlg="sha1", IkePfs="group5", IkeLifetime=28800, IkeMode="aggressive")
    problems = ipsec.aws_incompatibilities(ike, no_pfs, ["0.0.0.0/0"], ["0.0.0.0/0"], None)
    assert problems == ["ike_config.pfs=group5 (AWS phase 1 accepts group2 or group14)",
                        "ipsec_config.pfs=disabled (AWS always uses PFS in phase 2; use group2, group5 or group14)",
                        "ike_config.mode=aggressive (AWS accepts main mode only)"]


# --- both ends of a tunnel -------------------------------------------------------------------------------------------

AWS_END = {"vpn_id": "vpn-1", "outside_ip": "203.0.113.10", "customer_gateway_id": "cgw-1",
           "customer_gateway_ip": "198.51.100.7", "psk_hash": "h1", "ike_versions": ["ikev2"],
           "phase1": {"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14], "lifetime": 28800},
           "phase2": {"encryption": ["AES256"], "integrity": ["SHA2-256"], "dh_groups": [14], "lifetime": 3600},
           "local_cidr": "0.0.0.0/0", "remote_cidr": "0.0.0.0/0"}
ALI_END = {"id": "vco-1", "gateway_id": "vpn-gw", "gateway_ip": "198.51.100.7", "customer_gateway_ip": "203.0.113.10",
           "local_subnets": ["0.0.0.0/0"], "remote_subnets": ["172.16.0.0/12"],
           "ike": {"version": "ikev2", "mode": "main", "encryption": "aes256", "integrity": "sha256",
                   "dh_group": "group14", "lifetime": 28800, "psk_hash": "h1"},
           "ipsec": {"encryption": "aes256", "integrity": "sha256", "dh_group": "group14", "lifetime": 3600}}


def _codes(aws_changes=None, ali_changes=None):
    aws, ali = copy.deepcopy(AWS_END), copy.deepcopy(ALI_END)
    for target, changes in ((aws, aws_changes), (ali, ali_changes)):
        for path, value in (changes or {}).items():
            node = target
            keys = path.split(".")
            for key in keys[:-1]:
                node = node[key]
            node[keys[-1]] = value
    result = ipsec.compare_tunnel(aws, ali)
    return [code for code, dummy in result["mismatches"]], result


def test_compare_tunnel_agreeing_ends():
    codes, result = _codes()
    assert codes == [] and result["warnings"] == []
    assert all(result["checks"][name] is True for name in ("outside_ips", "psk", "ike_version", "identities", "phase1",
                                                           "phase2", "selectors"))


@pytest.mark.parametrize("aws_changes, ali_changes, code, check", [
    ({"customer_gateway_ip": "198.51.100.99"}, None, causes.OUTSIDE_IP_MISMATCH, "outside_ips"),
    (None, {"customer_gateway_ip": "203.0.113.99"}, causes.OUTSIDE_IP_MISMATCH, "outside_ips"),
    (None, {"ike.psk_hash": "h2"}, causes.PSK_MISMATCH, "psk"),
    (None, {"ike.version": "ikev1"}, causes.IKE_VERSION_MISMATCH, "ike_version"),
    ({"ike_versions": ["ikev1"]}, {"ike.version": "ikev1", "ike.mode": "aggressive"}, causes.IKE_MODE_MISMATCH,
     "ike_version"),
    (None, {"ike.local_id": "tokyo-gw"}, causes.IDENTITY_MISMATCH, "identities"),
    (None, {"ike.remote_id": "203.0.113.11"}, causes.IDENTITY_MISMATCH, "identities"),
    (None, {"ike.integrity": "md5"}, causes.PROPOSAL_MISMATCH, "phase1"),
    (None, {"ipsec.dh_group": "disabled"}, causes.PROPOSAL_MISMATCH, "phase2"),
    ({"phase2.encryption": ["AES128"]}, None, causes.PROPOSAL_MISMATCH, "phase2"),
    (None, {"ike.lifetime": 86400}, causes.LIFETIME_OUT_OF_RANGE, "phase1"),
    (None, {"ipsec.lifetime": 7200}, causes.LIFETIME_OUT_OF_RANGE, "phase2"),
    ({"remote_cidr": "172.16.0.0/16"}, None, causes.SELECTOR_MISMATCH, "selectors"),
    ({"ike_versions": []}, {"ike.version": "ikev1", "local_subnets": ["10.0.0.0/8", "192.168.0.0/16"]},
     causes.TOO_MANY_SA_PAIRS, "selectors"),
])
def test_compare_tunnel_each_mismatch_has_its_code(aws_changes, ali_changes, code, check):
    codes, result = _codes(aws_changes, ali_changes)
    assert codes == [code], result["mismatches"]
    assert result["checks"][check] is False
    assert all(c in causes.CAUSES for c in codes)


def test_compare_tunnel_defaults_and_unknown_psk():
    # AWS lists left empty accept everything AWS offers; Alibaba values left out are its defaults (aes/md5/group2)
    codes, result = _codes({"phase1": {}, "phase2": {}, "ike_versions": []}, {"ike": {"psk_hash": "h1"}, "ipsec": {}})
    assert codes == [causes.PROPOSAL_MISMATCH, causes.PROPOSAL_MISMATCH]   # md5 in both phases
    assert "md5" in result["mismatches"][0][1] and "phase-1" in result["mismatches"][0][1]
    codes, result = _codes({"psk_hash": None})
    assert codes == [] and result["checks"]["psk"] is None
    assert [code for code, dummy in result["warnings"]] == [causes.PSK_UNKNOWN]
    assert causes.PSK_UNKNOWN in causes.WARNINGS
