/**
 * The local SQS server in a process of its own, so that its work is not counted as the handlers' CPU time (the
 * benchmark measures process.cpuUsage() around each invocation). Prints its endpoint once listening; stops with its
 * parent.
 *
 * Usage: node --import tsx bench/sqs-server.ts
 */
import { startSqsServer } from '../local/services';

void (async () => {
  const server = await startSqsServer();
  process.stdout.write(`${server.endpoint}\n`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Never outlive the benchmark, even if it dies without stopping this process.
  process.on('disconnect', stop);
})();
