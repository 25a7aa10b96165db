// The console. Reads the console's routes (/local/…) – the local stack's (and its /v1/… for "try it"), or the
// deployed console's (npm run console -- --deployed: read-only, "try it" a dry run) – and renders with DOM methods
// only: every value from a request or a vendor becomes a text node or an attribute value, never markup.

const $ = (id) => document.getElementById(id);
let POLL_MS = 1000;
/** `local`, or `deployed` once /local/info says so. */
let mode = 'local';
let apiUrl = '';

/** An element with attributes and children; strings become text nodes. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...nodes(children));
  return element;
}

/** Children as nodes: arrays flattened, absent values dropped, anything else a text node. */
const nodes = (children) => children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false).map((c) => (c instanceof Node ? c : String(c)));

/** Replaces an element's children (same rules as h). */
const fill = (element, ...children) => element.replaceChildren(...nodes(children));

const time = (iso) => (iso ? new Date(iso).toTimeString().slice(0, 8) : '');
const KIND = { sessionId: 'session', userId: 'user', basketId: 'basket' };
const keyText = (key) => `${KIND[key.kind] ?? key.kind} ${key.value}`;

async function getJson(path, init) {
  const response = await fetch(path, init);
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : undefined };
}

// ---- Orders, polled ------------------------------------------------------------------------------------------

/** The order named in the address (`#order=…`), so that a link or a reload opens it. */
function orderInHash() {
  try {
    return decodeURIComponent(location.hash.match(/^#order=(.*)$/)?.[1] ?? '') || undefined;
  } catch {
    return undefined; // not percent-encoding: no order
  }
}
let selected = orderInHash();
let lastOrders = '';
let lastDetail = '';
/** Deployed: the orders of the pages after the first (More), and where the next page starts. */
let laterOrders = [];
let nextCursor;

function chip(delivery) {
  const attempts = delivery.attempts > 1 ? ` ×${delivery.attempts}` : '';
  return h(
    'span',
    { class: `chip ${delivery.status}`, 'data-vendor': delivery.vendor, 'data-status': delivery.status, title: delivery.reason ?? delivery.lastError },
    h('b', {}, delivery.vendor),
    ` ${delivery.status}${attempts}`,
  );
}

/**
 * A sale's cancellation, next to its chip: `unsupported` (the vendor has no cancellation call), or the state of the
 * cancellation call – shown under the sale it withdraws, never as a vendor of its own.
 */
function cancellationChip(delivery) {
  const cancellation = delivery.cancellation;
  if (!cancellation) return null;
  const status = cancellation === 'unsupported' ? 'unsupported' : cancellation.status;
  const attempts = cancellation !== 'unsupported' && cancellation.attempts > 1 ? ` ×${cancellation.attempts}` : '';
  const title = cancellation === 'unsupported' ? 'No cancellation call: withdraw the sale in the vendor\'s own interface' : cancellation.lastError;
  return h('span', { class: `chip cancel ${status}`, 'data-cancellation-of': delivery.vendor, 'data-status': status, title }, '↩ cancellation ', `${status}${attempts}`);
}

function renderOrders({ total, orders }) {
  const shown = new Set(orders.map((order) => order.orderId));
  const all = [...orders, ...laterOrders.filter((order) => !shown.has(order.orderId))];
  $('order-count').textContent = total ? `(${total})` : mode === 'deployed' && all.length ? `(${all.length} shown)` : '';
  $('orders-empty').hidden = all.length > 0;
  $('orders-more').hidden = nextCursor === undefined;
  fill(
    $('order-table').querySelector('tbody'),
    ...all.map((order) =>
      h(
        'tr',
        { 'data-order-id': order.orderId, class: order.orderId === selected ? 'selected' : undefined, onclick: () => openOrder(order.orderId) },
        h(
          'td',
          {},
          h('code', {}, order.orderId),
          h('br'),
          h('span', { class: 'muted' }, time(order.receivedAt)),
          order.cancellation ? h('span', { class: 'order-cancelled', title: order.cancellation.reason }, ' cancelled') : null,
        ),
        h('td', { class: 'chips' }, order.deliveries.map((delivery) => [chip(delivery), cancellationChip(delivery)])),
      ),
    ),
  );
}

async function pollOrders() {
  // A tab in the background asks for nothing; it catches up within a second of being shown again.
  if (document.hidden) return void setTimeout(pollOrders, POLL_MS);
  try {
    const { status, text, body } = await getJson('/local/orders');
    if (status !== 200) throw new Error(body?.error?.message ?? `HTTP ${status}`);
    if (text !== lastOrders) {
      lastOrders = text;
      // The first page's cursor, until More has read further.
      if (!laterOrders.length) nextCursor = body.cursor;
      renderOrders(body);
    }
    if (mode === 'deployed') await pollQueues();
    $('live').textContent = `live · ${time(new Date().toISOString())}`;
    $('live').className = 'ok';
    if (selected) await pollDetail();
  } catch (error) {
    $('live').textContent = `${mode === 'deployed' ? 'deployed stack' : 'local stack'} not answering (${error.message})`;
    $('live').className = 'down';
  }
  setTimeout(pollOrders, POLL_MS);
}

function openOrder(orderId) {
  selected = orderId;
  lastDetail = '';
  history.replaceState(null, '', `#order=${encodeURIComponent(orderId)}`);
  for (const row of document.querySelectorAll('#order-table tbody tr')) row.classList.toggle('selected', row.dataset.orderId === orderId);
  return pollDetail();
}

async function pollDetail() {
  const orderId = selected;
  const { status, text, body } = await getJson(`/local/orders/${encodeURIComponent(orderId)}`);
  if (orderId !== selected || text === lastDetail) return;
  lastDetail = text;
  if (status !== 200) $('order').replaceChildren(h('p', { class: 'muted' }, body?.error?.message ?? `HTTP ${status}`));
  else renderDetail(body);
}

// ---- One order -----------------------------------------------------------------------------------------------

function renderDetail(order) {
  const deployed = mode === 'deployed';
  const summary = order.order
    ? `${order.order.orderValue} ${order.order.currency} (net ${order.order.netValue}) · ${order.order.lines} line${order.order.lines === 1 ? '' : 's'}`
    : '';
  fill(
    $('order'),
    h('h2', {}, 'Order ', h('code', { id: 'order-id' }, order.orderId)),
    h('p', { class: 'muted' }, `received ${time(order.receivedAt)}`, summary && ` · ${summary}`, order.visitor.length ? ` · visitor ${order.visitor.map(keyText).join(', ')}` : ''),
    renderOrderCancellation(order.cancellation),
    renderGroups(order.groups),
    order.journal || deployed ? null : h('p', { class: 'warn' }, 'Reported to an earlier run of the local stack: attribution and vendor calls are not known.'),
    deployed ? renderPresented(order.presented) : null,
    order.attributionError ? h('p', { class: 'warn' }, order.attributionError) : null,
    order.deliveries.map(renderDelivery),
  );
}

/** Deployed: the status route's answer for the order (GET /v1/conversions/{orderId}), as the shop reads it. */
function renderPresented(presented) {
  if (!presented) return null;
  if (presented.error) return h('p', { class: 'warn', id: 'presented' }, `Status route: ${presented.error}`);
  return h(
    'p',
    { class: 'presented', id: 'presented' },
    'Status route (GET /v1/conversions): ',
    (presented.deliveries ?? []).map((d, i) => [i ? ' · ' : '', h('b', {}, d.vendor), ` ${d.status}`]),
  );
}

/** The order's cancellation: when the shop asked, its reason and the time it gave. */
function renderOrderCancellation(cancellation) {
  if (!cancellation) return null;
  return h(
    'p',
    { class: 'order-cancellation', id: 'order-cancellation' },
    h('b', {}, 'Cancelled'),
    ` ${time(cancellation.requestedAt)}`,
    cancellation.reason ? ` · reason: ${cancellation.reason}` : '',
    cancellation.occurredAt ? ` · occurred ${time(cancellation.occurredAt)}` : '',
  );
}

/** Each exclusive group's decision: the member that won the sale (and so `{channel}`), or none. */
function renderGroups(groups) {
  if (!groups?.length) return null;
  return h(
    'ul',
    { class: 'groups', id: 'order-groups' },
    groups.map((group) =>
      h(
        'li',
        { 'data-group': group.group },
        'Exclusive group ',
        h('b', {}, group.group),
        group.winner ? [': won by ', h('code', {}, group.winner)] : ': no member held a live click',
        h('span', { class: 'muted' }, ` · {channel} = ${group.channel}`),
      ),
    ),
  );
}

/** A sale's cancellation under its delivery: unsupported, or its cancellation call with attempts and calls. */
function renderCancellation(delivery) {
  const cancellation = delivery.cancellation;
  if (!cancellation) return null;
  if (cancellation === 'unsupported') {
    return h('p', { class: 'cancellation unsupported', 'data-cancellation-of': delivery.vendor }, 'Cancellation: unsupported – the vendor has no cancellation call; withdraw the sale in its own interface.');
  }
  const facts = [
    cancellation.attempts ? `${cancellation.attempts} attempt${cancellation.attempts === 1 ? '' : 's'}` : null,
    cancellation.vendorStatus !== undefined ? `vendor answered ${cancellation.vendorStatus}` : null,
    cancellation.sentAt ? `sent ${time(cancellation.sentAt)}` : null,
  ].filter(Boolean);
  return h(
    'div',
    { class: 'cancellation', 'data-cancellation-of': delivery.vendor },
    h('h4', {}, 'Cancellation call ', cancellationChip(delivery), facts.length ? h('span', { class: 'muted' }, ` · ${facts.join(' · ')}`) : null),
    cancellation.lastError ? h('p', { class: 'error' }, `Last error: ${cancellation.lastError}`) : null,
    cancellation.history?.length ? renderHistory(cancellation.history) : null,
    (cancellation.calls ?? []).map((call, i) => renderCall(call, i + 1)),
  );
}

function renderDelivery(delivery) {
  const facts = [
    delivery.attempts ? `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}` : null,
    delivery.vendorStatus !== undefined ? `vendor answered ${delivery.vendorStatus}` : null,
    delivery.sentAt ? `sent ${time(delivery.sentAt)}` : null,
  ].filter(Boolean);
  return h(
    'section',
    { class: 'delivery', 'data-vendor': delivery.vendor },
    h('h3', {}, chip(delivery), ' ', delivery.name, facts.length ? h('span', { class: 'muted' }, ` · ${facts.join(' · ')}`) : null),
    renderAttribution(delivery),
    delivery.lastError ? h('p', { class: 'error' }, `Last error: ${delivery.lastError}`) : null,
    delivery.history?.length ? renderHistory(delivery.history) : null,
    (delivery.calls ?? []).map((call, i) => renderCall(call, i + 1)),
    delivery.calls && delivery.calls.length === 0 && delivery.status !== 'skipped'
      ? h('p', { class: 'muted' }, mode === 'deployed' ? 'No attempt recorded yet.' : 'No call has reached the sandbox yet.')
      : null,
    renderCancellation(delivery),
  );
}

/** The attempts the sender kept on the delivery record: when, what came back, how long it took. */
function renderHistory(history) {
  return h(
    'details',
    { class: 'history' },
    h('summary', {}, `Attempt history (${history.length})`),
    table(
      ['at', 'outcome', 'answer', 'ms', 'request'],
      history.map((a) => [time(a.at), a.outcome, a.httpStatus ?? a.transportError ?? '', a.durationMs ?? '', a.request ?? '']),
      'history',
    ),
  );
}

function renderAttribution(delivery) {
  if (delivery.status === 'skipped') return h('p', { class: 'attribution skipped' }, `Skipped: ${delivery.reason ?? 'no reason given'}`);
  if (!delivery.attribution) return null;
  if (delivery.attribution.length === 0) {
    return h('p', { class: 'attribution muted' }, 'No click id of this visitor is in the call: the vendor needs none, or the record was replaced or erased after the order.');
  }
  return h(
    'ul',
    { class: 'attribution' },
    delivery.attribution.map((click) =>
      h(
        'li',
        {},
        h('code', {}, click.key), ' = ', h('code', {}, click.value),
        click.source === 'conversion'
          ? ' · given with the conversion'
          : [` · captured ${time(click.occurredAt)} under ${keyText(click.heldBy)}`, click.path.length > 1 ? ` (reached from ${click.path.slice(0, -1).map(keyText).join(' → ')})` : ''],
      ),
    ),
  );
}

/** One call the vendor received (a retry is another call): the request line, the sandbox's check, the decoded parts. */
function renderCall(call, number) {
  const violations = call.violations ?? [];
  const { ruid, productsInfos, json } = call.decoded;
  const fromHistory = call.source === 'history';
  return h(
    'div',
    { class: `call${violations.length ? ' violating' : ''}${fromHistory ? ' history-call' : ''}` },
    h('p', { class: 'request-line' }, h('span', { class: 'muted' }, `${fromHistory ? 'attempt' : 'call'} ${number} · ${time(call.receivedAt)} `), h('b', {}, call.method), ' ', h('code', { title: call.vendorUrl }, call.vendorUrl), h('span', { class: `answer s${String(call.status)[0]}` }, ` → ${call.status}`)),
    fromHistory
      ? h(
          'p',
          { class: 'from-history' },
          `${call.outcome} · the request line as the attempt history keeps it: personal values redacted, cut beyond its bound`,
          ruid?.userId !== undefined ? h('span', { class: 'decoded' }, ' · ruid decoded: ', h('code', { class: 'ruid' }, ruid.userId)) : null,
        )
      : violations.length
      ? h('ul', { class: 'violations' }, violations.map((v) => h('li', {}, v)))
      : h(
          'p',
          { class: call.checked ? 'conforms' : 'muted' },
          call.checked ? '✓ conforms to the vendor document' : 'not checked (unknown vendor)',
          ruid?.userId !== undefined ? h('span', { class: 'decoded' }, ' · ruid decoded: ', h('code', { class: 'ruid' }, ruid.userId)) : null,
        ),
    ruid?.error ? h('p', { class: 'error' }, ruid.error) : null,
    productsInfos?.lines
      ? [h('p', { class: 'label' }, 'productsInfos, decoded'), table(['product', 'id', 'price', 'qty'], productsInfos.lines.map((l) => [l.productname, l.productid, l.price, l.quantity]), 'products')]
      : null,
    productsInfos?.error ? h('p', { class: 'error' }, productsInfos.error) : null,
    json !== undefined ? h('details', { class: 'json', open: true }, h('summary', {}, 'JSON body, pretty-printed'), h('pre', {}, JSON.stringify(json, null, 2))) : null,
    h(
      'details',
      {},
      h('summary', {}, 'Query, headers and raw body'),
      table(['parameter', 'value (decoded)'], Object.entries(call.query).map(([k, v]) => [k, Array.isArray(v) ? v.join(' | ') : v])),
      table(['header', 'value'], Object.entries(call.headers)),
      call.body ? h('pre', {}, call.body) : null,
    ),
  );
}

function table(headings, rows, className) {
  return h('table', { class: className }, h('thead', {}, h('tr', {}, headings.map((t) => h('th', {}, t)))), h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell) => h('td', {}, String(cell)))))));
}

// ---- Try it --------------------------------------------------------------------------------------------------

let lastSample = {};

async function loadSample() {
  const { status, body } = await getJson('/local/info');
  if (status !== 200) throw new Error(body?.error?.message ?? `HTTP ${status}`);
  if (body.mode === 'deployed' && mode !== 'deployed') enterDeployedMode(body);
  $('try-key').value = body.apiKey ?? '';
  lastSample = {};
  for (const part of ['capture', 'identify', 'conversion']) {
    lastSample[part] = JSON.stringify(body.sample[part], null, 2);
    $(`try-${part}`).value = lastSample[part];
  }
}

/**
 * Deployed: the three requests "try it" would send, built and shown – never sent (the deployed console writes
 * nothing). The API key stays in Secrets Manager: the page shows where it comes from, not the key.
 */
function dryRun() {
  const result = $('try-result');
  const requests = [];
  try {
    for (const [part, path] of [['capture', '/v1/clicks'], ['identify', '/v1/identify'], ['conversion', '/v1/conversions']]) {
      let body;
      try {
        body = JSON.parse($(`try-${part}`).value);
      } catch (error) {
        throw new Error(`${path}: the request is not valid JSON (${error.message})`);
      }
      requests.push({ line: `POST ${apiUrl}${path}`, body: JSON.stringify(body, null, 2) });
    }
  } catch (error) {
    result.textContent = error.message;
    result.className = 'error';
    return;
  }
  result.className = 'dry-run';
  fill(
    result,
    h('span', { class: 'dry-run-label' }, 'DRY RUN'),
    'Nothing was sent: these are the requests the shop would make, each with Authorization: Bearer <the key in the stack\'s API keys secret>.',
    requests.map((r) => [h('p', { class: 'request-line' }, h('code', {}, r.line)), h('pre', {}, r.body)]),
  );
}

async function tryIt() {
  if (mode === 'deployed') return dryRun();
  const result = $('try-result');
  const button = $('try-button');
  button.disabled = true;
  try {
    const calls = [['capture', '/v1/clicks'], ['identify', '/v1/identify'], ['conversion', '/v1/conversions']];
    let accepted;
    for (const [part, path] of calls) {
      let body;
      try {
        body = JSON.parse($(`try-${part}`).value);
      } catch (error) {
        throw new Error(`${path}: the request is not valid JSON (${error.message})`);
      }
      result.textContent = `POST ${path}…`;
      const answer = await getJson(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${$('try-key').value}` },
        body: JSON.stringify(body),
      });
      if (answer.status >= 300) throw new Error(`${path} answered ${answer.status}: ${answer.body?.error?.message ?? answer.text}`);
      accepted = answer.body;
    }
    const queued = accepted.deliveries.filter((d) => d.status === 'queued').length;
    result.textContent = `Order ${accepted.orderId} accepted: ${queued} of ${accepted.deliveries.length} destinations queued.`;
    result.className = 'ok';
    const edited = ['capture', 'identify', 'conversion'].some((part) => $(`try-${part}`).value !== lastSample[part]);
    if (!edited) await loadSample();
    lastOrders = '';
    await openOrder(accepted.orderId);
  } catch (error) {
    result.textContent = error.message;
    result.className = 'error';
  } finally {
    button.disabled = false;
  }
}

// ---- Deployed: banner, queues, report, paging ------------------------------------------------------------------

/** The page as the deployed console shows it: which stack, read-only, "try it" a dry run, queue depths and the report. */
function enterDeployedMode(info) {
  mode = 'deployed';
  apiUrl = info.deployed.apiUrl;
  POLL_MS = info.pollMs ?? 10_000;
  document.body.classList.add('deployed');
  document.title = `Conversion tracking – ${info.deployed.stackName} (deployed)`;
  $('console-kind').textContent = 'deployed console · read-only';
  $('banner').hidden = false;
  fill($('banner'), 'Deployed stack ', h('b', { id: 'banner-stack' }, info.deployed.stackName), ' · stage ', h('b', { id: 'banner-stage' }, info.deployed.stage), ' · region ', h('b', { id: 'banner-region' }, info.deployed.region), ' · read with your AWS credentials; nothing is written');
  $('sandbox-link').hidden = true;
  $('try-button').textContent = 'Dry run: build click, login and order';
  document.querySelector('#try .hint').textContent = 'A dry run: the three requests are built and shown, never sent to the deployed API.';
  $('orders-title').textContent = 'Unsettled deliveries';
  $('orders-hint').hidden = false;
  $('order-lookup').hidden = false;
  $('orders-empty').textContent = 'No delivery is retrying, failed or dead-lettered. Open an order by its id above.';
  $('queues').hidden = false;
  $('metrics').hidden = false;
  void loadMetrics();
}

async function pollQueues() {
  const { status, body } = await getJson('/local/queues');
  if (status !== 200) throw new Error(body?.error?.message ?? `HTTP ${status}`);
  fill(
    $('queue-table').querySelector('tbody'),
    body.queues.map((q) =>
      h('tr', { 'data-destination': q.destination }, h('td', {}, q.destination), h('td', {}, q.waiting), h('td', {}, q.inFlight), h('td', { class: q.deadLetters ? 'dlq' : undefined }, q.deadLetters ?? '–')),
    ),
  );
}

async function loadMetrics() {
  const { status, body } = await getJson('/local/metrics?days=7');
  const tbody = $('metric-table').querySelector('tbody');
  if (status !== 200) return fill(tbody, h('tr', {}, h('td', { colspan: 7, class: 'error' }, body?.error?.message ?? `HTTP ${status}`)));
  const totals = new Map();
  for (const row of body.rows) {
    const t = totals.get(row.vendor) ?? { queued: 0, sent: 0, skipped: 0, failed: 0, deadLettered: 0, pending: 0 };
    const skipped = typeof row.skipped === 'number' ? row.skipped : Object.values(row.skipped).reduce((a, b) => a + b, 0);
    for (const [k, v] of Object.entries({ queued: row.queued, sent: row.sent, skipped, failed: row.failed, deadLettered: row.deadLettered, pending: row.pending })) t[k] += v;
    totals.set(row.vendor, t);
  }
  fill(
    tbody,
    totals.size
      ? [...totals].map(([vendor, t]) => h('tr', { 'data-vendor': vendor }, h('td', {}, vendor), [t.queued, t.sent, t.skipped, t.failed, t.deadLettered, t.pending].map((v) => h('td', {}, v))))
      : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No deliveries in the last 7 days.')),
  );
}

async function moreOrders() {
  if (nextCursor === undefined) return;
  const { status, body } = await getJson(`/local/orders?cursor=${encodeURIComponent(nextCursor)}`);
  if (status !== 200) return void ($('orders-empty').textContent = body?.error?.message ?? `HTTP ${status}`);
  const known = new Set(laterOrders.map((o) => o.orderId));
  laterOrders.push(...body.orders.filter((o) => !known.has(o.orderId)));
  nextCursor = body.cursor;
  renderOrders(JSON.parse(lastOrders));
}

// ---- Visitors ------------------------------------------------------------------------------------------------

async function lookUp(kind, value) {
  $('visitor-kind').value = kind;
  $('visitor-value').value = value;
  const { status, body } = await getJson(`/local/visitors?${new URLSearchParams({ [kind]: value })}`);
  if (status !== 200) return $('visitor-result').replaceChildren(h('p', { class: 'error' }, body?.error?.message ?? `HTTP ${status}`));
  const now = Date.now() / 1000;
  const expiry = (epoch) => (epoch > now ? `expires ${new Date(epoch * 1000).toISOString().slice(0, 16).replace('T', ' ')}` : 'expired');
  fill(
    $('visitor-result'),
    body.keys.map((node) =>
      h(
        'div',
        { class: 'visitor-key' },
        h('h4', {}, keyText(node.key), node.via ? h('span', { class: 'muted' }, ` reached from ${keyText(node.via)}`) : null),
        node.clicks.length
          ? h(
              'ul',
              { class: 'clicks' },
              node.clicks.map((c) =>
                h('li', { class: c.live ? undefined : 'expired' }, h('code', {}, c.key), ' = ', h('code', {}, c.value), h('span', { class: 'muted' }, ` · captured ${time(c.occurredAt)} · ${expiry(c.expiresAt)}`)),
              ),
            )
          : h('p', { class: 'muted' }, 'No click ids under this key.'),
        node.links.length
          ? h('p', { class: 'links' }, 'Linked: ', node.links.map((link) => h('button', { type: 'button', class: 'link', onclick: () => lookUp(link.key.kind, link.key.value) }, keyText(link.key))))
          : null,
      ),
    ),
  );
}

// ---- Start ---------------------------------------------------------------------------------------------------

$('try-button').addEventListener('click', tryIt);
$('orders-more').addEventListener('click', () => void moreOrders());
$('order-lookup').addEventListener('submit', (event) => {
  event.preventDefault();
  const orderId = $('order-lookup-id').value.trim();
  if (orderId) void openOrder(orderId);
});
window.addEventListener('hashchange', () => {
  const orderId = orderInHash();
  if (orderId && orderId !== selected) void openOrder(orderId);
});
$('visitor-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void lookUp($('visitor-kind').value, $('visitor-value').value.trim());
});
(function firstSample() {
  // While the stack starts, /local/info answers 503: ask again until it is up.
  loadSample().catch(() => setTimeout(firstSample, POLL_MS));
})();
void pollOrders();
