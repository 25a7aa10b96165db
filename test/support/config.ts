import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';

/** SPEC §3's example configuration: all five vendors. */
export const SPEC_VENDORS = {
  kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', attributionDays: 30, endpoint: 'https://s.kelkoogroup.net/st' },
  klevu: { apiKey: 'klevu-1234567890', endpoint: 'https://stats.ksearchnet.com/analytics/collect' },
  qualityclick: {
    endpoint: 'https://partner.shop.example/get_trans.cgi',
    cpid: '1',
    product: 'Sale',
    clickIdParam: 'qc_clickid',
    nocheck: false,
    attributionDays: 30,
  },
  clickmeter: {
    conversionId: 'A531F18FCECC4DEB9B2C3994556FBF41',
    clickIdParam: 's1',
    commission: 0,
    commissionPercent: 10,
    endpoint: 'http://conversions.clickmeter.com/s2s',
  },
  raptor: {
    customerId: '1234',
    endpoint: 'https://t.raptorsmartadvisor.com',
    purchaseParams: { p1: 'buy', p2: '{item.productId}', p3: '{item.unitPrice}', p4: '{item.quantity}', p5: '{order.orderId}', p6: '{order.currency}' },
  },
};

export function specConfig(overrides: Partial<Record<string, unknown>> = {}): TrackingConfig {
  return parseConfig({ vendors: SPEC_VENDORS, delivery: { maxAttempts: 5, retryBaseSeconds: 30, timeoutMs: 5000 }, retentionDays: 400, ...overrides });
}

export function kelkooOnlyConfig(overrides: Partial<Record<string, unknown>> = {}): TrackingConfig {
  return parseConfig({ vendors: { kelkoo: SPEC_VENDORS.kelkoo }, ...overrides });
}
