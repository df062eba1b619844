import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toastLifetimeMs, Toasts, type ToastNews } from './toasts.svelte';
import ToastRegion from './ToastRegion.svelte';

const news = (contactId: number, who: string): ToastNews => ({
  contactId,
  interactionId: null,
  title: 'New message',
  who,
  text: 'Any news?',
});

function setup() {
  const toasts = new Toasts();
  const onShow = vi.fn();
  render(ToastRegion, { toasts, onShow });
  return { toasts, onShow };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('notices in the app', () => {
  it('are told in a status region named Notices, each with who, what and Show', async () => {
    const { toasts, onShow } = setup();
    const region = screen.getByRole('region', { name: 'Notices' });
    // The live region is there before any notice, so that the first one is announced.
    expect(within(region).getByRole('status').textContent?.trim()).toBe('');

    const shown = toasts.show(news(10, 'Carla (+15551230001)'));
    await tick();
    const toast = within(within(region).getByRole('status')).getByRole('group', {
      name: 'New message Carla (+15551230001)',
    });
    expect(within(toast).getByTestId('toast-text')).toHaveTextContent('Any news?');
    const show = within(toast).getByRole('button', { name: 'Show' });
    expect(show).toHaveAccessibleDescription('New message Carla (+15551230001) Any news?');
    await fireEvent.click(show);
    expect(onShow).toHaveBeenCalledExactlyOnceWith(shown);
  });

  it('go with Dismiss or Escape', async () => {
    const { toasts } = setup();
    toasts.show(news(10, 'Carla'));
    toasts.show(news(11, 'Dan'));
    await tick();
    const [carla, dan] = screen.getAllByTestId('toast');
    await fireEvent.click(within(carla!).getByRole('button', { name: 'Dismiss' }));
    expect(screen.getAllByTestId('toast')).toEqual([dan]);
    await fireEvent.keyDown(within(dan!).getByRole('button', { name: 'Show' }), { key: 'Escape' });
    expect(screen.queryAllByTestId('toast')).toHaveLength(0);
  });

  it('stay while the pointer or the focus is on them, and go a while after it leaves', async () => {
    const { toasts } = setup();
    toasts.show(news(10, 'Carla'));
    await tick();
    const toast = screen.getByTestId('toast');
    await fireEvent.mouseEnter(toast);
    vi.advanceTimersByTime(3 * toastLifetimeMs);
    await tick();
    expect(screen.getByTestId('toast'), 'kept under the pointer').toBe(toast);
    await fireEvent.mouseLeave(toast);
    await fireEvent.focusIn(within(toast).getByRole('button', { name: 'Show' }));
    vi.advanceTimersByTime(3 * toastLifetimeMs);
    await tick();
    expect(screen.getByTestId('toast'), 'kept while the focus is in it').toBe(toast);
    await fireEvent.focusOut(toast, { relatedTarget: document.body });
    vi.advanceTimersByTime(toastLifetimeMs);
    await tick();
    expect(screen.queryByTestId('toast')).toBeNull();
  });
});
