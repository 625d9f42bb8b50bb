import type { View } from '@slack/types';
import type { Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { effectivePriority } from '../../triage/priority.js';
import { Block, Callback } from '../ids.js';
import { contractMinutes, findVendor, vendorsOf, type Vendor } from '../../catalog/catalog.js';
import { duration, esc, mrkdwn } from './format.js';
import { modal, option, selectInput, textInput } from './kit.js';

export interface VendorMetadata {
  incidentId: string;
  /** Bumped each time a catalog vendor is chosen: new block ids make Slack show the new prefilled values. */
  rev: number;
}

/** The block id of a prefilled vendor field at a revision of the form. */
export function vendorFieldId(block: string, rev: number): string {
  return rev ? `${block}~${rev}` : block;
}

function contractLine(vendor: Vendor, priority: string): string {
  const contacts = vendor.contacts.length ? ` · ${vendor.contacts.map(esc).join(', ')}` : '';
  return `*${esc(vendor.name)}*: contractual response ${duration(contractMinutes(vendor, priority) * 60_000)} at ${priority}${contacts}${vendor.portal ? ` · <${vendor.portal}|portal>` : ''}`;
}

/**
 * The vendor engagement modal. Catalog vendors are offered (those behind the incident's services
 * first, preselected); the chosen one prefills the contact and the contractual response time.
 */
export function vendorModal(policy: Policy, incident: Incident, opts: { vendor?: string; rev?: number } = {}): View {
  const rev = opts.rev ?? 0;
  const priority = effectivePriority(policy, incident);
  const related = vendorsOf(policy, incident.services);
  const ordered = [...related, ...policy.vendors.filter((v) => !related.includes(v))];
  const chosen = opts.vendor === undefined ? related[0] : findVendor(policy, opts.vendor);
  const blocks: unknown[] = [];
  if (ordered.length) {
    blocks.push({
      ...selectInput(Block.catalogVendor, 'Vendor', ordered.map((v) => option(v.name, v.name, `${duration(contractMinutes(v, priority) * 60_000)} response at ${priority}${related.includes(v) ? ' · behind this incident' : ''}`)), {
        optional: true,
        initial: chosen?.name,
        placeholder: 'Choose a vendor from the catalog',
      }),
      dispatch_action: true,
    });
    blocks.push({ type: 'context', block_id: 'vendor_contract', elements: [mrkdwn(chosen ? contractLine(chosen, priority) : 'Choose a catalog vendor to fill in its contacts and contractual response time, or name another one below.')] });
    blocks.push(textInput(Block.vendor, 'Other vendor (not in the catalog)', { optional: true, placeholder: 'Acme Cloud', max: 100 }));
  } else {
    blocks.push(textInput(Block.vendor, 'Vendor', { placeholder: 'Acme Cloud', max: 100 }));
  }
  blocks.push(textInput(Block.ticketRef, 'Their ticket reference', { optional: true, max: 100 }));
  blocks.push(textInput(vendorFieldId(Block.contact, rev), 'Contact', { optional: true, initial: chosen?.contacts.join(', ').slice(0, 200) || undefined, placeholder: 'support@acme.example, +1 555 0100', max: 200 }));
  blocks.push(textInput(vendorFieldId(Block.responseMinutes, rev), 'Contractual response time (minutes)', { initial: String(chosen ? contractMinutes(chosen, priority) : 60), max: 6 }));
  return modal({ callbackId: Callback.vendorModal, title: 'Engage a vendor', submit: 'Start the clock', metadata: { incidentId: incident.id, rev } satisfies VendorMetadata, blocks });
}
