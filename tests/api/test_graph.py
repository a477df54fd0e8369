"""GET /graph over HTTP: JSON by default, GraphML and Graphviz DOT by content negotiation, problems for bad input."""

from __future__ import annotations

import shutil
import subprocess

import networkx
import pytest
from litestar.testing import TestClient

Client = TestClient  # type: ignore[type-arg]


def test_the_graph_around_xiaomi_as_json(client: Client) -> None:
    response = client.get("/graph", params={"company": "xiaomi", "depth": 2})

    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    graph = response.json()
    assert (graph["company"], graph["depth"]) == ("xiaomi", 2)
    edges = {(e["source"], e["kind"], e["target"]) for e in graph["edges"]}
    assert ("company:samsung-electronics", "parent_of", "company:samsung-sdi") in edges


def test_graphml_parses_with_networkx(client: Client) -> None:
    response = client.get(
        "/graph", params={"company": "xiaomi", "depth": 2}, headers={"Accept": "application/graphml+xml"}
    )

    assert response.headers["content-type"].startswith("application/graphml+xml")
    graph = networkx.parse_graphml(response.text)
    assert graph.nodes["company:samsung-sdi"]["name"] == "Samsung SDI"
    kinds = {data["kind"] for _, _, data in graph.edges(data=True)}
    assert {"supplies", "parent_of", "met", "executive_of", "visited"} <= kinds
    assert graph.has_edge("company:samsung-electronics", "company:samsung-sdi")


def test_dot_renders_with_graphviz(client: Client) -> None:
    dot = shutil.which("dot")
    if dot is None:
        reason = "Graphviz `dot` is not installed (apt-get install graphviz; .ci/run installs it)"
        print(reason)
        pytest.skip(reason)
    response = client.get("/graph", headers={"Accept": "text/vnd.graphviz"})

    assert response.headers["content-type"].startswith("text/vnd.graphviz")
    rendered = subprocess.run([dot, "-Tsvg"], input=response.content, capture_output=True, timeout=60)
    assert rendered.returncode == 0 and rendered.stderr == b"", rendered.stderr
    assert b"Samsung SDI" in rendered.stdout


def test_a_name_with_quotes_stays_valid_dot(client: Client) -> None:
    body = {
        "type": "company_registered",
        "company_id": "quote-co",
        "name": 'The "Quoted" Company \\ Ltd',
        "country": "US",
        "sectors": ["testing"],
        "sources": [{"title": "t", "publisher": "p", "language": "en"}],
    }
    assert client.post("/events", json=body).status_code == 201
    text = client.get("/graph", headers={"Accept": "text/vnd.graphviz"}).text

    assert 'label="The \\"Quoted\\" Company \\\\ Ltd"' in text


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"depth": "2"}, 422, "query.depth"),
        ({"company": "xiaomi", "depth": "4"}, 422, "query.depth"),
        ({"company": "nobody"}, 404, None),
        ({"kind": "owns"}, 422, "query.kind"),
        ({"status": "dormant"}, 422, "query.status"),
        ({"certainty": "sure"}, 422, "query.certainty"),
    ],
)
def test_bad_parameters_are_problems(client: Client, params: dict[str, str], status: int, field: str | None) -> None:
    response = client.get("/graph", params=params)

    assert response.status_code == status, response.text
    if field is not None:
        assert field in [e["path"] for e in response.json()["errors"]]


def test_a_store_too_large_to_draw_whole_asks_for_a_company(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.http.routes.graph.WHOLE_STORE_LIMIT", 2)

    response = client.get("/graph")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["path"], error["code"]) == ("query.company", "too_large")
    assert client.get("/graph", params={"company": "xiaomi"}).status_code == 200


@pytest.mark.parametrize("accept", ["application/graphml+xml", "text/vnd.graphviz", "application/json", "*/*"])
def test_the_graph_answers_each_documented_media_type(client: Client, accept: str) -> None:
    response = client.get("/graph", headers={"Accept": accept})

    assert response.status_code == 200
    wanted = "application/json" if accept == "*/*" else accept
    assert response.headers["content-type"].startswith(wanted)
