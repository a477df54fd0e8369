"""A key's secret never appears in a log line or a response, whatever is asked with it."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from api.http.keys import generate
from tests.server import serve

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())
VALUES = {
    "company_id": "xiaomi",
    "event_id": "0195bb26-3c00-7001-8a1d-5e3d00000001",
    "event_type": "meeting_held",
    "person_id": "jay-y-lee",
    "name": "mailer",
}


def test_the_canary_token_is_in_no_log_line_and_no_response(tmp_path: Path) -> None:
    canary, line = generate("admin")
    secret = canary.split("_", 2)[2]  # tid_<key id>_<secret>: the secret may hold "_" itself
    keys = tmp_path / "keys"
    keys.write_text(line + "\n")
    seen: list[str] = []
    with (
        serve(
            tmp_path / "canary.db", "--seed", "--keys-file", str(keys), "--log-format", "json", "--log-level", "debug"
        ) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        for token in (canary, canary + "x", f"tid_{secret}", secret):
            for path, item in SPEC["paths"].items():
                for method in item:
                    url = path.format(**VALUES) + ("?limit=1" if "stream" in path else "")
                    answer = client.request(
                        method.upper(),
                        url,
                        headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
                        content=b'{"type":"nope","token":"%s"}' % token.encode() if method == "post" else None,
                    )
                    seen.append(str(answer.headers) + answer.text)
    assert any("200" in s or "items" in s for s in seen), "the canary key was accepted for reads"
    leaked = [s[:200] for s in seen if secret in s and '"token":"' not in s]
    assert not leaked, leaked
    assert secret not in server.output(), "the key's secret reached the server log"
