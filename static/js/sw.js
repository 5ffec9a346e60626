// ログインヘルプ: the service worker. After one visit the fixes stay readable with the network off.
//
// Served at /sw.js by helpcenter/offline.py, which puts the site's settings and the Japanese
// notes in CONFIG below. What it does:
// - Once installed, and again whenever a page asks it to check (each page load), it reads
//   /offline/manifest.json: the content version and every public page and asset. When the
//   version is new it fetches them, a few at a time, into a cache named after that version, and
//   only when all are in does it drop the older cache: the copy offline is always one whole
//   version, and a content change reaches it at the next online visit.
// - Pages: the network first (a bad connection gets CONFIG.timeout ms), then the copy kept,
//   then the offline page. Pages seen online are kept too (the flow's steps without their
//   per-visit id `f`, whole pages and htmx fragments apart).
// - The guided flow: offline, every step is worked out here (flow.js, over the flow pack kept
//   with the pages), so any answers lead to a result, not only those seen before.
// - Static files have hashed names: the copy kept, else the network.
// - A beacon (POST /beacon) or a flow answer ("it worked", "it did not") sent offline is kept
//   (at most CONFIG.queueMax) and sent when the connection is back; the flow goes on at once.
//   Any other POST offline gets a note that it was not sent.
"use strict";

const CONFIG = {}; // replaced when served (helpcenter/offline.py)
importScripts(CONFIG.flowScript); // self.LoginHelpFlow
const PREFIX = "loginhelp-";
const QUEUE = PREFIX + "queue";
const COMPLETE = "/__complete__";
const BATCH = 4;

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
  event.waitUntil(refresh());
});

self.addEventListener("message", (event) => {
  if (event.data === "refresh") event.waitUntil(Promise.all([refresh(), flush()]));
  else if (event.data === "flush") event.waitUntil(flush());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith(CONFIG.admin)) return;
  if (request.method === "POST") {
    event.respondWith(post(request));
  } else if (request.method !== "GET" || url.pathname === "/sw.js") {
    return;
  } else if (url.pathname.startsWith(CONFIG.static)) {
    event.respondWith(asset(request));
  } else if (request.mode === "navigate" || request.headers.get("HX-Request") === "true") {
    event.respondWith(page(request, url));
  }
});

// --- The copy of the site -------------------------------------------------------------------

async function current() {
  const names = (await caches.keys()).filter((n) => n.startsWith(PREFIX + "v-"));
  for (const name of names) {
    const cache = await caches.open(name);
    if (await cache.match(COMPLETE)) return cache;
  }
  return names.length ? caches.open(names[0]) : null;
}

// One run at a time: a call while one is under way gets that run.
function single(run) {
  let running = null;
  return () => {
    if (!running) {
      running = run().finally(() => {
        running = null;
      });
    }
    return running;
  };
}

const refresh = single(() => fill());
// `online` can come a moment before the connection works: a few more tries, then the next
// page load or `online` event tries again.
const flush = single(async () => {
  for (const wait of [0, 1000, 3000, 8000]) {
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
    if (await send()) return;
  }
});

async function fill() {
  let manifest;
  try {
    const response = await fetch(CONFIG.manifest, { cache: "no-cache" });
    if (!response.ok) return;
    manifest = await response.json();
  } catch (e) {
    return; // offline: the copy kept stays
  }
  const name = PREFIX + "v-" + manifest.version;
  const cache = await caches.open(name);
  if (!(await cache.match(COMPLETE))) {
    const wanted = [CONFIG.offline, ...manifest.assets, ...manifest.pages];
    for (let i = 0; i < wanted.length; i += BATCH) {
      const batch = wanted.slice(i, i + BATCH);
      const done = await Promise.all(batch.map((url) => keep(cache, url)));
      if (done.includes(false)) return; // the connection dropped: go on at the next check
    }
    await cache.put(COMPLETE, new Response(String(Date.now())));
  }
  for (const old of await caches.keys()) {
    if (old.startsWith(PREFIX + "v-") && old !== name) await caches.delete(old);
  }
}

async function keep(cache, url) {
  if (await cache.match(url)) return true;
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok) await cache.put(url, response);
    return true; // a page that is gone (404) is simply not kept
  } catch (e) {
    return false;
  }
}

// The key a page is kept under: without the flow's per-visit id, and marked for htmx fragments
// so that a whole page and a fragment never stand in for each other.
function key(request, url) {
  const clean = new URL(url.href);
  clean.searchParams.delete("f");
  if (request.headers.get("HX-Request") === "true") clean.searchParams.set("__fragment", "1");
  return clean.href;
}

function timeout(ms) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

async function page(request, url) {
  const cache = await current();
  const id = key(request, url);
  try {
    const response = await Promise.race([fetch(request), timeout(CONFIG.timeout)]);
    const keepable = !(response.headers.get("Cache-Control") || "").includes("no-store");
    if (response.ok && cache && response.type === "basic" && keepable) {
      cache.put(id, response.clone()).catch(() => {});
    }
    return response;
  } catch (e) {
    if (url.pathname === CONFIG.flow) {
      const step = await offlineStep(cache, request, url.search, fragment(request));
      if (step) return step;
    }
    const kept = cache && ((await cache.match(id)) || (await cache.match(url.href)));
    if (kept) return kept;
    if (request.headers.get("HX-Request") === "true") return note(CONFIG.notes.offlineFragment);
    const offline = cache && (await cache.match(CONFIG.offline));
    return offline || note(CONFIG.notes.offlineFragment);
  }
}

function fragment(request) {
  return (
    request.headers.get("HX-Request") === "true" &&
    request.headers.get("HX-History-Restore-Request") !== "true"
  );
}

// A step of the guided flow, worked out from the pack: the step alone for htmx, else the kept
// first step's page with this step in its place. Null when the copy lacks the pack.
async function offlineStep(cache, request, search, alone, headers) {
  const Flow = self.LoginHelpFlow;
  const packed = cache && (await cache.match(CONFIG.pack));
  const shell = cache && (await cache.match(CONFIG.flow));
  if (!Flow || !packed || !shell) return null;
  const pack = await packed.json();
  const html = await shell.text();
  // The kept first step holds a flow id and the visitor's CSRF token (for its forms).
  const flowId = (html.match(/name="f" value="([^"]*)"/) || [])[1] || "";
  const token =
    request.headers.get("X-CSRFToken") || (html.match(/"X-CSRFToken": "([^"]*)"/) || [])[1] || "";
  const screen = Flow.screen(pack, Flow.parse(search, flowId));
  const notice =
    '<div class="notice notice-offline" role="note"><p>' + CONFIG.notes.offlineFlow + "</p></div>";
  const rendered = Flow.render(pack, screen, token);
  const opening = rendered.indexOf(">") + 1; // after <section id="flow-step" …>
  const step = rendered.slice(0, opening) + notice + rendered.slice(opening);
  const answer = { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" };
  Object.assign(answer, headers || {});
  if (alone) return new Response(step, { headers: answer });
  const start = html.indexOf('<section id="flow-step"');
  const restart = html.indexOf('<p class="flow-restart">', start);
  const end = html.indexOf("</section>", restart);
  if (start < 0 || restart < 0 || end < 0) return null;
  const title = Flow.title(pack, screen).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const page = (html.slice(0, start) + step + html.slice(end + "</section>".length)).replace(
    /<title>[^<]*<\/title>/,
    "<title>" + title + "</title>"
  );
  return new Response(page, { headers: answer });
}

async function asset(request) {
  const cache = await current();
  const kept = cache && (await cache.match(request));
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && cache) cache.put(request, response.clone()).catch(() => {});
  return response;
}

function note(text) {
  const body = '<div class="notice notice-offline" role="alert"><p>' + text + "</p></div>";
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

// --- What visitors send ---------------------------------------------------------------------

async function post(request) {
  const url = new URL(request.url);
  const kept = [CONFIG.beacon, CONFIG.flowAnswer].includes(url.pathname);
  const copy = kept ? await request.clone().text() : null;
  try {
    const response = await fetch(request);
    flush();
    return response;
  } catch (e) {
    if (url.pathname === CONFIG.flowAnswer) {
      const answered = await offlineAnswer(request, copy);
      if (answered) return answered;
    } else if (copy !== null) {
      await queue(url.pathname, copy);
      return new Response(null, { status: 204 });
    }
    if (request.mode === "navigate") {
      // A form sent as a whole page (without htmx): the offline page, which says what works.
      const cache = await current();
      const offline = cache && (await cache.match(CONFIG.offline));
      if (offline) return offline;
    }
    return note(CONFIG.notes.notSent);
  }
}

// "It worked", "it did not", "contact support" offline: kept to be sent later (with the CSRF
// token htmx sent as a header), and the flow goes on to the next step, worked out here.
async function offlineAnswer(request, body) {
  const Flow = self.LoginHelpFlow;
  const cache = await current();
  if (!Flow || !cache || !(await cache.match(CONFIG.pack))) return null;
  const form = new URLSearchParams(body);
  const token = request.headers.get("X-CSRFToken");
  if (token && !form.get("csrfmiddlewaretoken")) form.set("csrfmiddlewaretoken", token);
  await queue(CONFIG.flowAnswer, form.toString());
  const remedy = /^[0-9]{1,9}$/.test(form.get("remedy") || "") ? Number(form.get("remedy")) : null;
  const next = Flow.after(Flow.parse(form.toString(), ""), form.get("action"), remedy);
  const address = Flow.url(CONFIG.flow, next);
  if (request.headers.get("HX-Request") !== "true") {
    return Response.redirect(new URL(address, self.location.origin).href, 303);
  }
  return offlineStep(cache, request, address.slice(address.indexOf("?")), true, {
    "HX-Push-Url": address,
  });
}

async function queue(path, body) {
  const cache = await caches.open(QUEUE);
  const waiting = await cache.keys();
  if (waiting.length >= CONFIG.queueMax) return; // a day offline: the oldest reports are enough
  const id = path + "?queued=" + Date.now() + "-" + Math.random().toString(36).slice(2);
  await cache.put(id, new Response(body, { headers: { "Content-Type": "text/plain" } }));
}

async function send() {
  const cache = await caches.open(QUEUE);
  for (const request of await cache.keys()) {
    const body = await (await cache.match(request)).text();
    let response;
    try {
      response = await fetch(new URL(request.url).pathname, {
        method: "POST",
        body: new URLSearchParams(body),
        credentials: "same-origin",
      });
    } catch (e) {
      return false; // still offline
    }
    // Sent, or refused for good (a token that expired, a flow too old): either way it is done.
    if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
      await cache.delete(request);
    } else {
      return false;
    }
  }
  return true;
}
