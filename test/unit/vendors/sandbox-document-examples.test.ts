/**
 * Every example call of every vendor document passes that vendor's sandbox. The calls are read from the documents'
 * own text (test/fixtures/vendor-docs/, read by test/support/vendor-doc-examples.ts), so a sandbox rule that a
 * document's example breaks fails here, naming the example. "Passes" means what a strict sandbox answers: 200, with
 * at most `warning:` notes (advice the document gives but does not enforce).
 *
 * A few examples break a rule the same document states in its reference part. The sandbox holds them to the rule,
 * and they are listed below with what it says, so that each is a decision written down, not a silent exception.
 */
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { KLEVU_PRODUCTTRACKING_OPTIONAL, KLEVU_PRODUCTTRACKING_REQUIRED } from '../../../lambdas/vendors/klevu/sandbox';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { ReceivedRequest } from '../../../lambdas/vendors/types';
import { VendorSandbox } from '../../../local/sandbox';
import { recordingLogger } from '../../support/aws';
import {
  clickmeterExamples,
  documentFile,
  DocumentExample,
  DocumentedVendor,
  kelkooExamples,
  klevuExamples,
  qualityclickExamples,
  raptorExamples,
  VENDOR_DOCS_DIR,
} from '../../support/vendor-doc-examples';

const examples: DocumentExample[] = [
  ...kelkooExamples(),
  ...klevuExamples([...KLEVU_PRODUCTTRACKING_REQUIRED, ...KLEVU_PRODUCTTRACKING_OPTIONAL]),
  ...qualityclickExamples(),
  ...clickmeterExamples(),
  ...raptorExamples(),
];
const label = (example: DocumentExample) => `${example.vendor}: ${example.name}`;
const blocking = (violations: string[]) => violations.filter((v) => !v.startsWith('warning:'));
const inspect = (example: DocumentExample) => vendorAdapters[example.vendor].inspect(example.request);

/** Examples that contradict the document's own reference part, and the rule the sandbox holds them to. */
const CONTRADICTIONS: Record<string, string[]> = {
  // The Base64 in the table's example column decodes to `"id":"prod130823"`; the JSON printed beside it, the example
  // call, the pretty-printed productsInfos and every sample say `productid`.
  'kelkoo: parameter table, example column': ['productsInfos[0].productid must be a non-empty string'],
  // The Java sample POSTs JSON with the basket as an object, where the table asks for "an HTTP GET" with a Base64 basket.
  'kelkoo: Java sample': [
    'method must be GET, got POST',
    'missing mandatory parameter country',
    'missing mandatory parameter orderId',
    'missing mandatory parameter comId',
    'missing mandatory parameter orderValue',
    'missing mandatory parameter productsInfos',
    'missing mandatory parameter saleId',
  ],
  // The Python sample's "custom_base64_encode" only URL-encodes the JSON: no Base64 at all.
  'kelkoo: Python sample': ['productsInfos is not Base64 (standard or URL-safe alphabet, "=" only as padding at the end)'],
  // The PHP tab's second item has currency "us" (the other tabs and the first item: a 3-letter code).
  'klevu: collect, php tab': ['body[0].event_data.items[1].currency must be a 3-letter currency code'],
};

describe('the vendor documents kept in the repository', () => {
  it.each(Object.values(vendorAdapters).map((adapter) => [adapter.id, adapter.documentation]))("hold %s's document (%s)", (id, documentation) => {
    expect(existsSync(join(VENDOR_DOCS_DIR, basename(documentation)))).toBe(true);
    expect(documentFile(id as DocumentedVendor)).toBe(basename(documentation));
  });

  it('yield every example call they show, per vendor', () => {
    const count = (vendor: DocumentedVendor) => examples.filter((e) => e.vendor === vendor).length;
    // Kelkoo: the example call, the table's example column, the PHP/Java/Python/Node samples. Klevu: five
    // producttracking tabs and four collect tabs. QUALITYCLICK: the pixel, PHP, cURL and nocheck calls. ClickMeter:
    // the snippet and "the final result". Raptor: the URL format, the click-tracking request and the EXAMPLE.
    expect(Object.fromEntries((['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor'] as const).map((v) => [v, count(v)]))).toEqual({
      kelkoo: 6,
      klevu: 9,
      qualityclick: 4,
      clickmeter: 2,
      raptor: 3,
    });
  });

  it('name every contradiction that still exists', () => {
    expect(Object.keys(CONTRADICTIONS).filter((name) => !examples.some((e) => label(e) === name))).toEqual([]);
  });
});

describe('every example call of a vendor document passes its sandbox', () => {
  const passing = examples.filter((e) => !(label(e) in CONTRADICTIONS));

  it.each(passing.map((e) => [label(e), e]))('%s', (_, example) => {
    expect(blocking(inspect(example as DocumentExample))).toEqual([]);
  });

  it.each(Object.entries(CONTRADICTIONS))('%s is held to the rule it breaks', (name, violations) => {
    const example = examples.find((e) => label(e) === name)!;
    expect(blocking(inspect(example))).toEqual(violations);
  });
});

describe('the strict local sandbox answers the examples as the vendor would', () => {
  let server: Server;
  let base: string;
  const sandbox = new VendorSandbox(recordingLogger().logger);

  beforeAll(async () => {
    server = createServer((req, res) => void sandbox.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (vendor: string, request: ReceivedRequest) =>
    new Promise<number>((resolve, reject) => {
      const call = httpRequest(`${base}/sandbox/${vendor}${request.url}`, { method: request.method, headers: request.headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      call.on('error', reject).end(request.body || undefined);
    });

  it.each(examples.map((e) => [label(e), e]))('%s', async (name, example) => {
    const { vendor, request } = example as DocumentExample;
    const status = await send(vendor, request);
    const recorded = sandbox.requests(vendor).at(-1)!;
    expect(recorded.vendorUrl).toBe(request.url);
    expect({ status, blocking: blocking(recorded.violations) }).toEqual(
      name in CONTRADICTIONS ? { status: 400, blocking: CONTRADICTIONS[name as string] } : { status: 200, blocking: [] },
    );
  });
});
