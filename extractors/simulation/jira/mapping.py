"""The organisation's own mapping: status → flow state and stage (versioned), issue type → flow
item type and hierarchy level, and label rules. It must agree with the seeds the warehouse ships
(``dbt_project/seeds/mappings``); a test checks that."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extractors.simulation.jira import catalog as c
from extractors.simulation.timeutil import utc_midnight_ms

STAGES = ("Discovery", "Dev", "Review", "Deploy", "Feedback")
STAGE_ORDER = {stage: n for n, stage in enumerate(STAGES, start=1)}

IN_STAGING_MOVED_ON = date(
    2026, 8, 1
)  # In Staging counts as Deploy (not Review) for intervals entered from here


@dataclass(frozen=True)
class StatusRule:
    """One mapping row: applies to intervals entered in ``[valid_from, valid_to)`` (UTC dates; None:
    open-ended)."""

    status_id: int
    flow_state: str
    stage: str | None
    valid_from: date | None = None
    valid_to: date | None = None


STATUS_RULES: tuple[StatusRule, ...] = (
    StatusRule(c.OPEN, "new", "Discovery"),
    StatusRule(c.IN_PROGRESS, "active", "Dev"),
    StatusRule(c.REOPENED, "waiting", "Dev"),
    StatusRule(c.RESOLVED, "done", "Feedback"),
    StatusRule(c.CLOSED, "done", "Feedback"),
    StatusRule(c.TO_DO, "new", "Discovery"),
    StatusRule(c.DONE, "done", "Feedback"),
    StatusRule(c.BACKLOG, "new", "Discovery"),
    StatusRule(c.ANALYSIS, "active", "Discovery"),
    StatusRule(c.READY_FOR_DEV, "waiting", "Dev"),
    StatusRule(c.BLOCKED, "waiting", "Dev"),
    StatusRule(c.READY_FOR_REVIEW, "waiting", "Review"),
    StatusRule(c.IN_REVIEW, "active", "Review"),
    StatusRule(c.IN_TEST, "active", "Review"),
    StatusRule(c.READY_FOR_RELEASE, "waiting", "Deploy"),
    StatusRule(c.RELEASING, "active", "Deploy"),
    StatusRule(c.VALIDATING, "waiting", "Feedback"),
    StatusRule(c.WONT_DO, "canceled", None),
    StatusRule(c.ON_HOLD, "ignore", None),
    StatusRule(c.IN_STAGING, "waiting", "Review", valid_to=IN_STAGING_MOVED_ON),
    StatusRule(c.IN_STAGING, "waiting", "Deploy", valid_from=IN_STAGING_MOVED_ON),
)


@dataclass(frozen=True)
class IssueTypeRule:
    flow_item_type: str | None
    hierarchy_level: str  # initiative | epic | story | subtask


ISSUE_TYPE_RULES: dict[str, IssueTypeRule] = {
    "Initiative": IssueTypeRule("Feature", "initiative"),
    "Epic": IssueTypeRule("Feature", "epic"),
    "Story": IssueTypeRule("Feature", "story"),
    "Task": IssueTypeRule("Feature", "story"),
    "Bug": IssueTypeRule("Defect", "story"),
    "Tech Debt": IssueTypeRule("Debt", "story"),
    "Sub-task": IssueTypeRule(None, "subtask"),
}


@dataclass(frozen=True)
class LabelRule:
    label: str
    priority: int  # the lowest wins when an issue carries several rule labels
    flow_item_type: str


LABEL_RULES: tuple[LabelRule, ...] = (LabelRule("security", 10, "Risk"), LabelRule("tech-debt", 30, "Debt"))


class StatusMapping:
    """Looks up ``(flow_state, stage)`` for a status at the instant an interval was entered."""

    def __init__(self, rules: tuple[StatusRule, ...] = STATUS_RULES):
        self._rules: dict[int, list[tuple[int, int, str, str | None]]] = {}
        for rule in rules:
            low = utc_midnight_ms(rule.valid_from) if rule.valid_from else -(2**62)
            high = utc_midnight_ms(rule.valid_to) if rule.valid_to else 2**62
            self._rules.setdefault(rule.status_id, []).append((low, high, rule.flow_state, rule.stage))
        self._constant = {
            sid: (rows[0][2], rows[0][3]) for sid, rows in self._rules.items() if len(rows) == 1
        }

    def at(self, status_id: int, entered_ms: int) -> tuple[str, str | None]:
        """The rule in effect for an interval of ``status_id`` entered at ``entered_ms``."""
        constant = self._constant.get(status_id)
        if constant is not None:
            return constant
        for low, high, state, stage in self._rules.get(status_id, ()):
            if low <= entered_ms < high:
                return state, stage
        raise KeyError(f"status {status_id} has no mapping for an interval entered at {entered_ms}")


def flow_item_type(issue_type_name: str, labels: tuple[str, ...]) -> str | None:
    """The mapped flow item type; a label rule (lowest priority first) overrides the type's."""
    matching = [rule for rule in LABEL_RULES if rule.label in labels]
    if matching:
        return min(matching, key=lambda rule: rule.priority).flow_item_type
    return ISSUE_TYPE_RULES[issue_type_name].flow_item_type


def hierarchy_level(issue_type_name: str) -> str:
    return ISSUE_TYPE_RULES[issue_type_name].hierarchy_level
