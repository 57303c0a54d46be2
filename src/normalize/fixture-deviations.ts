/**
 * Deliberate differences from the reference parser's expected output, applied to the expected documents by the
 * fixture acceptance test. Each one is explained in the README (section "Normalization (ECS)").
 */
export interface FixtureDeviation {
  fixture: string;
  /** Dotted path in the expected document. */
  path: string;
  /** The value we produce instead (undefined: we do not produce the field). */
  value: unknown;
}

export const FIXTURE_DEVIATIONS: readonly FixtureDeviation[] = [
  // 1. Inbox rule conditions are kept verbatim, not HTML-escaped ("&" → "&amp;", '"' → "&#34;").
  {
    fixture: 'operation_properties_02.json',
    path: 'office365.operation.properties.RuleCondition',
    value:
      '{(&(([RssServerLockStartTime=1, =r, =noreply-wham@mail.fr, DisplayType=0], ((SenderSearchKey Equal SMTP:NOREPLY-WHAM@MAIL.FR)))(SubString IgnoreCase(SubjectProperty)=WHAM)))}',
  },
  {
    fixture: 'operation_properties_03.json',
    path: 'office365.operation.properties.RuleCondition',
    value:
      '{(&((&((MessageToMe Equal True)(!((SubString Default(DisplayTo)=;)))))([RssServerLockStartTime=1, =/o=EXAMPLE/ou=Administrative (AAAAAAAAAAAAAAA)/cn=Recipients/cn=11111111111111111111111111111111111111111111, =Example, DisplayType=0], ((SenderSearchKey Equal EX:/O=EXAMPLE/OU=ADMINISTRATIVE (AAAAAAAAAAAAAAAAAAAA)/CN=RECIPIENTS/CN=BBBBBBBBBBBBBBBBBBBBBBBBBBBB)))(SubString IgnoreCase(SubjectProperty)=Incident - ")))}',
  },
  // 2. Defender attachment verdicts keep the file name and put the malware family in its own field.
  {
    fixture: 'microsoft_defender_threatintelligence_mail.json',
    path: 'office365.defender.email.attachments',
    value: [
      { name: 'malicious.pdf.exe', malware_family: 'Trojan_Gen_FileWithSpoofedExtension_A', verdict: { code: '1', name: 'bad' } },
    ],
  },
  // 3. More well-known client applications are named than in the reference's table.
  { fixture: 'ad.json', path: 'office365.context.client.name', value: 'Microsoft Teams Web Client' },
  { fixture: 'user_logged_in.json', path: 'office365.context.client.name', value: 'Office365 Shell WCSS-Client' },
  // 4. MCAS alerts link to the alert in the portal.
  {
    fixture: 'mcas_alert.json',
    path: 'event.url',
    value: 'https://example.portal.cloudappsecurity.com/#/alerts/111111111111111111111111',
  },
];
