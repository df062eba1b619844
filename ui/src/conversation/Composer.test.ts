import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure, type StandardResponse } from '../api';
import { fieldValues } from '../composer/fields';
import { agent, contact } from '../testing/fixtures';
import Composer from './Composer.svelte';

function setup(onSend = vi.fn(async (_body: string) => {})) {
  render(Composer, { placeholder: 'Write something...', onSend });
  return { onSend, user: userEvent.setup(), input: screen.getByTestId('composer-input') };
}

describe('Composer', () => {
  it('sends on Enter and clears the field', async () => {
    const { onSend, user, input } = setup();
    expect(input).toHaveAttribute('placeholder', 'Write something...');
    await user.type(input, 'Hello there{Enter}');
    expect(onSend).toHaveBeenCalledExactlyOnceWith('Hello there');
    expect(input).toHaveValue('');
  });

  it('adds a new line on Shift+Enter instead of sending', async () => {
    const { onSend, user, input } = setup();
    await user.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSend).not.toHaveBeenCalled();
    expect(input).toHaveValue('line one\nline two');

    await user.click(screen.getByTestId('composer-send'));
    expect(onSend).toHaveBeenCalledWith('line one\nline two');
  });

  it('does not send blank text', async () => {
    const { onSend, user, input } = setup();
    await user.type(input, '   {Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByTestId('composer-send')).toBeDisabled();
  });

  it('keeps the text and shows why when sending failed', async () => {
    const onSend = vi.fn(async (_body: string) => {
      throw new ApiFailure('invalidNumber', 'This number cannot receive SMS.');
    });
    const { user, input } = setup(onSend);
    await user.type(input, 'Are you there?{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('This number cannot receive SMS.');
    expect(input).toHaveValue('Are you there?');
  });

  it('has an accessible Send button', () => {
    setup();
    expect(screen.getByRole('button', { name: 'Send message' })).toBe(
      screen.getByTestId('composer-send'),
    );
  });

  it('counts characters, encoding and segments as the agent types', async () => {
    const { user, input } = setup();
    await user.type(input, 'Hello');
    expect(screen.getByTestId('segment-characters')).toHaveTextContent('5 / 1600');
    expect(screen.getByTestId('segment-encoding')).toHaveTextContent('GSM-7');
    expect(screen.getByTestId('segment-count')).toHaveTextContent('1 segment');
    expect(screen.queryByTestId('segment-ucs2-note')).toBeNull();

    await user.type(input, ' 👍');
    expect(screen.getByTestId('segment-encoding')).toHaveTextContent('UCS-2');
    expect(screen.getByTestId('segment-ucs2-note')).toHaveTextContent('“👍” switches the whole message to UCS-2');
  });

  it('refuses to send more than 1600 characters', async () => {
    const { onSend, user, input } = setup();
    await user.click(input);
    await user.paste('a'.repeat(1601));
    expect(screen.getByTestId('segment-counter')).toHaveTextContent('too long');
    expect(screen.getByTestId('segment-count')).toHaveTextContent('11 segments');
    expect(screen.getByTestId('composer-send')).toBeDisabled();
    await user.type(input, '{Enter}');
    expect(onSend).not.toHaveBeenCalled();
  });
});

describe('Composer: Ctrl+Enter', () => {
  it('sends on Ctrl+Enter and ⌘+Enter as well as Enter', async () => {
    const { onSend, user, input } = setup();
    await user.type(input, 'First{Control>}{Enter}{/Control}');
    expect(onSend).toHaveBeenLastCalledWith('First');
    expect(input).toHaveValue('');
    await user.type(input, 'Second{Meta>}{Enter}{/Meta}');
    expect(onSend).toHaveBeenLastCalledWith('Second');
    expect(onSend).toHaveBeenCalledTimes(2);
  });
});

describe('Composer: emoji', () => {
  /** Types `before` and `after`, and leaves the cursor between them. */
  async function typeAround(
    user: ReturnType<typeof userEvent.setup>,
    input: HTMLElement,
    before: string,
    after: string,
  ) {
    await user.type(input, before + after);
    await user.keyboard('{ArrowLeft}'.repeat(after.length));
  }

  it('opens a picker whose search finds an emoji, inserted at the cursor', async () => {
    const { user, input } = setup();
    await typeAround(user, input, 'Great job', '!');

    const button = screen.getByTestId('emoji-button');
    expect(button).toHaveAccessibleName('Emoji');
    expect(button).toHaveAttribute('aria-keyshortcuts', 'Alt+M');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    await user.click(button);
    const picker = screen.getByTestId('emoji-picker');
    expect(button).toHaveAttribute('aria-expanded', 'true');
    const search = within(picker).getByTestId('emoji-search');
    expect(search).toHaveFocus();
    // The data arrives from its own chunk; until a search, the first group is shown.
    expect(await within(picker).findByRole('button', { name: 'grinning face' })).toHaveTextContent(
      '😀',
    );

    await user.type(search, 'thumbs UP');
    const options = within(picker).getAllByTestId('emoji-option');
    expect(options.map((option) => option.getAttribute('aria-label'))).toEqual(['thumbs up']);
    await user.click(options[0]!);

    expect(screen.queryByTestId('emoji-picker')).toBeNull();
    expect(input).toHaveValue('Great job👍!');
    expect(input).toHaveFocus();
    expect((input as HTMLTextAreaElement).selectionStart).toBe('Great job👍'.length);
    expect(button).toHaveAttribute('aria-expanded', 'false');
  });

  it('replaces the selected text, and shows the categories', async () => {
    const { user, input } = setup();
    await user.type(input, 'I love cats');
    (input as HTMLTextAreaElement).setSelectionRange(7, 11);

    await user.click(screen.getByTestId('emoji-button'));
    const picker = screen.getByTestId('emoji-picker');
    const animals = await within(picker).findByRole('button', { name: 'Animals & Nature' });
    expect(animals).toHaveAttribute('aria-pressed', 'false');
    await user.click(animals);
    expect(animals).toHaveAttribute('aria-pressed', 'true');
    expect(within(picker).queryByRole('button', { name: 'grinning face' })).toBeNull();
    await user.click(within(picker).getByRole('button', { name: 'cat face' }));

    expect(input).toHaveValue('I love 🐱');
    expect(input).toHaveFocus();
  });

  it('is used from the keyboard: arrows, Enter, and Escape to close', async () => {
    const { onSend, user, input } = setup();
    await user.type(input, 'Hi ');
    await user.click(screen.getByTestId('emoji-button'));
    const picker = screen.getByTestId('emoji-picker');
    await within(picker).findAllByTestId('emoji-option');

    // Enter in the search picks the first match; it does not send the message.
    await user.keyboard('waving hand{Enter}');
    expect(input).toHaveValue('Hi 👋');
    expect(onSend).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('emoji-button'));
    await within(screen.getByTestId('emoji-picker')).findAllByTestId('emoji-option');
    await user.keyboard('{ArrowDown}{ArrowRight}');
    expect(screen.getByRole('button', { name: 'grinning face with big eyes' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('emoji-picker')).toBeNull();
    expect(input).toHaveFocus();
    expect(input).toHaveValue('Hi 👋');
  });

  it('closes on a click outside, and says when nothing matches', async () => {
    const { user } = setup();
    await user.click(screen.getByTestId('emoji-button'));
    const picker = screen.getByTestId('emoji-picker');
    await within(picker).findAllByTestId('emoji-option');
    await user.type(within(picker).getByTestId('emoji-search'), 'zzzz');
    expect(within(picker).queryAllByTestId('emoji-option')).toHaveLength(0);
    expect(picker).toHaveTextContent('No emoji match “zzzz”.');

    await user.click(document.body);
    expect(screen.queryByTestId('emoji-picker')).toBeNull();
  });
});

describe('Composer: Standard Responses', () => {
  const responses: StandardResponse[] = [
    { category: 'Greetings', title: 'Welcome', text: 'Hi {contact.name}, this is {agent.name}.' },
    { category: 'Orders', title: 'Tracking', text: 'Track it at {order.url} ({contact.phone}).' },
    { category: 'Greetings', title: 'Café', text: 'See you at the café!' },
  ];
  const fields = fieldValues(
    contact({ name: 'Carla Contact', phone: '+15551230001' }),
    agent({ name: 'Ana Agent' }),
  );

  function setupWithResponses(offered: readonly StandardResponse[] | null = responses) {
    const onSend = vi.fn(async (_body: string) => {});
    render(Composer, { placeholder: 'Write something...', onSend, responses: offered, fields });
    return { onSend, user: userEvent.setup(), input: screen.getByTestId('composer-input') };
  }

  const shownTitles = () =>
    screen.getAllByTestId('response-option').map((option) => option.getAttribute('data-title'));

  it('has no Standard Responses button without responses', () => {
    setup();
    expect(screen.getByTestId('emoji-button')).toBeInTheDocument();
    expect(screen.queryByTestId('responses-button')).toBeNull();
  });

  it('lists the responses by category and finds them ignoring case and accents', async () => {
    const { user } = setupWithResponses();
    const button = screen.getByTestId('responses-button');
    expect(button).toHaveAccessibleName('Standard Responses');
    expect(button).toHaveAttribute('aria-keyshortcuts', 'Alt+R');
    await user.click(button);

    const panel = screen.getByTestId('responses-panel');
    const search = within(panel).getByTestId('responses-search');
    expect(search).toHaveFocus();
    expect(shownTitles()).toEqual(['Welcome', 'Café', 'Tracking']);
    const greetings = within(panel).getByRole('group', { name: 'Greetings' });
    expect(within(greetings).getAllByTestId('response-option')).toHaveLength(2);
    // The text is shown as it will be inserted.
    expect(within(greetings).getAllByTestId('response-option')[0]).toHaveTextContent(
      'Hi Carla Contact, this is Ana Agent.',
    );

    await user.type(search, 'CAFE');
    expect(shownTitles()).toEqual(['Café']);
    await user.clear(search);
    await user.type(search, 'track');
    expect(shownTitles()).toEqual(['Tracking']);
    await user.clear(search);
    await user.type(search, 'greetings');
    expect(shownTitles()).toEqual(['Welcome', 'Café']);
    await user.clear(search);
    await user.type(search, 'nothing like it');
    expect(screen.queryAllByTestId('response-option')).toHaveLength(0);
    expect(panel).toHaveTextContent('No Standard Responses match “nothing like it”.');
  });

  it('inserts the chosen response at the cursor with its fields filled, to edit before sending', async () => {
    const { onSend, user, input } = setupWithResponses();
    await user.type(input, 'Hello!  Thanks.');
    await user.keyboard('{ArrowLeft}'.repeat(' Thanks.'.length));

    await user.click(screen.getByTestId('responses-button'));
    await user.type(screen.getByTestId('responses-search'), 'welcome');
    await user.click(screen.getByRole('button', { name: /Welcome/ }));

    const before = 'Hello! Hi Carla Contact, this is Ana Agent.';
    expect(screen.queryByTestId('responses-panel')).toBeNull();
    expect(input).toHaveValue(`${before} Thanks.`);
    expect(input).toHaveFocus();
    expect((input as HTMLTextAreaElement).selectionStart).toBe(before.length);

    // The agent goes on typing where the response ends, then sends.
    await user.keyboard(' How can I help?{Enter}');
    expect(onSend).toHaveBeenCalledExactlyOnceWith(`${before} How can I help? Thanks.`);
  });

  it('leaves unknown fields as typed', async () => {
    const { user, input } = setupWithResponses();
    await user.click(screen.getByTestId('responses-button'));
    const tracking = screen
      .getAllByTestId('response-option')
      .find((option) => option.getAttribute('data-title') === 'Tracking');
    await user.click(tracking!);
    expect(input).toHaveValue('Track it at {order.url} (+15551230001).');
  });

  it('is used from the keyboard: Enter takes the first match, Escape closes', async () => {
    const { onSend, user, input } = setupWithResponses();
    await user.click(screen.getByTestId('responses-button'));
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('responses-panel')).toBeNull();
    expect(input).toHaveFocus();
    expect(screen.getByTestId('responses-button')).toHaveAttribute('aria-expanded', 'false');

    await user.click(screen.getByTestId('responses-button'));
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getAllByTestId('response-option')[1]).toHaveFocus();
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(screen.getByTestId('responses-search')).toHaveFocus();
    await user.keyboard('caf{Enter}');
    expect(input).toHaveValue('See you at the café!');
    expect(onSend).not.toHaveBeenCalled();
  });

  it('says so while the responses load, and when none are set up', async () => {
    const { user } = setupWithResponses(null);
    await user.click(screen.getByTestId('responses-button'));
    expect(screen.getByTestId('responses-panel')).toHaveTextContent('Loading Standard Responses…');
    expect(screen.queryAllByTestId('response-option')).toHaveLength(0);
  });

  it('shows one panel at a time', async () => {
    const { user } = setupWithResponses([]);
    await user.click(screen.getByTestId('responses-button'));
    expect(screen.getByTestId('responses-panel')).toHaveTextContent(
      'No Standard Responses are set up.',
    );
    await user.click(screen.getByTestId('emoji-button'));
    expect(screen.getByTestId('emoji-picker')).toBeInTheDocument();
    expect(screen.queryByTestId('responses-panel')).toBeNull();
    expect(screen.getByTestId('emoji-search')).toHaveFocus();
  });
});
