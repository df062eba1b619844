// The browser's live feed: one WebSocket to the hub that reconnects by itself and, on
// reconnect, asks for every event after the last one it saw, so nothing is missed.

import type { ConnectionState, Event } from './generated/api';

/** The part of the DOM WebSocket the stream uses (a fake implements just this in tests). */
export type SocketLike = Pick<WebSocket, 'onopen' | 'onmessage' | 'onclose' | 'onerror' | 'close'>;

export type SocketConstructor = new (url: string) => SocketLike;

export const firstReconnectDelayMs = 500;
export const maxReconnectDelayMs = 10_000;

export interface EventStreamOptions {
  /**
   * The socket URL for a connection that resumes after `since` (null: from now on). It may
   * need a request first (a single-use ticket); a failure counts as a failed connection.
   */
  url: (since: number | null) => string | Promise<string>;
  Socket: SocketConstructor;
  onEvent: (event: Event) => void;
  onConnection: (state: ConnectionState) => void;
}

/** How many refused connections in a row still ask to resume after the last seq. */
const resumeAttempts = 5;

export class EventStream {
  readonly #options: EventStreamOptions;
  #socket: SocketLike | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #delayMs = firstReconnectDelayMs;
  #running = false;
  #state: ConnectionState | null = null;
  /** Counts connection attempts, so an attempt overtaken by stop() or a newer one gives up. */
  #attempt = 0;
  /** The seq of the newest event received; a reconnect resumes after it. */
  lastSeq: number | null = null;
  /** Connections refused in a row before they opened. */
  #failedOpens = 0;

  constructor(options: EventStreamOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#delayMs = firstReconnectDelayMs;
    void this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#attempt += 1;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
    this.#state = null;
  }

  async #connect(): Promise<void> {
    this.#retryTimer = null;
    const attempt = ++this.#attempt;
    let socket: SocketLike;
    try {
      const url = await this.#options.url(this.lastSeq);
      if (attempt !== this.#attempt || !this.#running) return;
      socket = new this.#options.Socket(url);
    } catch (error) {
      if (attempt !== this.#attempt || !this.#running) return;
      console.warn('parley: cannot open the event socket', error);
      this.#closed();
      return;
    }
    this.#socket = socket;
    let opened = false;
    // Handlers check `socket === this.#socket` so a stopped or replaced socket is ignored.
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      opened = true;
      this.#delayMs = firstReconnectDelayMs;
      this.#report('online');
    };
    socket.onmessage = ({ data }) => {
      if (socket !== this.#socket || typeof data !== 'string') return;
      let event: Event;
      try {
        event = JSON.parse(data) as Event;
      } catch {
        console.warn('parley: ignored a frame that is not JSON');
        return;
      }
      if (typeof event.seq === 'number') this.lastSeq = event.seq;
      this.#options.onEvent(event);
    };
    socket.onerror = () => {
      // A close always follows an error; reconnecting happens there.
    };
    socket.onclose = () => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      // Refused before it opened, again and again: the hub may no longer replay from there
      // (its log was pruned past it). The next attempt starts from now; the page reads
      // everything again once online.
      this.#failedOpens = opened ? 0 : this.#failedOpens + 1;
      if (this.#failedOpens >= resumeAttempts) this.lastSeq = null;
      this.#closed();
    };
  }

  #closed(): void {
    this.#report('offline');
    if (!this.#running) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, maxReconnectDelayMs);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #report(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onConnection(state);
  }
}
