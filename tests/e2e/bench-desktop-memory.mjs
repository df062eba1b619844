// The desktop app's memory at a contact center's volume: the real app (release build,
// WebKitGTK, under Xvfb) signed in with a replica of 10,000 contacts, idle, against a blank
// Tauri app (one window, an empty page: tests/blank-desktop) and Parley at its sign-in
// screen and signed in with no contacts, all measured in the same run. Memory is PSS
// (proportional set size: shared pages split between the processes sharing them), summed
// over the app and its WebKit processes. Printed, never asserted.
//
// Run: make bench-desktop (a release build).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { artifactPath, makeTempDir, startHub, startProcess, stopProcess, waitFor } from './harness.mjs';
import { startTauriDriver } from './tauri-driver.mjs';
import { testId } from './webdriver.mjs';

const contacts = Number(process.env.PARLEY_BENCH_CONTACTS || 10_000);
const idleMs = 15_000;
const desktopBin = process.env.PARLEY_DESKTOP_BIN;
if (!desktopBin || !existsSync(desktopBin)) throw new Error(`PARLEY_DESKTOP_BIN (${desktopBin}) is not a built app`);
const blankBin = process.env.PARLEY_BLANK_DESKTOP_BIN;
if (!blankBin || !existsSync(blankBin)) throw new Error(`PARLEY_BLANK_DESKTOP_BIN (${blankBin}) is not a built app`);

/** Runs a helper program; answers what it printed. */
async function run(command, args) {
  const { stdout } = await promisify(execFile)(command, args);
  return stdout;
}

/** Every process under `root` (its children, theirs, …) and itself. */
function tree(root) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  const found = [root];
  for (let index = 0; index < found.length; index += 1) {
    for (const [pid, ppid] of parents) if (ppid === found[index]) found.push(pid);
  }
  return found;
}

/** The app's process: the one running the binary `bin`. */
function appPid(bin) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0] === bin) return Number(name);
    } catch {
      // Gone meanwhile.
    }
  }
  throw new Error(`no process runs ${bin}`);
}

/** PSS in MiB of the app running `bin` and its WebKit processes, with their names. */
function pss(bin = desktopBin) {
  let total = 0;
  const names = [];
  const each = [];
  for (const pid of tree(appPid(bin))) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kib = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      total += kib;
      names.push(name);
      each.push(`${name} ${(kib / 1024).toFixed(0)}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return { mib: total / 1024, names, each: each.join(', ') };
}

const hub = await startHub('bench-desktop', {
  config: `[sync]\nsnapshot_contacts = ${contacts}\nsnapshot_messages_per_contact = 20\n`,
  prepare: (run) =>
    run(['seed', '--contacts', String(contacts), '--messages', String(contacts * 10), '--agents', '1', '--days', '30'], {
      PARLEY_PASSWORD: 'bench-pass',
    }),
});
// An agent with nothing: the same workspace, empty.
await hub.addAgent('empty', 'Empty Agent', 'bench-pass');

/**
 * Starts the app (a new process), measures it idle at the sign-in screen, signs `login` in,
 * waits for its snapshot to be applied, and measures it idle again.
 */
async function measure(login) {
  const dataDir = makeTempDir('parley-bench-desktop-data-');
  const tauriDriver = await startTauriDriver(
    { ...process.env, PARLEY_DATA_DIR: dataDir.path, PARLEY_LOG: 'warn', WEBKIT_DISABLE_DMABUF_RENDERER: '1' },
    `bench-desktop-${login}-tauri-driver.log`,
  );
  try {
    const session = await tauriDriver.driver.newSession({ alwaysMatch: { 'tauri:options': { application: desktopBin } } });
    try {
      const hubUrl = await session.waitForElement(testId('login-hub-url'), 'the sign-in screen');
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      const blank = pss();
      const streams = hub.log().split(`event stream opened login=${login}`).length;

      await hubUrl.clear();
      await hubUrl.sendKeys(hub.url);
      await (await session.find(testId('login-user'))).sendKeys(login);
      await (await session.find(testId('login-password'))).sendKeys('bench-pass');
      const started = Date.now();
      await (await session.find(testId('login-submit'))).click();
      await waitFor(
        async () => (await session.findAll(testId('agent-name'))).length > 0,
        120_000,
        'the workspace after sign-in',
        250,
      ).catch(async (error) => {
        await session.screenshot(artifactPath('bench-desktop-FAILED.png')).catch(() => {});
        throw error;
      });
      const shown = Date.now() - started;
      // The desktop opens its event stream once its snapshot is applied.
      await waitFor(
        async () => hub.log().split(`event stream opened login=${login}`).length > streams,
        120_000,
        'the desktop to apply its snapshot and open its event stream',
        100,
      );
      const ready = Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      const signedIn = pss();
      const dom = await session.execute(
        "return [document.getElementsByTagName('*').length, document.querySelectorAll('[data-testid=\"contact-item\"]').length];",
      );
      signedIn.each += `; DOM ${dom[0]} nodes, ${dom[1]} contact rows`;
      const replica = readdirSync(dataDir.path)
        .filter((name) => name.startsWith('replica-'))
        .reduce((total, name) => total + statSync(join(dataDir.path, name)).size, 0);
      return { blank, signedIn, replica, shown, ready };
    } finally {
      await session.delete().catch(() => {});
    }
  } finally {
    await tauriDriver.stop();
    dataDir.remove();
  }
}

/** The blank Tauri app, idle with its window shown. */
async function measureBlank() {
  const app = startProcess(blankBin, [], {
    env: { ...process.env, WEBKIT_DISABLE_DMABUF_RENDERER: '1' },
    logPath: artifactPath('bench-desktop-blank.log'),
    detached: true,
  });
  try {
    await waitFor(
      async () => (await run('xdotool', ['search', '--name', '^Blank$']).catch(() => '')).trim() !== '',
      60_000,
      "the blank app's window",
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    return pss(blankBin);
  } finally {
    await stopProcess(app, 5_000);
  }
}

try {
  const blankApp = await measureBlank();
  const empty = await measure('empty');
  const full = await measure('agent001');
  const mib = (value) => `${value.mib.toFixed(1)} MiB`;
  console.log(`desktop app, release, idle under Xvfb (PSS of ${full.signedIn.names.join(', ')}):`);
  const ratio = (value) => `${(value.mib / blankApp.mib).toFixed(2)}x`;
  console.log(`  a blank Tauri app (one empty window)      ${mib(blankApp)}  (baseline; ${blankApp.each})`);
  console.log(`  Parley at the sign-in screen              ${mib(empty.blank)}  (${ratio(empty.blank)}; ${empty.blank.each})`);
  console.log(
    `  Parley signed in, no contacts             ${mib(empty.signedIn)}  (${ratio(empty.signedIn)}; ${empty.signedIn.each})`,
  );
  console.log(
    `  Parley signed in, ${contacts} contacts held  ${mib(full.signedIn)}  (${ratio(full.signedIn)}; ` +
      `${(full.signedIn.mib - empty.signedIn.mib).toFixed(1)} MiB over no contacts; ${full.signedIn.each}; ` +
      `replica ${(full.replica / 1048576).toFixed(1)} MB; workspace shown ${full.shown} ms and snapshot applied ${full.ready} ms after sign-in)`,
  );
} finally {
  await hub.stop();
}
