// Behaviour that needs script, kept out of the pages (CSP script-src 'self').

// The menu button (below 1024 px): opens and closes the sidebar; Escape or a click outside closes it.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-menu-toggle]");
  const open = document.body.classList.contains("menu-open");
  if (toggle) {
    document.body.classList.toggle("menu-open", !open);
    toggle.setAttribute("aria-expanded", String(!open));
  } else if (open && !event.target.closest("#sidebar")) {
    document.body.classList.remove("menu-open");
    document.querySelector("[data-menu-toggle]")?.setAttribute("aria-expanded", "false");
  }
});
// A wide table scrolls inside its own box, never the page: every table of the page (and of what
// htmx swaps in) is wrapped in a .table-scroll box unless a template did so already.
function wrapTables(root) {
  root.querySelectorAll(".page table").forEach((table) => {
    if (table.parentElement.classList.contains("table-scroll")) return;
    const box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
}
document.addEventListener("DOMContentLoaded", () => wrapTables(document));
document.addEventListener("htmx:afterSettle", () => wrapTables(document));

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.classList.contains("menu-open")) {
    document.body.classList.remove("menu-open");
    const toggle = document.querySelector("[data-menu-toggle]");
    toggle?.setAttribute("aria-expanded", "false");
    toggle?.focus();
  }
});
document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
  }
});

// Drag-and-drop ordering: a <tbody data-sortable="FORM-ID"> whose rows carry data-sort-id. Dragging
// a row moves it; dropping posts the whole new order to the named form as repeated "order" fields
// (the form carries the CSRF token). The ↑ ↓ buttons next to each row do the same without a mouse.
let draggedRow = null;
document.addEventListener("dragstart", (event) => {
  const row = event.target.closest && event.target.closest("[data-sortable] > [data-sort-id]");
  if (!row) return;
  draggedRow = row;
  row.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", row.dataset.sortId);
});
document.addEventListener("dragover", (event) => {
  const row = draggedRow && event.target.closest && event.target.closest("[data-sort-id]");
  if (!row || row.parentNode !== draggedRow.parentNode) return;
  event.preventDefault();
  if (row === draggedRow) return;
  const box = row.getBoundingClientRect();
  const after = event.clientY > box.top + box.height / 2;
  row.parentNode.insertBefore(draggedRow, after ? row.nextSibling : row);
});
document.addEventListener("drop", (event) => {
  if (!draggedRow) return;
  event.preventDefault();
  const body = draggedRow.parentNode;
  const form = document.getElementById(body.dataset.sortable);
  draggedRow.classList.remove("dragging");
  draggedRow = null;
  if (!form) return;
  form.querySelectorAll("input[name=order]").forEach((input) => input.remove());
  body.querySelectorAll(":scope > [data-sort-id]").forEach((row) => {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "order";
    input.value = row.dataset.sortId;
    form.appendChild(input);
  });
  form.submit();
});
document.addEventListener("dragend", () => {
  if (draggedRow) window.location.reload(); // dropped outside the table: show the saved order again
  draggedRow = null;
});
