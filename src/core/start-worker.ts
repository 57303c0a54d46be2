import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread whose entry is the module `name` (without extension) in the folder of `moduleUrl` (the
 * caller's `import.meta.url`). Compiled (dist/), the entry is the .js file there. From the TypeScript sources (tests,
 * `npm run dev`), a small bootstrap imports it through tsx's API: a loader given in a worker's execArgv does not apply
 * to the worker's own entry file on Node 20.
 */
export function startWorker(moduleUrl: string, name: string, workerData: unknown): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), { workerData });
  const entry = new URL(`./${name}.ts`, moduleUrl).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(moduleUrl)}))`;
  return new Worker(bootstrap, { eval: true, workerData });
}
