// Second step of `npm run build` (after tsc): bundles the compiled CLI (dist/cli/main.js) and the npm packages it
// imports into dist/bundle/ with esbuild, so that `o365-intake` starts by loading a few files instead of ~800 (module
// resolution, reading and ESM linking were ~0.3 of the ~0.85 CPU-s a raw collector needed to its first event).
// What is imported only when configured (detection, store, web page, Kafka…) stays lazy: each dynamic import becomes a
// chunk loaded when used. The tsc output stays where it is: each bundled module of ours keeps its own `import.meta.url`
// (rewritten to its file in dist/), so rules, page assets and the query worker are found exactly as before.
// Packages that are not bundled: native addons, and those that locate files next to their own code.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const outdir = join(dist, 'bundle');

const EXTERNAL = [
  // native addons
  'better-sqlite3',
  're2',
  'lz4-napi',
  // Event Hubs: @azure/storage-common loads a WebAssembly file next to its code; only used when configured.
  '@azure/event-hubs',
  '@azure/eventhubs-checkpointstore-blob',
  '@azure/storage-blob',
];

/**
 * npm packages whose code names its own file or folder (`__dirname`, `__filename`, `import.meta.url`), which would be
 * the bundle's once bundled; allowed only where that code is never run by this program. Any other package doing so
 * fails the build: mark it EXTERNAL.
 */
const OWN_PATH_NEVER_USED = {
  'pino/lib/transport.js': 'pino transports (worker threads) are not used: logs go to a stream in this process',
  'thread-stream/index.js': 'worker of pino transports, not used',
  'undici/index.js': 'typeof-guarded, for stack traces only',
  'commander/lib/command.js': 'in comments only',
};
const OWN_PATH = /import\.meta\.url|\b__dirname\b|\b__filename\b/;

const toPosix = (p) => p.split(sep).join('/');

/** Our modules keep their own URL: `import.meta.url` becomes the URL of the file tsc wrote, relative to the bundle. */
const ownUrls = {
  name: 'own-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!OWN_PATH.test(source)) return undefined;
      const inPackage = /[\\/]node_modules[\\/](.+)$/.exec(args.path)?.[1];
      if (inPackage) {
        const key = Object.keys(OWN_PATH_NEVER_USED).find((k) => toPosix(inPackage).endsWith(k));
        if (key) return undefined;
        return {
          errors: [{ text: `${toPosix(inPackage)} names its own path; add its package to EXTERNAL in scripts/bundle.mjs` }],
        };
      }
      const own = JSON.stringify(toPosix(relative(outdir, args.path)));
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${own}, import.meta.url).href`),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

await build({
  entryPoints: [join(dist, 'cli/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // esbuild renames clashing top-level names (Foo → Foo2); keep `constructor.name` and function names as written.
  keepNames: true,
  sourcemap: true,
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  plugins: [ownUrls],
  logLevel: 'warning',
});
