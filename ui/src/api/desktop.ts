// Desktop transport: Tauri IPC to the Rust host, which holds the token, the replica and the
// outbox. Command names are the host's snake_case names; arguments are camelCase.

import { convertFileSrc, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { ApiFailure, type Api, type MediaSize, type ShowTarget } from './contract';
import { asSentence } from './error-text';
import type {
  Agent,
  AgentStatus,
  AgentSummary,
  ComposeRequest,
  ConnectionState,
  ContactSummary,
  Event,
  Interaction,
  LoginRequest,
  Message,
  MessagePageRequest,
  NotificationSettings,
  DesktopPolicy,
  SearchHit,
  Session,
  Upload,
  WorkspaceSettings,
  WrapUpRequest,
} from './generated/api';
import type { Contact, ContactInteraction, UpdateContactRequest } from './generated/api';

/** The host's event channels. */
export const channels = {
  event: 'parley://event',
  connection: 'parley://connection',
  changed: 'parley://changed',
  show: 'parley://show',
} as const;

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw ApiFailure.fromWire(error) ?? new ApiFailure('internal', describe(error));
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return asSentence(text) || 'The desktop host failed to answer.';
}

/** Subscribes synchronously although Tauri's `listen` resolves later. */
function subscribe<T>(channel: string, handler: (payload: T) => void): () => void {
  let unsubscribed = false;
  let unlisten: UnlistenFn | undefined;
  listen<T>(channel, (event) => handler(event.payload)).then(
    (stop) => {
      if (unsubscribed) stop();
      else unlisten = stop;
    },
    (error: unknown) => console.error(`parley: cannot listen to ${channel}`, error),
  );
  return () => {
    unsubscribed = true;
    unlisten?.();
    unlisten = undefined;
  };
}

/** The host's URI scheme for pictures: `{mediaId}` and `{mediaId}/thumbnail`. */
export const mediaScheme = 'parley-media';

function mediaUrl(mediaId: number, size: MediaSize): string {
  // `convertFileSrc` encodes what it is given as one path segment (a `/` would arrive as
  // `%2F`), and the host reads `/thumbnail` as a segment of its own: it goes after.
  const picture = convertFileSrc(`${mediaId}`, mediaScheme);
  return size === 'thumbnail' ? `${picture}/thumbnail` : picture;
}

/**
 * How many bytes are turned into text at a time: a whole picture at once would pass millions
 * of arguments to `String.fromCharCode` and overflow the stack. A multiple of 3, so that each
 * slice's base64 ends without padding and the slices join into the whole's.
 */
const base64Slice = 3 * 0x2000;

/** The standard base64 of `bytes`, as the host decodes a picture sent to it. */
export function base64Of(bytes: Uint8Array): string {
  let encoded = '';
  for (let start = 0; start < bytes.length; start += base64Slice) {
    encoded += btoa(String.fromCharCode(...bytes.subarray(start, start + base64Slice)));
  }
  return encoded;
}

/** Reads a show request's payload, `{ "contactId": number }`; `null` when it is not one. */
function showTarget(payload: unknown): ShowTarget | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { contactId } = payload as { contactId?: unknown };
  return typeof contactId === 'number' && Number.isInteger(contactId) ? { contactId } : null;
}

export function createDesktopApi(): Api {
  return {
    mode: 'desktop',
    login: (request: LoginRequest) => call<Session>('login', { request }),
    logout: () => call<void>('logout'),
    session: () => call<Session | null>('session'),
    setStatus: (status: AgentStatus, reason: string | null = null) =>
      call<Agent>('set_status', { status, reason }),
    listContacts: () => call<ContactSummary[]>('list_contacts'),
    listMessages: (contactId: number, page?: MessagePageRequest) =>
      call<Message[]>('list_messages', { contactId, page: page ?? null }),
    markRead: (contactId: number) => call<void>('mark_read', { contactId }),
    markUnread: (contactId: number) => call<void>('mark_unread', { contactId }),
    search: (query: string, before?: number) =>
      call<SearchHit[]>('search', before === undefined ? { query } : { query, before }),
    updateContact: (contactId: number, request: UpdateContactRequest) =>
      call<Contact>('update_contact', { contactId, request }),
    contactInteractions: (contactId: number) =>
      call<ContactInteraction[]>('contact_interactions', { contactId }),
    listInteractions: () => call<Interaction[]>('list_interactions'),
    acceptInteraction: (interactionId: number) =>
      call<Interaction>('accept_interaction', { interactionId }),
    declineInteraction: (interactionId: number) =>
      call<Interaction>('decline_interaction', { interactionId }),
    createInteraction: (contactId: number, beyondCapacity = false) =>
      call<Interaction>('create_interaction', { contactId, beyondCapacity }),
    endInteraction: (interactionId: number) =>
      call<Interaction>('end_interaction', { interactionId }),
    saveWrapUp: (interactionId: number, request: WrapUpRequest) =>
      call<Interaction>('save_wrap_up', { interactionId, request }),
    markDone: (interactionId: number, request: WrapUpRequest) =>
      call<Interaction>('mark_done', { interactionId, request }),
    settings: () => call<WorkspaceSettings>('settings'),
    summary: (since: number) => call<AgentSummary>('summary', { since }),
    // IPC carries text: the picture's bytes go as base64, and the host uploads them to the hub.
    uploadPicture: async (picture: Blob) =>
      call<Upload>('upload_media', {
        contentType: picture.type,
        data: base64Of(new Uint8Array(await picture.arrayBuffer())),
      }),
    sendMessage: (request: ComposeRequest) => call<Message>('send_message', { request }),
    retryMessage: (messageId: number) => call<Message>('retry_message', { messageId }),
    createInteractionForNumber: (phone: string, beyondCapacity = false) =>
      call<Interaction>('create_interaction_for_number', { phone, beyondCapacity }),
    // The host serves pictures itself: nothing to free once shown.
    mediaSource: async (mediaId: number, size: MediaSize) => ({
      url: mediaUrl(mediaId, size),
      release: () => {},
    }),
    openMedia: (mediaId: number) => call<void>('open_media', { mediaId }),
    // The host names the file the same way and asks where with the system's dialog.
    saveMedia: (mediaId: number) => call<string | null>('save_media', { mediaId }),
    desktopPolicy: () => call<DesktopPolicy>('desktop_policy'),
    notificationSettings: () => call<NotificationSettings>('notification_settings'),
    setNotificationSettings: (settings: NotificationSettings) =>
      call<void>('set_notification_settings', { settings }),
    // The host shows its own notifications from its own copy of the events.
    notificationAccess: () => 'host',
    requestNotificationAccess: async () => 'host',
    notify: () => {},
    setFocus: (contactId: number | null) => call<void>('set_focus', { contactId }),
    onEvent: (listener: (event: Event) => void) => subscribe<Event>(channels.event, listener),
    onConnection: (listener: (state: ConnectionState) => void) =>
      subscribe<ConnectionState>(channels.connection, listener),
    onChanged: (listener: () => void) => subscribe<unknown>(channels.changed, () => listener()),
    onShow: (listener: (target: ShowTarget) => void) =>
      subscribe<unknown>(channels.show, (payload) => {
        const target = showTarget(payload);
        if (target === null) console.warn('parley: a show request without a contact', payload);
        else listener(target);
      }),
    setUnreadTotal: (total: number) => call<void>('set_unread_total', { total }),
  };
}
