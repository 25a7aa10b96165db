/**
 * Runs one Lambda bundle as Lambda's Node.js runtime does, in its own process: loads the handler module named by
 * `_HANDLER` from `LAMBDA_TASK_ROOT` at start (the init phase), then invokes the exported function once per
 * `invoke` message with the event and a Lambda-like context, and answers with the result or the error.
 * Spawned by functions.ts with the function's environment from the template and nothing of the test's own.
 */
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { existsSync } = require('node:fs');
const { randomUUID } = require('node:crypto');

const root = process.env.LAMBDA_TASK_ROOT;
const [moduleName, exportName] = process.env._HANDLER.split('.');

function serialise(error) {
  return { name: error && error.name, message: error && error.message, stack: error && error.stack };
}

async function init() {
  const file = ['.js', '.mjs', '.cjs'].map((ext) => join(root, moduleName + ext)).find((f) => existsSync(f));
  if (!file) throw new Error(`No ${moduleName}.js/.mjs/.cjs in ${root}`);
  const loaded = await import(pathToFileURL(file).href);
  const handler = loaded[exportName] ?? (loaded.default && loaded.default[exportName]);
  if (typeof handler !== 'function') throw new Error(`${process.env._HANDLER} is not a function`);
  return handler;
}

const started = process.hrtime.bigint();
const ready = init();
ready.then(
  () => process.send({ type: 'ready', initMs: Number(process.hrtime.bigint() - started) / 1e6 }),
  (error) => process.send({ type: 'init-error', error: serialise(error) }),
);

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const timeoutMs = Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT) * 1000;
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  // Lambda's runtime sets the invocation's X-Ray trace header in the environment, where the X-Ray SDK reads it.
  if (message.traceId) process.env._X_AMZN_TRACE_ID = message.traceId;
  try {
    const handler = await ready;
    const result = await handler(message.event, context);
    process.send({ type: 'result', id: message.id, result: result === undefined ? null : result });
  } catch (error) {
    process.send({ type: 'error', id: message.id, error: serialise(error) });
  }
});
