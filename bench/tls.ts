/**
 * The CPU a client spends on a vendor call's TLS handshake, which the benchmark's sandbox – plain HTTP on loopback –
 * never makes: an HTTPS server in a child process (so its CPU is not counted), a self-signed certificate made with
 * `openssl`, and the client's `process.cpuUsage()` around calls on fresh connections against calls on one kept alive.
 * The difference is what a new connection to a vendor costs a sender; it sizes the senders' memory
 * (docs/PERFORMANCE.md section 6), as a batch's parallel calls may each open one.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats';

const SERVER = `
const https = require('node:https');
const fs = require('node:fs');
const [key, cert] = process.argv.slice(2);
const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

export interface TlsCost {
  /** Client CPU of a call on a fresh TLS connection, minus that of a call on a kept-alive one (median of rounds), ms. */
  handshakeCpuMs: number;
  freshCallCpuMs: number;
  keptAliveCallCpuMs: number;
}

export async function measureTlsHandshake(rounds = 5, callsPerRound = 40): Promise<TlsCost> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const serverFile = join(dir, 'server.cjs');
  writeFileSync(serverFile, SERVER);
  const server = fork(serverFile, [key, cert], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', (m) => resolve(Number(m)));
      server.once('error', reject);
    });
    const call = (agent: Agent) =>
      new Promise<void>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/', agent, rejectUnauthorized: false, servername: 'localhost' }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
    const keptAlive = new Agent({ keepAlive: true });
    const cpuOf = async (calls: number, agent: () => Agent) => {
      const before = process.cpuUsage();
      for (let i = 0; i < calls; i++) await call(agent());
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000 / calls;
    };
    await cpuOf(20, () => new Agent({ keepAlive: false }));
    await cpuOf(20, () => keptAlive);
    const fresh: number[] = [];
    const reused: number[] = [];
    for (let r = 0; r < rounds; r++) {
      fresh.push(await cpuOf(callsPerRound, () => new Agent({ keepAlive: false })));
      reused.push(await cpuOf(callsPerRound, () => keptAlive));
    }
    keptAlive.destroy();
    const freshCallCpuMs = median(fresh);
    const keptAliveCallCpuMs = median(reused);
    return { handshakeCpuMs: Math.max(0, freshCallCpuMs - keptAliveCallCpuMs), freshCallCpuMs, keptAliveCallCpuMs };
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void measureTlsHandshake().then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
