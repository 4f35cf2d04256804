// Keeps the address bar in step with the settings (replaceState, so typing does not flood the history) and
// reads them back when the page opens from a shared link.

import { useAppStore } from './store';
import { searchToSettings, settingsToSearch } from './url';

/** Loads settings from the current URL, then mirrors every change back into it. Returns the unsubscribe. */
export function syncSettingsWithUrl(): () => void {
  useAppStore.setState({ settings: searchToSettings(window.location.search) });
  return useAppStore.subscribe((state, previous) => {
    if (state.settings === previous.settings) return;
    const search = settingsToSearch(state.settings);
    const url = `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`;
    window.history.replaceState(null, '', url);
  });
}
