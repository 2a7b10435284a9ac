"""The four files of a Pol.is export, and the zip of them, from a vote set.

Column names and order follow Pol.is's own export (the `reportExport`
handler of compdemocracy/polis, whose files red-dwarf, Sensemaker and the
Pol.is report read); where we add a column it comes after Pol.is's, or, in
participants-votes.csv, before the first vote column so readers that take
"everything after n-disagree" still find only votes. docs/exports.md lists
every column and the rules behind them.
"""

import csv
import io
import zipfile
from datetime import UTC

from consultation.opinions.selectors import (
    group_letter,
    infer_groups,
    min_group_size,
    participant_groups,
    published_groups,
    voter_id,
)

FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
ZIP_NAME = "export.zip"


def _timestamp(moment):
    return "" if moment is None else str(int(moment.timestamp()))


def _datetime(moment):
    """As Pol.is writes it (JavaScript's Date.toString), in UTC."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


class Export:
    """One export: a vote set with its pseudonyms, published groups and inferred groups."""

    def __init__(self, voteset, *, title="", url="", description="", scope=""):
        self.voteset = voteset
        self.title, self.url, self.description, self.scope = title, url, description, scope
        self.labels = published_groups(voteset)
        self.participant_group = participant_groups(voteset, self.labels)
        self.inference = infer_groups(voteset)
        self._ids = {}
        # Sections alone: a statement's id is the section's page id. With comments and
        # proposals too, ids from three tables would collide, so statements are numbered
        # 0, 1, 2… as Pol.is numbers them, and `kind` + `target-id` give our stable ids.
        statements = voteset.statements
        if all(st.kind == "section" for st in statements):
            self.statement_id = {st.key: st.id for st in statements}
        else:
            self.statement_id = {st.key: number for number, st in enumerate(statements)}

    def voter(self, user_id):
        if user_id not in self._ids:
            self._ids[user_id] = voter_id(consultation_id=self.voteset.consultation_id, user_id=user_id)
        return self._ids[user_id]

    def comments_csv(self):
        counts = {s.key: {1: 0, -1: 0, 0: 0} for s in self.voteset.statements}
        for vote in self.voteset.votes:
            counts[vote.statement][vote.value] += 1
        rows = [
            [
                "timestamp",
                "datetime",
                "comment-id",
                "author-id",
                "agrees",
                "disagrees",
                "moderated",
                "comment-body",
                "passes",
                "kind",
                "target-id",
                "paper-id",
                "number",
                "heading",
            ]
        ]
        for s in self.voteset.statements:
            body = f"{s.heading}\n{s.text}".strip() if s.kind == "section" else s.text.strip()
            rows.append(
                [
                    _timestamp(s.published_at),
                    _datetime(s.published_at),
                    self.statement_id[s.key],
                    # Sections are the editors'; comments and proposals are signed on the
                    # site, so an author's voter id would name them beside all their votes.
                    "",
                    counts[s.key][1],
                    counts[s.key][-1],
                    1,  # published: Pol.is's "accepted"
                    body,
                    counts[s.key][0],
                    s.kind,
                    s.id,
                    s.paper_id,
                    s.number,
                    s.heading,
                ]
            )
        return _csv(rows)

    def votes_csv(self):
        rows = [["timestamp", "datetime", "comment-id", "voter-id", "vote", "group"]]
        ordered = sorted(
            self.voteset.votes, key=lambda v: (self.statement_id[v.statement], self.voter(v.user_id))
        )
        for vote in ordered:
            rows.append(
                [
                    _timestamp(vote.at),
                    _datetime(vote.at),
                    self.statement_id[vote.statement],
                    self.voter(vote.user_id),
                    vote.value,
                    self.labels[vote.group_id],
                ]
            )
        return _csv(rows)

    def participants_votes_csv(self):
        keys = [s.key for s in self.voteset.statements]
        header = [
            "participant",
            "group-id",
            "group",
            "n-comments",
            "n-votes",
            "n-agree",
            "n-disagree",
            *(self.statement_id[key] for key in keys),
        ]
        rows = [header]
        matrix = self.voteset.matrix()
        for user_id in sorted(matrix, key=self.voter):
            votes = matrix[user_id]
            number = self.inference.groups.get(user_id)
            rows.append(
                [
                    self.voter(user_id),
                    "" if number is None else number,
                    self.participant_group[user_id],
                    0,  # authors are not linked to their votes (docs/exports.md)
                    len(votes),
                    sum(1 for v in votes.values() if v == 1),
                    sum(1 for v in votes.values() if v == -1),
                    *(votes.get(key, "") for key in keys),
                ]
            )
        return _csv(rows)

    def summary_csv(self):
        inference = self.inference
        rows = [
            ["topic", self.title],
            ["url", self.url],
            ["voters", len(self.voteset.participants())],
            ["voters-in-conv", len(inference.groups)],
            ["commenters", self.voteset.commenters],
            ["comments", len(self.voteset.statements)],
            ["groups", inference.k if inference.enough else 0],
            ["conversation-description", self.description],
            ["scope", self.scope],
            ["group-names", "; ".join(f"{n} = {group_letter(n)}" for n in range(inference.k))],
            ["min-group-size", min_group_size()],
        ]
        return _csv(rows)

    def file(self, name):
        return {
            "comments.csv": self.comments_csv,
            "votes.csv": self.votes_csv,
            "participants-votes.csv": self.participants_votes_csv,
            "summary.csv": self.summary_csv,
        }[name]()

    def zip(self, *, folder="export"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in FILES:
                archive.writestr(f"{folder}/{name}", self.file(name))
        return out.getvalue()
