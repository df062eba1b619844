// What the agent has under way and the hub does not hold (yet): the message being written
// and its pictures, per interaction and per contact of the Communication tab, and an
// interaction's wrap-up as typed. Going to another view and back loses none of it.

import type { Interaction } from '../api';
import { Attachments } from '../composer/attachments.svelte';

/** The tabs of an interaction's details column. */
export type DetailsTab = 'case' | 'contact' | 'disposition' | 'note';

/**
 * What the agent has under way in an interaction's view and the hub does not hold (yet). The
 * workspace keeps it, so going to another view and back loses none of it; it is dropped
 * when the interaction is Done.
 */
export interface InteractionDraft {
  /** The message being written. */
  message: string;
  /** The pictures attached to it, uploaded or uploading. */
  readonly attachments: Attachments;
  tab: DetailsTab;
  /** The disposition as chosen, saved or not. */
  disposition: string | null;
  /** The note as typed, saved or not. */
  note: string;
  /** The note as the hub last confirmed it, so an unchanged note is not sent again. */
  savedNote: string;
}

export class Drafts {
  /** Per interaction id; each draft is reactive state of its own, shared with its view. */
  readonly #interactions = new Map<number, InteractionDraft>();
  /** The message being written in the Communication tab, per contact id. */
  #contactTexts: Record<number, string> = $state({});
  /** The pictures attached to it, per contact id. */
  readonly #contactPictures = new Map<number, Attachments>();

  /**
   * The draft of an interaction's view. The first time it starts from the wrap-up the hub
   * has; from then on it is the agent's, and refreshes do not overwrite it.
   */
  of(interaction: Interaction): InteractionDraft {
    const known = this.#interactions.get(interaction.id);
    if (known !== undefined) return known;
    const draft: InteractionDraft = $state({
      message: '',
      attachments: new Attachments(),
      tab: 'case',
      disposition: interaction.disposition,
      note: interaction.note ?? '',
      savedNote: interaction.note ?? '',
    });
    this.#interactions.set(interaction.id, draft);
    return draft;
  }

  /** The message being written to a contact in the Communication tab. */
  contactText(contactId: number): string {
    return this.#contactTexts[contactId] ?? '';
  }

  setContactText(contactId: number, text: string): void {
    if (text === '') delete this.#contactTexts[contactId];
    else this.#contactTexts[contactId] = text;
  }

  /** The pictures attached to the message being written to a contact in the Communication tab. */
  contactPictures(contactId: number): Attachments {
    let attachments = this.#contactPictures.get(contactId);
    if (attachments === undefined) {
      attachments = new Attachments();
      this.#contactPictures.set(contactId, attachments);
    }
    return attachments;
  }

  /** The interaction is Done: what its view had under way goes, the pictures' previews too. */
  drop(interactionId: number): void {
    this.#interactions.get(interactionId)?.attachments.clear();
    this.#interactions.delete(interactionId);
  }

  /**
   * A sent message leaves its draft, wherever the agent is by then; text typed meanwhile
   * (the draft no longer what was sent) stays.
   */
  clearSent(contactId: number, interactionId: number | null, body: string): void {
    if (interactionId !== null) {
      const draft = this.#interactions.get(interactionId);
      if (draft !== undefined && draft.message.trim() === body) draft.message = '';
    } else if (this.contactText(contactId).trim() === body) {
      this.setContactText(contactId, '');
    }
  }

  /** Signing out: every picture preview is let go. */
  clear(): void {
    for (const draft of this.#interactions.values()) draft.attachments.clear();
    for (const attachments of this.#contactPictures.values()) attachments.clear();
  }
}
