import type { Order } from '../../lambdas/core/order';
import { fillTemplate, ITEM_FIELDS, ORDER_FIELDS, templateMacros, templateString, unknownMacros } from '../../lambdas/vendors/template';

const order: Order = {
  orderId: 'ORD-1',
  currency: 'EUR',
  orderValue: 120.5,
  netValue: 100,
  returningUser: false,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [
    { productId: 'P1', name: 'Lamp', unitPrice: 30.5, quantity: 3, groupId: 'G1', variantId: 'V1' },
    { productId: 'P2', name: 'Shade', unitPrice: 0.1, quantity: 3, groupId: 'G2', variantId: 'V2' },
  ],
};

/** The issues a template string schema reports, as messages. */
function issues(template: string, allowed: Parameters<typeof templateString>[0]): string[] {
  const result = templateString(allowed).safeParse(template);
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

describe('templateMacros', () => {
  it('finds `{name}` and `{scope.field}` macros, not JSON braces or deeper paths', () => {
    expect(templateMacros('{"a": "{order.orderId}", "b": {clickId}} {x.y.z} {a1} {}')).toEqual(['order.orderId', 'clickId']);
  });
});

describe('unknownMacros', () => {
  it('knows every order field in any template', () => {
    expect(unknownMacros(ORDER_FIELDS.map((f) => `{order.${f}}`).join('&'), {})).toEqual([]);
  });

  it('knows exactly the documented order and item fields', () => {
    const order = ['orderId', 'currency', 'orderValue', 'netValue', 'country', 'returningUser', 'occurredAt', 'itemCount', 'units'];
    const item = ['productId', 'name', 'unitPrice', 'quantity', 'groupId', 'variantId', 'lineNumber', 'lineValue'];
    expect([...ORDER_FIELDS]).toEqual(order);
    expect([...ITEM_FIELDS]).toEqual(item);
    const template = [...order.map((f) => `{order.${f}}`), ...item.map((f) => `{item.${f}}`), '{clickId}'].join('/');
    expect(unknownMacros(template, { item: true, clickId: true })).toEqual([]);
  });

  it('knows item fields only where items are allowed', () => {
    const all = ITEM_FIELDS.map((f) => `{item.${f}}`).join('&');
    expect(unknownMacros(all, { item: true })).toEqual([]);
    expect(unknownMacros(all, {})).toEqual(ITEM_FIELDS.map((f) => `item.${f}`));
    expect(unknownMacros('{item.productId}', { item: false, clickId: true })).toEqual(['item.productId']);
  });

  it('knows {channel} only where a channel is allowed, and only as a bare name', () => {
    expect(unknownMacros('{channel}', { channel: true })).toEqual([]);
    expect(unknownMacros('{channel}', { item: true, clickId: true })).toEqual(['channel']);
    expect(unknownMacros('{channel.id}|{Channel}|{foo}|{order}', { channel: true })).toEqual(['channel.id', 'Channel', 'foo', 'order']);
  });

  it('knows {clickId} only where a click id is allowed', () => {
    expect(unknownMacros('{clickId}', { clickId: true })).toEqual([]);
    expect(unknownMacros('{clickId}', { item: true })).toEqual(['clickId']);
  });

  it.each([
    ['{foo}', 'foo'],
    ['{clickid}', 'clickid'],
    ['{ClickId}', 'ClickId'],
    ['{clickId.value}', 'clickId.value'],
    ['{order}', 'order'],
    ['{item}', 'item'],
    ['{order.sku}', 'order.sku'],
    ['{order.productId}', 'order.productId'],
    ['{item.orderId}', 'item.orderId'],
    ['{Order.orderId}', 'Order.orderId'],
    ['{shopper.email}', 'shopper.email'],
  ])('rejects the typo %s even where everything is allowed', (template, macro) => {
    expect(unknownMacros(template, { item: true, clickId: true })).toEqual([macro]);
  });
});

describe('templateString', () => {
  it('accepts a template of known macros and plain text', () => {
    expect(issues('ref={order.orderId}&cks={clickId}&sku={item.productId}', { item: true, clickId: true })).toEqual([]);
    expect(issues('no macros at all', {})).toEqual([]);
  });

  it('names the unknown macros and lists the known ones of its scope', () => {
    const [message, ...rest] = issues('a={order.sku}&b={foo}', {});
    expect(rest).toEqual([]);
    expect(message).toMatch(/^unknown macro \{order\.sku\}, \{foo\}; known: /);
    expect(message).toContain('{order.orderId} {order.currency}');
    expect(message).toContain('{order.units}');
    expect(message).not.toContain('{item.');
    expect(message).not.toContain('{clickId}');
  });

  it('lists exactly the order macros where nothing else is allowed', () => {
    expect(issues('{nope}', {})).toEqual([`unknown macro {nope}; known: ${ORDER_FIELDS.map((f) => `{order.${f}}`).join(' ')}`]);
  });

  it('lists {channel} last among the known ones where it is allowed', () => {
    expect(issues('{nope}', { channel: true })).toEqual([`unknown macro {nope}; known: ${ORDER_FIELDS.map((f) => `{order.${f}}`).join(' ')} {channel}`]);
    expect(issues('{nope}', { clickId: true, channel: true })[0]).toMatch(/ \{clickId\} \{channel\}$/);
  });

  it('lists item macros and {clickId} among the known ones where they are allowed', () => {
    const [message] = issues('{nope}', { item: true, clickId: true });
    expect(message).toContain('{item.productId}');
    expect(message).toContain('{item.lineValue}');
    expect(message).toContain('{clickId}');
  });

  it.each(['{order.orderId', 'order.orderId}', 'a={ order.orderId }', '{order.orderId}}', 'x{}', '{order.orderId.x}'])(
    'rejects the stray brace in %p',
    (template) => {
      expect(issues(template, {})).toContain('a { or } that is not part of a macro such as {order.orderId}');
    },
  );

  it('allows literal braces where the template is a JSON body', () => {
    expect(issues('{"ref": "{order.orderId}", "n": {order.units}}', { literalBraces: true })).toEqual([]);
    expect(issues('{"ref": "{order.sku}"}', { literalBraces: true })).toEqual([expect.stringMatching(/^unknown macro \{order\.sku\}/)]);
  });
});

describe('fillTemplate', () => {
  const scope = { order, clickId: 'CK-1' };

  it('fills order macros, the click id, and the item counts', () => {
    expect(fillTemplate('{order.orderId}|{order.currency}|{clickId}|{order.occurredAt}', scope)).toBe('ORD-1|EUR|CK-1|2026-11-21T10:00:00.000Z');
    expect(fillTemplate('{order.itemCount}', scope)).toBe('2');
    // Units: the sum of the lines' quantities, not the number of lines.
    expect(fillTemplate('{order.units}', scope)).toBe('6');
    expect(fillTemplate('{order.units}', { order: { ...order, items: [{ ...order.items[0]!, quantity: 1 }] } })).toBe('1');
  });

  it('fills amounts with their value', () => {
    expect(Number(fillTemplate('{order.orderValue}', scope))).toBe(120.5);
    expect(Number(fillTemplate('{order.netValue}', scope))).toBe(100);
  });

  it('fills a false boolean as false, and a field the order lacks as empty, never as "undefined"', () => {
    expect(fillTemplate('{order.returningUser}', scope)).toBe('false');
    expect(fillTemplate('[{order.country}]', scope)).toBe('[]');
    expect(fillTemplate('[{clickId}]', { order })).toBe('[]');
  });

  it('fills item macros from the line in scope, with its 1-based line number', () => {
    const item = { ...order.items[1]!, lineNumber: 2 };
    expect(fillTemplate('{item.productId}/{item.name}/{item.quantity}/{item.groupId}/{item.variantId}/{item.lineNumber}', { order, item })).toBe(
      'P2/Shade/3/G2/V2/2',
    );
    expect(Number(fillTemplate('{item.unitPrice}', { order, item }))).toBe(0.1);
  });

  it('fills lineValue as unit price × quantity rounded to the cent', () => {
    const line = (unitPrice: number, quantity: number) => Number(fillTemplate('{item.lineValue}', { order, item: { ...order.items[0]!, unitPrice, quantity, lineNumber: 1 } }));
    expect(line(30.5, 3)).toBe(91.5);
    expect(line(0.1, 3)).toBe(0.3);
    expect(line(19.999, 1)).toBe(20);
  });

  it('fills the group and variant of a line without them with its product id (SPEC: they default to productId)', () => {
    const { groupId: _g, variantId: _v, ...bare } = order.items[0]!;
    expect(fillTemplate('[{item.groupId}][{item.variantId}]', { order, item: { ...bare, lineNumber: 1 } })).toBe('[P1][P1]');
    expect(fillTemplate('[{item.groupId}][{item.variantId}]', { order, item: { ...bare, groupId: 'G', lineNumber: 1 } })).toBe('[G][P1]');
    expect(fillTemplate('[{item.groupId}][{item.variantId}]', { order, item: { ...bare, variantId: 'V', lineNumber: 1 } })).toBe('[P1][V]');
  });

  it('fills an item field the line lacks as empty, never as "undefined"', () => {
    const { name: _n, ...nameless } = order.items[0]!;
    const item = { ...nameless, lineNumber: 1 } as unknown as Order['items'][number] & { lineNumber: number };
    expect(fillTemplate('[{item.name}]{item.productId}', { order, item })).toBe('[]P1');
  });

  it('fills order amounts as money at the currency precision, never as a float artefact', () => {
    const odd = { ...order, orderValue: 0.1 + 0.2, netValue: 120.5 };
    expect(fillTemplate('{order.orderValue}|{order.netValue}', { order: odd })).toBe('0.30|120.50');
    expect(fillTemplate('{order.orderValue}|{order.netValue}', { order: { ...odd, currency: 'JPY', orderValue: 1500, netValue: 1e-7 } })).toBe('1500|0');
  });

  it('refuses a macro of no known scope, even with an item in scope', () => {
    expect(() => fillTemplate('{foo}', { order, item: { ...order.items[0]!, lineNumber: 1 } })).toThrow('Macro {foo} has no value in this scope');
  });

  it('refuses an item macro with no item in scope rather than guess', () => {
    expect(() => fillTemplate('{item.productId}', { order })).toThrow('Macro {item.productId} has no value in this scope');
  });

  it('applies the encoding to substituted values only, never to the template text', () => {
    const tricky = { ...order, orderId: 'a&b=c' };
    expect(fillTemplate('https://n.example/?ref={order.orderId}&x=1', { order: tricky }, encodeURIComponent)).toBe('https://n.example/?ref=a%26b%3Dc&x=1');
  });
});
