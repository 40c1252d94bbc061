"""Attending the programme: the pages and helpers a participant uses during the event.

- **Elsewhere during the week** (`programme/elsewhere/`): the sessions held outside the venue
  (a slot with a `place`: a city and a country, an address, or online), by date, and one page
  per country and one for online sessions (`programme/place/<fr|online>/`).
- **Accessibility filters** (`programme/access/<filter>/`): live captions, sign language,
  step-free access, interpretation into a language; static pages, like the programme's other
  filters, so they work without JavaScript.
- **Happening now** (`now/`): what is on now and next, drawn by assets/attend.js from the
  visitor's clock and data/sessions.json (ISO instants with offsets); without JavaScript, the
  page lists each day of the programme.
- **My agenda** (`my-agenda/`): the sessions a visitor starred (the ☆ button that
  assets/attend.js adds to every item carrying `data-session`), kept in the browser's
  localStorage, a link that shares them (their keys in the URL's fragment) and an .ics of them
  (data/agenda.ics filtered by UID in the browser). No account, nothing sent anywhere.
- **Door sheets** (`doors/<day>/<room>/`): one printable page per room and day, the room's
  sessions in order, in large print, each with a QR code of its page (qr.py).

The star buttons' keys are `Session.key` (the proposal's id, `.n` for its n-th slot). Nothing
here reads the clock: "now" is the visitor's, in the browser.
"""

from __future__ import annotations

from . import pages as _pages  # the module (pages imports this one): read at call time
from . import qr
from ..i18n import N_
from ..model import Session
from ..data.urls import proposal_path

# Accessibility filters: key -> (label, what the page says it lists).
ACCESS = {
    "captions": (N_("Live captions"), N_("Sessions whose proposers provide live captions.")),
    "sign-language": (N_("Sign language"),
                      N_("Sessions with sign language interpretation (the sign languages are on each session's page).")),
    "step-free": (N_("Step-free access"),
                  N_("Sessions in a room of the venue that is reachable without steps, and sessions elsewhere whose "
                     "proposers say they are.")),
}
INTERPRETATION = "interpretation-"  # + a language code: interpretation into that language
ONLINE = "online"  # the place key of sessions held online (the others are country codes)


def session_key(proposal, slot) -> str:
    return Session(proposal, slot).key


def access_key(key: str) -> str:
    return f"programme/access/{key}.md"


def place_key(key: str) -> str:
    return f"programme/place/{key}.md"


def door_key(day: str, room_id: str) -> str:
    return f"doors/{day}/{room_id}.md"


ELSEWHERE_KEY = "programme/elsewhere.md"
NOW_KEY = "now.md"
MINE_KEY = "my-agenda.md"
DOORS_KEY = "doors/index.md"


class Attending:
    """The attending pages of one language's Site, and the helpers its templates call
    (registered as the template global `attending`)."""

    def __init__(self, site):
        self.site = site
        self.agenda = site.agenda
        self.t = site.t

    # --- sessions held elsewhere -------------------------------------------------------------

    def elsewhere(self) -> list:
        """Every session held outside the venue, in time order."""
        return [s for s in self.agenda.sessions() if s.slot.place is not None]

    def elsewhere_by_day(self, sessions=None) -> list:
        """[(event day, sessions)]: each session under every day it runs on (an exhibition
        over five days is listed on each), days in order, only days that have some."""
        sessions = self.elsewhere() if sessions is None else sessions
        days = {day: [] for day in self.agenda.event.days()}
        for s in sessions:
            for day in self.site.programme.days_of(s):
                days.setdefault(day, []).append(s)
        return [(day, sorted(items, key=lambda s: (s.slot.starts_at, s.proposal.id, s.slot.index)))
                for day, items in days.items() if items]

    def places(self) -> list:
        """[(key, label, sessions)]: one entry per country (by name in this language), then
        online sessions; a hybrid session (a city and online) is in both."""
        groups = {}
        for s in self.elsewhere():
            place = s.slot.place
            if place.country:
                groups.setdefault(place.country.lower(), []).append(s)
            if place.online:
                groups.setdefault(ONLINE, []).append(s)
        countries = sorted((k for k in groups if k != ONLINE), key=lambda k: (self.place_label(k).casefold(), k))
        keys = countries + ([ONLINE] if ONLINE in groups else [])
        return [(k, self.place_label(k), groups[k]) for k in keys]

    def place_label(self, key: str) -> str:
        return self.t.gettext("Online") if key == ONLINE else self.t.country(key.upper())

    # --- accessibility -----------------------------------------------------------------------

    def access_filters(self) -> list:
        """[(key, label)] of the filters that select at least one session, in a fixed order:
        captions, sign language, step-free access, then interpretation into each language
        (in the order of the event's languages)."""
        out = [(key, self.t.gettext(label)) for key, (label, _) in ACCESS.items() if self.access_sessions(key)]
        for lang in self.agenda.event.languages:
            key = INTERPRETATION + lang.id
            if self.access_sessions(key):
                out.append((key, self.t.gettext("Interpretation into %(language)s",
                                                language=self.site.language_name(lang.id))))
        return out

    def access_sessions(self, key: str) -> list:
        return [s for s in self.agenda.sessions() if self.offers(s, key)]

    def offers(self, session, key: str) -> bool:
        """Whether a session offers what an accessibility filter selects."""
        access = dict(session.proposal.accessibility)
        if key == "captions":
            return access.get("captions") is True
        if key == "sign-language":
            return bool(access.get("sign_language"))
        if key == "step-free":
            slot = session.slot
            if slot.room:  # the room decides (rule step-free-room keeps promises and rooms in line)
                return self.agenda.room(slot.room).get("step_free") is True
            return access.get("step_free_access") is True
        if key.startswith(INTERPRETATION):
            return key[len(INTERPRETATION):] in (access.get("interpretation") or ())
        raise KeyError(key)

    def access_label(self, key: str) -> str:
        if key.startswith(INTERPRETATION):
            return self.t.gettext("Interpretation into %(language)s",
                                  language=self.site.language_name(key[len(INTERPRETATION):]))
        return self.t.gettext(ACCESS[key][0])

    def access_about(self, key: str) -> str:
        if key.startswith(INTERPRETATION):
            return self.t.gettext("Sessions interpreted live into %(language)s.",
                                  language=self.site.language_name(key[len(INTERPRETATION):]))
        return self.t.gettext(ACCESS[key][1])

    def by_day(self, sessions) -> list:
        """[(programme.Day, its sessions among `sessions`)], only days that have some; an item
        over several days is listed on each."""
        chosen = set(sessions)
        out = []
        for day in self.site.programme.days:
            mine = [s for s in day.sessions if s in chosen]
            if mine:
                out.append((day, mine))
        return out

    # --- QR codes ------------------------------------------------------------------------------

    def page_url(self, p) -> str | None:
        """The absolute address of a proposal's page in this language, or None when the site
        has no address (a QR code of a relative link would lead nowhere)."""
        base = self.site.base_url
        return f"{base}{self.site.prefix}{proposal_path(p.id)}" if base else None

    def qr_src(self, here: str, p) -> str | None:
        """The link from page `here` to the proposal's QR code, or None (no address, or not
        scheduled: only sessions have one)."""
        if not p.slots or not self.page_url(p):
            return None
        return self.site.static(here, qr.path(p.id))

    def files(self) -> dict:
        """path -> bytes: the QR code of every session's page, in this language's folder."""
        return qr.svgs({qr.path(p.id): self.page_url(p) for p in self.agenda.proposals
                        if p.slots and self.page_url(p)})

    # --- door sheets ----------------------------------------------------------------------------

    def doors(self) -> list:
        """[(programme.Day, [(room, sessions)])]: for each day, the rooms of the venue that
        hold sessions, in the order of event.yaml, with their sessions in time order (items
        over several days on each of their days)."""
        out = []
        for day in self.site.programme.days:
            rooms = []
            for room in self.agenda.event.rooms:
                mine = [s for s in day.sessions if s.slot.room == room.id]
                if mine:
                    rooms.append((room, mine))
            if rooms:
                out.append((day, rooms))
        return out

    # --- the pages -------------------------------------------------------------------------------

    def pages(self):
        site, t = self.site, self.t
        yield self._page(NOW_KEY, "now.html", t.gettext("Happening now"),
                         t.gettext("What is on now and next at the event, from your own clock."))
        yield self._page(MINE_KEY, "my_agenda.html", t.gettext("My agenda"),
                         t.gettext("The sessions you chose, kept in your browser: share them, or add them to your "
                                   "calendar."))
        places = self.places()
        if places:
            yield self._page(ELSEWHERE_KEY, "elsewhere.html", t.gettext("Elsewhere during the week"),
                             t.gettext("The week's sessions held outside the venue, by date and by country."),
                             days=self.elsewhere_by_day(), places=places)
            for key, label, sessions in places:
                yield self._page(place_key(key), "place.html",
                                 t.gettext("Elsewhere during the week: %(place)s", place=label),
                                 place=key, label=label, days=self.elsewhere_by_day(sessions), places=places)
        for key, label in self.access_filters():
            yield self._page(access_key(key), "access.html",
                             t.gettext("Programme — %(facet)s: %(value)s", facet=t.gettext("Accessibility"),
                                       value=label),
                             key=key, label=label, days=self.by_day(self.access_sessions(key)))
        doors = self.doors()
        yield self._page(DOORS_KEY, "doors.html", t.gettext("Door sheets"),
                         t.gettext("A printable sheet for each room and day: its sessions in large print, with "
                                   "QR codes."), doors=doors)
        for day, rooms in doors:
            for room, sessions in rooms:
                title = t.gettext("%(room)s — %(day)s", room=site.name(room.name), day=t.date(day.day))
                yield self._page(door_key(day.day, room.id), "door.html", title, day=day, room=room,
                                 sessions=sessions)

    def _page(self, here, template, title, description=None, **context):
        html = self.site.render(template, here, title=title, **context)
        return _pages.Page(here, title, html, description or self.site.description())


def setup(site) -> Attending:
    """The attending helpers of a Site, as the template globals its templates use."""
    attending = Attending(site)
    site.env.globals.update(attending=attending, session_key=session_key, access_key=access_key,
                            place_key=place_key, door_key=door_key,
                            ELSEWHERE_KEY=ELSEWHERE_KEY, NOW_KEY=NOW_KEY, MINE_KEY=MINE_KEY, DOORS_KEY=DOORS_KEY)
    return attending
