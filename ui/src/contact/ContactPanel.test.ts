import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure, type Contact, type ConnectionState } from '../api';
import {
  contact,
  contactInteraction,
  fakeApi,
  interaction,
  session,
} from '../testing/fixtures';
import { Workspace } from '../workspace/workspace.svelte';
import ContactPanel, { formatHistoryDate } from './ContactPanel.svelte';

const carla = contact({
  id: 10,
  name: 'Carla',
  phone: '+15551230001',
  email: 'carla@example.com',
  notes: 'Prefers <b>texts</b>\nafter 5 pm',
});

/** `null`: the details are not known. */
function setup(
  shown: Contact | null = carla,
  configure: (api: ReturnType<typeof fakeApi>['api']) => void = () => {},
) {
  const fake = fakeApi('browser');
  configure(fake.api);
  const workspace = new Workspace(fake.api, session(), () => {});
  const onSaved = vi.fn<(saved: Contact) => void>();
  const result = render(ContactPanel, { workspace, contactId: 10, contact: shown ?? undefined, onSaved });
  // The parent passes what the hub saved from then on.
  onSaved.mockImplementation((saved) => void result.rerender({ contact: saved }));
  return { ...fake, ...result, workspace, onSaved, user: userEvent.setup() };
}

describe('ContactPanel: details', () => {
  it('shows the name, number, email and notes, with markup in the notes as text', async () => {
    setup();
    const panel = screen.getByTestId('contact-panel');
    expect(within(panel).getByTestId('contact-name')).toHaveTextContent('Carla');
    expect(within(panel).getByTestId('contact-phone')).toHaveTextContent('+15551230001');
    expect(within(panel).getByTestId('contact-email')).toHaveTextContent('carla@example.com');
    const notes = within(panel).getByTestId('contact-notes');
    expect(notes.textContent).toBe('Prefers <b>texts</b>\nafter 5 pm');
    expect(notes.querySelector('b')).toBeNull();
    // Nothing to type the number into: it is what identifies the contact.
    await userEvent.setup().click(screen.getByTestId('contact-edit'));
    expect(within(panel).getByTestId('contact-phone')).toHaveTextContent('+15551230001');
    expect(within(panel).getAllByRole('textbox')).toHaveLength(3);
    expect(within(panel).queryByDisplayValue('+15551230001')).toBeNull();
  });

  it('shows a dash for details not set, and a name that is markup as text', () => {
    setup(contact({ id: 10, name: '<img src=x onerror=alert(1)>', email: null, notes: null }));
    const name = screen.getByTestId('contact-name');
    expect(name.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(screen.getByTestId('contact-panel').querySelector('img')).toBeNull();
    expect(screen.getByTestId('contact-email')).toHaveTextContent(/^—$/);
    expect(screen.getByTestId('contact-notes')).toHaveTextContent(/^—$/);
  });

  it('says when the details are not known, and offers no Edit then', () => {
    setup(null);
    expect(screen.getByTestId('contact-panel')).toHaveTextContent('not available');
    expect(screen.queryByTestId('contact-edit')).toBeNull();
  });
});

describe('ContactPanel: editing', () => {
  it('saves all three fields, trimmed, with a cleared email sent as empty text', async () => {
    const { api, user, onSaved } = setup();
    await user.click(screen.getByTestId('contact-edit'));
    const name = screen.getByTestId('contact-name-input');
    const email = screen.getByTestId('contact-email-input');
    const notes = screen.getByTestId('contact-notes-input');
    expect(name).toHaveFocus();
    expect(name).toHaveValue('Carla');
    expect(email).toHaveValue('carla@example.com');
    expect(notes).toHaveValue('Prefers <b>texts</b>\nafter 5 pm');

    await user.clear(name);
    await user.type(name, '  Carla Díaz ');
    await user.clear(email);
    await user.clear(notes);
    await user.type(notes, ' VIP <i>customer</i>\n');
    await user.click(screen.getByTestId('contact-save'));

    expect(api.updateContact).toHaveBeenCalledExactlyOnceWith(10, {
      name: 'Carla Díaz',
      email: '',
      notes: 'VIP <i>customer</i>',
    });
    await waitFor(() => expect(screen.queryByTestId('contact-name-input')).toBeNull());
    expect(onSaved).toHaveBeenCalledWith(
      expect.objectContaining({ id: 10, name: 'Carla Díaz', email: null }),
    );
    expect(screen.getByTestId('contact-name')).toHaveTextContent('Carla Díaz');
    expect(screen.getByTestId('contact-email')).toHaveTextContent(/^—$/);
    expect(screen.getByTestId('contact-notes').textContent).toBe('VIP <i>customer</i>');
    expect(screen.getByTestId('contact-edit')).toHaveFocus();
  });

  it('sends a new email as typed, and every field even when only one changed', async () => {
    const { api, user } = setup(contact({ id: 10, name: null, email: null, notes: null }));
    await user.click(screen.getByTestId('contact-edit'));
    expect(screen.getByTestId('contact-name-input')).toHaveValue('');
    await user.type(screen.getByTestId('contact-email-input'), 'new@example.com');
    await user.click(screen.getByTestId('contact-save'));
    expect(api.updateContact).toHaveBeenCalledExactlyOnceWith(10, {
      name: '',
      email: 'new@example.com',
      notes: '',
    });
  });

  it('shows why the hub refused the details and keeps what was typed', async () => {
    const { api, user } = setup(carla, (api) => {
      api.updateContact.mockRejectedValueOnce(
        new ApiFailure('badRequest', '"carla-at-example" is not an email address'),
      );
    });
    await user.click(screen.getByTestId('contact-edit'));
    const email = screen.getByTestId('contact-email-input');
    await user.clear(email);
    await user.type(email, 'carla-at-example');
    await user.click(screen.getByTestId('contact-save'));

    const error = await screen.findByTestId('contact-error');
    expect(error).toHaveTextContent('"carla-at-example" is not an email address');
    expect(error).toHaveAttribute('role', 'alert');
    expect(screen.getByTestId('contact-email-input')).toHaveValue('carla-at-example');
    expect(screen.getByTestId('contact-save')).toBeEnabled();

    // Corrected, it goes through and the message goes away.
    await user.clear(email);
    await user.type(email, 'carla@example.org');
    await user.click(screen.getByTestId('contact-save'));
    expect(api.updateContact).toHaveBeenLastCalledWith(10, {
      name: 'Carla',
      email: 'carla@example.org',
      notes: 'Prefers <b>texts</b>\nafter 5 pm',
    });
    await waitFor(() => expect(screen.queryByTestId('contact-error')).toBeNull());
    expect(screen.getByTestId('contact-email')).toHaveTextContent('carla@example.org');
  });

  it('Cancel restores the saved details and sends nothing; so does Escape', async () => {
    const { api, user } = setup();
    await user.click(screen.getByTestId('contact-edit'));
    await user.clear(screen.getByTestId('contact-name-input'));
    await user.type(screen.getByTestId('contact-name-input'), 'Somebody else');
    await user.type(screen.getByTestId('contact-notes-input'), ' more');
    await user.click(screen.getByTestId('contact-cancel'));

    expect(screen.queryByTestId('contact-name-input')).toBeNull();
    expect(screen.getByTestId('contact-name')).toHaveTextContent('Carla');
    expect(screen.getByTestId('contact-notes').textContent).toBe('Prefers <b>texts</b>\nafter 5 pm');
    expect(screen.getByTestId('contact-edit')).toHaveFocus();

    await user.click(screen.getByTestId('contact-edit'));
    expect(screen.getByTestId('contact-name-input')).toHaveValue('Carla');
    expect(screen.getByTestId('contact-notes-input')).toHaveValue(
      'Prefers <b>texts</b>\nafter 5 pm',
    );
    await user.type(screen.getByTestId('contact-email-input'), 'x{Escape}');
    expect(screen.queryByTestId('contact-email-input')).toBeNull();
    expect(screen.getByTestId('contact-email')).toHaveTextContent('carla@example.com');
    expect(api.updateContact).not.toHaveBeenCalled();
  });

  it('closes without asking the hub when nothing changed but surrounding spaces', async () => {
    const { api, user } = setup();
    await user.click(screen.getByTestId('contact-edit'));
    await user.type(screen.getByTestId('contact-name-input'), '  ');
    await user.click(screen.getByTestId('contact-save'));
    expect(screen.queryByTestId('contact-name-input')).toBeNull();
    expect(api.updateContact).not.toHaveBeenCalled();
  });
});

describe('ContactPanel: interaction history', () => {
  it('lists every interaction newest first with its date, agent, state and disposition', async () => {
    const { api } = setup(carla, (api) => {
      api.contactInteractions.mockResolvedValue([
        contactInteraction(
          { id: 31, state: 'active', createdAt: 1_700_000_900_000, agentId: 1, acceptedAt: 2 },
          'Ana Agent',
        ),
        contactInteraction(
          { id: 30, createdAt: 1_700_000_000_000, agentId: 2, disposition: 'Resolved' },
          'Bo <b>Agent</b>',
        ),
        contactInteraction({ id: 29, state: 'queued', agentId: null }, null),
      ]);
    });
    const rows = await screen.findAllByTestId('contact-history-item');
    expect(api.contactInteractions).toHaveBeenCalledExactlyOnceWith(10);
    expect(rows.map((row) => row.dataset.interactionId)).toEqual(['31', '30', '29']);
    const cell = (row: number, id: string) => within(rows[row]!).getByTestId(id);

    expect(cell(0, 'contact-history-agent')).toHaveTextContent('Ana Agent');
    expect(cell(0, 'contact-history-state')).toHaveTextContent('Active');
    expect(cell(0, 'contact-history-disposition')).toHaveTextContent(/^—$/);

    expect(cell(1, 'contact-history-agent').textContent?.trim()).toBe('Bo <b>Agent</b>');
    expect(rows[1]!.querySelector('b')).toBeNull();
    expect(cell(1, 'contact-history-state')).toHaveTextContent('Done');
    expect(cell(1, 'contact-history-disposition')).toHaveTextContent('Resolved');
    const date = cell(1, 'contact-history-date');
    expect(date).toHaveAttribute('datetime', new Date(1_700_000_000_000).toISOString());
    expect(date).toHaveTextContent(formatHistoryDate(1_700_000_000_000));
    // The history spans years, so the year is part of the date.
    expect(date).toHaveTextContent('2023');

    expect(cell(2, 'contact-history-agent')).toHaveTextContent('No agent');
    expect(cell(2, 'contact-history-state')).toHaveTextContent('Queued');
  });

  it('says when there is no history yet', async () => {
    setup();
    expect(await screen.findByTestId('contact-history-empty')).toHaveTextContent(
      'No interactions yet.',
    );
    expect(screen.queryByTestId('contact-history-item')).toBeNull();
  });

  it('refetches once for a burst of interaction events about the contact, not about others', async () => {
    let history = [contactInteraction({ id: 30, disposition: null })];
    const { api, emitEvent } = setup(carla, (api) => {
      api.contactInteractions.mockImplementation(async () => history);
    });
    await screen.findByTestId('contact-history-item');
    expect(api.contactInteractions).toHaveBeenCalledTimes(1);

    const about = (contactId: number, seq: number) =>
      emitEvent({
        seq,
        at: seq,
        kind: { type: 'interaction', interaction: interaction({ id: 40 + seq, contactId }) },
      });
    about(11, 1);
    emitEvent({ seq: 2, at: 2, kind: { type: 'contact', contact: carla } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.contactInteractions).toHaveBeenCalledTimes(1);

    history = [
      contactInteraction({ id: 31, state: 'offered', createdAt: 1_700_001_000_000 }, 'Ana Agent'),
      contactInteraction({ id: 30, disposition: 'Escalated' }),
    ];
    about(10, 3);
    about(10, 4);
    about(10, 5);
    await waitFor(() => expect(screen.getAllByTestId('contact-history-item')).toHaveLength(2));
    const [newest, older] = screen.getAllByTestId('contact-history-item');
    expect(newest).toHaveAttribute('data-interaction-id', '31');
    expect(older).toHaveTextContent('Escalated');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.contactInteractions).toHaveBeenCalledTimes(2);
  });

  it('refetches when the connection comes back, and shows why a load failed', async () => {
    let reconnect: (state: ConnectionState) => void = () => {};
    const { api } = setup(carla, (api) => {
      api.onConnection.mockImplementation((listener) => {
        reconnect = listener;
        return () => {};
      });
      api.contactInteractions.mockRejectedValueOnce(
        new ApiFailure('unavailable', 'Cannot reach the hub.'),
      );
    });
    expect(await screen.findByTestId('contact-history-error')).toHaveTextContent(
      'Cannot reach the hub.',
    );
    api.contactInteractions.mockResolvedValue([contactInteraction({ id: 30 })]);
    reconnect('offline');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.contactInteractions).toHaveBeenCalledTimes(1);

    reconnect('online');
    expect(await screen.findByTestId('contact-history-item')).toHaveAttribute(
      'data-interaction-id',
      '30',
    );
    expect(screen.queryByTestId('contact-history-error')).toBeNull();
  });

  it('stops following events once closed', async () => {
    const { api, emitEvent, unmount } = setup();
    await screen.findByTestId('contact-history-empty');
    unmount();
    emitEvent({
      seq: 1,
      at: 1,
      kind: { type: 'interaction', interaction: interaction({ contactId: 10 }) },
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.contactInteractions).toHaveBeenCalledTimes(1);
  });
});
