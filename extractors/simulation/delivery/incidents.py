"""PagerDuty incidents: the ones scenarios plant, natural ones after some production deployments
(naming the deployment, naming the commit at fault, or naming nothing), background ones no change
caused, and one before the first deployment of payments (no possible cause). Each has a log of
trigger, notify, acknowledge, annotate and resolve entries."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from extractors.simulation.config import OrgConfig
from extractors.simulation.delivery.catalog import PAYMENTS
from extractors.simulation.delivery.identities import Account
from extractors.simulation.delivery.model import (
    MERGE_COMMIT,
    ON_DEMAND,
    TRAIN,
    Commit,
    Deployment,
    Incident,
    LogEntry,
    PullRequest,
    RepoHistory,
)
from extractors.simulation.delivery.plan import sec
from extractors.simulation.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS

TITLES = {
    0: (
        "High error rate on POST /v1/refunds",
        "Payout batch stuck in pending",
        "p99 latency above SLO on /v1/charges",
        "Ledger consumer lag above threshold",
        "Webhook delivery failures to merchants",
        "Settlement file rejected",
    ),
    1: (
        "Crash-free sessions below 99.5 %",
        "Push notifications delayed",
        "Feed endpoint timing out",
        "Login failures on Android",
        "Media upload errors above threshold",
        "Offline sync conflicts spiking",
    ),
}
BASE32 = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def make_incident(
    repo: int,
    title: str,
    description: Any,
    created_ms: int,
    responder: Account,
    *,
    scenario: str,
    acknowledged_ms: int | None = None,
    resolved_ms: int | None = None,
    notes: tuple[tuple[int, Any], ...] = (),
    urgency: str = "high",
) -> Incident:
    created_ms = sec(created_ms)
    ack = sec(acknowledged_ms) if acknowledged_ms is not None else created_ms + 4 * MINUTE_MS
    log = [
        LogEntry("trigger", created_ms, None, ""),
        LogEntry("notify", created_ms + 5 * SECOND_MS, responder, ""),
        LogEntry("acknowledge", ack, responder, ""),
        *(LogEntry("annotate", sec(ms), responder, text) for ms, text in notes),
    ]
    incident = Incident(
        repo, title, description, urgency, created_ms, ack, None, responder.person or 0, log, scenario
    )
    if resolved_ms is not None:
        resolve(incident, resolved_ms, responder)
    return incident


def resolve(incident: Incident, ms: int, responder: Account) -> None:
    incident.resolved_ms = sec(ms)
    incident.log.append(LogEntry("resolve", incident.resolved_ms, responder, ""))


def blamed_pull(pulls: list[PullRequest]) -> PullRequest | None:
    """The pull request a scenario blames: the last feature PR deployed, squash-merged ones first."""
    features = [p for p in pulls if p.kind == "feature" and p.merge_sha]
    squashed = [p for p in features if p.merge_method == "squash"]
    return (squashed or features or [None])[-1]


def blamed_commit(history_by_sha: dict[str, Commit], pr: PullRequest) -> Commit:
    """A commit of ``pr`` that is in main's history (its own last commit when merged with a merge commit)."""
    merge = history_by_sha[pr.merge_sha]
    if merge.kind == MERGE_COMMIT:
        return history_by_sha[merge.parents[1]]
    return merge


def natural_incidents(
    config: OrgConfig,
    history: RepoHistory,
    deploy_pulls: dict[Deployment, list[PullRequest]],
    planted: set[Deployment],
    responders: list[Account],
    rng: np.random.Generator,
) -> list[Incident]:
    repo = history.repo
    prod = sorted(
        (d for d in history.deployments if d.environment == "production" and d.succeeded),
        key=lambda d: d.finished_ms,
    )
    titles = TITLES[repo.index % 2]
    out = []
    for k, d in enumerate(prod):
        chance, delay, style, pick = (
            rng.random(),
            rng.lognormal(np.log(50 * MINUTE_MS), 0.7),
            rng.random(),
            rng.random(),
        )
        if d.kind not in (TRAIN, ON_DEMAND) or d in planted or chance >= repo.incident_share:
            continue
        next_start = prod[k + 1].created_ms if k + 1 < len(prod) else config.end_ms
        room = next_start - d.finished_ms - 5 * MINUTE_MS
        if room < 10 * MINUTE_MS:
            continue
        created = d.finished_ms + int(min(max(delay, 5 * MINUTE_MS), room))
        responder = responders[int(pick * len(responders))]
        title = titles[int(pick * 1000) % len(titles)]
        description: Any = title
        notes: list[tuple[int, Any]] = [(created + 9 * MINUTE_MS, "Investigating; dashboards attached.")]
        pr = blamed_pull(deploy_pulls.get(d, []))
        if style < 0.2:
            description, scenario = (
                (f"{title} since deployment ", d, f" of {repo.full_name}"),
                "explicit_description",
            )
        elif style < 0.35:
            notes.append((created + 14 * MINUTE_MS, ("Started right after deployment ", d, f" ({d.ref}).")))
            scenario = "explicit_annotation"
        elif style < 0.6 and pr is not None:
            bad = blamed_commit(history.by_sha, pr)
            notes.append((created + 20 * MINUTE_MS, ("Root cause: commit ", bad, f" ({pr.title}).")))
            scenario = "root_cause"
        else:
            scenario = "unattributed"
        out.append(_finish(repo.index, title, description, created, responder, notes, scenario, rng, config))
    first = prod[0] if prod else None
    background = rng.poisson((config.end_ms - config.start_ms) / (30 * DAY_MS))
    if first is not None:
        for _ in range(int(background)):
            created = int(rng.uniform(first.finished_ms + HOUR_MS, config.end_ms - HOUR_MS))
            pick = rng.random()
            title = titles[int(pick * 1000 + 3) % len(titles)]
            responder = responders[int(pick * len(responders))]
            urgency = "low" if rng.random() < 0.5 else "high"
            notes = [(created + 11 * MINUTE_MS, "No recent change looks related; watching.")]
            out.append(
                _finish(
                    repo.index, title, title, created, responder, notes, "background", rng, config, urgency
                )
            )
    if repo is PAYMENTS and first is not None and first.created_ms - config.start_ms > 30 * MINUTE_MS:
        created = max(config.start_ms + 5 * MINUTE_MS, first.created_ms - 3 * HOUR_MS)
        out.append(
            make_incident(
                repo.index,
                "Card network timeouts (upstream)",
                "Card network provider reports degraded service",
                created,
                responders[0],
                scenario="no_cause",
                acknowledged_ms=created + 3 * MINUTE_MS,
                resolved_ms=created + 25 * MINUTE_MS,
                notes=(
                    (created + 10 * MINUTE_MS, "Upstream provider incident; no change of ours involved."),
                ),
            )
        )
    return out


def _finish(
    repo: int,
    title: str,
    description: Any,
    created: int,
    responder: Account,
    notes: list[tuple[int, Any]],
    scenario: str,
    rng: np.random.Generator,
    config: OrgConfig,
    urgency: str = "high",
) -> Incident:
    ack = created + int(rng.uniform(2, 15) * MINUTE_MS)
    resolved = ack + int(rng.lognormal(np.log(80 * MINUTE_MS), 0.8))
    notes = [(min(ms, resolved - MINUTE_MS), text) for ms, text in notes if ms < resolved]
    return make_incident(
        repo,
        title,
        description,
        created,
        responder,
        scenario=scenario,
        acknowledged_ms=ack,
        resolved_ms=resolved if resolved < config.end_ms else None,
        notes=tuple(notes),
        urgency=urgency,
    )


def assign_incident_ids(incidents: list[Incident], seed: int) -> None:
    """Account-wide numbers in creation order; ids and log entry ids derived from them."""
    incidents.sort(key=lambda i: (i.created_ms, i.repo, i.title))
    for number, incident in enumerate(incidents, start=1):
        digest = hashlib.sha256(f"incident:{seed}:{number}".encode()).digest()
        incident.number = number
        incident.id = "Q" + "".join(BASE32[b % len(BASE32)] for b in digest[:13])
        incident.incident_key = digest[13:29].hex()
        incident.log.sort(key=lambda e: e.ms)
        for n, entry in enumerate(incident.log):
            entry_digest = hashlib.sha256(f"log:{seed}:{number}:{n}".encode()).digest()
            entry.id = "R" + "".join(BASE32[b % len(BASE32)] for b in entry_digest[:25])
