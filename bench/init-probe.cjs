/**
 * Runs in a fresh `node` process: loads one bundle the way the Lambda runtime loads a handler module and reports
 * how long that took (wall clock and CPU), with the memory the process then holds. Plain JavaScript, so that nothing
 * but Node itself runs before the measurement.
 *
 * Usage: node init-probe.cjs <bundle.js> [health]
 * With `health`, the loaded handler is also invoked for GET /v1/health, proving the bundle works, not just loads.
 */
'use strict';
const { performance } = require('node:perf_hooks');

const [bundle, check] = process.argv.slice(2);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const loaded = require(bundle);
const initMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
if (typeof loaded.handler !== 'function') throw new Error(`${bundle} exports no handler function`);
const memory = process.memoryUsage();

async function healthCheck() {
  if (check !== 'health') return undefined;
  const result = await loaded.handler({ routeKey: 'GET /v1/health', rawPath: '/v1/health', headers: {}, requestContext: {} }, {
    functionName: 'probe',
    awsRequestId: 'probe',
  });
  return result && result.statusCode;
}

healthCheck().then((healthStatus) => {
  process.stdout.write(
    JSON.stringify({
      initMs,
      initCpuMs: (cpu.user + cpu.system) / 1000,
      // From process start to the handler being ready: Node's own start-up plus the init above.
      processReadyMs: started + initMs,
      rssMb: memory.rss / 2 ** 20,
      heapUsedMb: memory.heapUsed / 2 ** 20,
      healthStatus,
    }),
  );
});
