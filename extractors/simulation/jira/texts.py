"""Issue summaries: short, plausible and deterministic."""

from __future__ import annotations

from extractors.simulation.jira import catalog as c

_VERBS = (
    "Add",
    "Support",
    "Improve",
    "Refactor",
    "Speed up",
    "Simplify",
    "Validate",
    "Migrate",
    "Expose",
    "Harden",
)
_THINGS = (
    "checkout flow",
    "refund API",
    "push notifications",
    "login screen",
    "card tokenisation",
    "payout report",
    "offline mode",
    "feature flags",
    "audit log",
    "rate limiter",
    "search index",
    "settings page",
    "webhook retries",
    "invoice export",
    "session handling",
    "image cache",
)
_BUG = ("crashes when", "shows wrong total when", "times out when", "loses state when")
_WHEN = (
    "the network drops",
    "the currency changes",
    "two tabs are open",
    "the token expires",
    "the list is empty",
    "daylight saving time ends",
)
_THEMES = (
    "Faster payments",
    "Mobile onboarding",
    "Platform reliability",
    "Self-service refunds",
    "Observability",
    "Checkout conversion",
)


def summary(type_id: int, n: int) -> str:
    """A summary for the ``n``-th issue of a type."""
    if type_id == c.BUG:
        return f"{_THINGS[n % len(_THINGS)].capitalize()} {_BUG[n % len(_BUG)]} {_WHEN[n % len(_WHEN)]}"
    if type_id == c.INITIATIVE:
        return f"{_THEMES[n % len(_THEMES)]} {2026 + n // len(_THEMES)}"
    if type_id == c.EPIC:
        return f"{_THEMES[n % len(_THEMES)]}: {_THINGS[n % len(_THINGS)]}"
    text = f"{_VERBS[n % len(_VERBS)]} {_THINGS[(n // len(_VERBS)) % len(_THINGS)]}"
    if type_id == c.TECH_DEBT:
        return f"Tech debt: {text.lower()}"
    if type_id == c.SUBTASK:
        return f"{text}: part {n % 3 + 1}"
    return text
