/*
 * Search-as-you-type for catalog code fields (vanilla JS, no framework): an
 * <input data-catalog="cie10"> gets a list of matches as the user types (arrows, Enter,
 * Escape, Tab), from the JSON search endpoint (prescriptions:catalog_search). The
 * prescription form sets up its fields itself (MipresCatalogSearch.setUp); any other form
 * with a data-catalog-search-url attribute (transcription, tutela) is set up on load.
 * Without JavaScript the fields stay plain text inputs that take the code.
 */
window.MipresCatalogSearch = (function () {
  "use strict";

  function debounce(fn, wait) {
    let timer;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), wait);
    };
  }

  let listCounter = 0;

  function setUp(input, searchUrl, onEnterChosen) {
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
        if (onEnterChosen && !multiple) onEnterChosen(input);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Tab" && active >= 0 && currentTerm() && results[active]) {
        // Tab accepts the highlighted entry when what was typed is not already a code.
        if (results[active].code !== currentTerm().toUpperCase()) choose(active);
      }
    });
  }

  function enhance(form) {
    const url = form.dataset.catalogSearchUrl;
    form.querySelectorAll("input[data-catalog]").forEach((input) => setUp(input, url));
  }

  document.querySelectorAll("form[data-catalog-search-url]").forEach(enhance);
  return { setUp };
})();
