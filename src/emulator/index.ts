/** Entra ID + Office 365 Management Activity API emulator (loopback HTTPS) and record generator. */
export { startEmulator } from './emulator.ts';
export { createTestCertificate, createTestCertificateAsync, type GeneratedCertificate } from './certificates.ts';
export { createMsalNetworkClient, createTrustingDispatcher } from './trusting-client.ts';
export { DEFAULT_CHAOS } from './chaos.ts';
export { emulatorOptionsFromConfig } from './options-from-config.ts';
export { EmulatorSetupError } from './tenant-registry.ts';
export { Rng, hashSeed } from './rng.ts';
export {
  generateRecord,
  generateRecords,
  generateScenario,
  contentTypeOfKind,
  createTenantContext,
  RECORD_KINDS,
  SCENARIOS,
  UnknownRecordKindError,
  type TenantContext,
  type ScenarioRecord,
} from './records/index.ts';
export type {
  ChaosOptions,
  Emulator,
  EmulatorAppSpec,
  EmulatorOptions,
  EmulatorStats,
  EmulatorTenantSpec,
  GenerateOptions,
  PublishOptions,
} from './types.ts';
