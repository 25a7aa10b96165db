import { apiFunctionHandler } from '../runtime';

export const handler = apiFunctionHandler('conversion');
