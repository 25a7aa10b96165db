import { z } from 'zod';
import { visitorWithAtLeast } from '../core/visitor';

/** Request bodies of the HTTP API (SPEC §2). Strict: an unknown field is a 400 naming it, never silently dropped. */

const MAX_AMOUNT = 1e12;
const isoTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp, e.g. 2026-11-21T10:00:00Z' });
const identifierName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a simple name');
const boundedRecord = <V extends z.ZodType>(value: V, max: number) =>
  z.record(identifierName, value).refine((r) => Object.keys(r).length <= max, `at most ${max} entries`);

export const consentSchema = z.strictObject({ tracking: z.boolean() });

export const identifiersSchema = boundedRecord(boundedRecord(z.string().max(2048), 20), 20);

export const captureSchema = z.strictObject({
  visitor: visitorWithAtLeast(1),
  landingUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).max(8192).optional(),
  params: z
    .record(z.string().min(1).max(128), z.string().max(2048))
    .refine((r) => Object.keys(r).length <= 100, 'at most 100 parameters')
    .optional(),
  identifiers: identifiersSchema.optional(),
  occurredAt: isoTimestamp.optional(),
  consent: consentSchema.optional(),
});
export type CaptureRequest = z.infer<typeof captureSchema>;

export const identifySchema = z.strictObject({
  visitor: visitorWithAtLeast(2),
  consent: consentSchema.optional(),
});

export const eraseSchema = z.strictObject({
  visitor: visitorWithAtLeast(1),
});

const amount = z.number().min(0, 'must be ≥ 0').max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);
const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const conversionSchema = z
  .strictObject({
    orderId: text(128),
    visitor: visitorWithAtLeast(1),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')
      .transform((c) => c.toUpperCase()),
    orderValue: amount,
    netValue: amount.optional(),
    country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code').optional(),
    returningUser: z.boolean().optional(),
    items: z
      .array(
        z.strictObject({
          productId: text(256),
          name: text(512),
          unitPrice: amount,
          quantity: z.number().int('must be an integer').min(1, 'must be at least 1').max(1_000_000),
          groupId: text(256).optional(),
          variantId: text(256).optional(),
        }),
      )
      .min(1, 'at least one item is required')
      .max(500, 'at most 500 items'),
    shopper: z
      .strictObject({
        ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional(),
        email: z.email({ error: 'must be an e-mail address' }).max(254).optional(),
        country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code').optional(),
        city: text(128).optional(),
      })
      .optional(),
    identifiers: identifiersSchema.optional(),
    occurredAt: isoTimestamp.optional(),
    consent: consentSchema.optional(),
  });
export type ConversionRequest = z.infer<typeof conversionSchema>;

export const orderIdParamSchema = text(128);
