"""The pure parts of the Git extractor: git's output formats and the choice of known tips."""

import pytest

from extractors.git.extract import usable_known_tips
from extractors.git.parse import (
    GitOutputError,
    RefState,
    deleted_ref_payload,
    dump_cursor,
    iter_commits,
    iter_nul_tokens,
    parse_cursor,
    parse_numstat,
    parse_ref_line,
)

A, B, C, D = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)


def header(sha, parents="", message="subject\n\nbody\n", date="2024-01-01T10:00:00+02:00"):
    return (
        "\x1f".join(
            [
                "\x1e" + sha,
                parents,
                "Ann",
                "ann@x.test",
                date,
                "Bob",
                "bob@x.test",
                "2024-01-02T09:00:00-05:00",
                message,
            ]
        )
        + "\x1f"
    )


def test_nul_tokens_survive_any_chunking():
    data = b"one\0two\0\xff\xfethree\0"
    for size in (1, 2, 3, 100):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert list(iter_nul_tokens(chunks)) == ["one", "two", "\ufffd\ufffdthree"]


def test_commits_with_files_renames_binaries_and_merges():
    tokens = [
        header(A, f"{B} {C}", "Merge branch 'x'\n"),
        header(B, C),
        "\n3\t1\tsrc/app.py",
        "-\t-\tlogo.png",
        "2\t0\t",
        "old name.txt",
        "new\x1fname.txt",
        header(C, "", "root\x1fwith a separator\n"),
        "\n1\t0\tREADME",
        "",
    ]
    merge, change, root = iter_commits(tokens, "acme/app")
    assert merge == {
        "sha": A,
        "parents": [B, C],
        "author": {"name": "Ann", "email": "ann@x.test", "date": "2024-01-01T10:00:00+02:00"},
        "committer": {"name": "Bob", "email": "bob@x.test", "date": "2024-01-02T09:00:00-05:00"},
        "message": "Merge branch 'x'",
        "files": [],
        "repository": "acme/app",
    }
    assert change["files"] == [
        {"path": "src/app.py", "additions": 3, "deletions": 1},
        {"path": "logo.png", "additions": None, "deletions": None},
        {"path": "new\x1fname.txt", "additions": 2, "deletions": 0},
    ]
    assert root["parents"] == [] and root["message"] == "root\x1fwith a separator"


def test_malformed_output_is_an_error():
    with pytest.raises(GitOutputError, match="before the first commit"):
        list(iter_commits(["1\t2\tx"], "r"))
    with pytest.raises(GitOutputError, match="numstat count"):
        parse_numstat("x\t2\tpath")
    with pytest.raises(GitOutputError, match="inside a rename"):
        list(iter_commits([header(A), "1\t1\t", "old"], "r"))
    with pytest.raises(GitOutputError, match="fields"):
        list(iter_commits(["\x1eabc\x1fdef"], "r"))


def test_ref_lines_peel_annotated_tags_and_skip_symbolic_refs():
    branch = parse_ref_line(f"refs/heads/main\0{A}\0commit\0\0\0\0")
    assert branch.payload() == {
        "ref": "refs/heads/main",
        "type": "branch",
        "sha": A,
        "object_sha": A,
        "tagger_date": None,
        "deleted": False,
    }
    tag = parse_ref_line(f"refs/tags/v1\0{B}\0tag\0{A}\0commit\x002024-03-01T12:00:00+01:00\0")
    assert (tag.type, tag.sha, tag.object_sha, tag.tagger_date) == ("tag", A, B, "2024-03-01T12:00:00+01:00")
    nested = parse_ref_line(f"refs/tags/v2\0{C}\0tag\0{B}\0tag\x002024-03-02T12:00:00+01:00\0")
    assert nested.needs_peeling and nested.sha is None
    assert parse_ref_line(f"refs/remotes/origin/HEAD\0{A}\0commit\0\0\0\0refs/remotes/origin/main") is None
    assert parse_ref_line(f"refs/remotes/origin/main\0{A}\0commit\0\0\0\0").type == "branch"


def test_deleted_ref_keeps_its_last_state():
    last = {
        "ref": "refs/tags/v1",
        "type": "tag",
        "sha": A,
        "object_sha": B,
        "tagger_date": "t",
        "deleted": False,
    }
    assert deleted_ref_payload("refs/tags/v1", A, last) == {**last, "deleted": True}
    assert deleted_ref_payload("refs/heads/x", A, None) == {
        "ref": "refs/heads/x",
        "type": "branch",
        "sha": A,
        "object_sha": None,
        "tagger_date": None,
        "deleted": True,
    }


def test_cursor_round_trip():
    assert parse_cursor(None) == {}
    assert parse_cursor(dump_cursor({"refs/heads/b": B, "refs/heads/a": A})) == {
        "refs/heads/a": A,
        "refs/heads/b": B,
    }
    with pytest.raises(GitOutputError):
        parse_cursor("[1]")


def test_known_tips_that_were_rewritten_or_lost_are_dropped():
    known = {"refs/heads/main": A, "refs/heads/topic": B, "refs/heads/gone": C, "refs/tags/v1": D}
    current = {
        "refs/heads/main": RefState("refs/heads/main", "e" * 40, "commit", "e" * 40, None),
        "refs/heads/topic": RefState("refs/heads/topic", "f" * 40, "commit", "f" * 40, None),
        "refs/tags/v1": RefState("refs/tags/v1", D, "commit", D, None),
    }
    ancestors = {(A, "e" * 40)}  # main fast-forwarded; topic was force-pushed
    reachable = {C}  # the deleted branch had been merged somewhere
    usable = usable_known_tips(
        known,
        current,
        existing={A, B, C, D},
        is_ancestor=lambda a, b: (a, b) in ancestors,
        reachable=reachable.__contains__,
    )
    assert usable == {A, C, D}
    assert usable_known_tips(
        known, current, existing={D}, is_ancestor=lambda a, b: True, reachable=lambda sha: True
    ) == {D}
