"""The contract holds: schemathesis drives the app in-process from the committed openapi.yaml.

Every check and all four phases (examples, coverage, fuzzing: one test per operation; stateful:
chains of calls along the document's links), with the seed and the expected answers of
schemathesis.toml, the same file a CLI run against a live server reads. The app is the real
one, on a seeded SQLite file. ``TIDINGS_FUZZ_EXAMPLES=500`` asks for more cases per operation.

Beyond the checks, every operation must have been answered with a success at least once: an
operation that only ever got 4xx was never really tested (schemathesis' "missing test data").
"""

from __future__ import annotations

import os
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from litestar import Litestar
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from api.settings import Settings
from tests import fuzz_hooks  # noqa: F401  (registers the hooks schemathesis.toml names for CLI runs)

ROOT = Path(__file__).resolve().parents[1]


def _config() -> SchemathesisConfig:
    settings = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    if examples := os.environ.get("TIDINGS_FUZZ_EXAMPLES"):
        settings.setdefault("generation", {})["max-examples"] = int(examples)
    return SchemathesisConfig.from_dict(settings)


schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml", config=_config())

# Per operation label: status codes of the answers, and of the answers to schema-valid requests.
ANSWERS: dict[str, Counter[int]] = defaultdict(Counter)
ACCEPTED: dict[str, int] = defaultdict(int)
STATEFUL_STEPS: Counter[str] = Counter()
STARTED = time.monotonic()
BODY_LIMIT = 32 * 1024


@pytest.fixture
def app(tmp_path: Path) -> Litestar:
    # One app per test: schemathesis starts its lifespan on the first request and ends it with the test.
    # A small body limit, so that large generated batches reach the documented 413 too.
    return create_app(Settings(db=str(tmp_path / "fuzz.db"), seed=True, max_body_bytes=BODY_LIMIT))


def _record(case: schemathesis.Case, status: int) -> None:
    label = case.operation.label
    ANSWERS[label][status] += 1
    if 200 <= status < 400:
        ACCEPTED[label] += 1


@schema.parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_operation_keeps_the_contract(case: schemathesis.Case, app: Litestar) -> None:
    response = case.call(app=app)
    _record(case, response.status_code)
    case.validate_response(response, transport_kwargs={"app": app})


def test_stateful_chains_keep_the_contract(app: Litestar) -> None:
    base = schema.as_state_machine()

    class Chains(base):  # type: ignore[valid-type,misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"app": app}

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            _record(case, response.status_code)
            STATEFUL_STEPS[case.operation.label] += 1

    settings = schema.config.get_hypothesis_settings(phase="stateful")
    hypothesis.seed(schema.config.seed)(Chains).run(settings=settings)


def test_every_operation_was_answered_with_a_success(capsys: pytest.CaptureFixture[str]) -> None:
    operations = {result.ok().label for result in schema.get_all_operations() if hasattr(result, "ok")}
    total = sum(sum(counts.values()) for counts in ANSWERS.values())
    with capsys.disabled():
        print(
            f"\nfuzz: {total} cases ({sum(STATEFUL_STEPS.values())} of them stateful steps) in "
            f"{time.monotonic() - STARTED:.0f} s, {schema.config.generation.max_examples} examples per operation and phase"
        )
        for label in sorted(ANSWERS):
            print(f"  {label}: {dict(sorted(ANSWERS[label].items()))}, stateful steps: {STATEFUL_STEPS[label]}")
    never = sorted(op for op in operations if ACCEPTED[op] == 0)
    assert not never, f"only ever answered with errors: {never}"
