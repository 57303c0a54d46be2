import { createHash } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { Agent } from 'undici';

export interface HttpAgentOptions {
  /** Timeout of one request (headers, and between body chunks). */
  requestTimeoutMs: number;
  /** Connections kept per origin (API host, login host), shared by every tenant using that origin. */
  connectionsPerOrigin: number;
}

/** Idle keep-alive connections are closed after this long (a poll interval is 60 s by default). */
const KEEP_ALIVE_MS = 120_000;

/**
 * The HTTP agents of every tenant: one undici Agent (keep-alive pools per origin) per distinct set of extra CAs,
 * each with one TLS SecureContext (the public roots plus those CAs) built once, not per connection or per tenant.
 * Tenants of the same cloud thus share connections to the API host and the login host (MSAL uses the same agent).
 */
export class HttpAgents {
  readonly #options: HttpAgentOptions;
  readonly #agents = new Map<string, Agent>();
  #contextsBuilt = 0;

  constructor(options: HttpAgentOptions) {
    this.#options = options;
  }

  /** TLS SecureContexts built so far (one per distinct CA set). */
  get contextsBuilt(): number {
    return this.#contextsBuilt;
  }

  /** The agent trusting the public roots plus `extraCas` (PEM texts); the same object for the same CAs. */
  agentFor(extraCas: readonly string[]): Agent {
    const key = createHash('sha256')
      .update([...new Set(extraCas)].sort().join('\n'))
      .digest('hex');
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: { secureContext: this.#secureContext(extraCas) },
        headersTimeout: this.#options.requestTimeoutMs,
        bodyTimeout: this.#options.requestTimeoutMs,
        connections: this.#options.connectionsPerOrigin,
        keepAliveTimeout: KEEP_ALIVE_MS,
        keepAliveMaxTimeout: KEEP_ALIVE_MS,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.allSettled(agents.map((agent) => agent.close()));
  }

  #secureContext(extraCas: readonly string[]): SecureContext {
    this.#contextsBuilt += 1;
    // Extra CAs are trusted in addition to the public roots (a TLS-inspecting proxy, a private endpoint, the emulator).
    return createSecureContext(extraCas.length > 0 ? { ca: [...rootCertificates, ...extraCas] } : {});
  }
}
