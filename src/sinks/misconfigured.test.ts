import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { OutputEvent } from '../core/output-event.ts';
import { silentLogger } from '../observability/logger.ts';
import type { SinkConfig } from './config.ts';
import { createSink, deadLetterPath } from './index.ts';
import { sinkFailure, spoolOf } from './sink-stats.ts';
import { RecordingServer, type RecordedRequest, type Reply } from './test-support/recording-server.ts';
import { sinkSchema } from './config.ts';
import { FAST_RETRY, tempDir, testEvents } from './test-support/events.ts';

/** Per destination: its config, the answer that accepts a request, and the event ids a request carried. */
const DESTINATIONS: Record<
  string,
  {
    config: (url: string) => Record<string, unknown>;
    accept: (req: RecordedRequest) => Reply;
    ids: (req: RecordedRequest) => string[];
  }
> = {
  http: {
    config: (url) => ({ type: 'http', url: `${url}/hook` }),
    accept: () => ({ status: 200, body: {} }),
    ids: (req) => ndjsonDocs(req.body).map((d) => String(d.Id)),
  },
  elasticsearch: {
    config: (url) => ({ type: 'elasticsearch', url }),
    accept: () => ({ status: 200, body: { errors: false, items: [] } }),
    ids: (req) =>
      ndjsonDocs(req.body)
        .filter((d) => d.Id !== undefined)
        .map((d) => String(d.Id)),
  },
  sekoia: {
    config: (url) => ({ type: 'sekoia', intake_key: 'intake-key', intake_url: url }),
    accept: (req) => ({
      status: 200,
      body: { event_ids: (JSON.parse(req.body) as { jsons: string[] }).jsons.map((_, i) => `u${i}`) },
    }),
    ids: (req) => (JSON.parse(req.body) as { jsons: string[] }).jsons.map((j) => String((JSON.parse(j) as { Id: string }).Id)),
  },
  splunk_hec: {
    config: (url) => ({ type: 'splunk_hec', url, token: 'hec-token' }),
    accept: () => ({ status: 200, body: { text: 'Success', code: 0 } }),
    ids: (req) => ndjsonDocs(req.body).map((d) => String((d.event as { Id: string }).Id)),
  },
};

function ndjsonDocs(body: string): Array<Record<string, unknown>> {
  return body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const [type, destination] of Object.entries(DESTINATIONS)) {
  for (const status of [401, 403, 404]) {
    test(`${type}: HTTP ${status} for a whole request stops delivery, keeps the events spooled, dead-letters nothing, and resumes`, async () => {
      const server = new RecordingServer();
      const url = await server.start();
      let refusing = true;
      const received: string[] = [];
      server.handler = (req) => {
        if (refusing) return { status, body: { error: 'refused' } };
        received.push(...destination.ids(req));
        return destination.accept(req);
      };
      const dataDir = tempDir('misconfigured');
      const config = sinkSchema.parse({
        ...destination.config(url),
        name: 'out',
        retry: { ...FAST_RETRY, max_backoff: 30 },
      }) as SinkConfig;
      const sink = createSink(config, 0, { dataDir, logger: silentLogger });
      await sink.open();
      try {
        const events: OutputEvent[] = testEvents(1, 5);
        await sink.write(events);
        await until(() => sinkFailure(sink)?.kind === 'refused', 'the refusal to be reported');
        assert.match(sinkFailure(sink)?.message ?? '', new RegExp(`HTTP ${status}`));
        const attempts = server.requests.length;
        await until(() => server.requests.length > attempts, 'a periodic retry');
        assert.ok((spoolOf(sink)?.stats().pendingBytes ?? 0) > 0, 'the events wait in the spool');
        assert.ok(!existsSync(deadLetterPath(dataDir, 'out')), 'nothing dead-lettered');
        refusing = false;
        await until(() => spoolOf(sink)?.stats().pendingBytes === 0, 'delivery to resume');
        assert.deepEqual(received, ['1', '2', '3', '4', '5']);
        assert.equal(sinkFailure(sink), undefined);
      } finally {
        await sink.close();
        await server.stop();
      }
    });
  }
}
