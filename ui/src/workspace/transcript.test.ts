import { describe, expect, it, vi } from 'vitest';
import type { Message } from '../api';
import { fakeApi, message } from '../testing/fixtures';
import {
  largestPage,
  mergeNewer,
  transcriptPage,
  Transcripts,
  windowSize,
} from './transcript.svelte';

/** A contact's history of `count` messages, ids 1…count, oldest first. */
function history(count: number, contactId = 7): Message[] {
  return Array.from({ length: count }, (_, index) =>
    message({ id: index + 1, contactId, createdAt: 1_000 * (index + 1), body: `text ${index + 1}` }),
  );
}

/** The host's pages of `all`, as the hub answers them. */
function host(all: Message[]) {
  const { api } = fakeApi();
  api.listMessages.mockImplementation(async (_contactId, page) => {
    if (page === undefined) return all;
    if (page.before !== undefined) {
      const older = all.filter((known) => known.id < page.before!);
      return older.slice(Math.max(0, older.length - page.limit));
    }
    if (page.after !== undefined) {
      return all.filter((known) => known.id > page.after!).slice(0, page.limit);
    }
    return all.slice(Math.max(0, all.length - page.limit));
  });
  return api;
}

const ids = (messages: Message[] | null) => messages?.map((known) => known.id) ?? null;

describe('Transcripts', () => {
  it('opens with the newest page and loads earlier ones until the first message', async () => {
    const all = history(250);
    const api = host(all);
    const transcripts = new Transcripts(api);
    const request = transcripts.refreshRequest(7)!;
    expect(request).toEqual({ limit: transcriptPage });
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    expect(ids(transcripts.messagesOf(7))).toEqual(ids(all.slice(150)));
    expect(transcripts.current?.hasEarlier).toBe(true);

    expect(await transcripts.loadEarlier()).toBe(true);
    expect(await transcripts.loadEarlier()).toBe(true);
    expect(transcripts.current?.hasEarlier).toBe(false);
    expect(await transcripts.loadEarlier()).toBe(false);
    // Every message once, in order: the pages joined without a gap or a repeat.
    expect(ids(transcripts.messagesOf(7))).toEqual(ids(all));
    expect(api.listMessages).toHaveBeenCalledWith(7, { before: 151, limit: transcriptPage });
    expect(api.listMessages).toHaveBeenCalledWith(7, { before: 51, limit: transcriptPage });
    expect(transcripts.messagesOf(8)).toBeNull();
  });

  it('a refresh reads back as many as are loaded, takes their changes, and adds new ones', async () => {
    const all = history(250);
    const api = host(all);
    const transcripts = new Transcripts(api);
    let request = transcripts.refreshRequest(7)!;
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    await transcripts.loadEarlier();
    // 200 loaded: the next refresh reads the newest 200 again.
    request = transcripts.refreshRequest(7)!;
    expect(request).toEqual({ limit: 200 });
    all[120] = { ...all[120]!, status: 'delivered' };
    all.push(message({ id: 251, contactId: 7, createdAt: 251_000, body: 'new' }));
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    const loaded = transcripts.messagesOf(7)!;
    expect(loaded).toHaveLength(201);
    expect(loaded.at(-1)?.body).toBe('new');
    expect(loaded.find((known) => known.id === 121)?.status).toBe('delivered');
    expect(transcripts.current?.hasEarlier).toBe(true);
  });

  it('never reads more than the largest page, and starts again when new texts leave a gap', async () => {
    const all = history(50);
    const api = host(all);
    const transcripts = new Transcripts(api);
    let request = transcripts.refreshRequest(7)!;
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    expect(transcripts.current?.hasEarlier).toBe(false);
    // More texts arrived than a refresh reads back: the loaded ones no longer join them.
    all.push(...history(700).slice(50));
    request = transcripts.refreshRequest(7)!;
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    expect(transcripts.messagesOf(7)).toHaveLength(transcriptPage);
    expect(transcripts.current?.hasEarlier).toBe(true);
    expect(transcripts.messagesOf(7)?.at(-1)?.id).toBe(700);
    await transcripts.loadEarlier();
    expect(transcripts.messagesOf(7)).toHaveLength(2 * transcriptPage);
    expect(transcripts.current?.hasLater).toBe(false);
    expect(transcripts.refreshRequest(7)).toEqual({ limit: 2 * transcriptPage });
    expect(windowSize).toBeLessThanOrEqual(largestPage);
  });

  it('holds a window of the history: reading back lets the newest go, and they come back', async () => {
    const all = history(1000);
    const api = host(all);
    const transcripts = new Transcripts(api);
    const request = transcripts.refreshRequest(7)!;
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    const seen = new Set<number>();
    const note = () => transcripts.messagesOf(7)!.forEach((known) => seen.add(known.id));
    while (await transcripts.loadEarlier()) {
      note();
      expect(transcripts.messagesOf(7)!.length).toBeLessThanOrEqual(windowSize);
    }
    expect(ids(transcripts.messagesOf(7))).toEqual(ids(all.slice(0, windowSize)));
    expect(transcripts.current?.hasLater).toBe(true);
    // Reading back, a refresh leaves the window where the agent is.
    expect(transcripts.refreshRequest(7)).toBeNull();

    while (await transcripts.loadLater()) {
      note();
      const loaded = ids(transcripts.messagesOf(7))!;
      expect(loaded.length).toBeLessThanOrEqual(windowSize);
      // An unbroken run of the history, in order.
      expect(loaded).toEqual(loaded.map((_, index) => loaded[0]! + index));
    }
    expect(ids(transcripts.messagesOf(7))).toEqual(ids(all.slice(1000 - windowSize)));
    expect(transcripts.current).toMatchObject({ hasLater: false, hasEarlier: true });
    expect(seen.size).toBe(1000);
  });

  it('goes back to the newest when the agent sends while reading back', async () => {
    const all = history(700);
    const api = host(all);
    const transcripts = new Transcripts(api);
    const request = transcripts.refreshRequest(7)!;
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    for (let round = 0; round < 4; round += 1) await transcripts.loadEarlier();
    expect(transcripts.current?.hasLater).toBe(true);
    all.push(message({ id: 701, contactId: 7, createdAt: 701_000, direction: 'outbound' }));
    transcripts.added(all.at(-1)!);
    await vi.waitFor(() => expect(transcripts.current?.hasLater).toBe(false));
    expect(transcripts.messagesOf(7)?.at(-1)?.id).toBe(701);
    expect(transcripts.messagesOf(7)).toHaveLength(transcriptPage);
  });

  it('keeps a sent message and a retried one in place', () => {
    const transcripts = new Transcripts(fakeApi().api);
    transcripts.refreshed(7, history(3), { limit: transcriptPage });
    transcripts.added(message({ id: 4, contactId: 7, direction: 'outbound', body: 'sent' }));
    transcripts.added(message({ id: 4, contactId: 7, direction: 'outbound', body: 'sent' }));
    transcripts.added(message({ id: 9, contactId: 8, body: 'another contact' }));
    transcripts.replaced(message({ id: 2, contactId: 7, body: 'text 2', status: 'failed' }));
    expect(ids(transcripts.messagesOf(7))).toEqual([1, 2, 3, 4]);
    expect(transcripts.messagesOf(7)?.[1]?.status).toBe('failed');
  });

  it('merges a newer page by id', () => {
    const loaded = history(3);
    const page = [{ ...loaded[2]!, status: 'delivered' as const }, message({ id: 4, contactId: 7 })];
    expect(mergeNewer(loaded, page).map((known) => [known.id, known.status])).toEqual([
      [1, loaded[0]!.status],
      [2, loaded[1]!.status],
      [3, 'delivered'],
      [4, page[1]!.status],
    ]);
  });

  it('jumps to the page around a message far back in one step', async () => {
    const all = history(5000);
    const api = host(all);
    const transcripts = new Transcripts(api);
    const request = transcripts.refreshRequest(7)!;
    transcripts.refreshed(7, await api.listMessages(7, request), request);
    api.listMessages.mockClear();
    expect(await transcripts.jumpTo(all[1234]!)).toBe(true);
    expect(api.listMessages).toHaveBeenCalledTimes(2);
    const loaded = ids(transcripts.messagesOf(7))!;
    // Fifty before it, it, fifty after it.
    expect(loaded).toEqual(ids(all.slice(1234 - transcriptPage / 2, 1235 + transcriptPage / 2)));
    expect(transcripts.current).toMatchObject({ hasEarlier: true, hasLater: true });
    // From there, down to the newest: the pages join.
    while (await transcripts.loadLater());
    expect(transcripts.messagesOf(7)?.at(-1)?.id).toBe(5000);
    expect(transcripts.current?.hasLater).toBe(false);
  });
});
