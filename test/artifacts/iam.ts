/**
 * A small IAM evaluator for identity policies: is `action` on `resource` allowed by these statements? Explicit Deny
 * wins, then any Allow; otherwise the implicit deny. Actions match case-insensitively, resources case-sensitively,
 * both with `*` and `?` wildcards; `NotAction` and `NotResource` are honoured. A statement with a `Condition` is never
 * taken to allow (the calls recorded here carry no context to test it against), but is taken to deny.
 */
import type { Statement } from './cloudformation';

export interface Call {
  action: string;
  resource: string;
}

export type Decision = 'allowed' | 'explicit-deny' | 'implicit-deny';

function wildcard(pattern: string, flags = ''): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

const list = (value: unknown): string[] => (value === undefined ? [] : [value].flat().map(String));

export function actionMatches(patterns: unknown, action: string): boolean {
  return list(patterns).some((p) => wildcard(p, 'i').test(action));
}

export function resourceMatches(patterns: unknown, resource: string): boolean {
  return list(patterns).some((p) => wildcard(p).test(resource));
}

/** Whether the statement applies to the call, Condition aside. */
export function statementCovers(statement: Statement, call: Call): boolean {
  const action = statement.NotAction !== undefined ? !actionMatches(statement.NotAction, call.action) : actionMatches(statement.Action, call.action);
  if (!action) return false;
  return statement.NotResource !== undefined ? !resourceMatches(statement.NotResource, call.resource) : resourceMatches(statement.Resource, call.resource);
}

export function evaluate(statements: readonly Statement[], call: Call): Decision {
  if (statements.some((s) => s.Effect === 'Deny' && statementCovers(s, call))) return 'explicit-deny';
  if (statements.some((s) => s.Effect === 'Allow' && s.Condition === undefined && statementCovers(s, call))) return 'allowed';
  return 'implicit-deny';
}

/**
 * Grants no call used: each (action pattern, resource pattern) pair of an Allow statement that matched none of
 * `calls`. Pairs, not statements, since minimizePolicies merges unrelated grants into one statement.
 */
export function unusedGrants(statements: readonly Statement[], calls: readonly Call[]): { action: string; resource: string }[] {
  const unused: { action: string; resource: string }[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow' || statement.Action === undefined || statement.Resource === undefined) continue;
    for (const action of list(statement.Action)) {
      for (const resource of list(statement.Resource)) {
        const used = calls.some((c) => actionMatches(action, c.action) && resourceMatches(resource, c.resource));
        if (!used) unused.push({ action, resource });
      }
    }
  }
  return unused;
}
