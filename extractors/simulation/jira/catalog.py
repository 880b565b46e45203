"""The simulated Jira site's configuration: statuses (with a rename), workflows, issue types,
projects, resolutions, priorities and fields. Ids follow Jira Cloud's conventions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extractors.simulation.timeutil import utc_midnight_ms

# Status ids. PAY and MOB use the custom workflow, PLAT Jira's stock one; sub-tasks, epics and
# initiatives share the simple To Do → In Progress → Done workflow.
OPEN, IN_PROGRESS, REOPENED, RESOLVED, CLOSED = 1, 3, 4, 5, 6
TO_DO, DONE = 10000, 10001
BACKLOG, ANALYSIS, READY_FOR_DEV, BLOCKED = 10100, 10101, 10102, 10103
READY_FOR_REVIEW, IN_REVIEW, IN_TEST, READY_FOR_RELEASE = 10104, 10105, 10106, 10107
RELEASING, VALIDATING, WONT_DO, ON_HOLD, IN_STAGING = 10108, 10109, 10110, 10111, 10112

IN_TEST_RENAMED_ON = date(2026, 7, 1)  # status 10106 was called "QA" before this (UTC) date

CUSTOM, STOCK, SIMPLE = "custom", "stock", "simple"

# Issue type ids.
INITIATIVE, EPIC, STORY, TASK, SUBTASK, BUG, TECH_DEBT = 10006, 10000, 10001, 10002, 10003, 10004, 10005


@dataclass(frozen=True)
class StatusCategory:
    id: int
    key: str
    color_name: str
    name: str


CATEGORIES = {
    "new": StatusCategory(2, "new", "blue-gray", "To Do"),
    "indeterminate": StatusCategory(4, "indeterminate", "yellow", "In Progress"),
    "done": StatusCategory(3, "done", "green", "Done"),
}


@dataclass(frozen=True)
class Status:
    """A workflow status. ``former_name`` was its name until ``renamed_at_ms``."""

    id: int
    name: str
    category: str
    description: str
    icon: str
    former_name: str | None = None
    renamed_at_ms: int | None = None

    def name_at(self, ms: int) -> str:
        if self.former_name is not None and self.renamed_at_ms is not None and ms < self.renamed_at_ms:
            return self.former_name
        return self.name


def _status(sid: int, name: str, category: str, description: str, icon: str = "generic.png", **kw) -> Status:
    return Status(sid, name, category, description, icon, **kw)


STATUSES: dict[int, Status] = {
    s.id: s
    for s in (
        _status(
            OPEN,
            "Open",
            "new",
            "The issue is open and ready for the assignee to start work on it.",
            "open.png",
        ),
        _status(
            IN_PROGRESS,
            "In Progress",
            "indeterminate",
            "This issue is being actively worked on at the moment by the assignee.",
            "inprogress.png",
        ),
        _status(
            REOPENED,
            "Reopened",
            "new",
            "This issue was once resolved, but the resolution was deemed incorrect.",
            "reopened.png",
        ),
        _status(
            RESOLVED,
            "Resolved",
            "done",
            "A resolution has been taken, and it is awaiting verification.",
            "resolved.png",
        ),
        _status(
            CLOSED,
            "Closed",
            "done",
            "The issue is considered finished, the resolution is correct.",
            "closed.png",
        ),
        _status(TO_DO, "To Do", "new", "", "open.png"),
        _status(DONE, "Done", "done", "", "closed.png"),
        _status(BACKLOG, "Backlog", "new", "Captured, not yet refined."),
        _status(ANALYSIS, "Analysis", "indeterminate", "Being understood and shaped."),
        _status(READY_FOR_DEV, "Ready for Dev", "new", "Refined and waiting for a developer."),
        _status(
            BLOCKED, "Blocked", "indeterminate", "Development cannot continue until something else happens."
        ),
        _status(READY_FOR_REVIEW, "Ready for Review", "indeterminate", "Waiting for a code review."),
        _status(IN_REVIEW, "In Review", "indeterminate", "Code review in progress."),
        _status(
            IN_TEST,
            "In Test",
            "indeterminate",
            "Being tested.",
            former_name="QA",
            renamed_at_ms=utc_midnight_ms(IN_TEST_RENAMED_ON),
        ),
        _status(READY_FOR_RELEASE, "Ready for Release", "indeterminate", "Waiting for the next release."),
        _status(RELEASING, "Releasing", "indeterminate", "Being released to production."),
        _status(VALIDATING, "Validating", "indeterminate", "Released; checking it works for users."),
        _status(WONT_DO, "Won't Do", "done", "Decided not to do this."),
        _status(ON_HOLD, "On Hold", "indeterminate", "Paused on purpose; not counted as waiting."),
        _status(IN_STAGING, "In Staging", "indeterminate", "Deployed to the staging environment."),
    )
}

WORKFLOW_STATUSES = {
    CUSTOM: (
        BACKLOG,
        ANALYSIS,
        READY_FOR_DEV,
        IN_PROGRESS,
        BLOCKED,
        READY_FOR_REVIEW,
        IN_REVIEW,
        IN_TEST,
        IN_STAGING,
        READY_FOR_RELEASE,
        RELEASING,
        VALIDATING,
        DONE,
        WONT_DO,
        ON_HOLD,
    ),
    STOCK: (OPEN, IN_PROGRESS, REOPENED, RESOLVED, CLOSED),
    SIMPLE: (TO_DO, IN_PROGRESS, DONE),
}
INITIAL_STATUS = {CUSTOM: BACKLOG, STOCK: OPEN, SIMPLE: TO_DO}


@dataclass(frozen=True)
class IssueType:
    id: int
    name: str
    description: str
    hierarchy_level: int  # Jira's: 2 initiative, 1 epic, 0 standard, -1 sub-task
    avatar_id: int

    @property
    def subtask(self) -> bool:
        return self.hierarchy_level < 0


ISSUE_TYPES: dict[int, IssueType] = {
    t.id: t
    for t in (
        IssueType(INITIATIVE, "Initiative", "A large body of work spanning several epics.", 2, 10320),
        IssueType(EPIC, "Epic", "A collection of related stories.", 1, 10307),
        IssueType(STORY, "Story", "Functionality or a feature expressed as a user goal.", 0, 10315),
        IssueType(TASK, "Task", "A small, distinct piece of work.", 0, 10318),
        IssueType(SUBTASK, "Sub-task", "A small piece of work that's part of a larger task.", -1, 10316),
        IssueType(BUG, "Bug", "A problem or error.", 0, 10303),
        IssueType(TECH_DEBT, "Tech Debt", "Work that pays back technical debt.", 0, 10319),
    )
}
STORY_LEVEL_TYPES = (STORY, TASK, BUG, TECH_DEBT)


@dataclass(frozen=True)
class Project:
    id: int
    key: str
    name: str
    workflow: str  # CUSTOM or STOCK, for story-level issues


_PROJECT_NAMES = (
    ("PAY", "Payments", CUSTOM),
    ("MOB", "Mobile", CUSTOM),
    ("PLAT", "Platform", STOCK),
    ("WEB", "Web", CUSTOM),
    ("DATA", "Data", CUSTOM),
    ("OPS", "Operations", STOCK),
    ("GRO", "Growth", CUSTOM),
    ("SEC", "Security", CUSTOM),
    ("INFRA", "Infrastructure", STOCK),
)


def build_projects(teams: int) -> tuple[Project, ...]:
    """One project per team: PAY, MOB, PLAT first; more teams reuse the two workflows."""
    projects = []
    for team in range(teams):
        if team < len(_PROJECT_NAMES):
            key, name, workflow = _PROJECT_NAMES[team]
        else:
            key, name = f"T{team + 1}", f"Team {team + 1}"
            workflow = STOCK if team % 3 == 2 else CUSTOM
        projects.append(Project(10000 + team, key, name, workflow))
    return tuple(projects)


@dataclass(frozen=True)
class Resolution:
    id: int
    name: str
    description: str


RESOLUTION_DONE = Resolution(10000, "Done", "Work has been completed on this issue.")
RESOLUTION_WONT_DO = Resolution(10001, "Won't Do", "This issue won't be actioned.")


def resolution_of(status_id: int) -> Resolution | None:
    """The resolution an issue carries while in a status: set in done-category statuses."""
    if status_id == WONT_DO:
        return RESOLUTION_WONT_DO
    return RESOLUTION_DONE if STATUSES[status_id].category == "done" else None


PRIORITIES = {1: "Highest", 2: "High", 3: "Medium", 4: "Low", 5: "Lowest"}


@dataclass(frozen=True)
class Field:
    id: str
    name: str
    schema: dict
    custom: bool = False
    clause_names: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field("summary", "Summary", {"type": "string", "system": "summary"}, clause_names=("summary",)),
    Field("status", "Status", {"type": "status", "system": "status"}, clause_names=("status",)),
    Field(
        "issuetype",
        "Issue Type",
        {"type": "issuetype", "system": "issuetype"},
        clause_names=("issuetype", "type"),
    ),
    Field("project", "Project", {"type": "project", "system": "project"}, clause_names=("project",)),
    Field(
        "created",
        "Created",
        {"type": "datetime", "system": "created"},
        clause_names=("created", "createdDate"),
    ),
    Field(
        "updated",
        "Updated",
        {"type": "datetime", "system": "updated"},
        clause_names=("updated", "updatedDate"),
    ),
    Field(
        "resolutiondate",
        "Resolved",
        {"type": "datetime", "system": "resolutiondate"},
        clause_names=("resolutiondate", "resolved"),
    ),
    Field(
        "resolution",
        "Resolution",
        {"type": "resolution", "system": "resolution"},
        clause_names=("resolution",),
    ),
    Field("parent", "Parent", {"type": "issuelink", "system": "parent"}, clause_names=("parent",)),
    Field(
        "labels", "Labels", {"type": "array", "items": "string", "system": "labels"}, clause_names=("labels",)
    ),
    Field("priority", "Priority", {"type": "priority", "system": "priority"}, clause_names=("priority",)),
    Field("assignee", "Assignee", {"type": "user", "system": "assignee"}, clause_names=("assignee",)),
    Field("reporter", "Reporter", {"type": "user", "system": "reporter"}, clause_names=("reporter",)),
    Field(
        "customfield_10016",
        "Story point estimate",
        {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016},
        custom=True,
        clause_names=("cf[10016]", "Story point estimate"),
    ),
    Field(
        "customfield_10020",
        "Sprint",
        {
            "type": "array",
            "items": "json",
            "custom": "com.pyxis.greenhopper.jira:gh-sprint",
            "customId": 10020,
        },
        custom=True,
        clause_names=("cf[10020]", "Sprint"),
    ),
)
FIELD_IDS = tuple(f.id for f in FIELDS)
