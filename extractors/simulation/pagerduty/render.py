"""PagerDuty REST v2 payloads of the simulated incidents, as of an instant and in a time zone:
services, users (the responders), incidents and their log entries."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from extractors.simulation.delivery.catalog import PAGERDUTY_API, PAGERDUTY_WEB, REPOSITORIES, Repository
from extractors.simulation.delivery.identities import Account
from extractors.simulation.delivery.model import Incident, LogEntry, render_text
from extractors.simulation.timeutil import SECOND_MS

BASE32 = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ESCALATION_POLICY = "PESC001"


def ts(ms: int | None, zone: ZoneInfo | None) -> str | None:
    """``2026-05-04T10:15:30Z`` in UTC, ``2026-05-04T12:15:30+02:00`` in another zone."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms // SECOND_MS, zone or ZoneInfo("UTC"))
    if zone is None or moment.utcoffset().total_seconds() == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat(timespec="seconds")


def user_id(account: Account) -> str:
    digest = hashlib.sha256(f"pd-user:{account.login}".encode()).digest()
    return "P" + "".join(BASE32[b % len(BASE32)] for b in digest[:6])


def user_ref(account: Account) -> dict[str, Any]:
    uid = user_id(account)
    return {
        "id": uid,
        "type": "user_reference",
        "summary": account.name,
        "self": f"{PAGERDUTY_API}/users/{uid}",
        "html_url": f"{PAGERDUTY_WEB}/users/{uid}",
    }


def service_ref(repo: Repository) -> dict[str, Any]:
    return {
        "id": repo.pagerduty_id,
        "type": "service_reference",
        "summary": repo.pagerduty_name,
        "self": f"{PAGERDUTY_API}/services/{repo.pagerduty_id}",
        "html_url": f"{PAGERDUTY_WEB}/service-directory/{repo.pagerduty_id}",
    }


def escalation_policy() -> dict[str, Any]:
    return {
        "id": ESCALATION_POLICY,
        "type": "escalation_policy_reference",
        "summary": "Engineering on-call",
        "self": f"{PAGERDUTY_API}/escalation_policies/{ESCALATION_POLICY}",
        "html_url": f"{PAGERDUTY_WEB}/escalation_policies/{ESCALATION_POLICY}",
    }


def service(repo: Repository) -> dict[str, Any]:
    return {
        **service_ref(repo),
        "type": "service",
        "name": repo.pagerduty_name,
        "description": f"{repo.service} ({repo.full_name})",
        "status": "active",
        "escalation_policy": escalation_policy(),
        "teams": [],
        "created_at": "2025-01-06T09:00:00Z",
    }


def incident_ref(i: Incident) -> dict[str, Any]:
    return {
        "id": i.id,
        "type": "incident_reference",
        "summary": f"[#{i.number}] {i.title}",
        "self": f"{PAGERDUTY_API}/incidents/{i.id}",
        "html_url": f"{PAGERDUTY_WEB}/incidents/{i.id}",
    }


def status_at(i: Incident, now: int) -> str:
    if i.resolved_ms is not None and i.resolved_ms <= now:
        return "resolved"
    if i.acknowledged_ms is not None and i.acknowledged_ms <= now:
        return "acknowledged"
    return "triggered"


def incident(i: Incident, responders: dict[int, Account], now: int, zone: ZoneInfo | None) -> dict[str, Any]:
    repo = REPOSITORIES[i.repo]
    responder = responders[i.responder]
    status = status_at(i, now)
    entries = [e for e in i.log if e.ms <= now]
    changed = {"resolved": i.resolved_ms, "acknowledged": i.acknowledged_ms, "triggered": i.created_ms}[
        status
    ]
    trigger = i.log[0]
    return {
        "id": i.id,
        "type": "incident",
        "summary": f"[#{i.number}] {i.title}",
        "self": f"{PAGERDUTY_API}/incidents/{i.id}",
        "html_url": f"{PAGERDUTY_WEB}/incidents/{i.id}",
        "incident_number": i.number,
        "title": i.title,
        "description": render_text(i.description),
        "created_at": ts(i.created_ms, zone),
        "updated_at": ts(max(e.ms for e in entries), zone),
        "status": status,
        "incident_key": i.incident_key,
        "service": service_ref(repo),
        "assignments": []
        if status == "resolved"
        else [{"at": ts(i.created_ms + 5 * SECOND_MS, zone), "assignee": user_ref(responder)}],
        "assigned_via": "escalation_policy",
        "last_status_change_at": ts(changed, zone),
        "resolved_at": ts(i.resolved_ms, zone) if status == "resolved" else None,
        "first_trigger_log_entry": {
            "id": trigger.id,
            "type": "trigger_log_entry_reference",
            "summary": "Triggered through the API.",
            "self": f"{PAGERDUTY_API}/log_entries/{trigger.id}",
            "html_url": f"{PAGERDUTY_WEB}/incidents/{i.id}/log_entries/{trigger.id}",
        },
        "alert_counts": {
            "all": 1,
            "triggered": 0 if status == "resolved" else 1,
            "resolved": 1 if status == "resolved" else 0,
        },
        "is_mergeable": True,
        "escalation_policy": escalation_policy(),
        "teams": [],
        "pending_actions": [],
        "acknowledgements": [{"at": ts(i.acknowledged_ms, zone), "acknowledger": user_ref(responder)}]
        if status == "acknowledged"
        else [],
        "alert_grouping": None,
        "last_status_change_by": service_ref(repo) if status == "triggered" else user_ref(responder),
        "priority": None,
        "resolve_reason": None,
        "incidents_responders": [],
        "responder_requests": [],
        "subscriber_requests": [],
        "urgency": i.urgency,
    }


def log_entry(
    i: Incident, e: LogEntry, responders: dict[int, Account], zone: ZoneInfo | None
) -> dict[str, Any]:
    repo = REPOSITORIES[i.repo]
    agent = user_ref(e.agent) if isinstance(e.agent, Account) else service_ref(repo)
    name = e.agent.name if isinstance(e.agent, Account) else repo.pagerduty_name
    body: dict[str, Any] = {
        "id": e.id,
        "type": f"{e.kind}_log_entry",
        "summary": "",
        "self": f"{PAGERDUTY_API}/log_entries/{e.id}",
        "html_url": f"{PAGERDUTY_WEB}/incidents/{i.id}/log_entries/{e.id}",
        "created_at": ts(e.ms, zone),
        "agent": agent,
        "channel": {"type": "auto"},
        "service": service_ref(repo),
        "incident": incident_ref(i),
        "teams": [],
        "contexts": [],
    }
    if e.kind == "trigger":
        body.update(
            summary="Triggered through the API.",
            channel={
                "type": "api",
                "summary": i.title,
                "description": render_text(i.description),
                "service_key": repo.pagerduty_id.lower(),
                "incident_key": i.incident_key,
            },
            event_details={"description": i.title},
        )
    elif e.kind == "notify":
        body.update(
            summary=f"Notified {name} by push notification.",
            user=agent,
            notification={"type": "push_notification", "status": "success", "address": "iPhone"},
        )
    elif e.kind == "acknowledge":
        body.update(
            summary=f"Acknowledged by {name}.", channel={"type": "mobile"}, acknowledgement_timeout=1800
        )
    elif e.kind == "annotate":
        body.update(summary="Note added", channel={"type": "note", "summary": render_text(e.text)})
    elif e.kind == "resolve":
        body.update(summary=f"Resolved by {name}.", channel={"type": "website"})
    return body
