// Generated from crates/proto by `make bindings`. Do not edit by hand.

export type AgentStatus = "ready" | "notReady";

export type Role = "agent" | "supervisor" | "admin";

export type Permissions = { 
/**
 * Save a copy of a contact's picture to the computer (and open it outside the app).
 */
saveMedia: boolean, 
/**
 * See every contact and its history; without it, only the contacts assigned to the
 * agent or in an interaction of theirs.
 */
allContacts: boolean, 
/**
 * Change a contact's details (the Contact tab).
 */
editContacts: boolean, 
/**
 * Text a contact outside an interaction of their own (Write a Message).
 */
textOutsideInteraction: boolean, };

export type Agent = { id: number, login: string, name: string, role: Role, status: AgentStatus, 
/**
 * Why the agent is Not Ready (a configured reason, or "Not responding" after an
 * offer timed out).
 */
statusReason: string | null, 
/**
 * Offered interactions are accepted for the agent at once.
 */
autoAnswer: boolean, 
/**
 * How many interactions the agent can hold at once (offered + active).
 */
maxChats: number, 
/**
 * What the agent may do besides handling their own interactions.
 */
permissions: Permissions, 
/**
 * The account cannot sign in (an admin disabled it).
 */
disabled: boolean, };

export type RolePermissions = { role: Role, permissions: Permissions, };

export type UpdateAgentRequest = { name: string | null, role: Role | null, permissions: Permissions | null, autoAnswer: boolean | null, maxChats: number | null, };

export type SetPasswordRequest = { password: string, };

export type RevokedSessions = { revoked: number, };

export type Reachability = "landline" | "unreachable" | "unknownNumber";

export type NotificationPrivacy = "nameAndText" | "nameOnly" | "nothing";

export type NotificationSettings = { privacy: NotificationPrivacy, 
/**
 * Play the system's notification sound.
 */
sound: boolean, };

export type DesktopPolicy = { 
/**
 * The hub the admin set: filled in on the sign-in screen.
 */
hubUrl: string | null, 
/**
 * Agents cannot sign in to another hub.
 */
hubUrlLocked: boolean, 
/**
 * Plain `http://` hubs on other computers are allowed.
 */
allowPlainHttp: boolean, 
/**
 * What notifications show unless the agent chose otherwise (or always, when locked).
 */
notificationPrivacy: NotificationPrivacy | null, 
/**
 * Agents cannot change what notifications show.
 */
notificationPrivacyLocked: boolean, 
/**
 * The app starts when the agent logs in to the computer (`None`: the agent decides).
 */
startAtLogin: boolean | null, 
/**
 * Agents may choose "Stay signed in" (the session is kept in the OS keychain).
 */
allowStaySignedIn: boolean, 
/**
 * The policy file read (`None` when there is none).
 */
path: string | null, 
/**
 * Why the policy file was not applied (then the safe defaults are in force).
 */
problem: string | null, };

export type Contact = { id: number, 
/**
 * E.164, e.g. `+12015550101`.
 */
phone: string, name: string | null, 
/**
 * The agent who last accepted an interaction with this contact.
 */
assignedAgentId: number | null, lastActivityAt: number, email: string | null, 
/**
 * Agents' notes about the contact (not about one interaction).
 */
notes: string | null, 
/**
 * The contact texted STOP (or the carrier reported them opted out): nothing is sent
 * to them until they text START.
 */
optedOut: boolean, 
/**
 * Why texts may not reach this number, when the carrier or a lookup said so.
 */
reachability: Reachability | null, };

export type InteractionState = "queued" | "offered" | "active" | "ended" | "done";

export type EndedBy = "agent" | "contact";

export type Interaction = { id: number, contactId: number, state: InteractionState, 
/**
 * The agent it is offered to (state `offered`) or handled by (later states).
 */
agentId: number | null, createdAt: number, offeredAt: number | null, acceptedAt: number | null, endedAt: number | null, 
/**
 * Who ended it (the contact's side includes the hub's inactivity timeout).
 */
endedBy: EndedBy | null, doneAt: number | null, 
/**
 * The disposition code chosen at wrap-up (one of [`WorkspaceSettings::dispositions`]).
 */
disposition: string | null, 
/**
 * The agent's note, saved with the interaction.
 */
note: string | null, };

export type Direction = "inbound" | "outbound";

export type MessageStatus = "pending" | "queued" | "sent" | "delivered" | "undelivered" | "failed" | "received";

export type MediaState = "pending" | "ready" | "issue";

export type MediaIssue = "unsupportedType" | "tooLarge" | "corrupt" | "fetchFailed";

export type Media = { id: number, 
/**
 * 0 for `MediaUrl0`, and so on.
 */
position: number, state: MediaState, issue: MediaIssue | null, 
/**
 * What the file is (`image/jpeg`, …); the provider's claim until it is checked.
 */
contentType: string, 
/**
 * Bytes, once fetched.
 */
size: number | null, width: number | null, height: number | null, 
/**
 * SHA-256 of the file (hex), once fetched: the key of a client's cache.
 */
digest: string | null, };

export type Message = { 
/**
 * Unique within the host that served it (hub or desktop replica).
 */
id: number, contactId: number, interactionId: number | null, direction: Direction, 
/**
 * Plain text. Always rendered as text, never as HTML.
 */
body: string, status: MessageStatus, 
/**
 * The provider's error code when `status` is `failed` or `undelivered`.
 */
errorCode: number | null, 
/**
 * The agent who wrote an outbound message.
 */
agentId: number | null, 
/**
 * That agent's name when they wrote it, shown with the message wherever it appears.
 */
agentName?: string, 
/**
 * The idempotency key the sending client chose for an outbound message.
 */
clientKey: string | null, createdAt: number, 
/**
 * The pictures (MMS) that came with the message, in the order the provider listed them.
 */
media: Array<Media>, };

export type MessagePageRequest = { before?: number, after?: number, 
/**
 * 1–500.
 */
limit: number, };

export type Upload = { id: number, contentType: string, size: number, width: number, height: number, };

export type ContactSummary = { contact: Contact, 
/**
 * Inbound messages the calling agent has not read yet.
 */
unreadCount: number, 
/**
 * The newest message's text, for the list preview.
 */
lastMessage: string | null, 
/**
 * Who wrote the newest message when an agent did, so the preview names them.
 */
lastMessageAuthor?: Author, };

export type Author = { agentId: number, 
/**
 * Their name when they wrote it.
 */
name: string | null, };

export type UpdateContactRequest = { name: string | null, email: string | null, notes: string | null, };

export type ContactInteraction = { interaction: Interaction, 
/**
 * The handling agent's name.
 */
agentName: string | null, };

export type SearchHit = { contact: Contact, message: Message | null, };

export type EventKind = { "type": "contact", contact: Contact, } | { "type": "interaction", interaction: Interaction, } | { "type": "message", message: Message, } | { "type": "agent", agent: Agent, } | { "type": "followed", agent_id: number, contact_id: number, } | { "type": "hidden" };

export type Event = { seq: number, at: number, kind: EventKind, };

export type LoginRequest = { 
/**
 * The hub's base URL; used by the desktop host only.
 */
hubUrl: string | null, login: string, password: string, 
/**
 * Keep the session in the OS keychain for the next start (desktop only, when the
 * admin's policy allows it).
 */
staySignedIn?: boolean, };

export type LoginResponse = { token: string, agent: Agent, 
/**
 * When the session ends however it is used (its lifetime): the app warns before, since
 * the agent's chats go back to the queue then unless they sign in again.
 */
sessionEndsAt: number, };

export type StreamTicket = { ticket: string, expiresAt: number, };

export type Session = { agent: Agent, 
/**
 * The hub the session talks to (desktop) or the page's origin (browser).
 */
hubUrl: string, 
/**
 * When the session ends (see [`LoginResponse::session_ends_at`]), when known.
 */
sessionEndsAt?: number, };

export type SetStatusRequest = { status: AgentStatus, 
/**
 * A Not Ready reason from [`WorkspaceSettings::not_ready_reasons`].
 */
reason: string | null, };

export type SendMessageRequest = { contactId: number, 
/**
 * The interaction the message belongs to, if sent from a Chat Interaction view.
 */
interactionId: number | null, body: string, 
/**
 * Chosen by the client once per message; the hub stores and sends a key only once.
 */
clientKey: string, 
/**
 * Pictures uploaded with `POST /api/uploads` (at most 10, 5 MB together).
 */
uploadIds: Array<number>, };

export type ComposeRequest = { contactId: number, interactionId: number | null, body: string, 
/**
 * Pictures already uploaded to the hub.
 */
uploadIds?: Array<number>, };

export type SimInboundRequest = { from: string, body: string, 
/**
 * Pictures: names of the simulated carrier's samples (`photo.jpg`, `bomb.png`, …; see
 * `parley-hub simulate inbound --help`). Nothing else: the carrier never makes the hub
 * fetch an address a caller chose.
 */
media: Array<string>, };

export type SimOutboundMessage = { sid: string, to: string, from: string, body: string, status: MessageStatus, };

export type WrapUpRequest = { disposition: string | null, note: string | null, };

export type CreateInteractionRequest = { 
/**
 * A known contact, or `None` with `phone`.
 */
contactId: number | null, 
/**
 * A number to text, as the agent typed it (national numbers are read in the hub's
 * default region); the contact is created when new.
 */
phone?: string, 
/**
 * Open it even though the agent already holds as many chats as they may (after the
 * hub answered `atCapacity` and the agent chose to go on).
 */
beyondCapacity?: boolean, };

export type StandardResponse = { category: string, title: string, text: string, };

export type WorkspaceSettings = { 
/**
 * Disposition codes an agent picks from at wrap-up.
 */
dispositions: Array<string>, 
/**
 * Whether Done needs a disposition.
 */
dispositionRequired: boolean, 
/**
 * Reasons an agent can give for Not Ready.
 */
notReadyReasons: Array<string>, 
/**
 * The Standard Responses library.
 */
standardResponses: Array<StandardResponse>, 
/**
 * How long an offer waits for Accept before it moves on and the agent is set Not
 * Ready (0: it waits), for the offer's countdown.
 */
offerTimeoutMs: number, 
/**
 * How long an app may stay offline before the agent's chats go back to the queue
 * (0: never), so the app can warn the agent.
 */
offlineGraceMs: number, };

export type AgentSummary = { 
/**
 * Conversations handled since then: interactions marked Done in which a message was
 * written (one opened and closed without a text does not count).
 */
handled: number, 
/**
 * Average handle time (accept → done) of those, in ms.
 */
averageHandleMs: number | null, 
/**
 * Average chat time (accept → end), in ms.
 */
averageChatMs: number | null, 
/**
 * Average wrap-up time (end → done), in ms.
 */
averageWrapUpMs: number | null, };

export type ConnectionState = "online" | "offline";

export type ErrorCode = "badRequest" | "unauthorized" | "forbidden" | "notFound" | "conflict" | "invalidNumber" | "optedOut" | "atCapacity" | "tooManyRequests" | "gone" | "unavailable" | "internal";

export type ApiError = { code: ErrorCode, message: string, };

/** What agents send and save is limited to this (crates/proto/src/limits.rs). */
export const limits = {
  maxBodyChars: 1600,
  maxAttachments: 10,
  maxAttachmentBytes: 5242880,
  maxNoteChars: 10000,
  maxContactNameChars: 200,
  maxEmailChars: 254,
  maxSearchChars: 200,
  searchLimit: 50,
} as const;
