"""``TestClient``: a synchronous client for tests, as upstream plugins' suites use it."""
from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
from typing import Any, Coroutine

import httpx

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _run(coroutine: Coroutine) -> Any:
    """Run a coroutine on one long-lived background event loop, from sync code."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="TestClient loop", daemon=True).start()
    return asyncio.run_coroutine_threadsafe(coroutine, _loop).result()


class TestResponse:
    """A finished response: ``.status``, ``.headers``, ``.text``, ``.json``, ``.cookies``."""

    __test__ = False

    def __init__(self, httpx_response: httpx.Response) -> None:
        self.httpx_response = httpx_response

    @property
    def status(self) -> int:
        return self.httpx_response.status_code

    status_code = status

    @property
    def headers(self) -> httpx.Headers:
        return self.httpx_response.headers

    @property
    def body(self) -> bytes:
        return self.httpx_response.content

    content = body

    @property
    def text(self) -> str:
        return self.body.decode("utf8")

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def cookies(self) -> dict[str, str]:
        return dict(self.httpx_response.cookies)


class TestClient:
    """Sync wrapper around ``datasette.client`` that runs startup first."""

    __test__ = False
    max_redirects = 5

    def __init__(self, ds: Any) -> None:
        self.ds = ds

    def actor_cookie(self, actor: dict) -> str:
        return self.ds.sign({"a": actor}, "actor")

    def get(self, path: str, follow_redirects: bool = False, redirect_count: int = 0,
            method: str = "GET", params: dict | None = None, cookies: dict | None = None,
            if_none_match: str | None = None, headers: dict | None = None) -> TestResponse:
        if params:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params)
        headers = dict(headers or {})
        if if_none_match:
            headers["if-none-match"] = if_none_match
        return self._request(path, follow_redirects, redirect_count, method, cookies, headers)

    def post(self, path: str, post_data: dict | None = None, body: Any = None,
             follow_redirects: bool = False, redirect_count: int = 0,
             content_type: str = "application/x-www-form-urlencoded", cookies: dict | None = None,
             headers: dict | None = None, csrftoken_from: str | bool | None = None) -> TestResponse:
        cookies = dict(cookies or {})
        post_data = dict(post_data or {})
        if csrftoken_from is not None:
            page = self.get(path if csrftoken_from is True else csrftoken_from, cookies=cookies)
            token = page.cookies.get("ds_csrftoken")
            if token:
                cookies["ds_csrftoken"] = token
                post_data["csrftoken"] = token
        if body is None and post_data:
            body = urllib.parse.urlencode(post_data)
        headers = {"content-type": content_type, **(headers or {})}
        return self._request(path, follow_redirects, redirect_count, "POST", cookies, headers, body)

    def request(self, path: str, follow_redirects: bool = True, redirect_count: int = 0,
                method: str = "GET", cookies: dict | None = None, headers: dict | None = None,
                post_body: Any = None, content_type: str | None = None) -> TestResponse:
        headers = dict(headers or {})
        if content_type:
            headers["content-type"] = content_type
        return self._request(path, follow_redirects, redirect_count, method, cookies, headers, post_body)

    def _request(self, path: str, follow_redirects: bool, redirect_count: int, method: str,
                 cookies: dict | None, headers: dict | None, body: Any = None) -> TestResponse:
        async def go() -> httpx.Response:
            await self.ds.invoke_startup()
            return await self.ds.client.request(
                method, path, cookies=cookies, headers=headers, content=body,
                avoid_path_rewrites=True)
        response = TestResponse(_run(go()))
        if follow_redirects and response.status in (301, 302):
            assert redirect_count < self.max_redirects, f"Redirected {redirect_count} times"
            location = response.headers["location"]
            return self._request(location, follow_redirects, redirect_count + 1, "GET", cookies, headers)
        return response
