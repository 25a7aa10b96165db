/**
 * CDK entry point: `npx cdk synth|deploy [-c config=<path>] [-c allowSandbox=true]`. The configuration file is chosen
 * by chooseConfig (context, then TRACKING_CONFIG, then tracking.config.json, then the shipped example), validated and
 * judged for deployment (lib/deploy-guards.ts) before any construct is created, so a bad field, a placeholder or a
 * sandbox endpoint stops synthesis with its name; a stack over CloudFormation's resource limit stops it next.
 */
import { relative } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { chooseConfig } from '../lambdas/config/load';
import { ConfigurationError } from '../lambdas/core/errors';
import { parseStage, parseTableName, stackNameOf } from '../lib/constructs/naming';
import { ALLOW_SANDBOX_CONTEXT, DeployableConfig, loadDeployableConfig, resourceCeilingProblem, warnOnStack } from '../lib/deploy-guards';
import { TrackingStack, TrackingStackProps } from '../lib/tracking-stack';

const app = new App();

// -c stage=<name> (default prod) names the stack, ConversionTracking-<stage>, and with it every physical name;
// -c tableName=<name> carries on with a table a destroyed stack retained instead of creating one.
let stage: string;
let tableName: string | undefined;
try {
  stage = parseStage(app.node.tryGetContext('stage'));
  tableName = parseTableName(app.node.tryGetContext('tableName'));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const source = chooseConfig({ explicit: app.node.tryGetContext('config') });

if (source.isExample) {
  console.warn(
    `Warning: no configuration given; using ${relative(process.cwd(), source.path)}, whose vendor endpoints point at ` +
      'the local sandbox. Pass -c config=<path> or set TRACKING_CONFIG for a real deployment.',
  );
}

// Refuses placeholders, and the local sandbox's endpoints and demo ids unless -c allowSandbox=true (lib/deploy-guards.ts).
let deployable: DeployableConfig;
try {
  deployable = loadDeployableConfig(source, app.node.tryGetContext(ALLOW_SANDBOX_CONTEXT));
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const props: TrackingStackProps = { config: deployable.config, stage, ...(tableName !== undefined ? { tableName } : {}) };
const stack = new TrackingStack(app, stackNameOf(stage), props);
warnOnStack(stack, deployable.warnings);
// Before CDK's own check at synthesis, which dies with a dump of every resource type.
const ceiling = resourceCeilingProblem(stack, props);
if (ceiling) {
  console.error(ceiling);
  process.exit(1);
}

// The AWS Solutions and Serverless rule packs review the stack on every synth; a finding that is not acknowledged
// with a reason fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
