"""The log in CloudEvents 1.0, read by the ``cloudevents`` SDK (a client nobody here wrote).

GET /events/{id} (structured mode), GET /events (batch mode), the stream and ``tidings export``,
chosen by ``Accept`` or ``format``; each answer parses with the SDK and carries the stored event.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from cloudevents.core.formats.json import JSONFormat
from litestar.testing import TestClient

from api.settings import Settings, SettingsError
from schema.codec import decode_stored
from schema.events import Event
from tests.api.conftest import MakeClient
from tests.api.test_cli import tidings
from tests.api.wire import EVERY_TYPE, PREREQUISITES, SALES_2024_ID, problem
from tests.sse import parse

Client = TestClient  # type: ignore[type-arg]
STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"


def _sdk_one(response: httpx.Response) -> BaseCloudEvent:
    assert response.status_code == 200, response.text
    return from_http_event(HTTPMessage(headers=dict(response.headers), body=response.content))


def _sdk_batch(body: bytes) -> list[BaseCloudEvent]:
    # The SDK reads one event of the JSON format; a batch is a JSON array of them.
    return [JSONFormat().read(None, json.dumps(item)) for item in json.loads(body)]


def _native(client: Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/events", params={"limit": 1000}).json()["items"]
    return items


def _same_event(cloud: BaseCloudEvent, native: dict[str, Any]) -> None:
    """The CloudEvent carries the stored event: its id, type, companies, recorded time, body and position."""
    event = msgspec.convert(native["event"], Event)
    assert cloud.get_specversion() == "1.0"
    assert cloud.get_id() == native["event"]["id"]
    assert cloud.get_type() == f"com.tidings.{native['event']['type']}"
    assert cloud.get_subject() == (" ".join(event.companies_named()) or None)
    assert cloud.get_time() == decode_stored(json.dumps(native)).recorded_at
    assert cloud.get_datacontenttype() == "application/json"
    assert cloud.get_data() == native["event"]
    assert cloud.get_extension("tidingsposition") == str(native["position"])


def test_one_event_by_accept_parses_with_the_sdk_and_carries_the_stored_event(client: Client) -> None:
    native = _native(client)
    for stored in native:
        response = client.get(f"/events/{stored['event']['id']}", headers={"Accept": STRUCTURED})

        assert response.headers["content-type"] == STRUCTURED
        cloud = _sdk_one(response)
        _same_event(cloud, stored)
        assert cloud.get_source() == "urn:tidings:local"


def test_a_registration_is_about_its_company_and_a_meeting_about_each_company_it_names(client: Client) -> None:
    clouds = _sdk_batch(client.get("/events?format=cloudevents").content)

    subjects = {
        c.get_data()["company_id"]: c.get_subject()  # type: ignore[index]
        for c in clouds
        if c.get_type() == "com.tidings.company_registered"
    }
    # The registered company first, then the parent a subsidiary's registration names.
    assert subjects["xiaomi"] == "xiaomi"
    assert subjects["samsung-sdi"] == "samsung-sdi samsung-electronics"
    meeting = next(c.get_subject() for c in clouds if c.get_type() == "com.tidings.meeting_held")
    assert meeting is not None and {"samsung-electronics", "xiaomi"} <= set(meeting.split(" "))


def test_a_page_in_batch_mode_by_accept_or_format_round_trips_to_the_stored_events(client: Client) -> None:
    native = _native(client)
    by_accept = client.get("/events", params={"limit": 1000}, headers={"Accept": BATCH})
    by_format = client.get("/events", params={"limit": 1000, "format": "cloudevents"})

    assert by_accept.headers["content-type"] == by_format.headers["content-type"] == BATCH
    assert by_accept.content == by_format.content
    clouds = _sdk_batch(by_accept.content)
    assert len(clouds) == len(native) > 0
    for cloud, stored in zip(clouds, native, strict=True):
        _same_event(cloud, stored)
        rebuilt = {
            "position": int(cloud.get_extension("tidingsposition")),
            "recorded_at": cloud.get_time(),
            "event": cloud.get_data(),
            "hash": cloud.get_extension("tidingshash"),
        }
        assert msgspec.convert(rebuilt, type(decode_stored(json.dumps(stored)))) == decode_stored(json.dumps(stored))


def test_a_full_batch_page_links_to_the_next_one(client: Client) -> None:
    first = client.get("/events", params={"limit": 2, "format": "cloudevents"})
    link = first.headers["link"]
    url = link[link.index("<") + 1 : link.index(">")]
    second = client.get(url)

    positions = [int(c.get_extension("tidingsposition")) for c in _sdk_batch(first.content + b"")]
    positions += [int(c.get_extension("tidingsposition")) for c in _sdk_batch(second.content)]
    assert positions == [1, 2, 3, 4]


def test_format_json_wins_over_accept_and_no_accept_is_json(client: Client) -> None:
    stored = _native(client)[0]
    plain = client.get(f"/events/{stored['event']['id']}")
    forced = client.get(f"/events/{stored['event']['id']}", params={"format": "json"}, headers={"Accept": STRUCTURED})

    assert plain.headers["content-type"] == forced.headers["content-type"] == "application/json"
    assert plain.json() == forced.json() == stored


def test_the_source_is_the_configured_uri(make_client: MakeClient) -> None:
    client = make_client("source.db", seed=True, cloudevents_source="https://news.example.com/tidings")
    clouds = _sdk_batch(client.get("/events", params={"format": "cloudevents"}).content)

    assert clouds and {c.get_source() for c in clouds} == {"https://news.example.com/tidings"}


@pytest.mark.parametrize("source", ["", "not a uri", "no-scheme", "1http://x"])
def test_a_source_that_is_not_an_absolute_uri_is_refused_at_start(source: str) -> None:
    with pytest.raises(SettingsError, match="cloudevents_source"):
        Settings(cloudevents_source=source)


def test_a_retracted_event_names_its_retraction(make_client: MakeClient) -> None:
    client = make_client("retracted.db")
    for body in [*PREREQUISITES, EVERY_TYPE["event_retracted"]]:
        assert client.post("/events", json=body).status_code == 201
    retraction = _native(client)[-1]["event"]["id"]

    cloud = _sdk_one(client.get(f"/events/{SALES_2024_ID}", params={"format": "cloudevents"}))

    assert cloud.get_extension("tidingsretractedby") == retraction
    assert cloud.get_subject() == "xiaomi"


def test_what_cannot_be_answered_in_cloudevents_is_a_problem(client: Client) -> None:
    stored = _native(client)[0]

    # A page is a batch, one event is structured: each refuses the other's media type.
    problem(client.get("/events", headers={"Accept": STRUCTURED}), 406)
    problem(client.get(f"/events/{stored['event']['id']}", headers={"Accept": BATCH}), 406)
    problem(client.get("/events", params={"format": "xml"}), 422, paths=["query.format"])
    problem(client.get("/events/stream", params={"until": "now", "format": "cloud"}), 422, paths=["query.format"])
    problem(client.get(f"/events/{stored['event']['id']}", params={"format": ""}), 422, paths=["query.format"])


def test_the_stream_in_cloudevents_sends_what_get_event_answers(client: Client) -> None:
    response = client.get("/events/stream", params={"until": "now", "format": "cloudevents"})
    frames = [frame for frame in parse(response.content) if frame.id is not None]

    native = _native(client)
    assert [frame.position for frame in frames] == [stored["position"] for stored in native]
    for frame, stored in zip(frames, native, strict=True):
        assert frame.event == stored["event"]["type"]
        cloud = JSONFormat().read(None, frame.data or "")
        _same_event(cloud, stored)
        single = client.get(f"/events/{stored['event']['id']}", params={"format": "cloudevents"})
        assert json.loads(frame.data or "") == single.json()


def test_export_in_cloudevents_is_one_sdk_readable_event_a_line_with_the_events_import_reads(tmp_path: Path) -> None:
    db = str(tmp_path / "export.db")
    tidings("seed", "--db", db)
    plain = tidings("export", "--db", db).splitlines()
    cloud = tidings(
        "export", "--db", db, "--format", "cloudevents", "--cloudevents-source", "https://x.example/t"
    ).splitlines()

    assert len(cloud) == len(plain) > 0
    for position, (line, event) in enumerate(zip(cloud, plain, strict=True), start=1):
        parsed = JSONFormat().read(None, line)
        assert parsed.get_source() == "https://x.example/t"
        assert parsed.get_extension("tidingsposition") == str(position)
        assert parsed.get_data() == json.loads(event)
