import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApi } from './index';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

afterEach(() => {
  delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
});

describe('createApi', () => {
  it('uses the browser transport outside Tauri', () => {
    expect(createApi().mode).toBe('browser');
  });

  it('uses the desktop transport inside the Tauri webview', () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    expect(createApi().mode).toBe('desktop');
  });
});
