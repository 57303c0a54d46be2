// Child process of lazy-modules.test.ts: records every module loaded while the pipeline starts with the config given
// (JSON, argv[2]) and stops again, then prints their URLs, one per line.
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';

const [configJson = '{}', listFile = ''] = process.argv.slice(2);
writeFileSync(listFile, '');
register(new URL('./loaded-modules-hooks.mjs', import.meta.url), { data: { file: listFile } });
const { parseConfig } = await import('../../config/load.ts');
const { silentLogger } = await import('../../observability/logger.ts');
const { runPipeline } = await import('../run.ts');
const running = await runPipeline(parseConfig(JSON.parse(configJson)), silentLogger);
await running.stop();
process.stdout.write(readFileSync(listFile, 'utf8'));
