import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import StatusNotice, { statusNotice } from './StatusNotice.svelte';

describe('statusNotice', () => {
  const ready = { status: 'ready', statusReason: null } as const;

  it('says plainly that a missed offer set the agent Not Ready', () => {
    const notice = statusNotice({ status: 'notReady', statusReason: 'Not responding' }, 'online', 0, 120_000);
    expect(notice?.kind).toBe('alert');
    expect(notice?.text).toContain('not accepted in time');
    expect(notice?.ready).toBe(true);
  });

  it('tells why chats went back to the queue after signing out or going offline', () => {
    expect(
      statusNotice({ status: 'notReady', statusReason: 'Offline' }, 'online', 0, 120_000)?.text,
    ).toContain('lost its link');
    expect(
      statusNotice({ status: 'notReady', statusReason: 'Signed out' }, 'online', 0, 120_000)?.text,
    ).toContain('went back to the queue');
  });

  it('warns first when offline with open chats, naming the grace period', () => {
    expect(statusNotice(ready, 'offline', 2, 120_000)?.text).toContain(
      'more than 2 minutes, your open 2 chats go back to the queue',
    );
    expect(statusNotice(ready, 'offline', 0, 120_000)).toBeNull();
    expect(statusNotice(ready, 'offline', 2, 0)).toBeNull();
  });

  it('says nothing for a reason the agent chose', () => {
    expect(statusNotice({ status: 'notReady', statusReason: 'Lunch' }, 'online', 0, 120_000)).toBeNull();
    expect(statusNotice(ready, 'online', 3, 120_000)).toBeNull();
  });

  it('offers Set Ready', async () => {
    const onReady = vi.fn();
    render(StatusNotice, {
      notice: { kind: 'alert', text: 'You were set to Not Ready.', ready: true },
      onReady,
    });
    expect(screen.getByRole('alert')).toHaveTextContent('You were set to Not Ready.');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Set Ready' }));
    expect(onReady).toHaveBeenCalledOnce();
  });
});
