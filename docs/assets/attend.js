/* Attending the programme (scripts/agenda/attend.py): the ☆ buttons, "happening now" and
   "my agenda". Progressive enhancement: every page works without this script, which only
   adds what needs a browser (the visitor's clock, localStorage).

   - A ☆ button (aria-pressed) on every element with data-session="<key>": the key is the
     session's (a proposal's id, ".n" for its n-th slot). The starred keys are kept in
     localStorage under a name that includes the site's path, so that two programmes published
     on one host (GitHub Pages) keep separate agendas; every language shares them.
   - #agenda-now: what is on now (start <= now < end) and next (the sessions that start after
     now, from the next start time to an hour later), from Date.now() and the ISO instants of
     data/sessions.json, times written by Intl in the event's time zone; redrawn every 30 s.
   - #agenda-mine: the starred sessions by day; a link that carries them in its fragment
     (#s=key,key: whoever opens it sees that list, and may add it to their own); an .ics of
     them, made from data/agenda.ics by keeping the VEVENTs whose UID is theirs.

   The page gives the addresses and the words (#agenda-attend's data-* attributes); the
   sessions' text is only ever set as textContent. */
(function () {
  "use strict";

  var config = document.getElementById("agenda-attend");
  if (!config || !window.fetch) return;
  var d = config.dataset;
  var lang = d.lang || document.documentElement.lang || "en";
  var zone = d.zone;
  var sessionsUrl = new URL(d.sessions, location.href);
  var siteRoot = sessionsUrl.pathname.replace(/data\/sessions\.json$/, "");
  var STORE = "agenda-starred:" + siteRoot;
  var memory = null; // the agenda when localStorage is refused

  // --- the starred keys ------------------------------------------------------------------------

  function clean(keys) {
    var seen = {};
    return keys.filter(function (k) {
      var ok = /^[a-z0-9-]{1,64}(\.[0-9]{1,3})?$/.test(k) && !seen[k];
      seen[k] = true;
      return ok;
    });
  }

  function storageWorks() {
    try {
      var probe = STORE + ":probe";
      localStorage.setItem(probe, "1");
      localStorage.removeItem(probe);
      return true;
    } catch (e) {
      return false;
    }
  }

  function starred() {
    if (memory) return memory.slice();
    try {
      var value = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(value) ? clean(value.map(String)) : [];
    } catch (e) {
      return [];
    }
  }

  function save(keys) {
    keys = clean(keys);
    try {
      localStorage.setItem(STORE, JSON.stringify(keys));
      memory = null;
    } catch (e) {
      memory = keys;
    }
    refresh();
  }

  function toggle(key) {
    var keys = starred();
    var at = keys.indexOf(key);
    if (at >= 0) keys.splice(at, 1); else keys.push(key);
    save(keys);
  }

  // --- the ☆ buttons -------------------------------------------------------------------------------

  function titleOf(item) {
    var link = item.querySelector("a[href*='proposals/']");
    if (link) return link.textContent.trim();
    var h1 = document.querySelector("h1");
    return ((h1 ? h1.textContent.trim() + ", " : "") + item.textContent.trim()).replace(/\s+/g, " ");
  }

  function addStar(item) {
    if (item.querySelector(":scope > .agenda-star")) return;
    var key = item.getAttribute("data-session");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "agenda-star";
    button.setAttribute("data-key", key);
    button.setAttribute("aria-pressed", "false");
    button.title = d.starHint || "";
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.className = "agenda-star__icon";
    var label = document.createElement("span");
    label.className = "agenda-star__label";
    label.textContent = (d.star || "%(title)s").replace("%(title)s", titleOf(item));
    button.appendChild(icon);
    button.appendChild(label);
    button.addEventListener("click", function () { toggle(key); });
    item.appendChild(document.createTextNode(" "));
    item.appendChild(button);
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-session]"), addStar);
    refresh();
  }

  function refresh() {
    var keys = starred();
    Array.prototype.forEach.call(document.querySelectorAll(".agenda-star"), function (b) {
      var on = keys.indexOf(b.getAttribute("data-key")) >= 0;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.querySelector(".agenda-star__icon").textContent = on ? "\u2605" : "\u2606";
    });
    if (mine) drawMine();
  }

  // --- the data --------------------------------------------------------------------------------------

  var data = null;
  var loading = null;

  function load() {
    if (!loading) {
      loading = fetch(sessionsUrl.href, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (json) {
        data = json;
        data.byKey = {};
        data.sessions.forEach(function (s) { data.byKey[s.key] = s; });
        return data;
      });
    }
    return loading;
  }

  var timeFormat = new Intl.DateTimeFormat(lang, { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var shortDate = new Intl.DateTimeFormat(lang, { timeZone: zone, weekday: "short", day: "numeric", month: "short" });
  var longDate = new Intl.DateTimeFormat(lang, { timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric" });
  var dayOf = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
  var regions = null;
  try { regions = new Intl.DisplayNames([lang], { type: "region" }); } catch (e) { regions = null; }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function timeElement(iso) {
    var t = el("time", "", timeFormat.format(new Date(iso)));
    t.setAttribute("datetime", iso.slice(0, 16) + iso.slice(19));
    return t;
  }

  function where(s) {
    if (s.room) {
      var names = data.rooms[s.room] || {};
      return names[lang] || names[Object.keys(names)[0]] || s.room;
    }
    var p = s.place || {};
    var parts = [p.name, p.address, p.city].filter(Boolean);
    if (p.country) parts.push(regions ? regions.of(p.country) : p.country);
    if (p.online) parts.push(d.online || "online");
    return parts.join(", ");
  }

  function title(s) {
    var own = s.titles && s.titles[lang];
    return { text: own || s.title, lang: own ? lang : s.lang };
  }

  /* One session as a list item: times (with the start's date when it is not `day`), title
     linked to its page, place; the ☆ button is added by enhance(). */
  function item(s, day) {
    var li = el("li");
    li.setAttribute("data-session", s.key);
    var start = new Date(s.start), end = new Date(s.end);
    if (day && dayOf.format(start) !== day) li.appendChild(document.createTextNode(shortDate.format(start) + " "));
    li.appendChild(timeElement(s.start));
    li.appendChild(document.createTextNode("\u2013"));
    if (dayOf.format(end) !== dayOf.format(start) && timeFormat.format(end) !== "00:00") {
      li.appendChild(document.createTextNode(shortDate.format(end) + " "));
    }
    li.appendChild(timeElement(s.end));
    li.appendChild(document.createTextNode(" "));
    var t = title(s);
    var a = el("a", "", t.text);
    a.href = d.root + "proposals/" + encodeURIComponent(s.id) + "/";
    a.setAttribute("dir", "auto");
    if (t.lang && t.lang !== lang) a.setAttribute("lang", t.lang);
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", "agenda-meta", "\u00b7 " + where(s)));
    return li;
  }

  function part(root, name) {
    return root.querySelector("[data-part='" + name + "']");
  }

  // --- happening now ---------------------------------------------------------------------------------

  var now = document.getElementById("agenda-now");
  var NEXT_WINDOW = 60 * 60 * 1000; // "next": from the next start time to an hour later

  var drawn = null;

  function key(s) { return s.key; }

  function drawNow() {
    var t = Date.now();
    var clock = part(now, "clock");
    clock.textContent = longDate.format(new Date(t)) + ", " + timeFormat.format(new Date(t)) + " (" + zone + ")";
    var sessions = data.sessions;
    var on = sessions.filter(function (s) { return Date.parse(s.start) <= t && t < Date.parse(s.end); });
    var later = sessions.filter(function (s) { return Date.parse(s.start) > t; })
      .sort(function (a, b) { return Date.parse(a.start) - Date.parse(b.start); });
    var first = later.length ? Date.parse(later[0].start) : 0;
    var next = later.filter(function (s) { return Date.parse(s.start) <= first + NEXT_WINDOW; });
    var today = dayOf.format(new Date(t));
    var shown = today + "|" + on.map(key).join() + "|" + next.map(key).join();
    if (shown === drawn) return; // unchanged: keep the lists (and the focus in them)
    drawn = shown;
    fill("now", on, today);
    fill("next", next, today);
    var before = sessions.length && t < Math.min.apply(null, sessions.map(function (s) { return Date.parse(s.start); }));
    part(now, "before").hidden = !before;
    part(now, "after").hidden = !(sessions.length && !on.length && !later.length);
    enhance(now);
  }

  function fill(name, list, today) {
    var ol = now.querySelector("[data-list='" + name + "']");
    ol.textContent = "";
    list.forEach(function (s) { ol.appendChild(item(s, today)); });
    now.querySelector("[data-empty='" + name + "']").hidden = list.length > 0;
  }

  // --- my agenda ---------------------------------------------------------------------------------------

  var mine = document.getElementById("agenda-mine");

  function sharedKeys() {
    var match = /^#s=([^&]*)/.exec(location.hash);
    return match ? clean(decodeURIComponent(match[1]).split(",")) : null;
  }

  function shownKeys() {
    return sharedKeys() || starred();
  }

  function drawMine() {
    if (!data) return;
    var shared = sharedKeys();
    var keys = shownKeys();
    var sessions = data.sessions.filter(function (s) { return keys.indexOf(s.key) >= 0; });
    part(mine, "shared").hidden = !shared;
    part(mine, "empty").hidden = sessions.length > 0;
    part(mine, "missing").hidden = sessions.length === keys.length;
    part(mine, "actions").hidden = sessions.length === 0;
    var list = part(mine, "list");
    list.textContent = "";
    var days = {};
    sessions.forEach(function (s) { (days[s.day] = days[s.day] || []).push(s); });
    Object.keys(days).sort().forEach(function (day) {
      var h = el("h2", "", longDate.format(new Date(day + "T12:00:00Z")));
      list.appendChild(h);
      var ol = el("ol", "agenda-list agenda-day-list");
      days[day].forEach(function (s) { ol.appendChild(item(s, day)); });
      list.appendChild(ol);
    });
    var link = new URL(location.href);
    link.hash = "s=" + sessions.map(function (s) { return s.key; }).join(",");
    document.getElementById("agenda-share").value = link.href;
    Array.prototype.forEach.call(list.querySelectorAll("[data-session]"), addStar);
    var stars = starred();
    Array.prototype.forEach.call(list.querySelectorAll(".agenda-star"), function (b) {
      var on = stars.indexOf(b.getAttribute("data-key")) >= 0;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.querySelector(".agenda-star__icon").textContent = on ? "\u2605" : "\u2606";
    });
  }

  /* data/agenda.ics with only the VEVENTs whose UID is one of `uids`: the calendar's own
     lines (VTIMEZONE included) are kept as they are, folded lines and CRLFs too. */
  function filterCalendar(text, uids, name) {
    var lines = text.split(/\r\n/);
    var out = [], block = null;
    lines.forEach(function (line) {
      if (block) {
        block.push(line);
        if (line === "END:VEVENT") {
          var uid = /(?:^|\r\n)UID:([^\r\n]*)/.exec(block.join("\r\n").replace(/\r\n[ \t]/g, ""));
          if (uid && uids.indexOf(uid[1]) >= 0) out.push.apply(out, block);
          block = null;
        }
      } else if (line === "BEGIN:VEVENT") {
        block = [line];
      } else if (/^X-WR-CALNAME[:;]/.test(line)) {
        out.push("X-WR-CALNAME:" + icalText(name));
      } else if (/^[ \t]/.test(line) && /^X-WR-CALNAME[:;]/.test(out[out.length - 1] || "")) {
        // the rest of the old, folded calendar name: dropped with it
      } else {
        out.push(line);
      }
    });
    return fold(out).join("\r\n");
  }

  function icalText(value) {
    return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\n/g, "\\n");
  }

  /* RFC 5545 3.1: content lines of at most 75 octets, continued after CRLF + space. */
  function fold(lines) {
    var encoder = new TextEncoder();
    var out = [];
    lines.forEach(function (line) {
      if (encoder.encode(line).length <= 75) { out.push(line); return; }
      var current = "", size = 0, limit = 75;
      Array.from(line).forEach(function (ch) {
        var n = encoder.encode(ch).length;
        if (size + n > limit) { out.push(current); current = " "; size = 1; limit = 75; }
        current += ch; size += n;
      });
      out.push(current);
    });
    return out;
  }

  function downloadCalendar() {
    var keys = shownKeys();
    var uids = data.sessions.filter(function (s) { return keys.indexOf(s.key) >= 0; }).map(function (s) { return s.guid; });
    return fetch(new URL(d.ics, location.href).href, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (text) {
      var blob = new Blob([filterCalendar(text, uids, d.calendar || "")], { type: "text/calendar;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "my-agenda.ics";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(function () { part(mine, "error").hidden = false; });
  }

  function setUpMine() {
    mine.hidden = false;
    part(mine, "storage").hidden = storageWorks();
    mine.querySelector("[data-action='ics']").addEventListener("click", downloadCalendar);
    mine.querySelector("[data-action='adopt']").addEventListener("click", function () {
      var keys = starred();
      (sharedKeys() || []).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
      save(keys);
      history.replaceState(null, "", location.pathname + location.search);
      drawMine();
    });
    mine.querySelector("[data-action='copy']").addEventListener("click", function () {
      var input = document.getElementById("agenda-share");
      var done = function () {
        var copied = part(mine, "copied-text");
        part(mine, "copied").textContent = copied.content ? copied.content.textContent : copied.textContent;
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else {
        input.select();
      }
    });
    window.addEventListener("hashchange", drawMine);
  }

  // --- start ---------------------------------------------------------------------------------------------

  enhance(document);
  window.addEventListener("storage", function (e) { if (e.key === STORE) refresh(); });
  if (now || mine) {
    if (mine) setUpMine();
    load().then(function () {
      if (now) {
        now.hidden = false;
        drawNow();
        setInterval(drawNow, 30 * 1000);
      }
      if (mine) drawMine();
    }).catch(function () {
      var root = now || mine;
      root.hidden = false;
      part(root, "error").hidden = false;
    });
  }
})();
