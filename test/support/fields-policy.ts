/** The policy of issue #18's example: incident types with their custom fields (a security type asks for a declare-stage field). */
export const FIELDS_POLICY = {
  playbooks: [{ name: 'security-breach', title: 'Security breach', items: ['Preserve evidence', 'Rotate credentials'] }],
  incident_types: [
    {
      name: 'Security breach',
      description: 'Confirmed or suspected compromise',
      private: true,
      default_severity: 'SEV1',
      channel_name: 'sec-{number}',
      playbooks: ['security-breach'],
      fields: ['data_classification', 'regulator_notified'],
    },
    { name: 'Service outage', fields: ['customer_impact', 'affected_regions'] },
  ],
  custom_fields: [
    { key: 'customer_impact', label: 'Customers affected', type: 'number', required: 'resolve' },
    { key: 'affected_regions', label: 'Regions', type: 'multi_select', options: ['eu-west', 'us-east', 'ap-south'] },
    { key: 'data_classification', type: 'select', options: ['public', 'internal', 'confidential', 'restricted'], required: 'declare' },
    { key: 'regulator_notified', type: 'select', options: ['yes', 'no', 'not required'], required: 'close' },
  ],
};
