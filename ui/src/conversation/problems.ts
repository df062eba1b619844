// What went wrong with a message, a picture or a number, in words an agent can act on.

import {
  carrierErrors,
  limits,
  type Media,
  type MediaIssue,
  type Message,
  type Reachability,
} from '../api';
import { pictureLabel } from './pictures';

/** What each carrier error code means for the agent, by code. */
const carrierTexts = new Map<number, string>(
  carrierErrors.map((entry) => [entry.code, entry.text] as const),
);

/** Whether an outbound message did not reach the contact. */
export function isDeliveryProblem(message: Message): boolean {
  return (
    message.direction === 'outbound' &&
    (message.status === 'failed' || message.status === 'undelivered')
  );
}

/**
 * Why a failed or undelivered message did not reach the contact; `null` for any other
 * message. A code the table does not know is still named, so it can be looked up.
 */
export function deliveryProblemText(message: Message): string | null {
  if (!isDeliveryProblem(message)) return null;
  const code = message.errorCode;
  if (code === null) return 'The message was not sent.';
  return carrierTexts.get(code) ?? `The message was not delivered (error ${code}).`;
}

/** The most one picture of an MMS can be, as the agent reads it. */
const largestPicture = `${limits.maxAttachmentBytes / (1024 * 1024)} MB`;

const issueReasons: Record<MediaIssue, string> = {
  unsupportedType: 'Parley shows only JPEG, PNG, GIF and WebP pictures',
  tooLarge: `it is larger than Parley takes (${largestPicture}, or too many pixels)`,
  corrupt: 'the file is damaged',
  fetchFailed: 'it could not be downloaded from the carrier',
};

/** What the agent can do about each issue: one sentence. */
const issueAdviceTexts: Record<MediaIssue, string> = {
  unsupportedType: 'Ask the contact to send it in one of those types (a screenshot of it will do).',
  tooLarge: 'Ask the contact to send a smaller copy, such as a screenshot of it.',
  corrupt: 'Ask the contact to send it again.',
  fetchFailed: 'Ask the contact to send it again in a few minutes.',
};

/** Why a picture could not be shown, e.g. "the file is damaged". */
export function issueReason(media: Pick<Media, 'issue'>): string {
  return media.issue === null ? 'the file could not be read' : issueReasons[media.issue];
}

/** What to do about a picture that could not be shown: one sentence. */
export function issueAdvice(media: Pick<Media, 'issue'>): string {
  return media.issue === null ? issueAdviceTexts.corrupt : issueAdviceTexts[media.issue];
}

/** Where a picture is among its message's: 0-based `index` of `count`. */
export interface PicturePlace {
  index: number;
  count: number;
}

/** What a notice about a picture of a message calls it, e.g. "Picture 2 of 3 (image/heic)". */
export function issuePictureLabel(
  media: Pick<Media, 'contentType' | 'size'>,
  place: PicturePlace,
  article: 'The' | 'a' = 'The',
): string {
  return pictureLabel({ ...place, type: media.contentType, size: media.size }, article);
}

/**
 * The transcript's line for a picture that could not be shown: which one it is, why, and
 * what to ask of the contact, e.g. "Picture 2 of 3 (image/heic, 1.2 MB) could not be shown:
 * Parley shows only JPEG, PNG, GIF and WebP pictures. Ask the contact to send it in one of
 * those types (a screenshot of it will do)."
 */
export function attachmentIssueText(
  media: Pick<Media, 'issue' | 'contentType' | 'size'>,
  place: PicturePlace = { index: 0, count: 1 },
): string {
  const which = issuePictureLabel(media, place);
  return `${which} could not be shown: ${issueReason(media)}. ${issueAdvice(media)}`;
}

const reachabilityReasons: Record<Reachability, string> = {
  landline: 'landline',
  unreachable: 'the carrier cannot reach it',
  unknownNumber: 'the number is not in service',
};

/** The warning for a number texts may not reach; `null` when nothing is known against it. */
export function reachabilityWarning(reachability: Reachability | null): string | null {
  return reachability === null
    ? null
    : `This number may not receive SMS (${reachabilityReasons[reachability]}).`;
}

/** Why the composer is locked for a contact who texted STOP. */
export function optedOutText(contact: string): string {
  return `${contact} opted out of text messages (STOP). You can write again once they text START.`;
}

/**
 * The hub's refusal of a number, in the guide's words ("The number is incorrect") with the
 * hub's detail of what to check.
 */
export function incorrectNumberText(hubMessage: string): string {
  const detail = hubMessage.trim();
  if (detail === '') return 'The number is incorrect.';
  if (/is incorrect/i.test(detail)) return capitalize(detail);
  // The hub's detail may come as a sentence of its own: here it goes on after a colon.
  const first = /^[A-Z][a-z]/.test(detail) ? detail.charAt(0).toLowerCase() : detail.charAt(0);
  return `The number is incorrect: ${first}${detail.slice(1)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
