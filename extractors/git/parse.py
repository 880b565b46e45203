"""Parsing what ``git log`` and ``git for-each-ref`` print, incrementally and without ``git`` itself.

``git log -z --numstat --format=LOG_FORMAT`` prints, per commit, one header token and then one
token per changed file, every token terminated by a NUL (commit messages and paths cannot contain
NUL, so splitting on it is safe):

* header: ``\\x1e`` + sha, parents, author name/e-mail/date, committer name/e-mail/date and the
  message, separated by ``\\x1f`` (the message is last, so a stray ``\\x1f`` in it survives);
* numstat: ``<additions>\\t<deletions>\\t<path>``, with ``-`` counts for binary files; a rename is
  ``<additions>\\t<deletions>\\t`` followed by two tokens, the old and the new path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

RECORD_START = "\x1e"
FIELD_SEPARATOR = "\x1f"
LOG_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%B%x1f"
HEADER_FIELDS = 9

# for-each-ref: one line per ref, fields separated by NUL (ref names cannot contain control characters)
REF_FORMAT = (
    "%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)%00"
    "%(taggerdate:iso-strict)%00%(symref)"
)


class GitOutputError(ValueError):
    """``git`` printed something that is not in the format we asked for."""


def iter_nul_tokens(chunks: Iterable[bytes]) -> Iterator[str]:
    """Byte chunks of NUL-terminated output → decoded tokens, holding at most one partial token.

    Invalid UTF-8 (a path in a legacy encoding) is replaced rather than failing the extraction.
    """
    partial = b""
    for chunk in chunks:
        if not chunk:
            continue
        parts = (partial + chunk).split(b"\0")
        partial = parts.pop()
        for part in parts:
            yield part.decode("utf-8", errors="replace")
    if partial:
        yield partial.decode("utf-8", errors="replace")


def parse_header(token: str, repository: str) -> dict[str, Any]:
    """One commit header token → the commit payload without files (``files`` is an empty list)."""
    text = token.lstrip("\n")
    if not text.startswith(RECORD_START):
        raise GitOutputError(f"expected a commit header, got {text[:60]!r}")
    text = text[1:]
    if text.endswith(FIELD_SEPARATOR):
        text = text[:-1]
    fields = text.split(FIELD_SEPARATOR, HEADER_FIELDS - 1)
    if len(fields) != HEADER_FIELDS:
        raise GitOutputError(
            f"a commit header has {len(fields)} fields, expected {HEADER_FIELDS}: {text[:60]!r}"
        )
    sha, parents, a_name, a_email, a_date, c_name, c_email, c_date, message = fields
    return {
        "sha": sha,
        "parents": parents.split(),
        "author": {"name": a_name, "email": a_email, "date": a_date},
        "committer": {"name": c_name, "email": c_email, "date": c_date},
        "message": message.rstrip("\n"),
        "files": [],
        "repository": repository,
    }


def parse_count(value: str) -> int | None:
    """A numstat count; ``-`` (a binary file) is None."""
    if value == "-":
        return None
    if not value.isdigit():
        raise GitOutputError(f"not a numstat count: {value!r}")
    return int(value)


def parse_numstat(token: str) -> tuple[int | None, int | None, str | None]:
    """``adds\\tdels\\tpath`` → (additions, deletions, path); path None when a rename's two paths follow."""
    text = token.lstrip("\n")
    parts = text.split("\t", 2)
    if len(parts) != 3:
        raise GitOutputError(f"not a numstat line: {text[:60]!r}")
    additions, deletions, path = parts
    return parse_count(additions), parse_count(deletions), (path or None)


def iter_commits(tokens: Iterable[str], repository: str) -> Iterator[dict[str, Any]]:
    """Tokens of ``git log -z --numstat --format=LOG_FORMAT`` → commit payloads, one at a time.

    A renamed file is reported under its new path, with the lines changed relative to the old one.
    Merge commits have no files (``git log`` prints no diff for them).
    """
    current: dict[str, Any] | None = None
    rename: dict[str, Any] | None = None  # a rename whose paths are still to come
    rename_paths: list[str] = []
    for token in tokens:
        if rename is not None:
            rename_paths.append(token)
            if len(rename_paths) == 2:
                rename["path"] = rename_paths[1]
                rename, rename_paths = None, []
            continue
        stripped = token.lstrip("\n")
        if not stripped:
            continue
        if stripped.startswith(RECORD_START):
            if current is not None:
                yield current
            current = parse_header(stripped, repository)
            continue
        if current is None:
            raise GitOutputError(f"file statistics before the first commit: {stripped[:60]!r}")
        additions, deletions, path = parse_numstat(stripped)
        entry: dict[str, Any] = {"path": path, "additions": additions, "deletions": deletions}
        current["files"].append(entry)
        if path is None:
            rename = entry
    if rename is not None:
        raise GitOutputError("the output ended inside a rename")
    if current is not None:
        yield current


@dataclass(frozen=True)
class RefState:
    """A ref as ``for-each-ref`` shows it; ``sha`` is the commit it peels to (None: not a commit)."""

    ref: str
    object_sha: str
    object_type: str
    sha: str | None
    tagger_date: str | None
    needs_peeling: bool = False  # a tag of a tag: peel with ``rev-parse <object>^{commit}``

    @property
    def type(self) -> str:
        return ref_type(self.ref)

    def payload(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "type": self.type,
            "sha": self.sha,
            "object_sha": self.object_sha,
            "tagger_date": self.tagger_date,
            "deleted": False,
        }


def ref_type(ref: str) -> str:
    """``tag`` for ``refs/tags/…``, otherwise ``branch`` (local and remote-tracking branches)."""
    return "tag" if ref.startswith("refs/tags/") else "branch"


def parse_ref_line(line: str) -> RefState | None:
    """One ``REF_FORMAT`` line → a :class:`RefState`; None for symbolic refs (``origin/HEAD``)."""
    fields = line.split("\0")
    if len(fields) != 7:
        raise GitOutputError(f"unexpected for-each-ref line: {line[:80]!r}")
    ref, object_sha, object_type, peeled_sha, peeled_type, tagger_date, symref = fields
    if symref:
        return None
    if object_type == "tag":
        if peeled_type == "commit":
            return RefState(ref, object_sha, object_type, peeled_sha, tagger_date or None)
        return RefState(
            ref, object_sha, object_type, None, tagger_date or None, needs_peeling=peeled_type == "tag"
        )
    return RefState(ref, object_sha, object_type, object_sha if object_type == "commit" else None, None)


def deleted_ref_payload(
    ref: str, last_sha: str | None, last_payload: dict[str, Any] | None
) -> dict[str, Any]:
    """The record of a ref that disappeared: its last known state, marked ``"deleted": true``."""
    if last_payload:
        return {**last_payload, "deleted": True}
    return {
        "ref": ref,
        "type": ref_type(ref),
        "sha": last_sha,
        "object_sha": None,
        "tagger_date": None,
        "deleted": True,
    }


def parse_cursor(text: str | None) -> dict[str, str]:
    """The stored ref cursor (JSON ``{ref: sha}``) → dict; empty before the first run."""
    if not text:
        return {}
    value = orjson.loads(text)
    if not isinstance(value, dict):
        raise GitOutputError(f"the stored git cursor is not a JSON object: {text[:60]!r}")
    return {str(k): str(v) for k, v in value.items()}


def dump_cursor(tips: dict[str, str]) -> str:
    return orjson.dumps(dict(sorted(tips.items()))).decode()
