// Starts Pagefind's search box on the search page. Everything it loads comes from this site.
// A large programme's index is in several bundles (scripts/agenda/site/search.py): the first
// is Pagefind's own, pagefind/bundles.js lists the others, which Pagefind merges.
(function () {
  var box = document.getElementById("agenda-search");
  if (!box || typeof PagefindUI === "undefined") return;
  var lang = document.documentElement.lang || "fr";
  var label = box.getAttribute("aria-label");
  new PagefindUI({
    element: "#agenda-search",
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    autofocus: true,
    translations: lang === "fr" ? { placeholder: label } : {},
    mergeIndex: (window.agendaSearchBundles || []).map(function (path) { return { bundlePath: path }; })
  });
  var query = new URLSearchParams(window.location.search).get("q");
  var wait = setInterval(function () {
    var input = box.querySelector("input");
    if (!input) return;
    clearInterval(wait);
    // Pagefind UI names its input with `title` only (axe: label-title-only, WCAG 3.3.2) and
    // has no option for a label: give it a visible <label> with the box's accessible name.
    if (label && !input.id) {
      input.id = "agenda-search-input";
      var text = document.createElement("label");
      text.htmlFor = input.id;
      text.className = "agenda-search-label";
      text.textContent = label;
      box.insertBefore(text, box.firstChild);
    }
    if (query) {
      input.value = query;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }, 50);
})();
