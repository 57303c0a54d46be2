// The floor for raw collection: a plain loopback client (no state, no dedup, no checkpoints) that starts the
// subscriptions, lists one window per content type following NextPageUri, downloads every blob and JSON.parses it.
// Run as its own process so its CPU and RSS are its own. Prints {records, seconds, cpuSeconds, peakRssBytes}.
import { Agent, request } from 'undici';
import type { ContentType } from '../../src/core/content-types.ts';

interface Job {
  url: string;
  caPem: string;
  tenantId: string;
  clientId: string;
  secret: string;
  contentTypes: ContentType[];
  expected: number;
}

async function main(job: Job): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: job.caPem }, connections: 8 });
  const started = performance.now();
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: job.clientId,
    client_secret: job.secret,
    scope: `${job.url}/.default`,
  });
  const tokenRes = await request(`${job.url}/${job.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    dispatcher,
  });
  const { access_token: token } = (await tokenRes.body.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}` };
  const api = `${job.url}/api/v1.0/${job.tenantId}/activity/feed`;
  const pub = `PublisherIdentifier=${job.tenantId}`;
  let records = 0;
  for (const contentType of job.contentTypes) {
    await (
      await request(`${api}/subscriptions/start?contentType=${contentType}&${pub}`, { method: 'POST', headers, dispatcher })
    ).body.text();
  }
  const end = new Date(Date.now() + 60_000);
  const start = new Date(end.getTime() - 23 * 3_600_000);
  const iso = (d: Date) => d.toISOString().slice(0, 19);
  for (const contentType of job.contentTypes) {
    let next: string | undefined =
      `${api}/subscriptions/content?contentType=${contentType}&startTime=${iso(start)}&endTime=${iso(end)}&${pub}`;
    while (next) {
      const res: Awaited<ReturnType<typeof request>> = await request(next, { headers, dispatcher });
      const page = (await res.body.json()) as { contentUri: string }[];
      const nextHeader: unknown = res.headers.nextpageuri;
      next = typeof nextHeader === 'string' ? `${nextHeader}&${pub}` : undefined;
      const blobs = await Promise.all(
        page.map(async (entry) => {
          const blob = await request(`${entry.contentUri}?${pub}`, { headers, dispatcher });
          return (JSON.parse(await blob.body.text()) as unknown[]).length;
        }),
      );
      records += blobs.reduce((a, b) => a + b, 0);
    }
  }
  const usage = process.resourceUsage();
  process.stdout.write(
    `${JSON.stringify({ records, seconds: (performance.now() - started) / 1000, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssBytes: usage.maxRSS * 1024 })}\n`,
  );
  await dispatcher.close();
}

await main(JSON.parse(process.argv[2] ?? '{}') as Job);
