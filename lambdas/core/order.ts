import * as z from 'zod/mini';

/*
 * Each schema is built by a call marked pure, so that a function that reaches this module for its types only (the
 * status route) drops it, and zod with it.
 */

/** An order as the service keeps it after validation and defaulting. Amounts are in the order's currency. */
export const orderItemSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    productId: z.string(),
    name: z.string(),
    unitPrice: z.number(),
    quantity: z.number().check(z.int()),
    /** The parent product, only when the shop gave one (vendors that need a value use productId). */
    groupId: z.optional(z.string()),
    /** The child variant, only when the shop gave one: a vendor can tell a real variant from a simple product. */
    variantId: z.optional(z.string()),
  }))();
export type OrderItem = z.infer<typeof orderItemSchema>;

export const shopperSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    ip: z.optional(z.string()),
    email: z.optional(z.string()),
    country: z.optional(z.string()),
    city: z.optional(z.string()),
  }))();
export type Shopper = z.infer<typeof shopperSchema>;

export const orderSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    orderId: z.string(),
    currency: z.string(),
    /** Gross total. */
    orderValue: z.number(),
    /** Excluding VAT and shipping; defaults to orderValue. */
    netValue: z.number(),
    country: z.optional(z.string()),
    returningUser: z.optional(z.boolean()),
    items: z.array(orderItemSchema).check(z.minLength(1)),
    shopper: z.optional(shopperSchema),
    /** When the order was placed (ISO 8601). */
    occurredAt: z.string(),
  }))();
export type Order = z.infer<typeof orderSchema>;
