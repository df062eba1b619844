// Today's figures for the top bar's KPI summary, read again when a conversation of the
// agent's changes and at midnight.

import { ApiFailure, type AgentSummary, type Api } from '../api';
import { startOfDay } from '../conversation/display';

export class Kpis {
  /** Today's figures; `null` until loaded. */
  summary: AgentSummary | null = $state(null);

  readonly #api: Api;
  /** Told when the session ended under the request. */
  readonly #signedOut: (error: unknown) => void;
  #loading = false;
  #dirty = false;
  #stopped = false;
  #midnightTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(api: Api, signedOut: (error: unknown) => void) {
    this.#api = api;
    this.#signedOut = signedOut;
  }

  /**
   * Reloads today's summary. Calls while one is loading share a single follow-up, and a
   * new day starts it again at midnight.
   */
  async refresh(): Promise<void> {
    if (this.#loading) {
      this.#dirty = true;
      return;
    }
    this.#loading = true;
    try {
      do {
        this.#dirty = false;
        const summary = await this.#api.summary(startOfDay());
        if (this.#stopped) return;
        this.summary = summary;
      } while (this.#dirty && !this.#stopped);
      this.#scheduleMidnight();
    } catch (error) {
      if (error instanceof ApiFailure && error.code === 'unauthorized') this.#signedOut(error);
      // The figures are a convenience: keep the last ones rather than raise the banner.
      else console.warn('parley: KPI summary not loaded', error);
    } finally {
      this.#loading = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#midnightTimer !== null) clearTimeout(this.#midnightTimer);
  }

  #scheduleMidnight(): void {
    if (this.#midnightTimer !== null) clearTimeout(this.#midnightTimer);
    const now = new Date();
    const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    this.#midnightTimer = setTimeout(() => {
      this.#midnightTimer = null;
      void this.refresh();
    }, tomorrow.getTime() - now.getTime() + 1000);
  }
}
