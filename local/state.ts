/** Where a running local stack says what it is, for the operator commands (`npm run redrive`, `status`, …). */
import { join } from 'node:path';
import { REPO_ROOT } from '../lambdas/config/load';

/** While `npm start` runs: where its endpoints, table and queues are, for other local tools (`npm run redrive`). */
export const LOCAL_STATE_FILE = join(REPO_ROOT, '.local-stack', 'stack.json');
