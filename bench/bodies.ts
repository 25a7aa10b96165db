/** The request bodies of the benchmark: ids derive from a run tag and an index, so that every run writes new records. */

/** A landing with one click id under one visitor key: the common capture. */
export function captureBody(i: number, run: string) {
  return { visitor: { sessionId: `cap-${run}-${i}` }, landingUrl: `https://www.shop.example/p/137.html?kk=kk-${run}-${i}&utm_source=kelkoo` };
}

/** A landing carrying the click ids of all three benchmark vendors, for a visitor who will then order. */
export function buyerCaptureBody(i: number, run: string) {
  return {
    visitor: { sessionId: `buyer-${run}-${i}` },
    landingUrl: `https://www.shop.example/p/137.html?kk=kk-${run}-${i}&qc_clickid=qc-${run}-${i}&s1=cm-${run}-${i}`,
  };
}

/** An order of two lines by a visitor captured with buyerCaptureBody: queued for all three vendors. */
export function conversionBody(i: number, run: string, buyer: number, buyersRun = run) {
  return {
    orderId: `ORD-${run}-${i}`,
    visitor: { sessionId: `buyer-${buyersRun}-${buyer}` },
    currency: 'EUR',
    orderValue: 609.07,
    netValue: 503.36,
    country: 'fr',
    returningUser: false,
    items: [
      { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
      { productId: 'P230117', name: 'Microscope binoculaire', unitPrice: 578.57, quantity: 1 },
    ],
    shopper: { ip: '203.0.113.7', country: 'FR' },
  };
}
