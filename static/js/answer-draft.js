// Keeps a draft of the answer form in this browser, shows a character counter under comment boxes,
// and forgets the draft once the receipt page is shown. No inline script: the page CSP forbids it.
(function () {
  "use strict";

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function draftSave(form, key) {
    var store = storage();
    if (!store) return;
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name === "csrfmiddlewaretoken" || element.type === "submit") return;
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) return;
      (values[element.name] = values[element.name] || []).push(element.value);
    });
    store.setItem(key, JSON.stringify(values));
  }

  function draftRestore(form, key) {
    var store = storage();
    var saved = store && store.getItem(key);
    if (!saved) return;
    var values;
    try { values = JSON.parse(saved); } catch (error) { return; }
    Array.prototype.forEach.call(form.elements, function (element) {
      var wanted = values[element.name];
      if (!wanted) return;
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = wanted.indexOf(element.value) !== -1;
      } else if (element.tagName === "TEXTAREA" || element.tagName === "SELECT" || element.type === "text") {
        element.value = wanted[0];
      }
    });
  }

  function counterUpdate(textarea) {
    var counter = document.getElementById(textarea.id + "-count");
    if (!counter) return;
    var limit = parseInt(textarea.getAttribute("maxlength"), 10);
    var left = limit - textarea.value.length;
    counter.textContent = textarea.value.length + " of " + limit + " characters" + (left < 200 ? " (" + left + " left)" : "");
  }

  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    if (form.hasAttribute("data-draft-restore")) draftRestore(form, key);
    form.addEventListener("input", function () { draftSave(form, key); });
    form.addEventListener("change", function () { draftSave(form, key); });
  });

  document.querySelectorAll("textarea[data-counter]").forEach(function (textarea) {
    counterUpdate(textarea);
    textarea.addEventListener("input", function () { counterUpdate(textarea); });
  });

  document.querySelectorAll("[data-draft-clear]").forEach(function (element) {
    var store = storage();
    if (store) store.removeItem(element.getAttribute("data-draft-clear"));
  });
})();
