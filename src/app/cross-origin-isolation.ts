// Cross-origin isolation for the page, so the CPU engine can share memory with worker threads. A host that
// sends COOP/COEP (the dev server, a configured server) is isolated already; elsewhere coi-sw.js adds the
// headers, which takes one reload after it first installs. If that cannot work, the CPU runs on one thread.

const RELOADED = 'coi-reloaded';
/** How long to wait for the service worker; a browser that blocks service workers never makes it ready. */
const READY_TIMEOUT_MS = 4000;

export type Isolation = 'isolated' | 'reloading' | 'unavailable';

/** Makes the page isolated if it can; 'reloading' means the page is about to reload (render nothing). */
export async function ensureCrossOriginIsolation(): Promise<Isolation> {
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return 'isolated';
  }
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return 'unavailable';
  try {
    const registered = navigator.serviceWorker.register(new URL('coi-sw.js', document.baseURI), {
      scope: new URL('./', document.baseURI).pathname,
    });
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS),
    );
    if ((await Promise.race([registered, timeout])) === 'timeout') return 'unavailable';
    // One reload at most per tab: if the page is still not isolated after it, the browser said no.
    if (sessionStorage.getItem(RELOADED)) return 'unavailable';
    if ((await Promise.race([navigator.serviceWorker.ready, timeout])) === 'timeout') return 'unavailable';
    sessionStorage.setItem(RELOADED, '1');
    window.location.reload();
    return 'reloading';
  } catch {
    return 'unavailable';
  }
}
