// A question the app asks before a step that is hard to undo (signing out with open chats,
// Done on a live chat, a chat beyond the agent's limit): one at a time, answered in the app.

/** What the question says and what its buttons do. */
export interface Question {
  title: string;
  /** One or two sentences: what happens if the agent goes on. */
  text: string;
  /** The button that goes on, e.g. "Sign out". */
  confirm: string;
  /** The button that goes back. */
  cancel?: string;
}

export interface Asked extends Question {
  readonly answer: (confirmed: boolean) => void;
}

/** The question on screen, if any; a new one answers the one before with "no". */
export class Confirmation {
  current: Asked | null = $state.raw(null);

  /** Asks, and resolves with the agent's answer. */
  ask(question: Question): Promise<boolean> {
    this.current?.answer(false);
    return new Promise((resolve) => {
      const asked: Asked = {
        ...question,
        answer: (confirmed) => {
          if (this.current === asked) this.current = null;
          resolve(confirmed);
        },
      };
      this.current = asked;
    });
  }
}
