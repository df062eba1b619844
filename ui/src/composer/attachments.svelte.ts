// The pictures an agent attaches to a message (MMS): which ones may go, their upload to the
// hub as soon as they are attached, and the local previews shown until they are sent.

import { ApiFailure, limits, type Upload } from '../api';
import { formatSize, pictureLabel } from '../conversation/pictures';

/** The most pictures one message can carry (Twilio's limit, which the hub enforces too). */
export const MAX_ATTACHMENTS = limits.maxAttachments;
/** The most bytes the pictures of one message can carry together. */
export const MAX_ATTACHMENT_BYTES = limits.maxAttachmentBytes;

/** The pictures a message can carry, as the file picker asks for them. */
export const pictureTypes = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** Names of pictures whose file type the system did not say. */
const pictureExtensions = /\.(jpe?g|png|gif|webp)$/i;

export const refusals = {
  notPicture: 'Only JPEG, PNG, GIF and WebP pictures can be sent',
  tooMany: `At most ${MAX_ATTACHMENTS} pictures can go with one message`,
  tooLarge: 'The pictures together are larger than 5 MB, the most one message can carry',
} as const;

/** Uploads one picture; the transports' `uploadPicture`. */
export type UploadPicture = (picture: File | Blob) => Promise<Upload>;

/** Blob URLs for the previews. */
export interface ObjectUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

const pageObjectUrls: ObjectUrls = {
  create: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
};

export type AttachmentState = 'uploading' | 'uploaded' | 'failed';

let nextKey = 1;

/** One attached picture: its preview, and how its upload went. */
export class Attachment {
  /** Tells attachments apart while they are shown (two may be the same file). */
  readonly key = nextKey++;
  readonly name: string;
  /** The type the file claimed; empty when the system did not say. */
  readonly type: string;
  readonly size: number;
  /** A blob URL of the file itself, freed when the attachment goes. */
  readonly preview: string;
  state: AttachmentState = $state('uploading');
  /** What the hub made of it, once uploaded. */
  upload: Upload | null = $state(null);
  /** Why the upload failed, in the hub's words when it gave them. */
  error: string | null = $state(null);

  constructor(file: File | Blob, preview: string) {
    this.name = file instanceof File && file.name !== '' ? file.name : 'Pasted picture';
    this.type = file.type;
    this.size = file.size;
    this.preview = preview;
  }
}

/** Whether the file is a picture a message can carry, by its type or else by its name. */
export function isPicture(file: File | Blob): boolean {
  if (file.type !== '') return (pictureTypes as readonly string[]).includes(file.type);
  return file instanceof File && pictureExtensions.test(file.name);
}

/** Sizes read as in the transcript. */
export { formatSize };

/** What a chosen file tells of itself. */
function chosen(file: File | Blob): { name: string | undefined; type: string; size: number } {
  const name = file instanceof File && file.name !== '' ? file.name : undefined;
  return { name, type: file.type, size: file.size };
}

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Which attached pictures did not upload, for the notice that holds the message back, e.g.
 * `Picture 2 of 3 (photo.jpg, image/jpeg, 1.2 MB) did not upload. Remove it to send the
 * message.`; `null` when every picture uploaded or is uploading.
 */
export function failedUploadsText(items: readonly Attachment[]): string | null {
  const failed = items.flatMap((attachment, index) =>
    attachment.state === 'failed' ? [index] : [],
  );
  if (failed.length === 0) return null;
  const labels = failed.map((index, order) => {
    const { name, type, size } = items[index]!;
    const article = order === 0 ? 'The' : 'the';
    return pictureLabel({ name, type, size, index, count: items.length }, article);
  });
  const them = failed.length === 1 ? 'it' : 'them';
  return `${listed(labels)} did not upload. Remove ${them} to send the message.`;
}

/**
 * The pictures attached to one message being written. Each uploads as soon as it is
 * attached, whether or not the composer is still shown; the list belongs to the draft.
 */
export class Attachments {
  items: Attachment[] = $state([]);
  readonly #objectUrls: ObjectUrls;
  readonly #uploads = new Set<Promise<void>>();

  constructor(objectUrls: ObjectUrls = pageObjectUrls) {
    this.#objectUrls = objectUrls;
  }

  /** Pictures that go with the message: the ones uploaded and the ones uploading. */
  get going(): Attachment[] {
    return this.items.filter((attachment) => attachment.state !== 'failed');
  }

  get uploading(): boolean {
    return this.items.some((attachment) => attachment.state === 'uploading');
  }

  /** Some picture did not upload: the message waits until the agent removes it. */
  get failed(): boolean {
    return this.items.some((attachment) => attachment.state === 'failed');
  }

  /**
   * Attaches the files that may go and starts their uploads. Files that may not go are
   * left out before anything is uploaded; the answer says which and why, `null` when none
   * was.
   */
  add(files: readonly (File | Blob)[], upload: UploadPicture): string | null {
    /** The files left out, by reason. */
    const refused = new Map<string, string[]>();
    let count = this.going.length;
    let bytes = this.going.reduce((total, attachment) => total + attachment.size, 0);
    files.forEach((file, index) => {
      let reason: string | null = null;
      if (!isPicture(file)) reason = refusals.notPicture;
      else if (count >= MAX_ATTACHMENTS) reason = refusals.tooMany;
      else if (bytes + file.size > MAX_ATTACHMENT_BYTES) reason = refusals.tooLarge;
      if (reason === null) {
        count += 1;
        bytes += file.size;
        this.#start(file, upload);
        return;
      }
      const label = pictureLabel({ ...chosen(file), index, count: files.length }, 'the');
      refused.set(reason, [...(refused.get(reason) ?? []), label]);
    });
    if (refused.size === 0) return null;
    return [...refused]
      .map(([reason, labels]) => {
        const were = labels.length === 1 ? 'was' : 'were';
        return `${reason}: ${listed(labels)} ${were} not attached.`;
      })
      .join(' ');
  }

  #start(file: File | Blob, upload: UploadPicture): void {
    // A class instance is kept as it is in the list (not proxied): its own fields are state.
    const attachment = new Attachment(file, this.#objectUrls.create(file));
    this.items.push(attachment);
    const uploading = upload(file).then(
      (uploaded) => {
        attachment.upload = uploaded;
        attachment.state = 'uploaded';
      },
      (failure: unknown) => {
        attachment.error =
          failure instanceof ApiFailure ? failure.message : 'The picture did not upload.';
        attachment.state = 'failed';
      },
    );
    this.#uploads.add(uploading);
    void uploading.finally(() => this.#uploads.delete(uploading));
  }

  /** Resolves once no upload is under way, those started meanwhile included. */
  async settled(): Promise<void> {
    while (this.#uploads.size > 0) await Promise.all([...this.#uploads]);
  }

  /** Removes pictures (the agent's Remove, or once sent) and frees their previews. */
  remove(...gone: readonly Attachment[]): void {
    const keys = new Set(gone.map((attachment) => attachment.key));
    for (const attachment of this.items) {
      if (keys.has(attachment.key)) this.#objectUrls.revoke(attachment.preview);
    }
    this.items = this.items.filter((attachment) => !keys.has(attachment.key));
  }

  /** Removes every picture; the draft is done with. */
  clear(): void {
    this.remove(...this.items);
  }
}
