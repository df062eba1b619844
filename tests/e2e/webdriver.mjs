// A small client for the W3C WebDriver HTTP API (what tauri-driver speaks), on plain
// `fetch`: sessions, elements by CSS selector, clicks, keys, text, attributes and
// screenshots. Nothing more than the desktop test needs.

import { writeFileSync } from 'node:fs';
import { GiveUp, waitFor, waitMs } from './harness.mjs';

/** The key under which W3C WebDriver returns an element reference. */
const elementKey = 'element-6066-11e4-a52e-4f735466cecf';

/** WebDriver's code points for special keys (W3C WebDriver, "Keyboard actions"). */
export const Keys = Object.freeze({ Enter: '\uE007' });

/** A CSS selector for a `data-testid`. */
export const testId = (id) => `[data-testid="${id}"]`;

/** An error answer from the remote end: `error` is the W3C error code, e.g. "no such element". */
export class WebDriverError extends Error {
  constructor({ status, error, message, method, path }) {
    super(`WebDriver ${method} ${path} failed (HTTP ${status}, ${error}): ${message}`);
    this.name = 'WebDriverError';
    this.status = status;
    this.error = error;
  }
}

export class WebDriver {
  /** @param {string} baseUrl e.g. `http://127.0.0.1:4444` */
  constructor(baseUrl) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
  }

  /** One WebDriver command; returns its `value` or throws a `WebDriverError`. */
  async request(method, path, body, { timeoutMs = waitMs * 3 } = {}) {
    let response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new WebDriverError({
        status: 0,
        error: 'unreachable',
        message: error?.cause?.message ?? error.message,
        method,
        path,
      });
    }
    const text = await response.text();
    let payload;
    try {
      payload = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new WebDriverError({ status: response.status, error: 'not json', message: text.slice(0, 500), method, path });
    }
    const value = payload?.value;
    if (!response.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
      throw new WebDriverError({
        status: response.status,
        error: value?.error ?? 'unknown error',
        message: value?.message ?? text.slice(0, 500),
        method,
        path,
      });
    }
    return value;
  }

  /** Waits until the remote end answers `GET /status`; `alive()` false ends the wait early. */
  async waitUntilUp(alive = () => true) {
    await waitFor(
      async () => {
        if (!alive()) throw new GiveUp('the WebDriver server exited');
        await this.request('GET', '/status', undefined, { timeoutMs: 2_000 });
        return true;
      },
      waitMs,
      `the WebDriver server at ${this.baseUrl} to answer GET /status`,
      200,
    );
  }

  async newSession(capabilities) {
    const value = await this.request('POST', '/session', { capabilities });
    if (typeof value?.sessionId !== 'string') {
      throw new Error(`POST /session answered without a session id: ${JSON.stringify(value)}`);
    }
    return new Session(this, value.sessionId, value.capabilities);
  }
}

export class Session {
  constructor(driver, id, capabilities) {
    this.driver = driver;
    this.id = id;
    this.capabilities = capabilities;
  }

  command(method, path, body) {
    return this.driver.request(method, `/session/${this.id}${path}`, body);
  }

  /** The first element matching `css`; throws `WebDriverError` "no such element" if none. */
  async find(css) {
    return new Element(this, elementId(await this.command('POST', '/element', { using: 'css selector', value: css })), css);
  }

  async findAll(css) {
    const values = await this.command('POST', '/elements', { using: 'css selector', value: css });
    return values.map((value) => new Element(this, elementId(value), css));
  }

  /**
   * Waits for an element matching `css` (retrying any failed lookup, since the first
   * lookups of a fresh session can fail) and, by default, for it to be displayed.
   */
  async waitForElement(css, what = css, { displayed = true, timeoutMs = waitMs } = {}) {
    return waitFor(
      async () => {
        const element = await this.find(css);
        return !displayed || (await element.displayed()) ? element : null;
      },
      timeoutMs,
      `${what} (${css})${displayed ? ' to be displayed' : ''}`,
      200,
    );
  }

  /** Waits until no element matches `css`. */
  async waitForAbsence(css, what = css) {
    let count;
    await waitFor(
      async () => {
        count = (await this.findAll(css)).length;
        return count === 0;
      },
      waitMs,
      () => `${what} (${css}) to go away (still ${count} element(s))`,
      200,
    );
  }

  async screenshot(path) {
    const base64 = await this.command('GET', '/screenshot');
    writeFileSync(path, Buffer.from(base64, 'base64'));
  }

  async source() {
    return this.command('GET', '/source');
  }

  /** Runs `script` (a function body) in the page and answers what it returns. */
  async execute(script, args = []) {
    return this.command('POST', '/execute/sync', { script, args });
  }

  async delete() {
    await this.command('DELETE', '');
  }
}

export class Element {
  constructor(session, id, css) {
    this.session = session;
    this.id = id;
    this.css = css;
  }

  command(method, path, body) {
    return this.session.command(method, `/element/${this.id}${path}`, body);
  }

  /** The first descendant matching `css`. */
  async find(css) {
    return new Element(this.session, elementId(await this.command('POST', '/element', { using: 'css selector', value: css })), css);
  }

  async findAll(css) {
    const values = await this.command('POST', '/elements', { using: 'css selector', value: css });
    return values.map((value) => new Element(this.session, elementId(value), css));
  }

  click() {
    return this.command('POST', '/click', {});
  }

  clear() {
    return this.command('POST', '/clear', {});
  }

  /** Types `text` into the element; use `Keys` for special keys. */
  sendKeys(text) {
    return this.command('POST', '/value', { text });
  }

  /** The rendered text, trimmed. */
  async text() {
    return String(await this.command('GET', '/text')).trim();
  }

  /** An attribute's value, or `null` when the element has none. */
  attribute(name) {
    return this.command('GET', `/attribute/${encodeURIComponent(name)}`);
  }

  /** A DOM property, e.g. an input's current `value`. */
  property(name) {
    return this.command('GET', `/property/${encodeURIComponent(name)}`);
  }

  displayed() {
    return this.command('GET', '/displayed');
  }

  enabled() {
    return this.command('GET', '/enabled');
  }
}

function elementId(value) {
  const id = value?.[elementKey];
  if (typeof id !== 'string') throw new Error(`not an element reference: ${JSON.stringify(value)}`);
  return id;
}
