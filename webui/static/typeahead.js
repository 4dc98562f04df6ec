// SpiffArena's typeahead questions: as the person types, refresh the box's <datalist> with the
// items of its category that start with what was typed (GET the address in data-cf-typeahead).
// Without this file the box still works: the list made with the page, and the server checks the answer.
const WAIT_MS = 200;

const refresh = async (input, list, prefix) => {
  const url = `${input.dataset.cfTypeahead}?prefix=${encodeURIComponent(prefix)}`;
  const answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!answer.ok || input.value !== prefix) {
    return; // a later keystroke asked again
  }
  const items = await answer.json();
  list.replaceChildren(...items.map((item) => {
    const option = document.createElement("option");
    option.value = item.text;
    return option;
  }));
};

document.querySelectorAll("input[data-cf-typeahead]").forEach((input) => {
  if (input.dataset.cfTypeaheadReady) {
    return;
  }
  input.dataset.cfTypeaheadReady = "true";
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => refresh(input, list, input.value).catch(() => {}), WAIT_MS);
  });
});
