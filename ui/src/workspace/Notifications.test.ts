import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure, noPolicy, type Api, type Event } from '../api';
import { fakeApi, keepInteractions, message, session, summary } from '../testing/fixtures';
import AgentWorkspace from './AgentWorkspace.svelte';

let seq = 0;
function replyFrom(contactId: number, at = Date.now()): Event {
  seq += 1;
  return {
    seq,
    at,
    kind: {
      type: 'message',
      message: message({ id: 900 + seq, contactId, interactionId: null, body: 'Any news?' }),
    },
  };
}

async function workspace(
  mode: Api['mode'] = 'browser',
  configure: (api: ReturnType<typeof fakeApi>['api']) => void = () => {},
) {
  const fake = fakeApi(mode);
  fake.api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001' }),
    summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
  ]);
  fake.api.notificationAccess.mockReturnValue(mode === 'desktop' ? 'host' : 'granted');
  keepInteractions(fake.api, []);
  configure(fake.api);
  render(AgentWorkspace, { api: fake.api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  await screen.findByRole('button', { name: /Carla/ });
  await waitFor(() => expect(fake.api.notificationSettings).toHaveBeenCalled());
  return { ...fake, user };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('notifications from the page (browser)', () => {
  it('tells of a reply from a contact of mine whose conversation is not in view', async () => {
    const { api, user, emitEvent } = await workspace();
    vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    await user.click(screen.getByRole('button', { name: /Dan/ }));

    emitEvent(replyFrom(10));
    expect(api.notify).toHaveBeenCalledExactlyOnceWith({
      contactId: 10,
      title: 'New message',
      body: 'Carla (+15551230001): Any news?',
      silent: false,
    });
  });

  it('does not tell of a reply in the conversation in view while the page has the focus', async () => {
    const { api, user, emitEvent } = await workspace();
    const focus = vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    await user.click(screen.getByRole('button', { name: /Carla/ }));

    emitEvent(replyFrom(10));
    expect(api.notify).not.toHaveBeenCalled();

    // In another window, the agent does not see the conversation: that is news.
    focus.mockReturnValue(false);
    emitEvent(replyFrom(10));
    expect(api.notify).toHaveBeenCalledTimes(1);
  });

  it('does not tell of what happened more than two minutes ago', async () => {
    const { api, emitEvent } = await workspace();
    emitEvent(replyFrom(10, Date.now() - 3 * 60 * 1000));
    expect(api.notify).not.toHaveBeenCalled();
  });

  it('tells nothing until the browser allows it', async () => {
    const { api, emitEvent } = await workspace('browser', (api) =>
      api.notificationAccess.mockReturnValue('default'),
    );
    api.notificationAccess.mockReturnValue('default');
    emitEvent(replyFrom(10));
    expect(api.notify).not.toHaveBeenCalled();
  });

  it('follows the agent\'s privacy and sound choices', async () => {
    const { api, emitEvent } = await workspace('browser', (api) =>
      api.notificationSettings.mockResolvedValue({ privacy: 'nothing', sound: false }),
    );
    emitEvent(replyFrom(10));
    expect(api.notify).toHaveBeenCalledExactlyOnceWith({
      contactId: 10,
      title: 'Parley',
      body: 'New activity in Parley',
      silent: true,
    });
  });

  it('leaves notifying to the desktop host', async () => {
    const { api, emitEvent } = await workspace('desktop');
    emitEvent(replyFrom(10));
    expect(api.notify).not.toHaveBeenCalled();
  });
});

describe('notification settings', () => {
  it('sit with the Shortcuts button inside the top bar\'s landmark', async () => {
    await workspace('browser');
    // The top bar's header is the page's banner: no section, main or other landmark holds it.
    const banner = screen.getByTestId('status-toggle').closest('header')!;
    expect(screen.getAllByRole('banner')).toContain(banner);
    expect(banner.parentElement!.closest('main, section, article, aside, nav')).toBeNull();
    expect(within(banner).getByRole('button', { name: 'Notifications' })).toBe(
      screen.getByTestId('notification-settings-button'),
    );
    expect(within(banner).getByTestId('shortcuts-button')).toHaveAccessibleName('Shortcuts');
  });

  it('asks the browser for permission only when the agent asks for it', async () => {
    const { api, user } = await workspace('browser', (api) =>
      api.notificationAccess.mockReturnValue('default'),
    );
    expect(api.requestNotificationAccess, 'nothing is asked on load').not.toHaveBeenCalled();

    await user.click(screen.getByTestId('notification-settings-button'));
    const popover = screen.getByTestId('notification-settings');
    await user.click(within(popover).getByTestId('notification-allow'));
    expect(api.requestNotificationAccess).toHaveBeenCalledTimes(1);
    expect(await within(popover).findByTestId('notification-access')).toHaveTextContent(
      'Notifications are on in this browser.',
    );
    expect(within(popover).queryByTestId('notification-allow')).toBeNull();
  });

  it('says how to unblock notifications the browser blocks', async () => {
    const { user, api } = await workspace('browser');
    api.notificationAccess.mockReturnValue('denied');
    await user.click(screen.getByTestId('notification-settings-button'));
    expect(screen.getByTestId('notification-access')).toHaveTextContent(
      'The browser blocks notifications from Parley.',
    );
  });

  it('keeps the privacy and sound choices, and closes with Escape', async () => {
    const { api, user } = await workspace('desktop');
    const toggle = screen.getByTestId('notification-settings-button');
    await user.click(toggle);
    const popover = screen.getByTestId('notification-settings');
    // The desktop shows its notifications itself: nothing to allow.
    expect(within(popover).queryByTestId('notification-allow')).toBeNull();
    const privacy = within(popover).getAllByTestId('notification-privacy');
    expect(privacy.map((option) => option.dataset.value)).toEqual([
      'nameAndText',
      'nameOnly',
      'nothing',
    ]);
    expect(privacy[0]).toBeChecked();

    await user.click(privacy[1]!);
    expect(api.setNotificationSettings).toHaveBeenLastCalledWith({
      privacy: 'nameOnly',
      sound: true,
    });
    await user.click(within(popover).getByTestId('notification-sound'));
    expect(api.setNotificationSettings).toHaveBeenLastCalledWith({
      privacy: 'nameOnly',
      sound: false,
    });

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('notification-settings')).toBeNull();
    expect(toggle).toHaveFocus();
    await user.click(toggle);
    expect(within(screen.getByTestId('notification-settings')).getAllByTestId('notification-privacy')[1]).toBeChecked();
  });

  it('says when a choice was not kept, and shows the one in use', async () => {
    const { api, user } = await workspace('desktop');
    api.setNotificationSettings.mockRejectedValueOnce(
      new ApiFailure('internal', 'the settings file is read-only'),
    );
    await user.click(screen.getByTestId('notification-settings-button'));
    const popover = screen.getByTestId('notification-settings');
    await user.click(within(popover).getAllByTestId('notification-privacy')[2]!);
    expect(await within(popover).findByTestId('notification-settings-error')).toHaveTextContent(
      'The choice was not kept: the settings file is read-only',
    );
    await waitFor(() =>
      expect(within(popover).getAllByTestId('notification-privacy')[0]).toBeChecked(),
    );
  });

  it('shows what the admin locked, and lets the sound be chosen still', async () => {
    const { api, user } = await workspace('desktop', (api) => {
      api.desktopPolicy.mockResolvedValue({
        ...noPolicy,
        notificationPrivacy: 'nothing',
        notificationPrivacyLocked: true,
      });
      api.notificationSettings.mockResolvedValue({ privacy: 'nothing', sound: true });
    });
    await user.click(screen.getByTestId('notification-settings-button'));
    const popover = screen.getByTestId('notification-settings');
    expect(await within(popover).findByTestId('notification-privacy-locked')).toHaveTextContent(
      'Set by your admin.',
    );
    const privacy = within(popover).getAllByTestId('notification-privacy');
    expect(privacy[2]).toBeChecked();
    for (const option of privacy) expect(option).toBeDisabled();
    await user.click(privacy[0]!);
    expect(api.setNotificationSettings).not.toHaveBeenCalled();
    await user.click(within(popover).getByTestId('notification-sound'));
    expect(api.setNotificationSettings).toHaveBeenLastCalledWith({ privacy: 'nothing', sound: false });
  });

  it('leaves every choice to the agent without a policy', async () => {
    const { user } = await workspace('desktop');
    await user.click(screen.getByTestId('notification-settings-button'));
    const popover = screen.getByTestId('notification-settings');
    await waitFor(() => expect(within(popover).getAllByTestId('notification-privacy')[1]).toBeEnabled());
    expect(within(popover).queryByTestId('notification-privacy-locked')).toBeNull();
  });
});
