/**
 * CDK entry point: `npx cdk synth|deploy [-c config=<path>]`. The configuration file is chosen by chooseConfig
 * (context, then TRACKING_CONFIG, then tracking.config.json, then the shipped example) and validated before any
 * construct is created, so a bad field stops synthesis with its name.
 */
import { relative } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { chooseConfig, loadConfig } from '../lambdas/config/load';
import type { TrackingConfig } from '../lambdas/config/schema';
import { ConfigurationError } from '../lambdas/core/errors';
import { STACK_NAME } from '../lib/constructs/naming';
import { TrackingStack } from '../lib/tracking-stack';

const app = new App();
const source = chooseConfig({ explicit: app.node.tryGetContext('config') });

let config: TrackingConfig;
try {
  config = loadConfig(source);
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
if (source.isExample) {
  console.warn(
    `Warning: no configuration given; using ${relative(process.cwd(), source.path)}, whose vendor endpoints point at ` +
      'the local sandbox. Pass -c config=<path> or set TRACKING_CONFIG for a real deployment.',
  );
}

new TrackingStack(app, STACK_NAME, { config });

// The AWS Solutions and Serverless rule packs review the stack on every synth; a finding that is not acknowledged
// with a reason fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
