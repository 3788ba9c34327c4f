/* Column actions for Datasette table pages: a menu on each sortable header with
   "Sort ascending", "Sort descending", "Hide this column" and "Show all columns".
   Plugins add items through window.datasetteManager (upstream-compatible subset):
     document.addEventListener("datasette_init", (ev) => ev.detail.registerPlugin("name", {
       version: 0.1, makeColumnActions: (columnMeta) => [{label, href | onClick}],
       makeAboveTablePanelConfigs: () => [{id, label, render: (node) => {...}}]
     }));
*/
(function () {
  "use strict";

  var plugins = new Map();
  var manager = window.datasetteManager || {
    VERSION: "table_views",
    plugins: plugins,
    registerPlugin: function (name, plugin) { plugins.set(name, plugin); },
    makeColumnActions: function (columnMeta) {
      var items = [];
      plugins.forEach(function (plugin) {
        if (plugin.makeColumnActions) { items = items.concat(plugin.makeColumnActions(columnMeta) || []); }
      });
      return items;
    },
  };
  window.datasetteManager = manager;

  function urlWith(changes) {
    var url = new URL(window.location.href);
    url.searchParams.delete("_next");
    Object.keys(changes).forEach(function (key) {
      var value = changes[key];
      if (value === null) { url.searchParams.delete(key); }
      else if (Array.isArray(value)) { value.forEach(function (v) { url.searchParams.append(key, v); }); }
      else { url.searchParams.set(key, value); }
    });
    return url.pathname + url.search;
  }

  function visibleColumns() {
    return Array.from(document.querySelectorAll("table.rows-and-columns thead th"))
      .map(function (th) { return th.dataset.column; })
      .filter(function (name) { return name && name !== "Link"; });
  }

  function hideHref(column) {
    var url = new URL(window.location.href);
    url.searchParams.delete("_next");
    if (url.searchParams.getAll("_col").length) {
      url.searchParams.delete("_col");
      visibleColumns().filter(function (c) { return c !== column && c !== "rowid"; })
        .forEach(function (c) { url.searchParams.append("_col", c); });
    } else {
      url.searchParams.append("_nocol", column);
    }
    return url.pathname + url.search;
  }

  function actionsFor(th) {
    var column = th.dataset.column;
    var meta = { columnName: column, columnType: th.dataset.columnType,
                 isPk: th.dataset.isPk === "1", notNull: th.dataset.columnNotNull === "1" };
    var items = [];
    if (th.querySelector("a")) {
      items.push({ label: "Sort ascending", href: urlWith({ _sort: column, _sort_desc: null }) });
      items.push({ label: "Sort descending", href: urlWith({ _sort_desc: column, _sort: null }) });
    }
    if (!meta.isPk) {
      items.push({ label: "Hide this column", href: hideHref(column) });
    }
    if (window.location.search.match(/[?&]_(no)?col=/)) {
      items.push({ label: "Show all columns", href: urlWith({ _col: null, _nocol: null }) });
    }
    return items.concat(manager.makeColumnActions ? manager.makeColumnActions(meta) : []);
  }

  function closeMenus() {
    document.querySelectorAll(".column-actions-menu").forEach(function (menu) { menu.remove(); });
  }

  function openMenu(th, button) {
    closeMenus();
    var menu = document.createElement("ul");
    menu.className = "column-actions-menu";
    actionsFor(th).forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.textContent = item.label;
      a.href = item.href || "#";
      if (item.onClick) {
        a.addEventListener("click", function (ev) { ev.preventDefault(); closeMenus(); item.onClick(ev); });
      }
      li.appendChild(a);
      menu.appendChild(li);
    });
    var rect = button.getBoundingClientRect();
    menu.style.left = (rect.left + window.scrollX) + "px";
    menu.style.top = (rect.bottom + window.scrollY) + "px";
    document.body.appendChild(menu);
  }

  function init() {
    document.dispatchEvent(new CustomEvent("datasette_init", { detail: manager }));
    document.querySelectorAll("table.rows-and-columns thead th").forEach(function (th) {
      if (!th.dataset.column || th.dataset.column === "Link") { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "column-actions-button";
      button.setAttribute("aria-label", "Column actions for " + th.dataset.column);
      button.textContent = "\u2699";
      button.addEventListener("click", function (ev) { ev.stopPropagation(); openMenu(th, button); });
      th.appendChild(button);
    });
    document.addEventListener("click", closeMenus);
    var panel = document.querySelector(".above-table-panel");
    if (panel) {
      plugins.forEach(function (plugin) {
        (plugin.makeAboveTablePanelConfigs ? plugin.makeAboveTablePanelConfigs() : []).forEach(function (cfg) {
          var node = document.createElement("div");
          node.id = cfg.id || "";
          panel.appendChild(node);
          cfg.render(node);
        });
      });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
