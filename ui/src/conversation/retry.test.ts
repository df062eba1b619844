import { describe, expect, it } from 'vitest';
import { message } from '../testing/fixtures';
import { retryMayHelp, retryOutcome } from './retry';

describe('retry', () => {
  const failedWith = (errorCode: number | null) =>
    message({ direction: 'outbound', status: 'failed', errorCode, agentId: 1 });

  it('is offered only where another try may get through', () => {
    for (const permanent of [21211, 21610, 30004, 30005, 30006, 21614]) {
      expect(retryMayHelp(failedWith(permanent)), String(permanent)).toBe(false);
    }
    for (const passing of [30001, 30003, 20429, 30008, 99999, null]) {
      expect(retryMayHelp(failedWith(passing)), String(passing)).toBe(true);
    }
  });

  it('tells what became of the new try', () => {
    expect(retryOutcome(message({ status: 'queued' }))).toBe('Sent again: waiting for the carrier…');
    expect(retryOutcome(message({ status: 'delivered' }))).toBe('Sent again: delivered.');
    expect(retryOutcome(message({ status: 'failed' }))).toContain('did not go through');
  });
});
