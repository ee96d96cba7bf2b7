"""HTTP side of the Alibaba Cloud twin: the official SDKs' RPC wire protocol.

Kept apart from ``models`` (state and rules) the way moto separates backends from
responses: this package authenticates and serialises, and knows nothing of VPNs.
"""

from .app import AlicloudApp, BackendControl, Control, make_alicloud_app

__all__ = ["AlicloudApp", "BackendControl", "Control", "make_alicloud_app"]
