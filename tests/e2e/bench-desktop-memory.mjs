// The desktop app's memory at a contact center's volume: the real app (release build,
// WebKitGTK, under Xvfb) signed in with a replica of 10,000 contacts, idle, against the same
// app idle at its sign-in screen (no replica: Tauri, WebKit and the UI alone), measured in
// the same run. Memory is PSS (proportional set size: shared pages split between the
// processes sharing them), summed over the app and its WebKit processes. Printed, never
// asserted.
//
// Run: make bench-desktop (a release build).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { artifactPath, makeTempDir, startHub, waitFor } from './harness.mjs';
import { startTauriDriver } from './tauri-driver.mjs';
import { testId } from './webdriver.mjs';

const contacts = Number(process.env.PARLEY_BENCH_CONTACTS || 10_000);
const idleMs = 15_000;
const desktopBin = process.env.PARLEY_DESKTOP_BIN;
if (!desktopBin || !existsSync(desktopBin)) throw new Error(`PARLEY_DESKTOP_BIN (${desktopBin}) is not a built app`);

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

/** The app's process: the one running the binary. */
function appPid() {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0] === desktopBin) return Number(name);
    } catch {
      // Gone meanwhile.
    }
  }
  throw new Error(`no process runs ${desktopBin}`);
}

/** PSS in MiB of the app and its WebKit processes, with their names. */
function pss() {
  let total = 0;
  const names = [];
  for (const pid of tree(appPid())) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      names.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      // Gone meanwhile.
    }
  }
  return { mib: total / 1024, names };
}

const hub = await startHub('bench-desktop', {
  config: `[sync]\nsnapshot_contacts = ${contacts}\nsnapshot_messages_per_contact = 20\n`,
  prepare: (run) =>
    run(['seed', '--contacts', String(contacts), '--messages', String(contacts * 10), '--agents', '1', '--days', '30'], {
      PARLEY_PASSWORD: 'bench-pass',
    }),
});
const dataDir = makeTempDir('parley-bench-desktop-data-');
const tauriDriver = await startTauriDriver(
  { ...process.env, PARLEY_DATA_DIR: dataDir.path, PARLEY_LOG: 'warn', WEBKIT_DISABLE_DMABUF_RENDERER: '1' },
  'bench-desktop-tauri-driver.log',
);
try {
  const session = await tauriDriver.driver.newSession({ alwaysMatch: { 'tauri:options': { application: desktopBin } } });
  try {
    const hubUrl = await session.waitForElement(testId('login-hub-url'), 'the sign-in screen');
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const blank = pss();

    await hubUrl.clear();
    await hubUrl.sendKeys(hub.url);
    await (await session.find(testId('login-user'))).sendKeys('agent001');
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
    const workspaceShown = Date.now() - started;
    // The desktop opens its event stream once its snapshot is applied.
    await waitFor(
      async () => hub.log().includes('event stream opened login=agent001'),
      120_000,
      'the desktop to apply its snapshot and open its event stream',
      100,
    );
    const ready = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const signedIn = pss();
    const replica = readdirSync(dataDir.path)
      .filter((name) => name.startsWith('replica-'))
      .reduce((total, name) => total + statSync(join(dataDir.path, name)).size, 0);

    console.log(`desktop app, release, idle under Xvfb (PSS of ${signedIn.names.join(', ')}):`);
    console.log(`  at the sign-in screen (no replica)     ${blank.mib.toFixed(1)} MiB  (baseline)`);
    console.log(
      `  signed in, ${contacts} contacts held         ${signedIn.mib.toFixed(1)} MiB  (${(signedIn.mib / blank.mib).toFixed(2)}x; ` +
        `+${(signedIn.mib - blank.mib).toFixed(1)} MiB; replica ${(replica / 1048576).toFixed(1)} MB; workspace shown ${workspaceShown} ms and snapshot applied ${ready} ms after sign-in)`,
    );
  } finally {
    await session.delete().catch(() => {});
  }
} finally {
  await tauriDriver.stop();
  dataDir.remove();
  await hub.stop();
}
