/* "Propose in your browser" (the Propose page): GitHub's editor opens on a new file of
   proposals/ whose name must be unique. At each click, the link's file name becomes its prefix
   (data-agenda-unique) and eight random letters or digits from crypto.getRandomValues, so that
   two visitors never write the same file. Without JavaScript the link keeps the name the page
   tells its reader to change. Only the filename parameter changes: the rest of the address
   stays as the page wrote it. */
(function () {
  "use strict";
  var ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  function uniqueName(prefix) {
    var bytes = new Uint8Array(8), suffix = "";
    window.crypto.getRandomValues(bytes);
    for (var i = 0; i < bytes.length; i++) suffix += ALPHABET.charAt(bytes[i] % ALPHABET.length);
    return prefix + suffix + ".yaml";
  }

  function rename(event) {
    var link = event.target.closest ? event.target.closest("a[data-agenda-unique]") : null;
    if (!link || !window.crypto || !window.crypto.getRandomValues) return;
    var name = uniqueName(link.getAttribute("data-agenda-unique"));
    link.href = link.href.replace(/([?&]filename=)[^&#]*/, "$1" + encodeURIComponent(name));
  }

  document.addEventListener("click", rename, true);
  document.addEventListener("auxclick", rename, true);
})();
