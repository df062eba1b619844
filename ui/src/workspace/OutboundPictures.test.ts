// Pictures sent from the workspace's two composers: the Chat Interaction view's and the
// Communication tab's Write a Message. The pictures belong to the view's draft, as the text does.

import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Contact, Upload } from '../api';
import {
  fakeApi,
  interaction,
  keepInteractions,
  message,
  session,
  summary,
} from '../testing/fixtures';
import AgentWorkspace from './AgentWorkspace.svelte';
import { Workspace } from './workspace.svelte';

function picture(name: string, size = 1000, type = 'image/jpeg'): File {
  return new File([new Uint8Array(size)], name, { type });
}

let previews: string[];

beforeEach(() => {
  // The page's own blob URLs, counted so that each preview can be told apart.
  previews = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation(() => {
    const url = `blob:preview-${previews.length + 1}`;
    previews.push(url);
    return url;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
});

/** Carla (10) with chat 7 open, and Eve (12) with no interaction. */
async function workspace(carla: Partial<Contact> = {}) {
  const fake = fakeApi('browser');
  const { api } = fake;
  api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001', ...carla }),
    summary({ id: 12, name: 'Eve', phone: '+15551230003', lastActivityAt: 1 }),
  ]);
  api.listMessages.mockResolvedValue([
    message({ id: 1, contactId: 10, interactionId: 7, body: 'Can you send the label?' }),
  ]);
  keepInteractions(api, [interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 })]);
  render(AgentWorkspace, { api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  const openChat = async () => {
    await user.click(await screen.findByTestId('interaction-item'));
    return screen.findByTestId('interaction-view');
  };
  const contactIds: Record<string, number> = { Carla: 10, Eve: 12 };
  const openContact = async (name: 'Carla' | 'Eve') => {
    await user.click(screen.getByTestId('nav-communication'));
    await waitFor(() => screen.getAllByTestId('contact-item'));
    const item = screen
      .getAllByTestId('contact-item')
      .find((candidate) => candidate.dataset.contactId === String(contactIds[name]));
    await user.click(item!);
    return screen.findByRole('region', { name: `Conversation with ${name}` });
  };
  return { ...fake, user, openChat, openContact };
}

const chipsIn = (view: HTMLElement) => within(view).queryAllByTestId('composer-attachment');

describe('pictures from the Chat Interaction view', () => {
  it('uploads each picture and sends them without text to the interaction', async () => {
    const { api, user, openChat } = await workspace();
    const view = await openChat();
    const label = picture('label.png', 2048, 'image/png');
    await user.upload(within(view).getByTestId('composer-file-input'), label);
    expect(api.uploadPicture).toHaveBeenCalledExactlyOnceWith(label);
    const send = within(view).getByTestId('composer-send');
    await waitFor(() => expect(send).toBeEnabled());

    await user.click(send);
    expect(api.sendMessage).toHaveBeenCalledExactlyOnceWith({
      contactId: 10,
      interactionId: 7,
      body: '',
      uploadIds: [700],
    });
    await waitFor(() => expect(chipsIn(view)).toHaveLength(0));
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:preview-1');
  });

  it('keeps the pictures with the interaction\'s draft while the agent is elsewhere', async () => {
    let finish: (upload: Upload) => void = () => {};
    const { api, user, openChat, openContact } = await workspace();
    api.uploadPicture.mockImplementationOnce(
      () => new Promise<Upload>((resolve) => (finish = resolve)),
    );
    let view = await openChat();
    await user.type(within(view).getByTestId('composer-input'), 'The label');
    await user.upload(within(view).getByTestId('composer-file-input'), picture('label.jpg'));
    expect(chipsIn(view)[0]).toHaveAttribute('data-state', 'uploading');

    // Carla's conversation in the Communication tab has a draft of its own.
    const conversation = await openContact('Carla');
    expect(chipsIn(conversation)).toHaveLength(0);
    // The upload finishes while the chat is out of view.
    finish({ id: 742, contentType: 'image/jpeg', size: 1000, width: 8, height: 6 });

    view = await openChat();
    const [chip] = chipsIn(view);
    expect(chip).toHaveTextContent('label.jpg');
    await waitFor(() => expect(chip).toHaveAttribute('data-state', 'uploaded'));
    expect(within(view).getByTestId('composer-input')).toHaveValue('The label');
    expect(api.uploadPicture, 'nothing is uploaded twice').toHaveBeenCalledOnce();
    expect(URL.revokeObjectURL, 'the preview stays for when the agent is back').not.toHaveBeenCalled();

    await user.type(within(view).getByTestId('composer-input'), '{Enter}');
    expect(api.sendMessage).toHaveBeenCalledExactlyOnceWith({
      contactId: 10,
      interactionId: 7,
      body: 'The label',
      uploadIds: [742],
    });
  });

  it('takes no pictures for a contact who opted out', async () => {
    const { openChat } = await workspace({ optedOut: true });
    const view = await openChat();
    expect(await within(view).findByTestId('opted-out-banner')).toBeInTheDocument();
    expect(within(view).getByRole('button', { name: 'Attach pictures' })).toBeDisabled();
  });
});

describe('pictures from the Communication tab', () => {
  it('sends the text with the pictures to the contact, outside any interaction', async () => {
    const { api, user, openContact } = await workspace();
    const conversation = await openContact('Eve');
    await user.upload(within(conversation).getByTestId('composer-file-input'), [
      picture('front.jpg'),
      picture('back.jpg'),
    ]);
    await user.type(within(conversation).getByTestId('composer-input'), 'Both sides{Enter}');
    expect(api.sendMessage).toHaveBeenCalledExactlyOnceWith({
      contactId: 12,
      interactionId: null,
      body: 'Both sides',
      uploadIds: [700, 701],
    });
    await waitFor(() => expect(chipsIn(conversation)).toHaveLength(0));
  });

  it('keeps each contact\'s pictures when the agent moves between contacts', async () => {
    const { user, openContact } = await workspace();
    let conversation = await openContact('Eve');
    await user.upload(within(conversation).getByTestId('composer-file-input'), picture('eve.jpg'));
    conversation = await openContact('Carla');
    expect(chipsIn(conversation)).toHaveLength(0);
    conversation = await openContact('Eve');
    expect(chipsIn(conversation).map((chip) => chip.textContent)).toEqual([
      expect.stringContaining('eve.jpg'),
    ]);
  });
});

describe('Workspace: pictures of a draft', () => {
  it('frees the previews of an interaction\'s pictures once it is Done', async () => {
    const { api } = fakeApi('browser');
    const chat = interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 });
    keepInteractions(api, [chat]);
    const workspace = new Workspace(api, session(), () => {});
    const stop = workspace.start();
    const upload = (file: File | Blob) => workspace.uploadPicture(file);
    expect(workspace.draftOf(chat).attachments.add([picture('a.jpg')], upload)).toBeNull();
    expect(workspace.contactAttachments(12).add([picture('b.jpg')], upload)).toBeNull();

    await workspace.markDone(7, { disposition: null, note: null });
    expect(URL.revokeObjectURL).toHaveBeenCalledExactlyOnceWith('blob:preview-1');
    expect(workspace.draftOf(chat).attachments.items).toHaveLength(0);

    // Signing out frees the rest.
    stop();
    expect(URL.revokeObjectURL).toHaveBeenLastCalledWith('blob:preview-2');
  });
});
