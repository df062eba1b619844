import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maxToasts, toastLifetimeMs, Toasts, type ToastNews } from './toasts.svelte';

const news = (contactId: number, overrides: Partial<ToastNews> = {}): ToastNews => ({
  contactId,
  interactionId: null,
  title: 'New message',
  who: `Contact ${contactId}`,
  text: 'Any news?',
  ...overrides,
});

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Toasts', () => {
  it(`keeps the newest ${maxToasts}, one per conversation`, () => {
    const toasts = new Toasts();
    for (const contactId of [1, 2, 3, 4]) toasts.show(news(contactId));
    expect(toasts.items.map((toast) => toast.contactId)).toEqual([2, 3, 4]);

    // A second reply from a contact already told of updates that notice, where it is.
    toasts.show(news(3, { text: 'Hello again' }));
    expect(toasts.items.map((toast) => [toast.contactId, toast.text])).toEqual([
      [2, 'Any news?'],
      [3, 'Hello again'],
      [4, 'Any news?'],
    ]);
  });

  it('keeps telling of a chat answered for the agent when its contact writes', () => {
    const toasts = new Toasts();
    toasts.show(news(5, { interactionId: 77, title: 'New chat', text: 'Answered for you automatically.' }));
    toasts.show(news(5, { text: 'I need help with my order' }));
    expect(toasts.items).toEqual([
      expect.objectContaining({
        contactId: 5,
        interactionId: 77,
        title: 'New chat',
        text: 'I need help with my order',
      }),
    ]);
  });

  it('goes by itself after a while, unless the agent is on it', () => {
    const toasts = new Toasts();
    const left = toasts.show(news(1));
    const held = toasts.show(news(2));
    toasts.hold(held.id);
    vi.advanceTimersByTime(toastLifetimeMs - 1);
    expect(toasts.items).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(toasts.items.map((toast) => toast.id)).toEqual([held.id]);
    expect(left.id).not.toBe(held.id);

    // Left alone again, it goes after a whole while more.
    vi.advanceTimersByTime(10 * toastLifetimeMs);
    expect(toasts.items).toHaveLength(1);
    toasts.release(held.id);
    vi.advanceTimersByTime(toastLifetimeMs - 1);
    expect(toasts.items).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(toasts.items).toHaveLength(0);
  });

  it('pushes out the oldest the agent is not on', () => {
    const toasts = new Toasts();
    const first = toasts.show(news(1));
    toasts.show(news(2));
    toasts.show(news(3));
    toasts.hold(first.id);
    toasts.show(news(4));
    expect(toasts.items.map((toast) => toast.contactId)).toEqual([1, 3, 4]);
  });

  it('drops what a conversation on screen has no more to tell, and everything at sign-out', () => {
    const toasts = new Toasts();
    toasts.show(news(1));
    toasts.show(news(2));
    toasts.dismissContact(1);
    expect(toasts.items.map((toast) => toast.contactId)).toEqual([2]);
    toasts.clear();
    expect(toasts.items).toEqual([]);
    expect(vi.getTimerCount(), 'no timer is left behind').toBe(0);
  });
});
