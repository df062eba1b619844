// What the end-to-end tests share: a real hub on a free loopback port with a fresh
// database, the hub's own CLI to play the customer and to read the simulated carrier's
// outbox, and a `waitFor` that says what it was waiting for when it gives up.
//
// Every process started here is killed when its test ends (pass or fail) and, as a last
// resort, when this Node process exits.

import { execFile, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifactsDir = join(repoRoot, 'test-artifacts', 'e2e');
export const hubBin = process.env.PARLEY_HUB_BIN || join(repoRoot, 'target', 'debug', 'parley-hub');
/** The built browser UI the hub serves; `PARLEY_UI_DIR` points elsewhere (e.g. a CI build). */
export const uiDir = process.env.PARLEY_UI_DIR || join(repoRoot, 'ui', 'dist');

/** How long one wait may take: generous, because CI is a busy 2-core machine. */
export const waitMs = Number(process.env.PARLEY_E2E_WAIT_MS || 20_000);

/** Processes this file started and has not yet seen exit. */
const running = new Set();

process.on('exit', () => {
  for (const child of running) killNow(child);
});

function killNow(child, signal = 'SIGKILL') {
  try {
    // A child started detached leads its own process group: end the group (the child
    // and whatever it started, e.g. tauri-driver's WebKitWebDriver and the app).
    if (child.detachedGroup) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts a long-running helper process with its output in `logPath`; it is registered
 * for killing at exit. `detached` puts it in its own process group so that `stopProcess`
 * ends its children too.
 */
export function startProcess(command, args, { env = process.env, logPath, cwd = repoRoot, detached = false } = {}) {
  mkdirSync(dirname(logPath), { recursive: true });
  const log = openSync(logPath, 'w');
  let child;
  try {
    child = spawn(command, args, { cwd, env, stdio: ['ignore', log, log], detached });
  } finally {
    closeSync(log);
  }
  child.detachedGroup = detached;
  child.exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolveExit({ code, signal });
    });
    child.once('error', (error) => {
      running.delete(child);
      resolveExit({ code: null, signal: null, error });
    });
  });
  running.add(child);
  return child;
}

/** Asks a process to stop, then kills it if it has not exited within `graceMs`. */
export async function stopProcess(child, graceMs = 3_000) {
  if (!child || !running.has(child)) return;
  killNow(child, 'SIGTERM');
  const timer = new Promise((resolveTimer) => setTimeout(resolveTimer, graceMs, 'timeout'));
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    killNow(child, 'SIGKILL');
    await child.exited;
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A fresh temporary folder, removed by the returned `remove()`. */
export function makeTempDir(prefix = 'parley-e2e-') {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A file name for the artifacts folder: the test's words, safe for any file system. */
export function artifactPath(name) {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name.replace(/[^A-Za-z0-9._-]+/g, '-'));
}

/** Thrown by a `waitFor` predicate when waiting longer cannot help (e.g. the process died). */
export class GiveUp extends Error {}

/**
 * Polls `predicate` (sync or async) until it returns a truthy value, which is returned.
 * Throws after `timeoutMs`, naming `what` and the last value or error seen, so a failure
 * says what never happened rather than "timeout". `what` is a string or a function that
 * returns one when the message is needed (so it can show what was last seen). A `GiveUp`
 * thrown by the predicate ends the wait at once.
 */
export async function waitFor(predicate, timeoutMs = waitMs, what = 'a condition', intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last = { kind: 'none' };
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
      last = { kind: 'value', value };
    } catch (error) {
      if (error instanceof GiveUp) throw new Error(`Gave up waiting for ${describe(what)}: ${error.message}`);
      last = { kind: 'error', error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolveSleep) => setTimeout(resolveSleep, intervalMs));
  }
  const detail =
    last.kind === 'error'
      ? `; the last check threw: ${last.error?.message ?? last.error}`
      : last.kind === 'value'
        ? `; the last check returned ${JSON.stringify(last.value)}`
        : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${describe(what)}${detail}`);
}

function describe(what) {
  return typeof what === 'function' ? what() : what;
}

/** Runs the hub binary once (a CLI subcommand) and returns its standard output. */
function runHubCommand(args, env, what) {
  return new Promise((resolveRun, reject) => {
    execFile(hubBin, args, { env, cwd: repoRoot, timeout: waitMs }, (error, stdout, stderr) => {
      if (error) {
        reject(
          new Error(
            `${what} failed: parley-hub ${args.map((arg) => JSON.stringify(arg)).join(' ')} ` +
              `exited with ${error.code ?? error.signal}${error.killed ? ' (killed after timeout)' : ''}\n` +
              `stdout: ${stdout}\nstderr: ${stderr}`,
          ),
        );
      } else {
        resolveRun(stdout);
      }
    });
  });
}

/** The environment for hub commands: ours, minus any PARLEY_* that would leak a config. */
function cleanEnvironment(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PARLEY_')) env[key] = value;
  }
  // Plain log files, without terminal colour codes.
  env.NO_COLOR = '1';
  return { ...env, ...extra };
}

/**
 * A hub on its own port and database, serving the built UI with the simulated carrier.
 * `name` names its log in the artifacts folder. Call `stop()` in `after`/`t.after`.
 * `config`: TOML written to the hub's config file (e.g. shorter routing timeouts), beside
 * the `PARLEY_*` environment the hub is given. `prepare(run)`: runs hub commands
 * (`run(args, env)`) on the migrated database before it serves.
 */
export async function startHub(name, { demo = false, deliveryDelayMs = 300, config = null, prepare = null } = {}) {
  if (!existsSync(hubBin)) {
    throw new Error(
      `The hub binary ${hubBin} does not exist. Build it (cargo build -p parley-hub) or set PARLEY_HUB_BIN.`,
    );
  }
  if (!existsSync(join(uiDir, 'index.html'))) {
    throw new Error(`The UI is not built: ${uiDir}/index.html is missing. Run: cd ui && npm run build`);
  }
  const port = await freePort();
  const dir = makeTempDir(`parley-e2e-${name}-`);
  const url = `http://127.0.0.1:${port}`;
  const logPath = artifactPath(`${name}-hub.log`);
  const env = cleanEnvironment({
    PARLEY_LISTEN: `127.0.0.1:${port}`,
    PARLEY_DATABASE: join(dir.path, 'parley.db'),
    PARLEY_UI_DIR: uiDir,
    PARLEY_SIM_DELIVERY_DELAY_MS: String(deliveryDelayMs),
    PARLEY_LOG: 'info',
  });
  if (config !== null) {
    const configPath = join(dir.path, 'hub.toml');
    writeFileSync(configPath, config);
    env.PARLEY_CONFIG = configPath;
  }

  const hub = {
    name,
    url,
    port,
    dir: dir.path,
    logPath,
    process: null,

    /** Adds an agent straight into the database (the hub's own CLI). */
    async addAgent(login, agentName, password, { autoAnswer = false, maxChats = 3, saveMedia = false } = {}) {
      const args = ['agent', 'add', '--login', login, '--name', agentName, '--max-chats', String(maxChats)];
      if (autoAnswer) args.push('--auto-answer');
      if (saveMedia) args.push('--save-media');
      return runHubCommand(args, { ...env, PARLEY_PASSWORD: password }, `adding agent ${login}`);
    },

    /** The simulated carrier acts as a supervisor: one is added the first time it is driven. */
    carrierReady: null,
    async carrier() {
      this.carrierReady ??= runHubCommand(
        ['agent', 'add', '--login', 'carrier', '--name', 'Simulated carrier', '--role', 'supervisor'],
        { ...env, PARLEY_PASSWORD: 'carrier-password' },
        'adding the supervisor the simulated carrier acts as',
      );
      await this.carrierReady;
      return ['simulate', '--hub', url, '--as', 'carrier'];
    },

    /** A customer texts the contact center; returns the carrier's message sid. */
    /** `media`: names of the simulated carrier's sample pictures (photo.jpg, corrupt.jpg, …). */
    async simulateInbound(from, body, media = []) {
      const stdout = await runHubCommand(
        [...(await this.carrier()), 'inbound', '--from', from, '--body', body, ...media.flatMap((name) => ['--media', name])],
        env,
        `simulating an inbound SMS from ${from}`,
      );
      let answer;
      try {
        answer = JSON.parse(stdout);
      } catch {
        throw new Error(`simulate inbound printed something that is not JSON: ${JSON.stringify(stdout)}`);
      }
      if (typeof answer?.sid !== 'string' || !answer.sid.startsWith('SM')) {
        throw new Error(`simulate inbound answered without a message sid: ${JSON.stringify(stdout)}`);
      }
      return answer.sid;
    },

    /** What the simulated carrier was asked to send: `{to, from, body, status, sid}` each. */
    async outbox() {
      const stdout = await runHubCommand(
        [...(await this.carrier()), 'outbox', '--json'],
        env,
        'reading the simulated outbox',
      );
      return stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            return JSON.parse(line);
          } catch {
            throw new Error(`simulate outbox --json printed a line that is not JSON: ${JSON.stringify(line)}`);
          }
        });
    },

    /** The hub's log so far, for failure messages. */
    log() {
      try {
        return readFileSync(logPath, 'utf8');
      } catch {
        return '';
      }
    },

    async stop() {
      await stopProcess(hub.process);
      dir.remove();
    },
  };

  // Migrate first, so that `agent add` and `serve` never race to create the schema.
  await runHubCommand(['migrate'], env, 'creating the hub database');
  // Anything the caller runs with the hub's own CLI before it serves (e.g. `seed`).
  if (prepare !== null) {
    await prepare((args, extra = {}) => runHubCommand(args, { ...env, ...extra }, `parley-hub ${args[0]}`));
  }

  const args = ['serve'];
  if (demo) args.push('--demo');
  hub.process = startProcess(hubBin, args, { env, logPath });
  try {
    await waitFor(
      async () => {
        if (!running.has(hub.process)) {
          const { code, signal, error } = await hub.process.exited;
          throw new GiveUp(
            `the hub exited before it was healthy (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''})`,
          );
        }
        const response = await fetch(`${url}/healthz`);
        return response.status === 200 && (await response.json()).status === 'ok';
      },
      waitMs,
      `the hub at ${url}/healthz to answer 200 {"status":"ok"}`,
      100,
    ).catch((error) => {
      throw new Error(`${error.message}\nHub log (${logPath}):\n${hub.log().slice(-4000)}`);
    });
  } catch (error) {
    await hub.stop();
    throw error;
  }
  return hub;
}

/**
 * Teardown in reverse order of setup (node:test runs `t.after` hooks first-in, first-out):
 * `const defer = teardown(t); defer(() => hub.stop());`. Every step runs even when one
 * fails; the first failure is then reported.
 */
export function teardown(t) {
  const steps = [];
  t.after(async () => {
    let firstError = null;
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`teardown step failed: ${error?.stack ?? error}`);
        firstError ??= error;
      }
    }
    if (firstError) throw firstError;
  });
  return (step) => steps.push(step);
}
