/**
 * The synthesised template as the artifact tests read it: the Lambda functions with their bundle directory and
 * environment, the IAM statements of each function's role, and a resolver that turns `Ref`, `Fn::GetAtt`, `Fn::Join`,
 * `Fn::Sub`, `Fn::Select` and `Fn::Split` into local equivalents (local table and queue names, ARNs in a fixed
 * account, SQS URLs on the recording proxy).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ACCOUNT = '000000000000';

export interface Template {
  Resources: Record<string, { Type: string; Properties?: any; Metadata?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export function readTemplate(outDir: string, stackName: string): Template {
  return JSON.parse(readFileSync(join(outDir, `${stackName}.template.json`), 'utf8')) as Template;
}

export interface LocalNames {
  region: string;
  stackName: string;
  /** Base URL SQS queue URLs get locally (the recording proxy), without a trailing slash. */
  sqsEndpoint: string;
  /** Logical id → local physical name, for tables and queues without a fixed name. */
  names: Record<string, string>;
}

/** Resolves CloudFormation intrinsics against local stand-ins of the stack's resources. */
export class Resolver {
  constructor(
    private readonly template: Template,
    private readonly local: LocalNames,
  ) {}

  private resource(id: string) {
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`Template has no resource ${id}`);
    return resource;
  }

  /** The physical name: a fixed name from the template, else the local one chosen for the logical id. */
  physicalName(id: string): string {
    const resource = this.resource(id);
    const fixed = resource.Properties?.QueueName ?? resource.Properties?.TableName ?? resource.Properties?.FunctionName;
    if (fixed !== undefined) return this.resolve(fixed) as string;
    return this.local.names[id] ?? id;
  }

  arn(id: string): string {
    const { region } = this.local;
    const resource = this.resource(id);
    const name = this.physicalName(id);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${ACCOUNT}:${name}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-AbCdEf`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}:*`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${ACCOUNT}:${name}`;
      default:
        return `arn:aws:cloudformation:${region}:${ACCOUNT}:${resource.Type}/${name}`;
    }
  }

  ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': this.local.region,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.local.stackName,
    };
    if (id in pseudo) return pseudo[id]!;
    const resource = this.resource(id);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `${this.local.sqsEndpoint}/${ACCOUNT}/${this.physicalName(id)}`;
      case 'AWS::SecretsManager::Secret':
      case 'AWS::SNS::Topic':
        return this.arn(id);
      default:
        return this.physicalName(id);
    }
  }

  getAtt(id: string, attribute: string): string {
    if (attribute === 'Arn') return this.arn(id);
    if (attribute === 'QueueName') return this.physicalName(id);
    if (attribute === 'QueueUrl') return this.ref(id);
    throw new Error(`No local equivalent of Fn::GetAtt ${id}.${attribute}`);
  }

  /** Any template value with its intrinsics resolved; SQS's public endpoint becomes the local one. */
  resolve(value: unknown): unknown {
    if (typeof value === 'string') return this.localEndpoints(value);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [[key, arg]] = entries as [[string, any]];
      switch (key) {
        case 'Ref':
          return this.ref(arg);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return this.getAtt(id, attribute);
        }
        case 'Fn::Join':
          return (this.resolve(arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select':
          return (this.resolve(arg[1]) as unknown[])[Number(this.resolve(arg[0]))];
        case 'Fn::Split':
          return (this.resolve(arg[1]) as string).split(arg[0]);
        case 'Fn::Sub': {
          const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
          const substituted = (text as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in variables) return String(this.resolve(variables[name]));
            const [id, attribute] = name.split('.');
            return attribute ? this.getAtt(id!, attribute) : this.ref(id!);
          });
          return this.localEndpoints(substituted);
        }
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  private localEndpoints(text: string): string {
    return text.replace(`https://sqs.${this.local.region}.amazonaws.com`, this.local.sqsEndpoint);
  }
}

export interface LambdaFunction {
  logicalId: string;
  /** Directory of the bundle in cdk.out. */
  assetDir: string;
  /** `index.handler` */
  handler: string;
  runtime: string;
  memorySize: number;
  timeout: number;
  /** The template's variables, unresolved. */
  environment: Record<string, unknown>;
  /** Lambda's JSON logging settings, which become AWS_LAMBDA_LOG_* variables. */
  loggingConfig?: { LogFormat?: string; ApplicationLogLevel?: string; SystemLogLevel?: string };
  roleId: string;
}

export function lambdaFunctions(template: Template, outDir: string): LambdaFunction[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const assetPath = r.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string') throw new Error(`Function ${logicalId} has no bundled asset (aws:asset:path)`);
      const role = r.Properties.Role?.['Fn::GetAtt']?.[0];
      if (typeof role !== 'string') throw new Error(`Function ${logicalId} has no role of its stack`);
      return {
        logicalId,
        assetDir: join(outDir, assetPath),
        handler: r.Properties.Handler,
        runtime: r.Properties.Runtime,
        memorySize: r.Properties.MemorySize ?? 128,
        timeout: r.Properties.Timeout ?? 3,
        environment: r.Properties.Environment?.Variables ?? {},
        loggingConfig: r.Properties.LoggingConfig,
        roleId: role,
      };
    });
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  /** Resource policies only: who the statement is about (`*`, `{AWS: …}`, `{Service: …}`). */
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/** Every statement of the role's policies: inline AWS::IAM::Policy resources and the role's own `Policies`. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  if (!role) throw new Error(`Template has no role ${roleId}`);
  if (role.Properties?.ManagedPolicyArns?.length) {
    throw new Error(`Role ${roleId} has managed policies, which this check cannot read: ${JSON.stringify(role.Properties.ManagedPolicyArns)}`);
  }
  const inline = (role.Properties?.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
  const attached = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((x: any) => x?.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}
