"""The README's calls through the package openapi-python-client generates (``tidings_client``), default options.

Checked with ``mypy --strict`` before it runs: every call takes ``Client`` (no token) as well as
``AuthenticatedClient``. ``TIDINGS_KEY`` set: a client with that key; unset: one without. Prints what it
saw as one JSON line, the fields of ``programs/readme.ts``' ``Observed``.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from tidings_client import AuthenticatedClient, Client
from tidings_client.api.companies import get_company
from tidings_client.api.events import append_company_event, append_event, get_event, list_events, stream_events
from tidings_client.models import Dossier, Problem, ProductLaunched, SalesReported, SalesReportedOutput, StoredEvent
from tidings_client.models.stream_events_until import StreamEventsUntil

SOURCE = {"title": "t", "publisher": "p", "language": "en"}
BAD_PERIOD = {"type": "sales_reported", "company_id": "tesla", "period": "2025-13", "units": {"value": 1}}
LAUNCHED = {"type": "product_launched", "company_id": "xiaomi", "product": "YU7", "category": "electric vehicle"}


def readme_sales(event_id: str) -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "id": event_id,
        "company_id": "xiaomi",
        "period": "2025",
        "units": {"value": 410000, "approximate": True},
        "sources": [{"title": "Xiaomi annual report", "publisher": "Xiaomi", "language": "en"}],
    }


def main() -> None:
    url, token = os.environ["TIDINGS_URL"], os.environ.get("TIDINGS_KEY")
    client = AuthenticatedClient(base_url=url, token=token) if token else Client(base_url=url)
    event_id = str(uuid.uuid4())
    appended = append_event.sync_detailed(client=client, body=SalesReported.from_dict(readme_sales(event_id)))
    assert isinstance(appended.parsed, StoredEvent), appended.content

    read = get_event.sync(uuid.UUID(event_id), client=client)
    assert isinstance(read, StoredEvent)
    event = read.event
    dossier = get_company.sync("xiaomi", client=client)
    assert isinstance(dossier, Dossier)

    positions: list[int] = []
    after = 0
    while (page := list_events.sync(client=client, after=after, limit=7)) is not None and not isinstance(page, Problem):
        if not page.items:
            break
        positions += [stored.position for stored in page.items]
        after = page.next_after

    launched = append_company_event.sync_detailed(
        "xiaomi",
        client=client,
        body=ProductLaunched.from_dict({**LAUNCHED, "launched_on": "2025-06", "sources": [SOURCE]}),
        if_match=f'"{dossier.version}"',
    )
    later = get_company.sync("xiaomi", client=client)
    refused = append_event.sync_detailed(
        client=client, body=SalesReported.from_dict({**BAD_PERIOD, "sources": [SOURCE]})
    )
    assert isinstance(refused.parsed, Problem)
    stream = stream_events.sync_detailed(client=client, after=appended.parsed.position - 1, until=StreamEventsUntil.NOW)

    observed = {
        "appended": {
            "status": int(appended.status_code),
            "location": appended.headers.get("location"),
            "position": appended.parsed.position,
            "id": str(appended.parsed.event.id),
        },
        "readBack": {
            "type": str(event.type_),
            "id": str(event.id),
            "units": event.units.value if isinstance(event, SalesReportedOutput) and event.units else None,
        },
        "dossier": {"name": dossier.profile.name, "version": dossier.version},
        "pagedPositions": positions,
        "launched": {
            "status": int(launched.status_code),
            "version": later.version if isinstance(later, Dossier) else -1,
        },
        "problem": {"status": refused.parsed.status, "paths": [error.path for error in refused.parsed.errors or []]},
        "stream": stream.content.decode(),
    }
    print(json.dumps(observed))


if __name__ == "__main__":
    main()
