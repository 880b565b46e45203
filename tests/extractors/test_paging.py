import httpx
import pytest

from extractors.common.http import ApiClient, SourceError
from extractors.common.paging import (
    describe_request,
    iter_link_pages,
    iter_next_link_pages,
    iter_offset_pages,
    iter_token_pages,
    parse_link_header,
    same_origin,
)


def test_token_pages_stop_on_is_last():
    pages = {None: {"v": 1, "nextPageToken": "a"}, "a": {"v": 2, "nextPageToken": "b", "isLast": True}}
    assert [p["v"] for p in iter_token_pages(pages.__getitem__, source="s")] == [1, 2]


def test_token_pages_stop_without_token():
    pages = {None: {"v": 1, "nextPageToken": "a"}, "a": {"v": 2}}
    assert [p["v"] for p in iter_token_pages(pages.__getitem__, source="s", last_key=None)] == [1, 2]


def test_repeated_token_is_an_error():
    with pytest.raises(SourceError, match="twice"):
        list(iter_token_pages(lambda token: {"nextPageToken": "same"}, source="s"))


def test_link_header_parsing():
    header = (
        '<https://api.github.com/repos/o/r/pulls?page=2>; rel="next", '
        '<https://api.github.com/repos/o/r/pulls?page=5>; rel="last"'
    )
    assert parse_link_header(header) == {
        "next": "https://api.github.com/repos/o/r/pulls?page=2",
        "last": "https://api.github.com/repos/o/r/pulls?page=5",
    }
    assert parse_link_header(None) == {}


def _client(handler):
    return ApiClient("s", "https://api.test", transport=httpx.MockTransport(handler), sleep=lambda s: None)


def test_link_pages_follow_next():
    def handler(request):
        page = int(request.url.params.get("page", 1))
        headers = {"link": f'<https://api.test/items?page={page + 1}>; rel="next"'} if page < 3 else {}
        return httpx.Response(200, headers=headers, json=[page])

    pages = list(iter_link_pages(_client(handler), "/items", {"per_page": 1}))
    assert [p for _, p in pages] == [[1], [2], [3]]
    assert pages[0][0] == "GET /items?per_page=1"


def test_offset_pages_until_more_is_false():
    def handler(request):
        offset = int(request.url.params["offset"])
        return httpx.Response(200, json={"items": [offset], "more": offset < 4})

    pages = [p for _, p in iter_offset_pages(_client(handler), "/incidents", limit=2)]
    assert [p["items"] for p in pages] == [[0], [2], [4]]


def test_next_link_pages():
    def handler(request):
        offset = int(request.url.params.get("offset", 0))
        links = {"next": {"href": f"/flags?offset={offset + 1}"}} if offset < 2 else {}
        return httpx.Response(200, json={"items": [offset], "_links": links})

    pages = [p["items"] for _, p in iter_next_link_pages(_client(handler), "/flags")]
    assert pages == [[0], [1], [2]]


def test_describe_request_omits_none():
    assert describe_request("GET", "/x", {"a": 1, "b": None}) == "GET /x?a=1"


def test_link_pages_refuse_another_host():
    def handler(request):
        return httpx.Response(200, headers={"link": '<https://evil.test/items?page=2>; rel="next"'}, json=[1])

    pages = iter_link_pages(_client(handler), "/items")
    next(pages)
    with pytest.raises(SourceError, match="another host"):
        next(pages)


def test_same_origin():
    assert same_origin("/x?page=2", "https://api.test/base")
    assert same_origin("https://api.test/x", "https://api.test/base")
    assert not same_origin("https://api.test:8443/x", "https://api.test/base")
    assert not same_origin("http://api.test/x", "https://api.test/base")
