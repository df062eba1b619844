import { describe, expect, it, vi } from 'vitest';
import { ApiFailure, type Upload } from '../api';
import {
  Attachments,
  failedUploadsText,
  formatSize,
  isPicture,
  MAX_ATTACHMENT_BYTES,
  refusals,
  type UploadPicture,
} from './attachments.svelte';

const file = (name: string, type: string, size = 10) =>
  new File([new Uint8Array(size)], name, { type });

const objectUrls = () => ({ create: vi.fn(() => 'blob:preview'), revoke: vi.fn() });

const uploaded = (id: number): Upload => ({
  id,
  contentType: 'image/jpeg',
  size: 10,
  width: 1,
  height: 1,
});

describe('isPicture', () => {
  it('takes the four types a message can carry, by the type the system gives', () => {
    for (const type of ['image/jpeg', 'image/png', 'image/gif', 'image/webp']) {
      expect(isPicture(file('x', type)), type).toBe(true);
    }
    expect(isPicture(file('photo.heic', 'image/heic'))).toBe(false);
    expect(isPicture(file('logo.svg', 'image/svg+xml'))).toBe(false);
    // A type given wins over the name.
    expect(isPicture(file('fake.jpg', 'application/pdf'))).toBe(false);
  });

  it('goes by the name when the system gives no type', () => {
    expect(isPicture(file('Scan.JPEG', ''))).toBe(true);
    expect(isPicture(file('sticker.webp', ''))).toBe(true);
    expect(isPicture(file('notes', ''))).toBe(false);
    expect(isPicture(new Blob(['x']))).toBe(false);
  });
});

describe('formatSize', () => {
  it('says bytes, KB or MB as the agent reads them', () => {
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(800)).toBe('800 bytes');
    expect(formatSize(48 * 1024)).toBe('48 KB');
    expect(formatSize(MAX_ATTACHMENT_BYTES)).toBe('5.0 MB');
    expect(formatSize(1_300_000)).toBe('1.2 MB');
  });
});

describe('Attachments', () => {
  it('gives every reason for what it left out once, with the files it left out', () => {
    const attachments = new Attachments(objectUrls());
    const refusal = attachments.add(
      [file('a.pdf', 'application/pdf'), file('b.txt', 'text/plain'), file('big.jpg', 'image/jpeg', MAX_ATTACHMENT_BYTES + 1)],
      vi.fn<UploadPicture>(async () => uploaded(1)),
    );
    expect(refusal).toBe(
      `${refusals.notPicture}: picture 1 of 3 (a.pdf, application/pdf, 10 bytes) and ` +
        'picture 2 of 3 (b.txt, text/plain, 10 bytes) were not attached. ' +
        `${refusals.tooLarge}: picture 3 of 3 (big.jpg, image/jpeg, 5.0 MB) was not attached.`,
    );
    expect(attachments.items).toHaveLength(0);
  });

  it('names a single file left out by its name, type and size', () => {
    const attachments = new Attachments(objectUrls());
    expect(attachments.add([file('photo.heic', 'image/heic', 1000)], vi.fn<UploadPicture>())).toBe(
      `${refusals.notPicture}: the picture (photo.heic, image/heic, 1000 bytes) was not attached.`,
    );
  });

  it('names the pictures that did not upload, so the agent knows which to remove', async () => {
    const attachments = new Attachments(objectUrls());
    const upload = vi
      .fn<UploadPicture>()
      .mockResolvedValueOnce(uploaded(1))
      .mockRejectedValueOnce(new ApiFailure('badRequest', 'It is damaged.'))
      .mockRejectedValueOnce(new ApiFailure('badRequest', 'It is damaged.'));
    expect(failedUploadsText(attachments.items)).toBeNull();
    attachments.add(
      [file('a.jpg', 'image/jpeg'), file('b.png', 'image/png', 2048), file('c.gif', 'image/gif')],
      upload,
    );
    await attachments.settled();
    expect(failedUploadsText(attachments.items)).toBe(
      'Picture 2 of 3 (b.png, image/png, 2 KB) and picture 3 of 3 (c.gif, image/gif, 10 bytes) ' +
        'did not upload. Remove them to send the message.',
    );
  });

  it('leaves out of the limits a picture that did not upload', async () => {
    const attachments = new Attachments(objectUrls());
    const upload = vi
      .fn<UploadPicture>()
      .mockRejectedValueOnce(new ApiFailure('badRequest', 'damaged'))
      .mockResolvedValue(uploaded(2));
    attachments.add([file('broken.jpg', 'image/jpeg', MAX_ATTACHMENT_BYTES)], upload);
    await attachments.settled();
    expect(attachments.failed).toBe(true);
    // The broken one will not go, so it takes none of the 5 MB.
    expect(attachments.add([file('fine.jpg', 'image/jpeg', 1000)], upload)).toBeNull();
    await attachments.settled();
    expect(attachments.items.map((attachment) => attachment.state)).toEqual(['failed', 'uploaded']);
  });

  it('waits for uploads started while it waits', async () => {
    const attachments = new Attachments(objectUrls());
    const finishes: (() => void)[] = [];
    const upload = vi.fn<UploadPicture>(
      () => new Promise((resolve) => finishes.push(() => resolve(uploaded(finishes.length)))),
    );
    attachments.add([file('a.jpg', 'image/jpeg')], upload);
    let settled = false;
    void attachments.settled().then(() => (settled = true));
    attachments.add([file('b.jpg', 'image/jpeg')], upload);
    finishes[0]!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled, 'the second upload is still under way').toBe(false);
    finishes[1]!();
    await vi.waitFor(() => expect(settled).toBe(true));
    expect(attachments.uploading).toBe(false);
  });
});
