// The hosts' refusals in the words an agent reads: a sentence, without the names of fields,
// codes and parts that only an engineer knows.

/** Words of the wire and the hosts' insides, and what the agent knows them as. */
const agentWords: readonly (readonly [RegExp, string])[] = [
  [/\bclient ?key\b/gi, 'message key'],
  [/\binteraction_?id\b/gi, 'interaction'],
  [/\bcontact_?id\b/gi, 'contact'],
  [/\bmessage_?id\b/gi, 'message'],
  [/\bmedia_?id\b/gi, 'picture'],
  [/\bupload_?ids?\b/gi, 'pictures'],
  [/\bmax_?chats\b/gi, 'the most chats at once'],
  [/\bHTTP (\d{3})\b/g, 'error $1'],
  [/\bstore (error|failure)\b/gi, 'database $1'],
  [/\bwebsocket\b/gi, 'live connection'],
];

/**
 * A host's message as the agent reads it: the words above replaced, the first letter a
 * capital, and a full stop at the end. `"x" is not an email address` keeps its quote first.
 */
export function asSentence(message: string): string {
  let text = message.trim();
  if (text === '') return text;
  for (const [word, replacement] of agentWords) text = text.replace(word, replacement);
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}
