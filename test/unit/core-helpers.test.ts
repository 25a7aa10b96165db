import * as z from 'zod';
import { deliveryMessageSchema, FINAL_STATUSES } from '../../lambdas/core/delivery';
import { ConfigurationError, EnqueueError, MalformedJsonError, NotFoundError, PayloadTooLargeError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError } from '../../lambdas/core/errors';
import { seededRandom } from '../../lambdas/core/random';
import { addSeconds, epochSeconds, systemClock } from '../../lambdas/core/time';
import { parseConfigInput, parseInput, toFieldIssues } from '../../lambdas/core/validation';
import { visitorKeys, visitorWithAtLeast } from '../../lambdas/core/visitor';
import { retryDelaySeconds } from '../../lambdas/sender/backoff';

describe('validation', () => {
  const schema = z.strictObject({ items: z.array(z.strictObject({ quantity: z.number() })) });

  it('names each bad field by its dotted path, and the body itself when the path is empty', () => {
    const result = schema.safeParse({ items: [{ quantity: 1 }, { quantity: 'x' }] });
    expect(toFieldIssues(result.error!)).toEqual([{ field: 'items.1.quantity', message: expect.any(String) }]);
    expect(toFieldIssues(schema.safeParse('nope').error!)).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('parseInput returns the parsed value or throws a ValidationError listing the fields', () => {
    expect(parseInput(schema, { items: [] })).toEqual({ items: [] });
    try {
      parseInput(schema, { items: [{ quantity: 'x' }, {}] });
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe('Invalid request: items.0.quantity, items.1.quantity');
      expect((error as ValidationError).httpStatus).toBe(400);
    }
  });

  it('parseConfigInput prefixes the fields and throws a ConfigurationError', () => {
    expect(parseConfigInput(schema, { items: [] }, 'x.')).toEqual({ items: [] });
    try {
      parseConfigInput(schema, { items: 1 }, 'vendors.k.');
      throw new Error('expected a ConfigurationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).details.map((d) => d.field)).toEqual(['vendors.k.items']);
      expect((error as ConfigurationError).message).toMatch(/^Invalid configuration: vendors\.k\.items: /);
    }
    expect(() => parseConfigInput(schema, 1)).toThrow(/^Invalid configuration: \(body\): /);
  });
});

describe('errors', () => {
  it('carries the code and status API callers see, and its class name', () => {
    const cases: Array<[Error & { code: string; httpStatus: number }, string, number]> = [
      [new ValidationError('v'), 'validation_error', 400],
      [new MalformedJsonError('m'), 'invalid_json', 400],
      [new UnauthorizedError(), 'unauthorized', 401],
      [new NotFoundError('n'), 'not_found', 404],
      [new PayloadTooLargeError('p'), 'payload_too_large', 413],
      [new UnsupportedMediaTypeError('u'), 'unsupported_media_type', 415],
    ];
    for (const [error, code, status] of cases) {
      expect([error.code, error.httpStatus, error.name]).toEqual([code, status, error.constructor.name]);
    }
    expect(new UnauthorizedError().message).toBe('Missing or invalid API key');
    expect(new ValidationError('v').details).toEqual([]);
  });

  it('ConfigurationError lists its fields in the message, and only when it has any', () => {
    expect(new ConfigurationError('Bad', [{ field: 'a', message: 'x' }, { field: 'b', message: 'y' }]).message).toBe('Bad: a: x; b: y');
    expect(new ConfigurationError('Bad').message).toBe('Bad');
    expect(new ConfigurationError('Bad').name).toBe('ConfigurationError');
  });

  it('EnqueueError keeps its cause', () => {
    const cause = new Error('sqs down');
    const error = new EnqueueError('queue', { cause });
    expect([error.name, error.message, error.cause]).toEqual(['EnqueueError', 'queue', cause]);
  });
});

describe('lazy', () => {
  // The real one: the mutation-testing setup replaces it by one that builds on every call.
  const { lazy } = jest.requireActual<typeof import('../../lambdas/core/lazy')>('../../lambdas/core/lazy');

  it('builds on first use only, once', () => {
    let builds = 0;
    const value = lazy(() => ({ n: ++builds }));
    expect(builds).toBe(0);
    expect(value()).toBe(value());
    expect(builds).toBe(1);
  });

  it('keeps a built undefined rather than building again', () => {
    let builds = 0;
    const value = lazy(() => {
      builds++;
      return undefined;
    });
    value();
    value();
    expect(builds).toBe(1);
  });
});

describe('time and randomness', () => {
  it('converts to epoch seconds rounding down, and adds seconds', () => {
    expect(epochSeconds(new Date('2026-11-21T10:00:00.999Z'))).toBe(Date.parse('2026-11-21T10:00:00Z') / 1000);
    expect(addSeconds(new Date('2026-11-21T10:00:00Z'), 90).toISOString()).toBe('2026-11-21T10:01:30.000Z');
    const before = Date.now();
    expect(systemClock().getTime()).toBeGreaterThanOrEqual(before);
  });

  it('draws the same sequence from the same seed, in [0, 1), different per seed', () => {
    const a = seededRandom('ORD-1');
    const b = seededRandom('ORD-1');
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(seededRandom('ORD-2')()).not.toBe(first[0]);
    for (const n of first) expect(n >= 0 && n < 1).toBe(true);
  });
});

describe('visitor keys', () => {
  it('lists the given keys in a fixed order', () => {
    expect(visitorKeys({ basketId: 'b', sessionId: 's' })).toEqual([
      { kind: 'sessionId', value: 's' },
      { kind: 'basketId', value: 'b' },
    ]);
  });

  it('asks for at least one key, or at least n, saying so', () => {
    expect(visitorWithAtLeast(1).safeParse({}).error!.issues[0]!.message).toBe('at least one of sessionId, userId, basketId is required');
    expect(visitorWithAtLeast(2).safeParse({ userId: 'u' }).error!.issues[0]!.message).toBe('at least 2 of sessionId, userId, basketId are required');
    expect(visitorWithAtLeast(2).safeParse({ userId: 'u', basketId: 'b' }).success).toBe(true);
    expect(visitorWithAtLeast(1).safeParse({ sessionId: 'x'.repeat(257) }).success).toBe(false);
    expect(visitorWithAtLeast(1).safeParse({ sessionId: 'x'.repeat(256) }).success).toBe(true);
    expect(visitorWithAtLeast(1).safeParse({ sessionId: '' }).success).toBe(false);
  });
});

describe('delivery', () => {
  it('counts sent, failed, skipped and cancelled as final, and nothing else', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['cancelled', 'failed', 'sent', 'skipped']);
  });

  it('accepts only version 1 messages with a positive integer expiry', () => {
    const message = {
      version: 1,
      destination: 'kelkoo',
      order: { orderId: 'o', currency: 'EUR', orderValue: 1, netValue: 1, items: [{ productId: 'p', name: 'n', unitPrice: 1, quantity: 1, groupId: 'p', variantId: 'p' }], occurredAt: 'x' },
      context: {},
      receivedAt: 'x',
      expiresAt: 1,
    };
    expect(deliveryMessageSchema.safeParse(message).success).toBe(true);
    expect(deliveryMessageSchema.safeParse({ ...message, version: 2 }).success).toBe(false);
    expect(deliveryMessageSchema.safeParse({ ...message, expiresAt: 0 }).success).toBe(false);
    expect(deliveryMessageSchema.safeParse({ ...message, destination: '' }).success).toBe(false);
    expect(deliveryMessageSchema.safeParse({ ...message, order: { ...message.order, items: [] } }).success).toBe(false);
  });
});

describe('retry backoff bounds', () => {
  it('treats attempt 0 like attempt 1 and never waits less than the jittered delay', () => {
    expect(retryDelaySeconds(0, 30, () => 0)).toBe(15);
    expect(retryDelaySeconds(2, 30, () => 0.5, 10)).toBe(45);
    expect(retryDelaySeconds(1, 10, () => 0.5, 7.2)).toBe(8);
  });
});
