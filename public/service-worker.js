// The page's service worker, for two things a static host (GitHub Pages) cannot give by itself:
// - cross-origin isolation: every response is re-served with COOP/COEP added, which gives SharedArrayBuffer for
//   the CPU engine's worker threads (cost: one reload on the very first visit, after this installs);
// - offline use: the page's own files and the default model (listed in precache.json by the build) are kept in
//   Cache Storage, and served from there when the network fails. Online, the network always answers first, so
//   a new version shows at once. Nothing else is cached (model URLs, or anything on a dev server, which has no
//   list).

// v2: entries are kept under their bare URL; v1's, kept under the asking request, are dropped on activation.
const CACHE = 'explorer-offline-v2';

/**
 * How the cache is asked for the page's files. Hosts that send `Vary: Origin` (vite preview, many CDNs) make
 * Cache.match compare the Origin header of the stored request with the asking one; the page's `crossorigin`
 * scripts and styles are asked with other headers than the worker's own precache fetches, so offline they
 * were "not in the cache" and the page came up blank. Our files are the same bytes whoever asks.
 */
const MATCH = { ignoreVary: true };

// Installing keeps only the page and its code (small), so the first visit is not held up; the page then asks
// for the rest (the default model) with a 'cache-all' message, fetched in the background.
self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil(precache((file) => !file.startsWith('models/')));
});

self.addEventListener('message', (event) => {
  if (event.data === 'cache-all') event.waitUntil(precache(() => true));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/**
 * Caches the files the build listed that `wanted` picks and the cache lacks; a file that fails is left for the
 * network-first path to pick up.
 */
async function precache(wanted) {
  try {
    const files = await listed();
    const cache = await caches.open(CACHE);
    const urls = files.filter(wanted).map((file) => new URL(file, self.registration.scope));
    const missing = [];
    for (const url of urls) if (!(await cache.match(url, MATCH))) missing.push(url);
    await Promise.all(missing.map((url) => cache.add(url).catch(() => undefined)));
  } catch {
    // Offline at install time: the page still works online.
  }
}

let list = null;

/** The files the build listed (relative to the scope); none where there is no list, as on a dev server. */
function listed() {
  list ??= fetch(new URL('precache.json', self.registration.scope), { cache: 'no-cache' })
    .then((response) => (response.ok ? response.json() : { files: [] }))
    .then((json) => (Array.isArray(json.files) ? json.files : []))
    .catch(() => {
      list = null; // try again next time (offline now)
      return [];
    });
  return list;
}

/** Whether `url` is one of the listed files (the page itself counts with any query). */
async function isListed(url) {
  const files = await listed();
  const bare = url.split('?')[0];
  return files.some((file) => new URL(file, self.registration.scope).href === bare);
}

/** The response with the isolation headers; opaque responses (no-cors, other origins) cannot be rewritten. */
function isolated(response) {
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Network first; a good answer refreshes the cache, a failed fetch falls back to it (the page: its index). */
async function pageFile(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Kept under the bare URL, as the precache keeps them, so one entry per file whatever the request's mode,
    // credentials or headers were (a `crossorigin` script asks in cors mode, a navigation in navigate mode).
    if (response.status === 200 && !request.headers.has('range') && (await isListed(request.url)))
      await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const cached =
      (await cache.match(request.url, { ...MATCH, ignoreSearch: request.mode === 'navigate' })) ??
      (request.mode === 'navigate' ? await cache.match(self.registration.scope, MATCH) : undefined);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // A request that may only come from the cache cannot be refetched from another origin.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const ours = request.method === 'GET' && request.url.startsWith(self.registration.scope);
  event.respondWith((ours ? pageFile(request) : fetch(request)).then(isolated));
});
