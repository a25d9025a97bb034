from __future__ import annotations

from urllib.parse import unquote, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onyx_database import (
    OnyxClientError,
    OnyxConflictError,
    OnyxDecodeError,
    OnyxHTTPError,
    OnyxNotFoundError,
    OnyxRateLimitedError,
    OnyxServerError,
    OnyxUnauthorizedError,
    OnyxUsageError,
)
from onyx_database._request import (
    RawResponse,
    Request,
    build_url,
    decode_response,
    delete_request,
    find_request,
    parse_error_body,
    parse_page,
    query_page_request,
    save_request,
)

WEIRD_IDS = [
    "a/b",
    "q?x=1",
    "h#frag",
    "a&b=c",
    "100%",
    "with space",
    "plus+sign",
    "ünï/cødé",
    "..",
    ".",
]


@pytest.mark.parametrize("pk", WEIRD_IDS)
def test_every_path_segment_is_encoded_and_round_trips(pk: str) -> None:
    request = find_request("db 1", "User", pk, partition="t&admin=1", resolvers=["roles", "a,b"])
    url = build_url("http://h:1/", request)
    parts = urlsplit(url)
    segments = parts.path.split("/")
    assert segments[:4] == ["", "data", "db%201", "User"]
    assert len(segments) == 5  # the id stays one segment, whatever it contains
    assert unquote(segments[4]) == pk
    assert parts.fragment == ""
    params = dict(pair.split("=") for pair in parts.query.split("&"))
    assert set(params) == {"partition", "resolvers"}
    assert unquote(params["partition"]) == "t&admin=1"
    assert unquote(params["resolvers"]) == "roles,a,b"


def test_page_token_with_base64_characters_survives() -> None:
    request = query_page_request(
        "db", "User", {"type": "SelectQuery"}, page_size=50, next_page="ab+/c==", partition=None
    )
    assert build_url("http://h", request) == (
        "http://h/data/db/query/User?pageSize=50&nextPage=ab%2B%2Fc%3D%3D"
    )
    assert request.idempotent


def test_writes_are_not_idempotent_and_reads_are() -> None:
    assert not save_request("db", "User", {"id": 1}).idempotent
    assert not delete_request("db", "User", "1", partition=None).idempotent
    assert find_request("db", "User", 1, partition=None).idempotent
    assert build_url("http://h", find_request("db", "User", 7, partition=None)).endswith("/User/7")


def test_bad_primary_keys_are_usage_errors() -> None:
    for pk in ("", None, 1.5, True):
        with pytest.raises(OnyxUsageError):
            find_request("db", "User", pk, partition=None)


def test_relationships_are_one_encoded_comma_list() -> None:
    request = save_request("db", "User", {}, ["userRoles:UserRole(userId, id)", "profile"])
    assert build_url("http://h", request) == (
        "http://h/data/db/User?relationships=userRoles%3AUserRole%28userId%2C%20id%29%2Cprofile"
    )


@pytest.mark.parametrize(
    ("content_type", "body", "message", "code"),
    [
        (
            "application/json",
            b'{"error": {"message": "no such table", "code": "TABLE_NOT_FOUND"}}',
            "no such table",
            "TABLE_NOT_FOUND",
        ),
        ("application/json", b'{"error": "text error"}', "text error", None),
        ("application/json", b'{"message": "top", "code": "X"}', "top", "X"),
        ("application/json", b'{"error": {"code": "ONLY_CODE"}, "message": "m"}', "m", "ONLY_CODE"),
        ("text/plain", b"plain failure", "plain failure", None),
        (None, b"", None, None),
        ("application/json", b"{broken", "{broken", None),
        ("application/json", b"[1, 2]", None, None),
        ("application/json", b'{"error": 5, "message": ["x"]}', None, None),
        ("application/vnd.msgpack", b"\xc1", None, None),
    ],
)
def test_error_bodies_of_every_shape(
    content_type: str | None, body: bytes, message: str | None, code: str | None
) -> None:
    got_message, got_code, _ = parse_error_body(content_type, body)
    assert (got_message, got_code) == (message, code)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, OnyxClientError),
        (401, OnyxUnauthorizedError),
        (403, OnyxUnauthorizedError),
        (404, OnyxNotFoundError),
        (409, OnyxConflictError),
        (429, OnyxRateLimitedError),
        (500, OnyxServerError),
        (503, OnyxServerError),
    ],
)
def test_status_maps_to_typed_error(status: int, error_class: type[OnyxHTTPError]) -> None:
    request = find_request("db", "User", "u1", partition="p")
    response = RawResponse(status, {"retry-after": "3"}, b"")
    with pytest.raises(error_class) as info:
        decode_response(request, response, url="http://h/data/db/User/u1?partition=p")
    error = info.value
    assert error.status == status
    assert error.message  # never empty, never "None"
    assert error.message != "None"
    assert error.retry_after == 3.0
    assert error.url == "http://h/data/db/User/u1"
    assert str(error).startswith(f"HTTP {status} ")
    assert str(error).endswith(" (GET /data/db/User/u1)")


def test_decode_response_success_and_redaction() -> None:
    request = Request("GET", ("x",))
    assert decode_response(
        request, RawResponse(200, {"content-type": "application/json"}, b"[1]")
    ) == [1]
    failing = RawResponse(
        400, {"content-type": "application/json"}, b'{"error": "bad secret s3cr3t"}'
    )
    with pytest.raises(OnyxClientError) as info:
        decode_response(request, failing, redact=lambda text: text.replace("s3cr3t", "***"))
    assert "s3cr3t" not in str(info.value)


def test_parse_page_shapes() -> None:
    assert parse_page([{"a": 1}]).records == [{"a": 1}]
    assert parse_page({"records": [], "nextPage": ""}).next_page is None
    assert parse_page({"records": [1], "next_page": "t"}).next_page == "t"
    assert parse_page({"nextPage": None}).records == []
    with pytest.raises(OnyxDecodeError):
        parse_page(42)
    with pytest.raises(OnyxDecodeError):
        parse_page({"records": "nope"})


@given(st.lists(st.text(min_size=1), min_size=1, max_size=4), st.text())
def test_any_text_survives_url_building_and_httpx(segments: list[str], token: str) -> None:
    request = Request("PUT", ("data", *segments), params=(("nextPage", token),))
    url = httpx.URL(build_url("http://h:1", request))
    raw_path, _, raw_query = url.raw_path.decode("ascii").partition("?")
    assert [unquote(part) for part in raw_path.split("/")[2:]] == segments
    assert unquote(raw_query.removeprefix("nextPage=")) == token
