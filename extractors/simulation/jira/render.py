"""Jira Cloud REST v3 payloads, rendered from the model on demand (one page at a time).

Issues show their state as of the serving clock; change histories carry the status names of their
own time. Every timestamp is in the API user's zone (``2026-05-03T10:15:30.123+0200``). ``self``
links use the site's canonical URL, so the bytes do not depend on how the API is served.
"""

from __future__ import annotations

from typing import Any

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import MOVE_EVENT, TYPE_EVENT
from extractors.simulation.jira.site import JiraSite
from extractors.simulation.timeutil import jira_timestamp

ISSUE_EXPAND = "operations,versionedRepresentations,editmeta,changelog,renderedFields"


def site_url(source: str) -> str:
    return f"https://{source}.atlassian.net"


def is_resolved(status_id: int) -> bool:
    return c.resolution_of(status_id) is not None


class JiraRenderer:
    """Turns the model into payloads. ``fields`` selections are sets of field ids."""

    def __init__(self, site: JiraSite):
        self.site, self.model = site, site.model
        self.base = site_url(site.config.jira_source)
        self.api = f"{self.base}/rest/api/3"
        self.zone = site.config.zone

    def time(self, ms: int) -> str:
        return jira_timestamp(ms, self.zone)

    # reference objects

    def status(self, status_id: int, as_of_ms: int) -> dict[str, Any]:
        status = c.STATUSES[status_id]
        category = c.CATEGORIES[status.category]
        name = status.name_at(as_of_ms)
        return {
            "self": f"{self.api}/status/{status_id}",
            "description": status.description,
            "iconUrl": f"{self.base}/images/icons/statuses/{status.icon}",
            "name": name,
            "untranslatedName": name,
            "id": str(status_id),
            "statusCategory": {
                "self": f"{self.api}/statuscategory/{category.id}",
                "id": category.id,
                "key": category.key,
                "colorName": category.color_name,
                "name": category.name,
            },
        }

    def issue_type(self, type_id: int) -> dict[str, Any]:
        t = c.ISSUE_TYPES[type_id]
        return {
            "self": f"{self.api}/issuetype/{type_id}",
            "id": str(type_id),
            "description": t.description,
            "iconUrl": f"{self.api}/universal_avatar/view/type/issuetype/avatar/{t.avatar_id}?size=medium",
            "name": t.name,
            "untranslatedName": t.name,
            "subtask": t.subtask,
            "avatarId": t.avatar_id,
            "hierarchyLevel": t.hierarchy_level,
        }

    def project(self, project: int) -> dict[str, Any]:
        p = self.model.projects[project]
        return {
            "self": f"{self.api}/project/{p.id}",
            "id": str(p.id),
            "key": p.key,
            "name": p.name,
            "projectTypeKey": "software",
            "simplified": False,
        }

    def user(self, person: int) -> dict[str, Any]:
        p = self.model.people.everyone[person]
        return {
            "self": f"{self.api}/user?accountId={p.account_id}",
            "accountId": p.account_id,
            "displayName": p.display_name,
            "active": True,
            "timeZone": p.time_zone,
            "accountType": p.account_type,
        }

    def resolution(self, status_id: int) -> dict[str, Any] | None:
        r = c.resolution_of(status_id)
        if r is None:
            return None
        return {
            "self": f"{self.api}/resolution/{r.id}",
            "id": str(r.id),
            "description": r.description,
            "name": r.name,
        }

    # issues

    def key(self, i: int, as_of_ms: int) -> str:
        return self.model.key_text(*self.model.key_at(i, as_of_ms))

    def issue_fields(self, i: int, as_of_ms: int) -> dict[str, Any]:
        """Every field of issue ``i`` as of ``as_of_ms``, in Jira's shapes."""
        m = self.model
        status = m.status_at(i, as_of_ms)
        project, _ = m.key_at(i, as_of_ms)
        resolved = m.resolved_ms(i, as_of_ms, is_resolved)
        assignee = m.assignee_at(i, as_of_ms)
        fields: dict[str, Any] = {
            "summary": m.summaries[i],
            "status": self.status(status, as_of_ms),
            "issuetype": self.issue_type(m.type_at(i, as_of_ms)),
            "project": self.project(project),
            "created": self.time(int(m.created_ms[i])),
            "updated": self.time(m.updated_ms(i, as_of_ms)),
            "resolutiondate": None if resolved is None else self.time(resolved),
            "resolution": self.resolution(status),
        }
        parent = int(m.parent[i])
        if parent >= 0 and self.site.exists(parent, as_of_ms):
            fields["parent"] = {
                "id": str(int(m.issue_id[parent])),
                "key": self.key(parent, as_of_ms),
                "self": f"{self.api}/issue/{int(m.issue_id[parent])}",
                "fields": {
                    "summary": m.summaries[parent],
                    "status": self.status(m.status_at(parent, as_of_ms), as_of_ms),
                    "issuetype": self.issue_type(m.type_at(parent, as_of_ms)),
                },
            }
        priority = int(m.priority[i])
        fields.update(
            {
                "labels": list(m.labels[i]),
                "priority": {
                    "self": f"{self.api}/priority/{priority}",
                    "iconUrl": f"{self.base}/images/icons/priorities/{c.PRIORITIES[priority].lower()}.svg",
                    "name": c.PRIORITIES[priority],
                    "id": str(priority),
                },
                "assignee": None if assignee is None else self.user(assignee),
                "reporter": self.user(int(m.reporter[i])),
                "customfield_10016": m.story_points[i],
                "customfield_10020": None,
            }
        )
        return fields

    def issue(self, i: int, as_of_ms: int, fields: frozenset[str]) -> dict[str, Any]:
        """A search result; only the selected fields (an empty selection gives id and key only)."""
        issue_id = str(int(self.model.issue_id[i]))
        if not fields:
            return {"id": issue_id, "key": self.key(i, as_of_ms), "fields": {}}
        selected = {k: v for k, v in self.issue_fields(i, as_of_ms).items() if k in fields}
        return {
            "expand": ISSUE_EXPAND,
            "id": issue_id,
            "self": f"{self.api}/issue/{issue_id}",
            "key": self.key(i, as_of_ms),
            "fields": selected,
        }

    # change histories

    def item_field_ids(self, i: int, row: int) -> tuple[str | None, ...]:
        """The ``fieldId`` of each item the history at ``row`` carries (None for ``Key``)."""
        m = self.model
        kind = int(m.ev_kind[row])
        if kind == TYPE_EVENT:
            return ("issuetype",)
        if kind == MOVE_EVENT:
            return ("project", None)
        ids: tuple[str | None, ...] = ()
        if row == int(m.assign_row[i]):
            ids += ("assignee",)
        if c.resolution_of(int(m.ev_from[row])) != c.resolution_of(int(m.ev_to[row])):
            ids += ("resolution",)
        return (*ids, "status")

    def history_items(self, i: int, row: int) -> list[dict[str, Any]]:
        m = self.model
        kind, at, old, new = int(m.ev_kind[row]), int(m.ev_at[row]), int(m.ev_from[row]), int(m.ev_to[row])
        if kind == TYPE_EVENT:
            return [_item("issuetype", str(old), c.ISSUE_TYPES[old].name, str(new), c.ISSUE_TYPES[new].name)]
        if kind == MOVE_EVENT:
            old_key, new_key = m.move_keys(i, row)
            return [
                _item(
                    "project",
                    str(m.projects[old].id),
                    m.projects[old].name,
                    str(m.projects[new].id),
                    m.projects[new].name,
                ),
                {
                    "field": "Key",
                    "fieldtype": "jira",
                    "from": None,
                    "fromString": old_key,
                    "to": None,
                    "toString": new_key,
                },
            ]
        items = []
        if row == int(m.assign_row[i]):
            person = m.people.everyone[int(m.assignee[i])]
            items.append(_item("assignee", None, None, person.account_id, person.display_name))
        old_res, new_res = c.resolution_of(old), c.resolution_of(new)
        if old_res != new_res:
            items.append(
                _item(
                    "resolution",
                    None if old_res is None else str(old_res.id),
                    None if old_res is None else old_res.name,
                    None if new_res is None else str(new_res.id),
                    None if new_res is None else new_res.name,
                )
            )
        items.append(
            _item("status", str(old), c.STATUSES[old].name_at(at), str(new), c.STATUSES[new].name_at(at))
        )
        return items

    def history(self, i: int, row: int, field_ids: frozenset[str] | None = None) -> dict[str, Any]:
        """One change history; ``field_ids`` keeps only items with those ``fieldId`` values."""
        items = self.history_items(i, row)
        if field_ids is not None:
            items = [it for it in items if it.get("fieldId") in field_ids]
        return {
            "id": str(int(self.model.ev_id[row])),
            "author": self.user(int(self.model.ev_author[row])),
            "created": self.time(int(self.model.ev_at[row])),
            "items": items,
        }

    # site configuration

    def statuses(self, as_of_ms: int) -> list[dict[str, Any]]:
        return [self.status(sid, as_of_ms) for sid in sorted(c.STATUSES)]

    def issue_types(self) -> list[dict[str, Any]]:
        return [self.issue_type(tid) for tid in sorted(c.ISSUE_TYPES)]

    @staticmethod
    def fields() -> list[dict[str, Any]]:
        return [
            {
                "id": f.id,
                "key": f.id,
                "name": f.name,
                "custom": f.custom,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": list(f.clause_names),
                "schema": f.schema,
            }
            for f in c.FIELDS
        ]


def _item(field: str, old: str | None, old_text: str | None, new: str | None, new_text: str | None) -> dict:
    return {
        "field": field,
        "fieldtype": "jira",
        "fieldId": field,
        "from": old,
        "fromString": old_text,
        "to": new,
        "toString": new_text,
    }
