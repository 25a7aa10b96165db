/**
 * The checks bin/app.ts runs before anything is synthesised, so that a configuration that cannot work deployed stops
 * `cdk synth` and `cdk deploy` with one readable message instead of a deployment that silently reports nothing, or a
 * minified dump from CloudFormation's limits:
 *
 * - placeholders of tracking.config.production.example.json still in the file (always refused);
 * - the local sandbox's endpoints and demo ids (lambdas/config/deploy-guards.ts): refused, or with
 *   `-c allowSandbox=true` a warning on the stack, for a test deployment;
 * - more CloudFormation resources than one stack may hold (500): refused with the count, the cost of one
 *   destination and how many fit.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { Annotations, App, CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  ALLOW_SANDBOX_CONTEXT,
  allowsSandbox,
  placeholderIssues,
  placeholderRefusal,
  sandboxIssues,
  sandboxRefusal,
  sandboxWarning,
} from '../lambdas/config/deploy-guards';
import { ConfigChoice, loadConfig } from '../lambdas/config/load';
import type { TrackingConfig } from '../lambdas/config/schema';
import { cancelDestinationIds, destinationIds } from '../lambdas/contract/shape';
import { ConfigurationError } from '../lambdas/core/errors';
import { TrackingStack, TrackingStackProps } from './tracking-stack';

export interface DeployableConfig {
  config: TrackingConfig;
  /** Warnings to put on the stack (`cdk synth` and `cdk deploy` print them): what allowSandbox let through. */
  warnings: string[];
}

/**
 * The configuration of `choice`, loaded and validated (loadConfig) and judged for deployment: placeholders are
 * refused before validation (a placeholder is never a valid value, and its own message says more than the schema's),
 * sandbox endpoints and demo ids after it unless `allowSandbox` is true. Throws a ConfigurationError whose message
 * names each offending field by its path in the file and says how to proceed.
 */
export function loadDeployableConfig(choice: Pick<ConfigChoice, 'path' | 'isExample'>, allowSandbox: unknown, cwd = process.cwd()): DeployableConfig {
  // As the operator wrote it when it lies below the working directory, else the whole path.
  const below = relative(cwd, choice.path);
  const file = below && !below.startsWith('..') && !isAbsolute(below) ? below : choice.path;
  const raw = readRaw(choice.path);
  const placeholders = raw === undefined ? [] : placeholderIssues(raw);
  if (placeholders.length) throw new ConfigurationError(placeholderRefusal(file, placeholders));
  const config = loadConfig(choice);
  const issues = sandboxIssues(raw);
  if (!issues.length) return { config, warnings: [] };
  if (!allowsSandbox(allowSandbox)) throw new ConfigurationError(sandboxRefusal(file, issues));
  return { config, warnings: [sandboxWarning(issues)] };
}

/** The file as written, or undefined when it cannot be read or parsed: loadConfig then says why. */
function readRaw(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Puts each warning on the stack, where `cdk synth` and `cdk deploy` print it. */
export function warnOnStack(stack: Stack, warnings: readonly string[]): void {
  for (const warning of warnings) Annotations.of(stack).addWarningV2('conversion-tracking:allowSandbox', warning);
}

/** The context key of CDK's own resource ceiling, and its default: CloudFormation's limit of resources per stack. */
const STACK_RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';
export const CLOUDFORMATION_RESOURCE_LIMIT = 500;

/** The CloudFormation resources a construct tree will synthesise: every CfnResource in it. */
export function resourceCount(root: IConstruct): number {
  return root.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
}

/** The destinations a configuration deploys, each a VendorDelivery: vendors, postbacks and their cancellation calls. */
export function destinationCount(config: TrackingConfig): number {
  return destinationIds(config).length + cancelDestinationIds(config).length;
}

/** What the resource ceiling found: the stack's count against the limit, and what one destination costs. */
export interface ResourceCeiling {
  limit: number;
  count: number;
  destinations: number;
  /** Resources of the stack without any destination, with the same alerts and options. */
  base: number;
  perDestination: number;
  /** The most destinations of this kind the stack can hold with these options. */
  fit: number;
}

/**
 * Counts `stack`'s resources against the limit CDK enforces at synthesis (`@aws-cdk/core:stackResourceLimit`,
 * default 500, CloudFormation's own). The cost of one destination is measured, not assumed: the same stack is built
 * again without destinations (no bundling), and the difference is divided among them.
 */
export function measureResourceCeiling(stack: TrackingStack, props: TrackingStackProps): ResourceCeiling {
  const limit = Number(stack.node.tryGetContext(STACK_RESOURCE_LIMIT_CONTEXT) ?? CLOUDFORMATION_RESOURCE_LIMIT);
  const count = resourceCount(stack);
  const destinations = destinationCount(props.config);
  const scratch = new App({ context: { ...stack.node.getAllContext(), 'aws:cdk:bundling-stacks': [] } });
  const withoutDestinations: TrackingConfig = { ...props.config, vendors: {}, postbacks: {}, attribution: { ...props.config.attribution, exclusive: {} } };
  const base = resourceCount(new TrackingStack(scratch, stack.node.id, { ...props, config: withoutDestinations }));
  const perDestination = destinations ? (count - base) / destinations : 0;
  const fit = perDestination > 0 ? Math.floor((limit - base) / perDestination) : Infinity;
  return { limit, count, destinations, base, perDestination, fit };
}

/**
 * The refusal of a stack over the resource ceiling, as one sentence with the limit and the count, or undefined when
 * it fits (or the limit is switched off with 0). Only measured when the stack is over: a stack that fits costs one
 * count of its constructs.
 */
export function resourceCeilingProblem(stack: TrackingStack, props: TrackingStackProps): string | undefined {
  const limit = Number(stack.node.tryGetContext(STACK_RESOURCE_LIMIT_CONTEXT) ?? CLOUDFORMATION_RESOURCE_LIMIT);
  if (!(limit > 0) || resourceCount(stack) <= limit) return undefined;
  const c = measureResourceCeiling(stack, props);
  const over = c.destinations - c.fit;
  return (
    `Refusing to synthesise: the configuration's ${c.destinations} destinations (vendors, postbacks and their ` +
    `cancellation calls) make ${c.count} CloudFormation resources, over the limit of ${c.limit} resources in one stack; ` +
    `each destination costs ${c.perDestination} and the rest of the stack ${c.base}, so at most ${c.fit} destinations ` +
    `fit. Remove ${over} destination${over === 1 ? '' : 's'} (a postback with a cancel template counts as two), or ` +
    `deploy the rest as another stage (-c stage=<name>) from a second configuration.`
  );
}

export { ALLOW_SANDBOX_CONTEXT };
