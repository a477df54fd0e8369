"""What every smoke program must have seen: the README's calls answered as the README says."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["assert_readme_calls"]


def assert_readme_calls(observed: dict[str, Any]) -> None:
    """``observed`` is the JSON line a smoke program printed (``programs/readme.ts`` names its fields)."""
    appended = observed["appended"]
    assert appended["status"] == 201
    assert appended["location"] == f"/events/{appended['id']}"
    assert observed["readBack"] == {"type": "sales_reported", "id": appended["id"], "units": 410000}
    assert observed["dossier"]["name"] == "Xiaomi"
    assert observed["dossier"]["version"] >= 1
    positions = observed["pagedPositions"]
    assert positions == list(range(1, len(positions) + 1)), "paging by after/next_after skips or repeats"
    assert appended["position"] in positions
    assert observed["launched"] == {"status": 201, "version": observed["dossier"]["version"] + 1}
    assert observed["problem"]["status"] == 422
    assert "$.period" in observed["problem"]["paths"]
    frames = re.findall(r"^id: (\d+)\nevent: (\w+)\n", observed["stream"], flags=re.MULTILINE)
    assert frames[0] == (str(appended["position"]), "sales_reported"), observed["stream"][:500]
