"""LaunchDarkly REST API v2 payloads of the simulated flags: feature flags (``GET /api/v2/flags/…``)
and audit-log entries (``GET /api/v2/auditlog`` listings and ``GET /api/v2/auditlog/{id}`` details,
whose ``previousVersion`` / ``currentVersion`` are the flag as it was before and after the change).

Links are relative to the API host (``/api/v2/…``), as LaunchDarkly writes them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from extractors.simulation.outcomes.model import (
    ALL_ENVIRONMENTS,
    CREATE_FLAG,
    ENVIRONMENT_NAMES,
    ENVIRONMENTS,
    PROJECT_KEY,
    UPDATE_FALLTHROUGH,
    UPDATE_ON,
    FlagChange,
    SimFlag,
)
from extractors.simulation.people import People

JSON_TYPE = "application/json"
ACCOUNT_ID = "5f3c1a2b9d8e7f6a5b4c3d2e"
OFF_VARIATION, ON_VARIATION = 1, 0
SUMMARY_OMITS = ("targets", "contextTargets", "rules", "prerequisites")


def _hex(*parts: object, length: int = 24) -> str:
    return hashlib.sha1(":".join(str(p) for p in parts).encode()).hexdigest()[:length]


def link(href: str, kind: str = JSON_TYPE) -> dict[str, str]:
    return {"href": href, "type": kind}


def member(people: People, index: int) -> dict[str, Any]:
    person = people.everyone[index]
    first, _, last = person.display_name.partition(" ")
    member_id = person.account_id[:24]
    return {
        "_links": {"self": link(f"/api/v2/members/{member_id}")},
        "_id": member_id,
        "email": f"{first.lower()}.{last.lower().replace(' ', '')}@acme.example",
        "firstName": first,
        "lastName": last,
        "role": "writer",
    }


def variations(flag: SimFlag) -> list[dict[str, Any]]:
    return [
        {"_id": _hex(flag.key, "true", length=36), "value": True, "name": "Available"},
        {"_id": _hex(flag.key, "false", length=36), "value": False, "name": "Unavailable"},
    ]


def fallthrough(true_pct: int, rollout: bool) -> dict[str, Any]:
    if not rollout:
        return {"variation": ON_VARIATION}
    return {
        "rollout": {
            "variations": [
                {"variation": ON_VARIATION, "weight": true_pct * 1000},
                {"variation": OFF_VARIATION, "weight": (100 - true_pct) * 1000},
            ],
            "contextKind": "user",
            "bucketBy": "key",
        }
    }


def environment(flag: SimFlag, env: str, as_of_ms: int, summary: bool) -> dict[str, Any]:
    state = flag.state_at(env, as_of_ms)
    changes = flag.env_changes(env, as_of_ms)
    config: dict[str, Any] = {
        "_environmentName": ENVIRONMENT_NAMES[env],
        "_site": link(f"/{PROJECT_KEY}/{env}/features/{flag.key}", "text/html"),
        "_summary": {
            "prerequisites": 0,
            "variations": {
                str(ON_VARIATION): {
                    "rules": 0,
                    "nullRules": 0,
                    "targets": 0,
                    "contextTargets": 0,
                    "isFallthrough": not state.rollout,
                    "rollout": state.true_pct * 1000 if state.rollout else None,
                },
                str(OFF_VARIATION): {
                    "rules": 0,
                    "nullRules": 0,
                    "targets": 0,
                    "contextTargets": 0,
                    "isOff": True,
                },
            },
        },
        "archived": False,
        "contextTargets": [],
        "fallthrough": fallthrough(state.true_pct, state.rollout),
        "lastModified": flag.last_modified_ms(as_of_ms, env),
        "offVariation": OFF_VARIATION,
        "on": state.on,
        "prerequisites": [],
        "rules": [],
        "salt": _hex(flag.key, env, "salt", length=32),
        "sel": _hex(flag.key, env, "sel", length=32),
        "targets": [],
        "trackEvents": False,
        "trackEventsFallthrough": False,
        "version": len(changes) + 1,
    }
    if summary:
        for key in SUMMARY_OMITS:
            config.pop(key)
    return config


def flag_payload(
    flag: SimFlag,
    as_of_ms: int,
    people: People,
    *,
    summary: bool = False,
    environments: tuple[str, ...] = ENVIRONMENTS,
) -> dict[str, Any]:
    """An element of ``GET /api/v2/flags/{projectKey}`` ``items[]`` as of ``as_of_ms``."""
    maintainer = member(people, flag.maintainer)
    custom = {"jira.issues": {"name": "Jira issues", "value": list(flag.jira_keys)}} if flag.jira_keys else {}
    return {
        "_links": {
            "parent": link(f"/api/v2/flags/{PROJECT_KEY}"),
            "self": link(f"/api/v2/flags/{PROJECT_KEY}/{flag.key}"),
        },
        "_maintainer": maintainer,
        "_version": flag.version_at(as_of_ms),
        "_lastModified": flag.last_modified_ms(as_of_ms),
        "archived": False,
        "clientSideAvailability": {"usingEnvironmentId": False, "usingMobileKey": "mobile" in flag.tags},
        "creationDate": flag.created_ms,
        "customProperties": custom,
        "defaults": {"offVariation": OFF_VARIATION, "onVariation": ON_VARIATION},
        "deprecated": False,
        "description": flag.description,
        "environments": {env: environment(flag, env, as_of_ms, summary) for env in environments},
        "experiments": {"baselineIdx": 0, "items": []},
        "goalIds": [],
        "includeInSnippet": False,
        "key": flag.key,
        "kind": "boolean",
        "maintainerId": maintainer["_id"],
        "name": flag.name,
        "tags": list(flag.tags),
        "temporary": True,
        "variations": variations(flag),
    }


def resource(flag: SimFlag, change: FlagChange) -> str:
    return f"proj/{PROJECT_KEY}:env/{change.environment}:flag/{flag.key}"


def title_verb(flag: SimFlag, change: FlagChange) -> str:
    if CREATE_FLAG in change.actions:
        return "created the flag"
    if UPDATE_ON in change.actions:
        return "turned on the flag" if change.state.on else "turned off the flag"
    return "updated the flag's rollout"


def describe(flag: SimFlag, change: FlagChange) -> str:
    lines = []
    if CREATE_FLAG in change.actions:
        lines.append(f"- Created the flag `{flag.key}`")
    if UPDATE_ON in change.actions:
        lines.append("- Turned on the flag" if change.state.on else "- Turned off the flag")
    if UPDATE_FALLTHROUGH in change.actions:
        if change.state.rollout:
            pct = change.state.true_pct
            lines.append(
                f"- Changed the default rule to a percentage rollout: {pct}% `true`, {100 - pct}% `false`"
            )
        else:
            lines.append("- Changed the default rule to serve `true`")
    return "\n".join(lines) + "\n"


def delta(flag: SimFlag, change: FlagChange) -> list[dict[str, Any]]:
    if CREATE_FLAG in change.actions:
        return [{"op": "add", "path": "/", "value": {"key": flag.key, "name": flag.name}}]
    ops = []
    base = f"/environments/{change.environment}"
    if UPDATE_ON in change.actions:
        ops.append({"op": "replace", "path": f"{base}/on", "value": change.state.on})
    if UPDATE_FALLTHROUGH in change.actions:
        ops.append(
            {
                "op": "replace",
                "path": f"{base}/fallthrough",
                "value": fallthrough(change.state.true_pct, change.state.rollout),
            }
        )
    return ops


def audit_entry(flag: SimFlag, change: FlagChange, people: People, *, detail: bool) -> dict[str, Any]:
    """An element of ``GET /api/v2/auditlog`` ``items[]``; with ``detail`` the single entry
    (``GET /api/v2/auditlog/{id}``) with the flag before and after the change."""
    who = member(people, change.member)
    verb = title_verb(flag, change)
    env = change.environment
    where = "" if env == ALL_ENVIRONMENTS else f" in `{ENVIRONMENT_NAMES[env]}`"
    spec = resource(flag, change)
    site_env = ENVIRONMENTS[0] if env == ALL_ENVIRONMENTS else env
    entry: dict[str, Any] = {
        "_links": {
            "parent": link(f"/api/v2/flags/{PROJECT_KEY}/{flag.key}"),
            "self": link(f"/api/v2/auditlog/{change.entry_id}"),
            "site": link(f"/{PROJECT_KEY}/{site_env}/features/{flag.key}", "text/html"),
        },
        "_id": change.entry_id,
        "_accountId": ACCOUNT_ID,
        "date": change.at_ms,
        "accesses": [{"action": action, "resource": spec} for action in change.actions],
        "kind": "flag",
        "name": flag.name,
        "description": describe(flag, change),
        "shortDescription": verb.capitalize(),
        "member": who,
        "titleVerb": verb,
        "title": f"{who['firstName']} {who['lastName']} {verb} [{flag.name}]"
        f"(/{PROJECT_KEY}/{site_env}/features/{flag.key}){where}",
        "target": {
            "_links": {"canonical": link(f"/api/v2/flags/{PROJECT_KEY}/{flag.key}")},
            "name": flag.name,
            "resources": [spec],
        },
    }
    if detail:
        entry["delta"] = delta(flag, change)
        entry["triggerBody"] = None
        entry["merge"] = None
        entry["subentries"] = []
        entry["previousVersion"] = (
            None if CREATE_FLAG in change.actions else flag_payload(flag, change.at_ms - 1, people)
        )
        entry["currentVersion"] = flag_payload(flag, change.at_ms, people)
    return entry
