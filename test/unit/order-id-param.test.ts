/**
 * The `{orderId}` path parameter of the status and cancellation routes is checked without zod (orderIdParam); its
 * answers are held here to those of the zod schema it replaced, message for message.
 */
import fc from 'fast-check';
import * as z from 'zod';
import { ValidationError } from '../../lambdas/core/errors';
import { parseInput } from '../../lambdas/core/validation';
import { orderIdParam } from '../../lambdas/api/schemas';

/** The schema the routes parsed the parameter with before. */
const previous = z.object({ orderId: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters') });

function outcome(check: () => string): { orderId: string } | { message: string; details: unknown } {
  try {
    return { orderId: check() };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { message: error.message, details: error.details };
  }
}

describe('orderId path parameter', () => {
  it('answers as the zod schema did: the same id, or the same message naming orderId', () => {
    const ids = fc.oneof(
      fc.string({ maxLength: 140 }),
      fc.string({ unit: 'grapheme', maxLength: 140 }),
      fc.constantFrom(0, 1, 127, 128, 129, 1000).map((n) => 'x'.repeat(n)),
      fc.constantFrom(64, 65, 128, 129).map((n) => '😀'.repeat(n)),
      fc.constantFrom('\ud800', '\udc00x', 'x\ud83d').map((lone) => lone + 'y'.repeat(127)),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(ids, (id) => {
        expect(outcome(() => orderIdParam(id))).toEqual(outcome(() => parseInput(previous, { orderId: id ?? '' }).orderId));
      }),
      { numRuns: 300 },
    );
    expect(outcome(() => orderIdParam(''))).toEqual({ message: 'Invalid request: orderId', details: [{ field: 'orderId', message: 'must not be empty' }] });
    expect(outcome(() => orderIdParam('x'.repeat(129)))).toEqual({
      message: 'Invalid request: orderId',
      details: [{ field: 'orderId', message: 'must be at most 128 characters' }],
    });
  });
});
