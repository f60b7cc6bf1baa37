// Notes, made quicker to use: hovering or focusing a note reference shows
// the quote it points to, and following one opens the note's quote. Without
// this script every reference is a plain link to its note, which holds the
// quote and the link to the highlighted passage.
(function () {
  "use strict";
  var preview = null;

  // The id a fragment names ("" for one that is not valid percent-encoding).
  function idOf(fragment) {
    try {
      return decodeURIComponent(fragment.replace(/^#/, ""));
    } catch (error) {
      return "";
    }
  }

  function noteOf(link) {
    return document.getElementById(idOf(link.getAttribute("href")));
  }

  function hide() {
    if (!preview) return;
    var owner = document.querySelector('[aria-describedby="note-preview"]');
    if (owner) owner.removeAttribute("aria-describedby");
    preview.remove();
    preview = null;
  }

  function show(link) {
    var note = noteOf(link);
    var quote = note && note.querySelector("blockquote");
    if (!quote) return;
    hide();
    preview = document.createElement("div");
    preview.id = "note-preview";
    preview.className = "note-preview";
    preview.setAttribute("role", "tooltip");
    var text = document.createElement("p");
    text.textContent = "“" + quote.textContent.trim() + "”";
    preview.appendChild(text);
    var source = note.querySelector(".cite");
    var kind = note.querySelector(".kind");
    if (source) {
      var line = document.createElement("p");
      line.className = "cite-line";
      line.textContent = "— " + source.textContent + (kind ? " (" + kind.textContent + ")" : "");
      preview.appendChild(line);
    }
    // Inside the page's main landmark, where the reference is (not loose in
    // <body>, outside every landmark). <main> is not positioned, so the
    // coordinates below stay the page's.
    (link.closest("main") || document.body).appendChild(preview);
    var box = link.getBoundingClientRect();
    var left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - preview.offsetWidth - 8);
    preview.style.left = Math.max(window.scrollX + 8, left) + "px";
    // Below the whole line the reference sits on: a superscript's own box
    // ends above the line's descenders, which the preview would cover.
    var line = parseFloat(getComputedStyle(link.closest("p, li") || link).lineHeight) || 0;
    preview.style.top = (Math.max(box.bottom, box.top + line) + window.scrollY + 6) + "px";
    link.setAttribute("aria-describedby", "note-preview");
  }

  // Opens what hides the target: a note's quote, or the editors' note
  // around a marker a back-link leads to.
  function openNote(id) {
    var target = id && document.getElementById(id);
    if (!target) return;
    var quote = target.querySelector("details.quote");
    if (quote) quote.open = true;
    for (var around = target.closest("details"); around; around = around.parentElement.closest("details")) {
      around.open = true;
    }
  }

  function reference(target) {
    return target.closest ? target.closest('a[role="doc-noteref"]') : null;
  }

  document.addEventListener("mouseover", function (event) {
    var link = reference(event.target);
    if (link) show(link);
  });
  // The preview stays while the pointer moves from the reference onto it,
  // so it can be read and its text selected (WCAG 1.4.13).
  document.addEventListener("mouseout", function (event) {
    var from = reference(event.target) || (preview && preview.contains(event.target) ? preview : null);
    var to = event.relatedTarget;
    if (from && !(to && (reference(to) === from || (preview && preview.contains(to))))) hide();
  });
  document.addEventListener("focusin", function (event) {
    var link = reference(event.target);
    if (link) show(link); else hide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[role="doc-noteref"], a[role="doc-backlink"]');
    hide();
    if (link) openNote(idOf(link.getAttribute("href")));
  });
  window.addEventListener("hashchange", function () { openNote(idOf(location.hash)); });
  openNote(idOf(location.hash));

  // Print every quote and note, in browsers whose print styles cannot show
  // the content of a closed <details>; close them again afterwards.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });
})();
