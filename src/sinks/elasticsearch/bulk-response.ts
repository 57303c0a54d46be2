import type { OutputEvent } from '../../core/output-event.ts';
import type { ChunkOutcome, RejectedEvent } from '../delivery/deliver-chunks.ts';
import { excerpt } from '../http/client.ts';

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

interface BulkResponse {
  errors?: boolean;
  items?: Array<Record<string, BulkItemResult>>;
}

/**
 * Reads the per-item results of a `_bulk` response (same order as the request):
 * 2xx delivered; 409 on `create` means the document is already there (a replay), so delivered too;
 * 429 and 5xx items are retried; any other item error (mapping, parsing) is refused for good.
 */
export function bulkOutcome(text: string, chunk: readonly OutputEvent[], opType: 'create' | 'index'): ChunkOutcome {
  let parsed: BulkResponse;
  try {
    parsed = JSON.parse(text) as BulkResponse;
  } catch {
    return { type: 'retry', detail: `_bulk answered 200 with a body that is not JSON: ${excerpt(text)}` };
  }
  if (parsed.errors === false) return { type: 'ok' };
  const items = parsed.items ?? [];
  if (items.length !== chunk.length)
    return { type: 'retry', detail: `_bulk returned ${items.length} item results for ${chunk.length} documents` };
  const retry: OutputEvent[] = [];
  const rejected: RejectedEvent[] = [];
  items.forEach((item, i) => {
    const event = chunk[i] as OutputEvent;
    const result = Object.values(item)[0] ?? {};
    const status = result.status ?? 0;
    if ((status >= 200 && status < 300) || (status === 409 && opType === 'create')) return;
    const error = result.error;
    const detail = `${status} ${error?.type ?? 'error'}: ${error?.reason ?? ''}${error?.caused_by ? ` (${error.caused_by.type}: ${error.caused_by.reason})` : ''}`;
    if (status === 429 || status >= 500) retry.push(event);
    else rejected.push({ event, reason: 'mapping_error', detail });
  });
  if (retry.length === 0 && rejected.length === 0) return { type: 'ok' };
  return { type: 'partial', retry, rejected, detail: `${retry.length} document(s) to retry, ${rejected.length} refused` };
}
