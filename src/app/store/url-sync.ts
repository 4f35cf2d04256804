// Keeps the address bar in step with the settings (replaceState, so typing does not flood the history) and
// reads them back when the page opens from a shared link.

import { useAppStore } from './store';
import { linkLayerHeadNotice, searchToSettings, settingsToSearch } from './url';

/** Typing changes the settings on every key; the address bar follows once the typing pauses (browsers also
 * throttle very frequent replaceState calls). */
const URL_DELAY_MS = 200;

/** Loads settings from the current URL, then mirrors every change back into it. Returns the unsubscribe. */
export function syncSettingsWithUrl(): () => void {
  useAppStore.setState({
    settings: searchToSettings(window.location.search),
    linkNotice: linkLayerHeadNotice(window.location.search),
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    const search = settingsToSearch(useAppStore.getState().settings, window.location.search);
    const url = `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`;
    window.history.replaceState(null, '', url);
  };
  const unsubscribe = useAppStore.subscribe((state, previous) => {
    if (state.settings === previous.settings) return;
    // The link's wrong layer or head is no longer what is shown once another is picked.
    if (
      state.linkNotice &&
      (state.settings.layer !== previous.settings.layer || state.settings.head !== previous.settings.head)
    )
      useAppStore.setState({ linkNotice: null });
    clearTimeout(timer);
    // Only the text waits; a toggle or a step is written at once, so a link copied right after is complete.
    if (state.settings.text !== previous.settings.text) timer = setTimeout(write, URL_DELAY_MS);
    else write();
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
