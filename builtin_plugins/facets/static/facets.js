/* "Facet by this" in the column actions menu of table pages (datasetteManager plugin API). */
(function () {
  "use strict";
  window.DATASETTE_ALLOW_FACET = true;
  document.addEventListener("datasette_init", function (ev) {
    ev.detail.registerPlugin("facets", {
      version: 0.1,
      makeColumnActions: function (columnMeta) {
        var column = columnMeta.columnName;
        if (!column || columnMeta.isPk || column === "rowid") { return []; }
        var url = new URL(window.location.href);
        if (url.searchParams.getAll("_facet").indexOf(column) !== -1) { return []; }
        url.searchParams.delete("_next");
        url.searchParams.append("_facet", column);
        return [{ label: "Facet by this", href: url.pathname + url.search }];
      }
    });
  });
})();
