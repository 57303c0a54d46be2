import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Secret } from '../core/secret.ts';
import { parseStatus, type TriageChange } from '../store/analyst/alert-triage.ts';
import type { AnalystStore } from '../store/analyst/analyst-store.ts';
import type { EventStore } from '../store/event-store.ts';
import type { EventSummary } from '../store/types.ts';
import { actorOf } from './actor.ts';
import { entitiesOf, entityKey } from './alert-entity.ts';
import { alertsOverview, triageFilterOf } from './alerts-overview.ts';
import { csrfTokenFor, requireCsrf } from './csrf.ts';
import { WebQueryError } from './errors.ts';
import { alertQueryOf, cleanParams } from './query-params.ts';
import { queryErrorOf, sendHtml } from './respond.ts';
import { safeNext } from './session.ts';
import { alertGroupPage } from './views/alert-group-page.ts';
import { alertPage } from './views/alert-page.ts';
import { alertsPage } from './views/alerts-page.ts';
import { auditPage } from './views/audit-page.ts';
import { notFoundPage, problemPage } from './views/layout.ts';

export interface AlertRoutesDeps {
  store: EventStore;
  analyst: AnalystStore;
  token: Secret;
  now: () => number;
}

/** Events shown on a group page at most (newest first). */
const MAX_GROUP_EVENTS = 2000;
/** A bulk action names up to MAX_BULK alerts: more than the server's default 16 KiB body. */
const TRIAGE_BODY_LIMIT = 1024 * 1024;

/** `ids` from a form (repeated fields, each one id or a JSON array of ids) or from a JSON body (an array). */
export function idsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const ids: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string') throw new WebQueryError('ids', 'must be alert ids');
    if (item.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(item);
      } catch {
        throw new WebQueryError('ids', 'is not a JSON list of alert ids');
      }
      ids.push(...idsOf(parsed));
    } else if (item.trim()) ids.push(item.trim());
  }
  return ids;
}

function text(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new WebQueryError(field, 'must be text');
  return value;
}

/** The change a triage form or JSON body asks for: an empty assignee keeps the current one, `unassign` clears it. */
export function triageChangeOf(body: Record<string, unknown>): TriageChange {
  const status = text(body.status, 'status')?.trim();
  const unassign = body.unassign === '1' || body.unassign === true;
  const assignee = unassign ? '' : text(body.assignee, 'assignee')?.trim();
  const comment = text(body.comment, 'comment')?.trim();
  let parsedStatus: TriageChange['status'];
  if (status) {
    try {
      parsedStatus = parseStatus(status);
    } catch (err) {
      throw new WebQueryError('status', (err as Error).message.replace(/^status: /, ''));
    }
  }
  return {
    alertIds: idsOf(body.ids),
    ...(parsedStatus ? { status: parsedStatus } : {}),
    ...(unassign || assignee ? { assignee } : {}),
    ...(comment ? { comment } : {}),
  };
}

function selfOf(request: FastifyRequest): string {
  return request.url;
}

export function registerAlertRoutes(app: FastifyInstance, { store, analyst, token, now }: AlertRoutesDeps): void {
  const csrf = requireCsrf(token);

  app.get('/alerts', async (request, reply) => {
    const params = cleanParams(request.query);
    const csrfToken = csrfTokenFor(request, reply, token);
    try {
      const overview = await alertsOverview(store, analyst, alertQueryOf(params, now()), triageFilterOf(params));
      return sendHtml(reply, alertsPage({ params, overview, csrf: csrfToken, self: selfOf(request) }));
    } catch (err) {
      const bad = queryErrorOf(err);
      if (!bad) throw err;
      return sendHtml(reply, alertsPage({ params, error: bad.message, csrf: csrfToken, self: selfOf(request) }), 400);
    }
  });

  app.get('/alerts/group', async (request, reply) => {
    const params = cleanParams(request.query);
    if (!params.rule)
      return sendHtml(reply, problemPage('rule: is required (open a group from the alerts page)', '/alerts'), 400);
    const wanted = params.entity ?? '-';
    const { entity: _entity, ...rest } = params;
    const overview = await alertsOverview(store, analyst, alertQueryOf(rest, now()), triageFilterOf(rest));
    const group = overview.groups.find((g) => g.ruleId === params.rule && (entityKey(g.entity) || '-') === wanted);
    if (!group) return sendHtml(reply, notFoundPage('No alerts of this rule about this entity match these filters.'), 404);
    const members = new Set(group.alertIds);
    const events = new Map<string, EventSummary>();
    let missing = 0;
    for (const id of group.alertIds) {
      const detail = await store.getAlert(id);
      for (const e of detail?.events ?? []) events.set(e.id, e);
      missing += detail?.missingEventIds.length ?? 0;
    }
    const sorted = [...events.values()].sort((a, b) => b.time - a.time).slice(0, MAX_GROUP_EVENTS);
    return sendHtml(
      reply,
      alertGroupPage({
        params: rest,
        group,
        rows: overview.rows.filter((r) => members.has(r.alert.id)),
        events: sorted,
        missing,
        csrf: csrfTokenFor(request, reply, token),
        self: selfOf(request),
      }),
    );
  });

  app.get<{ Params: { id: string } }>('/alerts/:id', async (request, reply) => {
    const found = await store.getAlert(request.params.id);
    if (!found) return sendHtml(reply, notFoundPage(`No alert with id ${request.params.id} (it may have expired).`), 404);
    const id = found.alert.id;
    const entity = (await entitiesOf([found.alert], store, analyst.triage)).get(id);
    return sendHtml(
      reply,
      alertPage({
        ...found,
        state: (await analyst.triage.states([id])).get(id)!,
        ...(entity ? { entity } : {}),
        comments: await analyst.triage.comments(id),
        history: await analyst.audit.read({ targetKind: 'alert', targetId: id }),
        csrf: csrfTokenFor(request, reply, token),
        self: selfOf(request),
      }),
    );
  });

  app.post('/alerts/triage', { preHandler: csrf, bodyLimit: TRIAGE_BODY_LIMIT }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const back = safeNext(body.back);
    try {
      await analyst.triage.apply(triageChangeOf(body), actorOf(request), now());
    } catch (err) {
      const bad = queryErrorOf(err);
      if (!bad) throw err;
      return sendHtml(reply, problemPage(bad.message, back), 400);
    }
    return reply.redirect(back, 303);
  });

  app.get('/api/alerts/overview', async (request) => {
    const params = cleanParams(request.query);
    const overview = await alertsOverview(store, analyst, alertQueryOf(params, now()), triageFilterOf(params));
    return {
      byStatus: overview.byStatus,
      scanned: overview.scanned,
      capped: overview.capped,
      groups: overview.groups,
      alerts: overview.rows.map((r) => ({ ...r.alert, triage: r.state, ...(r.entity ? { entity: r.entity } : {}) })),
    };
  });

  app.post('/api/alerts/triage', { preHandler: csrf, bodyLimit: TRIAGE_BODY_LIMIT }, async (request) => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new WebQueryError('body', 'send a JSON object: {"ids": [...], "status"?, "assignee"?, "comment"?}');
    return { alerts: await analyst.triage.apply(triageChangeOf(body as Record<string, unknown>), actorOf(request), now()) };
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id/triage', async (request) => {
    const id = request.params.id;
    return {
      state: (await analyst.triage.states([id])).get(id),
      comments: await analyst.triage.comments(id),
      history: await analyst.audit.read({ targetKind: 'alert', targetId: id }),
    };
  });

  app.get('/audit', async (_request, reply) => sendHtml(reply, auditPage(await analyst.audit.read({ limit: 500 }))));

  app.get('/api/audit', async (request) => {
    const params = cleanParams(request.query);
    const kind = params.target;
    if (kind !== undefined && kind !== 'alert' && kind !== 'saved-search')
      throw new WebQueryError('target', 'must be alert or saved-search');
    const limit = params.limit === undefined ? undefined : Number(params.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
      throw new WebQueryError('limit', 'must be a whole number between 1 and 1000');
    return {
      entries: await analyst.audit.read({
        ...(kind ? { targetKind: kind } : {}),
        ...(params.id ? { targetId: params.id } : {}),
        ...(limit ? { limit } : {}),
      }),
    };
  });
}
