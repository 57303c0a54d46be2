/** Sekoia.io regions and the base URL of their HTTP intake (`/batch` is appended). */
export const SEKOIA_REGIONS = ['FRA1', 'FRA2', 'MCO1', 'UAE1', 'USA1', 'SGP1'] as const;
export type SekoiaRegion = (typeof SEKOIA_REGIONS)[number];

export const SEKOIA_INTAKE_URLS: Readonly<Record<SekoiaRegion, string>> = {
  FRA1: 'https://intake.sekoia.io',
  FRA2: 'https://intake.fra2.sekoia.io/api/v1/intake-http',
  MCO1: 'https://intake.mco1.sekoia.io/api/v1/intake-http',
  UAE1: 'https://intake.uae1.sekoia.io/api/v1/intake-http',
  USA1: 'https://intake.usa1.sekoia.io/api/v1/intake-http',
  SGP1: 'https://intake.sgp1.sekoia.io',
};
