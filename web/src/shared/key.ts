/** The API key the dashboard signed in with: kept in this browser's local storage until sign-out. */
export const KEY_STORAGE = 'arsel.apiKey';

export function storedKey(): string | null {
  try {
    return window.localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  if (key) window.localStorage.setItem(KEY_STORAGE, key);
  else window.localStorage.removeItem(KEY_STORAGE);
}
