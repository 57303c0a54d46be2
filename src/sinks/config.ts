import { z } from 'zod';

const fileSink = z
  .object({
    type: z.literal('file'),
    name: z.string().optional(),
    path: z.string().min(1),
  })
  .strict();

const stdoutSink = z
  .object({
    type: z.literal('stdout'),
    name: z.string().optional(),
  })
  .strict();

/** One output. Each sink type owns its variant; the `type` key selects it. */
export const sinkSchema = z.discriminatedUnion('type', [fileSink, stdoutSink]);
export type SinkConfig = z.infer<typeof sinkSchema>;
