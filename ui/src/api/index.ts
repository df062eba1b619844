// The UI's only door to the host. Components import from here and nowhere else.

import type { Api } from './contract';
import { createBrowserApi } from './browser';
import { createDesktopApi } from './desktop';

export { ApiFailure, type Api, type ShowTarget } from './contract';
export type * from './generated/api';

/** The desktop transport inside the Tauri webview, the browser transport anywhere else. */
export function createApi(): Api {
  return '__TAURI_INTERNALS__' in window ? createDesktopApi() : createBrowserApi();
}
