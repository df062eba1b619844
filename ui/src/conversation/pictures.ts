// The pictures (MMS) of a conversation: what the transcript may do with them, and how they
// are named and sized.

import type { Agent, Api, Media, MediaSize, MediaSource } from '../api';

/** What a transcript can do with its pictures; the workspace gives the session's. */
export interface PictureActions {
  /** Loads a picture for showing. */
  source(mediaId: number, size: MediaSize): Promise<MediaSource>;
  /**
   * Opens the full-size picture in the operating system's default app (the desktop);
   * absent where the page shows it in its own viewer.
   */
  readonly open?: (mediaId: number) => Promise<void>;
  /** Whether the agent may save copies of pictures (their save-media permission). */
  readonly canSave: boolean;
  /** Saves a copy; resolves to where it went, `null` when the agent cancelled. */
  save(media: Media, contactId: number): Promise<string | null>;
}

const extensions: Record<string, string> = {
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * The file name Parley suggests for a contact's picture, e.g.
 * `parley-contact-7-picture-12.jpg` (the hub and the desktop name it the same way).
 */
export function pictureFileName(contactId: number, mediaId: number, contentType: string): string {
  return `parley-contact-${contactId}-picture-${mediaId}.${extensions[contentType] ?? 'jpg'}`;
}

/** The largest side of a thumbnail in the transcript, in CSS pixels. */
export const thumbnailSide = 200;

/** The box a picture takes before it loads, so the transcript does not jump when it does. */
export function thumbnailBox(
  media: Pick<Media, 'width' | 'height'>,
  side: number = thumbnailSide,
): { width: number; height: number } {
  const { width, height } = media;
  if (width === null || height === null || width <= 0 || height <= 0) {
    return { width: side, height: Math.round((side * 3) / 4) };
  }
  const scale = Math.min(1, side / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** A file's size as the agent reads it: `800 bytes`, `48 KB`, `1.2 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Which picture a notice is about, and what is known of its file. */
export interface PictureFacts {
  /** 0-based, among `count` pictures (of a message, or chosen at once). */
  index: number;
  count: number;
  /** The file's name, when the agent chose it. */
  name?: string;
  /** The type the file claimed, e.g. `image/heic`; empty when unknown. */
  type: string;
  /** Bytes, when known. */
  size: number | null;
}

/**
 * Names a picture in a notice: `Picture 2 of 3 (image/heic, 1.2 MB)`, or `The picture
 * (photo.heic, image/heic, 1.2 MB)` when it is the only one. `article` starts the latter
 * ("a" mid-sentence, "the" by default).
 */
export function pictureLabel(facts: PictureFacts, article: 'The' | 'the' | 'a' = 'The'): string {
  const known = [facts.name, facts.type, facts.size === null ? '' : formatSize(facts.size)]
    .map((fact) => fact?.trim() ?? '')
    .filter((fact) => fact !== '');
  const which =
    facts.count > 1
      ? `${article === 'The' ? 'Picture' : 'picture'} ${facts.index + 1} of ${facts.count}`
      : `${article} picture`;
  return known.length === 0 ? which : `${which} (${known.join(', ')})`;
}

/** A message's pictures in the order the contact sent them. */
export function inOrder(media: readonly Media[]): Media[] {
  return [...media].sort((a, b) => a.position - b.position);
}

/**
 * The picture actions of a workspace: `agent` is read at each use (permissions change
 * live), `act` runs an action as the workspace runs every request.
 */
export function pictureActions(
  api: Api,
  agent: () => Agent,
  act: <T>(action: () => Promise<T>) => Promise<T>,
): PictureActions {
  const openMedia = api.openMedia;
  return {
    source: (mediaId, size) => api.mediaSource(mediaId, size),
    // Handing the file to another app lets it be copied anywhere: that takes the
    // save-media permission. Without it, Open shows the picture in Parley's own viewer.
    get open() {
      if (openMedia === undefined || !agent().permissions.saveMedia) return undefined;
      return (mediaId: number) => act(() => openMedia(mediaId));
    },
    get canSave() {
      return agent().permissions.saveMedia;
    },
    save: (media, contactId) =>
      act(() => api.saveMedia(media.id, pictureFileName(contactId, media.id, media.contentType))),
  };
}
