// The review of matches: buttons and keys (s same, d different, u unsure, j/k next/previous, z undo).
// Without JavaScript the same buttons post their forms and the server answers with the next pair.
(function () {
  "use strict";
  var list = document.getElementById("pairs");
  if (!list) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var items = Array.prototype.slice.call(list.querySelectorAll("li.pair"));
  var message = document.getElementById("review-message");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var pos = Math.max(0, items.findIndex(function (li) { return li.classList.contains("current"); }));
  list.classList.add("one-at-a-time");

  var show = function (to, focus) {
    if (!items.length) { return; }
    items[pos].classList.remove("current");
    pos = Math.max(0, Math.min(items.length - 1, to));
    items[pos].classList.add("current");
    if (focus !== false) { items[pos].focus({preventScroll: true}); }
    if (window.history && history.replaceState) { history.replaceState(null, "", "?at=" + pos); }
  };
  var words = function (li, judgement) {
    var el = li.querySelector(".judgement");
    return el.dataset["words" + (judgement ? judgement.charAt(0).toUpperCase() + judgement.slice(1) : "None")] || judgement;
  };
  var setJudgement = function (li, judgement, reviewer) {
    li.dataset.judgement = judgement || "";
    li.querySelector(".judgement").textContent = words(li, judgement);
    li.querySelector(".judged-by").textContent = reviewer ? " · " + reviewer : "";
  };
  var setProgress = function (body) {
    if (typeof body.judged !== "number") { return; }
    bar.value = body.judged;
    bar.max = body.total;
    text.dataset.judged = body.judged;
    text.textContent = text.textContent.replace(/\d+(\D+)\d+\s*$/, body.judged + "$1" + body.total);
  };
  var post = function (url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"content-type": "application/json", "x-csrf-token": csrf, accept: "application/json"},
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (body) { return {ok: r.ok, body: body}; });
    });
  };
  var fail = function (body) {
    message.textContent = message.dataset.failed + ": " + body.error +
      (body.details && body.details.length ? " (" + body.details.join("; ") + ")" : "");
  };
  var nextOpen = function (from) {
    for (var i = 1; i <= items.length; i++) {
      var k = (from + i) % items.length;
      if (!items[k].dataset.judgement) { return k; }
    }
    return Math.min(from + 1, items.length - 1);
  };
  var judge = function (judgement) {
    var li = items[pos];
    if (!li.querySelector(".judge-form")) { return; }
    post("/monitor/review", {left_id: li.dataset.left, right_id: li.dataset.right, judgement: judgement})
      .then(function (res) {
        if (!res.ok) { fail(res.body); return; }
        setJudgement(li, judgement, res.body.reviewer);
        setProgress(res.body);
        message.textContent = message.dataset.recorded + ": " + li.dataset.left + " ~ " + li.dataset.right +
          " = " + words(li, judgement);
        show(nextOpen(pos));
      });
  };
  var undo = function () {
    if (!document.getElementById("undo-form")) { return; }
    post("/monitor/review/undo", {}).then(function (res) {
      if (!res.ok) { fail(res.body); return; }
      var li = items.find(function (x) { return x.dataset.left === res.body.left_id && x.dataset.right === res.body.right_id; });
      if (li) {
        setJudgement(li, res.body.judgement, res.body.reviewer);
        show(items.indexOf(li));
      }
      setProgress(res.body);
      message.textContent = message.dataset.undone + ": " + res.body.left_id + " ~ " + res.body.right_id;
    });
  };

  list.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (!button || !button.value) { return; }
    e.preventDefault();
    show(items.indexOf(button.closest("li.pair")), false);
    judge(button.value);
  });
  list.addEventListener("click", function (e) {
    var link = e.target.closest("a.prev, a.next");
    if (!link) { return; }
    e.preventDefault();
    show(pos + (link.classList.contains("next") ? 1 : -1));
  });
  var undoForm = document.getElementById("undo-form");
  if (undoForm) {
    undoForm.addEventListener("submit", function (e) { e.preventDefault(); undo(); });
  }
  document.addEventListener("keydown", function (e) {
    if (e.target && /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) { return; }
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "j") { show(pos + 1); }
    else if (e.key === "k") { show(pos - 1); }
    else if (e.key === "s") { judge("same"); }
    else if (e.key === "d") { judge("different"); }
    else if (e.key === "u") { judge("unsure"); }
    else if (e.key === "z") { undo(); }
  });
})();
