import { senderFunctionHandler } from '../runtime';

export const handler = senderFunctionHandler();
