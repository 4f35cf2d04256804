// Service worker that makes the page cross-origin isolated on static hosts that cannot send headers (GitHub
// Pages): it re-serves every response with COOP/COEP added. Isolation gives SharedArrayBuffer, which the CPU
// engine's worker threads need. Cost: on the very first visit the page reloads once, after this installs.
// Same-origin files and CORS fetches (model URLs) pass unchanged; nothing is cached here.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // A request that may only come from the cache cannot be refetched from another origin.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(
    fetch(request).then((response) => {
      // Opaque responses (no-cors, other origins) cannot be rewritten; COEP will judge them as they are.
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    }),
  );
});
