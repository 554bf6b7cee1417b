// Each worklist cell gets its column's heading as data-label, shown before it on a phone
// (static/mipres/site.css, issue 17 §21).
document.querySelectorAll("table.worklist").forEach((table) => {
  const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  table.querySelectorAll("tbody tr").forEach((row) => {
    let column = 0;
    [...row.cells].forEach((cell) => {
      if (cell.colSpan === 1 && headings[column]) cell.dataset.label = headings[column];
      column += cell.colSpan;
    });
  });
});
