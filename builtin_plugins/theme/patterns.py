"""``/-/patterns``: one page showing every styled component, for template and CSS authors."""
from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Request, Response

# Pages built by other plugins style their components in those plugins' own stylesheets.
# The portfolio links the ones whose plugin is enabled, so each pattern looks as it does in use.
COMPANION_STYLESHEETS = (
    ("table_views", "table_views.css"),
    ("facets", "facets.css"),
    ("query_views", "query.css"),
)

# Stands in for a table's metadata, so the description, licence and footer patterns have content.
EXAMPLE_METADATA = {
    "title": "Pattern Portfolio",
    "description_html": "An example of <em>metadata</em> describing a table: "
                        "what its rows mean and where they came from.",
    "license": "CC BY 4.0",
    "license_url": "https://creativecommons.org/licenses/by/4.0/",
    "source": "Example open data portal",
    "source_url": "https://example.com/open-data",
    "about": "About this data",
    "about_url": "https://example.com/about",
}


def companion_css_urls(datasette: Any) -> list[str]:
    """Stylesheets of the enabled built-ins whose components the portfolio shows."""
    enabled = {getattr(plugin, "__name__", "") for plugin in datasette.enabled_plugins()}
    return [datasette.urls.static_plugins(name, filename)
            for name, filename in COMPANION_STYLESHEETS
            if f"datasette_builtins.{name}" in enabled]


async def patterns_view(datasette: Any, request: Request) -> Response:
    """The pattern portfolio; needs ``view-instance``. Static example data, no queries."""
    if request.method not in ("GET", "HEAD"):
        return Response.text("Method not allowed", status=405)
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    page = await datasette.render_template("patterns.html", {
        "companion_css_urls": companion_css_urls(datasette),
        "metadata": EXAMPLE_METADATA,
        "query_ms": 4.271,
    }, request=request, view_name="patterns")
    return Response.html(page)
