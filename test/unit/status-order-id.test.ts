/**
 * `npm run status -- <orderId>` reaches the order it is given, whatever characters its id holds: the command talks
 * over real HTTP to the local server, which decodes the path as API Gateway's HTTP API does (decoded once before the
 * route is matched, each path parameter once more; local/http-api.ts, docs/RELIABILITY.md), and fetch's own URL
 * rules (`.` and `..` segments are removed) apply on the way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { ApiHandler, jsonResponse, route } from '../../lambdas/api/http';
import { createStatusHandler } from '../../lambdas/api/status';
import type { ApiHandlerName } from '../../lambdas/contract/shape';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { createApiGateway } from '../../local/http-api';
import { run as status, statusPath } from '../../scripts/status';
import { recordingLogger } from '../support/aws';
import { specConfig } from '../support/config';

const KEY = 'status-order-id-key-1';
const RECEIVED_AT = '2026-11-29T10:00:00.000Z';
const { logger } = recordingLogger();

/** Every order id exists; the ids the status route was asked for are kept. */
const asked: string[] = [];
const store = {
  getOrder: async (orderId: string) => {
    asked.push(orderId);
    return { orderId, receivedAt: RECEIVED_AT, deliveries: [] };
  },
} as unknown as TrackingStore;

let server: Server;
let workDir: string;
let stateFile: string;

beforeAll(async () => {
  const unused: ApiHandler = route({ logger, body: false }, async () => jsonResponse(404, {}));
  const handlers = {
    health: unused,
    capture: unused,
    identify: unused,
    erase: unused,
    conversion: unused,
    deliveries: unused,
    cancellation: unused,
    status: createStatusHandler({ config: specConfig(), store, apiKeys: new StaticApiKeys([KEY]), logger }),
  } as Record<ApiHandlerName, ApiHandler>;
  const serveApi = createApiGateway(handlers, logger);
  server = createServer((req, res) => void serveApi(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  workDir = mkdtempSync(join(tmpdir(), 'status-order-id-'));
  const configFile = join(workDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ local: { apiKeys: [KEY] } }));
  stateFile = join(workDir, 'stack.json');
  // What `npm start` writes; the SQS endpoint is never called by `status`.
  writeFileSync(
    stateFile,
    JSON.stringify({
      pid: process.pid,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      configFile,
      sqsEndpoint: 'http://127.0.0.1:9',
      queueUrls: {},
    }),
  );
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(workDir, { recursive: true, force: true });
});

/** The exit code, the heading line, the errors, and the ids the status route was asked for. */
async function statusOf(orderId: string): Promise<{ code: number; heading?: string; err: string[]; asked: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  asked.length = 0;
  // After `--`, an id that starts with `-` is not read as an option (node:util parseArgs).
  const code = await status(['--local', '--', orderId], { out: (line) => out.push(line), err: (line) => err.push(line), stateFile });
  return { code, heading: out[0], err, asked: [...asked] };
}

const shown = (orderId: string) => ({ code: 0, heading: `Order ${orderId}, received ${RECEIVED_AT}`, err: [], asked: [orderId] });

/** RFC 3986's reserved characters, `%`, the characters fetch treats specially in a path, and a few others. */
const RESERVED = [...":/?#[]@!$&'()*+,;=", '%', '.', '\\', ' ', '"', '<', '>', '^', '`', '{', '|', '}', '~', '-', '_', 'A', '4', '1', 'é', '😀'];

describe('npm run status: the order id reaches the status route intact', () => {
  it.each([
    'A%41-x',
    'a/b',
    '..',
    '.',
    'a/../b',
    '../x',
    '%2F',
    '%252F',
    '%',
    '100%',
    '-x',
    '/',
    '//',
    '?x=1#y',
    'CMD0572084',
    'é 😀',
  ])('shows order %p', async (orderId) => {
    expect(await statusOf(orderId)).toEqual(shown(orderId));
  });

  it('shows any order id made of reserved characters (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(...RESERVED), minLength: 1, maxLength: 24 }), async (orderId) => {
        expect(await statusOf(orderId)).toEqual(shown(orderId));
      }),
      { numRuns: 150 },
    );
  });

  it('encodes an id once where that reaches it, so that ordinary ids read plainly in a log', () => {
    expect(statusPath('CMD0572084')).toBe('/v1/conversions/CMD0572084');
    expect(statusPath('A B')).toBe('/v1/conversions/A%20B');
    expect(statusPath('a/b')).toBe('/v1/conversions/a%252Fb');
    expect(statusPath('..')).toBe('/v1/conversions/%252E%252E');
  });
});
