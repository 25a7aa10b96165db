/**
 * docs/PERFORMANCE.md is only as current as the requests it was computed from: `npm run bench` writes the hash of the
 * request counts it measured (bench/measured-requests.ts – per scenario the DynamoDB and SQS requests by type, the
 * capacity units, refused writes, strong reads, log and EMF lines) into the document. This recounts them against the
 * suite's DynamoDB Local and SQS server and fails when the code now makes other requests than the document costs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf, HASH_PATTERN, measureRequests, requestCountsHash } from '../../bench/measured-requests';
import { benchConfig } from '../../bench/setup';

const DOC = join(__dirname, '..', '..', 'docs', 'PERFORMANCE.md');

describe('docs/PERFORMANCE.md against the requests the code makes', () => {
  it('carries the hash of the request counts measured now (run `npm run bench` when this fails)', async () => {
    const measured = await measureRequests({
      dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT!,
      sqsEndpoint: process.env.TEST_SQS_ENDPOINT!,
      config: benchConfig('http://localhost:3000'),
    });
    const written = HASH_PATTERN.exec(readFileSync(DOC, 'utf8'))?.[1];
    // The fingerprint in the message says what the code does now; the document's tables say what it did.
    expect({ hash: written, fingerprint: fingerprintOf(measured) }).toEqual({ hash: measured.hash, fingerprint: fingerprintOf(measured) });
  });

  it('changes the hash when a request, a capacity unit or a log line changes, and only then', () => {
    const base = {
      vendors: ['kelkoo'],
      metricSeries: ['a'],
      stored: { capture: { items: 1, bytes: 185, retentionDays: 33 }, conversion: { items: 4, bytes: 2798, retentionDays: 400 } },
      scenarios: {
        capture1: { id: 'capture1', label: 'x', calls: 5, invocations: 5, dynamo: { PutItem: 5 }, sqs: {}, writeUnits: 5, readUnits: 0, strongReads: 0, refusedWrites: 0, logLines: 5, emfLines: 0, logShapes: ['level,message,timestamp'], logBytes: 2920, emfBytes: 0, cpuMs: 3, wallMs: 9 },
      },
    } as unknown as Parameters<typeof requestCountsHash>[0];
    const hash = requestCountsHash(base);
    const s = (base.scenarios as any).capture1;
    const variant = (change: Record<string, unknown>) => requestCountsHash({ ...base, scenarios: { capture1: { ...s, ...change } } as any });
    // Bytes, CPU and wall time vary from run to run (timestamps, ids' digits, the machine): not hashed.
    expect(variant({ logBytes: 2921, cpuMs: 4, wallMs: 20, emfBytes: 7 })).toBe(hash);
    expect(variant({ dynamo: { PutItem: 6 } })).not.toBe(hash);
    expect(variant({ dynamo: { PutItem: 5, GetItem: 1 } })).not.toBe(hash);
    expect(variant({ writeUnits: 6 })).not.toBe(hash);
    expect(variant({ logLines: 6 })).not.toBe(hash);
    expect(variant({ refusedWrites: 1 })).not.toBe(hash);
    // A line that gains or loses a key is a line of another size: the format is part of what the costs were computed from.
    expect(variant({ logShapes: ['level,message,orderId,timestamp'] })).not.toBe(hash);
  });
});
