// Sounding: small enhancements on top of pages that work without
// JavaScript. The response page saves an issue in place (no reload, the
// card refreshed from the server's own page) and has keyboard shortcuts.
(function () {
  "use strict";
  var cards = function () {
    return Array.prototype.slice.call(document.querySelectorAll("section.issue-card"));
  };
  if (!cards().length) return;

  // Saving one issue: post it as the form would, then put the card the
  // server sends back in place of this one. Anything but a plain success
  // (a refused form, a conflict) is left to the normal, reloading submit,
  // which shows the errors with everything typed.
  function saveInPlace(form, card) {
    var body = new URLSearchParams(new FormData(form));
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }).then(function (response) {
      if (!response.ok || response.url.indexOf("done=saved") === -1) throw new Error("not saved");
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(card.id);
      if (!fresh) throw new Error("no card");
      card.replaceWith(fresh);
      var status = document.createElement("p");
      status.className = "body saved-status";
      status.setAttribute("role", "status");
      status.textContent = "Saved.";
      var button = fresh.querySelector("form button.button");
      if (button) button.insertAdjacentElement("afterend", status);
      enhance(fresh);
      fresh.scrollIntoView({ block: "nearest" });
    });
  }

  function enhance(card) {
    var form = card.querySelector("form[action*='/issues/']:not([action$='/split'])");
    if (!form || form.dataset.inPlace) return;
    form.dataset.inPlace = "yes";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saveInPlace(form, card).catch(function () {
        form.submit();
      });
    });
    // Ctrl+Enter (or Cmd+Enter) in a field of the card saves it.
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }
  cards().forEach(enhance);

  // j / k: the next / previous issue, when not typing in a field.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key !== "j" && event.key !== "k") return;
    var all = cards();
    var current = all.findIndex(function (card) {
      return card.contains(document.activeElement);
    });
    var next = event.key === "j" ? current + 1 : Math.max(current - 1, 0);
    var card = all[Math.min(next, all.length - 1)];
    var heading = card && card.querySelector("h3");
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    event.preventDefault();
  });
  var help = document.getElementById("shortcuts");
  if (help) help.hidden = false;
})();
