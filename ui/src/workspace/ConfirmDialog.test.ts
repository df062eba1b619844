import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import ConfirmDialog from './ConfirmDialog.svelte';
import { Confirmation } from './confirmation.svelte';

describe('ConfirmDialog', () => {
  const question = {
    title: 'Sign out with 2 open chats?',
    text: 'They go back to the queue.',
    confirm: 'Sign out',
  };

  it('asks, with going back focused, and answers with the button pressed', async () => {
    const confirmation = new Confirmation();
    const answer = confirmation.ask(question);
    render(ConfirmDialog, { asked: confirmation.current! });
    const dialog = screen.getByRole('alertdialog', { name: 'Sign out with 2 open chats?' });
    expect(dialog).toHaveAccessibleDescription('They go back to the queue.');
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    await expect(answer).resolves.toBe(true);
    expect(confirmation.current).toBeNull();
  });

  it('takes Escape as no', async () => {
    const confirmation = new Confirmation();
    const answer = confirmation.ask(question);
    render(ConfirmDialog, { asked: confirmation.current! });
    await userEvent.setup().keyboard('{Escape}');
    await expect(answer).resolves.toBe(false);
  });

  it('answers an earlier question no when another is asked', async () => {
    const confirmation = new Confirmation();
    const first = confirmation.ask(question);
    const second = confirmation.ask({ ...question, title: 'Another' });
    await expect(first).resolves.toBe(false);
    expect(confirmation.current?.title).toBe('Another');
    confirmation.current!.answer(true);
    await expect(second).resolves.toBe(true);
  });
});
