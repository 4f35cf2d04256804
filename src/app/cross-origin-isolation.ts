// The service worker (public/service-worker.js): offline use after the first visit, and cross-origin isolation
// so the CPU engine can share memory with worker threads. A host that sends COOP/COEP is isolated already;
// elsewhere the worker adds the headers, which takes one reload after it first installs. If that cannot work,
// the CPU runs on one thread.

const RELOADED = 'coi-reloaded';
/** How long to wait for the service worker; a browser that blocks service workers never makes it ready. */
const READY_TIMEOUT_MS = 4000;

export type Isolation = 'isolated' | 'reloading' | 'unavailable';

/**
 * Registers the service worker and makes the page isolated if it can; 'reloading' means the page is about to
 * reload (render nothing).
 */
export async function ensureCrossOriginIsolation(): Promise<Isolation> {
  const canRegister = 'serviceWorker' in navigator && window.isSecureContext;
  // Once active, the worker is asked to keep the rest of the site (the default model) for offline use.
  const register = () =>
    navigator.serviceWorker
      .register(new URL('service-worker.js', document.baseURI), {
        scope: new URL('./', document.baseURI).pathname,
      })
      .then((registration) => {
        void navigator.serviceWorker.ready.then((ready) => ready.active?.postMessage('cache-all'));
        return registration;
      });
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    // Isolated by the host's own headers: the worker is still wanted, for offline use.
    if (canRegister) register().catch(() => undefined);
    return 'isolated';
  }
  if (!canRegister) return 'unavailable';
  try {
    const registered = register();
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
