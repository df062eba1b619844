import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../api';
import {
  fakeApi,
  interaction,
  keepInteractions,
  message,
  session,
  summary,
} from '../testing/fixtures';
import AgentWorkspace from './AgentWorkspace.svelte';

function setup(
  held: ReturnType<typeof interaction>[],
  agentOverrides: Parameters<typeof session>[0] = {},
) {
  const fake = fakeApi('browser');
  const { api } = fake;
  api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001' }),
    summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
  ]);
  api.listMessages.mockResolvedValue([message({ id: 1, contactId: 10, body: 'Hello' })]);
  keepInteractions(api, held);
  const onSignedOut = vi.fn();
  render(AgentWorkspace, { api, session: session(agentOverrides), onSignedOut });
  return { ...fake, onSignedOut, user: userEvent.setup() };
}

describe('leaving with chats open', () => {
  const carla = interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 });

  it('asks before signing out with open chats, and says they go back to the queue', async () => {
    const { api, user, onSignedOut } = setup([carla]);
    await screen.findByTestId('interaction-item');
    await user.click(screen.getByTestId('sign-out'));
    const question = await screen.findByRole('alertdialog', { name: 'Sign out with 1 open chat?' });
    expect(question).toHaveTextContent('will go back to the queue');
    await user.click(within(question).getByRole('button', { name: 'Stay signed in' }));
    expect(api.logout).not.toHaveBeenCalled();
    expect(onSignedOut).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('sign-out'));
    const again = await screen.findByRole('alertdialog');
    await user.click(within(again).getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(onSignedOut).toHaveBeenCalledOnce());
    expect(api.logout).toHaveBeenCalledOnce();
  });

  it('signs out at once with no chats open', async () => {
    const { api, user, onSignedOut } = setup([]);
    await screen.findAllByTestId('contact-item');
    await user.click(screen.getByTestId('sign-out'));
    await waitFor(() => expect(onSignedOut).toHaveBeenCalledOnce());
    expect(api.logout).toHaveBeenCalledOnce();
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('Create SMS Interaction at the limit', () => {
  it('asks, and opens the chat beyond the limit only when the agent says so', async () => {
    const { api, user } = setup([], { maxChats: 1 });
    api.createInteraction.mockRejectedValueOnce(
      new ApiFailure('atCapacity', 'you already have 1 chats open, your limit'),
    );
    await user.click(await screen.findByRole('button', { name: /Carla/ }));
    await user.click(screen.getByTestId('create-interaction'));
    const question = await screen.findByRole('alertdialog', {
      name: 'Open a chat beyond your limit?',
    });
    expect(question).toHaveTextContent('You already have 1 of 1 chats open.');
    expect(api.createInteraction).toHaveBeenCalledExactlyOnceWith(10, false);
    await user.click(within(question).getByRole('button', { name: 'Open it anyway' }));
    await waitFor(() => expect(api.createInteraction).toHaveBeenLastCalledWith(10, true));
    expect(await screen.findByTestId('interaction-view')).toBeInTheDocument();
  });

  it('stays put when the agent says no, without an error', async () => {
    const { api, user } = setup([], { maxChats: 1 });
    api.createInteraction.mockRejectedValueOnce(new ApiFailure('atCapacity', 'at your limit'));
    await user.click(await screen.findByRole('button', { name: /Carla/ }));
    await user.click(screen.getByTestId('create-interaction'));
    await user.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(api.createInteraction).toHaveBeenCalledOnce();
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(screen.queryByTestId('create-interaction-error')).toBeNull();
  });

  it('is not offered for a contact who opted out', async () => {
    const { api, user } = setup([]);
    api.listContacts.mockResolvedValue([
      summary({ id: 10, name: 'Carla', phone: '+15551230001', optedOut: true }),
    ]);
    await user.click(await screen.findByRole('button', { name: /Carla/ }));
    expect(screen.getByTestId('create-interaction')).toBeDisabled();
  });
});

describe('the agent set Not Ready by the hub', () => {
  it('says plainly that a missed offer made them Not Ready, with Set Ready', async () => {
    const { api, user } = setup([], { status: 'notReady', statusReason: 'Not responding' });
    const notice = await screen.findByTestId('status-notice');
    expect(notice).toHaveAttribute('role', 'alert');
    expect(notice).toHaveTextContent('an SMS offer was not accepted in time');
    await user.click(within(notice).getByRole('button', { name: 'Set Ready' }));
    expect(api.setStatus).toHaveBeenCalledWith('ready', null);
  });
});

describe('a session about to end', () => {
  it('warns first, and signing in again with the password keeps the agent signed in', async () => {
    // The desktop is online from the start: only the session's end is told.
    const fake = fakeApi('desktop');
    const { api } = fake;
    keepInteractions(api, [interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 })]);
    const later = Date.now() + 12 * 60 * 60_000;
    api.login.mockResolvedValue({ ...session(), sessionEndsAt: later });
    render(AgentWorkspace, {
      api,
      session: { ...session(), sessionEndsAt: Date.now() + 5 * 60_000 },
      onSignedOut: vi.fn(),
    });
    const notice = await screen.findByTestId('status-notice');
    await waitFor(() => expect(notice).toHaveTextContent('your open chat goes back to the queue'));
    const user = userEvent.setup();
    await user.type(within(notice).getByLabelText('Password'), 'ana-password');
    await user.click(within(notice).getByRole('button', { name: 'Stay signed in' }));
    expect(api.login).toHaveBeenCalledWith({
      hubUrl: 'http://hub.test',
      login: 'ana',
      password: 'ana-password',
    });
    await waitFor(() => expect(screen.queryByTestId('status-notice')).toBeNull());
  });
});
