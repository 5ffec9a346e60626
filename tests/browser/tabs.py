"""A browser tab under test and what it reported."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Page


@dataclass
class Tab:
    """A page plus what it reported: console errors, uncaught exceptions, CSP violations."""

    page: Page
    console_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def problems(self, *, allow_status_of: str | None = None) -> list[str]:
        """Console errors and CSP violations.

        `allow_status_of` is the URL of a document deliberately served with an error status
        (the 404 page): Chromium logs "Failed to load resource" for it, which is expected.
        """
        errors = [
            text
            for text in self.console_errors
            if not (
                allow_status_of
                and text.startswith("Failed to load resource")
                and text.endswith(f"@ {allow_status_of}")
            )
        ]
        return errors + [f"CSP: {v}" for v in self.csp_violations()]
