// The payer's supply forms (templates/supply/payer/*.html), without dependencies:
// - direccionamiento: add and remove delivery rows without losing what was typed, the
//   running sum, and the monthly schedule of a sucesiva line (equal quantities, the
//   remainder on the last, FecMaxEnt a month apart, the next free NoEntrega numbers);
// - causes 1 and 15: show the associated prescription's fields only for them;
// - suministro: the cause only for an incomplete delivery; datos facturados: the
//   comparator's or the homologue's fields by CompAdm.
// The server validates everything again: this only saves typing.
(function () {
  "use strict";

  function setVisible(element, visible) {
    if (element) element.hidden = !visible;
  }

  // --- Delivery schedule ------------------------------------------------------------
  const form = document.getElementById("direct-form");
  if (form) {
    const body = form.querySelector("#delivery-rows tbody");
    const template = document.getElementById("delivery-row-template");
    const total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    const initial = form.querySelector('input[name$="-INITIAL_FORMS"]');
    const prefix = total.name.replace(/-TOTAL_FORMS$/, "");
    const taken = (form.dataset.taken || "").split(",").filter(Boolean).map(Number);
    const remaining = form.dataset.remaining || "0";
    // Every row counts as new: a row the user removes must not be required back.
    initial.value = "0";

    const rows = () => Array.from(body.querySelectorAll("tr.delivery-row"));
    const input = (row, name) => row.querySelector(`[data-field="${name}"]`);

    function renumber() {
      const pattern = new RegExp(`^${prefix}-(\\d+|__prefix__)-`);
      rows().forEach((row, index) => {
        row.querySelectorAll("input").forEach((field) => {
          field.name = field.name.replace(pattern, `${prefix}-${index}-`);
          field.id = field.id.replace(new RegExp(`^id_${prefix}-(\\d+|__prefix__)-`), `id_${prefix}-${index}-`);
        });
      });
      total.value = String(rows().length);
      updateSum();
    }

    function decimals(text) {
      const parts = String(text).split(".");
      return parts.length > 1 ? parts[1].length : 0;
    }

    function updateSum() {
      const cell = document.getElementById("delivery-sum");
      if (!cell) return;
      let sum = 0;
      let places = 0;
      rows().forEach((row) => {
        const value = input(row, "quantity").value.replace(",", ".");
        if (value && !Number.isNaN(Number(value))) {
          sum += Number(value);
          places = Math.max(places, decimals(value));
        }
      });
      cell.textContent = `${sum.toFixed(Math.min(places, 3))} / ${remaining}`;
    }

    function usedNumbers() {
      const used = new Set(taken);
      rows().forEach((row) => {
        const value = Number(input(row, "delivery_number").value);
        if (value) used.add(value);
      });
      return used;
    }

    function freeNumbers(count, used) {
      const numbers = [];
      for (let candidate = 1; numbers.length < count && candidate < 1000; candidate += 1) {
        if (!used.has(candidate)) numbers.push(candidate);
      }
      return numbers;
    }

    function addRow(values) {
      const fragment = template.content.cloneNode(true);
      body.appendChild(fragment);
      const row = rows()[rows().length - 1];
      row.querySelectorAll(".is-invalid").forEach((el) => el.classList.remove("is-invalid"));
      row.querySelectorAll(".invalid-feedback").forEach((el) => el.remove());
      Object.entries(values || {}).forEach(([name, value]) => {
        input(row, name).value = value;
      });
      renumber();
      return row;
    }

    function isoDate(date) {
      const month = String(date.getMonth() + 1).padStart(2, "0");
      const day = String(date.getDate()).padStart(2, "0");
      return `${date.getFullYear()}-${month}-${day}`;
    }

    function addMonths(start, months) {
      const target = new Date(start.getFullYear(), start.getMonth() + months, 1);
      const last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
      target.setDate(Math.min(start.getDate(), last));
      return target;
    }

    function generate() {
      const count = Math.max(1, Math.min(120, Number(document.getElementById("schedule-count").value) || 1));
      const startField = document.getElementById("schedule-start");
      let start = startField.value ? new Date(`${startField.value}T00:00:00`) : new Date();
      if (!startField.value) start.setDate(start.getDate() + 30);
      // Integer arithmetic on the smallest unit typed (up to thousandths).
      const scale = 10 ** Math.min(decimals(remaining), 3);
      const units = Math.round(Number(remaining) * scale);
      const each = Math.floor(units / count);
      const numbers = freeNumbers(count, new Set(taken));
      rows().forEach((row) => row.remove());
      for (let index = 0; index < count; index += 1) {
        const amount = index === count - 1 ? units - each * (count - 1) : each;
        addRow({
          delivery_number: String(numbers[index]),
          sub_number: "0",
          quantity: String(amount / scale),
          max_delivery_date: isoDate(addMonths(start, index)),
        });
      }
    }

    form.addEventListener("click", (event) => {
      if (event.target.closest("[data-remove-row]")) {
        event.target.closest("tr.delivery-row").remove();
        renumber();
      } else if (event.target.closest("[data-add-row]")) {
        const [number] = freeNumbers(1, usedNumbers());
        addRow({ delivery_number: String(number), sub_number: "0" });
      } else if (event.target.closest("[data-generate-schedule]")) {
        generate();
      }
    });
    form.addEventListener("input", (event) => {
      if (event.target.matches('[data-field="quantity"]')) updateSum();
    });
    updateSum();
  }

  // --- Causes that name an associated prescription ----------------------------------
  document.querySelectorAll("select[data-cause-select]").forEach((select) => {
    const container = select.form.querySelector("[data-associated-fields]");
    const sync = () => {
      const option = select.options[select.selectedIndex];
      setVisible(container, Boolean(option && option.dataset.associated));
    };
    select.addEventListener("change", sync);
    sync();
  });

  // --- Suministro: the cause only when the delivery is incomplete -------------------
  document.querySelectorAll("[data-incomplete-fields]").forEach((container) => {
    const radios = container.form
      ? container.form.querySelectorAll('input[name="complete"]')
      : container.closest("form").querySelectorAll('input[name="complete"]');
    const associated = container.closest("form").querySelector("[data-associated-fields]");
    const sync = () => {
      const checked = Array.from(radios).find((radio) => radio.checked);
      const incomplete = Boolean(checked && checked.value === "False");
      setVisible(container, incomplete);
      if (!incomplete) setVisible(associated, false);
      else container.querySelector("select").dispatchEvent(new Event("change"));
    };
    radios.forEach((radio) => radio.addEventListener("change", sync));
    sync();
  });

  // --- Datos facturados: the fields of the chosen comparator ------------------------
  const comparators = document.querySelectorAll('input[name="comparator"]');
  if (comparators.length) {
    const sync = () => {
      const checked = Array.from(comparators).find((radio) => radio.checked);
      document.querySelectorAll("[data-comparator]").forEach((fieldset) => {
        setVisible(fieldset, Boolean(checked) && fieldset.dataset.comparator === checked.value);
      });
    };
    comparators.forEach((radio) => radio.addEventListener("change", sync));
    sync();
  }
})();
