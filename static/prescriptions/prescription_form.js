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

  // Catalog search ------------------------------------------------------------------

  let listCounter = 0;

  function setUpCatalog(input) {
    if (input.dataset.ready) return;
    input.dataset.ready = "1";
    const box = input.parentElement;
    box.classList.add("position-relative");
    const list = document.createElement("ul");
    list.className = "list-group position-absolute w-100 shadow-sm catalog-results";
    list.style.zIndex = "1050";
    list.style.maxHeight = "18rem";
    list.style.overflowY = "auto";
    list.id = `catalog-results-${++listCounter}`;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    const multiple = input.dataset.multiple === "1";
    const nameBox = box.querySelector("[data-catalog-name]");
    let results = [];
    let active = -1;
    // Enter pressed while the results of what was typed are still on their way: choose the
    // first of them when they arrive (a list shown for an earlier term is never chosen from).
    let chooseOnArrival = false;
    let controller = null;

    function currentTerm() {
      if (!multiple) return input.value.trim();
      const parts = input.value.split(",");
      return parts[parts.length - 1].trim();
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = list.querySelectorAll("li");
      items.forEach((li, i) => li.classList.toggle("active", i === index));
      active = index;
      if (items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(index) {
      const entry = results[index];
      if (!entry || !entry.enabled) return;
      if (multiple) {
        const parts = input.value.split(",").map((p) => p.trim()).filter(Boolean);
        parts.pop();
        if (!parts.includes(entry.code)) parts.push(entry.code);
        input.value = parts.join(", ") + ", ";
      } else {
        input.value = entry.code;
        if (nameBox) nameBox.textContent = entry.name;
      }
      input.classList.remove("is-invalid");
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render() {
      list.innerHTML = "";
      results.forEach((entry, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.className = "list-group-item list-group-item-action py-1 small";
        if (!entry.enabled) li.classList.add("text-muted");
        const code = document.createElement("strong");
        code.textContent = entry.code;
        li.append(code, ` ${entry.name}`);
        if (entry.recent) {
          const badge = document.createElement("span");
          badge.className = "badge text-bg-info ms-1";
          badge.textContent = "reciente";
          li.append(badge);
        }
        if (!entry.enabled) li.append(" (deshabilitado)");
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(i);
        });
        list.append(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
      highlight(results.findIndex((entry) => entry.enabled));
    }

    const search = debounce(async () => {
      if (controller) controller.abort();
      controller = new AbortController();
      const term = currentTerm();
      const url = `${searchUrl.replace("CATALOG", input.dataset.catalog)}?q=${encodeURIComponent(term)}`;
      try {
        const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const found = (await response.json()).results;
        if (term !== currentTerm()) return; // typed on since: the next search answers
        results = found;
        if (document.activeElement === input) render();
        if (chooseOnArrival) {
          chooseOnArrival = false;
          if (active >= 0) choose(active);
        }
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }, 120);

    input.addEventListener("input", () => {
      if (nameBox && !multiple) nameBox.textContent = "";
      // The list on screen belongs to the previous text: hide it until the new one comes.
      results = [];
      close();
      search();
    });
    input.addEventListener("focus", () => {
      if (!input.value.trim() || multiple) search();
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
    input.addEventListener("keydown", (event) => {
      if (list.hidden) {
        if (event.key === "ArrowDown") {
          event.preventDefault();
          search();
        } else if (event.key === "Enter" && !event.ctrlKey && currentTerm() && !results.length) {
          // Typed and pressed Enter before the results came: take the first when they do.
          event.preventDefault();
          chooseOnArrival = true;
        }
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0 && !event.ctrlKey) {
        event.preventDefault();
        choose(active);
        const fields = focusables();
        const next = fields[fields.indexOf(input) + 1];
        if (next && !multiple) next.focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Tab" && active >= 0 && currentTerm() && results[active]) {
        // Tab accepts the highlighted entry when what was typed is not already a code.
        if (results[active].code !== currentTerm().toUpperCase()) choose(active);
      }
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
