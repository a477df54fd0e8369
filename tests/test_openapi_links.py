"""Links are declared on the handlers and name their target by the handler: none can rot silently.

A link follows its target when the target's operationId changes; a link to an operation the app
does not serve, or setting a parameter its target does not take, fails when the app is built or
its document is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar import Litestar, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from api.app import create_app
from api.http.openapi import BrokenLink, Extras, Link, check_links, document
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _handlers(target_id: str, parameter: str = "item_id") -> tuple[HTTPRouteHandler, HTTPRouteHandler]:
    @get("/items/{item_id:str}", operation_id=target_id, sync_to_thread=False)
    def read_item(item_id: FromPath[str]) -> dict[str, str]:
        return {"id": item_id}

    links = {"GetItem": Link(to=read_item, parameters={parameter: "$response.body#/items/0/id"})}

    @get("/items", operation_id="listItems", opt={"openapi": Extras(links=links)}, sync_to_thread=False)
    def list_items() -> dict[str, Any]:
        return {"items": []}

    return read_item, list_items


def _links(app: Litestar) -> dict[str, Any]:
    links: dict[str, Any] = document(app)["paths"]["/items"]["get"]["responses"]["200"]["links"]
    return links


def test_a_link_names_its_target_by_the_targets_current_operation_id() -> None:
    for operation_id in ("getItem", "fetchItemRenamed"):
        app = Litestar(route_handlers=list(_handlers(operation_id)))
        assert _links(app)["GetItem"]["operationId"] == operation_id


def test_a_link_to_an_operation_the_app_does_not_serve_fails_when_the_app_is_built() -> None:
    _, list_items = _handlers("getItem")  # the target is declared but never registered
    app = Litestar(route_handlers=[list_items])
    with pytest.raises(
        BrokenLink, match=r"listItems links to .*\.read_item \(getItem\), which the app does not document"
    ):
        check_links(app)
    with pytest.raises(BrokenLink):
        document(app)


def test_a_link_setting_a_parameter_its_target_does_not_take_fails() -> None:
    app = Litestar(route_handlers=list(_handlers("getItem", parameter="renamed_id")))
    with pytest.raises(BrokenLink, match="link GetItem sets 'renamed_id', which getItem does not take"):
        document(app)


def test_create_app_checks_every_link(tmp_path: Path) -> None:
    check_links(create_app(Settings(db=str(tmp_path / "links.db"))))  # create_app ran it too


def test_every_link_of_the_committed_document_leads_to_an_operation_and_its_parameters() -> None:
    doc = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    operations = {op["operationId"]: op for item in doc["paths"].values() for op in item.values()}
    seen = 0
    for operation in operations.values():
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                target = operations[link["operationId"]]
                takes = {(p["in"], p["name"]) for p in target.get("parameters", [])}
                for key in link["parameters"]:
                    where, _, name = key.rpartition(".")
                    assert any(n == name and where in ("", place) for place, n in takes), (link, key)
                seen += 1
    assert seen > 20


def test_an_example_for_a_parameter_the_operation_does_not_take_fails() -> None:
    @get("/items", operation_id="listItems", opt={"openapi": Extras(parameter_examples={"item_id": lambda: "x"})})
    async def list_items() -> dict[str, Any]:
        return {"items": []}

    with pytest.raises(ValueError, match="listItems has an example for 'item_id', which it does not take once"):
        document(Litestar(route_handlers=[list_items]))


def test_openapi_opt_that_is_not_an_extras_fails() -> None:
    @get("/items", operation_id="listItems", opt={"openapi": {"links": {}}})
    async def list_items() -> dict[str, Any]:
        return {"items": []}

    with pytest.raises(TypeError, match=r"opt\['openapi'\] must be an Extras, not dict"):
        check_links(Litestar(route_handlers=[list_items]))
