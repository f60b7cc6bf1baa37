/* Filters the timeline by actor, topic, source and text, and keeps the state
   in the query string so a filtered view can be shared. Without this script
   every event is shown and the actor and topic pages serve instead. */
(function () {
  "use strict";

  // Print the notes that are folded away on screen.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });

  var form = document.getElementById("filters");
  if (!form) { return; }
  var articles = Array.prototype.slice.call(document.querySelectorAll(".timeline article.event"));
  var count = document.getElementById("result-count");
  var keys = ["q", "actor", "tag", "source"];
  var haystacks = articles.map(function (a) {
    return a.textContent.replace(/\s+/g, " ").toLowerCase();
  });

  function values() {
    var v = {};
    keys.forEach(function (k) { v[k] = form.elements[k].value.trim(); });
    return v;
  }

  function matches(article, text, v) {
    if (v.actor && article.dataset.actors.split("|").indexOf(v.actor) < 0) { return false; }
    if (v.tag && article.dataset.tags.split("|").indexOf(v.tag) < 0) { return false; }
    if (v.source && article.dataset.sources.split(" ").indexOf(v.source) < 0) { return false; }
    var words = v.q.toLowerCase().split(/\s+/).filter(Boolean);
    return words.every(function (w) { return text.indexOf(w) >= 0; });
  }

  function apply(updateURL) {
    var v = values();
    var active = keys.some(function (k) { return v[k] !== ""; });
    var shown = 0;
    articles.forEach(function (article, i) {
      var ok = matches(article, haystacks[i], v);
      article.parentElement.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll(".timeline section.month, .timeline section.year").forEach(function (section) {
      section.hidden = !section.querySelector("li:not([hidden]) > article");
    });
    document.querySelectorAll(".timeline [data-gap]").forEach(function (gap) { gap.hidden = active; });
    count.textContent = active
      ? "Showing " + shown + " of " + articles.length + " events."
      : articles.length + " events.";
    if (updateURL) {
      var params = new URLSearchParams();
      keys.forEach(function (k) { if (v[k]) { params.set(k, v[k]); } });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }
  }

  function readURL() {
    var params = new URLSearchParams(location.search);
    keys.forEach(function (k) {
      var field = form.elements[k];
      var value = params.get(k) || "";
      if (field.tagName === "SELECT" && value &&
          !Array.prototype.some.call(field.options, function (o) { return o.value === value; })) {
        value = "";  // an unknown name in a shared link: ignore rather than show nothing
      }
      field.value = value;
    });
  }

  readURL();
  form.hidden = false;
  apply(false);
  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
})();
