"""The people of the organisation (one product manager and a few developers per team) and the
"Automation for Jira" app account that moves issues in bulk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

AUTOMATION_ACCOUNT_ID = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"

_FIRST = (
    "Ada",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Luca",
    "Maya",
    "Nils",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
)
_LAST = (
    "Adler",
    "Berg",
    "Costa",
    "Dahl",
    "Engel",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quint",
    "Rossi",
    "Schulz",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
)
_ZONES = ("Europe/Berlin", "Europe/Berlin", "Europe/Lisbon", "Europe/Warsaw", "America/New_York")
DEVELOPERS_PER_TEAM = 5


@dataclass(frozen=True)
class Person:
    """An account as Jira shows it; ``account_type`` is ``atlassian`` for humans, ``app`` for bots."""

    account_id: str
    display_name: str
    account_type: str
    time_zone: str
    team: int | None


@dataclass(frozen=True)
class People:
    """Everyone, by index. Index 0 is the automation account."""

    everyone: tuple[Person, ...]
    product_managers: tuple[int, ...]  # by team
    developers: tuple[tuple[int, ...], ...]  # by team

    @property
    def automation(self) -> int:
        return 0


def _account_id(seed: int, n: int) -> str:
    return hashlib.sha256(f"person:{seed}:{n}".encode()).hexdigest()[:24]


def build_people(teams: int, seed: int) -> People:
    """A product manager and ``DEVELOPERS_PER_TEAM`` developers per team, names unique and stable."""
    everyone = [Person(AUTOMATION_ACCOUNT_ID, "Automation for Jira", "app", "UTC", None)]
    managers, developers = [], []
    for team in range(teams):
        members = []
        for slot in range(DEVELOPERS_PER_TEAM + 1):
            n = len(everyone) - 1
            name = f"{_FIRST[(n * 7 + seed) % len(_FIRST)]} {_LAST[(n * 11 + seed * 3) % len(_LAST)]}"
            if n >= len(_FIRST):
                name += f" {n // len(_FIRST) + 1}"
            everyone.append(Person(_account_id(seed, n), name, "atlassian", _ZONES[n % len(_ZONES)], team))
            members.append(len(everyone) - 1)
            if slot == 0:
                managers.append(members.pop())
        developers.append(tuple(members))
    return People(tuple(everyone), tuple(managers), tuple(developers))
