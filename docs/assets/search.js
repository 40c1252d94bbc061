// Starts Pagefind's search box on the search page. Everything it loads comes from this site.
(function () {
  var box = document.getElementById("agenda-search");
  if (!box || typeof PagefindUI === "undefined") return;
  var lang = document.documentElement.lang || "fr";
  new PagefindUI({
    element: "#agenda-search",
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    autofocus: true,
    translations: lang === "fr" ? { placeholder: box.getAttribute("aria-label") } : {}
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    var wait = setInterval(function () {
      var input = box.querySelector("input");
      if (input) {
        clearInterval(wait);
        input.value = query;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }, 50);
  }
})();
