import * as z from 'zod';

/** An order as the service keeps it after validation and defaulting. Amounts are in the order's currency. */
export const orderItemSchema = z.strictObject({
  productId: z.string(),
  name: z.string(),
  unitPrice: z.number(),
  quantity: z.number().int(),
  /** The parent product, only when the shop gave one (vendors that need a value use productId). */
  groupId: z.string().optional(),
  /** The child variant, only when the shop gave one: a vendor can tell a real variant from a simple product. */
  variantId: z.string().optional(),
});
export type OrderItem = z.infer<typeof orderItemSchema>;

export const shopperSchema = z.strictObject({
  ip: z.string().optional(),
  email: z.string().optional(),
  country: z.string().optional(),
  city: z.string().optional(),
});
export type Shopper = z.infer<typeof shopperSchema>;

export const orderSchema = z.strictObject({
  orderId: z.string(),
  currency: z.string(),
  /** Gross total. */
  orderValue: z.number(),
  /** Excluding VAT and shipping; defaults to orderValue. */
  netValue: z.number(),
  country: z.string().optional(),
  returningUser: z.boolean().optional(),
  items: z.array(orderItemSchema).min(1),
  shopper: shopperSchema.optional(),
  /** When the order was placed (ISO 8601). */
  occurredAt: z.string(),
});
export type Order = z.infer<typeof orderSchema>;
