// The signed-in agent's workspace: what is on screen, kept fresh by refetching through the
// Api whenever the host reports a change. Refreshes are coalesced so a burst of events
// costs one round of requests, and they never overlap, so a late answer cannot overwrite
// a newer one.

import {
  ApiFailure,
  type Agent,
  type Api,
  type ConnectionState,
  type Contact,
  type ContactSummary,
  type Interaction,
  type Message,
  type Session,
} from '../api';
import { firstLine } from '../conversation/display';

export type View =
  | { kind: 'communication'; contactId: number | null }
  | { kind: 'interaction'; interactionId: number };

export interface Transcript {
  contactId: number;
  messages: Message[];
}

/** How long a refresh waits for more events to arrive before it runs. */
export const refreshDelayMs = 25;

export class Workspace {
  readonly api: Api;
  agent: Agent = $state()!;
  contacts: ContactSummary[] = $state([]);
  interactions: Interaction[] = $state([]);
  /** The messages of the contact in view; `contactId` tells which one they belong to. */
  transcript: Transcript | null = $state(null);
  /** The first line of the newest inbound message, per offered interaction id. */
  offerPreviews: Record<number, string> = $state({});
  connection: ConnectionState = $state('online');
  view: View = $state({ kind: 'communication', contactId: null });
  /** The last refresh or action that failed, for the banner. */
  error: string | null = $state(null);

  readonly #signedOut: () => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #refreshing = false;
  #dirty = false;
  #focus: number | null = null;
  readonly #markingRead = new Set<number>();
  #stopped = false;

  constructor(api: Api, session: Session, signedOut: () => void) {
    this.api = api;
    this.agent = session.agent;
    this.#signedOut = signedOut;
    // The browser learns it is online when its socket opens; the desktop host reports
    // only changes, and a session exists only after it reached the hub.
    this.connection = api.mode === 'desktop' ? 'online' : 'offline';
  }

  get contactsById(): Map<number, Contact> {
    return new Map(this.contacts.map((summary) => [summary.contact.id, summary.contact]));
  }

  /** Interactions offered to me and waiting for Accept. */
  get offers(): Interaction[] {
    return this.interactions.filter(
      (interaction) => interaction.state === 'offered' && interaction.agentId === this.agent.id,
    );
  }

  /** My interactions that have a Chat Interaction view (accepted and not yet done). */
  get activeInteractions(): Interaction[] {
    return this.interactions
      .filter(
        (interaction) =>
          (interaction.state === 'active' || interaction.state === 'ended') &&
          interaction.agentId === this.agent.id,
      )
      .sort((a, b) => (a.acceptedAt ?? a.createdAt) - (b.acceptedAt ?? b.createdAt));
  }

  get viewedInteraction(): Interaction | undefined {
    const view = this.view;
    if (view.kind !== 'interaction') return undefined;
    return this.interactions.find((interaction) => interaction.id === view.interactionId);
  }

  /** The contact whose conversation is in view, if any. */
  get focusedContactId(): number | null {
    if (this.view.kind === 'communication') return this.view.contactId;
    return this.viewedInteraction?.contactId ?? null;
  }

  /** The transcript of the contact in view, once it has loaded. */
  get focusedMessages(): Message[] | null {
    const focus = this.focusedContactId;
    return this.transcript !== null && this.transcript.contactId === focus
      ? this.transcript.messages
      : null;
  }

  /** Subscribes to the host and loads everything; returns the function that stops it. */
  start(): () => void {
    const unsubscribe = [
      this.api.onEvent((event) => {
        if (event.kind.type === 'agent' && event.kind.agent.id === this.agent.id) {
          this.agent = event.kind.agent;
        }
        this.requestRefresh();
      }),
      this.api.onChanged(() => this.requestRefresh()),
      this.api.onConnection((state) => {
        this.connection = state;
        // Whatever happened while offline is fetched again rather than trusted to replay.
        if (state === 'online') this.requestRefresh();
      }),
    ];
    void this.refreshNow();
    return () => {
      this.#stopped = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      for (const stop of unsubscribe) stop();
    };
  }

  /** Schedules a refresh; calls within `refreshDelayMs` share one. */
  requestRefresh(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refreshNow();
    }, refreshDelayMs);
  }

  /** Refreshes at once, or right after the refresh already running. */
  async refreshNow(): Promise<void> {
    if (this.#refreshing) {
      this.#dirty = true;
      return;
    }
    this.#refreshing = true;
    try {
      do {
        this.#dirty = false;
        await this.#refresh();
      } while (this.#dirty && !this.#stopped);
      this.error = null;
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#refreshing = false;
    }
  }

  async #refresh(): Promise<void> {
    const focus = this.focusedContactId;
    const [contacts, interactions, messages] = await Promise.all([
      this.api.listContacts(),
      this.api.listInteractions(),
      focus === null ? Promise.resolve(null) : this.api.listMessages(focus),
    ]);
    if (this.#stopped) return;
    this.contacts = contacts;
    this.interactions = interactions;
    if (focus !== null && messages !== null) this.transcript = { contactId: focus, messages };

    if (this.view.kind === 'interaction' && this.viewedInteraction === undefined) {
      // The interaction was marked Done elsewhere; keep its conversation in view.
      this.#show({ kind: 'communication', contactId: focus });
    }
    this.#markFocusRead(false);
    await this.#loadOfferPreviews(focus, messages);
  }

  async #loadOfferPreviews(focus: number | null, focusMessages: Message[] | null): Promise<void> {
    const offers = this.offers;
    const previews = await Promise.all(
      offers.map(async (offer) => {
        const messages =
          offer.contactId === focus && focusMessages !== null
            ? focusMessages
            : await this.api.listMessages(offer.contactId);
        return [offer.id, firstLine(newestInbound(messages)?.body ?? '')] as const;
      }),
    );
    if (!this.#stopped) this.offerPreviews = Object.fromEntries(previews);
  }

  /** Opens the Communication tab, optionally with a contact's conversation. */
  openCommunication(contactId: number | null = null): void {
    this.#show({ kind: 'communication', contactId });
  }

  openInteraction(interactionId: number): void {
    this.#show({ kind: 'interaction', interactionId });
  }

  /** An offer was accepted: open its Chat Interaction view. */
  accepted(interaction: Interaction): void {
    const others = this.interactions.filter((known) => known.id !== interaction.id);
    this.interactions = [...others, interaction];
    this.openInteraction(interaction.id);
  }

  async send(contactId: number, interactionId: number | null, body: string): Promise<void> {
    const message = await this.api.sendMessage({ contactId, interactionId, body });
    const transcript = this.transcript;
    if (
      transcript !== null &&
      transcript.contactId === contactId &&
      !transcript.messages.some((known) => known.id === message.id)
    ) {
      this.transcript = { contactId, messages: [...transcript.messages, message] };
    }
    this.requestRefresh();
  }

  async toggleStatus(): Promise<void> {
    const next = this.agent.status === 'ready' ? 'notReady' : 'ready';
    try {
      this.agent = await this.api.setStatus(next);
      this.error = null;
    } catch (error) {
      this.#failed(error);
    }
  }

  async signOut(): Promise<void> {
    try {
      await this.api.logout();
    } catch (error) {
      console.warn('parley: logout failed; leaving anyway', error);
    }
    this.#signedOut();
  }

  #show(view: View): void {
    this.view = view;
    const focus = this.focusedContactId;
    if (focus !== this.#focus) {
      this.#focus = focus;
      this.api.setFocus(focus).catch((error: unknown) => {
        console.warn('parley: setFocus failed', error);
      });
      if (focus !== null) {
        this.#markFocusRead(true);
        void this.refreshNow();
      }
    }
  }

  /**
   * What is in view has been read: always when a conversation is opened (`opened`), and
   * afterwards whenever a refresh finds new unread messages in it.
   */
  #markFocusRead(opened: boolean): void {
    const focus = this.focusedContactId;
    if (focus === null || this.#markingRead.has(focus)) return;
    const summary = this.contacts.find((candidate) => candidate.contact.id === focus);
    if (!opened && (summary === undefined || summary.unreadCount === 0)) return;
    this.#markingRead.add(focus);
    this.contacts = this.contacts.map((candidate) =>
      candidate === summary ? { ...candidate, unreadCount: 0 } : candidate,
    );
    this.api
      .markRead(focus)
      // A refresh that raced the read mark may have brought back the old count: read again.
      .then(() => this.requestRefresh())
      .catch((error: unknown) => this.#failed(error))
      .finally(() => this.#markingRead.delete(focus));
  }

  #failed(error: unknown): void {
    if (error instanceof ApiFailure && error.code === 'unauthorized') {
      this.#stopped = true;
      this.#signedOut();
      return;
    }
    this.error = error instanceof Error ? error.message : String(error);
  }
}

function newestInbound(messages: readonly Message[]): Message | undefined {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.direction === 'inbound') return message;
  }
  return undefined;
}
