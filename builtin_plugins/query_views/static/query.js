/* The query page's SQL editor: CodeMirror 5 with SQLite highlighting and schema
   autocompletion (Ctrl-Space, or after typing a "."), Shift-Enter to run, and the
   "Format SQL" button (sql-formatter). Every piece degrades to the plain form. */
document.addEventListener("DOMContentLoaded", () => {
  const sqlFormat = document.querySelector("button#sql-format");
  const readOnly = document.querySelector("pre#sql-query");
  const sqlInput = document.querySelector("textarea#sql-editor");
  const schemaElement = document.getElementById("query-schema");
  const schema = schemaElement ? JSON.parse(schemaElement.textContent) : {};
  const formatter = window.sqlFormatter;
  let editor = null;

  if (sqlInput && window.CodeMirror) {
    const run = (cm) => {
      cm.save();
      sqlInput.form.submit();
    };
    editor = window.editor = CodeMirror.fromTextArea(sqlInput, {
      mode: "text/x-sqlite",
      lineNumbers: true,
      lineWrapping: true,
      viewportMargin: Infinity,
      extraKeys: {
        "Shift-Enter": run,
        "Ctrl-Enter": run,
        "Cmd-Enter": run,
        "Ctrl-Space": "autocomplete",
        Tab: false,
        "Shift-Tab": false,
      },
      hintOptions: { tables: schema, completeSingle: false },
    });
    editor.on("inputRead", (cm, change) => {
      if (change.text.length === 1 && change.text[0] === ".") {
        cm.showHint();
      }
    });
  }

  if (!sqlFormat || !formatter) {
    return;
  }
  if (editor) {
    sqlFormat.hidden = false;
    sqlFormat.addEventListener("click", () => {
      editor.setValue(formatter.format(editor.getValue()));
    });
  } else if (sqlInput) {
    sqlFormat.hidden = false;
    sqlFormat.addEventListener("click", () => {
      sqlInput.value = formatter.format(sqlInput.value);
    });
  } else if (readOnly) {
    const formatted = formatter.format(readOnly.textContent);
    if (formatted !== readOnly.textContent) {
      sqlFormat.hidden = false;
      sqlFormat.addEventListener("click", () => {
        readOnly.textContent = formatted;
      });
    }
  }
});
