"""Taking part from the site: the three ways to propose, the "discuss" link and the support of
each proposal, the "under review" page and the "looking for" board.

- **The issue form** (`.github/ISSUE_TEMPLATE/propose-session.yml`): GitHub's own form; a
  maintainer's label lets the issue bot open the pull request.
- **The browser**: GitHub's new-file editor on `proposals/`, opened with a short skeleton
  (`skeleton`) rather than the whole template, so that the address stays well under the ~8 KB
  GitHub accepts (`MAX_BROWSER_URL`). The file's name must be unique: assets/propose.js gives
  each click a random one (`session-` and eight letters or digits, from
  crypto.getRandomValues); without JavaScript the link names the file `RENAME-ME.yaml` (in the
  page's language), which `agenda check` refuses (bad-file-name) until the proposer renames it,
  so that two forgotten placeholders never become one proposal. The skeleton's texts are the
  schema's `examples`, which the placeholder-text rule refuses: a skeleton sent unedited fails
  the check with a message on each line to fill in.
- **Git with a fork**: CONTRIBUTING.md's section, in the page's language.

Discussion happens in the pull request that added or changes a proposal (support too: its 👍).
A merged proposal's pull request is not in the snapshot, so its "discuss" link is a search of
the repository's pull requests (open and closed) for its id, which the pull request's title,
file name or description holds (the browser's "Create <id>.yaml", the bot's and `agenda new`'s
texts); the issue a bot's pull request came from is linked from it ("Closes #N"). Nothing is
asked of GitHub at build time. GitHub Discussions are not used: their 👍 would be a second
count the snapshot does not read, and a second place to look for the same conversation.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import quote

from . import board
from ..i18n import N_
from ..model import title_key
from ..check.schema import examples

ISSUE_FORM = "propose-session.yml"
MAX_BROWSER_URL = 2000  # characters; GitHub refuses addresses over about 8 KB
UNIQUE_PREFIX = "session-"  # assets/propose.js adds eight random letters or digits
PLACEHOLDER_NAME = N_("RENAME-ME")  # the file's name without JavaScript: refused until renamed
FORK_SECTION = {"fr": "avec-git-depuis-votre-fork"}  # CONTRIBUTING.md's anchors
FORK_SECTION_DEFAULT = "with-git-from-your-fork"


def _yaml_text(value: str) -> str:
    """A one-line YAML string (a JSON string is a YAML double-quoted scalar)."""
    return json.dumps(value, ensure_ascii=False)


class Contribute:
    """The contribution pages and links of one language's site (`site`: pages.Site)."""

    def __init__(self, site, review=None):
        self.site = site
        self.review = review  # underreview.Review, or None for a build without the snapshot
        self.agenda = site.agenda
        self.event = site.agenda.event
        self.t = site.t
        self.unique_prefix = UNIQUE_PREFIX
        self._counts = None
        self._by_title = sorted(site.agenda.proposals, key=title_key)

    # --- the three ways to propose ------------------------------------------------------------

    def issue_form_url(self) -> str:
        return f"{self.event.repository}/issues/new?template={ISSUE_FORM}"

    def fork_guide_url(self) -> str:
        anchor = FORK_SECTION.get(self.site.lang, FORK_SECTION_DEFAULT)
        return f"{self.event.repository}/blob/{quote(self.event.branch)}/CONTRIBUTING.md#{anchor}"

    def template_url(self) -> str:
        """The commented template on GitHub (the schema when the site has no template)."""
        path = "docs/proposal-template.yaml" if self.site.template else "schema/proposal.schema.json"
        return f"{self.event.repository}/blob/{quote(self.event.branch)}/{path}"

    def placeholder_name(self) -> str:
        return self.t.gettext(PLACEHOLDER_NAME) + ".yaml"

    def skeleton(self, choices: bool = True) -> str:
        """The file the browser path opens: the fields to fill in, each with the schema's
        example text (refused as it is), comments in the page's language; `choices` lists the
        formats, themes and languages to choose from."""
        t, agenda, event = self.t, self.agenda, self.event
        ex = examples("proposal")
        described = next(line for line in ex[("description",)][0].splitlines() if line and not line.startswith("#"))
        formats = [f.id for f in event.formats]
        fmt = "workshop" if "workshop" in formats else formats[0]
        languages = [lang.id for lang in event.languages]
        lang = self.site.lang if self.site.lang in languages else languages[0]

        def listed(ids):
            return f"  # {' | '.join(ids)}" if choices else ""

        lines = [
            "# " + t.gettext("A session proposal: replace each value, then “Commit changes…”."),
            "# " + t.gettext("Name the file above: a short name of your session, a-z, 0-9 and hyphens, then .yaml."),
            "# " + t.gettext("Every field explained: %(url)s", url=self.template_url()),
            f"title: {_yaml_text(ex[('title',)][0])}",
            f"format: {fmt}" + listed(formats),
            f"themes: [{agenda.themes[0].id}]" + listed(theme.id for theme in agenda.themes),
            f"languages: [{lang}]" + listed(languages),
            f"summary: {_yaml_text(ex[('summary',)][0])}",
            "description: |",
            f"  {described}",
            "proposers:",
            f"  - name: {_yaml_text(ex[('proposers', '*', 'name')][0])}",
            "duration: 60",
            "recording: allowed  # allowed | not-allowed",
            "status: proposed",
        ]
        return "\n".join(lines) + "\n"

    def browser_url(self, name: str | None = None) -> str:
        """GitHub's new-file editor on proposals/, pre-filled with the skeleton: at most
        MAX_BROWSER_URL characters (the lists of choices are left out if they would not fit)."""
        name = name or self.placeholder_name()
        base = f"{self.event.repository}/new/{quote(self.event.branch)}/proposals?filename={quote(name, safe='')}"
        url = f"{base}&value={quote(self.skeleton(), safe='')}"
        if len(url) > MAX_BROWSER_URL:
            url = f"{base}&value={quote(self.skeleton(choices=False), safe='')}"
        return url

    # --- discussion and support -----------------------------------------------------------------

    def pull_url(self, number: int) -> str:
        """A pull request of the event's repository (never an address read from the snapshot)."""
        return f"{self.event.repository}/pull/{int(number)}"

    def discuss_url(self, p) -> str:
        """Where a proposal of the programme is discussed: its pull requests, found by its id."""
        query = f'is:pr "{p.id}"'
        return f"{self.event.repository}/pulls?q={quote(query, safe='')}"

    def check_label(self, status: str) -> str:
        from .underreview import CHECK_STATUS

        return self.t.gettext(CHECK_STATUS[status])

    def as_of(self):
        """(date, time) of the snapshot on the event's clock."""
        moment = self.review.as_of(self.event.timezone)
        return self.t.date(moment.date()), self.t.time(moment.time().replace(second=0))

    # --- the "looking for" board -----------------------------------------------------------------

    def needs(self):
        return board.needs()

    def board_key(self, need=None, theme=None):
        return board.board_key(need, theme)

    def seeking(self, need=None, theme=None):
        return board.seeking(self._by_title, need, theme)

    def board_count(self, need=None, theme=None) -> int:
        if self._counts is None:  # every page's filters show every count: computed once
            counts = Counter()
            for p in self.seeking():
                for n in (None, *p.looking_for):
                    for th in (None, *p.themes):
                        counts[n, th] += 1
            self._counts = counts
        return self._counts[need, theme]

    def board_title(self, need=None, theme=None) -> str:
        t = self.t
        if need and theme:
            return t.gettext("Looking for %(need)s — %(theme)s", need=t.looking_for(need),
                             theme=self.site.theme_name(theme))
        if need:
            return t.gettext("Looking for %(need)s", need=t.looking_for(need))
        if theme:
            return t.gettext("Looking for — %(theme)s", theme=self.site.theme_name(theme))
        return t.gettext("Looking for")

    # --- pages --------------------------------------------------------------------------------------

    def pages(self):
        """The "under review" page and every page of the board."""
        from .pages import Page

        site, t = self.site, self.t
        title = t.gettext("Under review")
        yield Page("under-review.md", title, site.render("under_review.html", "under-review.md", title=title),
                   t.gettext("Proposals of open pull requests, public from submission, and their support."))
        description = t.gettext("Proposals looking for co-organisers, speakers, interpreters, note-takers…")
        for need, theme in board.choices(self.agenda):
            key = board.board_key(need, theme)
            proposals = self.seeking(need, theme)
            listed = bool(need or theme) or len(proposals) <= board.LIST_ON_BOARD_INDEX
            title = self.board_title(need, theme)
            html = site.render("looking_for.html", key, title=title, need=need, theme=theme, proposals=proposals,
                               listed=listed)
            yield Page(key, title, html, description)
