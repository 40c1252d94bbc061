"""The "under review" lane and the support of proposals, for the site: what the GitHub snapshot
(github_snapshot.py) holds, as the pages show it.

`load_review` reads the snapshot once per build (the plugin calls it; `render_site` takes its
result): the proposals of open pull requests that pass the same checks as `agenda check`'s
one-proposal rules (`github_snapshot.reviewed`), each turned into a model `Proposal` so that the
templates show it like any other; and the 👍 of the merged pull requests that added proposals.
Without a snapshot file it returns None and the site is exactly the offline site.

Everything in the snapshot comes from strangers. The pages print it through the templates'
autoescaping only; the pull request's title, labels and description are not shown at all, and
the link to a pull request is made from the event's repository and the pull request's number,
never from the address written in the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from ..contribute.github_snapshot import read_snapshot, reviewed, snapshot_path
from ..i18n import N_
from ..model import Agenda, Proposal, _proposal, title_key
from ..check.rules import Context

# What a pull request's check says, for a visitor (schema/github-snapshot.schema.json's values).
CHECK_STATUS = {
    "success": N_("check passed"),
    "failure": N_("check failed: the proposers have something to fix"),
    "pending": N_("check running"),
    "none": N_("not checked yet (a maintainer may need to let the check run)"),
    "unknown": N_("check status unknown"),
}
MOST_SUPPORTED = 25  # proposals in the "most supported" list
SHOWN_ON_BOARD = ("scheduled", "accepted", "proposed")  # the statuses still looking for help


@dataclass(frozen=True)
class LaneItem:
    """A proposal of an open pull request, as the site shows it."""

    proposal: Proposal  # its fields, read as the model reads a merged proposal
    pull: int
    author: str  # a GitHub name (the snapshot's schema allows nothing else), or ""
    draft: bool
    check_status: str
    thumbs_up: int
    change: str  # added, modified, renamed…
    existing: bool  # a change to a proposal already in the programme (its page exists)

    @property
    def id(self) -> str:
        return self.proposal.id

    @property
    def anchor(self) -> str:
        """Its place on the "under review" page: unique, as a pull request holds a path once."""
        return f"pr-{self.pull}-{self.proposal.id}"


@dataclass(frozen=True)
class Review:
    """The lane and the support counts of one snapshot."""

    generated_at: dt.datetime  # GitHub's Date header, aware (UTC)
    items: tuple  # LaneItem, newest pull request first
    support: dict  # merged proposal id -> 👍 of the pull request that added it

    def support_of(self, proposal_id: str) -> int:
        return self.support.get(proposal_id, 0)

    def changes_to(self, proposal_id: str) -> list:
        """Open pull requests that change a proposal of the programme."""
        return [item for item in self.items if item.existing and item.id == proposal_id]

    def new(self) -> list:
        """Proposals that are not in the programme yet."""
        return [item for item in self.items if not item.existing]

    def most_supported(self, agenda: Agenda, limit: int = MOST_SUPPORTED) -> list:
        """[(👍, Proposal or LaneItem)] with at least one 👍, most first: the programme's proposals
        (the 👍 of the pull request that added them) and the new ones under review (their pull
        request's). A change to an existing proposal is not counted as support for it."""
        known = {p.id for p in agenda.proposals}
        ranked = [(count, agenda.proposal(pid)) for pid, count in self.support.items() if pid in known and count]
        ranked += [(item.thumbs_up, item) for item in self.new() if item.thumbs_up]
        ranked.sort(key=lambda pair: (-pair[0], title_key(_proposal_of(pair[1])), isinstance(pair[1], LaneItem)))
        return ranked[:limit]

    def seeking(self, need=None, theme=None) -> list:
        """New proposals under review that look for `need` (any need when None), in `theme`."""
        return [item for item in self.new() if item.proposal.looking_for and item.proposal.status in SHOWN_ON_BOARD
                and (need is None or need in item.proposal.looking_for)
                and (theme is None or theme in item.proposal.themes)]

    def with_facet(self, facet: str | None, value: str | None) -> list:
        """Items of a programme filter (theme, format or language), or all."""
        if facet is None:
            return list(self.items)
        field = {"theme": "themes", "language": "languages"}.get(facet)
        if field is None:
            return [item for item in self.items if item.proposal.format == value]
        return [item for item in self.items if value in getattr(item.proposal, field)]

    def as_of(self, timezone: str) -> dt.datetime:
        """When GitHub answered, on the event's clock."""
        return self.generated_at.astimezone(ZoneInfo(timezone))


def _proposal_of(x) -> Proposal:
    return x.proposal if isinstance(x, LaneItem) else x


def load_review(root, report, agenda: Agenda, environ=None) -> Review | None:
    """The snapshot at `github_snapshot.snapshot_path(root)` for the site; None without a file.
    `report` is the repository's check (its event and themes are what each proposal is checked
    against). Raises github_snapshot.SnapshotError for a file that is unreadable or breaks the
    schema: the plugin says so and builds without the lane."""
    document = read_snapshot(snapshot_path(root, environ))
    if document is None:
        return None
    known = {p.id for p in agenda.proposals}
    items = []
    for entry in reviewed(document, Context(report.event, report.themes)):
        proposal = _proposal(entry.id, SimpleNamespace(data=entry.data, path=entry.path), agenda.event.clock)
        items.append(LaneItem(proposal=proposal, pull=entry.pull, author=entry.author, draft=entry.draft,
                              check_status=entry.check_status, thumbs_up=entry.thumbs_up, change=entry.change,
                              existing=entry.id in known))
    items.sort(key=lambda item: (-item.pull, item.id))
    generated = dt.datetime.strptime(document["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    return Review(generated_at=generated, items=tuple(items), support=dict(sorted(document["supported"].items())))
