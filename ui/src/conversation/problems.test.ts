import { describe, expect, it } from 'vitest';
import { carrierErrors, type MediaIssue } from '../api';
import { media, message } from '../testing/fixtures';
import {
  attachmentIssueText,
  deliveryProblemText,
  incorrectNumberText,
  optedOutText,
  reachabilityWarning,
} from './problems';

const outbound = { direction: 'outbound', agentId: 1 } as const;

describe('delivery problems', () => {
  it('says what the carrier error means, from the generated table', () => {
    const switchedOff = carrierErrors.find((entry) => entry.code === 30003);
    expect(switchedOff, 'the table generated from the hub knows 30003').toBeDefined();
    expect(
      deliveryProblemText(message({ ...outbound, status: 'undelivered', errorCode: 30003 })),
    ).toBe(switchedOff!.text);
    expect(deliveryProblemText(message({ ...outbound, status: 'failed', errorCode: 21610 }))).toBe(
      'The contact has opted out of texts (STOP). They must text START first.',
    );
  });

  it('names a code the table does not know, and says the message was not sent without one', () => {
    expect(
      deliveryProblemText(message({ ...outbound, status: 'undelivered', errorCode: 39999 })),
    ).toBe('The message was not delivered (error 39999).');
    expect(deliveryProblemText(message({ ...outbound, status: 'failed', errorCode: null }))).toBe(
      'The message was not sent.',
    );
  });

  it('has nothing to say about a message that is on its way, delivered or received', () => {
    for (const status of ['pending', 'queued', 'sent', 'delivered'] as const) {
      expect(deliveryProblemText(message({ ...outbound, status }))).toBeNull();
    }
    // An inbound message never "fails" for the agent, whatever it carries.
    expect(deliveryProblemText(message({ status: 'failed', errorCode: 30003 }))).toBeNull();
  });
});

describe('attachment issues', () => {
  it('names the picture by its place, the type it claimed and its size when known', () => {
    const heic = media({ state: 'issue', issue: 'unsupportedType', contentType: 'image/heic', size: 1_300_000 });
    expect(attachmentIssueText(heic, { index: 1, count: 3 })).toMatch(
      /^Picture 2 of 3 \(image\/heic, 1\.2 MB\) could not be shown: /,
    );
    // The only picture of its message; a file never fetched has no size.
    expect(
      attachmentIssueText(media({ state: 'issue', issue: 'fetchFailed', size: null }), { index: 0, count: 1 }),
    ).toMatch(/^The picture \(image\/jpeg\) could not be shown: /);
  });

  it('gives the reason and one piece of advice that fits each issue', () => {
    const text = (issue: MediaIssue | null) =>
      attachmentIssueText(media({ state: 'issue', issue, contentType: '', size: null }));
    expect(text('unsupportedType')).toBe(
      'The picture could not be shown: Parley shows only JPEG, PNG, GIF and WebP pictures. ' +
        'Ask the contact to send it in one of those types (a screenshot of it will do).',
    );
    expect(text('tooLarge')).toBe(
      'The picture could not be shown: it is larger than Parley takes (5 MB, or too many pixels). ' +
        'Ask the contact to send a smaller copy, such as a screenshot of it.',
    );
    expect(text('corrupt')).toBe(
      'The picture could not be shown: the file is damaged. Ask the contact to send it again.',
    );
    expect(text('fetchFailed')).toBe(
      'The picture could not be shown: it could not be downloaded from the carrier. ' +
        'Ask the contact to send it again in a few minutes.',
    );
    expect(text(null)).toBe(
      'The picture could not be shown: the file could not be read. Ask the contact to send it again.',
    );
    // A file that never arrived, or a damaged one, has no format to check.
    for (const issue of ['fetchFailed', 'corrupt', 'tooLarge'] as const) {
      expect(text(issue), issue).not.toMatch(/format/i);
    }
  });
});

describe('numbers', () => {
  it('warns about each kind of number texts may not reach', () => {
    expect(reachabilityWarning('landline')).toBe('This number may not receive SMS (landline).');
    expect(reachabilityWarning('unreachable')).toBe(
      'This number may not receive SMS (the carrier cannot reach it).',
    );
    expect(reachabilityWarning('unknownNumber')).toBe(
      'This number may not receive SMS (the number is not in service).',
    );
    expect(reachabilityWarning(null)).toBeNull();
  });

  it('says who opted out and how they can be written to again', () => {
    expect(optedOutText('Carla')).toBe(
      'Carla opted out of text messages (STOP). You can write again once they text START.',
    );
  });

  it('says "The number is incorrect" with the hub\'s detail', () => {
    expect(
      incorrectNumberText(
        'the number "12" is incorrect: check it, or write it with its country code (such as +1 201 555 0123)',
      ),
    ).toBe(
      'The number "12" is incorrect: check it, or write it with its country code (such as +1 201 555 0123)',
    );
    expect(incorrectNumberText('too short')).toBe('The number is incorrect: too short');
    expect(incorrectNumberText('')).toBe('The number is incorrect.');
  });
});
