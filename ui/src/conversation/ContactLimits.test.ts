// What the conversation views do with a contact who opted out or a number texts may not
// reach, with messages that were not delivered, and with the pictures a contact sent.

import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiFailure, type Agent, type Contact } from '../api';
import {
  fakeApi,
  interaction,
  keepInteractions,
  media,
  message,
  session,
  summary,
} from '../testing/fixtures';
import AgentWorkspace from '../workspace/AgentWorkspace.svelte';

const optedOutBanner =
  'Carla opted out of text messages (STOP). You can write again once they text START.';

interface Setup {
  contact?: Partial<Contact>;
  agent?: Partial<Agent>;
  mode?: 'browser' | 'desktop';
  messages?: ReturnType<typeof message>[];
}

/** The workspace with Carla's chat open in its Chat Interaction view. */
async function openChat({ contact = {}, agent = {}, mode = 'browser', messages }: Setup = {}) {
  const fake = fakeApi(mode);
  const { api } = fake;
  api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001', ...contact }),
  ]);
  api.listMessages.mockResolvedValue(
    messages ?? [message({ id: 1, contactId: 10, interactionId: 7, body: 'Hello' })],
  );
  keepInteractions(api, [interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 })]);
  render(AgentWorkspace, { api, session: session(agent), onSignedOut: () => {} });
  const user = userEvent.setup();
  await user.click(await screen.findByTestId('interaction-item'));
  const view = await screen.findByTestId('interaction-view');
  await within(view).findAllByTestId('message');
  return { ...fake, user, view };
}

/** The workspace with Carla's conversation open in the Communication tab. */
async function openCommunication({ contact = {} }: Setup = {}) {
  const fake = fakeApi('browser');
  fake.api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001', ...contact }),
  ]);
  keepInteractions(fake.api, []);
  render(AgentWorkspace, { api: fake.api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: /Carla/ }));
  return { ...fake, user };
}

describe('a contact who opted out', () => {
  it('locks the Chat Interaction view\'s composer with the reason', async () => {
    const { api, user, view } = await openChat({
      contact: { optedOut: true },
      messages: [
        message({ id: 1, contactId: 10, interactionId: 7 }),
        message({
          id: 2,
          contactId: 10,
          interactionId: 7,
          direction: 'outbound',
          agentId: 1,
          status: 'failed',
          errorCode: 21610,
          createdAt: 1_700_000_001_000,
        }),
      ],
    });
    expect(await within(view).findByTestId('opted-out-banner')).toHaveTextContent(optedOutBanner);
    const input = within(view).getByTestId('composer-input');
    expect(input).toBeDisabled();
    expect(within(view).getByTestId('composer-send')).toBeDisabled();
    await user.type(input, 'Still there?');
    expect(api.sendMessage).not.toHaveBeenCalled();
    // Sending again cannot work either until they text START.
    expect(within(view).getByTestId('delivery-problem')).toHaveTextContent(
      'The contact has opted out of texts (STOP). They must text START first.',
    );
    expect(within(view).queryByTestId('message-retry')).toBeNull();
  });

  it('locks the Communication tab\'s composer too', async () => {
    await openCommunication({ contact: { optedOut: true } });
    expect(await screen.findByTestId('opted-out-banner')).toHaveTextContent(optedOutBanner);
    expect(screen.getByTestId('composer-input')).toBeDisabled();
  });

  it('shows the banner when the hub refuses a send because they opted out, until START', async () => {
    const { api, user, view, emitEvent } = await openChat();
    api.sendMessage.mockRejectedValueOnce(
      new ApiFailure('optedOut', 'the contact opted out of texts'),
    );
    const input = within(view).getByTestId('composer-input');
    await user.type(input, 'Your order shipped{Enter}');

    expect(await within(view).findByTestId('opted-out-banner')).toHaveTextContent(optedOutBanner);
    expect(input).toBeDisabled();
    expect(input, 'the refused text stays for later').toHaveValue('Your order shipped');
    expect(within(view).queryByRole('alert')).toBeNull();

    // The hub's opt-out arrives as the contact's event, then the contact's START: each
    // changes the row it carries, without reading the list again.
    const before = api.listContacts.mock.calls.length;
    const carla = (optedOut: boolean) => summary({ id: 10, name: 'Carla', optedOut }).contact;
    emitEvent({ seq: 1, at: Date.now(), kind: { type: 'contact', contact: carla(true) } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(within(view).getByTestId('opted-out-banner')).toBeInTheDocument();
    emitEvent({ seq: 2, at: Date.now(), kind: { type: 'contact', contact: carla(false) } });
    await waitFor(() => expect(within(view).queryByTestId('opted-out-banner')).toBeNull());
    expect(api.listContacts.mock.calls.length, 'the rows changed in place').toBe(before);
    expect(input).toBeEnabled();
  });
});

describe('a number texts may not reach', () => {
  it('is pointed out above the composer and on the Contact tab; the composer still sends', async () => {
    const { api, user, view } = await openChat({ contact: { reachability: 'landline' } });
    const composerWarning = await within(view).findByTestId('reachability-warning');
    expect(composerWarning).toHaveTextContent('This number may not receive SMS (landline).');

    await user.click(within(view).getByTestId('tab-contact'));
    const panel = within(view).getByTestId('contact-panel');
    expect(within(panel).getByTestId('reachability-warning')).toHaveTextContent(
      'This number may not receive SMS (landline).',
    );

    await user.type(within(view).getByTestId('composer-input'), 'Hello{Enter}');
    expect(api.sendMessage).toHaveBeenCalledExactlyOnceWith({
      contactId: 10,
      interactionId: 7,
      body: 'Hello',
    });
  });

  it('says nothing for a number with nothing known against it', async () => {
    const { view, user } = await openChat();
    await user.click(within(view).getByTestId('tab-contact'));
    expect(within(view).queryByTestId('reachability-warning')).toBeNull();
    expect(within(view).queryByTestId('opted-out-banner')).toBeNull();
  });
});

describe('Retry in the conversation', () => {
  it('sends the message again through the hub and shows it pending', async () => {
    const { api, user, view } = await openChat({
      messages: [
        message({
          id: 4,
          contactId: 10,
          interactionId: 7,
          direction: 'outbound',
          agentId: 1,
          body: 'Your refund is on its way',
          status: 'undelivered',
          errorCode: 30003,
        }),
      ],
    });
    const pending = message({
      id: 4,
      contactId: 10,
      interactionId: 7,
      direction: 'outbound',
      agentId: 1,
      body: 'Your refund is on its way',
      status: 'pending',
    });
    // The hub has the new try from then on: a refresh reads it back pending, as it is.
    api.retryMessage.mockImplementationOnce(async () => {
      api.listMessages.mockResolvedValue([pending]);
      return pending;
    });
    expect(within(view).getByTestId('delivery-problem')).toHaveTextContent(
      'The phone is switched off or out of coverage.',
    );

    await user.click(within(view).getByTestId('message-retry'));
    expect(api.retryMessage).toHaveBeenCalledExactlyOnceWith(4);
    await waitFor(() => expect(within(view).queryByTestId('delivery-problem')).toBeNull());
    expect(within(view).getByTestId('message-status')).toHaveTextContent('Pending');
  });
});

describe('pictures in the conversation', () => {
  const withPicture = [
    message({ id: 1, contactId: 10, interactionId: 7, body: '', media: [media({ id: 50 })] }),
  ];

  it('offers Save only to an agent with the save permission, and names the file', async () => {
    const { api, user, view, emitEvent } = await openChat({ messages: withPicture });
    expect(await within(view).findByRole('img', { name: 'Picture 1 from Carla' })).toHaveAttribute(
      'src',
      'blob:picture-50-thumbnail',
    );
    expect(within(view).queryByTestId('media-save')).toBeNull();

    // The permission is granted while the agent works: Save appears at once.
    emitEvent({
      seq: 1,
      at: Date.now(),
      kind: { type: 'agent', agent: session({
        permissions: {
          saveMedia: true,
          allContacts: true,
          editContacts: true,
          textOutsideInteraction: true,
        },
      }).agent },
    });
    await user.click(await within(view).findByTestId('media-save'));
    expect(api.saveMedia).toHaveBeenCalledExactlyOnceWith(50, 'parley-contact-10-picture-50.jpg');
  });

  it('opens the picture in the system\'s app on the desktop, with the save-media permission', async () => {
    const permissions = {
      saveMedia: true,
      allContacts: true,
      editContacts: true,
      textOutsideInteraction: true,
    };
    const { api, user, view } = await openChat({
      mode: 'desktop',
      messages: withPicture,
      agent: { permissions },
    });
    await user.dblClick(within(view).getByTestId('media-thumbnail'));
    expect(api.openMedia).toHaveBeenCalledExactlyOnceWith(50);
    expect(screen.queryByTestId('media-viewer')).toBeNull();
  });

  it('opens the picture in Parley\'s own viewer on the desktop without the permission', async () => {
    const { api, user, view } = await openChat({ mode: 'desktop', messages: withPicture });
    await user.dblClick(within(view).getByTestId('media-thumbnail'));
    expect(api.openMedia).not.toHaveBeenCalled();
    expect(await screen.findByTestId('media-viewer')).toBeTruthy();
  });

  it('opens the picture in the page in a browser', async () => {
    const { api, user, view } = await openChat({ messages: withPicture });
    await user.dblClick(within(view).getByTestId('media-thumbnail'));
    const viewer = screen.getByTestId('media-viewer');
    expect(await within(viewer).findByRole('img')).toHaveAttribute('src', 'blob:picture-50-full');
    expect(api.mediaSource).toHaveBeenCalledWith(50, 'full');
  });
});
