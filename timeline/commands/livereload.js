/* Preview only: reloads the page after each good rebuild and shows the
   build's problems over the page after a bad one. The preview server adds
   this script to the pages it serves; published pages never contain it. */
(function () {
  "use strict";
  var overlay = null;

  function showProblems(problems) {
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.id = "build-problems";
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("aria-label", "Build problems");
      overlay.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0b0b;color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
        "padding:1rem 1.25rem;border-top:4px solid #f87171;box-shadow:0 -4px 16px rgba(0,0,0,.4)";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var heading = document.createElement("p");
    heading.style.cssText = "margin:0 0 .5rem;font-weight:700;color:#fecaca";
    heading.textContent = "The last save could not be built (" + problems.length +
      " problem" + (problems.length === 1 ? "" : "s") + "). Showing the last good version; fix and save to continue.";
    overlay.appendChild(heading);
    var list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.25rem";
    problems.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    overlay.appendChild(list);
  }

  var hadProblems = false;
  // The generation of the site this page was served from: a rebuild that
  // happens before the stream connects still reloads the page.
  var served = document.currentScript && document.currentScript.getAttribute("data-generation");
  var source = new EventSource("/__livereload" + (served ? "?generation=" + encodeURIComponent(served) : ""));
  source.addEventListener("problems", function (event) {
    hadProblems = true;
    showProblems(JSON.parse(event.data).problems);
  });
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("hello", function () {
    // Connected (or reconnected) to a server with a good build.
    if (hadProblems) { location.reload(); }
  });
})();
