// tauri-driver, which drives the real desktop app over WebDriver (through WebKitWebDriver),
// for the desktop end-to-end test and the desktop memory benchmark.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { artifactPath, freePort, startProcess, stopProcess } from './harness.mjs';
import { onPath } from './notifications.mjs';
import { WebDriver } from './webdriver.mjs';

/**
 * Starts tauri-driver on free ports with `env` (inherited by WebKitWebDriver and the app);
 * `stop()` ends it, WebKitWebDriver and the app.
 */
export async function startTauriDriver(env, logName = 'desktop-tauri-driver.log') {
  const driverBin = onPath(process.env.TAURI_DRIVER_BIN || 'tauri-driver');
  assert.ok(
    driverBin && existsSync(driverBin),
    `tauri-driver not found (TAURI_DRIVER_BIN=${process.env.TAURI_DRIVER_BIN ?? '(unset)'}, PATH=${process.env.PATH}); ` +
      'install it with `cargo install tauri-driver --locked`',
  );
  assert.ok(
    onPath('WebKitWebDriver'),
    'WebKitWebDriver is not on PATH; tauri-driver needs it (Debian package webkit2gtk-driver)',
  );
  const port = await freePort();
  const nativePort = await freePort();
  const logPath = artifactPath(logName);
  // Its own process group, so stopping it also ends WebKitWebDriver and the app.
  const child = startProcess(driverBin, ['--port', String(port), '--native-port', String(nativePort)], {
    env,
    logPath,
    detached: true,
  });
  const driver = new WebDriver(`http://127.0.0.1:${port}`);
  try {
    await driver.waitUntilUp(() => child.exitCode === null && child.signalCode === null);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`${error.message}; see ${logPath}`);
  }
  return { driver, logPath, stop: () => stopProcess(child, 5_000) };
}

