"""Serving the OpenAPI document: the app's OpenAPI config, the schema files and an offline docs page.

``/schema/openapi.{json,yaml}`` render ``document(app)`` (document.py) once per app, so they are
byte for byte what ``tidings openapi`` prints and what is committed.
"""

from __future__ import annotations

import functools
from typing import Any

from litestar import MediaType, Request, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Contact, License, Tag
from litestar.static_files import create_static_files_router

from api.http.openapi.document import document, render

__all__ = ["DOCS_PATH", "openapi_config"]

DESCRIPTION = """\
An append-only, typed event store of company news. Facts reported in news are appended
as typed events with their sources; per-company read models (dossiers) are derived from
them in the same transaction. Errors are RFC 9457 problem documents.
"""

# PLACEHOLDERS for the product side to confirm: whom users of the API contact, and under which licence
# the API and its document are offered. Linters (docs/spec-lint.md) want both; neither is decided yet.
CONTACT = Contact(
    name="Tidings maintainers (placeholder: to be confirmed by the product side)",
    url="https://example.com/tidings/contact",
    email="tidings@example.com",
)
LICENSE = License(
    name="Proprietary (placeholder: to be confirmed by the product side)",
    url="https://example.com/tidings/license",
)

SCHEMA_PATH = "/schema"
DOCS_PATH = f"{SCHEMA_PATH}/docs"
"""The interactive docs page (Swagger UI, served with its assets by the app: no CDN, works offline)."""


class _Json(JsonRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(request.app), "json")
        return self._cache["doc"]


class _Yaml(YamlRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(request.app), "yaml")
        return self._cache["doc"]


def _swagger_ui_assets() -> Any:
    # swagger-ui-bundle-v2 ships the Swagger UI 5 dist (OpenAPI 3.1) as package data.
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    return swagger_ui_path


class _SwaggerUI(OpenAPIRenderPlugin):
    """Swagger UI whose JS and CSS the app serves itself: the page works with no internet."""

    assets = f"{SCHEMA_PATH}/swagger-ui"

    def __init__(self) -> None:
        super().__init__(path=["/docs"], media_type=MediaType.HTML)

    def receive_router(self, router: Router) -> None:
        router.register(
            create_static_files_router(
                path="/swagger-ui", directories=[_swagger_ui_assets()], name="swagger-ui", include_in_schema=False
            )
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return _SWAGGER_PAGE.format(
            title=openapi_schema["info"]["title"], assets=self.assets, spec=f"{SCHEMA_PATH}/openapi.json"
        ).encode()


_SWAGGER_PAGE = """\
<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title} API</title>
    <link rel="icon" type="image/png" href="{assets}/favicon-32x32.png" sizes="32x32">
    <link rel="stylesheet" href="{assets}/swagger-ui.css">
    <style>body {{ margin: 0 }}</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{assets}/swagger-ui-bundle.js" charset="utf-8"></script>
    <script>
      window.ui = SwaggerUIBundle({{
        url: "{spec}",
        dom_id: "#swagger-ui",
        deepLinking: true,
        validatorUrl: null,
        presets: [SwaggerUIBundle.presets.apis],
      }});
    </script>
  </body>
</html>
"""


def openapi_config(version: str) -> OpenAPIConfig:
    """Litestar's OpenAPI settings, with the render plugins that serve the finished document."""
    return OpenAPIConfig(
        title="Tidings",
        version=version,
        description=DESCRIPTION,
        contact=CONTACT,
        license=LICENSE,
        path=SCHEMA_PATH,
        render_plugins=[_SwaggerUI(), _Json(), _Yaml()],
        tags=[
            Tag(name="events", description="The append-only log."),
            Tag(name="companies", description="Read models derived per company."),
            Tag(name="claims", description="Facts that sources disagree about, and the rule that chooses."),
            Tag(name="people", description="People across companies: their roles, meetings and visits."),
            Tag(name="search", description="Full-text search over companies, people and events."),
            Tag(
                name="subscriptions",
                description="Durable subscriptions: consumers share a subscription's events under leases, ack, retry or park them.",
            ),
            Tag(name="catalogue", description="The event types and their schemas."),
            Tag(name="ops", description="Health and readiness."),
        ],
        use_handler_docstrings=False,
    )
