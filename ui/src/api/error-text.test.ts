import { describe, expect, it } from 'vitest';
import { ApiFailure } from './contract';
import { asSentence } from './error-text';

describe('asSentence', () => {
  it('makes a sentence of a host\'s message: a capital first, a full stop last', () => {
    expect(asSentence('choose a disposition before Done')).toBe(
      'Choose a disposition before Done.',
    );
    expect(asSentence('this picture cannot be sent: it is damaged (JPEG up to 5 MB can)')).toBe(
      'This picture cannot be sent: it is damaged (JPEG up to 5 MB can).',
    );
    // A sentence already is left as it is; a quoted value keeps its own letters.
    expect(asSentence('Wrong login or password.')).toBe('Wrong login or password.');
    expect(asSentence('"x" is not an email address')).toBe('"x" is not an email address.');
    expect(asSentence('  ')).toBe('');
  });

  it('says what the agent knows in place of field names, codes and internal parts', () => {
    expect(asSentence('clientKey must be 1 to 128 characters')).toBe(
      'Message key must be 1 to 128 characters.',
    );
    expect(asSentence('this client key belongs to another message')).toBe(
      'This message key belongs to another message.',
    );
    expect(asSentence('unknown interaction_id 42')).toBe('Unknown interaction 42.');
    expect(asSentence('the hub answered HTTP 409 Conflict')).toBe(
      'The hub answered error 409 Conflict.',
    );
    expect(asSentence('store error: disk full')).toBe('Database error: disk full.');
    expect(asSentence('websocket: closed')).toBe('Live connection: closed.');
  });
});

describe('ApiFailure.fromWire', () => {
  it('gives the agent a sentence, and one of its own when the host said nothing', () => {
    expect(ApiFailure.fromWire({ code: 'conflict', message: 'this offer is no longer open' }))
      .toMatchObject({ code: 'conflict', message: 'This offer is no longer open.' });
    const silent = ApiFailure.fromWire({ code: 'forbidden' });
    expect(silent?.message, 'never the bare code').toBe('Your account is not allowed to do this.');
    expect(ApiFailure.fromWire({ code: 'noSuchCode', message: 'x' })).toBeNull();
  });
});
