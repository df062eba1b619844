// A contact's interaction history for the Contact panel, kept fresh the way the workspace
// keeps itself fresh: interaction events about the contact (and coming back online) ask
// for a refetch, a burst of them costs one request, and requests never overlap, so a late
// answer cannot overwrite a newer one.

import { ApiFailure, type ContactInteraction, type Event } from '../api';
import { refreshDelayMs, type Workspace } from '../workspace/workspace.svelte';

export class ContactHistory {
  readonly contactId: number;
  /** Newest first, across all agents; `null` until the first answer. */
  items: ContactInteraction[] | null = $state(null);
  /** Why the last load failed; the items shown (if any) are the last ones loaded. */
  error: string | null = $state(null);

  readonly #workspace: Workspace;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #loading = false;
  #dirty = false;
  #stopped = false;

  constructor(workspace: Workspace, contactId: number) {
    this.#workspace = workspace;
    this.contactId = contactId;
  }

  /** Loads the history and follows the host's events; returns the function that stops it. */
  start(): () => void {
    const { api } = this.#workspace;
    const unsubscribe = [
      api.onEvent((event) => {
        if (concernsHistory(event, this.contactId)) this.requestRefresh();
      }),
      api.onConnection((state) => {
        // What happened while offline is fetched again rather than trusted to replay.
        if (state === 'online') this.requestRefresh();
      }),
    ];
    void this.refreshNow();
    return () => {
      this.#stopped = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      for (const stop of unsubscribe) stop();
    };
  }

  /** Schedules a refetch; calls within `refreshDelayMs` share one. */
  requestRefresh(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refreshNow();
    }, refreshDelayMs);
  }

  /** Refetches at once, or right after the refetch already running. */
  async refreshNow(): Promise<void> {
    if (this.#loading) {
      this.#dirty = true;
      return;
    }
    this.#loading = true;
    try {
      do {
        this.#dirty = false;
        const items = await this.#workspace.contactInteractions(this.contactId);
        if (this.#stopped) return;
        this.items = items;
      } while (this.#dirty && !this.#stopped);
      this.error = null;
    } catch (error) {
      if (!this.#stopped) {
        this.error =
          error instanceof ApiFailure ? error.message : 'The interaction history was not loaded.';
      }
    } finally {
      this.#loading = false;
    }
  }
}

/** An interaction of the contact was created or changed (offered, accepted, wrapped up…). */
function concernsHistory(event: Event, contactId: number): boolean {
  return event.kind.type === 'interaction' && event.kind.interaction.contactId === contactId;
}
