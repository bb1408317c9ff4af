// Saves each answer as it is chosen, so nothing is lost if the page is closed. Without this
// script the page still works: "Save and continue" saves every answer on the page.
const form = document.getElementById("answers-form");
const status = document.getElementById("autosave-status");
const progress = document.getElementById("progress-count");

const SAVED = "Saved";
const NOT_SAVED = "Not saved – your answer will be saved when you continue";

function itemData(item) {
  const data = new FormData();
  data.append("item", item.dataset.itemKey);
  for (const field of item.querySelectorAll("input, textarea")) {
    if (!field.name || ((field.type === "radio" || field.type === "checkbox") && !field.checked)) {
      continue;
    }
    data.append(field.name, field.value);
  }
  // Unticking every box still sends the question, so the choice is cleared.
  for (const box of item.querySelectorAll("input[type=checkbox]")) {
    if (!data.has(box.name)) {
      data.append(box.name, "");
    }
  }
  return data;
}

async function save(item) {
  const token = form.querySelector("input[name=csrf_token]").value;
  try {
    const response = await fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: itemData(item),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token },
    });
    const reply = await response.json();
    status.textContent = reply.saved ? SAVED : NOT_SAVED;
    if (progress && typeof reply.answered === "number") {
      progress.textContent = `You have answered ${reply.answered} of ${reply.total}.`;
    }
  } catch {
    status.textContent = NOT_SAVED;
  }
}

if (form && status && window.fetch && window.FormData) {
  form.addEventListener("change", (event) => {
    const item = event.target.closest("[data-item-key]");
    if (item) {
      save(item);
    }
  });
}
