/** Every callback_id, action_id and block_id the app uses, in one place. */
export const Callback = {
  declareShortcut: 'declare_incident',
  declareModal: 'incident_declare',
  updateModal: 'incident_update',
  resolveModal: 'incident_resolve',
  noteModal: 'incident_note',
} as const;

export const Action = {
  openUpdate: 'incident_open_update',
  openNote: 'incident_open_note',
  openResolve: 'incident_open_resolve',
  close: 'incident_close',
} as const;

/** Input blocks; each holds one element whose action_id is the same string. */
export const Block = {
  title: 'title',
  description: 'description',
  severity: 'severity',
  kind: 'kind',
  services: 'services',
  commander: 'commander',
  status: 'status',
  message: 'message',
  nextUpdate: 'next_update',
  summary: 'summary',
  note: 'note',
} as const;
