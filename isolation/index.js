// The isolation hook sees every IPC message before it reaches the core. Parley's UI only
// calls its own commands and listens to events; anything else is dropped here.
const ALLOWED_PREFIXES = ['plugin:event|'];
const ALLOWED_COMMANDS = new Set([
  'login', 'logout', 'session', 'set_status', 'list_contacts', 'list_messages', 'mark_read',
  'list_interactions', 'accept_interaction', 'decline_interaction', 'send_message', 'set_focus',
  'set_unread_total',
  'create_interaction', 'end_interaction', 'save_wrap_up', 'mark_done', 'settings', 'summary',
  'mark_unread', 'search', 'update_contact', 'contact_interactions',
  'retry_message', 'create_interaction_for_number', 'open_media', 'save_media',
  'notification_settings', 'set_notification_settings', 'upload_media', 'desktop_policy',
]);

window.__TAURI_ISOLATION_HOOK__ = (payload) => {
  const command = payload && payload.cmd;
  if (typeof command !== 'string') return payload;
  if (ALLOWED_COMMANDS.has(command) || ALLOWED_PREFIXES.some((prefix) => command.startsWith(prefix))) {
    return payload;
  }
  console.warn('Parley isolation: blocked IPC command', command);
  return null;
};
