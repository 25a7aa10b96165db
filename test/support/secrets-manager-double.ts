/**
 * A Secrets Manager stand-in for the operator commands that change a secret (`npm run api-key`), reached through
 * `AWS_ENDPOINT_URL` like AWS itself: the service's AWS JSON 1.1 protocol for GetSecretValue and PutSecretValue,
 * with versions and their staging labels as Secrets Manager keeps them (a put makes a new AWSCURRENT version, the
 * old one AWSPREVIOUS; a ClientRequestToken seen before with the same value is the same version). It also answers
 * CloudFormation's DescribeStacks (query protocol) for the stacks given, since the commands find the secret through
 * the stack's outputs. Requests are routed by the service named in the SigV4 credential scope, as AWS's endpoints
 * are by host.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerDoubleOptions {
  region: string;
  account: string;
  /** Secrets by name, with their current value. */
  secrets: Record<string, string>;
  /** Stacks by name, with their outputs (use `arnOf(name)` for a secret's ARN). */
  stacks?: Record<string, Record<string, string>>;
  /** Set: every PutSecretValue is refused with AccessDeniedException (an operator without the permission). */
  denyPut?: boolean;
}

interface Version {
  id: string;
  value: string;
  stages: string[];
}

export interface SecretsManagerDouble {
  endpoint: string;
  /** The ARN of a secret of the double. */
  arnOf(name: string): string;
  /** The current value of a secret. */
  current(name: string): string;
  /** Every value a secret had, oldest first. */
  history(name: string): string[];
  /** Operations received, e.g. `secretsmanager:PutSecretValue`, `cloudformation:DescribeStacks`. */
  operations: string[];
  stop(): Promise<void>;
}

const SUFFIX = 'AbCdEf';

export async function startSecretsManagerDouble(options: SecretsManagerDoubleOptions): Promise<SecretsManagerDouble> {
  const arnOf = (name: string) => `arn:aws:secretsmanager:${options.region}:${options.account}:secret:${name}-${SUFFIX}`;
  const versions = new Map<string, Version[]>(
    Object.entries(options.secrets).map(([name, value]) => [name, [{ id: '00000000-0000-4000-8000-000000000001', value, stages: ['AWSCURRENT'] }]]),
  );
  const operations: string[] = [];
  const nameOf = (secretId: unknown) => {
    if (typeof secretId !== 'string') return undefined;
    const name = secretId.startsWith('arn:') ? secretId.split(':')[6]?.replace(new RegExp(`-${SUFFIX}$`), '') : secretId;
    return name !== undefined && versions.has(name) ? name : undefined;
  };

  const json = (response: ServerResponse, status: number, payload: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${operations.length}` });
    response.end(JSON.stringify(payload));
  };
  const error = (response: ServerResponse, status: number, type: string, message: string) => json(response, status, { __type: type, message });

  function secretsManager(request: IncomingMessage, body: string, response: ServerResponse): void {
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    operations.push(`secretsmanager:${operation}`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return error(response, 400, 'SerializationException', 'Body is not JSON');
    }
    const name = nameOf(input.SecretId);
    if (!name) return error(response, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const history = versions.get(name)!;
    const current = history.find((v) => v.stages.includes('AWSCURRENT'))!;
    if (operation === 'GetSecretValue') {
      return json(response, 200, {
        ARN: arnOf(name),
        Name: name,
        VersionId: current.id,
        SecretString: current.value,
        VersionStages: current.stages,
        CreatedDate: Math.floor(Date.now() / 1000),
      });
    }
    if (operation === 'PutSecretValue') {
      if (options.denyPut) {
        return error(response, 400, 'AccessDeniedException', `User is not authorized to perform: secretsmanager:PutSecretValue on resource: ${arnOf(name)}`);
      }
      const value = input.SecretString;
      const token = input.ClientRequestToken;
      if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > 65_536) {
        return error(response, 400, 'InvalidParameterException', 'SecretString must be 1 to 65536 bytes');
      }
      if (typeof token !== 'string' || token.length < 32 || token.length > 64) {
        return error(response, 400, 'InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters');
      }
      const seen = history.find((v) => v.id === token);
      if (seen && seen.value !== value) {
        return error(response, 400, 'ResourceExistsException', 'You can\'t modify an existing version, you can only create a new version.');
      }
      if (!seen) {
        for (const version of history) version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
        current.stages = current.stages.filter((stage) => stage !== 'AWSCURRENT').concat('AWSPREVIOUS');
        history.push({ id: token, value, stages: ['AWSCURRENT'] });
      }
      return json(response, 200, { ARN: arnOf(name), Name: name, VersionId: token, VersionStages: ['AWSCURRENT'] });
    }
    return error(response, 400, 'UnknownOperationException', `Unsupported operation ${operation}`);
  }

  function cloudFormation(body: string, response: ServerResponse): void {
    const params = new URLSearchParams(body);
    operations.push(`cloudformation:${params.get('Action')}`);
    const stackName = params.get('StackName') ?? '';
    const outputs = options.stacks?.[stackName];
    if (params.get('Action') !== 'DescribeStacks' || !outputs) {
      response.writeHead(400, { 'content-type': 'text/xml' });
      return void response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${stackName} does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
      );
    }
    const members = Object.entries(outputs)
      .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`)
      .join('');
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>' +
        `<StackName>${stackName}</StackName><StackId>arn:aws:cloudformation:${options.region}:${options.account}:stack/${stackName}/1</StackId>` +
        `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
        '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>',
    );
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '')?.[1];
      if (service === 'secretsmanager') return secretsManager(request, body, response);
      if (service === 'cloudformation') return cloudFormation(body, response);
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ __type: 'MissingAuthenticationTokenException', message: `No service for ${String(service)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arnOf,
    current: (name) => versions.get(name)!.find((v) => v.stages.includes('AWSCURRENT'))!.value,
    history: (name) => versions.get(name)!.map((v) => v.value),
    operations,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
