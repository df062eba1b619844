// Whether Retry is offered for a message that did not reach the contact: only when another
// try may get through, as the carrier's error table (the hub's, copied here) says.

import { carrierErrors, type Message } from '../api';

/** Whether sending again may help, by carrier error code. */
const retryByCode = new Map<number, boolean>(
  carrierErrors.map((entry) => [entry.code, entry.retry] as const),
);

/**
 * Whether Retry may get a failed or undelivered message through: not for an incorrect
 * number, an opt-out, a landline or a number out of service. A code the table does not
 * know, or none (the carrier was not reached), is worth another try.
 */
export function retryMayHelp(message: Message): boolean {
  if (message.errorCode === null) return true;
  return retryByCode.get(message.errorCode) ?? true;
}

/** What became of a message the agent sent again, as it moves on. */
export function retryOutcome(message: Message): string {
  switch (message.status) {
    case 'delivered':
      return 'Sent again: delivered.';
    case 'failed':
    case 'undelivered':
      return 'Sent again, and it did not go through this time either.';
    default:
      return 'Sent again: waiting for the carrier…';
  }
}
