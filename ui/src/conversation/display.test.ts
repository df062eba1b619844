import { describe, expect, it } from 'vitest';
import {
  endedByLabel,
  formatDuration,
  originLabel,
  startOfDay,
  statusLabel,
} from './display';

describe('display', () => {
  it('names the Not Ready reason after the status', () => {
    expect(statusLabel({ status: 'ready', statusReason: null })).toBe('Ready');
    // A stale reason does not leak into Ready.
    expect(statusLabel({ status: 'ready', statusReason: 'Lunch' })).toBe('Ready');
    expect(statusLabel({ status: 'notReady', statusReason: null })).toBe('Not Ready');
    expect(statusLabel({ status: 'notReady', statusReason: '  ' })).toBe('Not Ready');
    expect(statusLabel({ status: 'notReady', statusReason: 'Not responding' })).toBe(
      'Not Ready — Not responding',
    );
  });

  it('says who ended the chat only while it is ended', () => {
    expect(endedByLabel({ state: 'ended', endedBy: 'contact' })).toBe('The contact ended the chat');
    expect(endedByLabel({ state: 'ended', endedBy: 'agent' })).toBe('You ended the chat');
    expect(endedByLabel({ state: 'ended', endedBy: null })).toBe('The chat ended');
    expect(endedByLabel({ state: 'active', endedBy: null })).toBeNull();
  });

  it('tells inbound from Create SMS Interaction by the offer', () => {
    expect(originLabel({ offeredAt: 5 })).toBe('Inbound SMS');
    expect(originLabel({ offeredAt: null })).toBe('Outbound (Create SMS Interaction)');
  });

  it('starts today at local midnight', () => {
    const now = new Date(2024, 3, 23, 15, 42, 7, 123);
    expect(startOfDay(now)).toBe(new Date(2024, 3, 23).getTime());
    expect(startOfDay(new Date(2024, 3, 23))).toBe(new Date(2024, 3, 23).getTime());
  });

  it('formats durations as m:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(4_600)).toBe('0:05');
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('62:05');
    expect(formatDuration(-10)).toBe('0:00');
  });
});
