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

/** Post-incident reviews, follow-up actions, reminders and problem records. */
export const FollowUpCallback = {
  reviewModal: 'review_modal',
  actionModal: 'action_modal',
  reassignModal: 'action_reassign_modal',
  problemModal: 'problem_modal',
} as const;

export const FollowUpAction = {
  openReview: 'review_open',
  submitReview: 'review_submit',
  publishReview: 'review_publish',
  addActionFromReview: 'review_add_action',
  done: 'action_done',
  snooze: 'action_snooze',
  reassign: 'action_reassign',
  openIncident: 'action_open_incident',
} as const;

export const FollowUpBlock = {
  summary: 'pir_summary',
  impact: 'pir_impact',
  rootCause: 'pir_root_cause',
  rootCauseConfirmed: 'pir_root_cause_confirmed',
  factors: 'pir_factors',
  fiveWhys: 'pir_five_whys',
  wentWell: 'pir_went_well',
  wentBadly: 'pir_went_badly',
  lessons: 'pir_lessons',
  reviewOwner: 'pir_owner',
  meetingDate: 'pir_meeting_date',
  actionTitle: 'action_title',
  actionOwner: 'action_owner',
  actionDue: 'action_due',
  actionPriority: 'action_priority',
  actionTracker: 'action_tracker',
  newOwner: 'action_new_owner',
  problemTitle: 'problem_title',
  problemDescription: 'problem_description',
  problemKnownError: 'problem_known_error',
  problemWorkaround: 'problem_workaround',
  problemOwner: 'problem_owner',
} as const;
