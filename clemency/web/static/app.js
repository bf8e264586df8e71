// A little vanilla JavaScript: run progress polling and keyboard review. No network beyond this server.
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
          document.getElementById("state").textContent = s.state;
          document.getElementById("step").textContent = s.step || "";
          document.getElementById("progress").value = s.progress;
          if (s.state === "done" || s.state === "failed") { window.location.reload(); }
          else { setTimeout(poll, 500); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 300);
  }

  // Review from the keyboard: j/k move, s same, d different, u unsure.
  var list = document.getElementById("pairs");
  if (list) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li.pair"));
    var pos = 0;
    var message = document.getElementById("review-message");
    var move = function (to) {
      if (!items.length) { return; }
      items[pos].classList.remove("current");
      pos = Math.max(0, Math.min(items.length - 1, to));
      items[pos].classList.add("current");
      items[pos].focus();
      items[pos].scrollIntoView({block: "nearest"});
    };
    var judge = function (judgement) {
      var li = items[pos];
      fetch("/monitor/review", {
        method: "POST", credentials: "same-origin",
        headers: {"content-type": "application/json", "x-csrf-token": csrf, accept: "application/json"},
        body: JSON.stringify({left_id: li.dataset.left, right_id: li.dataset.right, judgement: judgement})
      }).then(function (r) {
        return r.json().then(function (body) { return {ok: r.ok, body: body}; });
      }).then(function (res) {
        if (!res.ok) { message.textContent = res.body.error + (res.body.details.length ? ": " + res.body.details.join("; ") : ""); return; }
        li.dataset.judgement = judgement;
        li.querySelector(".judgement").textContent = judgement;
        message.textContent = "recorded: " + li.dataset.left + " ~ " + li.dataset.right + " = " + judgement;
        move(pos + 1);
      });
    };
    document.addEventListener("keydown", function (e) {
      if (e.target && /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) { return; }
      if (e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (e.key === "j") { move(pos + 1); }
      else if (e.key === "k") { move(pos - 1); }
      else if (e.key === "s") { judge("same"); }
      else if (e.key === "d") { judge("different"); }
      else if (e.key === "u") { judge("unsure"); }
    });
  }
})();

// A decision letter: the print button (no inline scripts under the Content-Security-Policy).
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
