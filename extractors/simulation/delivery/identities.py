"""GitHub accounts and Git identities: one account per developer of the organisation, the bots
(dependabot, GitHub Actions, a code-analysis reviewer) and GitHub's own committer for web merges."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from extractors.simulation.people import People
from extractors.simulation.timeutil import SECOND_MS


def node_id(kind: str, number: int) -> str:
    """GitHub's legacy global node id: base64 of ``0<len(kind)>:<kind><id>``
    (``04:User1`` → ``MDQ6VXNlcjE=``)."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


@dataclass(frozen=True)
class Account:
    """A GitHub account and the Git identity it commits with. ``type`` is ``User`` or ``Bot``."""

    login: str
    id: int
    type: str
    name: str
    email: str
    time_zone: str = "UTC"
    person: int | None = None  # index into People for developers

    @property
    def is_bot(self) -> bool:
        return self.type == "Bot"

    @property
    def node_id(self) -> str:
        return node_id(self.type, self.id)


DEPENDABOT = Account(
    "dependabot[bot]",
    49_699_333,
    "Bot",
    "dependabot[bot]",
    "49699333+dependabot[bot]@users.noreply.github.com",
)
GITHUB_ACTIONS = Account(
    "github-actions[bot]",
    41_898_282,
    "Bot",
    "github-actions[bot]",
    "41898282+github-actions[bot]@users.noreply.github.com",
)
CODE_SCANNER = Account(
    "sonarcloud[bot]",
    39_514_782,
    "Bot",
    "sonarcloud[bot]",
    "39514782+sonarcloud[bot]@users.noreply.github.com",
)
WEB_FLOW = Account("web-flow", 19_864_447, "User", "GitHub", "noreply@github.com")
BOTS = (DEPENDABOT, GITHUB_ACTIONS, CODE_SCANNER)


def login_for(display_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-")


def developer_accounts(people: People, seed: int) -> dict[int, Account]:
    """An account for every developer, by person index (logins from names, ids stable per seed)."""
    accounts = {}
    for team in people.developers:
        for person in team:
            p = people.everyone[person]
            login = login_for(p.display_name)
            email = login.replace("-", ".") + "@acme.example"
            accounts[person] = Account(
                login,
                3_100_000 + (person * 7_919 + seed * 104_729) % 900_000,
                "User",
                p.display_name,
                email,
                p.time_zone,
                person,
            )
    return accounts


def git_offset(ms: int, zone: str) -> str:
    """The ``+hhmm`` offset of ``zone`` at the instant, as Git writes it."""
    offset = datetime.fromtimestamp(ms // SECOND_MS, ZoneInfo(zone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
