"""GET /events/stream in bounded mode (``until=now`` / ``limit``), in process; and GET /events?wait=.

The live mode never ends by itself, so it is tested against a real server in
tests/test_feed_live.py; here the stream replays what is committed and closes. The
schemathesis run of tests/test_fuzz.py leaves this operation out; it is fuzzed here,
always bounded.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import schemathesis
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from api.http.keys import generate
from api.settings import Settings
from tests.api.wire import ROOT, SEED, problem
from tests.sse import Frame, parse

Client = TestClient  # type: ignore[type-arg]


def _stream(client: Client, headers: dict[str, str] | None = None, **params: Any) -> tuple[httpx.Response, list[Frame]]:
    response = client.get("/events/stream", params={"until": "now", **params}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response, parse(response.content)


def _positions(frames: list[Frame]) -> list[int]:
    return [frame.position for frame in frames if frame.id is not None]


def _log(client: Client, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/events", params={"limit": 1000, **params}).json()["items"]
    return items


# -- the replay -------------------------------------------------------------------------------------


def test_until_now_replays_every_committed_event_in_position_order_then_closes(client: Client) -> None:
    response, frames = _stream(client)

    assert response.headers["content-type"].startswith("text/event-stream")
    assert _positions(frames) == list(range(1, SEED["events"] + 1))
    assert frames[-1].comments == ["end of replay"]


def test_the_stream_starts_with_a_retry_hint(client: Client) -> None:
    _, frames = _stream(client)

    assert frames[0].retry is not None and frames[0].retry > 0
    assert frames[0].id is None and frames[0].data is None


def test_a_stream_is_not_cached_or_buffered_by_proxies(client: Client) -> None:
    response, _ = _stream(client)

    assert "no-cache" in response.headers["cache-control"]
    assert response.headers["x-accel-buffering"] == "no"


def test_each_frame_is_id_position_event_type_and_data_the_stored_event(client: Client) -> None:
    response, frames = _stream(client, limit=3)

    assert response.text.startswith("retry: ")
    first = next(frame for frame in frames if frame.id is not None)
    stored = client.get(f"/events/{first.json()['event']['id']}")
    assert first.id == "1"
    assert first.event == first.json()["event"]["type"] == "company_registered"
    assert first.data is not None and first.data.encode() == stored.content, "data is the JSON of GET /events/{id}"
    assert "id: 1\nevent: company_registered\ndata: {" in response.text


def test_after_starts_the_replay_after_that_position(client: Client) -> None:
    last = SEED["events"]
    _, frames = _stream(client, after=last - 3)

    assert _positions(frames) == [last - 2, last - 1, last]


def test_last_event_id_resumes_after_that_position(client: Client) -> None:
    _, frames = _stream(client, headers={"Last-Event-ID": "17"})

    assert _positions(frames) == list(range(18, SEED["events"] + 1))


def test_last_event_id_wins_over_after(client: Client) -> None:
    last = SEED["events"]
    _, frames = _stream(client, headers={"Last-Event-ID": str(last - 3)}, after=5)

    assert _positions(frames) == [last - 2, last - 1, last]


def test_limit_sends_at_most_that_many_events_then_closes(client: Client) -> None:
    _, frames = _stream(client, after=4, limit=5)

    assert _positions(frames) == [5, 6, 7, 8, 9]
    assert frames[-1].comments == ["end of replay"]


def test_limit_alone_is_bounded_too(client: Client) -> None:
    response = client.get("/events/stream", params={"limit": 2})

    assert _positions(parse(response.content)) == [1, 2]


def test_a_replay_after_the_last_event_sends_only_the_hint_and_the_end(client: Client) -> None:
    _, frames = _stream(client, after=1000)

    assert _positions(frames) == []
    assert [frame.comments for frame in frames] == [[], ["end of replay"]]


def test_a_replay_longer_than_a_page_is_whole(make_client: Any) -> None:
    client = make_client("long.db")
    company = {
        "type": "company_registered",
        "sources": [_SOURCE],
        "company_id": "acme",
        "name": "Acme",
        "country": "US",
    }
    sales = [_sale(i) for i in range(1000)]
    assert client.post("/events/batch", json={"events": [company, *sales[:999]]}).status_code == 201
    assert client.post("/events", json=sales[999]).status_code == 201

    _, frames = _stream(client)

    assert _positions(frames) == list(range(1, 1002))


# -- filters ----------------------------------------------------------------------------------------


def test_type_filters_to_that_type(client: Client) -> None:
    _, frames = _stream(client, type="company_registered")

    expected = [item["position"] for item in _log(client, type="company_registered")]
    assert _positions(frames) == expected
    assert {frame.event for frame in frames if frame.id} == {"company_registered"}


def test_type_is_repeatable(client: Client) -> None:
    _, frames = _stream(client, type=["sales_reported", "plan_announced"])

    expected = sorted(
        item["position"] for kind in ("sales_reported", "plan_announced") for item in _log(client, type=kind)
    )
    assert _positions(frames) == expected
    assert expected, "the seed has both types"


def test_company_filters_to_events_that_touch_it(client: Client) -> None:
    _, frames = _stream(client, company="byd")

    assert _positions(frames) == [item["position"] for item in _log(client, company="byd")]


def test_company_is_repeatable_and_each_event_comes_once(client: Client) -> None:
    _, frames = _stream(client, company=["xiaomi", "samsung-electronics"])

    both = {item["position"] for company in ("xiaomi", "samsung-electronics") for item in _log(client, company=company)}
    assert _positions(frames) == sorted(both)


def test_filters_combine_with_resume(client: Client) -> None:
    _, frames = _stream(client, headers={"Last-Event-ID": "10"}, company="xiaomi", type="sales_reported")

    expected = [item["position"] for item in _log(client, company="xiaomi", type="sales_reported", after=10)]
    assert _positions(frames) == expected


# -- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "headers", "path"),
    [
        ({"after": -1}, {}, "query.after"),
        ({"limit": 0}, {}, "query.limit"),
        ({"until": "later"}, {}, "query.until"),
        ({"type": "no_such_type"}, {}, "query.type"),
        ({"company": "NOT A SLUG"}, {}, "query.company"),
        ({}, {"Last-Event-ID": "seven"}, "header.Last-Event-ID"),
        ({}, {"Last-Event-ID": "-3"}, "header.Last-Event-ID"),
        ({}, {"Last-Event-ID": "null"}, "header.Last-Event-ID"),
        ({"limit": "null"}, {}, "query.limit"),
    ],
)
def test_bad_parameters_are_a_422_naming_them(
    client: Client, params: dict[str, Any], headers: dict[str, str], path: str
) -> None:
    response = client.get("/events/stream", params=params, headers=headers)

    body = problem(response, 422)
    assert [error["path"] for error in body["errors"]] == [path]


@pytest.mark.parametrize(
    ("params", "path", "code"),
    [
        ({"until": ["now", "now"]}, "query.until", "repeated_parameter"),
        ({"types": "sales_reported"}, "query.types", "unknown_parameter"),
    ],
)
def test_an_unknown_or_repeated_parameter_is_a_400_naming_it(
    client: Client, params: dict[str, Any], path: str, code: str
) -> None:
    body = problem(client.get("/events/stream", params=params), 400)
    assert [(error["path"], error["code"]) for error in body["errors"]] == [(path, code)]


def test_past_the_stream_limit_the_answer_is_a_503_problem(make_client: Any) -> None:
    client = make_client("limit.db", stream_max=0)

    response = client.get("/events/stream", params={"until": "now"})

    body = problem(response, 503)
    assert body["type"] == "urn:tidings:problem:streams-unavailable"
    assert "0 event streams" in body["detail"]


# -- long-poll --------------------------------------------------------------------------------------


def test_a_long_poll_with_events_waiting_answers_at_once(client: Client) -> None:
    started = time.monotonic()
    last = SEED["events"]
    page = client.get("/events", params={"after": last - 3, "wait": 10})

    assert [item["position"] for item in page.json()["items"]] == [last - 2, last - 1, last]
    assert time.monotonic() - started < 2


def test_a_long_poll_with_nothing_new_answers_an_empty_page_when_wait_runs_out(client: Client) -> None:
    started = time.monotonic()
    page = client.get("/events", params={"after": SEED["events"], "wait": 0.3})

    assert page.status_code == 200
    assert page.json() == {"items": [], "next_after": SEED["events"], "next_before": None}
    assert time.monotonic() - started >= 0.3


def test_a_long_poll_only_counts_events_that_match_its_filters(client: Client) -> None:
    started = time.monotonic()
    page = client.get("/events", params={"after": 20, "type": "company_registered", "wait": 0.2})

    assert page.json()["items"] == []
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("wait", ["-1", "30.5", "soon"])
def test_wait_is_0_to_30_seconds(client: Client, wait: str) -> None:
    problem(client.get("/events", params={"wait": wait}), 422, paths=["query.wait"])


# -- the contract, fuzzed (bounded) -----------------------------------------------------------------

_SOURCE = {"title": "Stream test", "publisher": "Tidings tests", "language": "en"}


def _sale(value: int) -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "sources": [_SOURCE],
        "company_id": "acme",
        "period": "2024",
        "units": {"value": value, "approximate": False},
    }


_TOKEN, _KEY_LINE = generate("read")  # schemathesis sends it, and checks that bad ones are refused

_fuzz = schemathesis.openapi.from_path(
    ROOT / "openapi.yaml",
    config=SchemathesisConfig.from_dict(
        {
            "seed": 20250322,  # as schemathesis.toml: a run depends on the seed alone
            "checks": {"enabled": True},
            "generation": {"max-examples": 40},
            "request-timeout": 10,
        }
    ),
).include(operation_id="streamEvents")


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Litestar:
    folder = tmp_path_factory.mktemp("stream-fuzz")
    (folder / "keys").write_text(_KEY_LINE + "\n")
    app = create_app(Settings(db=str(folder / "fuzz.db"), seed=True, keys_file=str(folder / "keys"), rate_limit=0))
    return app


@_fuzz.parametrize()
def test_the_bounded_stream_keeps_the_contract(case: schemathesis.Case, fuzz_app: Litestar) -> None:
    if case.query is not None and "until" not in case.query and "limit" not in case.query:
        case.query["until"] = "now"  # bounded: a live stream would never answer in full
    auth = {"Authorization": f"Bearer {_TOKEN}"}
    case.operation.schema.app = fuzz_app  # the ignored_auth check sends its probes (no key, a bad key) here
    response = case.call(app=fuzz_app, headers=auth)
    case.validate_response(response, transport_kwargs={"app": fuzz_app, "headers": auth})
