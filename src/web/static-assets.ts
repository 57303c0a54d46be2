import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const ASSETS: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

/** Serves the stylesheet and the page script from src/web/public (read once at start). */
export function registerStaticAssets(app: FastifyInstance): void {
  for (const [name, type] of Object.entries(ASSETS)) {
    const body = readFileSync(new URL(`./public/${name}`, import.meta.url));
    app.get(`/static/${name}`, async (_request, reply) =>
      reply.type(type).header('Cache-Control', 'public, max-age=300').send(body),
    );
  }
}
