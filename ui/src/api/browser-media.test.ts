// The browser transport's pictures, Retry, new numbers and notifications.

import { File as NodeFile } from 'node:buffer';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { interaction, message } from '../testing/fixtures';
import { createBrowserApi, notificationSettingsKey, type NotificationHost } from './browser';
import { ApiFailure } from './contract';

const origin = 'https://hub.example.com';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A `Notification` stand-in: records what was shown, with the permission the test sets. */
function notificationHost(permission: NotificationPermission, answer: NotificationPermission) {
  const shown: { title: string; options: NotificationOptions; notification: FakeNotification }[] =
    [];
  class FakeNotification {
    static permission = permission;
    static requestPermission = vi.fn(async () => {
      FakeNotification.permission = answer;
      return answer;
    });
    onclick: ((this: Notification, event: Event) => unknown) | null = null;
    close = vi.fn();
    constructor(title: string, options: NotificationOptions) {
      shown.push({ title, options, notification: this });
    }
  }
  return { host: FakeNotification satisfies NotificationHost, shown };
}

let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;
let storage: MemoryStorage;
let preferences: MemoryStorage;
let objectUrls: { create: ReturnType<typeof vi.fn>; revoke: ReturnType<typeof vi.fn> };
let saveFile: ReturnType<typeof vi.fn<(blob: Blob, name: string) => void>>;

function makeApi(notifications: NotificationHost | null = null, focusWindow = vi.fn()) {
  return createBrowserApi({
    origin,
    fetch: fetchMock,
    storage,
    preferences,
    objectUrls: objectUrls as unknown as { create(blob: Blob): string; revoke(url: string): void },
    saveFile,
    notifications,
    focusWindow,
  });
}

function call(index: number) {
  const [url, init] = fetchMock.mock.calls[index] ?? [];
  return {
    url: String(url),
    method: init?.method,
    headers: new Headers(init?.headers),
    body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
  };
}

beforeEach(() => {
  fetchMock = vi.fn<typeof fetch>();
  storage = new MemoryStorage();
  storage.setItem('parley.token', 'secret');
  preferences = new MemoryStorage();
  let urls = 0;
  objectUrls = { create: vi.fn(() => `blob:${origin}/${++urls}`), revoke: vi.fn() };
  saveFile = vi.fn();
});

describe('browser transport: pictures', () => {
  it('loads a thumbnail with the bearer token and gives its blob URL back once', async () => {
    fetchMock.mockResolvedValueOnce(
      new Response('jpeg', { status: 200, headers: { 'Content-Type': 'image/jpeg' } }),
    );
    const api = makeApi();

    const source = await api.mediaSource(42, 'thumbnail');
    expect(call(0)).toMatchObject({ url: `${origin}/api/media/42/thumbnail`, method: 'GET' });
    expect(call(0).headers.get('Authorization')).toBe('Bearer secret');
    expect(source.url).toBe(`blob:${origin}/1`);
    const blob = objectUrls.create.mock.calls[0]![0] as Blob;
    expect(await blob.text()).toBe('jpeg');
    expect(blob.type).toBe('image/jpeg');

    source.release();
    source.release();
    expect(objectUrls.revoke.mock.calls).toEqual([[`blob:${origin}/1`]]);
  });

  it('loads the full-size picture from its own URL', async () => {
    fetchMock.mockResolvedValueOnce(new Response('full', { status: 200 }));
    await makeApi().mediaSource(42, 'full');
    expect(call(0).url).toBe(`${origin}/api/media/42`);
  });

  it('rejects with the hub\'s reason when a picture is not available', async () => {
    fetchMock.mockResolvedValueOnce(
      json(404, { code: 'notFound', message: 'this picture is not available' }),
    );
    await expect(makeApi().mediaSource(42, 'thumbnail')).rejects.toMatchObject({
      code: 'notFound',
      message: 'This picture is not available.',
    });
    expect(objectUrls.create).not.toHaveBeenCalled();
  });

  it('saves through the browser\'s downloads with the suggested name', async () => {
    fetchMock.mockResolvedValueOnce(new Response('full', { status: 200 }));
    const where = await makeApi().saveMedia(42, 'parley-contact-7-picture-42.jpg');
    expect(call(0).url).toBe(`${origin}/api/media/42?download=1`);
    expect(call(0).headers.get('Authorization')).toBe('Bearer secret');
    expect(saveFile).toHaveBeenCalledTimes(1);
    const [file, name] = saveFile.mock.calls[0]!;
    expect(await file.text()).toBe('full');
    expect(name).toBe('parley-contact-7-picture-42.jpg');
    expect(where).toBe('parley-contact-7-picture-42.jpg');
  });

  it('refuses to save without the save-media permission', async () => {
    fetchMock.mockResolvedValueOnce(
      json(403, { code: 'forbidden', message: 'saving pictures needs the save-media permission' }),
    );
    const failure = await makeApi()
      .saveMedia(42, 'parley-contact-7-picture-42.jpg')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ code: 'forbidden' });
    expect(saveFile).not.toHaveBeenCalled();
  });

  it('opens pictures in the page: there is no system app to hand them to', () => {
    expect(makeApi().openMedia).toBeUndefined();
  });
});

describe('browser transport: Retry and new numbers', () => {
  it('retries a message by its endpoint', async () => {
    const pending = message({ id: 9, direction: 'outbound', status: 'pending' });
    fetchMock.mockResolvedValueOnce(json(200, pending));
    await expect(makeApi().retryMessage(9)).resolves.toEqual(pending);
    expect(call(0)).toMatchObject({ url: `${origin}/api/messages/9/retry`, method: 'POST' });
  });

  it('reads an opt-out refusal as its own code', async () => {
    fetchMock.mockResolvedValueOnce(
      json(409, { code: 'optedOut', message: 'the contact opted out of texts' }),
    );
    await expect(makeApi().retryMessage(9)).rejects.toMatchObject({ code: 'optedOut' });
  });

  it('creates an interaction with a number, and reads an incorrect number as such', async () => {
    const created = interaction({ id: 5, contactId: 12, state: 'active', offeredAt: null });
    fetchMock
      .mockResolvedValueOnce(json(200, created))
      .mockResolvedValueOnce(
        json(400, { code: 'invalidNumber', message: 'the number "55" is incorrect' }),
      );
    const api = makeApi();
    await expect(api.createInteractionForNumber('(201) 555-0123')).resolves.toEqual(created);
    expect(call(0)).toMatchObject({
      url: `${origin}/api/interactions`,
      method: 'POST',
      body: { contactId: null, phone: '(201) 555-0123' },
    });
    await expect(api.createInteractionForNumber('55')).rejects.toMatchObject({
      code: 'invalidNumber',
      message: 'The number "55" is incorrect.',
    });
  });
});

describe('browser transport: notifications', () => {
  it('keeps the notification choices on this computer, with defaults until chosen', async () => {
    const api = makeApi();
    await expect(api.notificationSettings()).resolves.toEqual({
      privacy: 'nameAndText',
      sound: true,
    });
    await api.setNotificationSettings({ privacy: 'nameOnly', sound: false });
    expect(JSON.parse(preferences.getItem(notificationSettingsKey)!)).toEqual({
      privacy: 'nameOnly',
      sound: false,
    });
    await expect(makeApi().notificationSettings()).resolves.toEqual({
      privacy: 'nameOnly',
      sound: false,
    });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('reads damaged stored choices as the defaults', async () => {
    preferences.setItem(notificationSettingsKey, '{"privacy":"everything","sound":"loud"}');
    await expect(makeApi().notificationSettings()).resolves.toEqual({
      privacy: 'nameAndText',
      sound: true,
    });
    preferences.setItem(notificationSettingsKey, 'not json');
    await expect(makeApi().notificationSettings()).resolves.toEqual({
      privacy: 'nameAndText',
      sound: true,
    });
  });

  it('asks the browser for permission when told to, and reports it', async () => {
    const { host } = notificationHost('default', 'granted');
    const api = makeApi(host);
    expect(api.notificationAccess()).toBe('default');
    expect(host.requestPermission).not.toHaveBeenCalled();
    await expect(api.requestNotificationAccess()).resolves.toBe('granted');
    expect(api.notificationAccess()).toBe('granted');
    expect(makeApi(null).notificationAccess()).toBe('unsupported');
  });

  it('shows a notice once allowed; clicking it brings the page forward on the contact', () => {
    const { host, shown } = notificationHost('granted', 'granted');
    const focusWindow = vi.fn();
    const api = makeApi(host, focusWindow);
    const shows = vi.fn();
    api.onShow(shows);

    api.notify({ contactId: 10, title: 'New message', body: 'Carla: Hi', silent: true });
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      title: 'New message',
      options: { body: 'Carla: Hi', silent: true },
    });

    const { notification } = shown[0]!;
    notification.onclick?.call(notification as unknown as Notification, new Event('click'));
    expect(focusWindow).toHaveBeenCalledTimes(1);
    expect(shows).toHaveBeenCalledExactlyOnceWith({ contactId: 10 });
    expect(notification.close).toHaveBeenCalled();
  });

  it('shows nothing without the permission', () => {
    const { host, shown } = notificationHost('denied', 'denied');
    makeApi(host).notify({ contactId: 10, title: 'New message', body: 'x', silent: false });
    expect(shown).toHaveLength(0);
  });
});

describe('browser transport: outbound pictures', () => {
  /** A picture file of known bytes (Node's `File`, which can read its bytes back). */
  function picture(bytes: number[], type = 'image/png'): Blob {
    return new NodeFile([new Uint8Array(bytes)], 'label.png', { type }) as unknown as Blob;
  }

  it('posts the picture\'s bytes as they are, with its type and the bearer token', async () => {
    const uploaded = { id: 31, contentType: 'image/png', size: 4, width: 1, height: 1 };
    fetchMock.mockResolvedValueOnce(json(201, uploaded));
    const file = picture([0x89, 0x50, 0x4e, 0x47]);

    await expect(makeApi().uploadPicture(file)).resolves.toEqual(uploaded);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe(`${origin}/api/uploads`);
    expect(init?.method).toBe('POST');
    const headers = new Headers(init?.headers);
    expect(headers.get('Content-Type')).toBe('image/png');
    expect(headers.get('Authorization')).toBe('Bearer secret');
    // The file itself is the body: no JSON, no form, no copy of it in text.
    expect(init?.body).toBe(file);
    const sent = new Uint8Array(await (init?.body as Blob).arrayBuffer());
    expect([...sent]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('sends a file of no stated type as bytes, for the hub to tell what it is', async () => {
    fetchMock.mockResolvedValueOnce(
      json(201, { id: 32, contentType: 'image/jpeg', size: 2, width: 1, height: 1 }),
    );
    await makeApi().uploadPicture(picture([0xff, 0xd8], ''));
    expect(new Headers(fetchMock.mock.calls[0]![1]?.headers).get('Content-Type')).toBe(
      'application/octet-stream',
    );
  });

  it('rejects with the hub\'s message when it refuses the picture', async () => {
    fetchMock.mockResolvedValueOnce(
      json(400, {
        code: 'badRequest',
        message: 'this picture cannot be sent: it is damaged (JPEG, PNG, GIF and WebP up to 5 MB can)',
      }),
    );
    const refused = makeApi().uploadPicture(picture([1, 2, 3]));
    await expect(refused).rejects.toBeInstanceOf(ApiFailure);
    await expect(refused).rejects.toMatchObject({
      code: 'badRequest',
      message: 'This picture cannot be sent: it is damaged (JPEG, PNG, GIF and WebP up to 5 MB can).',
    });
  });

  it('says the hub cannot be reached when the upload does not get there', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('network down'));
    await expect(makeApi().uploadPicture(picture([1]))).rejects.toMatchObject({
      code: 'unavailable',
    });
    expect(fetchMock, 'an upload is not sent again on its own').toHaveBeenCalledOnce();
  });

  it('sends a message with the ids of its uploaded pictures', async () => {
    fetchMock.mockResolvedValueOnce(json(201, message({ id: 6, direction: 'outbound' })));
    await makeApi().sendMessage({
      contactId: 10,
      interactionId: null,
      body: '',
      uploadIds: [31, 32],
    });
    expect(call(0)).toMatchObject({ url: `${origin}/api/messages`, method: 'POST' });
    expect(call(0).body).toMatchObject({ contactId: 10, body: '', uploadIds: [31, 32] });
  });
});
