// A little vanilla JavaScript: run progress polling. No network beyond this server.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // Run progress: poll the status endpoint until the run is done or failed, then reload.
  var status = document.getElementById("run-status");
  if (status && (status.dataset.state === "queued" || status.dataset.state === "running")) {
    var poll = function () {
      fetch("/api/runs/" + encodeURIComponent(status.dataset.run) + "/status", {headers: {accept: "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var words = JSON.parse(status.dataset.words || "{}");   // the run's states and steps in the page's language
          document.getElementById("state").textContent = words[s.state] || s.state;
          document.getElementById("step").textContent = s.step ? (words[s.step] || s.step) : "";
          document.getElementById("progress").value = s.progress;
          if (s.state === "done" || s.state === "failed") { window.location.reload(); }
          else { setTimeout(poll, 500); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 300);
  }

  // The review of matches: static/review.js (loaded by its page).
})();

// A decision letter: the print button (no inline scripts under the Content-Security-Policy).
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
