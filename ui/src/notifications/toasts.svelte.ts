// Notices inside the app, for news about a conversation the agent is not looking at: a
// contact's reply, a chat answered for them. Each has Show, goes by itself after a while
// unless the agent is on it, and only the newest few are kept.

/** How long a notice stays when the agent leaves it alone. */
export const toastLifetimeMs = 8000;

/** The most notices shown at once; a newer one pushes the oldest out. */
export const maxToasts = 3;

/** What a notice tells. */
export interface ToastNews {
  /** Whose conversation it is about; Show opens it. */
  contactId: number;
  /** The chat Show opens, for a chat answered for the agent. */
  interactionId: number | null;
  /** What happened: "New message", "New chat". */
  title: string;
  /** Who: "Carla (+12015550101)". */
  who: string;
  /** What they wrote (shortened), or what happened. */
  text: string;
}

export interface Toast extends ToastNews {
  readonly id: number;
}

/** The notices on screen, newest last; one per conversation. */
export class Toasts {
  items: Toast[] = $state([]);
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Notices the agent is pointing at or in: they stay until the agent leaves them. */
  readonly #held = new Set<number>();
  #nextId = 1;

  /**
   * Shows news, in place of an earlier notice about the same conversation. A reply to a chat
   * just answered for the agent keeps telling of the new chat.
   */
  show(news: ToastNews): Toast {
    const earlier = this.items.find((toast) => toast.contactId === news.contactId);
    if (earlier !== undefined) {
      const keepsChat = earlier.interactionId !== null && news.interactionId === null;
      const toast: Toast = keepsChat
        ? { ...news, id: earlier.id, title: earlier.title, interactionId: earlier.interactionId }
        : { ...news, id: earlier.id };
      this.items = this.items.map((shown) => (shown === earlier ? toast : shown));
      this.#expire(toast.id);
      return toast;
    }
    const toast: Toast = { ...news, id: this.#nextId++ };
    this.items = [...this.items, toast];
    while (this.items.length > maxToasts) {
      // The oldest goes, unless the agent is on it.
      const gone = this.items.find((shown) => !this.#held.has(shown.id)) ?? this.items[0]!;
      this.dismiss(gone.id);
    }
    this.#expire(toast.id);
    return toast;
  }

  dismiss(id: number): void {
    this.#forget(id);
    this.items = this.items.filter((toast) => toast.id !== id);
  }

  /** The conversation is on screen now: its notices have nothing more to tell. */
  dismissContact(contactId: number): void {
    for (const toast of this.items) {
      if (toast.contactId === contactId) this.dismiss(toast.id);
    }
  }

  /** The agent points at the notice or moves into it: it stays. */
  hold(id: number): void {
    this.#held.add(id);
    this.#stopTimer(id);
  }

  /** The agent left the notice: it goes after a while again. */
  release(id: number): void {
    if (!this.#held.delete(id)) return;
    if (this.items.some((toast) => toast.id === id)) this.#expire(id);
  }

  /** Every notice goes (the agent signed out). */
  clear(): void {
    for (const toast of this.items) this.#forget(toast.id);
    this.items = [];
  }

  #expire(id: number): void {
    this.#stopTimer(id);
    if (this.#held.has(id)) return;
    this.#timers.set(id, setTimeout(() => this.dismiss(id), toastLifetimeMs));
  }

  #stopTimer(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
  }

  #forget(id: number): void {
    this.#stopTimer(id);
    this.#held.delete(id);
  }
}
