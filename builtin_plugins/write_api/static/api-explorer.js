// The API explorer: GET and POST forms that call the JSON API with fetch() and show the reply.
// Links on the page fill the forms through the URL fragment: #method=POST&path=...&json=...
(function () {
  "use strict";
  const getForm = document.getElementById("api-explorer-get");
  const postForm = document.getElementById("api-explorer-post");
  const output = document.getElementById("output");
  const errorList = output.querySelector(".errors");
  const getDetails = getForm.closest("details");
  const postDetails = postForm.closest("details");

  function show(status, data) {
    output.hidden = false;
    document.getElementById("response-status").textContent = status;
    errorList.replaceChildren();
    const errors = data && Array.isArray(data.errors) ? data.errors : [];
    errors.forEach((error) => {
      const item = document.createElement("li");
      item.textContent = error;
      errorList.appendChild(item);
    });
    errorList.hidden = errors.length === 0;
    output.querySelector("pre").textContent =
      typeof data === "string" ? data : JSON.stringify(data, null, 2);
  }

  async function call(method, path, body) {
    const options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.body = body;
      options.headers["Content-Type"] = "application/json";
    }
    try {
      const response = await fetch(path, options);
      const text = await response.text();
      let data = text;
      try { data = JSON.parse(text); } catch (e) { /* not JSON: show the text */ }
      show(response.status, data);
    } catch (error) {
      show("(no response)", String(error));
    }
  }

  function remember(form, method) {
    const params = new URLSearchParams(new FormData(form));
    params.set("method", method);
    history.pushState({}, "", location.pathname + "#" + params.toString());
  }

  function fromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const method = params.get("method");
    if (method === "GET") {
      getDetails.open = true;
      getForm.elements.path.value = params.get("path") || "";
    } else if (method === "POST") {
      postDetails.open = true;
      postForm.elements.path.value = params.get("path") || "";
      postForm.elements.json.value = params.get("json") || "";
    }
  }

  getDetails.addEventListener("toggle", () => { if (getDetails.open) postDetails.open = false; });
  postDetails.addEventListener("toggle", () => { if (postDetails.open) getDetails.open = false; });

  getForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    remember(getForm, "GET");
    call("GET", getForm.elements.path.value);
  });

  postForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    remember(postForm, "POST");
    const json = postForm.elements.json.value.trim() || "{}";
    try {
      JSON.parse(json);
    } catch (error) {
      show("(not sent)", "Invalid JSON: " + error.message);
      return;
    }
    call("POST", postForm.elements.path.value, json);
  });

  document.getElementById("json-format").addEventListener("click", () => {
    const textarea = postForm.elements.json;
    const json = textarea.value.trim();
    if (!json) return;
    try {
      textarea.value = JSON.stringify(JSON.parse(json), null, 2);
    } catch (error) {
      show("(not sent)", "Invalid JSON: " + error.message);
    }
  });

  window.addEventListener("hashchange", () => {
    fromFragment();
    window.scrollTo({ top: 0, behavior: "smooth" });
  });
  if (location.hash) fromFragment();
})();
