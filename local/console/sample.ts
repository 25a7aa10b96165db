/**
 * The console's "try it" requests: a landing with a click id for every enabled destination, a login linking the
 * session to a user, and an order with the Kelkoo document's example basket – so that one click shows every
 * destination's call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickIdCatalogue } from '../../lambdas/core/click-ids';

/** Values from the vendors' documents where they give one. */
const DOCUMENT_VALUES: Record<string, string> = {
  kk: '66b5837-16afefa0c40-1b540',
  gclid: 'EAIaIQobChMIpNXu6r6D6AIVQsjeCh27SQXcEAkYAyABEgIhz_D_BwE',
  qc_clickid: 'QC423840809685489623456289367',
};

/** Alternatives of ids already in the sample: Kelkoo takes one Ads id, Raptor sends xuid only without reaid/ruid. */
const LEFT_OUT = new Set(['msclkid', 'xuid']);

/** The basket of the Kelkoo document's "example of a call" (order CMD0572084, 609.07 EUR). */
export const KELKOO_EXAMPLE_BASKET = [
  { productId: 'P140490', name: 'Boite de 1000 lamelles en bois Lamello en 20', unitPrice: 30.5, quantity: 1 },
  { productId: 'P140491', name: 'Boite de 1000 lamelles en bois Lamello en 10', unitPrice: 29.25, quantity: 1 },
  { productId: 'P137728', name: 'Colle vinylique R 64 prise lente spéciale menuiserie en biberon de 0.75 kgs', unitPrice: 10.91, quantity: 1 },
  { productId: 'P108530', name: 'Serre joints écarteur Quick Grip 300 mm', unitPrice: 18.7, quantity: 2 },
  { productId: 'P230814', name: 'Serre joint à pompe Obra saillie 120 mm serrage maxi 1000 mm', unitPrice: 25.26, quantity: 2 },
];

export interface TryItSample {
  capture: Record<string, unknown>;
  identify: Record<string, unknown>;
  conversion: Record<string, unknown>;
}

/** A fresh sample (new visitor, new order id) for the destinations whose click ids make up `catalogue`. */
export function tryItSample(catalogue: ClickIdCatalogue, token: string = randomBytes(3).toString('hex')): TryItSample {
  const sessionId = `s-${token}`;
  const userId = `u-${token}`;
  const query = new URLSearchParams();
  const identifiers: Record<string, Record<string, string>> = {};
  for (const entry of catalogue.values()) {
    if ('query' in entry.source) {
      const name = entry.source.query;
      if (!LEFT_OUT.has(name)) query.set(name, DOCUMENT_VALUES[name] ?? `${name}-${token}`);
    } else {
      const { vendor, field } = entry.source.identifier;
      // Raptor wants GUIDs for its cookie ids, and the user id itself as ruid.
      const value = field === 'ruid' ? userId : field === 'coid' || field === 'sid' || field === 'uuid' ? randomUUID() : `${field}-${token}`;
      (identifiers[vendor] ??= {})[field] = value;
    }
  }
  const landingUrl = `https://www.shop.example/p/137.html${query.size ? `?${query}` : ''}`;
  return {
    capture: { visitor: { sessionId }, landingUrl, ...(Object.keys(identifiers).length ? { identifiers } : {}) },
    identify: { visitor: { sessionId, userId } },
    conversion: {
      orderId: `CMD0572084-${token}`,
      visitor: { userId },
      currency: 'EUR',
      orderValue: 609.07,
      netValue: 503.36,
      country: 'fr',
      returningUser: false,
      items: KELKOO_EXAMPLE_BASKET,
      shopper: { ip: '203.0.113.7', country: 'FR', city: 'Lyon' },
    },
  };
}
