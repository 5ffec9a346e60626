// ログインヘルプ: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";

  // Beacons: a page reports, once, that it was shown (a flow step, a search) or that a search
  // result was opened. Pages never record anything on GET; without JavaScript nothing is sent.
  // The flow's pages carry the CSRF token (their forms post); pages kept in the page cache
  // (search) cannot, so the token is fetched once, when the first report is sent.
  var fetchedToken = null;

  function pageToken() {
    try {
      return JSON.parse(document.body.dataset.hxHeaders || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // The fetched token is remembered for the tab (it is valid as long as the CSRF cookie), so a
  // page opened offline from the service worker's copy can still report: the worker keeps the
  // report and sends it when the connection is back.
  function storedToken() {
    try {
      return window.sessionStorage.getItem("csrf-token") || "";
    } catch (e) {
      return "";
    }
  }

  function storeToken(token) {
    try {
      window.sessionStorage.setItem("csrf-token", token);
    } catch (e) {
      /* storage refused: the token is fetched again next time */
    }
  }

  function withToken(send) {
    var token = pageToken() || storedToken();
    if (token) return send(token);
    var url = document.body.dataset.tokenUrl;
    if (!url || !window.fetch || !window.Promise) return;
    if (!fetchedToken) {
      fetchedToken = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : {};
        })
        .then(function (data) {
          if (data && data.token) storeToken(data.token);
          return (data && data.token) || "";
        })
        .catch(function () {
          fetchedToken = null; // offline or refused: try again with the next report
          return "";
        });
    }
    fetchedToken.then(function (token) {
      if (token) send(token);
    });
  }

  function sendBeacon(data) {
    var url = document.body.dataset.beaconUrl;
    if (!url || !data) return;
    withToken(function (token) {
      var body = new URLSearchParams(data);
      body.append("csrfmiddlewaretoken", token);
      if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
      if (window.fetch) {
        fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true }).catch(
          function () {}
        );
      }
    });
  }

  var reported = {};

  function reportShown(root) {
    var scope = root || document;
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-beacon]"));
    if (scope.dataset && scope.dataset.beacon) found.unshift(scope);
    found.forEach(function (element) {
      var data = element.dataset.beacon;
      if (reported[data]) return; // once per page: a new fix to try is the same result
      reported[data] = true;
      sendBeacon(data);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("#search-results a.result-title");
    var results = document.getElementById("search-results");
    if (!link || !results || !results.dataset.query) return;
    sendBeacon("event=click&query=" + encodeURIComponent(results.dataset.query));
  });

  // After htmx swaps a step of the guided flow: update the title, move focus to the new
  // heading and announce the change to screen readers.
  function settleStep(root) {
    var step = root && root.id === "flow-step" ? root : document.getElementById("flow-step");
    if (!step) return;
    if (step.dataset.title) document.title = step.dataset.title;
    var heading = document.getElementById("flow-heading");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    }
    var announcer = document.getElementById("flow-announcer");
    if (announcer && step.dataset.announce) {
      announcer.textContent = "";
      window.setTimeout(function () {
        announcer.textContent = step.dataset.announce;
      }, 50);
    }
    enableCopyButtons(step);
    reportShown(step);
  }

  // "Copy the summary": shown only where the clipboard can be used; the text stays selectable.
  // The status messages come translated from the page (data-copied, data-copy-failed).
  function enableCopyButtons(root) {
    var buttons = (root || document).querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (!navigator.clipboard || button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        var status = button.parentElement.querySelector(".copy-status");
        navigator.clipboard.writeText(source.value).then(
          function () {
            if (status) status.textContent = button.dataset.copied || "";
          },
          function () {
            source.select();
            if (status) status.textContent = button.dataset.copyFailed || "";
          }
        );
      });
    });
  }

  // Search as you type: the results replace the main content; focus stays in the search box,
  // the title follows, and the number of results is announced.
  function settleSearch() {
    var results = document.getElementById("search-results");
    if (!results) return;
    if (results.dataset.title) document.title = results.dataset.title;
    var status = document.getElementById("search-status");
    if (status) status.textContent = results.dataset.announce || "";
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (!target) return;
    if (target.id === "main") {
      settleSearch();
      // An error page shown in place of the content (helpcenter.middleware.HtmxErrorPage).
      var error = target.querySelector(".error-page h1");
      if (error) {
        document.title = error.textContent.trim();
        error.setAttribute("tabindex", "-1");
        error.focus();
      }
    }
    else if (target.id === "flow-step" || target.closest("#flow")) settleStep(target);
  });

  // ↓ from the search box jumps to the first result.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" || !event.target || event.target.id !== "site-q") return;
    var first = document.querySelector("#search-results .result-title");
    if (first) {
      event.preventDefault();
      first.focus();
    }
  });
  // Before a question's answers are sent, the page's own history entry is rewritten to hold
  // them ("change" = this question), so the browser's Back button shows them still ticked.
  // Without JavaScript the browser keeps the ticks itself.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form || !form.classList || !form.classList.contains("flow-form") || !window.URLSearchParams) return;
      var params = new URLSearchParams();
      var question = "";
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.disabled) return;
        if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
        if (field.name === "q") question = field.value;
        else if (field.name !== "change") params.append(field.name, field.value);
      });
      if (!question) return;
      params.append("change", question);
      try {
        history.replaceState(history.state, "", form.getAttribute("action") + "?" + params.toString());
      } catch (e) {
        /* a browser that refuses: Back shows the question without its ticks */
      }
    },
    true
  );

  document.addEventListener("htmx:historyRestore", function () {
    settleStep(null);
  });
  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons(document);
    reportShown(document);
  });

  // htmx on demand: pages that need it from the start load it themselves (the flow);
  // elsewhere it comes when the header's search box is first used (then the text typed so far
  // is searched) or when the vote form comes near the screen.
  function loadHtmx(then) {
    var src = document.body.dataset.htmxSrc;
    if (window.htmx || !src) {
      if (then) then();
      return;
    }
    var script = document.querySelector('script[src="' + src + '"]');
    if (!script) {
      script = document.createElement("script");
      script.src = src;
      document.head.appendChild(script);
    }
    if (then) script.addEventListener("load", then);
  }

  function searchTyped() {
    var box = document.getElementById("site-q");
    if (box && box.value) box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("focusin", function (event) {
    if (event.target && event.target.id === "site-q" && !window.htmx) loadHtmx(searchTyped);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var slots = document.querySelectorAll("[data-hx-trigger~=revealed]");
    if (!slots.length || window.htmx) return;
    if (!window.IntersectionObserver) return loadHtmx();
    var watcher = new IntersectionObserver(
      function (entries) {
        if (!entries.some(function (entry) { return entry.isIntersecting; })) return;
        watcher.disconnect();
        loadHtmx();
      },
      { rootMargin: "400px 0px" }
    );
    Array.prototype.forEach.call(slots, function (slot) {
      watcher.observe(slot);
    });
  });

  // Offline after one visit (static/js/sw.js, served at /sw.js): registered once the page has
  // loaded, so that keeping the site's pages never slows the first visit. Each page load asks
  // the worker to check the content version; coming back online sends what was kept.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").then(
        function () {
          var worker = navigator.serviceWorker.controller;
          if (worker) worker.postMessage("refresh");
        },
        function () {}
      );
    });
    window.addEventListener("online", function () {
      var worker = navigator.serviceWorker.controller;
      if (worker) worker.postMessage("refresh");
    });
  }
})();
