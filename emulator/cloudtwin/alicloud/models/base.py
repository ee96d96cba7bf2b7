"""The Alibaba Cloud side of the twin: state, rules and the action registry.

Nothing here knows HTTP. The protocol layer (``cloudtwin.alicloud.protocol``) turns a
signed request into ``Backend.dispatch(...)`` and turns the returned dict (or the
raised ``ApiError``) into the JSON the official SDK expects.

A resource kind lives in its own module in this package and registers its actions with
``@action(product, name)``. Modules are discovered automatically (``load_all_kinds``), so
adding a kind never touches a shared file.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ...faults import delay_of

# API version -> product name, as the SDK sends them in ``x-acs-version``.
PRODUCT_BY_VERSION = {
    "2016-04-28": "Vpc",
    "2017-09-12": "Cbn",
    "2022-01-01": "VpcPeer",
    "2014-05-26": "Ecs",
}


class ApiError(Exception):
    """An error exactly as the cloud reports it: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def missing_parameter(name: str) -> ApiError:
    # OpenAPI gateway "Client-side errors": Missing{ParameterName} | {ParameterName} is mandatory
    # for this action. | 400 (help.aliyun.com/document_detail/434846, "管控OpenAPI的客户端公用错误码").
    return ApiError(f"Missing{name}", f"{name} is mandatory for this action.", 400)


def invalid_parameter(name: str, value: Any, code: Optional[str] = None) -> ApiError:
    return ApiError(code or f"InvalidParameter.{name}", f"The specified {name} ({value}) is invalid.")


def invalid_value(name: str) -> ApiError:
    """The gateway's Invalid{ParameterName}: a value outside the documented range."""
    # Same source as missing_parameter: Invalid{ParameterName} | Specified parameter
    # {ParameterName} is not valid. | 400.
    return ApiError(f"Invalid{name}", f"Specified parameter {name} is not valid.", 400)


# --- regions ----------------------------------------------------------------------------------
# Region IDs of Alibaba Cloud ("Regions and zones", help.aliyun.com/document_detail/40654).
REGIONS = (
    "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-hangzhou",
    "cn-shanghai", "cn-nanjing", "cn-fuzhou", "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu",
    "cn-wuhan-lr", "cn-hongkong", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-south-1", "us-east-1",
    "us-west-1", "na-south-1", "eu-west-1", "eu-central-1", "me-east-1", "me-central-1",
)


def unknown_region(region: str) -> ApiError:
    # InvalidRegionId.NotFound, 404, "The specified RegionId does not exist." as the cloud answers
    # (kubernetes/cloud-provider-alibaba-cloud#81; Terraform alicloud VswitcInvalidRegionId).
    return ApiError("InvalidRegionId.NotFound", f"The specified RegionId ({region}) does not exist.", 404)


# How a product's actions take RegionId unless the action says otherwise: the SDK request
# models' docstrings ("This parameter is required.") — VPC calls are regional, the CEN
# instance calls are global (no RegionId field), VpcPeer varies per call.
REGION_REQUIRED, REGION_OPTIONAL, REGION_NONE = "required", "optional", "none"
PRODUCT_REGION_DEFAULT = {"Vpc": REGION_REQUIRED, "Ecs": REGION_REQUIRED, "Cbn": REGION_NONE,
                          "VpcPeer": REGION_NONE}


# --- paging -----------------------------------------------------------------------------------
def page_by_number(req: "Request", items: Sequence[Any], max_size: int = 50,
                   default_size: int = 10) -> Tuple[List[Any], int, int]:
    """PageNumber/PageSize paging: ``(items of the page, page number, page size)``.

    A PageSize above the documented maximum (50 on most VPC/CBN Describe* calls, SDK request
    models: "Maximum value: **50**") or below 1 is refused, as the cloud does, instead of
    silently clamped: a client that asks for 100 learns it at once.
    """
    number = req.int("PageNumber", 1)
    size = req.int("PageSize", default_size)
    if number < 1:
        raise invalid_value("PageNumber")
    if not 1 <= size <= max_size:
        raise invalid_value("PageSize")
    return list(items[(number - 1) * size: number * size]), number, size


def page_by_token(req: "Request", items: Sequence[Any], size_param: str = "MaxResults", max_size: int = 100,
                  default_size: int = 20) -> Tuple[List[Any], str, int]:
    """NextToken paging: ``(items of the page, next token or "", page size)``.

    The token is opaque to clients (the offset of the next item); an empty token means the
    last page. A token that this twin did not hand out is refused.
    """
    size = req.int(size_param, default_size)
    if not 1 <= size <= max_size:
        raise invalid_value(size_param)
    token = req.get("NextToken")
    start = 0
    if token is not None:
        if not (token.startswith(_TOKEN_PREFIX) and token[len(_TOKEN_PREFIX):].isdigit()):
            raise invalid_value("NextToken")
        start = int(token[len(_TOKEN_PREFIX):])
    end = start + size
    next_token = f"{_TOKEN_PREFIX}{end}" if end < len(items) else ""
    return list(items[start:end]), next_token, size


_TOKEN_PREFIX = "twin-"


# The site an account was opened on: what VPN gateway billing and sizes depend on (CreateVpnGateway).
SITES = ("china", "international")


@dataclass
class Account:
    name: str
    uid: str
    access_key_id: str
    access_key_secret: str
    site: str = "international"  # a SITES value; a world file's ``site`` (cloudtwin.world)


@dataclass
class Resource:
    """One cloud object. ``attrs`` holds its API fields in the cloud's PascalCase."""

    kind: str
    id: str
    owner: str  # account uid
    region: str
    attrs: Dict[str, Any]
    created_at: float = field(default_factory=time.time)
    deleted: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.attrs[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.attrs[key] = value


@dataclass
class Transition:
    due: float
    resource: Resource
    key: str
    value: Any
    then: Optional[Callable[[Resource], None]] = None


# Rules of the 2018 cloud that a world file may switch back on (``alicloud.legacy_rules``),
# so tests written for the old walkthrough keep passing while the collection moves to today's
# products. Today's rules are the default; each name here is checked where its rule lives.
LEGACY_RULES = {
    # "Basic Edition transit routers are no longer sold" (CEN docs, "How transit routers work"):
    # today a CEN created through the API is Enterprise Edition.
    "basic_cen_by_api": "CENs created through the API are Basic Edition (AttachCenChildInstance works on them)",
    # "IPsec-VPN connections support the dual-tunnel mode" (VPN Gateway docs): today new VPN
    # gateways in dual-tunnel regions take dual-tunnel connections only.
    "single_tunnel_vpn_gateways": "new VPN gateways take single-tunnel IPsec connections in every region",
}


class State:
    """All Alibaba resources of all accounts and regions, plus pending async transitions.

    Time-driven states are settled lazily (``settle``) at the start of every request, so
    the twin needs no background thread and a zero delay still shows the intermediate
    state once (Creating on the create call, Active on the next read).
    """

    def __init__(self, seed: int = 7):
        self.lock = threading.RLock()
        self.accounts: Dict[str, Account] = {}  # access key id -> account
        self.resources: Dict[str, Dict[str, Resource]] = {}  # kind -> id -> resource
        self.pending: List[Transition] = []
        self.client_tokens: Dict[tuple, Dict[str, Any]] = {}
        self.delays: Dict[str, float] = {}  # kind -> seconds per async step
        self.consistency_delay: float = 0.0  # new resources invisible to reads this long
        self.events: List[Dict[str, Any]] = []  # why things happened (tunnel negotiation, ...)
        self.legacy_rules: set = set()  # names from LEGACY_RULES a world file switched on
        self._rng = random.Random(seed)

    def legacy(self, rule: str) -> bool:
        """Whether the world asked for the 2018 behaviour ``rule`` (a LEGACY_RULES name)."""
        if rule not in LEGACY_RULES:
            raise KeyError(f"unknown legacy rule {rule!r}")
        return rule in self.legacy_rules

    # --- accounts -------------------------------------------------------------------
    def add_account(self, account: Account) -> None:
        self.accounts[account.access_key_id] = account

    def account_by_uid(self, uid: str) -> Optional[Account]:
        return next((a for a in self.accounts.values() if a.uid == str(uid)), None)

    # --- ids ------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        alphabet = string.ascii_lowercase + string.digits
        return prefix + "-" + "".join(self._rng.choice(alphabet) for _ in range(21))

    # --- resources ------------------------------------------------------------------
    def add(self, kind: str, rid: str, owner: str, region: str, attrs: Dict[str, Any]) -> Resource:
        res = Resource(kind=kind, id=rid, owner=owner, region=region, attrs=attrs)
        self.resources.setdefault(kind, {})[rid] = res
        return res

    def remove(self, res: Resource) -> None:
        res.deleted = True
        self.resources.get(res.kind, {}).pop(res.id, None)

    def visible(self, res: Resource) -> bool:
        return time.time() - res.created_at >= self.consistency_delay

    def all(self, kind: str, region: Optional[str] = None, owner: Optional[str] = None,
            include_invisible: bool = False) -> List[Resource]:
        out = []
        for res in self.resources.get(kind, {}).values():
            if region is not None and res.region != region:
                continue
            if owner is not None and res.owner != owner:
                continue
            if not include_invisible and not self.visible(res):
                continue
            out.append(res)
        return out

    def find(self, kind: str, rid: str) -> Optional[Resource]:
        return self.resources.get(kind, {}).get(rid)

    # --- async states ----------------------------------------------------------------
    def schedule(self, res: Resource, key: str, value: Any, steps: int = 1,
                 then: Optional[Callable[[Resource], None]] = None) -> None:
        """Set ``res[key] = value`` after ``steps`` x the kind's delay (0 by default).

        The delay is the one for the state the resource waits in (``delays["VpnGateway.updating"]``) when the
        settings name it, else the kind's (``cloudtwin.faults.delay_of``).
        """
        due = time.time() + delay_of(self.delays, res.kind, res.attrs.get(key)) * steps
        self.pending.append(Transition(due, res, key, value, then))

    def settle(self) -> None:
        now = time.time()
        due = [t for t in self.pending if t.due <= now]
        self.pending = [t for t in self.pending if t.due > now]
        for t in sorted(due, key=lambda t: t.due):
            if t.resource.deleted and t.value is not None:
                continue
            t.resource.attrs[t.key] = t.value
            if t.then:
                t.then(t.resource)

    def note(self, **event: Any) -> None:
        event.setdefault("time", time.time())
        self.events.append(event)
        del self.events[:-500]

    def dump(self) -> Dict[str, Any]:
        return {
            "accounts": [{"name": a.name, "uid": a.uid, "access_key_id": a.access_key_id}
                         for a in self.accounts.values()],
            "resources": {
                kind: [dict(r.attrs, _id=r.id, _owner=r.owner, _region=r.region) for r in items.values()]
                for kind, items in self.resources.items()
            },
            "pending": len(self.pending),
            "events": self.events[-100:],
        }


@dataclass
class Request:
    """What a handler sees: the caller, the region and the merged parameters."""

    state: State
    account: Account
    product: str
    action: str
    params: Dict[str, str]
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())

    @property
    def region(self) -> str:
        return self.params.get("RegionId") or "cn-hangzhou"

    def get(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value in (None, "") else value

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise missing_parameter(name)
        return value

    def int(self, name: str, default: Optional[int] = None) -> Optional[int]:
        value = self.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid_parameter(name, value)

    def bool(self, name: str, default: Optional[bool] = None) -> Optional[bool]:
        value = self.get(name)
        if value is None:
            return default
        return str(value).lower() == "true"

    def list(self, name: str) -> List[Any]:
        """Flattened lists: ``Name.1``, ``Name.2`` ... or ``Name.1.Key`` -> [{"Key": ..}]."""
        items: Dict[int, Any] = {}
        prefix = name + "."
        for key, value in self.params.items():
            if not key.startswith(prefix):
                continue
            rest = key[len(prefix):]
            index, _, sub = rest.partition(".")
            if not index.isdigit():
                continue
            if sub:
                items.setdefault(int(index), {})[sub] = value
            else:
                items[int(index)] = value
        return [items[i] for i in sorted(items)]


Handler = Callable[[Request], Dict[str, Any]]


@dataclass
class ActionSpec:
    product: str
    name: str
    handler: Handler
    mutating: bool
    idempotent: bool  # honours ClientToken
    region: str = REGION_REQUIRED  # REGION_REQUIRED / _OPTIONAL / _NONE: how RegionId is taken


ACTIONS: Dict[tuple, ActionSpec] = {}

_READ_PREFIXES = ("Describe", "List", "Get", "Query", "Check")


def action(product: str, name: str, idempotent: bool = False,
           region: Optional[str] = None) -> Callable[[Handler], Handler]:
    """Register a handler for ``product``'s ``name`` action.

    ``region`` says how the action takes RegionId, as its SDK request model does (required,
    optional, none); the product's default (``PRODUCT_REGION_DEFAULT``) when omitted.
    tests/twin/test_conformance.py checks every action against its SDK model.
    """
    taken = region or PRODUCT_REGION_DEFAULT.get(product, REGION_OPTIONAL)
    if taken not in (REGION_REQUIRED, REGION_OPTIONAL, REGION_NONE):
        raise ValueError(f"{product}.{name}: region must be required, optional or none, not {region!r}")

    def register(func: Handler) -> Handler:
        ACTIONS[(product, name)] = ActionSpec(
            product, name, func, mutating=not name.startswith(_READ_PREFIXES), idempotent=idempotent,
            region=taken,
        )
        return func

    return register


def load_all_kinds() -> None:
    """Import every module of this package so their ``@action``s register."""
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "base":
            importlib.import_module(f"{__package__}.{info.name}")


def check_region(spec: ActionSpec, params: Dict[str, str]) -> None:
    """MissingRegionId / InvalidRegionId.NotFound before the model sees the call."""
    if spec.region == REGION_NONE:
        return  # the action has no RegionId: a stray one is ignored, as unknown parameters are
    region = params.get("RegionId")
    if not region:
        if spec.region == REGION_REQUIRED:
            raise missing_parameter("RegionId")
        return
    if region not in REGIONS:
        raise unknown_region(region)


class Backend:
    """The entry point the protocol layer calls."""

    def __init__(self, state: Optional[State] = None, faults: Any = None):
        load_all_kinds()
        self.state = state or State()
        self.faults = faults  # cloudtwin.faults.Faults: async delays and consistency come from it
        self._faults_generation = -1
        self.calls: List[Dict[str, Any]] = []  # every call, for tests ("zero mutating calls")

    def _sync_timings(self) -> None:
        if self.faults is not None and self.faults.generation != self._faults_generation:
            self._faults_generation = self.faults.generation
            self.state.delays = dict(self.faults.delays)
            self.state.consistency_delay = self.faults.consistency_delay

    def authenticate(self, access_key_id: str) -> Optional[Account]:
        return self.state.accounts.get(access_key_id)

    def dispatch(self, account: Account, version: str, action_name: str,
                 params: Dict[str, str]) -> Dict[str, Any]:
        product = PRODUCT_BY_VERSION.get(version)
        if product is None:
            # InvalidVersion | Specified parameter Version is not valid. | 400 (API gateway; e.g.
            # developer.aliyun.com/ask/688302, yq.aliyun.com/ask/65248).
            raise ApiError("InvalidVersion", "Specified parameter Version is not valid.", 400)
        spec = ACTIONS.get((product, action_name))
        if spec is None:
            raise ApiError("InvalidAction.NotFound",
                           f"Specified api is not found, please check your url and method. ({action_name} {version})",
                           404)
        check_region(spec, params)
        with self.state.lock:
            self._sync_timings()
            self.state.settle()
            request = Request(self.state, account, product, action_name, params)
            self.calls.append({"cloud": "alicloud", "product": product, "action": action_name,
                               "mutating": spec.mutating, "account": account.uid})
            token = params.get("ClientToken") if spec.idempotent else None
            key = (account.uid, product, action_name, token)
            if token and key in self.state.client_tokens:
                return dict(self.state.client_tokens[key])
            body = spec.handler(request)
            body = dict(body or {})
            body.setdefault("RequestId", request.request_id)
            if token:
                self.state.client_tokens[key] = body
            return body
