/* The product form's legs/ports and fibre-map tables: add rows, preview the map.
   The preview is HTML rendered (and escaped) by the server from the unsaved form. */
(function () {
  "use strict";

  function addRow(prefix) {
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    var template = document.querySelector('[data-formset-template="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!body || !template || !total) { return null; }
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    var number = row.querySelector(".fibermap-number");
    if (number) { number.textContent = String(index + 1); }
    body.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input, select");
    if (first) { first.focus(); }
    return row;
  }

  var timer = null;

  function preview() {
    var button = document.getElementById("fibermap-preview-button");
    var target = document.getElementById("fibermap-preview");
    if (!button || !target) { return; }
    var form = button.closest("form");
    target.classList.add("loading");
    fetch(button.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      target.innerHTML = html;
      target.classList.remove("loading");
      target.setAttribute("data-previewed", "1");
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(preview, 400);
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.getAttribute("data-add-row"));
      return;
    }
    if (event.target.closest("#fibermap-preview-button")) {
      event.preventDefault();
      preview();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.closest("#map-editor, #faces-editor, [name=map_rule], [name=polarity]")) {
      schedule();
    }
  });
})();
