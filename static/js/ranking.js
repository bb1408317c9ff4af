// A ranking round's "Your top N" list. Without this script the page still works: the
// participant types a position in each chosen question's box. With it, "Add to my list",
// "Move up", "Move down" and "Remove" buttons build the list, and every change is written
// back into the same boxes, so the same form is sent. Changes are announced for screen
// readers in the status region.
const form = document.getElementById("ranking-form");
const panel = document.getElementById("ranking-panel");

if (form && panel && form.dataset.ordered === "true") {
  const size = Number(form.dataset.size);
  const list = document.getElementById("ranking-list");
  const count = document.getElementById("ranking-count");
  const status = document.getElementById("ranking-status");
  const items = new Map();
  for (const element of form.querySelectorAll(".delphi-rank-item")) {
    items.set(element.dataset.key, {
      element,
      text: element.dataset.text,
      input: element.querySelector("input"),
    });
  }

  // The order typed in the boxes: by number, then by the order of the questions.
  function orderFromBoxes() {
    const given = [];
    for (const [key, item] of items) {
      const value = item.input.value.trim();
      if (/^\d+$/.test(value) && Number(value) >= 1) {
        given.push([Number(value), given.length, key]);
      }
    }
    given.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return given.map((entry) => entry[2]).slice(0, size);
  }

  let order = orderFromBoxes();

  function say(message) {
    status.textContent = message;
  }

  function button(text, hidden, action, key) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "govuk-button govuk-button--secondary govuk-!-margin-top-2 govuk-!-margin-bottom-1 govuk-!-margin-right-1";
    element.dataset.action = action;
    element.dataset.key = key;
    element.append(text);
    const more = document.createElement("span");
    more.className = "govuk-visually-hidden";
    more.textContent = ` ${hidden}`;
    element.append(more);
    return element;
  }

  function writeBoxes() {
    for (const [key, item] of items) {
      const index = order.indexOf(key);
      item.input.value = index === -1 ? "" : String(index + 1);
    }
  }

  function render() {
    list.replaceChildren();
    order.forEach((key, index) => {
      const text = items.get(key).text;
      const row = document.createElement("li");
      row.className = "govuk-!-margin-bottom-4";
      row.dataset.key = key;
      const words = document.createElement("p");
      words.className = "govuk-body govuk-!-margin-bottom-1";
      const number = document.createElement("strong");
      number.textContent = `${index + 1}. `;
      words.append(number, text);
      row.append(words);
      if (index > 0) {
        row.append(button("Move up", `“${text}”`, "up", key));
      }
      if (index < order.length - 1) {
        row.append(button("Move down", `“${text}”`, "down", key));
      }
      row.append(button("Remove", `“${text}” from your list`, "remove", key));
      list.append(row);
    });
    count.textContent = order.length
      ? `You have chosen ${order.length} of ${size}.`
      : `You have not chosen any yet. Use the “Add to my list” buttons below.`;
    for (const [key, item] of items) {
      let add = item.element.querySelector("[data-action=add]");
      let place = item.element.querySelector(".delphi-rank-place");
      if (!add) {
        add = button("Add to my list", `“${item.text}”`, "add", key);
        place = document.createElement("p");
        place.className = "govuk-body govuk-!-font-weight-bold delphi-rank-place";
        item.input.after(add, place);
      }
      const index = order.indexOf(key);
      add.hidden = index !== -1;
      place.hidden = index === -1;
      place.textContent = index === -1 ? "" : `Number ${index + 1} in your list`;
    }
  }

  function focusButton(action, key) {
    const found = form.parentElement.querySelector(
      `button[data-action="${action}"][data-key="${key}"]`,
    );
    if (found && !found.hidden) {
      found.focus();
      return true;
    }
    return false;
  }

  function change(action, key) {
    const text = items.get(key).text;
    const index = order.indexOf(key);
    if (action === "add") {
      if (order.length >= size) {
        say(`Your list is full. Remove a question before you add “${text}”.`);
        return;
      }
      order.push(key);
      say(`Question “${text}” added at position ${order.length}.`);
    } else if (action === "remove") {
      order.splice(index, 1);
      say(`Question “${text}” removed from your list.`);
    } else {
      const target = action === "up" ? index - 1 : index + 1;
      if (target < 0 || target >= order.length) {
        return;
      }
      order.splice(index, 1);
      order.splice(target, 0, key);
      say(`Question “${text}” moved to position ${target + 1}.`);
    }
    writeBoxes();
    render();
    // Keep the keyboard where it was: on the same button, or the next sensible one.
    if (action === "up" || action === "down") {
      focusButton(action, key) || focusButton(action === "up" ? "down" : "up", key);
    } else if (action === "add") {
      focusButton("remove", key);
    } else {
      items.get(key).element.querySelector("[data-action=add]").focus();
    }
  }

  panel.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-action]");
    if (target) {
      change(target.dataset.action, target.dataset.key);
    }
  });
  form.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-action]");
    if (target) {
      change(target.dataset.action, target.dataset.key);
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches(".delphi-rank-item input")) {
      order = orderFromBoxes();
      render();
    }
  });

  panel.hidden = false;
  render();
}
