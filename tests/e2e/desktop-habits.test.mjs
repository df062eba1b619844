// The desktop app's habits, on the real app under Xvfb (no WebDriver): one instance (a
// second launch brings the running window forward and exits), the window's size and place
// remembered across a quit, start at login when the admin's policy says so, and a clean
// quit on SIGTERM.
//
// Run it through the wrapper, which provides the X display and the D-Bus session:
//   PARLEY_DESKTOP_BIN=target/debug/parley-desktop tests/e2e/run-desktop.sh --test tests/e2e/desktop-habits.test.mjs

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { artifactPath, makeTempDir, repoRoot, waitFor, waitMs } from './harness.mjs';

const binary = process.env.PARLEY_DESKTOP_BIN;
const desktopBin = binary && (isAbsolute(binary) ? binary : resolve(repoRoot, binary));

async function xdotool(...args) {
  return (await promisify(execFile)('xdotool', args, { timeout: 10_000 })).stdout.trim();
}

/** The ids of the app's windows titled exactly "Parley". */
async function parleyWindows() {
  const found = await xdotool('search', '--name', '^Parley$').catch(() => '');
  return found === '' ? [] : found.split('\n');
}

async function geometry(windowId) {
  const text = await xdotool('getwindowgeometry', '--shell', windowId);
  const value = (name) => Number(/^(\w+)=(\d+)$/m.exec(text.split('\n').find((line) => line.startsWith(`${name}=`)) ?? '')?.[2]);
  return { x: value('X'), y: value('Y'), width: value('WIDTH'), height: value('HEIGHT') };
}

/** Starts the app with its own home, data and policy; its log is collected. */
function launch(home, extraEnv = {}) {
  const child = spawn(desktopBin, [], {
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      PARLEY_DATA_DIR: join(home, 'data'),
      PARLEY_DESKTOP_POLICY: join(home, 'desktop.toml'),
      PARLEY_LOG: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, log: '', exited: null };
  child.stdout.on('data', (chunk) => (run.log += chunk));
  child.stderr.on('data', (chunk) => (run.log += chunk));
  run.exit = new Promise((done) =>
    child.on('exit', (code, signal) => {
      run.exited = { code, signal };
      done(run.exited);
    }),
  );
  return run;
}

async function firstWindow(run) {
  let windows = [];
  await waitFor(
    async () => {
      if (run.exited) throw new Error(`the app exited: ${JSON.stringify(run.exited)}\n${run.log}`);
      windows = await parleyWindows();
      return windows.length > 0;
    },
    waitMs,
    'the Parley window',
    200,
  );
  return windows[0];
}

async function quit(run) {
  run.child.kill('SIGTERM');
  const exited = await Promise.race([
    run.exit,
    new Promise((done) => setTimeout(() => done(null), 15_000)),
  ]);
  assert.ok(exited, `the app quits on SIGTERM within 15 s:\n${run.log}`);
  assert.equal(exited.code, 0, `a clean quit: ${JSON.stringify(exited)}\n${run.log}`);
}

test('one instance, the window remembered, start at login by policy', { skip: !desktopBin && 'PARLEY_DESKTOP_BIN is not set', timeout: 240_000 }, async () => {
  const temp = makeTempDir('parley-habits-');
  const home = temp.path;
  mkdirSync(join(home, '.config'), { recursive: true });
  writeFileSync(
    join(home, 'desktop.toml'),
    'hub_url = "https://hub.example.com"\nlock_hub_url = true\nstart_at_login = true\n',
  );

  const first = launch(home);
  const windowId = await firstWindow(first);

  // The admin's start at login: an autostart entry for this user.
  const autostart = join(home, '.config', 'autostart');
  await waitFor(() => existsSync(autostart) && readdirSync(autostart).length > 0, waitMs, 'the autostart entry', 200);
  const entries = readdirSync(autostart);
  const entry = readFileSync(join(autostart, entries[0]), 'utf8');
  assert.match(entry, /^Exec=.*parley-desktop/m, entry);

  // A second launch hands over to the running app and ends.
  const second = launch(home);
  const secondExit = await Promise.race([
    second.exit,
    new Promise((done) => setTimeout(() => done(null), 20_000)),
  ]);
  assert.ok(secondExit, `the second launch ends by itself:\n${second.log}`);
  assert.equal(secondExit.code, 0, second.log);
  await waitFor(() => first.log.includes('launched again'), waitMs, 'the first app to hear of the second launch', 100);
  assert.deepEqual(await parleyWindows(), [windowId], 'still one window');

  // The agent puts the window somewhere else, at another size, and quits.
  await xdotool('windowsize', '--sync', windowId, '1000', '700');
  await xdotool('windowmove', '--sync', windowId, '40', '30');
  const placed = await geometry(windowId);
  assert.deepEqual([placed.width, placed.height], [1000, 700]);
  // Let the window's move and resize reach the app before it quits.
  await new Promise((done) => setTimeout(done, 1_000));
  await quit(first);

  // Started again: where it was left.
  const again = launch(home, {});
  const reopened = await firstWindow(again);
  await waitFor(async () => {
    const now = await geometry(reopened);
    return now.width === 1000 && now.height === 700;
  }, waitMs, 'the window at the size it was left', 200).catch(async (error) => {
    throw new Error(`${error.message}: ${JSON.stringify(await geometry(reopened))}\n${again.log}`);
  });
  const restored = await geometry(reopened);
  assert.ok(Math.abs(restored.x - placed.x) <= 2 && Math.abs(restored.y - placed.y) <= 2, `at ${JSON.stringify(restored)}, left at ${JSON.stringify(placed)}`);
  // The sign-in screen drawn, for the screenshot.
  await new Promise((done) => setTimeout(done, 2_000));
  try {
    await promisify(execFile)('import', ['-window', 'root', artifactPath('desktop-habits.png')]);
  } catch {
    // A screenshot is for people; the checks above are the test.
  }
  await quit(again);
  temp.remove();
});
