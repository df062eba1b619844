// What a component's own style sheet says, for layout that jsdom does not compute.

/**
 * The declarations of the last rule in `source`'s `<style>` whose selector is exactly
 * `selector` (the one the cascade keeps), e.g. `{ 'min-width': '6em' }`; empty when none.
 */
export function ruleOf(source: string, selector: string): Record<string, string> {
  const sheet = /<style[^>]*>([\s\S]*?)<\/style>/.exec(source)?.[1] ?? '';
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rules = [...sheet.matchAll(new RegExp(`(?:^|[}\\n])\\s*${escaped}\\s*\\{([^}]*)\\}`, 'g'))];
  const body = rules.at(-1)?.[1] ?? '';
  return Object.fromEntries(
    body
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .split(';')
      .map((declaration) => declaration.split(':').map((part) => part.trim()))
      .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] !== ''),
  );
}
