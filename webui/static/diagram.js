// Process diagrams: bpmn-js's viewer (served from the installed npm package, bpmn.io watermark kept
// as its licence requires) draws each .cf-diagram box made by the bpmn_viewer macro, with the number
// of cases waiting on each counted task and a case's completed and active elements marked.
const VIEWER = "/bpmn-js/bpmn-viewer.production.min.js";
// With waits drawn on it a diagram is shown no smaller than this, in a box that scrolls, so the
// figures under each task stay readable on a wide process and a narrow screen.
const READABLE_ZOOM = 0.8;
const MARGIN = 20;

function data(box, name, fallback) {
  try {
    return JSON.parse(box.dataset[name] || "null") ?? fallback;
  } catch {
    return fallback;
  }
}

// The box stops being a picture and says, as text, why there is no diagram.
function say(box, text) {
  box.removeAttribute("role");
  box.removeAttribute("aria-label");
  const message = document.createElement("p");
  message.className = "govuk-body cf-diagram__message";
  message.textContent = text;
  box.replaceChildren(message);
  box.classList.add("cf-diagram--failed");
}

async function fetchXml(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/xml" } });
  if (!response.ok) {
    throw new Error(`the server answered ${response.status}`);
  }
  return response.text();
}

function badge(count) {
  const element = document.createElement("span");
  element.className = "cf-diagram__count";
  element.textContent = String(count);
  element.title = `${count} ${count === 1 ? "case" : "cases"} waiting here`;
  return element;
}

// A task's waits (the bottleneck view): average, 90th percentile and the number waiting now, and
// on the slowest task a "Slowest" badge in words, not only the thicker outline.
function waitCard(wait) {
  const card = document.createElement("div");
  card.className = "cf-diagram__wait" + (wait.slowest ? " cf-diagram__wait--slowest" : "");
  if (wait.slowest) {
    const badge = document.createElement("strong");
    badge.className = "cf-diagram__slowest";
    badge.textContent = "Slowest";
    card.append(badge);
  }
  for (const text of [`avg ${wait.average}`, `p90 ${wait.p90}`, `${wait.waiting} waiting`]) {
    const line = document.createElement("span");
    line.textContent = text;
    card.append(line);
  }
  return card;
}

function decorate(viewer, box) {
  const canvas = viewer.get("canvas");
  const elements = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  for (const [id, count] of Object.entries(data(box, "counts", {}))) {
    if (count > 0 && elements.get(id)) {
      overlays.add(id, "cf-waiting", { position: { top: -12, right: 12 }, html: badge(count) });
    }
  }
  for (const [id, wait] of Object.entries(data(box, "waits", {}))) {
    if (elements.get(id)) {
      overlays.add(id, "cf-wait", { position: { bottom: -4, left: 0 }, scale: false, html: waitCard(wait) });
      if (wait.slowest) {
        canvas.addMarker(id, "cf-slowest");
      }
    }
  }
  for (const [name, marker] of [["completed", "cf-completed"], ["active", "cf-active"]]) {
    for (const id of data(box, name, [])) {
      if (elements.get(id)) {
        canvas.addMarker(id, marker);
      }
    }
  }
}

// The drawing is one picture: the box is role="img" with the macro's label, so the SVG's own
// shapes and text are hidden from assistive technology. The watermark link stays reachable, beside
// the picture rather than inside it (a link inside an image is never announced).
function describe(box, label) {
  const svg = box.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.removeAttribute("tabindex");
  }
  box.removeAttribute("role");
  box.removeAttribute("aria-label");
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", label);
}

// Fit the diagram to its box, or if that would make it too small to read, draw it at READABLE_ZOOM on a
// canvas as large as it needs and let the box scroll (reachable by keyboard, so focusable).
function fit(viewer, box) {
  const canvas = viewer.get("canvas");
  const fitted = canvas.zoom("fit-viewport", "auto");
  if (!Object.keys(data(box, "waits", {})).length || fitted >= READABLE_ZOOM) {
    return;
  }
  const inner = canvas.viewbox().inner;
  const width = Math.ceil(inner.width * READABLE_ZOOM + 2 * MARGIN);
  const height = Math.ceil(inner.height * READABLE_ZOOM + 2 * MARGIN);
  const container = box.querySelector(".bjs-container") || box.firstElementChild;
  container.style.width = `${width}px`;
  container.style.height = `${height}px`;
  box.classList.add("cf-diagram--scrolls");
  box.tabIndex = 0;
  canvas.resized();
  canvas.viewbox({ x: inner.x - MARGIN / READABLE_ZOOM, y: inner.y - MARGIN / READABLE_ZOOM,
    width: width / READABLE_ZOOM, height: height / READABLE_ZOOM });
  // Start scrolled to the slowest task, the one the page is about.
  const [slowest] = Object.entries(data(box, "waits", {})).find(([, wait]) => wait.slowest) || [];
  const element = slowest && viewer.get("elementRegistry").get(slowest);
  if (element) {
    box.scrollLeft = (element.x - inner.x) * READABLE_ZOOM + MARGIN - box.clientWidth / 3;
    box.scrollTop = (element.y - inner.y) * READABLE_ZOOM + MARGIN - box.clientHeight / 3;
  }
}

async function show(box) {
  const label = box.dataset.label || "Process diagram";
  let xml;
  try {
    xml = await fetchXml(box.dataset.xmlUrl);
    await import(VIEWER); // a UMD bundle: it defines globalThis.BpmnJS
  } catch (error) {
    say(box, `The diagram could not be loaded (${error.message}). The table of tasks on this page still lists them.`);
    return;
  }
  if (!/<([\w-]+:)?BPMNDiagram[\s>]/.test(xml)) {
    say(box, "This map has no diagram layout (it was written without a modeller), so there is nothing to draw. "
      + "The table of tasks on this page still lists them.");
    return;
  }
  box.replaceChildren();
  const viewer = new globalThis.BpmnJS({ container: box });
  try {
    await viewer.importXML(xml);
  } catch (error) {
    viewer.destroy();
    say(box, `The diagram could not be drawn: ${error.message}`);
    return;
  }
  fit(viewer, box);
  decorate(viewer, box);
  describe(box, label);
  box.classList.add("cf-diagram--ready");
}

document.querySelectorAll(".cf-diagram[data-xml-url]").forEach((box) => { show(box); });
