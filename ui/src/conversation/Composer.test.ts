import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../api';
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
