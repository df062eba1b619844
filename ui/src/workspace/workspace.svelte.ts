// The signed-in agent's workspace: what is on screen, kept fresh by refetching through the
// Api whenever the host reports a change. Refreshes are coalesced so a burst of events
// costs one round of requests, and they never overlap, so a late answer cannot overwrite
// a newer one.

import {
  ApiFailure,
  defaultNotificationSettings,
  type Agent,
  type AgentStatus,
  type AgentSummary,
  type Api,
  type ConnectionState,
  type Contact,
  type ContactSummary,
  type Interaction,
  type Event,
  type Message,
  type NotificationAccess,
  type NotificationSettings,
  type SearchHit,
  type Session,
  type ShowTarget,
  type WorkspaceSettings,
  type WrapUpRequest,
} from '../api';
import type { ContactInteraction, UpdateContactRequest, Upload } from '../api';
import type { Attachments } from '../composer/attachments.svelte';
import { firstLine } from '../conversation/display';
import { pictureActions, type PictureActions } from '../conversation/pictures';
import { agentIsTyping, Attention } from '../notifications/attention';
import { Toasts } from '../notifications/toasts.svelte';
import { Confirmation } from './confirmation.svelte';
import { Drafts, type InteractionDraft } from './drafts.svelte';
import { ContactRows } from './contactRows';
import { Kpis } from './kpis.svelte';
import { Transcripts } from './transcript.svelte';

export type { DetailsTab, InteractionDraft } from './drafts.svelte';

export type View =
  | { kind: 'communication'; contactId: number | null }
  | { kind: 'interaction'; interactionId: number };

/** The newest messages read for an offer's preview. */
const offerPreviewPage = 20;

/** How long a refresh waits for more events to arrive before it runs. */
export const refreshDelayMs = 25;

/** Whether the agent can see the page: its tab is shown and its window has the focus. */
function pageInView(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

export class Workspace {
  readonly api: Api;
  agent: Agent = $state()!;
  /** Replaced whole on each change (never changed in place), so not deeply reactive. */
  contacts: ContactSummary[] = $state.raw([]);
  interactions: Interaction[] = $state([]);
  /** The transcript of the contact in view, a page at a time. */
  readonly transcripts: Transcripts;
  /** The first line of the newest inbound message, per offered interaction id. */
  offerPreviews: Record<number, string> = $state({});
  connection: ConnectionState = $state('online');
  view: View = $state({ kind: 'communication', contactId: null });
  /** The last refresh or action that failed, for the banner. */
  error: string | null = $state(null);
  /** Dispositions and Not Ready reasons; `null` until loaded after sign-in. */
  settings: WorkspaceSettings | null = $state(null);
  /** Today's figures for the top bar's KPI summary. */
  readonly kpis: Kpis;
  /** The agent's notification choices; `null` until loaded. */
  notificationSettings: NotificationSettings | null = $state(null);
  /** Whether the page may show notifications (`host` on the desktop, which shows its own). */
  notificationAccess: NotificationAccess = $state('default');
  /** Loads, opens and saves the pictures of the conversations. */
  readonly pictures: PictureActions;
  /** Notices in the app about conversations that are not on screen. */
  readonly toasts = new Toasts();
  /** When the hub ends this session however it is used; `null` when not known. */
  sessionEndsAt: number | null = $state(null);
  /** What the agent has under way in each view. */
  readonly drafts = new Drafts();
  /** The question the app asks before a step that is hard to undo. */
  readonly confirmation = new Confirmation();
  /** Unread messages across my assigned contacts (my read marks), for the badges. */
  unreadTotal: number = $derived(
    this.contacts
      .filter((summary) => summary.contact.assignedAgentId === this.agent.id)
      .reduce((total, summary) => total + summary.unreadCount, 0),
  );

  readonly #signedOut: () => void;
  readonly #hubUrl: string;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #refreshing = false;
  #dirty = false;
  #focus: number | null = null;
  /** The contact last open in the Communication tab, to go back to. */
  #communicationContactId: number | null = null;
  /** Read marks on their way to the host, per contact. */
  readonly #markingRead = new Map<number, Promise<void>>();
  /** Contacts being marked unread: nothing marks them read meanwhile. */
  readonly #markingUnread = new Set<number>();
  #stopped = false;
  #loadingSettings = false;
  /** Decides what each event tells the agent, as it arrives. */
  readonly #attention = new Attention();
  /** Live events applied to the contact list's rows. */
  readonly #rows = new ContactRows();
  /** The contact list is to be read again at the next refresh. */
  #contactsStale = true;

  constructor(api: Api, session: Session, signedOut: () => void) {
    this.api = api;
    this.transcripts = new Transcripts(api);
    this.kpis = new Kpis(api, (error) => this.#failed(error));
    this.agent = session.agent;
    this.#hubUrl = session.hubUrl;
    this.sessionEndsAt = session.sessionEndsAt ?? null;
    this.#signedOut = signedOut;
    // The browser learns it is online when its socket opens; the desktop host reports
    // only changes, and a session exists only after it reached the hub.
    this.connection = api.mode === 'desktop' ? 'online' : 'offline';
    this.notificationAccess = api.notificationAccess();
    this.pictures = pictureActions(api, () => this.agent, (action) => this.#act(action));
  }

  /** The listed contacts by id: built once per change of the list, not per lookup. */
  readonly contactsById: Map<number, Contact> = $derived(
    new Map(this.contacts.map((summary) => [summary.contact.id, summary.contact])),
  );

  /** Unread messages per contact id, with my read marks. */
  readonly unreadByContact: Map<number, number> = $derived(
    new Map(this.contacts.map((summary) => [summary.contact.id, summary.unreadCount])),
  );

  /**
   * How many interactions I hold against my capacity: the offered and active ones, as the
   * hub counts them when it routes (an ended chat waiting for Done takes no room).
   */
  get load(): number {
    return this.interactions.filter(
      (interaction) =>
        (interaction.state === 'offered' || interaction.state === 'active') &&
        interaction.agentId === this.agent.id,
    ).length;
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
    return this.transcripts.messagesOf(focus);
  }

  /** Subscribes to the host and loads everything; returns the function that stops it. */
  start(): () => void {
    const unsubscribe = [
      this.api.onEvent((event) => {
        this.#hear(event);
        const patched = this.#rows.apply(this.contacts, event, this.agent.id);
        if (patched.rows !== null) this.contacts = patched.rows;
        if (patched.stale) this.#contactsStale = true;
        if (event.kind.type === 'agent' && event.kind.agent.id === this.agent.id) {
          this.agent = event.kind.agent;
        }
        if (
          event.kind.type === 'interaction' &&
          event.kind.interaction.agentId === this.agent.id
        ) {
          // Marked Done elsewhere (another window of mine) ends its view's unsaved work too.
          if (event.kind.interaction.state === 'done') {
            this.drafts.drop(event.kind.interaction.id);
          }
          void this.refreshSummary();
        }
        // Where the stream left other agents' events out: nothing here changed.
        if (event.kind.type !== 'hidden' && event.kind.type !== 'followed') this.#schedule();
      }),
      this.api.onShow((target) => this.show(target)),
      this.api.onChanged(() => this.requestRefresh()),
      this.api.onConnection((state) => {
        this.connection = state;
        // Whatever happened while offline is fetched again rather than trusted to replay.
        if (state === 'online') {
          this.requestRefresh();
          void this.refreshSummary();
        }
      }),
    ];
    // The host shows the unread total outside the page (the dock or taskbar badge, the
    // browser tab's title) and clears it when the agent signs out.
    const stopUnreadTotal = $effect.root(() => {
      $effect(() => this.#reportUnreadTotal(this.unreadTotal));
    });
    void this.refreshNow();
    void this.#loadSettings();
    void this.refreshSummary();
    void this.#loadNotificationSettings();
    return () => {
      this.#stopped = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.kpis.stop();
      for (const stop of unsubscribe) stop();
      this.drafts.clear();
      stopUnreadTotal();
      this.#reportUnreadTotal(0);
      this.toasts.clear();
    };
  }

  /** Schedules a refresh of everything; calls within `refreshDelayMs` share one. */
  requestRefresh(): void {
    this.#contactsStale = true;
    this.#schedule();
  }

  /**
   * Schedules a refresh of the chats and the conversation in view; the contact list too
   * only when an event could not be applied to its rows.
   */
  #schedule(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, refreshDelayMs);
  }

  /** Refreshes everything at once, or right after the refresh already running. */
  async refreshNow(): Promise<void> {
    this.#contactsStale = true;
    await this.#run();
  }

  async #run(): Promise<void> {
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
      // Settings that could not be loaded at sign-in are tried again once the hub answers.
      if (this.settings === null) void this.#loadSettings();
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#refreshing = false;
    }
  }

  /** Loads the hub's settings; they do not change during a session. */
  async #loadSettings(): Promise<void> {
    if (this.#loadingSettings || this.settings !== null || this.#stopped) return;
    this.#loadingSettings = true;
    try {
      const settings = await this.api.settings();
      if (!this.#stopped) this.settings = settings;
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#loadingSettings = false;
    }
  }

  /** Reloads today's KPI summary (see [`Kpis`]). */
  refreshSummary(): Promise<void> {
    return this.kpis.refresh();
  }

  /** Today's figures for the top bar's KPI summary; `null` until loaded. */
  get summary(): AgentSummary | null {
    return this.kpis.summary;
  }

  async #refresh(): Promise<void> {
    const focus = this.focusedContactId;
    const page = focus === null ? null : this.transcripts.refreshRequest(focus);
    const listContacts = this.#contactsStale;
    this.#contactsStale = false;
    const [contacts, interactions, messages] = await Promise.all([
      listContacts ? this.api.listContacts() : Promise.resolve(null),
      this.api.listInteractions(),
      focus === null || page === null ? Promise.resolve(null) : this.api.listMessages(focus, page),
    ]);
    if (this.#stopped) return;
    if (contacts !== null) {
      this.contacts = contacts;
      this.#rows.reset();
    }
    this.interactions = interactions;
    if (focus !== null && messages !== null && page !== null) {
      this.transcripts.refreshed(focus, messages, page);
    }

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
            : await this.api.listMessages(offer.contactId, { limit: offerPreviewPage });
        return [offer.id, firstLine(newestInbound(messages)?.body ?? '')] as const;
      }),
    );
    if (!this.#stopped) this.offerPreviews = Object.fromEntries(previews);
  }

  /**
   * Opens the Communication tab with a contact's conversation, or none (`null`); by default
   * with the one the agent last had open there.
   */
  openCommunication(contactId: number | null = this.#communicationContactId): void {
    this.#show({ kind: 'communication', contactId });
  }

  /**
   * Alt+N: opens the Communication tab on the next of my assigned contacts with unread
   * messages, in the Assigned Contacts order (newest activity first) after the contact in
   * view, going round. Returns whether there was one.
   */
  openNextUnread(): boolean {
    const assigned = this.contacts
      .filter((summary) => summary.contact.assignedAgentId === this.agent.id)
      .sort((a, b) => b.contact.lastActivityAt - a.contact.lastActivityAt);
    const current = assigned.findIndex((summary) => summary.contact.id === this.focusedContactId);
    const next = [...assigned.slice(current + 1), ...assigned.slice(0, current + 1)].find(
      (summary) => summary.unreadCount > 0,
    );
    if (next === undefined) return false;
    this.openCommunication(next.contact.id);
    return true;
  }

  openInteraction(interactionId: number): void {
    this.#show({ kind: 'interaction', interactionId });
  }

  /** Alt+1 to Alt+9: opens the interaction at `position` (from 1) of the list, if there is one. */
  openInteractionAt(position: number): boolean {
    const interaction = this.activeInteractions[position - 1];
    if (interaction === undefined) return false;
    this.openInteraction(interaction.id);
    return true;
  }

  /**
   * A request from outside the page to show a contact (the agent clicked a notification):
   * my interaction with them when I have one open, else their conversation.
   */
  show(target: ShowTarget): void {
    const interaction = this.activeInteractions.find(
      (candidate) => candidate.contactId === target.contactId,
    );
    if (interaction === undefined) this.openCommunication(target.contactId);
    else this.openInteraction(interaction.id);
  }


  /** The draft of an interaction's view (see [`Drafts`]). */
  draftOf(interaction: Interaction): InteractionDraft {
    return this.drafts.of(interaction);
  }

  /** The message being written to a contact in the Communication tab. */
  contactDraft(contactId: number): string {
    return this.drafts.contactText(contactId);
  }

  setContactDraft(contactId: number, text: string): void {
    this.drafts.setContactText(contactId, text);
  }

  /** The pictures attached to the message being written to a contact. */
  contactAttachments(contactId: number): Attachments {
    return this.drafts.contactPictures(contactId);
  }

  /** Uploads a picture attached to a message; its id then goes with the message. */
  uploadPicture(picture: File | Blob): Promise<Upload> {
    return this.#act(() => this.api.uploadPicture(picture));
  }

  /** An offer was declined: it moved on to another agent. */
  declined(interaction: Interaction): void {
    this.interactions = this.interactions.filter((known) => known.id !== interaction.id);
    this.requestRefresh();
  }

  /** An offer was accepted: open its Chat Interaction view. */
  accepted(interaction: Interaction): void {
    const others = this.interactions.filter((known) => known.id !== interaction.id);
    this.interactions = [...others, interaction];
    this.openInteraction(interaction.id);
  }

  /**
   * Create SMS Interaction with a number the agent typed (a new contact, or the known one
   * with that number), and open its Chat Interaction view.
   */
  async createInteractionForNumber(phone: string): Promise<void> {
    const created = await this.#withinCapacity((beyond) =>
      this.api.createInteractionForNumber(phone, beyond),
    );
    if (created === null) return;
    this.accepted(created);
    this.requestRefresh();
  }

  /** Create SMS Interaction with a contact, and open its Chat Interaction view. */
  async createInteraction(contactId: number): Promise<void> {
    const created = await this.#withinCapacity((beyond) =>
      this.api.createInteraction(contactId, beyond),
    );
    if (created === null) return;
    this.accepted(created);
    this.requestRefresh();
  }

  /**
   * Opens a chat within the agent's limit; when the hub says they are at it, the agent is
   * asked, and it opens beyond the limit only if they say so (`null`: they did not).
   */
  async #withinCapacity(
    open: (beyondCapacity: boolean) => Promise<Interaction>,
  ): Promise<Interaction | null> {
    try {
      return await this.#act(() => open(false));
    } catch (failure) {
      if (!(failure instanceof ApiFailure) || failure.code !== 'atCapacity') throw failure;
      const limit = this.agent.maxChats;
      const goOn = await this.confirmation.ask({
        title: 'Open a chat beyond your limit?',
        text: `You already have ${limit} of ${limit} chats open. Open this one as well, one over your limit?`,
        confirm: 'Open it anyway',
      });
      return goOn ? this.#act(() => open(true)) : null;
    }
  }

  /** The interactions the agent holds now: offered to them, or active. */
  get heldInteractions(): Interaction[] {
    return this.interactions.filter(
      (interaction) =>
        interaction.agentId === this.agent.id &&
        (interaction.state === 'offered' || interaction.state === 'active'),
    );
  }

  /** The agent ends the chat; the view stays open until Done. */
  async endInteraction(interactionId: number): Promise<void> {
    this.#apply(await this.#act(() => this.api.endInteraction(interactionId)));
    this.requestRefresh();
  }

  async saveWrapUp(interactionId: number, request: WrapUpRequest): Promise<void> {
    this.#apply(await this.#act(() => this.api.saveWrapUp(interactionId, request)));
  }

  /** Marks the interaction Done: its view closes and the contact's conversation opens. */
  async markDone(interactionId: number, request: WrapUpRequest): Promise<void> {
    const done = await this.#act(() => this.api.markDone(interactionId, request));
    this.drafts.drop(done.id);
    this.interactions = this.interactions.filter((known) => known.id !== done.id);
    this.openCommunication(done.contactId);
    this.requestRefresh();
    void this.refreshSummary();
  }

  /** Sends a message, with the pictures uploaded for it when `uploadIds` names some. */
  async send(
    contactId: number,
    interactionId: number | null,
    body: string,
    uploadIds: readonly number[] = [],
  ): Promise<void> {
    const message = await this.api.sendMessage({
      contactId,
      interactionId,
      body,
      // A text alone goes as it always has.
      ...(uploadIds.length > 0 ? { uploadIds: [...uploadIds] } : {}),
    });
    this.drafts.clearSent(contactId, interactionId, body);
    this.transcripts.added(message);
    this.requestRefresh();
  }

  /** Retry: sends a failed or undelivered message again; it shows as pending at once. */
  async retryMessage(messageId: number): Promise<void> {
    const message = await this.#act(() => this.api.retryMessage(messageId));
    this.transcripts.replaced(message);
    this.requestRefresh();
  }

  /** Changes the notification choices; they apply at once and are kept for next time. */
  async setNotificationSettings(settings: NotificationSettings): Promise<void> {
    const before = this.notificationSettings;
    this.notificationSettings = settings;
    try {
      await this.#act(() => this.api.setNotificationSettings(settings));
    } catch (error) {
      this.notificationSettings = before;
      throw error;
    }
  }

  /** Asks the browser to let the page show notifications (the agent asked for it). */
  async requestNotificationAccess(): Promise<void> {
    this.notificationAccess = await this.api.requestNotificationAccess();
  }

  /** Reads again whether notifications are allowed (the agent may have changed it). */
  checkNotificationAccess(): void {
    this.notificationAccess = this.api.notificationAccess();
  }

  /** Searches every contact and message on the host (the desktop's replica, offline too). */
  search(query: string, before?: number): Promise<SearchHit[]> {
    return this.#act(() =>
      before === undefined ? this.api.search(query) : this.api.search(query, before),
    );
  }

  /**
   * Mark as unread: the contact's newest inbound message counts as unread again, and the
   * conversation closes so that opening it does not read it at once; its badge returns.
   */
  async markUnread(contactId: number): Promise<void> {
    this.#markingUnread.add(contactId);
    try {
      // A read mark still on its way would land after this one and undo it.
      await this.#markingRead.get(contactId);
      await this.#act(() => this.api.markUnread(contactId));
      if (this.focusedContactId === contactId) this.openCommunication(null);
    } finally {
      this.#markingUnread.delete(contactId);
    }
    await this.refreshNow();
  }

  /**
   * Saves a contact's details (the Contact tab) and shows them at once. No refetch here: the
   * desktop's replica has them only once the hub's contact event arrives, and that event
   * refreshes everyone's workspace, this one included.
   */
  async updateContact(contactId: number, request: UpdateContactRequest): Promise<Contact> {
    const updated = await this.#act(() => this.api.updateContact(contactId, request));
    if (!this.#stopped) {
      this.contacts = this.contacts.map((summary) =>
        summary.contact.id === updated.id ? { ...summary, contact: updated } : summary,
      );
    }
    return updated;
  }

  /** A contact's interaction history across all agents, newest first (offline on the desktop). */
  contactInteractions(contactId: number): Promise<ContactInteraction[]> {
    return this.#act(() => this.api.contactInteractions(contactId));
  }

  async setStatus(status: AgentStatus, reason: string | null): Promise<void> {
    try {
      this.agent = await this.api.setStatus(status, reason);
      this.error = null;
    } catch (error) {
      this.#failed(error);
    }
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

  /**
   * Signs in again before the session ends, so the agent's chats stay theirs: a new session
   * with a new end. Rejects (and keeps the old session) when the password is refused.
   */
  async renewSession(password: string): Promise<void> {
    const session = await this.api.login({ hubUrl: this.#hubUrl, login: this.agent.login, password });
    this.agent = session.agent;
    this.sessionEndsAt = session.sessionEndsAt ?? null;
  }

  /**
   * Signs out — after asking, when the agent holds chats: signing out hands them back to
   * routing (a Ready colleague or the queue) and the agent is no longer Ready. `false` when
   * the agent chose to stay.
   */
  async signOut(): Promise<boolean> {
    const held = this.heldInteractions.length;
    if (held > 0) {
      const chats = held === 1 ? 'chat' : 'chats';
      const goOn = await this.confirmation.ask({
        title: `Sign out with ${held} open ${chats}?`,
        text: `Your ${held} open ${chats} will go back to the queue, so a Ready colleague can take ${held === 1 ? 'it' : 'them'}, and you will be Not Ready.`,
        confirm: 'Sign out',
        cancel: 'Stay signed in',
      });
      if (!goOn) return false;
    }
    try {
      await this.api.logout();
    } catch (error) {
      console.warn('parley: logout failed; leaving anyway', error);
    }
    this.#signedOut();
    return true;
  }


  async #loadNotificationSettings(): Promise<void> {
    try {
      const settings = await this.api.notificationSettings();
      if (!this.#stopped && this.notificationSettings === null) {
        this.notificationSettings = settings;
      }
    } catch (error) {
      if (error instanceof ApiFailure && error.code === 'unauthorized') this.#failed(error);
      // Notifications go on with the defaults; the settings show what is in use.
      else console.warn('parley: notification settings not loaded', error);
    }
  }

  /**
   * Tells the agent about the event: a notification from the page, when it is news and the
   * page may notify (the desktop host notifies by itself); a notice in the app for a reply in
   * a conversation not on screen; and a chat the hub answered for them opens.
   */
  #hear(event: Event): void {
    const heard = this.#attention.hear(event, {
      me: this.agent.id,
      now: Date.now(),
      mayNotify: this.api.notificationAccess() === 'granted',
      pageInView: pageInView(),
      onScreen: this.focusedContactId,
      followed: this.#communicationContactId,
      settings: this.notificationSettings ?? defaultNotificationSettings,
      contact: (contactId) => this.contactsById.get(contactId),
      interaction: (interactionId) =>
        this.interactions.find((candidate) => candidate.id === interactionId),
    });
    if (heard.notice !== null) this.api.notify(heard.notice);
    if (heard.answered !== null) {
      // Opening it while the agent types elsewhere would take their work from under them.
      if (agentIsTyping(document.activeElement)) {
        this.#apply(heard.answered.interaction);
        this.toasts.show(heard.answered.news);
      } else {
        this.accepted(heard.answered.interaction);
      }
    }
    if (heard.reply !== null) this.toasts.show(heard.reply);
  }

  #reportUnreadTotal(total: number): void {
    this.api.setUnreadTotal(total).catch((error: unknown) => {
      console.warn('parley: unread total not shown', error);
    });
  }

  /** Puts an interaction the host answered with in place of the one known. */
  #apply(interaction: Interaction): void {
    const known = this.interactions.some((candidate) => candidate.id === interaction.id);
    this.interactions = known
      ? this.interactions.map((candidate) =>
          candidate.id === interaction.id ? interaction : candidate,
        )
      : [...this.interactions, interaction];
  }

  /** Runs an action whose failure the caller shows; an expired session still signs out. */
  async #act<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof ApiFailure && error.code === 'unauthorized') this.#failed(error);
      throw error;
    }
  }

  #show(view: View): void {
    this.view = view;
    if (view.kind === 'communication') this.#communicationContactId = view.contactId;
    const focus = this.focusedContactId;
    if (focus !== null) this.toasts.dismissContact(focus);
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
    if (focus === null || this.#markingRead.has(focus) || this.#markingUnread.has(focus)) return;
    const summary = this.contacts.find((candidate) => candidate.contact.id === focus);
    if (!opened && (summary === undefined || summary.unreadCount === 0)) return;
    this.contacts = this.contacts.map((candidate) =>
      candidate === summary ? { ...candidate, unreadCount: 0 } : candidate,
    );
    const marking = this.api
      .markRead(focus)
      // A refresh that raced the read mark may have brought back the old count: read again.
      .then(() => this.requestRefresh())
      .catch((error: unknown) => this.#failed(error))
      .finally(() => this.#markingRead.delete(focus));
    this.#markingRead.set(focus, marking);
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
