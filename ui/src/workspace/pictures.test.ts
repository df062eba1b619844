// Open hands a picture to another app, which can copy it anywhere: like Save, it takes the
// save-media permission. Without it the picture opens in Parley's own viewer.

import { describe, expect, it, vi } from 'vitest';
import { agent, fakeApi, session } from '../testing/fixtures';
import { Workspace } from './workspace.svelte';

describe('opening a picture in another app', () => {
  it('takes the save-media permission; without it Open stays in Parley', async () => {
    const { api } = fakeApi('desktop');
    const openMedia = vi.fn(async (_mediaId: number) => {});
    const desktop = { ...api, openMedia };

    const restricted = new Workspace(desktop, session(), () => {});
    expect(restricted.pictures.canSave).toBe(false);
    expect(restricted.pictures.open).toBeUndefined();

    const permissions = { ...agent().permissions, saveMedia: true };
    const allowed = new Workspace(desktop, session({ permissions }), () => {});
    expect(allowed.pictures.canSave).toBe(true);
    await allowed.pictures.open?.(5);
    expect(openMedia).toHaveBeenCalledWith(5);
  });
});
