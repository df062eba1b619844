// Watching the desktop's OS notifications: a notification daemon (dunst) and
// `dbus-monitor` on the session bus, both children of the test. Each `Notify` call that
// any program makes shows up in the monitor's output, which is kept in the artifacts
// folder. Needs a D-Bus session (`dbus-run-session`) and, for dunst, an X display.

import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { GiveUp, artifactPath, startProcess, stopProcess, waitFor, waitMs } from './harness.mjs';

/** The full path of `command` on PATH, or `null`. */
export function onPath(command) {
  if (command.includes('/')) return command;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

function notificationsHaveOwner() {
  return new Promise((resolveOwner) => {
    execFile(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.Notifications',
      ],
      { timeout: 5_000 },
      (error, stdout) => resolveOwner(!error && /boolean true/.test(stdout)),
    );
  });
}

/**
 * The `Notify` calls in dbus-monitor's text output: `{ header, strings, text }` each,
 * where `strings` are the call's string arguments (app name, icon, summary, body).
 */
export function parseNotifyCalls(output) {
  const calls = [];
  let current = null;
  for (const line of output.split('\n')) {
    if (/^\S/.test(line)) {
      // A new message header: "method call …", "signal …", "method return …", "error …".
      current = null;
      if (line.startsWith('method call') && /\bmember=Notify\b/.test(line)) {
        current = { header: line, strings: [], lines: [] };
        calls.push(current);
      }
    } else if (current) {
      current.lines.push(line);
      const string = /^\s+string "(.*)"$/.exec(line);
      if (string) current.strings.push(string[1]);
    }
  }
  return calls.map(({ header, strings, lines }) => ({ header, strings, text: lines.join('\n') }));
}

/**
 * Starts dunst (when installed) and dbus-monitor; `name` names their logs. Returns
 * `mark()` (a position in the monitor's output), `notifySince(mark)` (the Notify calls
 * after it) and `stop()`.
 */
export async function watchNotifications(name) {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error(
      'No D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset): run the desktop test through tests/e2e/run-desktop.sh',
    );
  }
  const started = [];
  const stop = async () => {
    for (const child of started.reverse()) await stopProcess(child);
  };
  try {
    const monitorLog = artifactPath(`${name}-dbus-monitor.log`);
    const monitor = startProcess(
      'dbus-monitor',
      ['--session', "interface='org.freedesktop.Notifications'"],
      { logPath: monitorLog },
    );
    started.push(monitor);
    const output = () => readFileSync(monitorLog, 'utf8');
    // dbus-monitor prints NameAcquired once it is connected and monitoring.
    await waitFor(
      () => {
        if (monitor.exitCode !== null || monitor.signalCode !== null) {
          throw new GiveUp(`dbus-monitor exited: ${output()}`);
        }
        return output().includes('NameAcquired');
      },
      waitMs,
      'dbus-monitor to connect to the session bus',
    );

    const dunst = onPath('dunst');
    if (dunst) {
      const daemon = startProcess(dunst, [], { logPath: artifactPath(`${name}-dunst.log`) });
      started.push(daemon);
      await waitFor(
        async () => {
          if (daemon.exitCode !== null || daemon.signalCode !== null) {
            throw new GiveUp(`dunst exited; see ${artifactPath(`${name}-dunst.log`)}`);
          }
          return notificationsHaveOwner();
        },
        waitMs,
        'dunst to own org.freedesktop.Notifications on the session bus',
        200,
      );
    } else {
      console.error(
        '\n!!! dunst is not installed: no notification daemon runs, so Notify calls may fail or go unseen. ' +
          'Install it (apt-get install dunst).\n',
      );
    }

    return {
      monitorLog,
      mark: () => output().length,
      notifySince: (mark) => parseNotifyCalls(output().slice(mark)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
