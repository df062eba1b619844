// The transcript at volume in a real browser: one contact with a long history (100,000
// messages by default, PARLEY_BENCH_TRANSCRIPT), seeded with `parley-hub seed` into a real
// hub serving the browser UI, opened in Debian's Chromium through Playwright. Prints, never
// asserts:
// - first paint: from the newest page's answer arriving to the frame that shows it, against
//   the same page's messages painted as plain list items in the same page (the baseline:
//   the browser's own cost for that much text);
// - DOM nodes: in the transcript and in the whole page, when it opens and after reading
//   far back (earlier pages loaded as the agent scrolls up).
//
// Run: make bench-ui (builds the hub and the UI first).

import { byTestId, launch, signInAs } from './browser-page.mjs';
import { startHub } from './harness.mjs';

const messages = Number(process.env.PARLEY_BENCH_TRANSCRIPT || 100_000);
const rounds = 5;
const scrolls = 30;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const hub = await startHub('bench-transcript', {
  prepare: (run) =>
    run(['seed', '--contacts', '1', '--messages', String(messages), '--agents', '1', '--days', '30'], {
      PARLEY_PASSWORD: 'bench-pass',
    }),
});
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Each load of the page watches for the transcript's data and its first frame.
  await context.addInitScript(() => {
    const bench = { data: null, painted: null };
    window.__bench = bench;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (/\/api\/contacts\/\d+\/messages\?/.test(entry.name) && bench.data === null) bench.data = entry.responseEnd;
      }
    }).observe({ type: 'resource' });
    const watcher = new MutationObserver(() => {
      const shown = document.querySelectorAll('[data-testid="transcript"] [data-testid="message"]').length;
      if (shown >= 100 && bench.painted === null) {
        bench.painted = 0;
        watcher.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => (bench.painted = performance.now())));
      }
    });
    document.addEventListener('DOMContentLoaded', () => watcher.observe(document.body, { childList: true, subtree: true }));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const agent = { login: 'agent001', password: 'bench-pass' };
  await signInAs(page, hub, { ...agent, name: await agentName(hub, agent) });

  const paints = [];
  const baselines = [];
  let opened = null;
  for (let round = 0; round < rounds; round += 1) {
    if (round > 0) {
      await page.reload();
      await byTestId(page, 'agent-name').waitFor();
    }
    // The contact is found by number (it is not one of the agent's assigned contacts),
    // unless the page opened it again by itself.
    const shown = await page
      .waitForFunction(() => window.__bench.data !== null, null, { timeout: 1_500 })
      .then(() => true)
      .catch(() => false);
    if (!shown) {
      const search = byTestId(page, 'contact-search');
      await search.fill('2020000000');
      await byTestId(page, 'search-result-contact').first().click();
    }
    await page.waitForFunction(() => window.__bench.painted > 0 && window.__bench.data !== null);
    const bench = await page.evaluate(() => window.__bench);
    paints.push(bench.painted - bench.data);
    opened ??= await count(page);

    // The baseline: the same texts as plain list items, painted in the same page.
    const baseline = await page.evaluate(async () => {
      const texts = [...document.querySelectorAll('[data-testid="transcript"] [data-testid="message"]')].map(
        (item) => item.textContent ?? '',
      );
      const list = document.createElement('ol');
      const started = performance.now();
      for (const text of texts) {
        const item = document.createElement('li');
        item.textContent = text;
        list.append(item);
      }
      document.body.append(list);
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const took = performance.now() - started;
      list.remove();
      return took;
    });
    baselines.push(baseline);
  }

  // Read far back: each scroll to the top loads the page before.
  const transcript = byTestId(page, 'transcript');
  let deepest = opened;
  for (let scroll = 0; scroll < scrolls; scroll += 1) {
    await transcript.evaluate((element) => (element.scrollTop = 0));
    await page.waitForTimeout(150);
    const now = await count(page);
    if (now.transcript > deepest.transcript) deepest = now;
  }
  const back = await count(page);

  console.log(`transcript of ${messages} messages in Chromium (the newest 100 first):`);
  console.log(
    `  first paint after the data    median ${median(paints).toFixed(1)} ms, worst ${Math.max(...paints).toFixed(1)} ms` +
      `  (the same texts as plain list items: ${median(baselines).toFixed(1)} ms, ${(median(paints) / median(baselines)).toFixed(1)}x)`,
  );
  console.log(`  DOM nodes when opened         transcript ${opened.transcript}, page ${opened.page} (${opened.messages} messages)`);
  console.log(
    `  DOM nodes after ${scrolls} pages back  transcript ${back.transcript}, page ${back.page} (${back.messages} messages held; most seen ${deepest.transcript})`,
  );
  await context.close();
} finally {
  await browser.close();
  await hub.stop();
}

async function count(page) {
  return page.evaluate(() => {
    const transcript = document.querySelector('[data-testid="transcript"]');
    return {
      transcript: transcript?.getElementsByTagName('*').length ?? 0,
      page: document.getElementsByTagName('*').length,
      messages: transcript?.querySelectorAll('[data-testid="message"]').length ?? 0,
    };
  });
}

async function agentName(hub, agent) {
  const answer = await fetch(`${hub.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: agent.login, password: agent.password }),
  }).then((response) => response.json());
  return answer.agent.name;
}
