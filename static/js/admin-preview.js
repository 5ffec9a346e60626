// The admin's live Markdown preview (articles/preview.py): beside every textarea marked
// `data-markdown-preview="<url>"`, a box showing what readers will see, rendered and sanitised
// by the server exactly as a save would. Rows added with the admin's "add another" button get
// one too (Django's `formset:added` event). No inline script or style: the CSP allows neither.
"use strict";

(() => {
  const HEADING = "プレビュー（公開ページと同じ表示）";
  const EMPTY = "まだ何も書かれていません。";
  const FAILED = "プレビューを表示できませんでした。少し待ってから、もう一度入力してください。";
  const SIGNED_OUT = "ログインの有効期限が切れたため、プレビューを表示できません。ページを読み込み直してください。";
  const WAIT_MS = 400; // after the last keystroke: one request per pause, not per key
  const TIMEOUT_MS = 10000;

  const attached = new WeakSet();

  function csrfToken(textarea) {
    const field = textarea.form && textarea.form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // One request at a time for the whole page: a cause opens with its body and every remedy to
  // render, and each request also renews the staff's session (SESSION_SAVE_EVERY_REQUEST).
  let queue = Promise.resolve();
  function enqueue(task) {
    queue = queue.then(task).catch(() => {});
  }

  async function ask(textarea) {
    try {
      const response = await fetch(textarea.dataset.markdownPreview, {
        method: "POST",
        body: new URLSearchParams({ text: textarea.value }),
        headers: { "X-CSRFToken": csrfToken(textarea) },
        credentials: "same-origin",
        redirect: "manual", // a redirect is the admin's sign-in page, not a preview
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (response.type === "opaqueredirect") return { kind: "signed-out" };
      // 400 is a refusal the server explains (too long), in a fragment like a preview's.
      if (response.ok || response.status === 400) {
        return { kind: "html", html: (await response.text()).trim() };
      }
    } catch {
      // offline, or no answer in time: said below
    }
    return { kind: "failed" };
  }

  function note(region, text, className) {
    const paragraph = document.createElement("p");
    paragraph.className = className;
    paragraph.textContent = text;
    region.replaceChildren(paragraph);
  }

  function attach(textarea) {
    // The hidden template row of an inline (`__prefix__`) is cloned by "add another": it gets
    // its box once it is a real row.
    if (attached.has(textarea) || textarea.name.includes("__prefix__")) return;
    attached.add(textarea);

    // A plain div, not a landmark: a cause's page has one box per field, all named alike.
    const box = document.createElement("div");
    box.className = "markdown-preview";
    const heading = document.createElement(textarea.closest(".inline-related") ? "h4" : "h3");
    heading.className = "markdown-preview-heading";
    heading.textContent = HEADING;
    const region = document.createElement("div");
    region.className = "markdown-preview-body";
    region.setAttribute("aria-live", "polite");
    box.append(heading, region);
    textarea.parentElement.classList.add("markdown-preview-row");
    textarea.after(box);

    let timer = 0;
    let latest = 0; // the number of the newest text asked for; older answers are dropped

    function show(answer) {
      if (answer.kind === "html" && answer.html) {
        region.innerHTML = answer.html; // sanitised by the server (nh3), as on the public pages
      } else if (answer.kind === "html") {
        note(region, EMPTY, "markdown-preview-empty");
      } else {
        note(region, answer.kind === "signed-out" ? SIGNED_OUT : FAILED, "markdown-preview-error");
      }
    }

    function refresh() {
      const number = ++latest;
      region.setAttribute("aria-busy", "true");
      enqueue(async () => {
        if (number !== latest) return; // a newer text is already waiting behind this one
        const answer = await ask(textarea);
        if (number !== latest) return;
        show(answer);
        region.removeAttribute("aria-busy");
      });
    }

    textarea.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, WAIT_MS);
    });
    if (textarea.value.trim()) {
      refresh();
    } else {
      note(region, EMPTY, "markdown-preview-empty");
    }
  }

  function attachWithin(root) {
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(attach);
  }

  document.addEventListener("formset:added", (event) => attachWithin(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => attachWithin(document));
  } else {
    attachWithin(document);
  }
})();
