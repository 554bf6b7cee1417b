/*
 * The prescription form, made fast with the keyboard (vanilla JS, no framework).
 *
 * Everything here is an enhancement: without JavaScript the «Agregar…», «Quitar»,
 * «+ Otro principio activo» and «Buscar paciente» buttons submit the form and the server
 * re-renders it with what was typed. With it they act in place:
 * - lines are cloned from <template id="line-template-X"> and renumbered on removal;
 * - code fields (data-catalog) search the catalog as you type (arrows, Enter, Escape);
 * - the patient panel follows the document typed;
 * - the suggested total (dose or quantity per use × times per duration) is shown, and
 *   filled in for procedures, devices and services until the prescriber types one;
 * - Enter moves to the next field, Ctrl+Enter issues the prescription.
 */
(function () {
  "use strict";

  const form = document.getElementById("prescription-form");
  if (!form) return;

  const PREFIX = "lines";
  const linesBox = form.querySelector("[data-lines]");
  const totalForms = form.querySelector(`input[name="${PREFIX}-TOTAL_FORMS"]`);
  const searchUrl = form.dataset.searchUrl;
  const patientUrl = form.dataset.patientUrl;
  const MINUTES = { 1: 1, 2: 60, 3: 1440, 4: 10080, 5: 43200, 6: 525600 };

  function debounce(fn, wait) {
    let timer;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), wait);
    };
  }

  function lineRows() {
    return Array.from(linesBox.querySelectorAll(":scope > [data-line]"));
  }

  function focusFirstField(container) {
    const field = container.querySelector(
      "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea"
    );
    if (field) field.focus();
  }

  // Lines ------------------------------------------------------------------------------

  const LINE_ATTRS = ["name", "id", "for", "aria-describedby", "aria-controls"];

  function renumber() {
    lineRows().forEach((row, index) => {
      row.querySelectorAll("*").forEach((el) => {
        LINE_ATTRS.forEach((attr) => {
          const value = el.getAttribute(attr);
          if (value && value.includes(`${PREFIX}-`)) {
            el.setAttribute(attr, value.replace(new RegExp(`${PREFIX}-(\\d+|__prefix__)-`, "g"), `${PREFIX}-${index}-`));
          }
        });
        if (el.matches("[data-remove-line], [data-add-ingredient]")) el.value = String(index);
      });
      const number = row.querySelector("[data-line-number]");
      if (number) number.textContent = `#${index + 1}`;
    });
    totalForms.value = String(lineRows().length);
  }

  function addLine(type) {
    const template = document.getElementById(`line-template-${type}`);
    if (!template) return;
    const index = lineRows().length;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    linesBox.insertAdjacentHTML("beforeend", html);
    const row = lineRows()[index];
    renumber();
    setUpRow(row);
    row.scrollIntoView({ block: "nearest" });
    focusFirstField(row);
  }

  function removeLine(row) {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber();
    if (next) focusFirstField(next);
  }

  function addIngredient(row) {
    const hidden = row.querySelector("[data-ingredient][hidden]");
    const count = row.querySelector('input[name$="-ingredient_count"]');
    if (!hidden) return;
    hidden.hidden = false;
    if (count) count.value = String(row.querySelectorAll("[data-ingredient]:not([hidden])").length);
    focusFirstField(hidden);
    if (!row.querySelector("[data-ingredient][hidden]")) {
      row.querySelector("[data-add-ingredient]").hidden = true;
    }
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !form.contains(button)) return;
    if (button.matches("[data-add-line]")) {
      event.preventDefault();
      addLine(button.dataset.addLine);
    } else if (button.matches("[data-remove-line]")) {
      event.preventDefault();
      removeLine(button.closest("[data-line]"));
    } else if (button.matches("[data-add-ingredient]")) {
      event.preventDefault();
      addIngredient(button.closest("[data-line]"));
    } else if (button.matches("[data-find-patient]")) {
      event.preventDefault();
      refreshPatient();
    }
  });

  // Alt+<letter> adds a line. Without JavaScript the buttons' accesskey does it; here the
  // script takes over (and drops the accesskey, so a line is never added twice).
  const shortcuts = {};
  form.querySelectorAll("[data-add-line][accesskey]").forEach((button) => {
    shortcuts[`Key${button.getAttribute("accesskey").toUpperCase()}`] = button.dataset.addLine;
    button.removeAttribute("accesskey");
  });
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const type = shortcuts[event.code];
    if (type) {
      event.preventDefault();
      addLine(type);
    }
  });

  // Keyboard: Enter moves on, Ctrl+Enter issues ------------------------------------

  function focusables() {
    return Array.from(
      form.querySelectorAll("input:not([type=hidden]), select, textarea, button")
    ).filter((el) => !el.disabled && el.offsetParent !== null);
  }

  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    const target = event.target;
    if ((event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("[data-issue]"));
      return;
    }
    if (event.defaultPrevented || target.tagName === "TEXTAREA" || target.tagName === "BUTTON") {
      return;
    }
    event.preventDefault();
    const fields = focusables();
    const next = fields[fields.indexOf(target) + 1];
    if (next) next.focus();
  });

  // Catalog search (static/prescriptions/catalog_search.js) ---------------------------

  function setUpCatalog(input) {
    window.MipresCatalogSearch.setUp(input, searchUrl, (chosen) => {
      const fields = focusables();
      const next = fields[fields.indexOf(chosen) + 1];
      if (next) next.focus();
    });
  }

  // Suggested total -----------------------------------------------------------------

  function numberIn(row, suffix) {
    const el = row.querySelector(`[name$="-${suffix}"]`);
    if (!el || el.value === "") return null;
    const value = parseFloat(el.value.replace(",", "."));
    return Number.isFinite(value) ? value : null;
  }

  function optionText(row, suffix) {
    const el = row.querySelector(`select[name$="-${suffix}"]`);
    if (!el || !el.value) return "";
    return el.options[el.selectedIndex].text.split(" – ")[0];
  }

  function administrations(row) {
    const frequencyUnit = numberIn(row, "frequency_unit");
    const every = numberIn(row, "frequency_every");
    const durationUnit = numberIn(row, "duration_unit");
    const duration = numberIn(row, "duration_amount");
    if (frequencyUnit === 8) return 1;
    if (!MINUTES[frequencyUnit] || !MINUTES[durationUnit] || !every || !duration) return null;
    return Math.floor((duration * MINUTES[durationUnit]) / (every * MINUTES[frequencyUnit]));
  }

  function suggest(row) {
    const hint = row.querySelector("[data-suggestion]");
    const total = row.querySelector('[name$="-total_quantity"]');
    if (!hint || !total) return;
    const times = administrations(row);
    const type = row.dataset.type;
    hint.textContent = "";
    if (!times) return;
    if (type === "M" || type === "N") {
      const dose = numberIn(row, "dose");
      if (!dose) return;
      const unit = optionText(row, "dose_unit");
      hint.textContent = `${times} administraciones × ${dose} ${unit} = ${+(times * dose).toFixed(3)} ${unit}`;
    } else {
      const perUse = numberIn(row, "quantity_per_use");
      if (!perUse) return;
      const value = +(times * perUse).toFixed(3);
      hint.textContent = `Sugerido: ${times} × ${perUse} = ${value}`;
      if (!total.dataset.typed) total.value = String(value);
    }
  }

  function setUpRow(row) {
    row.querySelectorAll("input[data-catalog]").forEach(setUpCatalog);
    const total = row.querySelector('[name$="-total_quantity"]');
    if (total) {
      if (total.value) total.dataset.typed = "1";
      total.addEventListener("input", () => {
        total.dataset.typed = total.value ? "1" : "";
      });
    }
    row.addEventListener("input", () => suggest(row));
    row.addEventListener("change", (event) => {
      if (event.target.matches('[name$="-medicine_type"]')) {
        const unirs = row.querySelector("[data-unirs]");
        if (unirs) unirs.hidden = event.target.value !== "7";
      }
      suggest(row);
    });
    suggest(row);
  }

  // Patient panel -------------------------------------------------------------------

  const documentType = form.querySelector('[name="document_type"]');
  const documentNumber = form.querySelector('[name="document_number"]');
  const newbornOrder = form.querySelector('[name="newborn_order"]');
  const newbornBox = form.querySelector("[data-newborn]");
  const panel = document.getElementById("patient-panel");
  let lastQuery = "";

  async function refreshPatient() {
    const number = documentNumber.value.trim();
    if (!number) {
      panel.innerHTML = "";
      lastQuery = "";
      return;
    }
    const params = new URLSearchParams({
      document_type: documentType.value,
      document_number: number,
      newborn_order: newbornOrder ? newbornOrder.value : "",
    });
    if (params.toString() === lastQuery) return;
    lastQuery = params.toString();
    try {
      const response = await fetch(`${patientUrl}?${params}`, { headers: { Accept: "text/html" } });
      if (response.ok) panel.innerHTML = await response.text();
    } catch (error) {
      lastQuery = "";
    }
  }

  function toggleNewborn() {
    if (newbornBox) newbornBox.hidden = documentType.value !== "MS";
  }

  documentType.addEventListener("change", () => {
    toggleNewborn();
    refreshPatient();
  });
  documentNumber.addEventListener("input", debounce(refreshPatient, 400));
  documentNumber.addEventListener("change", refreshPatient);
  if (newbornOrder) newbornOrder.addEventListener("change", refreshPatient);

  // Start ---------------------------------------------------------------------------

  form.querySelectorAll(":scope input[data-catalog]").forEach((input) => {
    if (!input.closest("[data-line]")) setUpCatalog(input);
  });
  lineRows().forEach(setUpRow);
  renumber();
  const firstError = form.querySelector(".is-invalid");
  if (firstError) {
    firstError.focus();
  } else if (form.hasAttribute("data-focus-last-line") && lineRows().length) {
    focusFirstField(lineRows()[lineRows().length - 1]);
  } else if (!documentNumber.value) {
    documentNumber.focus();
  }
})();
