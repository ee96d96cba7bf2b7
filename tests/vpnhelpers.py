"""What the Alibaba VPN module tests share: tunnels on the pinned proposal, customer gateways, secret checks."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from ansible_collections.multicloud.transit.plugins.module_utils import ipsec
from twinhelpers import ok

PROPOSAL = ipsec.proposal()  # the pinned proposal both clouds accept (AWS side: twinhelpers.AWS_PINNED_TUNNEL)


def pinned_tunnels(cgw_ids: Sequence[str], psks: Sequence[str],
                   roles: Optional[Sequence[str]] = None) -> List[Dict[str, Any]]:
    """The ``tunnels`` option: one item per customer gateway, with its key and the pinned proposal."""
    items = [{"customer_gateway_id": cgw, "pre_shared_key": psk, "ike_config": PROPOSAL["alicloud"]["ike_config"],
              "ipsec_config": PROPOSAL["alicloud"]["ipsec_config"]} for cgw, psk in zip(cgw_ids, psks)]
    for item, role in zip(items, roles or []):
        item["role"] = role
    return items


def customer_gateways(region: str, ips: Sequence[str]) -> List[str]:
    """Customer gateways for ``ips`` in one alicloud_customer_gateway call (list mode); their ids."""
    result = ok("alicloud_customer_gateway", {"alicloud_region": region, "customer_gateways": [
        {"name": "peer-%d" % n, "ip_address": ip} for n, ip in enumerate(ips, start=1)]})
    return [c["customer_gateway_id"] for c in result["customer_gateways"]]


def no_secret(result: Dict[str, Any], *secrets: str) -> None:
    """None of ``secrets`` appears anywhere in a module's result."""
    text = json.dumps(result)
    for secret in secrets:
        assert secret not in text
