/**
 * `--stage` of the operator commands: status, report and redrive (scripts/target.ts) and smoke find the stack of the
 * stage, `ConversionTracking-<stage>`, as `cdk deploy -c stage=<stage>` named it. The deployed side is checked against a
 * stand-in for CloudFormation's DescribeStacks and Secrets Manager's GetSecretValue, reached through AWS_ENDPOINT_URL.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run as report } from '../../scripts/report';
import { resolveTarget as smokeTarget } from '../../scripts/smoke';
import { CommandError, deployedTarget, parseCommand, TARGET_USAGE, targetArguments } from '../../scripts/target';

const USAGE = 'usage';

describe('targetArguments', () => {
  it('names the stage’s stack, the default stage’s (prod) without --stage', () => {
    expect(targetArguments({ stage: 'dev' }, USAGE)).toEqual({ target: 'deployed', stackName: 'ConversionTracking-dev' });
    expect(targetArguments({}, USAGE)).toEqual({ target: 'auto', stackName: 'ConversionTracking-prod' });
    expect(targetArguments({ deployed: true }, USAGE)).toMatchObject({ stackName: 'ConversionTracking-prod' });
    expect(targetArguments({ stack: 'MyOwnName' }, USAGE)).toMatchObject({ target: 'deployed', stackName: 'MyOwnName' });
  });

  it('refuses --stage with --stack, a stage that is not one, and --stage with the local stack', () => {
    expect(() => targetArguments({ stage: 'dev', stack: 'Other' }, USAGE)).toThrow(new CommandError('Give --stage or --stack, not both.\nusage'));
    expect(() => targetArguments({ stage: 'Dev' }, USAGE)).toThrow(/^--stage: Invalid stage "Dev": a stage is a lower-case letter/);
    expect(() => targetArguments({ stage: 'dev', local: true }, USAGE)).toThrow(/cannot be combined with --deployed, --stage/);
  });

  it('is an option of every command that works on a target (status, report, redrive)', () => {
    const { values } = parseCommand(['--stage', 'staging2'], USAGE, {});
    expect(targetArguments(values, USAGE).stackName).toBe('ConversionTracking-staging2');
    expect(TARGET_USAGE).toContain('--stage (default prod: stack ConversionTracking-prod)');
  });
});

interface StandIn {
  endpoint: string;
  /** StackName of every DescribeStacks call, SecretId of every GetSecretValue call. */
  asked: string[];
  server: Server;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** DescribeStacks (query protocol) for the stacks given, GetSecretValue (JSON 1.1) for one secret. */
async function startStandIn(stacks: Record<string, Record<string, string>>, secret: { arn: string; value: string }): Promise<StandIn> {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
      if (service === 'monitoring') {
        const { MetricDataQueries } = JSON.parse(body) as { MetricDataQueries: Array<{ MetricStat: { Metric: { Dimensions: Array<{ Name: string; Value: string }> } } }> };
        for (const query of MetricDataQueries) asked.push(`service=${query.MetricStat.Metric.Dimensions.find((d) => d.Name === 'service')?.Value}`);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        return response.end(JSON.stringify({ MetricDataResults: [] }));
      }
      if (service === 'secretsmanager') {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        asked.push(SecretId);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        return response.end(JSON.stringify({ ARN: secret.arn, Name: 'keys', SecretString: secret.value }));
      }
      const name = new URLSearchParams(body).get('StackName') ?? '';
      asked.push(name);
      const outputs = stacks[name];
      if (!outputs) {
        response.writeHead(400, { 'content-type': 'text/xml' });
        return response.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${name} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        );
      }
      const members = Object.entries(outputs)
        .map(([key, value]) => {
          // How the stack describes a destination's dead-letter queue output, which the commands find destinations by.
          const description = key.endsWith('DeadLetterQueueUrl') ? `<Description>Dead-letter queue of kelkoo; redrive with npm run redrive -- kelkoo</Description>` : '';
          return `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue>${description}</member>`;
        })
        .join('');
      response.writeHead(200, { 'content-type': 'text/xml' });
      return response.end(
        '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>' +
          `<StackName>${name}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime>` +
          `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, server };
}

describe('on the deployed stack', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ApiKeys-dev-AbCdEf';
  const saved = { ...process.env };
  let standIn: StandIn;

  beforeAll(async () => {
    standIn = await startStandIn(
      {
        'ConversionTracking-dev': {
          ApiUrl: 'https://dev.execute-api.example/',
          ApiKeysSecretArn: SECRET_ARN,
          ServiceName: 'conversion-tracking-dev',
          KelkooQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ConversionTracking-dev-delivery-kelkoo',
          KelkooDeadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ConversionTracking-dev-KelkooDeliveryDeadLetterQueue-AbC',
        },
        'ConversionTracking-prod': { ApiUrl: 'https://prod.execute-api.example/', ApiKeysSecretArn: SECRET_ARN, ServiceName: 'conversion-tracking-prod' },
      },
      { arn: SECRET_ARN, value: JSON.stringify({ primary: 'dev-key-0123456789' }) },
    );
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: standIn.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'stage-test',
      AWS_SECRET_ACCESS_KEY: 'stage-test',
    });
    delete process.env.AWS_PROFILE;
  });

  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => standIn.server.close(() => resolve()));
  });

  beforeEach(() => standIn.asked.splice(0));

  it('status, report and redrive read the stage’s stack, and the report counts under its service name', async () => {
    const target = await deployedTarget(targetArguments({ stage: 'dev' }, USAGE).stackName, undefined);
    try {
      expect(standIn.asked).toEqual(['ConversionTracking-dev']);
      expect(target.description).toBe('stack ConversionTracking-dev in eu-west-1');
      expect(target.apiUrl).toBe('https://dev.execute-api.example');
      expect(target.metricsService).toBe('conversion-tracking-dev');
    } finally {
      target.destroy();
    }
  });

  it('the report queries the counts the stage’s functions published (its service name), not another stage’s', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await report(['--stage', 'dev', '--since', '2d'], { out: (l) => out.push(l), err: (l) => err.push(l), now: new Date('2026-11-21T12:00:00Z') })).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toContain('on stack ConversionTracking-dev in eu-west-1');
    const services = new Set(standIn.asked.filter((a) => a.startsWith('service=')));
    expect(services).toEqual(new Set(['service=conversion-tracking-dev']));
  });

  it('a stack deployed before stages had no ServiceName output: its counts are under the old service name', async () => {
    standIn.asked.splice(0);
    const stacks = await startStandIn({ ConversionTracking: { ApiUrl: 'https://old.example/' } }, { arn: SECRET_ARN, value: '{}' });
    process.env.AWS_ENDPOINT_URL = stacks.endpoint;
    try {
      const target = await deployedTarget(targetArguments({ stack: 'ConversionTracking' }, USAGE).stackName, undefined);
      expect(target.metricsService).toBe('conversion-tracking');
      target.destroy();
    } finally {
      process.env.AWS_ENDPOINT_URL = standIn.endpoint;
      await new Promise<void>((resolve) => stacks.server.close(() => resolve()));
    }
  });

  it('a missing stage says how to name another', async () => {
    await expect(deployedTarget(targetArguments({ stage: 'qa' }, USAGE).stackName, undefined)).rejects.toThrow(
      'Stack ConversionTracking-qa does not exist in eu-west-1. Pass --stage (or --stack) and --region, or use --local while npm start runs',
    );
  });

  it('smoke checks the stage’s stack with its API key, the default stage’s without --stage', async () => {
    const dev = await smokeTarget(['--stage', 'dev']);
    expect(dev).toMatchObject({ baseUrl: 'https://dev.execute-api.example/', apiKey: 'dev-key-0123456789', deployed: { stackName: 'ConversionTracking-dev' } });
    const prod = await smokeTarget([]);
    expect(prod).toMatchObject({ deployed: { stackName: 'ConversionTracking-prod' } });
    expect(standIn.asked.filter((name) => name.startsWith('ConversionTracking'))).toEqual(['ConversionTracking-dev', 'ConversionTracking-prod']);
  });

  it('smoke refuses a stage that is not one, and --stage with another target, before calling AWS', async () => {
    await expect(smokeTarget(['--stage', 'Dev'])).rejects.toThrow(/--stage: Invalid stage "Dev"/);
    await expect(smokeTarget(['--stage', 'dev', '--stack', 'X'])).rejects.toThrow(/Give --stage or --stack, not both/);
    await expect(smokeTarget(['--stage', 'dev', '--local'])).rejects.toThrow(/Choose one target: --stage\/--stack\/--region, --local/);
    expect(standIn.asked).toEqual([]);
  });
});
