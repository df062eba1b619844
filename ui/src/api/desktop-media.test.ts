// The desktop transport's pictures, Retry, new numbers and notification settings.

import { Blob as NodeBlob } from 'node:buffer';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { base64Of, createDesktopApi, mediaScheme } from './desktop';

const ipc = vi.hoisted(() => ({ invoke: vi.fn() }));

vi.mock('@tauri-apps/api/core', () => ({
  invoke: ipc.invoke,
  // Tauri's own form: the path is encoded into the scheme's URL.
  convertFileSrc: (path: string, protocol: string) =>
    `http://${protocol}.localhost/${encodeURIComponent(path)}`,
}));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

beforeEach(() => {
  ipc.invoke.mockReset();
  ipc.invoke.mockResolvedValue(null);
});

describe('desktop transport: pictures and the rest', () => {
  it('calls the host commands by their names with camelCase arguments', async () => {
    const api = createDesktopApi();
    const settings = { privacy: 'nameOnly', sound: false } as const;

    await api.retryMessage(9);
    await api.createInteractionForNumber('(201) 555-0123');
    await api.openMedia?.(42);
    await api.saveMedia(42, 'parley-contact-7-picture-42.jpg');
    await api.notificationSettings();
    await api.setNotificationSettings(settings);

    expect(ipc.invoke.mock.calls).toEqual([
      ['retry_message', { messageId: 9 }],
      ['create_interaction_for_number', { phone: '(201) 555-0123', beyondCapacity: false }],
      ['open_media', { mediaId: 42 }],
      // The host names the file itself, the same way, in its save dialog.
      ['save_media', { mediaId: 42 }],
      ['notification_settings', undefined],
      ['set_notification_settings', { settings }],
    ]);
  });

  it('answers where the picture was saved, or null when the agent cancelled', async () => {
    const api = createDesktopApi();
    ipc.invoke.mockResolvedValueOnce('/home/ana/Pictures/parley-contact-7-picture-42.jpg');
    await expect(api.saveMedia(42, 'x')).resolves.toBe(
      '/home/ana/Pictures/parley-contact-7-picture-42.jpg',
    );
    ipc.invoke.mockResolvedValueOnce(null);
    await expect(api.saveMedia(42, 'x')).resolves.toBeNull();
  });

  it('shows pictures from the host\'s own scheme, with nothing to give back', async () => {
    const api = createDesktopApi();
    const thumbnail = await api.mediaSource(42, 'thumbnail');
    const full = await api.mediaSource(42, 'full');
    expect(mediaScheme).toBe('parley-media');
    // `/thumbnail` is a path segment of its own, as the host reads it, never `%2Fthumbnail`.
    expect(thumbnail.url).toBe('http://parley-media.localhost/42/thumbnail');
    expect(full.url).toBe('http://parley-media.localhost/42');
    thumbnail.release();
    expect(ipc.invoke, 'no command is needed to show a picture').not.toHaveBeenCalled();
  });

  it('leaves notifications to the host', async () => {
    const api = createDesktopApi();
    expect(api.notificationAccess()).toBe('host');
    await expect(api.requestNotificationAccess()).resolves.toBe('host');
    api.notify({ contactId: 1, title: 'x', body: 'y', silent: false });
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('reads the hub\'s opt-out refusal as its own code', async () => {
    ipc.invoke.mockRejectedValueOnce({ code: 'optedOut', message: 'the contact opted out' });
    await expect(createDesktopApi().retryMessage(9)).rejects.toMatchObject({
      code: 'optedOut',
      message: 'The contact opted out.',
    });
  });
});

describe('desktop transport: outbound pictures', () => {
  it('hands the picture to the host as base64 with its type', async () => {
    const uploaded = { id: 31, contentType: 'image/png', size: 6, width: 1, height: 1 };
    ipc.invoke.mockResolvedValueOnce(uploaded);
    // "Parley" in bytes is "UGFybGV5" in base64.
    const file = new NodeBlob([new Uint8Array([80, 97, 114, 108, 101, 121])], {
      type: 'image/png',
    }) as unknown as Blob;

    await expect(createDesktopApi().uploadPicture(file)).resolves.toEqual(uploaded);
    expect(ipc.invoke.mock.calls).toEqual([
      ['upload_media', { contentType: 'image/png', data: 'UGFybGV5' }],
    ]);
  });

  it('encodes every byte value, with padding', () => {
    expect(base64Of(new Uint8Array([]))).toBe('');
    expect(base64Of(new Uint8Array([0xff]))).toBe('/w==');
    expect(base64Of(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
    const every = Uint8Array.from({ length: 256 }, (_, index) => index);
    expect(base64Of(every)).toBe(Buffer.from(every).toString('base64'));
  });

  it('encodes a picture of several megabytes whole, slice after slice', () => {
    // Larger than the most arguments a call can take, and not a whole number of slices.
    const bytes = Uint8Array.from({ length: 5 * 1024 * 1024 + 7 }, (_, index) => (index * 31) % 251);
    expect(base64Of(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('rejects with the host\'s reason when the hub refuses the picture', async () => {
    ipc.invoke.mockRejectedValueOnce({
      code: 'badRequest',
      message: 'this picture cannot be sent: it is not a picture',
    });
    const file = new NodeBlob([new Uint8Array([1])], { type: 'image/jpeg' }) as unknown as Blob;
    await expect(createDesktopApi().uploadPicture(file)).rejects.toMatchObject({
      code: 'badRequest',
      message: 'This picture cannot be sent: it is not a picture.',
    });
  });
});
