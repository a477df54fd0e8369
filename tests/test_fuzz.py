"""The contract holds: schemathesis drives the app in-process from the committed openapi.yaml.

Every check and all four phases (examples, coverage, fuzzing: one test per operation; stateful:
chains of calls along the document's links), with the seed, the expected answers and the hooks
of schemathesis.toml, the same file a CLI run against a live server reads. The app is the real
one, on a seeded SQLite file, with API keys: schemathesis sends an admin key and checks that
requests without one, or with a wrong one, are refused. ``TIDINGS_FUZZ_EXAMPLES=500`` asks for
more cases per operation and phase.

Beyond the checks, every operation must have been answered with a success at least once: an
operation that only ever got 4xx was never really tested (schemathesis' "missing test data").
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from litestar import Litestar
from litestar.types import Receive, Scope, Send
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi

from api.app import create_app
from api.http.keys import generate
from api.settings import Settings
from api.signing import create_key
from api.store.factory import make_store
from schema.subscriptions import SubscriptionSettings
from tests import fuzz_hooks  # noqa: F401  (registers the hooks schemathesis.toml names for CLI runs)

ROOT = Path(__file__).resolve().parents[1]
KEY, KEYS_FILE_LINE = generate("admin")
BODY_LIMIT = 32 * 1024


def _config() -> SchemathesisConfig:
    settings = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    if examples := os.environ.get("TIDINGS_FUZZ_EXAMPLES"):
        settings.setdefault("generation", {})["max-examples"] = int(examples)
        stateful = settings.setdefault("phases", {}).setdefault("stateful", {}).setdefault("generation", {})
        stateful["max-examples"] = max(int(examples), stateful.get("max-examples", 0))
    # The key of this run's apps, where a CLI run reads $TIDINGS_FUZZ_KEY.
    settings["auth"]["openapi"]["bearerAuth"]["bearer"] = KEY
    return SchemathesisConfig.from_dict(settings)


class _TestsApp:
    """The ASGI app schemathesis calls: the current test's own app.

    Each test gets a fresh app on a fresh database; schemathesis starts an app's lifespan on the
    first request and ends it when the test ends. Checks that send probes of their own (such as
    ignored_auth) reach the app through the schema, so the schema is bound to this one entry point.
    """

    app: Litestar | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "a fuzz test without the `app` fixture"
        await self.app(scope, receive, send)


schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml", config=_config())
schema.app = CURRENT = _TestsApp()

# Per operation label: the status codes of the answers, the successes, and the stateful steps.
ANSWERS: dict[str, Counter[int]] = defaultdict(Counter)
ACCEPTED: dict[str, int] = defaultdict(int)
STATEFUL_STEPS: Counter[str] = Counter()
REFUSED_VALID: dict[str, Counter[str]] = defaultdict(Counter)
"""Per operation: the ``errors[].code`` of 422s to requests the schema calls valid (what only stored data decides)."""
STARTED: dict[str, float] = {}
"""When the first fuzz test began (pytest imports this file long before, with the rest of the suite)."""


# schemathesis gives every operation's test one node id, which pytest-xdist cannot hand out: under
# `pytest -n` the operations would not all run, and the tally above would blame the ones left out.
pytestmark = pytest.mark.skipif(
    "PYTEST_XDIST_WORKER" in os.environ,
    reason="run tests/test_fuzz.py in one process (without -n): xdist cannot schedule schemathesis' "
    "per-operation tests, which share one node id; `make test` runs it so",
)


def _fresh_app(directory: Path) -> Litestar:
    """The real app on a seeded SQLite file of its own in ``directory``, with an admin key, signed heads and
    a subscription.

    A small body limit, so that large generated batches reach the documented 413 too; no rate limit.
    """
    directory.mkdir(parents=True, exist_ok=True)
    keys = directory / "keys"
    keys.write_text(KEYS_FILE_LINE + "\n")
    signing = directory / "signing.pem"
    create_key(signing)  # signed heads, and a public key to serve
    settings = Settings(
        db=str(directory / "fuzz.db"),
        seed=True,
        max_body_bytes=BODY_LIMIT,
        keys_file=str(keys),
        rate_limit=0,
        signing_key_file=str(signing),
    )
    asyncio.run(_subscribed(settings))
    return create_app(settings)


async def _subscribed(settings: Settings) -> None:
    """One subscription from the beginning of the log, so that a chain starting at ``GET /subscriptions``
    follows its links to a claim that hands out events, and to a delete that finds what it deletes."""
    store = make_store(settings)
    await store.open()
    try:
        await store.put_subscription("fuzz", SubscriptionSettings(), most=settings.subscriptions_max)
    finally:
        await store.close()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Litestar]:
    STARTED.setdefault("first test", time.monotonic())
    CURRENT.app = _fresh_app(tmp_path)
    yield CURRENT.app
    CURRENT.app = None


def _record(case: schemathesis.Case, response: Any) -> None:
    label, status = case.operation.label, response.status_code
    ANSWERS[label][status] += 1
    if 200 <= status < 400:
        ACCEPTED[label] += 1
    valid = case.meta is None or not case.meta.generation.mode.is_negative
    if status == 422 and valid:
        try:
            codes = {str(error["code"]) for error in response.json().get("errors") or [{"code": "-"}]}
        except ValueError:
            codes = {"(no JSON)"}
        REFUSED_VALID[label].update(codes)


@schema.parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_operation_keeps_the_contract(case: schemathesis.Case, app: Litestar) -> None:
    response = case.call()
    _record(case, response)
    case.validate_response(response)


def test_stateful_chains_keep_the_contract(app: Litestar, tmp_path: Path) -> None:
    scenarios = itertools.count()

    class Chains(schema.as_state_machine()):  # type: ignore[misc]
        """Each scenario starts on a store of its own, as the seed left it. On a store shared across
        scenarios a call answered 201 in one (a link followed, a bundle filled) is a 409 in the next,
        so Hypothesis, replaying a scenario's choices, sees other rules to pick from and stops the run
        as flaky instead of finishing it or shrinking a failure."""

        def setup(self) -> None:
            super().setup()
            asgi.shutdown_lifespans()  # the last scenario's store; the next request starts this one's
            CURRENT.app = _fresh_app(tmp_path / f"scenario-{next(scenarios)}")

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            _record(case, response)
            STATEFUL_STEPS[case.operation.label] += 1

    settings = schema.config.get_hypothesis_settings(phase="stateful")
    hypothesis.seed(schema.config.seed)(Chains).run(settings=settings)


def test_every_operation_was_answered_with_a_success(capsys: pytest.CaptureFixture[str]) -> None:
    operations = {result.ok().label for result in schema.get_all_operations() if hasattr(result, "ok")}
    total = sum(sum(counts.values()) for counts in ANSWERS.values())
    with capsys.disabled():
        print(
            f"\nfuzz: {total} cases ({sum(STATEFUL_STEPS.values())} of them stateful steps) in "
            f"{time.monotonic() - STARTED.get('first test', time.monotonic()):.0f} s, {schema.config.generation.max_examples} examples per operation and phase"
        )
        for label in sorted(ANSWERS):
            print(f"  {label}: {dict(sorted(ANSWERS[label].items()))}, stateful steps: {STATEFUL_STEPS[label]}")
            if refused := REFUSED_VALID.get(label):
                print(f"    422 to schema-valid requests, by code: {dict(refused.most_common())}")
    never = sorted(op for op in operations if ACCEPTED[op] == 0)
    assert not never, f"only ever answered with errors: {never}"
