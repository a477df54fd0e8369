"""The figures the stress proofs collect are shown at the end of the run, captured output or not."""

from __future__ import annotations

import pytest

from tests.stress.support import FIGURES, FULL


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section(f"stress figures ({'full' if FULL else 'CI'} counts)")
        for name, line in FIGURES.items():
            terminalreporter.write_line(f"{name}: {line}")
