// The admin's live Markdown preview (articles/preview.py). Each Markdown textarea carries its
// htmx attributes (data-hx-post to the preview, sent a moment after typing stops, the answer
// swapped into the box after the field). This script only adds the box, asks htmx to handle the
// rows the admin's "add another" button creates (Django's `formset:added` event), and turns a
// refusal, a lost sign-in or no answer into a Japanese message. No inline script or style, and
// no eval: the CSP allows none of them.
"use strict";

(() => {
  const HEADING = "プレビュー（公開ページと同じ表示）";
  const EMPTY = "まだ何も書かれていません。";
  const FAILED = "プレビューを表示できませんでした。少し待ってから、もう一度入力してください。";
  const SIGNED_OUT = "ログインの有効期限が切れたため、プレビューを表示できません。ページを読み込み直してください。";

  // Before htmx starts: no <style> of its own (the CSP forbids inline style), no eval, an answer
  // within 10 seconds.
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.timeout = 10000;

  function note(region, text, className) {
    const paragraph = document.createElement("p");
    paragraph.className = className;
    paragraph.textContent = text;
    region.replaceChildren(paragraph);
  }

  // The box of a textarea that htmx is talking about, if it is one of ours.
  function regionOf(event) {
    const detail = event.detail || {};
    const textarea = (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
    if (!textarea || !textarea.matches || !textarea.matches("textarea[data-markdown-preview]")) {
      return null;
    }
    const box = textarea.nextElementSibling;
    return box && box.classList.contains("markdown-preview")
      ? box.querySelector(".markdown-preview-body")
      : null;
  }

  function attach(textarea) {
    // The hidden template row of an inline (`__prefix__`) is cloned by "add another": it gets
    // its box once it is a real row.
    if (textarea.name.includes("__prefix__")) return;
    if (textarea.nextElementSibling && textarea.nextElementSibling.classList.contains("markdown-preview")) {
      return;
    }
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

    htmx.process(textarea); // a cloned row is new to htmx
    if (textarea.value.trim()) {
      htmx.trigger(textarea, "preview");
    } else {
      note(region, EMPTY, "markdown-preview-empty");
    }
  }

  function attachWithin(root) {
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(attach);
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const region = regionOf(event);
    if (region) region.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const region = regionOf(event);
    if (!region) return;
    const xhr = event.detail.xhr;
    const url = new URL(event.detail.requestConfig.path, document.baseURI);
    if (new URL(xhr.responseURL || url.href).pathname !== url.pathname) {
      // Redirected: to the admin's sign-in page, not a preview.
      event.detail.shouldSwap = false;
      note(region, SIGNED_OUT, "markdown-preview-error");
    } else if (xhr.status === 400) {
      // A refusal the server explains (too long), in a fragment like a preview's.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (xhr.status >= 400) {
      event.detail.shouldSwap = false;
      note(region, FAILED, "markdown-preview-error");
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const region = regionOf(event);
    if (region && !region.textContent.trim()) note(region, EMPTY, "markdown-preview-empty");
  });

  for (const failure of ["htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(failure, (event) => {
      const region = regionOf(event);
      if (region) note(region, FAILED, "markdown-preview-error");
    });
  }

  document.addEventListener("htmx:afterRequest", (event) => {
    const region = regionOf(event);
    if (region) region.removeAttribute("aria-busy");
  });

  document.addEventListener("formset:added", (event) => attachWithin(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => attachWithin(document));
  } else {
    attachWithin(document);
  }
})();
