// Boxes shown only for some values of another field (the forms work without this): a box
// with data-show-for="<field name>" and data-show-values="<value> <value>…" is hidden unless
// that field (a select or a group of radio buttons) has one of those values.
(function () {
  document.querySelectorAll("[data-show-for]").forEach((box) => {
    const scope = box.closest("form") || document;
    const controls = scope.querySelectorAll(`[name="${box.dataset.showFor}"]`);
    const values = (box.dataset.showValues || "").split(" ");
    function current() {
      for (const control of controls) {
        if (control.type !== "radio" && control.type !== "checkbox") return control.value;
        if (control.checked) return control.value;
      }
      return "";
    }
    function sync() {
      box.hidden = !values.includes(current());
    }
    controls.forEach((control) => control.addEventListener("change", sync));
    sync();
  });
})();
