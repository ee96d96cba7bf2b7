"""One process serving both clouds on loopback: composition, seeding, reset, env vars."""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

from werkzeug.serving import make_server

from . import crosscloud, dataplane
from .aws import extensions as aws_extensions
from .alicloud.models.base import Backend, State
from .alicloud.protocol.app import make_alicloud_app
from .aws.app import install_credentials, make_aws_app, require_signatures, reset_moto
from .faults import Faults
from .world import World, load_world, seed_alicloud, seed_aws

LOOPBACK = "127.0.0.1"

# moto's default AMI catalogue costs ~1.5 s on every reset; the twin registers the one
# image its test hosts need instead.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
# One line per request drowns what matters; errors still show.
logging.getLogger("werkzeug").setLevel(logging.WARNING)


class _Server:
    """A werkzeug server on a thread; port 0 picks a free port."""

    def __init__(self, app: Any, port: int, request_handler: Any = None):
        kwargs = {"request_handler": request_handler} if request_handler else {}
        self.httpd = make_server(LOOPBACK, port, app, threaded=True, **kwargs)
        self.port = self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class Twin:
    """Both clouds, seeded from a world file. ``start()`` returns once both answer."""

    def __init__(self, world: World, aws_port: int = 0, alicloud_port: int = 0,
                 faults: Optional[Faults] = None):
        self.world = world
        self.faults = faults or Faults()
        self.backend = Backend(State(), faults=self.faults)
        self.aws_app = make_aws_app(self.faults)
        require_signatures()  # the world's AWS key authenticates, any other fails as on AWS
        aws_extensions.use_faults(self.faults)  # async delays of TGWs, attachments, VPNs
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        self._aws = _Server(self.aws_app, aws_port, MotoRequestHandler)
        self._alicloud = _Server(make_alicloud_app(self.backend, self.faults, self), alicloud_port)
        self._lock = threading.Lock()
        crosscloud.install(self)

    @classmethod
    def from_file(cls, path: str, **kwargs: Any) -> "Twin":
        return cls(load_world(path), **kwargs)

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def aws_endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self._aws.port}"

    @property
    def alicloud_endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self._alicloud.port}"

    def start(self) -> "Twin":
        self._aws.start()
        self._alicloud.start()
        self._seed()
        return self

    def stop(self) -> None:
        self._alicloud.stop()
        self._aws.stop()

    def _seed(self) -> None:
        # Seeding must not be disturbed by faults a user asked for at start-up.
        saved = self.faults.to_dict()
        self.faults.update({"throttle_rate": 0, "error_rate": 0, "latency_ms": 0})
        try:
            seed_alicloud(self.world, self.backend.state)
            install_credentials(*self.aws_credentials())
            seed_aws(self.world, self.aws_endpoint)
            crosscloud.claim_aws(self)
        finally:
            self.faults.update({k: saved[k] for k in ("throttle_rate", "error_rate", "latency_ms")})
        self.clear_calls()

    # --- control (used by the /_twin endpoints) ------------------------------------------------
    def reset(self) -> None:
        """Back to the world as loaded: every resource created since is forgotten."""
        with self._lock:
            with self.backend.state.lock:
                self.backend.state = State()
                self.backend._faults_generation = -1
            reset_moto()
            # moto and its extensions are one per process: the twin just reset is the one in use
            aws_extensions.use_faults(self.faults)
            self._seed()

    def calls(self) -> List[Dict[str, Any]]:
        return list(self.aws_app.calls) + list(self.backend.calls)

    def clear_calls(self) -> None:
        del self.aws_app.calls[:]
        del self.backend.calls[:]

    def trace(self, src: str, dst: str) -> Dict[str, Any]:
        """Whether a packet from host ``src`` reaches ``dst``, hop by hop, from both clouds' state
        (``cloudtwin.dataplane.trace``; return traffic is ``trace(dst, src)``)."""
        return dataplane.trace(self, src, dst)

    def control_routes(self) -> Dict[Tuple[str, str], Callable[[Dict[str, str]], Tuple[Any, int]]]:
        """Control endpoints this composition adds under ``/_twin``: (path, method) -> handler(query) ->
        (JSON body, HTTP status). ``GET /_twin/trace?src=IP&dst=IP`` answers ``trace``."""
        return {("/_twin/trace", "GET"): self._trace_endpoint}

    def _trace_endpoint(self, query: Dict[str, str]) -> Tuple[Any, int]:
        missing = [name for name in ("src", "dst") if not query.get(name)]
        if missing:
            return {"error": f"give {' and '.join(missing)}: /_twin/trace?src=IP&dst=IP"}, 400
        try:
            return self.trace(query["src"], query["dst"]), 200
        except ValueError as exc:
            return {"error": str(exc)}, 400

    # --- what a client needs ---------------------------------------------------------------------
    def aws_credentials(self) -> tuple:
        """(account id, access key id, secret) of the world's AWS account: the only key accepted."""
        aws = self.world.aws
        return (str(aws.get("account_id", "123456789012")), aws.get("access_key_id", "testing"),
                aws.get("secret_access_key", "testing"))

    def env(self) -> Dict[str, str]:
        aws = self.world.aws
        regions = list((aws.get("regions") or {}).keys()) or ["us-east-1"]
        _, key_id, secret = self.aws_credentials()
        env = {
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_REGION": regions[0],
            "AWS_DEFAULT_REGION": regions[0],
            "ALICLOUD_ENDPOINT": self.alicloud_endpoint,
            "CLOUDTWIN_CONTROL_URL": self.alicloud_endpoint + "/_twin",
            "CLOUDTWIN_WORLD": self.world.name,
        }
        accounts = self.world.alicloud_accounts
        if accounts:
            env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = accounts[0]["access_key_id"]
            env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = accounts[0]["access_key_secret"]
        for account in accounts:
            name = re.sub(r"[^A-Z0-9]", "_", account["name"].upper())
            env[f"CLOUDTWIN_ALICLOUD_{name}_ACCESS_KEY_ID"] = account["access_key_id"]
            env[f"CLOUDTWIN_ALICLOUD_{name}_ACCESS_KEY_SECRET"] = account["access_key_secret"]
            env[f"CLOUDTWIN_ALICLOUD_{name}_UID"] = str(account["uid"])
        return env
