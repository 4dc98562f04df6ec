// The live hub board (webui/templates/mi/live.html): every minute, and when "Update the figures now"
// is chosen, the board is swapped for a fresh copy from its fragment URL (same origin, as the
// Content-Security-Policy's connect-src allows) without reloading the page; a polite live region
// says when. Without this script the link reloads the page, which is just as current.
const board = document.getElementById("live-board");
const link = document.getElementById("live-refresh");
const status = document.getElementById("live-status");

async function refresh() {
  try {
    const response = await fetch(board.dataset.boardUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) {
      throw new Error(`the server answered ${response.status}`);
    }
    board.innerHTML = await response.text();
    const asOf = document.getElementById("live-as-of");
    status.textContent = asOf ? `Updated. ${asOf.textContent}` : "Updated.";
  } catch (error) {
    status.textContent = `The figures could not be updated (${error.message}); reload the page to try again.`;
  }
}

if (board && link && status) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    refresh();
  });
  const every = Number(board.dataset.refreshSeconds || "60") * 1000;
  setInterval(() => {
    if (document.visibilityState === "visible") {
      refresh();
    }
  }, every);
}
