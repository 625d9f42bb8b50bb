/** Every callback_id, action_id and block_id the app uses, in one place. */
export const Callback = {
  declareShortcut: 'declare_incident',
  declareModal: 'incident_declare',
  updateModal: 'incident_update',
  resolveModal: 'incident_resolve',
  /** The resolve form opened from the "moved to Done in Jira" prompt. */
  jiraResolveModal: 'jira_resolve',
  noteModal: 'incident_note',
  updatePreview: 'incident_update_preview',
  triageModal: 'incident_triage',
  escalateModal: 'incident_escalate',
  vendorModal: 'incident_vendor',
  addToTimelineShortcut: 'add_to_timeline',
  drModal: 'incident_dr',
  changeModal: 'change_new',
  changeRejectModal: 'change_reject',
  fieldsModal: 'incident_fields',
} as const;

export const Action = {
  openUpdate: 'incident_open_update',
  openNote: 'incident_open_note',
  openResolve: 'incident_open_resolve',
  /** "Keep open" on the prompt that the incident's Jira issue was moved to Done. */
  jiraKeepOpen: 'jira_keep_open',
  /** "Resolve incident" on that prompt: the resolve form, which redraws the prompt once resolved. */
  jiraResolve: 'jira_resolve',
  close: 'incident_close',
  openTriage: 'incident_open_triage',
  /** Prefix: `incident_claim_role:<role>`; the value is the incident id. */
  claimRole: 'incident_claim_role',
  /** Prefix: `checklist_toggle:<item index>`; the value is `<run id>:<item index>`. */
  checklistToggle: 'checklist_toggle',
  /** Prefix: `incident_mark_cause:<change id>`; the value is `<incident id>:<change id>`. */
  markCause: 'incident_mark_cause',
  changeApprove: 'change_approve',
  changeReject: 'change_reject',
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
  audiences: 'audiences',
  category: 'category',
  impact: 'impact',
  urgency: 'urgency',
  businessImpact: 'business_impact',
  classification: 'classification',
  reason: 'reason',
  priorityPreview: 'priority_preview',
  priority: 'priority',
  usergroups: 'usergroups',
  extraGroups: 'extra_groups',
  vendor: 'vendor',
  ticketRef: 'ticket_ref',
  contact: 'contact',
  responseMinutes: 'response_minutes',
  catalogVendor: 'catalog_vendor',
  drPlan: 'dr_plan',
  changeImpact: 'change_impact',
  likelihood: 'likelihood',
  riskPreview: 'risk_preview',
  windowStart: 'window_start',
  windowEnd: 'window_end',
  rollback: 'rollback',
  implementer: 'implementer',
  /** The type select leading the declare form; it redraws the form with the type's fields. */
  incidentType: 'incident_type',
  /** The type select of the fields form. */
  fieldsType: 'fields_type',
} as const;

/** The input block (and its element's action id) of a custom field, by its key. */
export const fieldBlock = (key: string) => `field_${key}`;

/** Signal posts: their buttons, and the modals they open. */
export const SignalAction = {
  declare: 'signal_declare',
  link: 'signal_link',
  dismiss: 'signal_dismiss',
} as const;

export const SignalCallback = {
  linkModal: 'signal_link_modal',
  classifyModal: 'signal_classify_modal',
} as const;

export const SignalBlock = {
  incident: 'signal_incident',
  classification: 'signal_classification',
  reason: 'signal_reason',
} as const;

/** The Acknowledge / Decline buttons of a page's DM. */
export const PagingAction = {
  acknowledge: 'page_acknowledge',
  decline: 'page_decline',
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

/** The public status page: the post form and its preview, the approval button, the "resolved" offer. */
export const StatusCallback = {
  postModal: 'status_post',
  postPreview: 'status_post_preview',
} as const;

export const StatusAction = {
  approve: 'status_approve',
  openResolved: 'status_open_resolved',
} as const;

export const StatusBlock = {
  status: 'status_public_status',
  title: 'status_public_title',
  body: 'status_public_body',
  notify: 'status_notify',
  /** Prefix: `status_component:<index in the policy>`. */
  component: 'status_component',
  publishMaintenance: 'status_publish_maintenance',
  maintenanceText: 'status_maintenance_text',
} as const;

/** Key timestamps: the correction modal, one datetime input per key (`time_<key>`) and the reason. */
export const TimestampIds = {
  modal: 'incident_timestamps',
  reason: 'time_reason',
  /** The block (and action) id of a key's input. */
  key: (key: string) => `time_${key}`,
} as const;
