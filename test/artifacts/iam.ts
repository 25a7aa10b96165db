/**
 * A small IAM evaluator. For identity policies: is `action` on `resource` allowed by these statements? Explicit Deny
 * wins, then any Allow; otherwise the implicit deny. Actions match case-insensitively, resources case-sensitively,
 * both with `*` and `?` wildcards; `NotAction` and `NotResource` are honoured. A statement with a `Condition` is never
 * taken to allow (the calls recorded here carry no context to test it against), but is taken to deny.
 *
 * For resource policies (`evaluateResourcePolicy`): the same, for a call that names its principal and carries its
 * request context, so that `Principal` and `Condition` are evaluated – the string, ARN and Bool operators, with
 * `IfExists`. An operator or a `NotPrincipal` it does not know throws rather than guess.
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

/** A call judged by a resource policy: who makes it (an AWS service, or an account or role) and its request context. */
export interface ResourceCall extends Call {
  principal: { service: string } | { aws: string };
  /** Condition keys of the request, e.g. `aws:SourceAccount`, `aws:SourceArn`, `aws:SecureTransport`. */
  context: Record<string, string>;
}

/** Whether a resource policy statement's `Principal` names the caller. */
export function principalMatches(principal: unknown, caller: ResourceCall['principal']): boolean {
  if (principal === '*') return true;
  if (principal === undefined || principal === null || typeof principal !== 'object') return false;
  const named = principal as Record<string, unknown>;
  if (list(named.AWS).includes('*')) return true;
  if ('service' in caller) return list(named.Service).includes(caller.service);
  return list(named.AWS).includes(caller.aws);
}

const OPERATORS: Record<string, { negated: boolean; matches: (pattern: string, value: string) => boolean }> = {
  StringEquals: { negated: false, matches: (p, v) => p === v },
  StringNotEquals: { negated: true, matches: (p, v) => p === v },
  StringEqualsIgnoreCase: { negated: false, matches: (p, v) => p.toLowerCase() === v.toLowerCase() },
  StringLike: { negated: false, matches: (p, v) => wildcard(p).test(v) },
  StringNotLike: { negated: true, matches: (p, v) => wildcard(p).test(v) },
  ArnEquals: { negated: false, matches: (p, v) => p === v },
  ArnNotEquals: { negated: true, matches: (p, v) => p === v },
  ArnLike: { negated: false, matches: (p, v) => wildcard(p).test(v) },
  ArnNotLike: { negated: true, matches: (p, v) => wildcard(p).test(v) },
  Bool: { negated: false, matches: (p, v) => p.toLowerCase() === v.toLowerCase() },
};

/**
 * Whether every operator of a `Condition` block holds for the request context: all operators and all keys must hold;
 * of a key's values any one matching is enough (none, for a negated operator). A key absent from the context fails
 * a positive operator and satisfies a negated one, and satisfies any operator suffixed `IfExists`.
 */
export function conditionHolds(condition: unknown, context: Record<string, string>): boolean {
  if (condition === undefined) return true;
  const byKey = new Map(Object.entries(context).map(([key, value]) => [key.toLowerCase(), value]));
  return Object.entries(condition as Record<string, Record<string, unknown>>).every(([name, keys]) => {
    const ifExists = name.endsWith('IfExists');
    const operator = OPERATORS[ifExists ? name.slice(0, -'IfExists'.length) : name];
    if (!operator) throw new Error(`Condition operator ${name} is not modelled by this evaluator`);
    return Object.entries(keys).every(([key, values]) => {
      const value = byKey.get(key.toLowerCase());
      if (value === undefined) return ifExists || operator.negated;
      const any = list(values).some((pattern) => operator.matches(pattern, value));
      return operator.negated ? !any : any;
    });
  });
}

/**
 * A resource policy (a topic's, a queue's) on a call: explicit Deny wins, then any Allow, else the implicit deny. A
 * statement applies when its principal names the caller, its action and resource match and its conditions hold.
 */
export function evaluateResourcePolicy(statements: readonly Statement[], call: ResourceCall): Decision {
  const applies = (s: Statement) => {
    if (s.NotPrincipal !== undefined) throw new Error('NotPrincipal is not modelled by this evaluator');
    return principalMatches(s.Principal, call.principal) && statementCovers(s, call) && conditionHolds(s.Condition, call.context);
  };
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return 'explicit-deny';
  if (statements.some((s) => s.Effect === 'Allow' && applies(s))) return 'allowed';
  return 'implicit-deny';
}
