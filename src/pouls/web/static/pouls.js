// The pages' own behaviour, kept out of the HTML so that the Content-Security-Policy can forbid
// inline script (see pouls/web/headers.py). Loaded with `defer` on every page.
(() => {
  "use strict";

  // Forms that ask before they act: <form data-confirm="Delete…?">. Delegated, so rows that
  // htmx swaps in keep the question.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // A refused action (4xx) inside <… data-refusals> is swapped in like a success: the answer
  // is the same part of the page with the reason written in it (alerts' actions).
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && event.detail.elt.closest("[data-refusals]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A range input that shows its value: <input type="range" data-output="id-of-an-output">.
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.output) return;
    const output = document.getElementById(input.dataset.output);
    // In the page's language: 0,5 in French, 0.5 in English (as the server wrote it).
    const lang = document.documentElement.lang || "fr";
    if (output) output.value = Number(input.value).toLocaleString(lang, { maximumFractionDigits: 2 });
  });

  // The wall's live stream: new signals appear at the top as soon as they are stored.
  const live = document.getElementById("live");
  if (!live || !live.dataset.stream) return;
  const state = document.getElementById("live-state");
  const freshCount = document.getElementById("fresh-count");
  const cards = document.getElementById("cards");
  const total = document.getElementById("total");
  let fresh = 0;
  const source = new EventSource(live.dataset.stream);
  source.addEventListener("ready", () => {
    live.classList.add("on");
    state.textContent = live.dataset.live;
  });
  source.addEventListener("signal", (event) => {
    if (document.getElementById("s-" + event.lastEventId)) return;
    cards.insertAdjacentHTML("afterbegin", event.data);
    fresh += 1;
    freshCount.textContent = "· " + fresh + " " + live.dataset.new;
    const shown = parseInt(total.textContent.replace(/\D/g, ""), 10) + 1;
    total.textContent = shown.toLocaleString(document.documentElement.lang);
    const extra = cards.querySelectorAll(":scope > li.card");
    if (extra.length > 300) extra[extra.length - 1].remove();
  });
  source.onerror = () => {
    live.classList.remove("on");
    state.textContent = live.dataset.reconnecting;
  };
})();
