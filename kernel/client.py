"""``datasette.client``: an async HTTP client that calls the instance in-process."""
from __future__ import annotations

from typing import Any

import httpx

from datasette.utils import PrefixedUrlString


class DatasetteClient:
    """httpx over ASGI: ``await datasette.client.get("/-/versions.json")``.

    Paths get the ``base_url`` prefix unless they already carry it
    (``PrefixedUrlString``) or ``avoid_path_rewrites=True`` is passed.
    """

    def __init__(self, datasette: Any) -> None:
        self.ds = datasette
        self._app: Any = None

    @property
    def app(self) -> Any:
        if self._app is None:
            self._app = self.ds.app()
        return self._app

    def actor_cookie(self, actor: dict) -> str:
        """A signed ``ds_actor`` cookie value for an actor."""
        return self.ds.sign({"a": actor}, "actor")

    def _fix(self, path: str, avoid_path_rewrites: bool = False) -> str:
        if not isinstance(path, PrefixedUrlString) and not avoid_path_rewrites:
            path = self.ds.urls.path(path)
        if path.startswith("/"):
            path = "http://localhost" + path
        return path

    async def request(self, method: str, path: str, avoid_path_rewrites: bool = False, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        cookies = kwargs.pop("cookies", None)
        async with httpx.AsyncClient(transport=transport, cookies=cookies) as client:
            return await client.request(method, self._fix(path, avoid_path_rewrites), **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def options(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("OPTIONS", path, **kwargs)

    async def head(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("HEAD", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)
