"""The Alibaba Cloud protocol layer of cloudtwin, exercised through the official SDK.

The point of the twin is that unmodified SDK code cannot tell it from the cloud, so these
tests drive a real HTTP server on 127.0.0.1 with ``alibabacloud_vpc20160428.client.Client``
(ACS3 and v2 signers) and replay captured requests byte for byte with ``http.client`` to
prove that tampering is caught. They register their own oddly named actions so that they
neither depend on nor collide with the real resource models.
"""

from __future__ import annotations

import http.client
import io
import json
import sys
import threading
import time
from pathlib import Path
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote, urlencode
from xml.etree import ElementTree

import pytest

EMULATOR = Path(__file__).resolve().parents[2] / "emulator"
if str(EMULATOR) not in sys.path:
    sys.path.insert(0, str(EMULATOR))

from werkzeug.serving import make_server  # noqa: E402

from alibabacloud_tea_openapi import exceptions as sdk_errors  # noqa: E402
from alibabacloud_tea_openapi.utils import Utils as SdkUtils  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config, OpenApiRequest, Params  # noqa: E402
from alibabacloud_vpc20160428.client import Client as VpcClient  # noqa: E402
from darabonba.policy.retry import RetryCondition, RetryOptions  # noqa: E402
from darabonba.runtime import RuntimeOptions  # noqa: E402

from cloudtwin.alicloud.models import base  # noqa: E402
from cloudtwin.alicloud.models.base import Account, ApiError, Backend, State, action  # noqa: E402
from cloudtwin.alicloud.protocol import BackendControl, Control, make_alicloud_app  # noqa: E402
from cloudtwin.alicloud.protocol import signing  # noqa: E402
from cloudtwin.alicloud.protocol.gateway import ReplayGuard  # noqa: E402
from cloudtwin.faults import Faults  # noqa: E402

VERSION = "2016-04-28"
ALICE = Account(name="alice", uid="1000000000000001", access_key_id="LTAItwinALICE0001", access_key_secret="alice-secret")
BOB = Account(name="bob", uid="2000000000000002", access_key_id="LTAItwinBOB000002", access_key_secret="bob-secret")


# --- test-only actions (names no real API uses) ------------------------------------------
@action("Vpc", "DescribeTwinProtocolEcho", region="optional")
def _echo(request):
    return {"Params": dict(request.params), "AccountUid": request.account.uid, "Region": request.region}


@action("Vpc", "CreateTwinProtocolThing", idempotent=True, region="optional")
def _create_thing(request):
    thing = request.state.add("TwinProtocolThing", request.state.new_id("thing"), request.account.uid,
                              request.region, {"Name": request.get("Name", "")})
    return {"ThingId": thing.id}


@action("Vpc", "DescribeTwinProtocolRefusal", region="optional")
def _refuse(request):
    raise ApiError("IncorrectStatus.TwinProtocol", "The thing is busy.", 400)


@action("Vpc", "DescribeTwinProtocolBug", region="optional")
def _bug(request):
    raise RuntimeError("a model bug")


@action("Vpc", "DescribeTwinProtocolRegional")  # the Vpc default: RegionId required
def _regional(request):
    return {"Region": request.region, "VpcId": request.require("VpcId")}


@action("Cbn", "DescribeTwinProtocolGlobal")  # the Cbn default: no RegionId at all
def _global(request):
    return {"Seen": request.params.get("RegionId", "")}


class SpyControl(BackendControl):
    """The composition's control object, stood in for: counts resets."""

    def __init__(self, backend):
        super().__init__(backend)
        self.resets = 0

    def reset(self):
        self.resets += 1
        super().reset()
        for account in (ALICE, BOB):
            self.backend.state.add_account(account)


class Recorder:
    """WSGI middleware keeping the last request's raw parts, for byte-exact replays."""

    def __init__(self, app):
        self.app = app
        self.last = None

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        if not environ["PATH_INFO"].startswith("/_twin"):
            self.last = {"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"],
                         "query": environ.get("QUERY_STRING", ""), "headers": headers, "body": body}
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def twin():
    """One server for the module; ``load_all_kinds`` is skipped so only our actions exist."""
    faults = Faults()
    original = base.load_all_kinds
    base.load_all_kinds = lambda: None
    try:
        backend = Backend(State(), faults=faults)  # as the server composition builds it
    finally:
        base.load_all_kinds = original
    for account in (ALICE, BOB):
        backend.state.add_account(account)
    control = SpyControl(backend)
    app = make_alicloud_app(backend, faults, control)
    recorder = Recorder(app)
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"port": server.server_port, "backend": backend, "faults": faults, "control": control,
           "recorder": recorder, "app": app}
    server.shutdown()
    thread.join(5)


@pytest.fixture(autouse=True)
def clean(twin, monkeypatch):
    """Every test starts with no faults and no calls; no proxy may divert loopback traffic."""
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    twin["faults"].update({"throttle_rate": 0, "error_rate": 0, "latency_ms": 0, "latency_rate": 1,
                           "only_actions": [], "count": None, "retry_after_ms": 200, "seed": 0,
                           "consistency_delay": 0, "delays": {}})
    twin["faults"].injected = {"throttle": 0, "error": 0}
    twin["backend"].calls.clear()
    yield


def client(twin, account=ALICE, secret=None, algorithm=None, token=None, retry=None):
    config = Config(access_key_id=account.access_key_id, access_key_secret=secret or account.access_key_secret,
                    region_id="cn-hangzhou", endpoint=f"127.0.0.1:{twin['port']}", protocol="http",
                    signature_algorithm=algorithm, security_token=token, retry_options=retry,
                    read_timeout=10000, connect_timeout=5000)
    return VpcClient(config)


def call(cli, action_name, query=None, body=None, method="POST", version=VERSION):
    params = Params(action=action_name, version=version, protocol="HTTP", pathname="/", method=method,
                    auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
    request = OpenApiRequest(query=query, body=body)
    return cli.call_api(params, request, RuntimeOptions())


def raw(twin, method, path_and_query, headers=None, body=b""):
    conn = http.client.HTTPConnection("127.0.0.1", twin["port"], timeout=10)
    try:
        conn.request(method, path_and_query, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), resp.read()
    finally:
        conn.close()


def replay(twin, captured, query=None, headers=None, body=None):
    """Send a captured request again, optionally with one part changed."""
    sent_headers = dict(captured["headers"])
    sent_headers.update(headers or {})
    sent_headers.pop("content-length", None)
    q = captured["query"] if query is None else query
    target = captured["path"] + ("?" + q if q else "")
    return raw(twin, captured["method"], target, sent_headers, captured["body"] if body is None else body)


def _now(skew_minutes=0.0):
    moment = datetime.now(timezone.utc) + timedelta(minutes=skew_minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_v2(twin, api_params, account=ALICE, action_name="DescribeTwinProtocolEcho", drop=(), **common):
    """A v2 (HMAC-SHA1) request signed with the twin's own signing helpers; ``common``
    overrides the common parameters, ``drop`` leaves some out, to build what no SDK sends."""
    params = {"Action": action_name, "Version": VERSION, "Format": "JSON", "Timestamp": _now(),
              "SignatureNonce": uuid.uuid4().hex, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
              "AccessKeyId": account.access_key_id}
    params.update(common)
    params.update(api_params)
    for name in drop:
        params.pop(name)
    params["Signature"] = signing.v2_signature(account.access_key_secret, signing.v2_string_to_sign("GET", params))
    status, headers, data = raw(twin, "GET", "/?" + urlencode(params, quote_via=quote))
    return status, headers, data


def signed_acs3(twin, query, account=ALICE, action_name="DescribeTwinProtocolEcho", drop=(), **headers):
    """An ACS3-HMAC-SHA256 request signed with the twin's signing helpers (headers overridable)."""
    values = {"host": f"127.0.0.1:{twin['port']}", "x-acs-action": action_name, "x-acs-version": VERSION,
              "x-acs-date": _now(), "x-acs-signature-nonce": uuid.uuid4().hex,
              "x-acs-content-sha256": signing.payload_hash(b"")}
    values.update({k.replace("_", "-"): v for k, v in headers.items()})
    for name in drop:
        values.pop(name)
    signed = sorted(values)
    canonical = signing.acs3_canonical_request("POST", "/", query, {k: [v] for k, v in values.items()}, signed,
                                               values["x-acs-content-sha256"])
    signature = signing.acs3_signature(account.access_key_secret,
                                       signing.acs3_string_to_sign(signing.ACS3_HMAC_SHA256, canonical))
    values["Authorization"] = (f"ACS3-HMAC-SHA256 Credential={account.access_key_id},"
                               f"SignedHeaders={';'.join(signed)},Signature={signature}")
    return raw(twin, "POST", "/?" + urlencode(query, quote_via=quote), values)


def control(twin, method, path, payload=None):
    body = json.dumps(payload).encode() if payload is not None else b""
    status, headers, data = raw(twin, method, path, {"Content-Type": "application/json"}, body)
    return status, json.loads(data)


SCHEMES = [pytest.param(None, id="acs3"), pytest.param("v2", id="v2")]


# --- success -----------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", SCHEMES)
def test_sdk_call_succeeds_and_only_api_params_reach_the_model(twin, algorithm):
    result = call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho",
                  query={"RegionId": "cn-beijing", "Tag.1.Key": "env", "Flag": "True"})
    assert result["statusCode"] == 200
    body = result["body"]
    assert body["Params"] == {"RegionId": "cn-beijing", "Tag.1.Key": "env", "Flag": "True"}
    assert body["AccountUid"] == ALICE.uid and body["Region"] == "cn-beijing"
    assert body["RequestId"] and result["headers"]["x-acs-request-id"] == body["RequestId"]
    assert result["headers"]["content-type"] == "application/json;charset=utf-8"
    captured = twin["recorder"].last
    if algorithm is None:
        assert captured["headers"]["authorization"].startswith("ACS3-HMAC-SHA256 Credential=")
        assert "Action" not in dict(parse_qsl(captured["query"]))
    else:
        assert dict(parse_qsl(captured["query"]))["Action"] == "DescribeTwinProtocolEcho"


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_access_key_selects_the_account(twin, algorithm):
    body = call(client(twin, BOB, algorithm=algorithm), "DescribeTwinProtocolEcho")["body"]
    assert body["AccountUid"] == BOB.uid


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_awkward_characters_are_canonicalised_like_the_sdk(twin, algorithm):
    value = "a b+c*~/é&=%20,;'\"!()"
    body = call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho",
                query={"Description": value}, body={"Name": value + " body"})["body"]
    assert body["Params"]["Description"] == value
    assert body["Params"]["Name"] == value + " body"


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_form_body_parameters_are_merged_and_signed(twin, algorithm):
    body = call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho",
                query={"RegionId": "cn-shanghai"},
                body={"TunnelOptionsSpecification": [{"TunnelIndex": 1, "EnableDpd": True}]})["body"]
    assert body["Params"] == {"RegionId": "cn-shanghai",
                              "TunnelOptionsSpecification.1.TunnelIndex": "1",
                              "TunnelOptionsSpecification.1.EnableDpd": "True"}
    captured = twin["recorder"].last
    assert captured["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert b"TunnelOptionsSpecification.1.TunnelIndex=1" in captured["body"]


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_get_requests_work(twin, algorithm):
    body = call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho",
                query={"ZoneId": "cn-hangzhou-h"}, method="GET")["body"]
    assert twin["recorder"].last["method"] == "GET"
    assert body["Params"] == {"ZoneId": "cn-hangzhou-h"}


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_security_token_is_accepted(twin, algorithm):
    body = call(client(twin, algorithm=algorithm, token="twin-sts-token"), "DescribeTwinProtocolEcho")["body"]
    assert body["AccountUid"] == ALICE.uid
    assert "SecurityToken" not in body["Params"]
    captured = twin["recorder"].last
    if algorithm is None:
        assert captured["headers"]["x-acs-security-token"] == "twin-sts-token"
    else:
        assert dict(parse_qsl(captured["query"]))["SecurityToken"] == "twin-sts-token"


# --- authentication errors ---------------------------------------------------------------
@pytest.mark.parametrize("algorithm", SCHEMES)
def test_wrong_secret_is_signature_does_not_match(twin, algorithm):
    with pytest.raises(sdk_errors.ClientException) as info:
        call(client(twin, secret="not-the-secret", algorithm=algorithm), "DescribeTwinProtocolEcho")
    err = info.value
    assert err.code == "SignatureDoesNotMatch"
    assert err.statusCode == 400 and err.status_code == 400
    assert set(err.data) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert err.data["Message"].startswith("Specified signature")
    if algorithm == "v2":
        # aliyun-python-sdk-core compares message.split(':')[1] with its own string to sign.
        sts = err.data["Message"].split(":")[1]
        assert sts.startswith("POST&%2F&AccessKeyId%3D" + ALICE.access_key_id)
    else:
        assert "server StringToSign is [ACS3-HMAC-SHA256\n" in err.data["Message"]
    assert twin["backend"].calls == []


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_unknown_access_key_is_not_found(twin, algorithm):
    stranger = Account("eve", "9", "LTAItwinUNKNOWN99", "whatever")
    with pytest.raises(sdk_errors.ClientException) as info:
        call(client(twin, stranger, algorithm=algorithm), "DescribeTwinProtocolEcho")
    assert info.value.code == "InvalidAccessKeyId.NotFound"
    assert info.value.statusCode == 404
    assert info.value.data["Message"] == "Specified access key is not found."


def test_missing_authorization_is_rejected(twin):
    status, headers, data = raw(twin, "POST", "/?RegionId=cn-hangzhou",
                                {"x-acs-action": "DescribeTwinProtocolEcho", "x-acs-version": VERSION})
    body = json.loads(data)
    assert status == 400 and body["Code"] == "MissingAccessKeyId"
    assert headers["content-type"] == "application/json;charset=utf-8"


def test_v2_without_signature_is_rejected(twin):
    query = urlencode({"Action": "DescribeTwinProtocolEcho", "Version": VERSION,
                       "AccessKeyId": ALICE.access_key_id})
    status, _, data = raw(twin, "GET", "/?" + query)
    assert status == 400 and json.loads(data)["Code"] == "MissingSignature"


def test_malformed_acs3_header_is_incomplete_signature(twin):
    status, _, data = raw(twin, "POST", "/", {"Authorization": "ACS3-HMAC-SHA256 Credential=x",
                                               "x-acs-action": "DescribeTwinProtocolEcho", "x-acs-version": VERSION})
    assert status == 400 and json.loads(data)["Code"] == "IncompleteSignature"


# --- tampering (byte-exact replays of SDK requests) ---------------------------------------
@pytest.mark.parametrize("algorithm", SCHEMES)
def test_replayed_request_spends_no_second_nonce_and_a_changed_query_is_caught(twin, algorithm):
    call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho", query={"RegionId": "cn-beijing"})
    captured = twin["recorder"].last
    # A byte-exact replay is signed correctly, but its nonce was used already.
    status, _, data = replay(twin, captured)
    assert status == 400 and json.loads(data)["Code"] == "SignatureNonceUsed"
    assert json.loads(data)["Message"] == "Specified signature nonce was used already."

    tampered = captured["query"].replace("RegionId=cn-beijing", "RegionId=cn-shanghai")
    assert tampered != captured["query"]
    status, _, data = replay(twin, captured, query=tampered)
    assert status == 400 and json.loads(data)["Code"] == "SignatureDoesNotMatch"

    added = captured["query"] + "&InstanceId=vpn-sneaky"
    status, _, data = replay(twin, captured, query=added)
    assert status == 400 and json.loads(data)["Code"] == "SignatureDoesNotMatch"


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_changed_form_body_is_caught(twin, algorithm):
    call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho", body={"Name": "good"})
    captured = twin["recorder"].last
    status, _, data = replay(twin, captured, body=captured["body"].replace(b"good", b"evil"))
    assert status == 400 and json.loads(data)["Code"] == "SignatureDoesNotMatch"


def test_acs3_changed_action_header_or_false_body_hash_is_caught(twin):
    call(client(twin), "DescribeTwinProtocolEcho", body={"Name": "good"})
    captured = twin["recorder"].last
    status, _, data = replay(twin, captured, headers={"x-acs-action": "CreateTwinProtocolThing"})
    assert status == 400 and json.loads(data)["Code"] == "SignatureDoesNotMatch"
    evil = b"Name=evil"
    status, _, data = replay(twin, captured, body=evil,
                             headers={"x-acs-content-sha256": signing.payload_hash(evil)})
    assert status == 400 and json.loads(data)["Code"] == "SignatureDoesNotMatch"
    assert not twin["backend"].state.all("TwinProtocolThing")


def test_acs3_unsigned_acs_header_is_refused(twin):
    call(client(twin), "DescribeTwinProtocolEcho")
    captured = twin["recorder"].last
    status, _, data = replay(twin, captured, headers={"x-acs-extra": "smuggled"})
    assert status == 400 and json.loads(data)["Code"] == "IncompleteSignature"


# --- the API gateway's checks ----------------------------------------------------------------
def sdk_error(func, *args, **kwargs):
    with pytest.raises(sdk_errors.ClientException) as info:
        func(*args, **kwargs)
    return info.value


@pytest.mark.parametrize("algorithm", SCHEMES)
@pytest.mark.parametrize("skew", [-16, 16])
def test_a_clock_more_than_15_minutes_off_is_invalid_timestamp_expired(twin, algorithm, skew, monkeypatch):
    # The SDK stamps every request with its own clock: skew that clock.
    monkeypatch.setattr(SdkUtils, "get_timestamp", staticmethod(lambda: _now(skew)))
    err = sdk_error(call, client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho")
    assert (err.code, err.statusCode) == ("InvalidTimeStamp.Expired", 400)
    assert err.data["Message"] == "Specified time stamp or date value is expired."
    assert twin["backend"].calls == []


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_a_clock_14_minutes_off_is_still_accepted(twin, algorithm, monkeypatch):
    monkeypatch.setattr(SdkUtils, "get_timestamp", staticmethod(lambda: _now(-14)))
    assert call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho")["statusCode"] == 200


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_a_reused_signature_nonce_is_refused_per_access_key(twin, algorithm, monkeypatch):
    monkeypatch.setattr(SdkUtils, "get_nonce", staticmethod(lambda: "twin-fixed-nonce-" + str(algorithm)))
    assert call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho")["statusCode"] == 200
    err = sdk_error(call, client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho")
    assert (err.code, err.statusCode) == ("SignatureNonceUsed", 400)
    assert err.data["Message"] == "Specified signature nonce was used already."
    # Another AccessKey may use the same nonce.
    assert call(client(twin, BOB, algorithm=algorithm), "DescribeTwinProtocolEcho")["statusCode"] == 200
    assert len(twin["backend"].calls) == 2


def test_a_wrongly_signed_request_does_not_spend_its_nonce(twin, monkeypatch):
    monkeypatch.setattr(SdkUtils, "get_nonce", staticmethod(lambda: "twin-nonce-after-bad-secret"))
    assert sdk_error(call, client(twin, secret="wrong"), "DescribeTwinProtocolEcho").code == "SignatureDoesNotMatch"
    assert call(client(twin), "DescribeTwinProtocolEcho")["statusCode"] == 200


@pytest.mark.parametrize("send", [signed_v2, signed_acs3], ids=["v2", "acs3"])
def test_missing_or_malformed_time_and_nonce_raw_signed(twin, send):
    # No SDK leaves these out or misformats them: signed raw requests built with the twin's helpers.
    time_name, nonce_name = ("Timestamp", "SignatureNonce") if send is signed_v2 else (
        "x-acs-date", "x-acs-signature-nonce")
    status, _, data = send(twin, {}, drop=(time_name,))
    assert status == 400 and json.loads(data)["Code"] == "MissingTimestamp"
    status, _, data = send(twin, {}, drop=(nonce_name,))
    assert status == 400 and json.loads(data)["Code"] == "MissingSignatureNonce"
    assert json.loads(data)["Message"] == "SignatureNonce is mandatory for this action."
    status, _, data = send(twin, {}, **{time_name.replace("-", "_"): "2026/12/01 10:00:00"})
    assert status == 400 and json.loads(data)["Code"] == "InvalidTimeStamp.Format"
    assert json.loads(data)["Message"] == "Specified time stamp or date value is not well formatted."
    assert send(twin, {})[0] == 200


def test_replay_guard_memory_is_bounded_by_window_and_cap():
    clock = [1_000_000.0]
    guard = ReplayGuard(window=900, cap=3, clock=lambda: clock[0])
    stamp = lambda: datetime.fromtimestamp(clock[0], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    for n in range(5):
        guard.check("AK", stamp(), f"n{n}")
    assert len(guard) == 3  # the hard cap
    with pytest.raises(ApiError) as info:
        guard.check("AK", stamp(), "n4")
    assert info.value.code == "SignatureNonceUsed"
    clock[0] += 901  # every remembered nonce's request is now too old to replay
    guard.check("AK", stamp(), "fresh")
    assert len(guard) == 1
    with pytest.raises(ApiError) as info:
        guard.check("AK", "2000-01-01T00:00:00Z", "n0")
    assert info.value.code == "InvalidTimeStamp.Expired"


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_an_unsupported_version_is_invalid_version(twin, algorithm):
    err = sdk_error(call, client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho", version="2099-01-01")
    assert (err.code, err.statusCode) == ("InvalidVersion", 400)
    assert err.data["Message"] == "Specified parameter Version is not valid."


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_region_id_missing_unknown_or_not_taken(twin, algorithm):
    cli = client(twin, algorithm=algorithm)
    err = sdk_error(call, cli, "DescribeTwinProtocolRegional", query={"VpcId": "vpc-1"})
    assert (err.code, err.statusCode) == ("MissingRegionId", 400)
    assert err.data["Message"] == "RegionId is mandatory for this action."
    err = sdk_error(call, cli, "DescribeTwinProtocolRegional", query={"VpcId": "vpc-1", "RegionId": "cn-atlantis"})
    assert (err.code, err.statusCode) == ("InvalidRegionId.NotFound", 404)
    assert call(cli, "DescribeTwinProtocolRegional",
                query={"VpcId": "vpc-1", "RegionId": "us-west-1"})["body"]["Region"] == "us-west-1"
    # An action without RegionId (CEN's global calls) ignores a stray one, as unknown parameters are.
    body = call(cli, "DescribeTwinProtocolGlobal", query={"RegionId": "cn-atlantis"}, version="2017-09-12")["body"]
    assert body["Seen"] == "cn-atlantis"


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_a_missing_parameter_is_missing_name(twin, algorithm):
    err = sdk_error(call, client(twin, algorithm=algorithm), "DescribeTwinProtocolRegional",
                    query={"RegionId": "cn-hangzhou"})
    assert (err.code, err.statusCode) == ("MissingVpcId", 400)
    assert err.data["Message"] == "VpcId is mandatory for this action."


def test_format_xml_answers_in_xml(twin):
    status, headers, data = signed_v2(twin, {"RegionId": "cn-beijing", "Tag.1.Key": "a&b"}, Format="XML")
    assert status == 200 and headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(data)
    assert root.tag == "DescribeTwinProtocolEchoResponse"
    assert root.findtext("Params/RegionId") == "cn-beijing" and root.findtext("Params/Tag.1.Key") == "a&b"
    assert root.findtext("RequestId") == headers["x-acs-request-id"]
    status, headers, data = signed_v2(twin, {}, action_name="DescribeTwinProtocolRefusal", Format="xml")
    root = ElementTree.fromstring(data)
    assert status == 400 and root.tag == "Error" and root.findtext("Code") == "IncorrectStatus.TwinProtocol"
    assert signed_v2(twin, {})[1]["content-type"].startswith("application/json")


# --- errors from the model, as the SDK surfaces them ---------------------------------------
@pytest.mark.parametrize("algorithm", SCHEMES)
def test_model_errors_keep_code_status_and_request_id(twin, algorithm):
    with pytest.raises(sdk_errors.ClientException) as info:
        call(client(twin, algorithm=algorithm), "DescribeTwinProtocolRefusal")
    err = info.value
    assert err.code == "IncorrectStatus.TwinProtocol" and err.statusCode == 400
    assert err.data["Message"] == "The thing is busy."
    assert err.request_id == err.data["RequestId"] and err.data["RequestId"] in err.message
    assert "q=IncorrectStatus.TwinProtocol&product=Vpc" in err.data["Recommend"]


def test_unknown_action_is_invalid_action_not_found(twin):
    with pytest.raises(sdk_errors.ClientException) as info:
        call(client(twin), "DescribeTwinProtocolNothingHere")
    assert info.value.code == "InvalidAction.NotFound" and info.value.statusCode == 404


def test_model_bug_is_a_server_error_not_a_dropped_connection(twin):
    with pytest.raises(sdk_errors.ServerException) as info:
        call(client(twin), "DescribeTwinProtocolBug")
    assert info.value.code == "InternalError" and info.value.statusCode == 500


# --- fault injection ------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", SCHEMES)
def test_throttling_surfaces_as_throttling_exception_with_code(twin, algorithm):
    twin["faults"].update({"throttle_rate": 1.0, "count": 1})
    cli = client(twin, algorithm=algorithm)
    with pytest.raises(sdk_errors.ThrottlingException) as info:
        call(cli, "DescribeTwinProtocolEcho")
    err = info.value
    assert err.code == "Throttling.User" and err.statusCode == 400
    assert err.retry_after == 200
    assert err.data["Message"] == "Request was denied due to user flow control."
    # The budget is spent: the next call goes through.
    assert call(cli, "DescribeTwinProtocolEcho")["statusCode"] == 200
    assert twin["faults"].to_dict()["injected"] == {"throttle": 1, "error": 0}


def test_throttling_without_retry_after_is_a_client_exception(twin):
    twin["faults"].update({"throttle_rate": 1.0, "retry_after_ms": 0})
    with pytest.raises(sdk_errors.ClientException) as info:
        call(client(twin), "DescribeTwinProtocolEcho")
    assert info.value.code == "Throttling.User" and info.value.statusCode == 400


@pytest.mark.parametrize("algorithm", SCHEMES)
def test_server_error_surfaces_as_503_service_unavailable(twin, algorithm):
    twin["faults"].update({"error_rate": 1.0})
    with pytest.raises(sdk_errors.ServerException) as info:
        call(client(twin, algorithm=algorithm), "DescribeTwinProtocolEcho")
    assert info.value.code == "ServiceUnavailable" and info.value.statusCode == 503
    assert info.value.data["Message"] == "The request has failed due to a temporary failure of the server."


def test_fault_budget_is_honoured_and_faulted_requests_change_nothing(twin):
    twin["faults"].update({"throttle_rate": 0.5, "error_rate": 0.5, "count": 3})
    cli = client(twin)
    outcomes = []
    for _ in range(6):
        try:
            call(cli, "CreateTwinProtocolThing", query={"RegionId": "cn-hangzhou"})
            outcomes.append("ok")
        except (sdk_errors.ThrottlingException, sdk_errors.ServerException) as err:
            outcomes.append(err.code)
    assert outcomes[:3] != ["ok"] * 3 and "ok" not in outcomes[:3]
    assert outcomes[3:] == ["ok"] * 3
    injected = twin["faults"].to_dict()["injected"]
    assert injected["throttle"] + injected["error"] == 3 and twin["faults"].count == 0
    # Only the three calls that were not faulted reached the model and created anything.
    assert len(twin["backend"].state.all("TwinProtocolThing")) == 3
    assert [c["action"] for c in twin["backend"].calls] == ["CreateTwinProtocolThing"] * 3


def test_only_actions_aims_faults(twin):
    twin["faults"].update({"error_rate": 1.0, "only_actions": ["Create*"]})
    cli = client(twin)
    assert call(cli, "DescribeTwinProtocolEcho")["statusCode"] == 200
    with pytest.raises(sdk_errors.ServerException):
        call(cli, "CreateTwinProtocolThing")


def test_sdk_retry_options_recover_from_throttling(twin):
    """With the SDK's own RetryOptions, a throttled call retries after x-acs-retry-after."""
    twin["faults"].update({"throttle_rate": 1.0, "count": 2, "retry_after_ms": 50})
    retry = RetryOptions({"retryable": True, "retryCondition": [
        RetryCondition({"maxAttempts": 3, "errorCode": ["Throttling.User"]})]})
    started = time.monotonic()
    result = call(client(twin, retry=retry), "DescribeTwinProtocolEcho")
    assert result["statusCode"] == 200
    assert time.monotonic() - started >= 0.1  # two waits of 50 ms
    assert twin["faults"].to_dict()["injected"]["throttle"] == 2
    assert twin["recorder"].last["headers"]["x-acs-retry-attempts"] == "2"


def test_latency_is_added(twin):
    twin["faults"].update({"latency_ms": 300})
    started = time.monotonic()
    call(client(twin), "DescribeTwinProtocolEcho")
    assert time.monotonic() - started >= 0.3


def test_signature_errors_do_not_spend_the_fault_budget(twin):
    twin["faults"].update({"throttle_rate": 1.0, "count": 1})
    with pytest.raises(sdk_errors.ClientException) as info:
        call(client(twin, secret="wrong"), "DescribeTwinProtocolEcho")
    assert info.value.code == "SignatureDoesNotMatch"
    assert twin["faults"].count == 1


# --- control endpoints --------------------------------------------------------------------
def test_state_endpoint_dumps_state_and_faults(twin):
    call(client(twin), "CreateTwinProtocolThing", query={"Name": "one"})
    status, dump = control(twin, "GET", "/_twin/state")
    assert status == 200
    assert {a["uid"] for a in dump["accounts"]} >= {ALICE.uid, BOB.uid}
    assert any(t["Name"] == "one" for t in dump["resources"]["TwinProtocolThing"])
    assert dump["faults"]["throttle_rate"] == 0


def test_faults_endpoint_reads_and_sets(twin):
    status, config = control(twin, "POST", "/_twin/faults",
                             {"throttle_rate": 0.25, "latency_ms": 5, "only_actions": ["Create*"], "count": 4,
                              "consistency_delay": 1.5, "delays": {"TwinProtocolThing": 2}})
    assert status == 200 and config["throttle_rate"] == 0.25 and config["count"] == 4
    status, again = control(twin, "GET", "/_twin/faults")
    assert again == config
    # Eventual-consistency knobs reach the Alibaba state (the Backend copies them on its
    # next call).
    twin["faults"].update({"throttle_rate": 0})
    call(client(twin), "DescribeTwinProtocolEcho")
    assert twin["backend"].state.consistency_delay == 1.5
    assert twin["backend"].state.delays["TwinProtocolThing"] == 2
    status, error = control(twin, "POST", "/_twin/faults", {"throttle_rate": 7})
    assert status == 400 and "throttle_rate" in error["error"]
    status, error = control(twin, "POST", "/_twin/faults", {"bogus": 1})
    assert status == 400
    assert control(twin, "GET", "/_twin/faults")[1]["throttle_rate"] == 0
    control(twin, "POST", "/_twin/faults", {"consistency_delay": 0, "delays": {}})
    call(client(twin), "DescribeTwinProtocolEcho")
    assert "TwinProtocolThing" not in twin["backend"].state.delays


def test_calls_endpoint_lists_and_clears(twin):
    call(client(twin), "DescribeTwinProtocolEcho")
    call(client(twin, BOB, algorithm="v2"), "CreateTwinProtocolThing")
    status, calls = control(twin, "GET", "/_twin/calls")
    assert status == 200
    assert [(c["action"], c["mutating"], c["account"]) for c in calls] == [
        ("DescribeTwinProtocolEcho", False, ALICE.uid), ("CreateTwinProtocolThing", True, BOB.uid)]
    assert control(twin, "DELETE", "/_twin/calls")[0] == 200
    assert control(twin, "GET", "/_twin/calls")[1] == []


def test_reset_endpoint_calls_control_reset_and_keeps_fault_settings(twin):
    call(client(twin), "CreateTwinProtocolThing")
    twin["faults"].update({"consistency_delay": 0.5})
    before = twin["control"].resets
    status, body = control(twin, "POST", "/_twin/reset")
    assert status == 200 and body == {"reset": True}
    assert twin["control"].resets == before + 1
    assert twin["backend"].state.all("TwinProtocolThing") == []
    # The accounts were re-seeded by the control object: the SDK still works, and the
    # fault timings are copied into the fresh state.
    assert call(client(twin), "DescribeTwinProtocolEcho")["statusCode"] == 200
    assert twin["backend"].state.consistency_delay == 0.5


def test_control_endpoint_errors(twin):
    assert control(twin, "GET", "/_twin/nothing")[0] == 404
    assert control(twin, "GET", "/_twin/reset")[0] == 405
    assert isinstance(twin["control"], Control)


# --- Faults on its own (the AWS side reuses it) -------------------------------------------------
def test_faults_from_env_and_round_trip():
    faults = Faults.from_env({"CLOUDTWIN_THROTTLE_RATE": "0.1", "CLOUDTWIN_ERROR_RATE": "0.2",
                              "CLOUDTWIN_LATENCY_MS": "30", "CLOUDTWIN_CONSISTENCY_DELAY": "2",
                              "CLOUDTWIN_FAULT_ACTIONS": "CreateVpnConnection, Describe*"})
    config = faults.to_dict()
    assert (config["throttle_rate"], config["error_rate"], config["latency_ms"], config["consistency_delay"]) == (
        0.1, 0.2, 30.0, 2.0)
    assert config["only_actions"] == ["CreateVpnConnection", "Describe*"]
    copy = Faults()
    copy.update({k: v for k, v in config.items() if k != "injected"})
    assert {k: v for k, v in copy.to_dict().items() if k != "injected"} == {
        k: v for k, v in config.items() if k != "injected"}
    assert Faults.from_env({}).to_dict()["throttle_rate"] == 0


def test_faults_decisions_are_seeded_and_rated():
    def run(seed):
        faults = Faults(throttle_rate=0.3, error_rate=0.3, seed=seed)
        return [faults.decide("X") for _ in range(2000)]
    first = run(5)
    assert first == run(5)
    assert 500 < first.count("throttle") < 700 and 500 < first.count("error") < 700
    assert Faults().decide("X") is None
    assert Faults(error_rate=1, only_actions=["Create*"]).decide("DescribeX") is None
    assert Faults(error_rate=1, count=0).decide("X") is None
    with pytest.raises(ValueError):
        Faults(throttle_rate=1.5)
