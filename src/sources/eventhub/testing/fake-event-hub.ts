import type { AddressInfo, Server, Socket } from 'node:net';
import rhea, { type Connection, type EventContext, type Message, type Sender } from 'rhea';

/**
 * A stand-in for Azure Event Hubs on 127.0.0.1, for offline tests: speaks enough AMQP 1.0 for
 * `@azure/event-hubs` with a `UseDevelopmentEmulator=true` connection string (plain TCP, SASL anonymous):
 * - `$cbs` put-token (always accepted),
 * - `$management` READ of `com.microsoft:eventhub` and `com.microsoft:partition`,
 * - receiver links on `<hub>/ConsumerGroups/<cg>/Partitions/<id>` honouring the
 *   `apache.org:selector-filter:string` start filter (offset, sequence number or enqueued time, `>` or `>=`)
 *   and the link credit, with the x-opt-sequence-number / x-opt-offset / x-opt-enqueued-time annotations.
 * Offsets are `sequenceNumber * 64` (as strings) so a mix-up between offset and sequence number shows.
 */
export interface FakeEventHub {
  readonly port: number;
  readonly hubName: string;
  readonly partitionIds: readonly string[];
  connectionString(): string;
  /** Appends one message (bytes sent as-is, strings as UTF-8, anything else as JSON) to a partition; returns its sequence number. */
  publish(partitionId: string, body: unknown): number;
  /** Messages handed out per partition since start (re-deliveries included). */
  deliveredCount(partitionId: string): number;
  /** Drops every client connection (simulates a network failure). */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface FakeEventHubOptions {
  hubName?: string;
  partitions?: number;
}

interface StoredEvent {
  sequenceNumber: number;
  offset: number;
  enqueuedAt: number;
  body: Buffer;
}

interface PartitionLink {
  sender: Sender;
  partitionId: string;
  next: number;
}

const OFFSET_STEP = 64;
const FILTER = /amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'([^']*)'/;

function filterText(filter: unknown): string | undefined {
  const clause = (filter as Record<string, unknown> | undefined)?.['apache.org:selector-filter:string'];
  if (typeof clause === 'string') return clause;
  const value = (clause as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}

/** Index of the first stored event the filter selects. */
function startIndex(events: readonly StoredEvent[], filter: string | undefined): number {
  const match = filter ? FILTER.exec(filter) : null;
  if (!match) return 0;
  const [, field, op, raw = ''] = match;
  if (field === 'x-opt-offset' && raw === '@latest') return events.length;
  const bound = Number(raw);
  const key = (e: StoredEvent): number =>
    field === 'x-opt-offset' ? e.offset : field === 'x-opt-sequence-number' ? e.sequenceNumber : e.enqueuedAt;
  const found = events.findIndex((e) => (op === '>=' ? key(e) >= bound : key(e) > bound));
  return found === -1 ? events.length : found;
}

function toBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

export async function startFakeEventHub(options: FakeEventHubOptions = {}): Promise<FakeEventHub> {
  const hubName = options.hubName ?? 'hub';
  const partitionIds = Array.from({ length: options.partitions ?? 2 }, (_, i) => String(i));
  const store = new Map<string, StoredEvent[]>(partitionIds.map((id) => [id, []]));
  const delivered = new Map<string, number>(partitionIds.map((id) => [id, 0]));
  const links = new Set<PartitionLink>();
  const connections = new Set<Connection>();
  const createdAt = new Date();
  const container = rhea.create_container({ id: 'fake-event-hub' });
  container.sasl_server_mechanisms.enable_anonymous();

  const pump = (link: PartitionLink): void => {
    const events = store.get(link.partitionId) ?? [];
    while (link.sender.is_open() && link.sender.sendable() && link.next < events.length) {
      const event = events[link.next++]!;
      delivered.set(link.partitionId, (delivered.get(link.partitionId) ?? 0) + 1);
      link.sender.send({
        body: rhea.message.data_section(event.body),
        message_annotations: {
          'x-opt-sequence-number': rhea.types.wrap_long(event.sequenceNumber),
          'x-opt-offset': String(event.offset),
          'x-opt-enqueued-time': new Date(event.enqueuedAt),
        },
      } as Message);
    }
  };

  const reply = (context: EventContext, request: Message, status: number, body: unknown): void => {
    const replyTo = request.reply_to;
    const sender = context.connection.find_sender((s: Sender) => s.name === replyTo);
    sender?.send({
      correlation_id: request.message_id,
      application_properties: { 'status-code': status, 'status-description': status < 300 ? 'OK' : 'Error' },
      body,
    } as Message);
  };

  const management = (request: Message): { status: number; body: unknown } => {
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    if (props.operation !== 'READ' || props.name !== hubName) return { status: 404, body: null };
    if (props.type === 'com.microsoft:eventhub') {
      return {
        status: 200,
        body: { name: hubName, created_at: createdAt, partition_ids: partitionIds, type: 'com.microsoft:eventhub' },
      };
    }
    const events = store.get(String(props.partition));
    if (props.type !== 'com.microsoft:partition' || !events) return { status: 404, body: null };
    const last = events[events.length - 1];
    return {
      status: 200,
      body: {
        name: hubName,
        partition: String(props.partition),
        begin_sequence_number: rhea.types.wrap_long(events[0]?.sequenceNumber ?? 0),
        last_enqueued_sequence_number: rhea.types.wrap_long(last?.sequenceNumber ?? -1),
        last_enqueued_offset: String(last?.offset ?? -1),
        last_enqueued_time_utc: new Date(last?.enqueuedAt ?? 0),
        is_partition_empty: events.length === 0,
        type: 'com.microsoft:partition',
      },
    };
  };

  container.on('connection_open', (context: EventContext) => connections.add(context.connection));
  container.on('connection_close', (context: EventContext) => connections.delete(context.connection));
  container.on('disconnected', (context: EventContext) => connections.delete(context.connection));
  container.on('sender_open', (context: EventContext) => {
    const sender = context.sender!;
    const address: string = sender.source?.address ?? '';
    const match = /^(.+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/.exec(address);
    if (!match) return; // a reply link ($cbs, $management): used by name in reply()
    const [, hub = '', , partitionId = ''] = match;
    const events = store.get(partitionId);
    if (hub !== hubName || !events) {
      sender.close({ condition: 'amqp:not-found', description: `no partition ${partitionId} on ${hub}` });
      return;
    }
    const link: PartitionLink = { sender, partitionId, next: startIndex(events, filterText(sender.source?.filter)) };
    links.add(link);
    sender.on('sendable', () => pump(link));
    sender.on('sender_close', () => links.delete(link));
    pump(link);
  });
  container.on('sender_close', (context: EventContext) => {
    for (const link of links) if (link.sender === context.sender) links.delete(link);
  });
  container.on('message', (context: EventContext) => {
    const request = context.message!;
    const target: string = context.receiver?.target?.address ?? '';
    if (target === '$cbs') reply(context, request, 202, null);
    else if (target === '$management') {
      const { status, body } = management(request);
      reply(context, request, status, body);
    }
  });

  const server: Server = container.listen({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  return {
    port,
    hubName,
    partitionIds,
    connectionString: () =>
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=fake;SharedAccessKey=fake-key;EntityPath=${hubName};UseDevelopmentEmulator=true`,
    publish(partitionId, body) {
      const events = store.get(partitionId);
      if (!events) throw new Error(`fake event hub: no partition ${partitionId}`);
      const sequenceNumber = events.length;
      events.push({ sequenceNumber, offset: sequenceNumber * OFFSET_STEP, enqueuedAt: Date.now(), body: toBuffer(body) });
      for (const link of links) if (link.partitionId === partitionId) pump(link);
      return sequenceNumber;
    },
    deliveredCount: (partitionId) => delivered.get(partitionId) ?? 0,
    dropConnections() {
      for (const connection of connections)
        connection.close({ condition: 'amqp:connection:forced', description: 'dropped by test' });
      connections.clear();
      links.clear();
    },
    async close() {
      for (const connection of connections) connection.close();
      links.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
