import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../api';
import { fakeApi, keepInteractions, session, summary } from '../testing/fixtures';
import AgentWorkspace from '../workspace/AgentWorkspace.svelte';

async function communicationTab() {
  const fake = fakeApi('browser');
  fake.api.listContacts.mockResolvedValue([summary({ id: 10, name: 'Carla' })]);
  keepInteractions(fake.api, []);
  render(AgentWorkspace, { api: fake.api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  await screen.findByRole('button', { name: /Carla/ });
  return { ...fake, user };
}

describe('Create SMS Interaction with a new number', () => {
  it('creates an interaction with the number as typed and opens its view', async () => {
    const { api, user } = await communicationTab();
    const toggle = screen.getByTestId('new-number-button');
    expect(toggle).toHaveAccessibleName('New SMS');

    await user.click(toggle);
    const input = screen.getByTestId('new-number-input');
    expect(input, 'the field is ready to type in').toHaveFocus();
    expect(input).toHaveAccessibleName('Number');
    expect(screen.getByTestId('new-number-submit')).toBeDisabled();

    await user.type(input, '(201) 555-0123');
    await user.click(screen.getByTestId('new-number-submit'));
    expect(api.createInteractionForNumber).toHaveBeenCalledExactlyOnceWith(
      '(201) 555-0123',
      false,
    );
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-state', 'active');
    // The hub lists it from now on, so a refresh keeps it open.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(screen.getByTestId('interaction-view')).toBe(view);
  });

  it('says the number is incorrect, with the hub\'s detail, and keeps it to correct', async () => {
    const { api, user } = await communicationTab();
    api.createInteractionForNumber.mockRejectedValueOnce(
      new ApiFailure(
        'invalidNumber',
        'the number "555" is incorrect: check it, or write it with its country code (such as +1 201 555 0123)',
      ),
    );
    await user.click(screen.getByTestId('new-number-button'));
    const input = screen.getByTestId('new-number-input');
    await user.type(input, '555{Enter}');

    const error = await screen.findByTestId('new-number-error');
    expect(error).toHaveTextContent(
      'The number "555" is incorrect: check it, or write it with its country code (such as +1 201 555 0123)',
    );
    expect(error).toHaveAttribute('role', 'alert');
    expect(input).toHaveValue('555');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
  });

  it('shows any other refusal as the hub words it', async () => {
    const { api, user } = await communicationTab();
    api.createInteractionForNumber.mockRejectedValueOnce(
      new ApiFailure('conflict', 'this contact is in an interaction with another agent'),
    );
    await user.click(screen.getByTestId('new-number-button'));
    await user.type(screen.getByTestId('new-number-input'), '+12015550123{Enter}');
    expect(await screen.findByTestId('new-number-error')).toHaveTextContent(
      'this contact is in an interaction with another agent',
    );
  });

  it('closes with Escape, back on its button', async () => {
    const { user } = await communicationTab();
    const toggle = screen.getByTestId('new-number-button');
    await user.click(toggle);
    const dialog = screen.getByRole('dialog', { name: 'Text a new number' });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    expect(toggle).toHaveFocus();
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
  });

  it('is there with a contact selected too', async () => {
    const { user } = await communicationTab();
    await user.click(screen.getByRole('button', { name: /Carla/ }));
    const list = screen.getByRole('region', { name: 'Assigned Contacts' });
    expect(within(list).getByTestId('new-number-button')).toBeInTheDocument();
    expect(screen.getByTestId('create-interaction')).toBeInTheDocument();
  });
});
