import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../api';
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
      statusNotice({ status: 'notReady', statusReason: 'Session ended' }, 'online', 0, 120_000)
        ?.text,
    ).toContain('went back to the queue');
    expect(
      statusNotice({ status: 'notReady', statusReason: 'Signed out' }, 'online', 0, 120_000),
      'the agent signed out themselves: nothing to tell',
    ).toBeNull();
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

  it('warns before the session ends, saying the chats go back to the queue', () => {
    const notice = statusNotice(ready, 'online', 2, 120_000, 10 * 60_000);
    expect(notice?.text).toContain('Your session ends in 10 minutes');
    expect(notice?.text).toContain('your 2 open chats go back to the queue');
    expect(notice?.renew).toBe(true);
    expect(statusNotice(ready, 'online', 2, 120_000, 60 * 60_000)).toBeNull();
    expect(statusNotice(ready, 'online', 2, 120_000, null)).toBeNull();
  });

  it('signs in again with the password, and says why when it is refused', async () => {
    const onRenew = vi
      .fn<(password: string) => Promise<void>>()
      .mockRejectedValueOnce(new ApiFailure('unauthorized', 'The login or password is wrong.'))
      .mockResolvedValueOnce();
    render(StatusNotice, {
      notice: { kind: 'warning', text: 'Your session ends in 5 minutes.', ready: false, renew: true },
      onReady: vi.fn(),
      onRenew,
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Stay signed in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The login or password is wrong.');
    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'right');
    await user.click(screen.getByRole('button', { name: 'Stay signed in' }));
    expect(onRenew).toHaveBeenLastCalledWith('right');
    await vi.waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });
});
