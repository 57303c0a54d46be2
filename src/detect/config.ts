import { z } from 'zod';

export const detectionSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Extra rule files or folders, on top of the bundled rule set. */
    rules: z.array(z.string()).default([]),
    bundled_rules: z.boolean().default(true),
  })
  .strict()
  .prefault({});
export type DetectionConfig = z.infer<typeof detectionSchema>;
