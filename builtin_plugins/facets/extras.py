"""The table-page blocks this plugin adds: ``facet_results``, ``facets_timed_out``,
``suggested_facets`` and ``sorted_facet_results`` (``?_extra=`` names and HTML variables).

One ``PageFacets`` per table page builds the facet instances once and remembers what they
returned, so the four blocks cost one computation.
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Any

from datasette.utils.asgi import BadRequest

from .facets import CountingFacet
from .suggest import request_state

_pages: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def wants_facets(request: Any) -> bool:
    """Any ``?_facet=`` or ``?_facet_<something>=`` argument: facet results join the JSON."""
    return any(key == "_facet" or key.startswith("_facet_") for key in request.args.keys())


class PageFacets:
    """Facets of one table page."""

    def __init__(self, table: Any) -> None:
        self.table = table
        # ``datasette`` is the documented name; table_views 0.1.0 calls it ``ds``.
        self.ds = getattr(table, "datasette", None) or table.ds
        self.request = table.request
        args = self.request.args
        self.nofacet = bool(args.get("_nofacet")) or args.get("_shape") in ("array", "object")
        self._instances: list | None = None
        self._results: dict | None = None
        self._suggested: list | None = None

    def check_allowed(self) -> None:
        if not self.ds.setting("allow_facet") and any(key.startswith("_facet") for key in self.request.args.keys()):
            raise BadRequest("_facet= is not allowed")

    def instances(self) -> list:
        if self._instances is None:
            classes = [cls for found in self.ds.hook.register_facet_classes() for cls in (found or [])]
            args = self.table.facet_args()
            self._instances = [cls(self.ds, **args) for cls in classes]
        return self._instances

    async def results(self) -> dict:
        if self._results is None:
            self.check_allowed()
            results: dict[str, dict] = {}
            timed_out: list[str] = []
            if not self.nofacet:
                for facet in self.instances():
                    found, timed = await facet.facet_results()
                    for info in (found.values() if isinstance(found, dict) else found):
                        key, suffix = info["name"], 1
                        while key in results:
                            suffix += 1
                            key = f"{info['name']}_{suffix}"
                        results[key] = info
                    timed_out.extend(timed)
            self._results = {"results": results, "timed_out": timed_out}
        return self._results

    def suggestions_wanted(self) -> bool:
        ds, args = self.ds, self.request.args
        return bool(ds.setting("suggest_facets") and ds.setting("allow_facet") and not args.get("_next")
                    and not self.nofacet and not args.get("_nosuggest"))

    async def suggestions(self) -> list[dict]:
        if self._suggested is None:
            self.check_allowed()
            self._suggested = await self._suggest() if self.suggestions_wanted() else []
        return self._suggested

    async def _suggest(self) -> list[dict]:
        """Built-in suggestions first (bounded by the budget themselves), then other plugins'
        facets, run together for what is left of the budget; listed in class order."""
        instances = self.instances()
        found: list[list[dict]] = [[] for _ in instances]
        others = []
        for index, facet in enumerate(instances):
            if isinstance(facet, CountingFacet):
                found[index] = await facet.suggest()
            else:
                others.append(index)
        remaining = request_state(self.ds, self.request).budget.remaining_ms()
        if others and (remaining is None or remaining > 0):
            tasks = {index: asyncio.ensure_future(instances[index].suggest()) for index in others}
            await asyncio.wait(tasks.values(), timeout=None if remaining is None else remaining / 1000)
            for index, task in tasks.items():
                if task.done():
                    found[index] = task.result()
                else:
                    task.cancel()
        return [suggestion for suggestions in found for suggestion in suggestions or []]


def page_facets(table: Any) -> PageFacets:
    page = _pages.get(table)
    if page is None:
        page = _pages[table] = PageFacets(table)
    return page


async def facet_results(table: Any) -> dict:
    """Results of facets calculated against this data."""
    return await page_facets(table).results()


async def facets_timed_out(table: Any) -> list[str]:
    return (await page_facets(table).results())["timed_out"]


async def suggested_facets(table: Any) -> list[dict]:
    """Suggestions for facets that might return interesting results."""
    return await page_facets(table).suggestions()


async def sorted_facet_results(table: Any) -> list[dict]:
    results = (await page_facets(table).results())["results"]
    return sorted(results.values(), key=lambda info: (len(info["results"]), info["name"]), reverse=True)


TABLE_EXTRAS = [
    {"name": "facet_results", "compute": facet_results, "auto": wants_facets, "html": True,
     "description": "Results of facets calculated against this data"},
    {"name": "facets_timed_out", "compute": facets_timed_out, "html": True},
    {"name": "suggested_facets", "compute": suggested_facets, "html": True,
     "description": "Suggestions for facets that might return interesting results"},
    {"name": "sorted_facet_results", "compute": sorted_facet_results, "html": True},
]
