// What the workspace gives the composer in view without every view passing it along: the
// Standard Responses, the values of their fields, and a place where the composer leaves its
// controls for the keyboard shortcuts (Alt+C, Alt+M, Alt+R).

import { getContext, hasContext, setContext } from 'svelte';
import type { StandardResponse } from '../api';
import type { FieldValues } from './fields';

/** What the keyboard shortcuts can ask of the composer in view. */
export interface ComposerControls {
  focus(): void;
  openEmoji(): void;
  openResponses(): void;
}

export interface ComposerEnvironment {
  /** The hub's Standard Responses; `null` while the settings are loading. */
  readonly responses: readonly StandardResponse[] | null;
  /** The values of the response fields for the conversation in view. */
  readonly fields: FieldValues;
  /** The composer in view, if any. */
  readonly composer: ComposerControls | null;
  /** A composer appears; the function returned is called when it goes. */
  attach(controls: ComposerControls): () => void;
}

const key = Symbol('composer environment');

/**
 * Gives the components below a composer environment. `source` is read whenever the
 * composer needs the responses or the fields, so reactive state stays live.
 */
export function provideComposerEnvironment(source: {
  responses(): readonly StandardResponse[] | null;
  fields(): FieldValues;
}): ComposerEnvironment {
  // Composers come and go (one view replaces another); the newest one is the one in view.
  let attached: ComposerControls[] = [];
  const environment: ComposerEnvironment = {
    get responses() {
      return source.responses();
    },
    get fields() {
      return source.fields();
    },
    get composer() {
      return attached.at(-1) ?? null;
    },
    attach(controls) {
      attached = [...attached, controls];
      return () => {
        attached = attached.filter((candidate) => candidate !== controls);
      };
    },
  };
  setContext(key, environment);
  return environment;
}

/** The environment a workspace provides; `undefined` for a composer on its own. */
export function composerEnvironment(): ComposerEnvironment | undefined {
  return hasContext(key) ? getContext<ComposerEnvironment>(key) : undefined;
}
