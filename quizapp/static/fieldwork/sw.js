/* The service worker of the interviewer's offline app (served from /fieldwork/sw.js, scope
   /fieldwork/).  It keeps the app shell, its script and styles and the interviewer's package
   in a cache named after VERSION, so /fieldwork/app opens without a network once it has been
   opened.  Network first (with a short timeout), the cache when the network fails.
   Bump VERSION when the shell's files change: the old cache is then deleted. */
"use strict";

const VERSION = "kexue-capi-4";
const PREFIX = "kexue-capi-";
const SCOPE = self.registration.scope;
const APP = new URL("app", SCOPE).href;
const PACKAGE = new URL("api/package", SCOPE).href;
const STATIC = ["../static/fieldwork/app.js", "../static/fieldwork/app.css",
                "../static/css/app.css"].map((path) => new URL(path, SCOPE).href);
const TIMEOUT_MS = 6000;

async function cacheIfGood(cache, key, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    await cache.put(key, response.clone());
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    for (const url of [APP, PACKAGE, ...STATIC]) {
      try {
        await cacheIfGood(cache, url, await fetch(url, {credentials: "same-origin",
                                                        cache: "no-cache"}));
      } catch (error) {
        // Offline or signed out during install: the page's own requests fill the cache.
      }
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== VERSION) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function later(ms) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

async function networkFirst(request, key) {
  const cache = await caches.open(VERSION);
  const network = fetch(request).then(async (response) => {
    await cacheIfGood(cache, key, response);
    return response;
  });
  try {
    return await Promise.race([network, later(TIMEOUT_MS)]);
  } catch (error) {
    const hit = await cache.match(key);
    if (hit) return hit;
    try {
      return await network;
    } catch (failed) {
      return Response.error();
    }
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = request.url.split("#")[0].split("?")[0];
  if (url === APP || url === PACKAGE || STATIC.includes(url)) {
    event.respondWith(networkFirst(request, url));
  }
});
