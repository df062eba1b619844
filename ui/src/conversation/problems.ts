// What went wrong with a message, a picture or a number, in words an agent can act on.

import { carrierErrors, type Media, type MediaIssue, type Message, type Reachability } from '../api';

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

const issueReasons: Record<MediaIssue, string> = {
  unsupportedType: 'the file type is not supported',
  tooLarge: 'the file is too large',
  corrupt: 'the file is damaged',
  fetchFailed: 'it could not be downloaded from the carrier',
};

/** Why a picture could not be shown, e.g. "the file is damaged". */
export function issueReason(media: Pick<Media, 'issue'>): string {
  return media.issue === null ? 'the file could not be read' : issueReasons[media.issue];
}

/** The transcript's line for a picture that could not be shown (the guide's advice). */
export function attachmentIssueText(media: Pick<Media, 'issue'>): string {
  return `A picture could not be shown: ${issueReason(media)}. Ask the contact to check the file format and send it again.`;
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
  return `The number is incorrect: ${detail}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
