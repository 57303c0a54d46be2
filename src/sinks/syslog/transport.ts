import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { TlsConfig } from '../config.ts';

/** Sends already-formatted syslog payloads; rejects on any network error (the caller retries). */
export interface SyslogTransport {
  send(payloads: readonly Buffer[]): Promise<void>;
  close(): Promise<void>;
}

/** One datagram per message. */
export class UdpTransport implements SyslogTransport {
  readonly #socket: UdpSocket;
  readonly #host: string;
  readonly #port: number;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
    this.#socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.#socket.on('error', () => undefined); // surfaced through send callbacks
  }

  async send(payloads: readonly Buffer[]): Promise<void> {
    for (const payload of payloads) {
      await new Promise<void>((resolve, reject) =>
        this.#socket.send(payload, this.#port, this.#host, (err) => (err ? reject(err) : resolve())),
      );
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}

/**
 * A persistent TCP or TLS connection, (re)opened on demand. A write is acknowledged when the kernel
 * took the bytes: plain syslog has no application-level acknowledgement.
 */
export class StreamTransport implements SyslogTransport {
  readonly #host: string;
  readonly #port: number;
  readonly #tls: TlsConfig | undefined;
  readonly #useTls: boolean;
  readonly #timeoutMs: number;
  #socket: Socket | TLSSocket | undefined;

  constructor(options: { host: string; port: number; tls: boolean; tlsConfig?: TlsConfig; timeoutMs: number }) {
    this.#host = options.host;
    this.#port = options.port;
    this.#useTls = options.tls;
    this.#tls = options.tlsConfig;
    this.#timeoutMs = options.timeoutMs;
  }

  async send(payloads: readonly Buffer[]): Promise<void> {
    const socket = await this.#connected();
    await new Promise<void>((resolve, reject) => {
      socket.write(Buffer.concat(payloads), (err) => {
        if (err) {
          this.#drop();
          reject(err);
        } else resolve();
      });
    });
  }

  #connected(): Promise<Socket | TLSSocket> {
    const current = this.#socket;
    if (current && !current.destroyed && current.writable && !current.readableEnded) return Promise.resolve(current);
    this.#drop();
    return new Promise((resolve, reject) => {
      const socket = this.#useTls
        ? tlsConnect({
            host: this.#host,
            port: this.#port,
            servername: this.#host,
            ...(this.#tls?.ca_file ? { ca: readFileSync(this.#tls.ca_file) } : {}),
            rejectUnauthorized: !this.#tls?.insecure_skip_verify,
          })
        : tcpConnect({ host: this.#host, port: this.#port });
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${this.#timeoutMs} ms`)), this.#timeoutMs);
      socket.once(this.#useTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        socket.on('error', () => this.#drop());
        socket.on('end', () => this.#drop());
        socket.resume(); // syslog servers send nothing; never let the receive buffer fill
        this.#socket = socket;
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  #drop(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.end(() => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}
