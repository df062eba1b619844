import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../api';
import { fakeApi, keepInteractions, session, summary } from '../testing/fixtures';
import AgentWorkspace from '../workspace/AgentWorkspace.svelte';

async function selectCarla(configure: (api: ReturnType<typeof fakeApi>['api']) => void = () => {}) {
  const fake = fakeApi('browser');
  fake.api.listContacts.mockResolvedValue([
    summary({ id: 10, name: 'Carla', phone: '+15551230001' }),
    summary({ id: 11, name: 'Dan', phone: '+15551230002' }),
  ]);
  keepInteractions(fake.api, []);
  configure(fake.api);
  render(AgentWorkspace, { api: fake.api, session: session(), onSignedOut: () => {} });
  const user = userEvent.setup();
  // Nothing selected, nothing to create an interaction with.
  expect(screen.queryByTestId('create-interaction')).toBeNull();
  await user.click(await screen.findByRole('button', { name: /Carla/ }));
  return { ...fake, user };
}

describe('CommunicationTab', () => {
  it('creates an SMS interaction with the selected contact and opens its view', async () => {
    const { api, user } = await selectCarla();
    const create = screen.getByRole('button', { name: 'Create SMS Interaction' });
    expect(create).toBe(screen.getByTestId('create-interaction'));

    await user.click(create);
    expect(api.createInteraction).toHaveBeenCalledExactlyOnceWith(10);
    const view = await screen.findByTestId('interaction-view');
    expect(view).toHaveAttribute('data-interaction-id', '300');
    expect(view).toHaveAttribute('data-state', 'active');
    expect(view).toHaveAccessibleName('Chat interaction with Carla');
    expect(screen.getByTestId('case-information')).toHaveTextContent(
      'Outbound (Create SMS Interaction)',
    );
    expect(screen.getByTestId('interaction-item')).toHaveAttribute('data-interaction-id', '300');

    // A refresh keeps it open: the host lists it from now on.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(screen.getByTestId('interaction-view')).toBe(view);
  });

  it('says why an interaction could not be created and stays on the conversation', async () => {
    const { api, user } = await selectCarla((api) => {
      api.createInteraction.mockRejectedValue(
        new ApiFailure('conflict', 'this contact is in an interaction with another agent'),
      );
    });
    await user.click(screen.getByTestId('create-interaction'));
    expect(await screen.findByRole('alert')).toHaveTextContent('with another agent');
    expect(screen.queryByTestId('interaction-view')).toBeNull();
    expect(api.createInteraction).toHaveBeenCalledTimes(1);

    // The message belongs to Carla's conversation, not to the next contact's.
    await user.click(screen.getByRole('button', { name: /Dan/ }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(screen.getByTestId('create-interaction')).toBeEnabled();
  });
});
