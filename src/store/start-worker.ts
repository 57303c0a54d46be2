import { Worker } from 'node:worker_threads';

/**
 * Starts one of the store's worker threads (`name`: its file in this folder, without extension). Compiled (dist/),
 * the worker is the .js file beside this one. From the TypeScript sources (tests, `npm run dev`), a small bootstrap
 * imports it through tsx's API: a loader given in a worker's execArgv does not apply to the worker's own entry file
 * on Node 20.
 */
export function startStoreWorker(name: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { eval: true, workerData });
}
