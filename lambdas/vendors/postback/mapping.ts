import type { Order } from '../../core/order';
import { fillTemplate, TemplateScope } from '../template';
import type { VendorRequest } from '../types';
import type { PostbackConfig } from './config';

/** Escapes a value for the inside of a JSON string literal. */
const jsonEscape = (value: string): string => JSON.stringify(value).slice(1, -1);

/** The request fields of a postback: the sale call's, or its `cancel` call's (with the sale call's headers). */
export type PostbackRequestTemplate = Pick<PostbackConfig, 'url' | 'method' | 'body' | 'bodyEncoding' | 'headers' | 'perItem'>;

const CONTENT_TYPE = { form: 'application/x-www-form-urlencoded', json: 'application/json' } as const;

/** The postback call(s): each macro value percent-encoded into its URL slot, so `& = ? #` in a value stay inside it. */
export function postbackRequests(order: Order, config: PostbackRequestTemplate, clickId: string, channel?: string): VendorRequest[] {
  const base = channel === undefined ? { order, clickId } : { order, clickId, channel };
  const scopes: Array<{ key: string; scope: TemplateScope }> = config.perItem
    ? order.items.map((item, i) => ({ key: `item-${i + 1}`, scope: { ...base, item: { ...item, lineNumber: i + 1 } } }))
    : [{ key: 'order', scope: base }];
  return scopes.map(({ key, scope }) => {
    const request: VendorRequest = {
      key,
      method: config.method,
      url: fillTemplate(config.url, scope, encodeURIComponent),
      headers: { ...config.headers },
    };
    if (config.method === 'POST' && config.body !== undefined) {
      request.body = fillTemplate(config.body, scope, config.bodyEncoding === 'json' ? jsonEscape : encodeURIComponent);
      request.headers['Content-Type'] = CONTENT_TYPE[config.bodyEncoding];
    }
    return request;
  });
}
