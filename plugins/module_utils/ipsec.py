# -*- coding: utf-8 -*-
# Copyright: multicloud.transit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IPsec rules of both clouds, in one place: what each accepts, how their names map, and
what both accept together.

Used by the modules (aws_vpn_connection through aws_vpn.py, alicloud_ipsec_connection), the
reachability engine (tunnel pairing) and the filters in plugins/filter/ipsec.py (the vpn_bridge
role). No SDK, no I/O. The twin (emulator/) keeps its own copy on purpose: it is the other side
of the tests.

Three vocabularies meet here:

- AWS names (``AES256``, ``SHA2-256``, DH group ``14``), as in VpnTunnelOptionsSpecification;
- Alibaba names (``aes256``, ``sha256``, ``group14``), as in IkeConfig / IpsecConfig;
- neutral names (``aes256``, ``sha256``, ``14``), what ``canonical_*`` return and what a common
  proposal (``proposal``) is written in; ``aes128`` is Alibaba's ``aes``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import string

from ansible_collections.multicloud.transit.plugins.module_utils import reachability_causes as causes

# --- AWS tunnel rules -----------------------------------------------------------------------------
# AWS "Tunnel options for your Site-to-Site VPN connection" (VpnTunnelOptionsSpecification).
AWS_IKE_VERSIONS = ("ikev1", "ikev2")
AWS_PHASE1_ENCRYPTION = ("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16")
AWS_PHASE2_ENCRYPTION = AWS_PHASE1_ENCRYPTION
AWS_PHASE1_INTEGRITY = ("SHA1", "SHA2-256", "SHA2-384", "SHA2-512")
AWS_PHASE2_INTEGRITY = AWS_PHASE1_INTEGRITY
AWS_PHASE1_DH_GROUPS = (2,) + tuple(range(14, 25))        # AWS "Tunnel options": phase 1 DH 2, 14-24
AWS_PHASE2_DH_GROUPS = (2, 5) + tuple(range(14, 25))      # AWS "Tunnel options": phase 2 DH 2, 5, 14-24
AWS_PHASE1_LIFETIME = (900, 28800)                        # AWS "Tunnel options": seconds, default 28800
AWS_PHASE2_LIFETIME = (900, 3600)                         # AWS "Tunnel options": seconds, less than phase 1
AWS_DPD_TIMEOUT_MIN = 30                                  # VpnTunnelOptionsSpecification DPDTimeoutSeconds >= 30
AWS_DPD_ACTIONS = ("clear", "none", "restart")            # VpnTunnelOptionsSpecification DPDTimeoutAction
AWS_STARTUP_ACTIONS = ("add", "start")                    # VpnTunnelOptionsSpecification StartupAction
AWS_PSK_LENGTH = (8, 64)                                  # PreSharedKey: 8-64 characters
AWS_PSK_CHARS = frozenset(string.ascii_letters + string.digits + "._")  # letters, digits, '.', '_'; not '0' first
AWS_INSIDE_POOL = ipaddress.ip_network(u"169.254.0.0/16")  # TunnelInsideCidr: a /30 in 169.254.0.0/16
AWS_RESERVED_INSIDE_CIDRS = tuple(ipaddress.ip_network(u"169.254.%d.0/30" % i) for i in range(6)) + (
    ipaddress.ip_network(u"169.254.169.252/30"),)         # AWS "Tunnel options": reserved inside CIDRs
AWS_TUNNELS_PER_CONNECTION = 2                            # AWS: two tunnels per VPN connection

# --- Alibaba Cloud tunnel rules ----------------------------------------------------------------------
# CreateVpnConnection / CreateVpnAttachment SDK docstrings (IkeConfig, IpsecConfig, TunnelOptionsSpecification).
ALI_IKE_VERSIONS = ("ikev1", "ikev2")
ALI_IKE_MODES = ("main", "aggressive")
ALI_ENCRYPTION = ("aes", "aes192", "aes256", "des", "3des")     # IkeEncAlg / IpsecEncAlg (international site)
ALI_INTEGRITY = ("md5", "sha1", "sha256", "sha384", "sha512")   # IkeAuthAlg / IpsecAuthAlg
ALI_IKE_PFS = ("group1", "group2", "group5", "group14")         # IkePfs
ALI_IPSEC_PFS = ("disabled",) + ALI_IKE_PFS                     # IpsecPfs
ALI_LIFETIME = (0, 86400)                                       # IkeLifetime / IpsecLifetime, seconds
ALI_IDENTITY_MAX = 100                                          # LocalId / RemoteId: <= 100 characters, no spaces
ALI_PSK_LENGTH = (1, 100)                                       # IkeConfig.Psk: 1-100 characters, no spaces
ALI_PSK_SYMBOLS = "~!`@#$%^&*()_-+={}[]|;:\",.<>/?\\"          # IkeConfig.Psk: the documented symbols
ALI_PSK_CHARS = frozenset(string.ascii_letters + string.digits + ALI_PSK_SYMBOLS)
ALI_IKE_DEFAULTS = {"IkeVersion": "ikev1", "IkeMode": "main", "IkeEncAlg": "aes", "IkeAuthAlg": "md5",
                    "IkePfs": "group2", "IkeLifetime": 86400}  # IkeConfig defaults
ALI_IPSEC_DEFAULTS = {"IpsecEncAlg": "aes", "IpsecAuthAlg": "md5", "IpsecPfs": "group2",
                      "IpsecLifetime": 86400}                   # IpsecConfig defaults
# CreateVpnAttachment TunnelIkeConfig defaults: IKEv2 and sha1 (otherwise as IkeConfig).
ALI_ATTACHMENT_IKE_DEFAULTS = dict(ALI_IKE_DEFAULTS, IkeVersion="ikev2", IkeAuthAlg="sha1")
# CreateVpnAttachment TunnelIpsecConfig: IpsecAuthAlg has no documented default, so the IpsecConfig one (md5)
# is assumed and an aws_compatible check asks for it to be set.
ALI_ATTACHMENT_IPSEC_DEFAULTS = dict(ALI_IPSEC_DEFAULTS)
ALI_TUNNEL_ROLES = ("master", "slave")                          # TunnelOptionsSpecification.N.Role
ALI_TUNNELS_PER_CONNECTION = 2                                  # "Only two tunnels can be added" (dual tunnel)
ALI_TUNNEL_CIDR_POOL = AWS_INSIDE_POOL                          # BgpConfig.TunnelCidr: a /30 in 169.254.0.0/16
ALI_RESERVED_TUNNEL_CIDRS = tuple(ipaddress.ip_network(u"169.254.%d.0/30" % i) for i in range(7)) + (
    ipaddress.ip_network(u"169.254.169.252/30"),)               # BgpConfig.TunnelCidr: reserved
# alicloud_ipsec_connection's option names -> the API's IkeConfig / IpsecConfig keys.
ALI_IKE_CONFIG_KEYS = {"version": "IkeVersion", "mode": "IkeMode", "enc_alg": "IkeEncAlg", "auth_alg": "IkeAuthAlg",
                       "pfs": "IkePfs", "lifetime": "IkeLifetime", "local_id": "LocalId", "remote_id": "RemoteId"}
ALI_IPSEC_CONFIG_KEYS = {"enc_alg": "IpsecEncAlg", "auth_alg": "IpsecAuthAlg", "pfs": "IpsecPfs",
                         "lifetime": "IpsecLifetime"}

# --- names across the clouds ------------------------------------------------------------------------
# neutral name -> (AWS name, Alibaba name); None where that cloud has no such algorithm.
ENCRYPTION_NAMES = {
    "aes128": ("AES128", "aes"),
    "aes192": (None, "aes192"),
    "aes256": ("AES256", "aes256"),
    "aes128-gcm16": ("AES128-GCM-16", None),
    "aes256-gcm16": ("AES256-GCM-16", None),
    "des": (None, "des"),
    "3des": (None, "3des"),
}
INTEGRITY_NAMES = {
    "md5": (None, "md5"),
    "sha1": ("SHA1", "sha1"),
    "sha256": ("SHA2-256", "sha256"),
    "sha384": ("SHA2-384", "sha384"),
    "sha512": ("SHA2-512", "sha512"),
}
ALI_TO_AWS_ENCRYPTION = dict((ali, aws) for aws, ali in ENCRYPTION_NAMES.values() if aws and ali)
AWS_TO_ALI_ENCRYPTION = dict((aws, ali) for ali, aws in ALI_TO_AWS_ENCRYPTION.items())
ALI_TO_AWS_INTEGRITY = dict((ali, aws) for aws, ali in INTEGRITY_NAMES.values() if aws and ali)
AWS_TO_ALI_INTEGRITY = dict((aws, ali) for ali, aws in ALI_TO_AWS_INTEGRITY.items())
ALI_TO_AWS_DH_GROUP = dict((name, int(name[len("group"):])) for name in ALI_IKE_PFS)
AWS_TO_ALI_DH_GROUP = dict((number, name) for name, number in ALI_TO_AWS_DH_GROUP.items())

_ENCRYPTION_ALIASES = {"aes": "aes128", "aes-128": "aes128", "aes-192": "aes192", "aes-256": "aes256",
                       "aes128-gcm-16": "aes128-gcm16", "aes256-gcm-16": "aes256-gcm16"}
_INTEGRITY_ALIASES = {"sha2-256": "sha256", "sha2-384": "sha384", "sha2-512": "sha512"}


def canonical_encryption(value):
    """Either cloud's encryption name -> the neutral one ('aes' and 'AES128' -> 'aes128')."""
    name = str(value or "").strip().lower().replace("_", "-")
    return _ENCRYPTION_ALIASES.get(name, name)


def canonical_integrity(value):
    """Either cloud's integrity name -> the neutral one ('SHA2-256' -> 'sha256')."""
    name = str(value or "").strip().lower().replace("_", "-")
    return _INTEGRITY_ALIASES.get(name, name)


def canonical_dh_group(value):
    """'group14', 14 or '14' -> 14; no PFS ('disabled', None, '') -> 0; anything else -> None."""
    name = str(value if value is not None else "").strip().lower()
    if name in ("", "disabled", "none"):
        return 0
    try:
        return int(name[len("group"):] if name.startswith("group") else name)
    except ValueError:
        return None


def canonical_ike_version(value):
    """'IKEv2', 'ikev2' or '2' -> 'ikev2'."""
    name = str(value or "").strip().lower().replace("-", "")
    return name if name.startswith("ikev") or not name else "ikev" + name


def aws_name(kind, neutral):
    """The AWS name of a neutral ``encryption`` / ``integrity`` / ``dh_group`` value, or None."""
    if kind == "dh_group":
        return neutral if neutral in AWS_PHASE1_DH_GROUPS + AWS_PHASE2_DH_GROUPS else None
    return (_NAMES[kind].get(neutral) or (None, None))[0]


def alicloud_name(kind, neutral):
    """The Alibaba name of a neutral ``encryption`` / ``integrity`` / ``dh_group`` value, or None."""
    if kind == "dh_group":
        return AWS_TO_ALI_DH_GROUP.get(neutral)
    return (_NAMES[kind].get(neutral) or (None, None))[1]


_NAMES = {"encryption": ENCRYPTION_NAMES, "integrity": INTEGRITY_NAMES}
_CANONICAL = {"encryption": canonical_encryption, "integrity": canonical_integrity, "dh_group": canonical_dh_group}
# What AWS accepts, in neutral names, per phase: (encryption, integrity, dh groups).
AWS_ACCEPTS = {
    1: (tuple(canonical_encryption(v) for v in AWS_PHASE1_ENCRYPTION),
        tuple(canonical_integrity(v) for v in AWS_PHASE1_INTEGRITY), AWS_PHASE1_DH_GROUPS),
    2: (tuple(canonical_encryption(v) for v in AWS_PHASE2_ENCRYPTION),
        tuple(canonical_integrity(v) for v in AWS_PHASE2_INTEGRITY), AWS_PHASE2_DH_GROUPS),
}
AWS_MAX_LIFETIME = {1: AWS_PHASE1_LIFETIME[1], 2: AWS_PHASE2_LIFETIME[1]}


# --- pre-shared keys -----------------------------------------------------------------------------------
def aws_psk_problem(psk):
    """Why AWS would refuse this pre-shared key, or None. Never echoes the key."""
    psk = psk or ""
    low, high = AWS_PSK_LENGTH
    if not low <= len(psk) <= high or not set(psk) <= AWS_PSK_CHARS:
        return ("the pre-shared key must be %d to %d characters of letters, digits, periods (.) and underscores (_) "
                "(it has %d characters)" % (low, high, len(psk)))
    if psk.startswith("0"):
        return "the pre-shared key must not start with zero (0)"
    return None


def alicloud_psk_problem(psk):
    """Why Alibaba Cloud would refuse this pre-shared key, or None. Never echoes the key."""
    psk = psk or ""
    low, high = ALI_PSK_LENGTH
    if not low <= len(psk) <= high or not set(psk) <= ALI_PSK_CHARS:
        return ("the pre-shared key must be %d to %d characters: letters, digits and %s (no spaces; it has %d "
                "characters)" % (low, high, ALI_PSK_SYMBOLS, len(psk)))
    return None


def psk_problems(psk):
    """Why either cloud would refuse this key (empty when both accept it)."""
    return [p for p in (aws_psk_problem(psk), alicloud_psk_problem(psk)) if p]


def valid_psk(psk):
    """True when both clouds accept the key."""
    return isinstance(psk, str) and not psk_problems(psk)


def psk_from_seed(seed, bridge, tunnel):
    """The key of ``tunnel`` (1, 2) of ``bridge``, derived from a secret ``seed``: stable and valid on both clouds.

    'k' + the first 39 hex digits of SHA-256("seed:bridge:tunnel"): 40 letters and digits, never '0' first
    (what roles/vpn_bridge always derived, so existing tunnels keep their keys).
    """
    if not seed:
        raise ValueError("psk_from_seed needs a non-empty seed")
    digest = hashlib.sha256((u"%s:%s:%s" % (seed, bridge, tunnel)).encode("utf-8")).hexdigest()
    return "k" + digest[:39]


# --- tunnel inside CIDRs ---------------------------------------------------------------------------------
def _inside_cidr_problem(value, pool, reserved, reserved_text, cloud):
    try:
        net = ipaddress.ip_network(u"%s" % value, strict=True)
    except ValueError:
        return "%r is not a CIDR block; give a /30 in %s such as 169.254.10.0/30" % (value, pool)
    if net.version != 4 or net.prefixlen != 30 or not net.subnet_of(pool):
        return "%s must be a /30 inside %s, such as 169.254.10.0/30" % (value, pool)
    if net in reserved:
        return ("%s is reserved by %s (%s cannot be used); choose another /30 in %s, such as 169.254.10.0/30"
                % (value, cloud, reserved_text, pool))
    return None


def aws_inside_cidr_problem(value):
    """Why AWS would refuse this tunnel inside CIDR, or None."""
    return _inside_cidr_problem(value, AWS_INSIDE_POOL, AWS_RESERVED_INSIDE_CIDRS,
                                "169.254.0.0/30 to 169.254.5.0/30 and 169.254.169.252/30", "AWS")


def alicloud_tunnel_cidr_problem(value):
    """Why Alibaba Cloud would refuse this tunnel CIDR, or None."""
    return _inside_cidr_problem(value, ALI_TUNNEL_CIDR_POOL, ALI_RESERVED_TUNNEL_CIDRS,
                                "169.254.0.0/30 to 169.254.6.0/30 and 169.254.169.252/30", "Alibaba Cloud")


def inside_cidr_problems(value):
    """Why either cloud would refuse this tunnel inside CIDR (empty when both accept it)."""
    found = []
    for problem in (aws_inside_cidr_problem(value), alicloud_tunnel_cidr_problem(value)):
        if problem and problem not in found:
            found.append(problem)
    return found


def valid_inside_cidr(value):
    """True when both clouds accept this tunnel inside CIDR."""
    return isinstance(value, str) and not inside_cidr_problems(value)


# --- one AWS tunnel's options -------------------------------------------------------------------------------
_AWS_LISTS = (
    ("ike_versions", AWS_IKE_VERSIONS, lambda v: str(v).strip().lower()),
    ("phase1_encryption_algorithms", AWS_PHASE1_ENCRYPTION, lambda v: str(v).strip().upper()),
    ("phase2_encryption_algorithms", AWS_PHASE2_ENCRYPTION, lambda v: str(v).strip().upper()),
    ("phase1_integrity_algorithms", AWS_PHASE1_INTEGRITY, lambda v: str(v).strip().upper()),
    ("phase2_integrity_algorithms", AWS_PHASE2_INTEGRITY, lambda v: str(v).strip().upper()),
    ("phase1_dh_group_numbers", AWS_PHASE1_DH_GROUPS, int),
    ("phase2_dh_group_numbers", AWS_PHASE2_DH_GROUPS, int),
)
_AWS_LIFETIMES = (("phase1_lifetime_seconds", AWS_PHASE1_LIFETIME, "the phase 1 (IKE) lifetime"),
                  ("phase2_lifetime_seconds", AWS_PHASE2_LIFETIME, "the phase 2 (IPsec) lifetime"))
_AWS_CHOICES = (("dpd_timeout_action", AWS_DPD_ACTIONS), ("startup_action", AWS_STARTUP_ACTIONS))


def _join(values):
    return ", ".join(str(v) for v in values)


def _aws_list(values, allowed, normalize):
    if not values:
        return None, "give at least one value (%s) or leave it unset for AWS's default (all of them)" % _join(allowed)
    out = []
    for value in values:
        try:
            norm = normalize(value)
        except (TypeError, ValueError):
            norm = value
        if norm not in allowed:
            return None, "%r is not accepted by AWS; use one of %s" % (value, _join(allowed))
        if norm not in out:
            out.append(norm)
    return out, None


def validate_aws_tunnel(tunnel):
    """``(normalized options, [(option, problem), ...])`` for one tunnel in aws_vpn_connection's option names.

    Only the options given (not None) are kept; problems never echo a pre-shared key.
    """
    tunnel = dict((k, v) for k, v in (tunnel or {}).items() if v is not None)
    norm, problems = {}, []

    def keep(option, value, problem):
        if problem:
            problems.append((option, problem))
        else:
            norm[option] = value

    if "tunnel_inside_cidr" in tunnel:
        value = tunnel["tunnel_inside_cidr"]
        problem = aws_inside_cidr_problem(value)
        keep("tunnel_inside_cidr", None if problem else str(ipaddress.ip_network(u"%s" % value)), problem)
    if "pre_shared_key" in tunnel:
        problem = aws_psk_problem(tunnel["pre_shared_key"])
        keep("pre_shared_key", tunnel["pre_shared_key"],
             problem and problem + "; change it or leave it unset to let AWS generate one")
    for option, allowed, normalize in _AWS_LISTS:
        if option in tunnel:
            values, problem = _aws_list(tunnel[option], allowed, normalize)
            keep(option, values, problem)
    for option, (low, high), what in _AWS_LIFETIMES:
        if option in tunnel:
            value = tunnel[option]
            keep(option, value, None if low <= value <= high else
                 "%s must be between %d and %d seconds (AWS limit), got %d" % (what, low, high, value))
    phase1, phase2 = norm.get("phase1_lifetime_seconds"), norm.get("phase2_lifetime_seconds")
    if phase1 is not None and phase2 is not None and phase2 >= phase1:
        problems.append(("phase2_lifetime_seconds", "the phase 2 lifetime (%d) must be less than the phase 1 lifetime "
                                                    "(%d)" % (phase2, phase1)))
        norm.pop("phase2_lifetime_seconds")
    if "dpd_timeout_seconds" in tunnel:
        value = tunnel["dpd_timeout_seconds"]
        keep("dpd_timeout_seconds", value, None if value >= AWS_DPD_TIMEOUT_MIN else
             "AWS needs at least %d seconds, got %d" % (AWS_DPD_TIMEOUT_MIN, value))
    for option, allowed in _AWS_CHOICES:
        if option in tunnel:
            value = str(tunnel[option]).strip().lower()
            keep(option, value, None if value in allowed else
                 "%r is not accepted by AWS; use one of %s" % (tunnel[option], _join(allowed)))
    return norm, problems


# --- an Alibaba IPsec configuration ----------------------------------------------------------------------------
def alicloud_lifetime_problem(value):
    low, high = ALI_LIFETIME
    return None if low <= int(value) <= high else "must be %d-%d seconds (got %s)" % (low, high, value)


def alicloud_identity_problem(value):
    if len(value) > ALI_IDENTITY_MAX or " " in value:
        return "must be at most %d characters without spaces" % ALI_IDENTITY_MAX
    return None


def alicloud_api_configs(ike_config, ipsec_config):
    """alicloud_ipsec_connection's ``ike_config`` / ``ipsec_config`` -> the API's IkeConfig / IpsecConfig."""
    ike = dict((ALI_IKE_CONFIG_KEYS[k], v) for k, v in (ike_config or {}).items() if v is not None)
    ipsec = dict((ALI_IPSEC_CONFIG_KEYS[k], v) for k, v in (ipsec_config or {}).items() if v is not None)
    return ike, ipsec


_KINDS = ("encryption", "integrity", "dh_group")
_KIND_LABELS = {"encryption": "encryption", "integrity": "integrity", "dh_group": "DH group"}


def _proposal_gaps(values, accepted):
    """[(kind, value, accepted values)] where one proposal (neutral encryption, integrity, DH group) falls outside."""
    return [(kind, value, allowed) for kind, value, allowed in zip(_KINDS, values, accepted) if value not in allowed]


def _shown(kind, value):
    return (value or "disabled") if kind == "dh_group" else value


def _or(names):
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else "%s or %s" % (", ".join(names[:-1]), names[-1])


def aws_incompatibilities(ike, ipsec, local_subnets, remote_subnets, psk):
    """What AWS would not accept in an Alibaba connection, as ``field=value (fix)`` sentences.

    ``ike`` / ``ipsec``: the effective API values (IkeConfig / IpsecConfig keys, Alibaba defaults filled in).
    """
    problems = []
    options = {1: ("ike_config", ike["IkeEncAlg"], ike["IkeAuthAlg"], ike["IkePfs"], ike["IkeLifetime"]),
               2: ("ipsec_config", ipsec["IpsecEncAlg"], ipsec["IpsecAuthAlg"], ipsec["IpsecPfs"],
                   ipsec["IpsecLifetime"])}
    for phase in (1, 2):
        section, enc, auth, pfs, lifetime = options[phase]
        wire = {"encryption": ("enc_alg", enc), "integrity": ("auth_alg", auth), "dh_group": ("pfs", pfs)}
        values = (canonical_encryption(enc), canonical_integrity(auth), canonical_dh_group(pfs))
        for kind, value, allowed in _proposal_gaps(values, AWS_ACCEPTS[phase]):
            names = [alicloud_name(kind, v) for v in allowed if alicloud_name(kind, v)]
            if kind == "dh_group" and value == 0:
                fix = "AWS always uses PFS in phase 2; use %s" % _or(names)
            elif kind == "integrity" and value == "md5":
                fix = "AWS has no MD5; use %s" % _or(names)
            else:
                fix = "AWS phase %d accepts %s" % (phase, _or(names))
            problems.append("%s.%s=%s (%s)" % (section, wire[kind][0], wire[kind][1], fix))
        low, high = (AWS_PHASE1_LIFETIME, AWS_PHASE2_LIFETIME)[phase - 1]
        if not low <= int(lifetime) <= high:
            problems.append("%s.lifetime=%s (AWS accepts %d-%d seconds; use %d)" % (section, lifetime, low, high, high))
    if ike["IkeMode"] == "aggressive":
        problems.append("ike_config.mode=aggressive (AWS accepts main mode only)")
    if ike["IkeVersion"] == "ikev1" and len(local_subnets) * len(remote_subnets) > 1:
        problems.append("ike_config.version=ikev1 (with several local/remote subnets IKEv1 needs one SA pair each "
                        "and AWS allows one per tunnel; use ikev2 or one CIDR per side)")
    if psk is not None and aws_psk_problem(psk):
        low, high = AWS_PSK_LENGTH
        problems.append("pre_shared_key (AWS needs %d-%d letters, digits, '.' or '_', not starting with 0)"
                        % (low, high))
    return problems


# --- a common proposal ---------------------------------------------------------------------------------------------
# The proposal roles/vpn_bridge pins by default (docs/design.md): inside both clouds' rules.
PINNED_PROPOSAL = {"ike_version": "ikev2", "encryption": "aes256", "integrity": "sha256", "dh_group": 14,
                   "phase1_lifetime": 28800, "phase2_lifetime": 3600}


class ProposalError(ValueError):
    """A proposal one of the clouds refuses; ``problems`` lists why, one sentence each."""

    def __init__(self, problems):
        super(ProposalError, self).__init__("; ".join(problems))
        self.problems = problems


def _both_accept(kind):
    """Neutral values both clouds accept in both phases, for the error messages."""
    if kind == "dh_group":
        values = [g for g in AWS_PHASE1_DH_GROUPS if g in AWS_PHASE2_DH_GROUPS]
    else:
        index = 0 if kind == "encryption" else 1
        values = [v for v in AWS_ACCEPTS[1][index] if v in AWS_ACCEPTS[2][index]]
    return [v for v in values if alicloud_name(kind, v) is not None]


def _proposal(desired):
    """``(shapes, problems)`` for a common proposal; shapes is None when there are problems."""
    problems = []
    unknown = sorted(set(desired or {}) - set(PINNED_PROPOSAL))
    if unknown:
        problems.append("unknown key(s) %s; a proposal has %s"
                        % (", ".join(unknown), ", ".join(sorted(PINNED_PROPOSAL))))
    wanted = dict(PINNED_PROPOSAL)
    wanted.update(dict((k, v) for k, v in (desired or {}).items() if v is not None and k in PINNED_PROPOSAL))
    version = canonical_ike_version(wanted["ike_version"])
    if version not in AWS_IKE_VERSIONS or version not in ALI_IKE_VERSIONS:
        problems.append("ike_version: %r is not an IKE version both clouds accept (%s)"
                        % (wanted["ike_version"], _join(v for v in AWS_IKE_VERSIONS if v in ALI_IKE_VERSIONS)))
    neutral = {}
    for kind in ("encryption", "integrity", "dh_group"):
        value = _CANONICAL[kind](wanted[kind])
        neutral[kind] = value
        if aws_name(kind, value) is None or alicloud_name(kind, value) is None \
                or any(value not in AWS_ACCEPTS[phase][_KINDS.index(kind)]
                       for phase in (1, 2)):
            problems.append("%s: %r is not accepted by both clouds in both phases; use one of %s"
                            % (kind, wanted[kind], _join(_both_accept(kind))))
    lifetimes = {}
    for phase, key, (low, high) in ((1, "phase1_lifetime", AWS_PHASE1_LIFETIME),
                                    (2, "phase2_lifetime", AWS_PHASE2_LIFETIME)):
        try:
            lifetimes[phase] = int(wanted[key])
        except (TypeError, ValueError):
            problems.append("%s: %r is not a number of seconds" % (key, wanted[key]))
            continue
        low, high = max(low, ALI_LIFETIME[0]), min(high, ALI_LIFETIME[1])
        if not low <= lifetimes[phase] <= high:
            problems.append("%s: %d s is outside what both clouds accept (%d-%d s)"
                            % (key, lifetimes[phase], low, high))
    if len(lifetimes) == 2 and lifetimes[2] >= lifetimes[1]:
        problems.append("phase2_lifetime: %d s must be less than phase1_lifetime (%d s), as AWS requires"
                        % (lifetimes[2], lifetimes[1]))
    if problems:
        return None, problems
    aws_values = dict((kind, aws_name(kind, neutral[kind])) for kind in neutral)
    ali_values = dict((kind, alicloud_name(kind, neutral[kind])) for kind in neutral)
    aws_tunnel = {"ike_versions": [version]}
    for phase in (1, 2):
        aws_tunnel.update({
            "phase%d_encryption_algorithms" % phase: [aws_values["encryption"]],
            "phase%d_integrity_algorithms" % phase: [aws_values["integrity"]],
            "phase%d_dh_group_numbers" % phase: [aws_values["dh_group"]],
            "phase%d_lifetime_seconds" % phase: lifetimes[phase]})
    ike_config = {"version": version, "mode": "main", "enc_alg": ali_values["encryption"],
                  "auth_alg": ali_values["integrity"], "pfs": ali_values["dh_group"], "lifetime": lifetimes[1]}
    ipsec_config = {"enc_alg": ali_values["encryption"], "auth_alg": ali_values["integrity"],
                    "pfs": ali_values["dh_group"], "lifetime": lifetimes[2]}
    api_ike, api_ipsec = alicloud_api_configs(ike_config, ipsec_config)
    return {"aws": aws_tunnel, "alicloud": {"ike_config": ike_config, "ipsec_config": ipsec_config},
            "alicloud_api": {"IkeConfig": api_ike, "IpsecConfig": api_ipsec}}, []


def proposal_problems(desired):
    """Why the clouds would not both accept this proposal (empty when they do)."""
    return _proposal(desired)[1]


def proposal(desired=None):
    """One proposal in both clouds' shapes, checked against both clouds' rules.

    ``desired``: ike_version, encryption, integrity, dh_group (one value for phase 1 and PFS),
    phase1_lifetime, phase2_lifetime, in any cloud's names; unset keys take ``PINNED_PROPOSAL``.
    Returns ``{"aws": <aws_vpn_connection tunnels[] options>, "alicloud": {"ike_config": ..., "ipsec_config": ...}
    (alicloud_ipsec_connection options), "alicloud_api": {"IkeConfig": ..., "IpsecConfig": ...}}``;
    raises ProposalError when either cloud would refuse it.
    """
    shapes, problems = _proposal(desired)
    if problems:
        raise ProposalError(problems)
    return shapes


def aws_tunnels(desired=None, pre_shared_keys=None, inside_cidrs=None):
    """Both tunnels of an AWS VPN connection on one common proposal, as aws_vpn_connection's ``tunnels``.

    ``pre_shared_keys`` / ``inside_cidrs``: none (AWS picks) or one per tunnel, each valid on both clouds.
    Raises ProposalError (never echoing a key) otherwise.
    """
    shapes, problems = _proposal(desired)
    count = AWS_TUNNELS_PER_CONNECTION
    keys, cidrs = list(pre_shared_keys or []), list(inside_cidrs or [])
    for what, values in (("pre_shared_keys", keys), ("inside_cidrs", cidrs)):
        if len(values) not in (0, count):
            problems.append("%s: give none or %d (one per tunnel), got %d" % (what, count, len(values)))
    for position, key in enumerate(keys):
        problems.extend("pre_shared_keys[%d]: %s" % (position, p) for p in psk_problems(key))
    for position, cidr in enumerate(cidrs):
        problems.extend("inside_cidrs[%d]: %s" % (position, p) for p in inside_cidr_problems(cidr))
    if problems:
        raise ProposalError(problems)
    tunnels = []
    for number in range(count):
        tunnel = dict(shapes["aws"])
        if len(keys) == count:
            tunnel["pre_shared_key"] = keys[number]
        if len(cidrs) == count:
            tunnel["tunnel_inside_cidr"] = cidrs[number]
        tunnels.append(tunnel)
    return tunnels


# --- both ends of one tunnel --------------------------------------------------------------------------------------
def _in_cidr(inner, outer):
    outer = ipaddress.ip_network(u"%s" % outer, strict=False)
    return ipaddress.ip_network(u"%s" % inner, strict=False).subnet_of(outer)


def compare_tunnel(aws, ali):
    """Check an AWS tunnel against the Alibaba IPsec connection (or tunnel) at its other end.

    ``aws``: {"vpn_id", "outside_ip", "customer_gateway_id", "customer_gateway_ip", "psk_hash", "ike_versions",
    "phase1"/"phase2": {"encryption", "integrity", "dh_groups", "lifetime"}, "local_cidr", "remote_cidr"};
    empty lists mean AWS's defaults (everything it accepts).
    ``ali``: {"id", "gateway_id", "gateway_ip", "customer_gateway_ip", "ike": {"version", "mode", "encryption",
    "integrity", "dh_group", "lifetime", "psk_hash", "local_id", "remote_id"}, "ipsec": {"encryption",
    "integrity", "dh_group", "lifetime"}, "local_subnets", "remote_subnets"}; missing values mean Alibaba's
    defaults (a missing lifetime is unknown and not checked).
    PSKs are compared through their keyed hashes only.

    Returns {"checks": {name: True | False | None}, "mismatches": [(code, sentence)], "warnings": [(code, sentence)]}.
    """
    ike, ipsec = ali.get("ike") or {}, ali.get("ipsec") or {}
    checks, mismatches, warnings = {}, [], []

    def mismatch(check, code, sentence):
        checks[check] = False
        mismatches.append((code, sentence))

    # outside IPs cross-match: each side's customer gateway is the other side's public address
    checks["outside_ips"] = True
    if not ali.get("gateway_ip") or ali.get("gateway_ip") != aws.get("customer_gateway_ip"):
        mismatch("outside_ips", causes.OUTSIDE_IP_MISMATCH,
                 "outside IPs do not cross-match: the AWS customer gateway %s has IP %s but the Alibaba VPN gateway %s "
                 "has public IP %s; point the AWS customer gateway at the VPN gateway's public IP"
                 % (aws.get("customer_gateway_id"), aws.get("customer_gateway_ip"), ali.get("gateway_id"),
                    ali.get("gateway_ip")))
    if ali.get("customer_gateway_ip") not in (None, aws.get("outside_ip")):
        mismatch("outside_ips", causes.OUTSIDE_IP_MISMATCH,
                 "outside IPs do not cross-match: the customer gateway of IPsec connection %s is %s, not the tunnel "
                 "outside IP %s" % (ali.get("id"), ali.get("customer_gateway_ip"), aws.get("outside_ip")))
    # the same pre-shared key (keyed hashes)
    if aws.get("psk_hash") and ike.get("psk_hash"):
        checks["psk"] = aws["psk_hash"] == ike["psk_hash"]
        if not checks["psk"]:
            mismatch("psk", causes.PSK_MISMATCH,
                     "pre-shared keys differ between the AWS tunnel %s and Alibaba IPsec connection %s; set the same "
                     "PSK on both ends" % (aws.get("outside_ip"), ali.get("id")))
    else:
        checks["psk"] = None
        warnings.append((causes.PSK_UNKNOWN, "PSK equality unknown (one side's PSK could not be read)"))
    # an IKE version both allow, in main mode
    aws_versions = [canonical_ike_version(v) for v in aws.get("ike_versions") or []] or list(AWS_IKE_VERSIONS)
    version = canonical_ike_version(ike.get("version") or ALI_IKE_DEFAULTS["IkeVersion"])
    checks["ike_version"] = True
    if version not in aws_versions:
        mismatch("ike_version", causes.IKE_VERSION_MISMATCH, "IKE versions differ: Alibaba uses %s, the AWS tunnel "
                                                             "allows %s" % (version, ", ".join(aws_versions)))
    if version == "ikev1" and str(ike.get("mode") or ALI_IKE_DEFAULTS["IkeMode"]).lower() == "aggressive":
        mismatch("ike_version", causes.IKE_MODE_MISMATCH,
                 "Alibaba uses IKEv1 aggressive mode; AWS accepts main mode only")
    # identities: AWS expects each side to identify itself by its public IP
    checks["identities"] = True
    if ike.get("local_id") not in (None, "", ali.get("gateway_ip")):
        mismatch("identities", causes.IDENTITY_MISMATCH,
                 "IPsec connection %s identifies itself as %r; AWS expects the VPN gateway's public IP %s"
                 % (ali.get("id"), ike.get("local_id"), ali.get("gateway_ip")))
    if ike.get("remote_id") not in (None, "", aws.get("outside_ip")):
        mismatch("identities", causes.IDENTITY_MISMATCH,
                 "IPsec connection %s expects the peer identity %r; the AWS tunnel identifies itself as %s"
                 % (ali.get("id"), ike.get("remote_id"), aws.get("outside_ip")))
    # a common proposal and a lifetime AWS accepts, per phase
    defaults = {1: ALI_IKE_DEFAULTS, 2: ALI_IPSEC_DEFAULTS}
    for phase, cfg, prefix in ((1, ike, "Ike"), (2, ipsec, "Ipsec")):
        check = "phase%d" % phase
        checks[check] = True
        tunnel = aws.get(check) or {}
        accepted = AWS_ACCEPTS[phase]
        allowed = ([canonical_encryption(v) for v in tunnel.get("encryption") or []] or list(accepted[0]),
                   [canonical_integrity(v) for v in tunnel.get("integrity") or []] or list(accepted[1]),
                   [canonical_dh_group(v) for v in tunnel.get("dh_groups") or []] or list(accepted[2]))
        enc = canonical_encryption(cfg.get("encryption") or defaults[phase][prefix + "EncAlg"])
        integ = canonical_integrity(cfg.get("integrity") or defaults[phase][prefix + "AuthAlg"])
        dh = cfg.get("dh_group")
        dh = canonical_dh_group(dh if dh is not None else defaults[phase][prefix + "Pfs"])
        gaps = _proposal_gaps((enc, integ, dh), allowed)
        if gaps:
            detail = "; ".join("%s %s not in %s" % (_KIND_LABELS[kind], _shown(kind, value), "/".join(map(str, ok)))
                               for kind, value, ok in gaps)
            mismatch(check, causes.PROPOSAL_MISMATCH,
                     "phase-%d proposals do not overlap (Alibaba %s/%s/%s vs AWS): %s; pin a common proposal on both "
                     "ends" % (phase, enc, integ, "group%s" % dh if dh else "no PFS", detail))
        lifetime = cfg.get("lifetime")
        if lifetime and int(lifetime) > AWS_MAX_LIFETIME[phase]:
            mismatch(check, causes.LIFETIME_OUT_OF_RANGE, "Alibaba phase-%d lifetime %ss is above the %ss AWS accepts; "
                                                          "lower it" % (phase, lifetime, AWS_MAX_LIFETIME[phase]))
    # traffic selectors: Alibaba local <-> AWS local_cidr (customer side), Alibaba remote <-> AWS remote_cidr
    aws_local, aws_remote = aws.get("local_cidr") or "0.0.0.0/0", aws.get("remote_cidr") or "0.0.0.0/0"
    ali_local, ali_remote = ali.get("local_subnets") or ["0.0.0.0/0"], ali.get("remote_subnets") or ["0.0.0.0/0"]
    checks["selectors"] = True
    if not all(_in_cidr(c, aws_local) for c in ali_local) or not all(_in_cidr(c, aws_remote) for c in ali_remote):
        mismatch("selectors", causes.SELECTOR_MISMATCH,
                 "traffic selectors disagree: Alibaba local %s / remote %s must sit inside AWS's customer-side network "
                 "%s / AWS-side network %s" % (",".join(ali_local), ",".join(ali_remote), aws_local, aws_remote))
    if version == "ikev1" and len(ali_local) * len(ali_remote) > 1:
        mismatch("selectors", causes.TOO_MANY_SA_PAIRS,
                 "IKEv1 with %d local x %d remote subnets negotiates one SA pair each; AWS accepts one per tunnel (use "
                 "IKEv2, or one CIDR per side such as 0.0.0.0/0)" % (len(ali_local), len(ali_remote)))
    return {"checks": checks, "mismatches": mismatches, "warnings": warnings}
