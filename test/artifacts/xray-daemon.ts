/**
 * A stand-in for the X-Ray daemon a Lambda function's tracer sends to (`AWS_XRAY_DAEMON_ADDRESS`): a UDP socket that
 * keeps every segment document it receives. Each datagram is the daemon protocol's header line followed by one
 * document; a document's nested subsegments are returned as documents of their own.
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface XrayDocument {
  id: string;
  name: string;
  trace_id?: string;
  parent_id?: string;
  type?: string;
  namespace?: string;
  annotations?: Record<string, string | number | boolean>;
  http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  aws?: { operation?: string };
  subsegments?: XrayDocument[];
  [key: string]: unknown;
}

export interface XrayDaemon {
  /** `127.0.0.1:<port>`, the form of AWS_XRAY_DAEMON_ADDRESS. */
  address: string;
  /** Every document received so far, nested subsegments flattened, in order of arrival. */
  documents(): XrayDocument[];
  /** The datagrams as received: what a test searches for values that must never reach a trace. */
  raw(): string[];
  stop(): Promise<void>;
}

function flatten(document: XrayDocument): XrayDocument[] {
  return [document, ...(document.subsegments ?? []).flatMap(flatten)];
}

export async function startXrayDaemon(): Promise<XrayDaemon> {
  const socket = createSocket('udp4');
  const datagrams: string[] = [];
  socket.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    documents: () =>
      datagrams.flatMap((datagram) => {
        const body = datagram.slice(datagram.indexOf('\n') + 1);
        return flatten(JSON.parse(body) as XrayDocument);
      }),
    raw: () => [...datagrams],
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
