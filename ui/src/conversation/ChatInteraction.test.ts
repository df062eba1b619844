import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiFailure, type Interaction } from '../api';
import {
  contactInteraction,
  fakeApi,
  interaction,
  keepInteractions,
  message,
  session,
  settings,
  summary,
} from '../testing/fixtures';
import AgentWorkspace from '../workspace/AgentWorkspace.svelte';

const active = interaction({ id: 7, contactId: 10, state: 'active', acceptedAt: 2 });

/** The workspace with one interaction of mine, its Chat Interaction view open. */
async function openInteraction(
  start: Interaction = active,
  configure: (api: ReturnType<typeof fakeApi>['api']) => void = () => {},
) {
  const fake = fakeApi('browser');
  const { api } = fake;
  api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001' }),
  ]);
  api.listMessages.mockResolvedValue([
    message({ id: 1, contactId: 10, interactionId: start.id, body: 'My order is late' }),
  ]);
  const interactions = keepInteractions(api, [start]);
  configure(api);
  render(AgentWorkspace, { api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  await user.click(await screen.findByTestId('interaction-item'));
  const view = await screen.findByTestId('interaction-view');
  return { ...fake, user, view, interactions };
}

describe('ChatInteraction', () => {
  it('stays open after End, and Done sends the disposition and note and closes it', async () => {
    const { api, user, view } = await openInteraction();
    expect(view).toHaveAttribute('data-state', 'active');
    expect(screen.queryByTestId('interaction-ended-by')).toBeNull();

    await user.click(screen.getByTestId('interaction-end'));
    expect(api.endInteraction).toHaveBeenCalledExactlyOnceWith(7);
    await waitFor(() => expect(view).toHaveAttribute('data-state', 'ended'));
    // Ended is not closed: the view waits for Done, with End gone and Done offered.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.getByTestId('interaction-view')).toBe(view);
    expect(screen.getByTestId('interaction-ended-by')).toHaveTextContent('You ended the chat');
    expect(screen.queryByTestId('interaction-end')).toBeNull();

    await user.click(screen.getByTestId('tab-disposition'));
    const escalated = screen
      .getAllByTestId('disposition-option')
      .find((option) => option.dataset.code === 'Escalated');
    expect(escalated).toBeDefined();
    await user.click(escalated!);
    expect(api.saveWrapUp).toHaveBeenLastCalledWith(7, { disposition: 'Escalated', note: null });

    await user.click(screen.getByTestId('tab-note'));
    await user.type(screen.getByTestId('note-input'), 'Refund approved');
    await user.click(screen.getByTestId('interaction-done'));

    // The note is saved on leaving the field, before Done carries both.
    expect(api.saveWrapUp).toHaveBeenLastCalledWith(7, {
      disposition: null,
      note: 'Refund approved',
    });
    expect(api.markDone).toHaveBeenCalledExactlyOnceWith(7, {
      disposition: 'Escalated',
      note: 'Refund approved',
    });
    expect(api.saveWrapUp.mock.invocationCallOrder.at(-1)).toBeLessThan(
      api.markDone.mock.invocationCallOrder[0]!,
    );

    // Done closes the view and returns to the Communication tab with the contact selected.
    await waitFor(() => expect(screen.queryByTestId('interaction-view')).toBeNull());
    expect(screen.getByRole('region', { name: 'Conversation with Carla' })).toBeInTheDocument();
    expect(screen.getByTestId('contact-item')).toHaveAttribute('aria-current', 'true');
    expect(screen.queryByTestId('interaction-item')).toBeNull();
    expect(api.setFocus).toHaveBeenLastCalledWith(10);
  });

  it('asks before Done on a live chat, then ends it and opens the wrap-up instead of closing it', async () => {
    const { api, user, view } = await openInteraction();
    await user.click(screen.getByTestId('interaction-done'));
    const question = await screen.findByRole('alertdialog', { name: 'End the chat and wrap up?' });
    expect(question).toHaveTextContent('The chat with Carla is still going on.');
    await user.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.endInteraction).not.toHaveBeenCalled();
    expect(api.markDone).not.toHaveBeenCalled();
    expect(view).toHaveAttribute('data-state', 'active');

    await user.click(screen.getByTestId('interaction-done'));
    await user.click(await screen.findByRole('button', { name: 'End and wrap up' }));
    expect(api.endInteraction).toHaveBeenCalledExactlyOnceWith(7);
    await waitFor(() => expect(view).toHaveAttribute('data-state', 'ended'));
    expect(api.markDone).not.toHaveBeenCalled();
    expect(screen.getByTestId('interaction-view')).toBe(view);
    expect(screen.getByTestId('tab-disposition')).toHaveAttribute('aria-selected', 'true');
  });

  it('says the contact ended the chat, and a message sent then goes to the interaction', async () => {
    const ended = { ...active, state: 'ended' as const, endedAt: 3, endedBy: 'contact' as const };
    const { api, user, view } = await openInteraction(ended);
    expect(view).toHaveAttribute('data-state', 'ended');
    expect(screen.getByTestId('interaction-ended-by')).toHaveTextContent(
      'The contact ended the chat',
    );
    expect(screen.queryByTestId('interaction-end')).toBeNull();
    expect(screen.getByTestId('interaction-done')).toBeEnabled();

    await user.type(screen.getByTestId('composer-input'), 'Are you still there?{Enter}');
    expect(api.sendMessage).toHaveBeenCalledWith({
      contactId: 10,
      interactionId: 7,
      body: 'Are you still there?',
    });
  });

  it('shows why Done was refused and switches to the Disposition tab', async () => {
    const ended = { ...active, state: 'ended' as const, endedAt: 3, endedBy: 'agent' as const };
    const { api, user, view } = await openInteraction(ended, (api) => {
      api.settings.mockResolvedValue(settings({ dispositionRequired: true }));
      api.markDone.mockRejectedValue(
        new ApiFailure('badRequest', 'choose a disposition before Done'),
      );
    });
    expect(screen.getByTestId('tab-case')).toHaveAttribute('aria-selected', 'true');

    await user.click(screen.getByTestId('interaction-done'));
    expect(await screen.findByTestId('wrap-up-error')).toHaveTextContent(
      'choose a disposition before Done',
    );
    expect(screen.getByTestId('tab-disposition')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel')).toHaveTextContent('Required before Done');
    expect(screen.getByTestId('interaction-view')).toBe(view);

    // Choosing one clears the message, and Done then goes through.
    api.markDone.mockReset();
    api.markDone.mockImplementation(async (id, request) =>
      interaction({ ...ended, id, ...request, state: 'done', doneAt: 4 }),
    );
    await user.click(screen.getAllByTestId('disposition-option')[0]!);
    expect(screen.queryByTestId('wrap-up-error')).toBeNull();
    await user.click(screen.getByTestId('interaction-done'));
    expect(api.markDone).toHaveBeenCalledWith(7, { disposition: 'Resolved', note: null });
    await waitFor(() => expect(screen.queryByTestId('interaction-view')).toBeNull());
  });

  it('shows the number, channel and origin in Case Information', async () => {
    await openInteraction();
    const inbound = screen.getByTestId('case-information');
    expect(inbound).toHaveTextContent('+15551230001');
    expect(inbound).toHaveTextContent('SMS');
    expect(inbound).toHaveTextContent('Inbound SMS');
    expect(inbound).not.toHaveTextContent('Outbound');
    await waitFor(() => expect(inbound).not.toHaveTextContent('No messages yet'));
    expect(inbound).toHaveTextContent('Not ended');
  });

  it('calls an interaction without an offer outbound', async () => {
    await openInteraction({ ...active, offeredAt: null });
    const info = screen.getByTestId('case-information');
    expect(info).toHaveTextContent('Outbound (Create SMS Interaction)');
    expect(info).not.toHaveTextContent('Inbound SMS');
  });

  it('keeps the note across tabs and moves between tabs with the arrow keys', async () => {
    const { user } = await openInteraction({ ...active, note: 'Saved earlier' });
    const caseTab = screen.getByTestId('tab-case');
    caseTab.focus();
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByTestId('tab-note')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByTestId('tab-note')).toHaveFocus();
    expect(screen.getByTestId('note-input')).toHaveValue('Saved earlier');

    await user.keyboard('{Home}');
    expect(caseTab).toHaveAttribute('aria-selected', 'true');
    expect(within(screen.getByRole('tabpanel')).getByTestId('case-information')).toBeVisible();
  });

  it('searches the whole transcript, earlier interactions included, and jumps with Enter', async () => {
    const scrolled: Element[] = [];
    Element.prototype.scrollIntoView = function scrollIntoView(this: Element) {
      scrolled.push(this);
    };
    try {
      const { user, view } = await openInteraction(active, (api) => {
        api.listMessages.mockResolvedValue([
          message({ id: 1, interactionId: 3, createdAt: 1_000, body: 'Le Café est fermé?' }),
          message({ id: 2, interactionId: 3, createdAt: 2_000, body: 'Привет' }),
          message({ id: 3, interactionId: 7, createdAt: 3_000, body: 'привет again, CAFE time' }),
        ]);
      });
      await waitFor(() => expect(within(view).getAllByTestId('message')).toHaveLength(3));
      expect(within(view).getAllByTestId('interaction-boundary')).toHaveLength(1);

      const search = within(view).getByTestId('conversation-search');
      await user.type(search, 'cafe');
      const count = () => within(view).getByTestId('conversation-search-count');
      expect(count()).toHaveTextContent('1 of 2');
      const marks = [...view.querySelectorAll('mark')];
      expect(marks.map((mark) => mark.textContent)).toEqual(['Café', 'CAFE']);
      expect(scrolled.at(-1)).toBe(marks[0]);

      await user.keyboard('{Enter}');
      expect(count()).toHaveTextContent('2 of 2');
      expect(scrolled.at(-1)).toBe(marks[1]);
      expect(marks[1]).toHaveClass('current');

      await user.clear(search);
      await user.type(search, 'ПРИВЕТ');
      expect(count()).toHaveTextContent('1 of 2');
      await user.click(within(view).getByTestId('conversation-search-previous'));
      expect(count()).toHaveTextContent('2 of 2');
      expect(view.querySelector('mark.current')?.textContent).toBe('привет');
      // The composer is untouched by the search.
      expect(within(view).getByTestId('composer-input')).toHaveValue('');
    } finally {
      delete (Element.prototype as Partial<Element>).scrollIntoView;
    }
  });

  it('shows the contact\'s details and history in the Contact tab, and keeps an edit across tabs', async () => {
    const { api, user, view } = await openInteraction(active, (api) => {
      // Like the hub: what was saved is listed from then on.
      let carla = summary({ id: 10, name: 'Carla', notes: 'Call <b>after</b> 5' });
      api.listContacts.mockImplementation(async () => [carla]);
      api.updateContact.mockImplementation(async (id, request) => {
        carla = summary({ ...carla.contact, id, name: request.name, notes: request.notes });
        return carla.contact;
      });
      api.contactInteractions.mockResolvedValue([
        contactInteraction({ id: 7, state: 'active', acceptedAt: 2 }, 'Ana Agent'),
        contactInteraction({ id: 3, agentId: 2, disposition: 'Resolved' }, 'Bo Agent'),
      ]);
    });
    // The Contact tab comes right after Case Information.
    screen.getByTestId('tab-case').focus();
    await user.keyboard('{ArrowRight}');
    const tab = screen.getByTestId('tab-contact');
    expect(tab).toHaveTextContent('Contact');
    expect(tab).toHaveAttribute('aria-selected', 'true');

    const panel = within(screen.getByRole('tabpanel')).getByTestId('contact-panel');
    expect(panel).toBeVisible();
    expect(panel).toHaveAttribute('data-contact-id', '10');
    expect(within(panel).getByTestId('contact-phone')).toHaveTextContent('+15551230001');
    expect(within(panel).getByTestId('contact-notes').textContent).toBe('Call <b>after</b> 5');
    const rows = await within(panel).findAllByTestId('contact-history-item');
    expect(api.contactInteractions).toHaveBeenCalledWith(10);
    expect(rows.map((row) => row.dataset.interactionId)).toEqual(['7', '3']);
    expect(rows[1]).toHaveTextContent('Bo Agent');
    expect(rows[1]).toHaveTextContent('Resolved');

    // A name being typed is still there after a look at the Note tab.
    await user.click(within(panel).getByTestId('contact-edit'));
    await user.type(within(panel).getByTestId('contact-name-input'), ' Díaz');
    await user.click(screen.getByTestId('tab-note'));
    expect(screen.queryByTestId('contact-panel')).not.toBeVisible();
    expect(screen.getByTestId('note-input')).toBeVisible();
    await user.click(screen.getByTestId('tab-contact'));
    expect(screen.getByTestId('contact-name-input')).toHaveValue('Carla Díaz');

    await user.click(screen.getByTestId('contact-save'));
    expect(api.updateContact).toHaveBeenCalledExactlyOnceWith(10, {
      name: 'Carla Díaz',
      email: '',
      notes: 'Call <b>after</b> 5',
    });
    // The new name is the contact's everywhere at once.
    await waitFor(() => expect(view).toHaveAccessibleName('Chat interaction with Carla Díaz'));
    expect(screen.getByTestId('contact-name')).toHaveTextContent('Carla Díaz');
  });

  it('shows a failed End and keeps the interaction active', async () => {
    const { api, user, view } = await openInteraction(active, (api) => {
      api.endInteraction.mockRejectedValue(new ApiFailure('conflict', 'accept the interaction first'));
    });
    await user.click(screen.getByTestId('interaction-end'));
    expect(await screen.findByRole('alert')).toHaveTextContent('accept the interaction first');
    expect(view).toHaveAttribute('data-state', 'active');
    expect(api.markDone).not.toHaveBeenCalled();
  });

  it('shows a long error under the header, whole, so the header keeps to one row', async () => {
    const long =
      'Carla Contact is in a conversation with another agent: only they can write to them until it is Done.';
    const { user, view } = await openInteraction(active, (api) => {
      api.endInteraction.mockRejectedValue(new ApiFailure('conflict', long));
    });
    await user.click(screen.getByTestId('interaction-end'));
    const error = await within(view).findByTestId('interaction-end-error');
    expect(error).toHaveTextContent(long);
    const header = view.querySelector('header')!;
    expect(header, 'nothing of the error in the header row').not.toContainElement(error);
    expect(header.nextElementSibling).toBe(error);
  });
});
