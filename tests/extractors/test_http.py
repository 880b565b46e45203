import httpx
import pytest

from extractors.common.http import (
    ApiClient,
    HttpStatusError,
    RetryPolicy,
    SourceError,
    parse_rate_limit_reset,
    parse_retry_after,
)

NOW = 1_800_000_000.0


def client_for(responses, **options):
    """An ApiClient whose transport answers from a list of (status, headers, body) in order."""
    calls = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        status, headers, body = queue.pop(0)
        if isinstance(status, Exception):
            raise status
        return httpx.Response(status, headers=headers, content=body)

    waits: list[float] = []
    client = ApiClient(
        "test-source",
        "https://example.test/api",
        transport=httpx.MockTransport(handler),
        sleep=waits.append,
        clock=lambda: NOW,
        **options,
    )
    return client, calls, waits


def test_retry_after_seconds_and_http_date():
    assert parse_retry_after("7", NOW) == 7
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", NOW) >= 0
    assert parse_retry_after(None, NOW) is None
    assert parse_retry_after("soon", NOW) is None


def test_rate_limit_reset_in_seconds_and_milliseconds():
    assert (
        parse_rate_limit_reset({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(NOW + 30)}, NOW) == 30
    )
    assert parse_rate_limit_reset(
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str((NOW + 5) * 1000)}, NOW
    ) == pytest.approx(5)
    assert (
        parse_rate_limit_reset({"x-ratelimit-remaining": "12", "x-ratelimit-reset": str(NOW + 30)}, NOW)
        is None
    )


def test_429_waits_for_retry_after_then_succeeds():
    client, calls, waits = client_for([(429, {"Retry-After": "3"}, b"{}"), (200, {}, b'{"ok": true}')])
    assert client.get_json("/thing") == {"ok": True}
    assert waits == [3.0]
    assert client.stats.rate_limited == 1 and client.stats.retries == 1


def test_5xx_backs_off_exponentially_within_the_cap():
    policy = RetryPolicy(max_attempts=4, base_backoff_seconds=2, max_backoff_seconds=5)
    client, calls, waits = client_for(
        [(503, {}, b""), (502, {}, b""), (500, {}, b""), (200, {}, b"[]")], retry=policy
    )
    assert client.get_json("/x") == []
    assert len(waits) == 3 and all(0 <= w <= 5 for w in waits)


def test_gives_up_after_max_attempts_with_a_message_naming_source_and_url():
    client, calls, _ = client_for([(503, {}, b"down")] * 3, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(HttpStatusError, match=r"test-source: GET /x answered HTTP 503: down"):
        client.get("/x")
    assert len(calls) == 3


def test_secondary_rate_limit_403_with_retry_after_is_retried():
    client, _, waits = client_for([(403, {"retry-after": "60"}, b""), (200, {}, b"{}")])
    client.get("/x")
    assert waits == [60.0]


def test_primary_rate_limit_403_waits_until_reset():
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 42)}
    client, _, waits = client_for([(403, headers, b""), (200, {}, b"{}")])
    client.get("/x")
    assert waits == [42.0]


def test_exhausted_budget_on_success_waits_before_the_next_request():
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 10)}
    client, _, waits = client_for([(200, headers, b"{}")])
    client.get("/x")
    assert waits == [10.0]


def test_plain_403_is_not_retried():
    client, calls, _ = client_for([(403, {}, b"forbidden")])
    with pytest.raises(HttpStatusError):
        client.get("/x")
    assert len(calls) == 1


def test_network_errors_are_retried():
    client, calls, waits = client_for([(httpx.ConnectError("refused"), {}, b""), (200, {}, b"{}")])
    assert client.get_json("/x") == {}
    assert len(calls) == 2 and len(waits) == 1


def test_malformed_json_names_source_and_request():
    client, _, _ = client_for([(200, {}, b"{not json")])
    with pytest.raises(SourceError, match="test-source: GET /x returned malformed JSON"):
        client.get_json("/x")


def test_base_url_path_is_kept():
    client, calls, _ = client_for([(200, {}, b"{}")])
    client.get("/rest/api/3/status")
    assert str(calls[0].url) == "https://example.test/api/rest/api/3/status"


def test_credentials_never_appear_in_errors():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(401, content=b"unauthorised")

    client = ApiClient(
        "s",
        "https://x.test",
        auth=httpx.BasicAuth("me@x.test", "sekrit-token"),
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )
    with pytest.raises(HttpStatusError) as info:
        client.get("/x")
    assert "sekrit" not in str(info.value)
    assert calls[0].headers["authorization"].startswith("Basic ")


def test_threads_sharing_a_client_are_all_counted():
    from extractors.common.concurrency import map_concurrently

    client = ApiClient(
        "demo", "https://api.example.test", transport=httpx.MockTransport(lambda _: httpx.Response(200))
    )
    map_concurrently(lambda _: client.get("/thing"), list(range(400)), max_workers=8)
    assert client.stats.requests == 400 and client.stats.by_status == {200: 400}
