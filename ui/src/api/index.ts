// The UI's only door to the host. Components import from here and nowhere else.

import type { Api } from './contract';
import { createBrowserApi } from './browser';
import { createDesktopApi } from './desktop';

export {
  ApiFailure,
  defaultNotificationSettings,
  noPolicy,
  type Api,
  type MediaSize,
  type MediaSource,
  type Notice,
  type NotificationAccess,
  type ShowTarget,
} from './contract';
export type * from './generated/api';
/** What agents send and save is limited to (defined once in crates/proto). */
export { limits } from './generated/api';
/** The carrier's error codes and what each means for the agent (generated from the hub). */
export { default as carrierErrors } from './generated/carrier-errors.json';

/** The desktop transport inside the Tauri webview, the browser transport anywhere else. */
export function createApi(): Api {
  return '__TAURI_INTERNALS__' in window ? createDesktopApi() : createBrowserApi();
}
