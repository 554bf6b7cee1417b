// The proveedor's and dispensador's forms (no framework, no CDN).
// Facturación: cuota moderadora and copago are mutually exclusive (typing one clears the
// other) and the total is shown live with supply.services.invoice_total's formula:
//   round_half_up(units × unit value, 2) − cuota moderadora − copago
// computed in integer cents (BigInt) so it matches the server's Decimal arithmetic.
// Entrega: the cause is shown only for a partial delivery.
(function () {
  "use strict";

  // "12.5" at scale 3 → 12500n; empty → 0n; anything the server would refuse → null.
  function scaled(text, scale) {
    text = (text || "").trim();
    if (text === "") return 0n;
    var match = /^(\d+)(?:\.(\d*))?$/.exec(text);
    if (!match) return null;
    var fraction = match[2] || "";
    if (fraction.length > scale) return null;
    return BigInt(match[1] + fraction.padEnd(scale, "0"));
  }

  function money(cents) {
    var negative = cents < 0n;
    var digits = (negative ? -cents : cents).toString().padStart(3, "0");
    return (negative ? "-" : "") + digits.slice(0, -2) + "." + digits.slice(-2);
  }

  function invoiceTotal(units, unitValue, cuota, copago) {
    var gross = units * unitValue; // scale 3 × scale 2 = scale 5
    var cents = (gross + 500n) / 1000n; // half up (gross is never negative)
    return cents - cuota - copago;
  }

  function setupInvoice(form) {
    var field = function (name) {
      return form.querySelector('[data-invoice="' + name + '"]');
    };
    var units = field("units");
    var unitValue = field("unit_value");
    var cuota = field("cuota_moderadora");
    var copago = field("copago");
    var total = field("total");
    if (!units || !unitValue || !cuota || !copago || !total) return;

    function update() {
      var values = [
        scaled(units.value, 3),
        scaled(unitValue.value, 2),
        scaled(cuota.value, 2),
        scaled(copago.value, 2),
      ];
      if (values.indexOf(null) !== -1 || units.value.trim() === "" || unitValue.value.trim() === "") {
        total.value = "";
        return;
      }
      total.value = money(invoiceTotal(values[0], values[1], values[2], values[3]));
    }

    function exclusive(typed, other) {
      typed.addEventListener("input", function () {
        if (typed.value.trim() !== "" && scaled(typed.value, 2) !== 0n) other.value = "";
        update();
      });
    }

    exclusive(cuota, copago);
    exclusive(copago, cuota);
    units.addEventListener("input", update);
    unitValue.addEventListener("input", update);
    update();
  }

  function setupEntrega(form) {
    var cause = form.querySelector('[data-entrega="cause"]');
    var radios = form.querySelectorAll('input[name="total"]');
    if (!cause || !radios.length) return;
    function update() {
      var partial = false;
      radios.forEach(function (radio) {
        if (radio.checked && radio.value === "0") partial = true;
      });
      cause.hidden = !partial;
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  document.querySelectorAll("[data-invoice-form]").forEach(setupInvoice);
  document.querySelectorAll("[data-entrega-form]").forEach(setupEntrega);
})();
