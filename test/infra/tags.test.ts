/**
 * Cost allocation tags: `service`, `stage` and, when configured, `costCentre` on every resource of a stage – in the
 * template on every resource type CloudFormation lets carry tags, and on the stack, whose tags `cdk deploy` has
 * CloudFormation put on every resource that supports them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, TagManager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../lambdas/config/load';
import { parseConfig } from '../../lambdas/config/schema';
import { stackNameOf } from '../../lib/constructs/naming';
import { SERVICE_TAG_VALUE } from '../../lib/tags';
import { TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

const CONFIG = {
  vendors: { kelkoo: { country: 'fr', comId: '31415926', referer: 'https://www.shop-brand.fr' } },
  postbacks: { awin: { clickIdParam: 'awc', url: 'https://www.awin1.com/sread.php?ref={order.orderId}', cancel: { url: 'https://www.awin1.com/cancel?ref={order.orderId}' } } },
  alerts: { emails: ['oncall@shop-brand.fr'], slack: { workspaceId: 'T0SHOPBRAND', channelId: 'C0ALARMS01' } },
};

function synthesise(stage: string, raw: Record<string, unknown>) {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, stackNameOf(stage), { config: parseConfig(raw), stage });
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: { Tags?: unknown } }> };
  return { stack, template };
}

/** A resource's tags as the template holds them: a list of {Key, Value}, or a map for the types that take one. */
function tagsOf(properties: { Tags?: unknown } | undefined): Record<string, string> {
  const tags = properties?.Tags;
  if (Array.isArray(tags)) return Object.fromEntries((tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
  return (tags as Record<string, string> | undefined) ?? {};
}

describe('cost allocation tags', () => {
  it('are on every taggable resource and on the stack: service, stage and costCentre', () => {
    const { stack, template } = synthesise('dev', { ...CONFIG, costCentre: 'CC-4711 marketing' });
    const expected = { service: SERVICE_TAG_VALUE, stage: 'dev', costCentre: 'CC-4711 marketing' };
    const taggable = stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && TagManager.isTaggable(c));
    expect(taggable.length).toBeGreaterThan(30);
    for (const resource of taggable) {
      const id = stack.getLogicalId(resource);
      expect({ id, tags: tagsOf(template.Resources[id]?.Properties) }).toEqual({ id, tags: expect.objectContaining(expected) });
    }
    expect(stack.tags.tagValues()).toEqual(expected);
    expect(SERVICE_TAG_VALUE).toBe('conversion-tracking');
  });

  it('leave out costCentre when the configuration has none, and name the stage', () => {
    const { stack, template } = synthesise('prod', CONFIG);
    expect(stack.tags.tagValues()).toEqual({ service: 'conversion-tracking', stage: 'prod' });
    const queues = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SQS::Queue');
    expect(queues.length).toBe(6);
    for (const queue of queues) expect(tagsOf(queue.Properties)).toEqual({ service: 'conversion-tracking', stage: 'prod' });
  });

  it('refuse a costCentre that is no tag value', () => {
    expect(() => parseConfig({ vendors: {}, costCentre: 'a;b' })).toThrow('costCentre: must be a tag value: 1 to 256 letters, digits, spaces and _ . : / = + - @');
    expect(() => parseConfig({ vendors: {}, costCentre: ' CC-1' })).toThrow('costCentre: must not start or end with a space');
    expect(() => parseConfig({ vendors: {}, costCentre: 'x'.repeat(257) })).toThrow('costCentre');
    expect(parseConfig({ vendors: {}, costCentre: 'Kostenstelle 4711/Süd' }).costCentre).toBe('Kostenstelle 4711/Süd');
  });
});
